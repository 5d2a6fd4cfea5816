-- textclass.cli.label - `textclass label`: label articles, streaming.
--
-- Reads documents from the inputs in batches of --batch, classifies each
-- batch with one predict_batch call (on --threads threads), writes one
-- record per document in input order and flushes after every batch, so a
-- pipe downstream sees results as they come and memory stays bounded by
-- the batch, whatever the input size. When stdin is a pipe or terminal the
-- batch defaults to 1 so an interactive or streaming producer gets each
-- answer at once (see batch_defaults for the other defaults).

local util = require "textclass.cli.util"
local inputs = require "textclass.cli.inputs"
local writers = require "textclass.cli.writers"
local progress = require "textclass.cli.progress"
local classifier = require "textclass.cli.classifier"

local M = {}

M.spec = {
  name = "label",
  synopsis = "[-m MODEL | -c CLASSIFIER.lua] [options] [PATH ...]",
  summary = "Label news articles with topics. PATH is a file, a folder (walked recursively, in\n" ..
            "sorted order) or - for stdin (the default). Results go to stdout, one record per\n" ..
            "article, in input order; messages go to stderr.",
  description =
    "Input formats (from the extension, or --input):\n" ..
    "  text   the whole file is one article (any extension not listed below);\n" ..
    "         a web page is read for its text\n" ..
    "  lines  one article per line (the default for stdin)\n" ..
    "  jsonl  one JSON object per line (.jsonl, .ndjson); --text-field, --id-field;\n" ..
    "         the other fields are copied to JSONL output\n" ..
    "  csv    RFC 4180 with a header row (.csv; .tsv with tabs); --text-column,\n" ..
    "         --id-column, --separator (, ; | tab); the columns are copied to\n" ..
    "         CSV output, text ones too (one header: the first input's), and to\n" ..
    "         JSONL output\n" ..
    "  (a text in several fields or columns, --text-field title,body, is read as\n" ..
    "  TITLE, a blank line, BODY)\n" ..
    "  tsv    ID<TAB>TEXT per line, no header row (-i tsv only)\n" ..
    "  feed   each item of an RSS or Atom feed (.rss, .atom, or a file that begins\n" ..
    "         as a feed does): title and content; link, date and title go to JSONL\n" ..
    "         output\n" ..
    "Files and stdin are UTF-8, or UTF-16 with a byte order mark (Notepad's\n" ..
    "\"Unicode\", PowerShell 5's >, Excel's \"Unicode Text\": read it with\n" ..
    "-i csv --separator tab).\n" ..
    "Output formats (--output): tsv (id, label, labels, scores, error), jsonl, csv\n" ..
    "(a CSV input's columns after the id).\n" ..
    "An input that cannot be labelled (missing, unreadable, binary, empty, invalid\n" ..
    "UTF-8 or UTF-16, bad JSON, the file stdout goes to) still gets its record,\n" ..
    "with an error; the exit status is then 1.",
  options = util.concat({
    classifier.MODEL_OPTION,
    classifier.CLASSIFIER_OPTION,
    { short = "i", long = "input", arg = "FORMAT", choices = inputs.UNLABELLED_FORMATS, default = "auto",
      help = "input format" },
    { short = "o", long = "output", arg = "FORMAT", choices = writers.FORMATS, default = "tsv",
      help = "output format",
      -- `-o FILE` is train's option; label's records go to stdout
      choice_hint = function(v)
        if v:find("[./]") then return " (the records go to stdout: -o FORMAT > " .. v .. ")" end
      end },
    { long = "header", help = "print a header line (default for csv; tsv and csv only)" },
    { long = "no-header", help = "no header line (default for tsv and jsonl)" },
  }, inputs.TEXT_OPTIONS, {
    { short = "t", long = "threshold", arg = "X", type = "number", min = 0, max = 1,
      help = "score a label needs to be chosen, for multi-label models (default: the model's)" },
    { long = "top", arg = "N", type = "integer", min = 1, max = 0x7fffffff, help = "print only the N best scores and labels" },
    { short = "j", long = "threads", arg = "N", type = "integer", min = 0, max = classifier.MAX_THREADS,
      help = "prediction threads; 0 = one per core [1]" },
    { short = "b", long = "batch", arg = "N", type = "integer", min = 1, max = 1000000,
      help = "documents per batch [64, 1024 with -j other than 1; 1 when stdin is a pipe or terminal]" },
    { long = "exit-zero", help = "exit 0 even when some inputs failed (their records still say why); " ..
      "for Hadoop Streaming and Spark, which fail a task on any other status" },
    util.QUIET_OPTION,
  }),
  examples =
    "  textclass label examples/articles\n" ..
    "  textclass label -o jsonl --top 2 news.jsonl > labelled.jsonl\n" ..
    "  tail -f feed.txt | textclass label -q -i lines\n" ..
    "  textclass label -m my.model -o csv --text-column headline,body articles.csv\n",
}

-- The batch: at most this many documents, and (unless --batch is given)
-- closed early once it holds this much (held_bytes), which bounds memory
-- when the documents are large.
local BATCH = 64
local THREADED_BATCH = 1024
local BATCH_BYTES = 64 * 1024 * 1024

-- Documents per batch and text bytes per batch, for the options and input.
-- A stdin pipe gets 1, so a streaming producer gets each answer at once.
-- With more than one thread the batch is larger: the core starts its
-- threads for each predict_batch call, and with 64 documents per call two
-- threads were slower than one (17094 news articles, 2 cores, best of 5:
-- 1.27 s at -j 2 against 1.06 s at -j 1; with 1024 per call, 0.90 s at
-- -j 2; 256 to 2048 are alike).
local function batch_defaults(opts, streaming)
  if opts.batch then return opts.batch, math.huge end
  if streaming then return 1, math.huge end
  local threads = opts.threads or 1
  return threads ~= 1 and THREADED_BATCH or BATCH, BATCH_BYTES
end

-- The summary line: the documents read, with counts per label and of
-- errors, and apart from them the inputs that could not be read (whose
-- records, errors too, stand for no document): "0 documents in 0.0 s (0
-- docs/s): no labels; 1 input could not be read" for a missing file,
-- which was "1 document ...; 1 error".
local function summarise(stats, elapsed)
  local parts = {}
  local labels = {}
  for l in pairs(stats.per_label) do labels[#labels + 1] = l end
  table.sort(labels, function(a, b)
    if stats.per_label[a] ~= stats.per_label[b] then return stats.per_label[a] > stats.per_label[b] end
    return a < b
  end)
  for _, l in ipairs(labels) do parts[#parts + 1] = l .. " " .. stats.per_label[l] end
  local docs, errors, unread = stats.docs - stats.unread, stats.errors - stats.unread, stats.unread
  local rate = elapsed > 0 and docs / elapsed or 0
  local line = string.format("%d document%s in %s (%.0f docs/s): %s", docs, docs == 1 and "" or "s",
    util.fmt_duration(elapsed), rate, #parts > 0 and table.concat(parts, ", ") or "no labels")
  return line .. "; " ..
    util.failed_and_unread(errors, string.format("%d error%s", errors, errors == 1 and "" or "s"), unread)
end

-- Refuse --header with --no-header, and --header with -o jsonl (JSONL
-- records name their fields: there is no header line to add).
local function check_header_options(opts)
  if opts.header and opts.no_header then util.usage_error("--header and --no-header contradict each other") end
  if opts.header and opts.output == "jsonl" then
    util.usage_error("--header applies to tsv and csv output, not jsonl (each JSONL record names its fields)")
  end
end

-- An input that is stdout too is not read (it would be read as it is
-- written); its record says so, which the output file may hide.
local function warn_unread_outputs(sources)
  for _, src in ipairs(sources) do
    if src.error == inputs.IS_OUTPUT then util.warn("%s: %s (not read)", src.path, src.error) end
  end
end

-- The writer of the records to `out`, stdout, which is unbuffered
-- (util.unbuffered_stdout): the writer hands each batch's records to one
-- write(2), so a signal that interrupts it either leaves the batch
-- unwritten or, once part is out, lets the rest follow. Through a buffer
-- the batch went out in three writes, and one interrupted before its
-- first byte was dropped, cutting a record.
local function open_writer(opts, sources, out)
  local header
  if opts.header then header = true elseif opts.no_header then header = false end
  -- (-o csv carries the columns of the first input, when it is CSV)
  local first = sources[1]
  return writers.new(opts.output, out, {
    header = header,
    first_is_csv = first ~= nil and not first.error and inputs.unlabelled_format(first, opts.input) == "csv",
    first = first and (first.stdin and "stdin" or first.path),
  })
end

-- The reading options: the fields JSONL output shows, and the header of
-- a CSV input for the writer when -o csv carries its columns.
local function read_options(opts, writer)
  local read = inputs.read_options(opts)
  read.keep_fields = writers.shows_fields(opts.output)
  if writers.carries_columns(opts.output) then read.on_csv_header = function(columns) writer:columns(columns) end end
  return read
end

-- Start classifying a batch (or, in step, classify it): the documents
-- that have a text go to the classifier; returns what write_batch needs.
local function start_batch(run, batch, n)
  local texts, slots, k = {}, {}, 0
  for i = 1, n do
    local doc = batch[i]
    if not doc.error then k = k + 1; texts[k] = doc.text; slots[k] = i end
  end
  local started = { batch = batch, n = n, slots = slots }
  if run.overlap then started.job = run.clf:classify_start(texts, run.opts.threads)
  else started.results = run.clf:classify(texts, run.opts.threads) end
  return started
end

-- Wait for a started batch and write its records (in input order) with
-- one call.
local function write_batch(run, started)
  local batch, n, slots = started.batch, started.n, started.slots
  local writer, stats = run.writer, run.stats
  local results = started.results or started.job:wait()
  local next_slot = 1
  for i = 1, n do
    local doc = batch[i]
    local res
    if slots[next_slot] == i then res = results[next_slot]; next_slot = next_slot + 1 end
    if res and res.error then doc.error = res.error; res = nil end
    local names
    if res then
      -- a result is cut to --top already (the option goes down to the
      -- module, which cuts a Lua classifier's too); a model's has `ranked`
      names = res.ranked or classifier.ranked_names(res.scores)
      stats.per_label[res.label] = (stats.per_label[res.label] or 0) + 1
    else
      stats.errors = stats.errors + 1
    end
    writer:write(doc, res, names)
    batch[i] = nil
  end
  stats.docs = stats.docs + n
  writer:flush()
  run.bar:update(run.counter.bytes, stats.docs)
end

-- A batch's records made by the module in one call (run.records_format):
-- true, or false when that call failed as a whole (out of memory, a field
-- that is not a string) and nothing was written: the batch then takes the
-- general path, which gives each document its own record.
local function write_module_records(run, batch, n)
  local stats = run.stats
  local records, n_errors = run.clf:label_records(batch, stats.per_label, run.records_format, run.opts.threads)
  if not records then return false end
  run.writer:write_records(records)
  stats.docs = stats.docs + n
  stats.errors = stats.errors + n_errors
  run.writer:flush()
  run.bar:update(run.counter.bytes, stats.docs)
  return true
end

-- Label a full batch: by the module's records when it can, else started,
-- and the batch started before it (with more than one thread) written.
local function flush_batch(run, batch, n)
  if run.records_format and write_module_records(run, batch, n) then return end
  local started = start_batch(run, batch, n)
  if run.pending then write_batch(run, run.pending) end
  run.pending = nil
  if run.overlap then run.pending = started else write_batch(run, started) end
end

-- The state of a run that writes with `writer` the documents read with
-- `counter`, and counts them in its stats; its `pending` is, with
-- overlap, the batch being classified.
local function new_run(opts, clf, writer, counter, bar, batch_size)
  -- With more than one thread, batch k is classified in the background
  -- while batch k - 1 is written and batch k + 1 read, so reading and
  -- writing (Lua) overlap the classifying (the core). One thread, or a
  -- stream (each record due as soon as its line arrives), runs in step,
  -- on this thread: a thread started per batch cost a fifth of a -j 1
  -- run's time, in the kernel and in cold caches (news4's 17094 test
  -- articles, 5 alternated runs: 0.92 s wall, 0.18 s of it system time,
  -- against 0.64 s and 0.06 s).
  local overlap = (opts.threads or 1) ~= 1 and batch_size > 1
  return {
    opts = opts, clf = clf, writer = writer, counter = counter, bar = bar,
    stats = { docs = 0, errors = 0, unread = 0, per_label = {} },
    start = util.now(),
    overlap = overlap,
    -- A model file's records are made by the module, a batch per call,
    -- when batches run in step: no result table per document, the half of
    -- labelling a headline that was not the core's (write_module_records).
    records_format = not overlap and clf.model and not clf.lua and opts.output,
  }
end

--- The bytes a document holds until its record is written: its text, and
-- what its record carries, the cells of -o csv (a CSV input's columns)
-- and the fields of -o jsonl (a text column's cell is the text's string,
-- counted once). Counting the text alone, rows of ten 20 KB columns beside
-- a 2 KB text filled 1024-document batches of 200 MB.
function M.held_bytes(doc)
  local text = doc.text
  local bytes = text and #text or 0
  if doc.cells then
    for _, cell in ipairs(doc.cells) do
      if cell ~= text then bytes = bytes + #cell end
    end
  end
  if doc.fields then
    for _, json in pairs(doc.fields) do bytes = bytes + #json end
  end
  return bytes
end

-- Read the documents into batches (at most batch_size documents, or
-- batch_bytes held: held_bytes) and label each.
local function label_all(run, docs, batch_size, batch_bytes)
  local batch, n, bytes = {}, 0, 0
  for doc in docs do
    if doc.unread then run.stats.unread = run.stats.unread + 1 end
    run.writer:fit(doc)
    n = n + 1
    batch[n] = doc
    bytes = bytes + M.held_bytes(doc)
    if n >= batch_size or bytes >= batch_bytes then
      flush_batch(run, batch, n)
      batch, n, bytes = {}, 0, 0
    end
  end
  if n > 0 then flush_batch(run, batch, n) end
  if run.pending then write_batch(run, run.pending) end
end

function M.run(opts, operands)
  check_header_options(opts)
  if #operands == 0 then operands = { "-" } end
  local n_stdin = inputs.count_stdin(operands)

  local clf = classifier.open(opts)

  inputs.note_terminal_stdin(operands, "articles", "one per line")
  local sources = inputs.sources(operands, false)
  warn_unread_outputs(sources)
  local batch_size, batch_bytes = batch_defaults(opts, n_stdin > 0 and inputs.stdin_is_stream())
  local total = inputs.total_size(sources)
  local bar = progress.new({ total = total, quiet = opts.quiet })
  local out = io.stdout
  local writer = open_writer(opts, sources, out)
  local docs, counter = inputs.documents(sources, read_options(opts, writer))

  local run = new_run(opts, clf, writer, counter, bar, batch_size)
  label_all(run, docs, batch_size, batch_bytes)
  bar:finish()
  util.flush(out)

  util.note("%s", summarise(run.stats, util.now() - run.start))
  return (run.stats.errors > 0 and not opts.exit_zero) and util.EXIT_FAIL or util.EXIT_OK
end

return M
