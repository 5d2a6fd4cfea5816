-- textclass.cli.train - `textclass train`: a model from labelled data.
--
-- Reads every labelled document (JSONL, CSV, fastText lines, label
-- folders), refuses bad records unless --skip-bad (each reported as
-- FILE:LINE: problem), maps the flags onto tc.train's spec, draws progress
-- on a terminal, prints cross-validation figures when --cv asks, and saves
-- the model with model:save, which replaces OUT atomically: an interrupted
-- run never leaves a half-written model behind.

local util = require "textclass.cli.util"
local inputs = require "textclass.cli.inputs"
local progress = require "textclass.cli.progress"
local labelled = require "textclass.cli.labelled"
local classifier = require "textclass.cli.classifier"
local report = require "textclass.cli.report"
local decode = require "textclass.cli.decode"
local records = require "textclass.cli.records"
local stream = require "textclass.cli.stream"

-- The core's feature and training defaults and grid values, for --help
-- and the messages that name them.
local DEFAULTS = require("textclass").default_options()
local TRAIN_DEFAULTS = require("textclass").default_train_params()
local GRID_VALUES = require("textclass").grid_values()

local M = {}

local MAX_REPORTED = 20   -- bad records listed before "... and N more"
local MAX_STOPWORDS_BYTES = 64 * 1024 * 1024   -- the largest --stopwords FILE read
local MAX_STOPWORDS = 1000000                   -- the most words it may hold (TC_MAX_STOPWORDS)

-- An n-gram range as --help writes it: { 1, 2 } -> "1,2"; false (none) -> "none".
local function range_text(r) return r and r[1] .. "," .. r[2] or "none" end

-- A training default as --help writes it: "[1]" (not "[1.0]"), "[0.5]", "[balanced]".
local function default_text(field)
  local v = TRAIN_DEFAULTS[field]
  return "[" .. (math.type(v) == "float" and string.format("%g", v) or tostring(v)) .. "]"
end

-- The values --grid tries for a training field ("C" or "gamma"), as its
-- messages write them: "0.1, 0.3, 1, 3, 10".
local function grid_text(field)
  local values = {}
  for i, v in ipairs(GRID_VALUES[field]) do values[i] = string.format("%g", v) end
  return table.concat(values, ", ")
end

-- The macro F1 the grid search gave a point ({ C =, gamma =, title_terms =
-- 0 or 1 }), as the model's "grid" metadata holds it: items such as
-- "C=0.1;title_terms=0:0.9424", with ";gamma=0.3" for an RBF kernel (the
-- core writes each value with %g), or nil. An item matches when every
-- value it names is the point's.
local function grid_f1(info, point)
  for item, f1 in tostring(info.grid or ""):gmatch("([^,:]+):([%d.]+)") do
    local matches = true
    for name, value in item:gmatch("([%w_]+)=([^;]+)") do
      if tonumber(value) ~= point[name] then matches = false end
    end
    if matches then return tonumber(f1) end
  end
  return nil
end

-- The grid point a model was trained at, as grid_f1 takes it.
local function chosen_point(info)
  local options = type(info.options) == "table" and info.options or {}
  return { C = info.C, gamma = info.gamma, title_terms = options.title_terms and 1 or 0 }
end

-- A note when --grid chose the smallest or largest value it tries for
-- field ("C", "gamma") and it scored better than the value next to it:
-- the best may lie beyond, where the grid cannot look, and the user can
-- try a value past it with -C or --gamma. A tie (every C scoring 1.0 on
-- easy data) is no such sign: the search keeps the first of equals.
local function note_grid_edge(info, field, flag)
  local values, chosen = GRID_VALUES[field], info[field]
  if type(chosen) ~= "number" then return end
  local edge = chosen == values[1] and "smallest" or chosen == values[#values] and "largest"
  if not edge then return end
  local inward = chosen_point(info)
  inward[field] = edge == "smallest" and values[2] or values[#values - 1]
  local here, there = grid_f1(info, chosen_point(info)), grid_f1(info, inward)
  if here and there and here > there then
    util.note("--grid chose %s %g, the %s it tries (%s): a %s one may do better (try %s with --cv)",
              field, chosen, edge, grid_text(field), edge == "smallest" and "smaller" or "larger", flag)
  end
end

-- "1,2" -> { 1, 2 }; "3" -> { 3, 3 }; for --ngrams and --char-ngrams, whose
-- lengths the core bounds (TC_MAX_WORD_NGRAM 6, TC_MAX_CHAR_NGRAM 10): a
-- longer one is refused here, before the data is read.
local function range_check(allow_none, most)
  return function(v)
    if allow_none and (v == "none" or v == "0") then return false end
    local a, b = v:match("^%s*(%d+)%s*[,:-]%s*(%d+)%s*$")
    if not a then a = v:match("^%s*(%d+)%s*$"); b = a end
    a, b = tonumber(a), tonumber(b)
    if not a or a < 1 or b < a or b > most then
      return nil, "expected MIN,MAX with 1 <= MIN <= MAX <= " .. most .. (allow_none and ", or none" or "")
    end
    return { math.tointeger(a), math.tointeger(b) }
  end
end

-- The largest C, gamma and label weight the core takes (tc_train_params_check).
local MAX_WEIGHT = 1e6

-- "balanced" | "none" | "politics=2,sport=1.5"
local function class_weight_check(v)
  if v == "balanced" or v == "none" then return v end
  local w = {}
  for item in (v .. ","):gmatch("([^,]*),") do
    if util.trim(item) == "" then return nil, string.format("an empty item in '%s'", v) end
    local l, x = item:match("^(.*)=(.*)$") -- the last "=": a label may hold one
    l, x = l and util.trim(l), x and util.trim(x)
    x = x and x:match("^[%d%.eE+-]+$") and tonumber(x)
    if not l or l == "" or not x or x <= 0 or x > MAX_WEIGHT then
      return nil, "expected balanced, none or LABEL=WEIGHT,... with weights above 0 and at most 1e6"
    end
    if w[l] then return nil, string.format("'%s' is given two weights", l) end
    w[l] = x
  end
  return w
end

-- Options shared with eval: how labelled data is read.
M.DATA_OPTIONS = util.concat({
  { short = "i", long = "input", arg = "FORMAT", choices = inputs.LABELLED_FORMATS, default = "auto",
    help = "data format (by extension: .jsonl and .ndjson jsonl, .csv and .tsv csv, folders folder, else fasttext)" },
  { long = "label-field", arg = "NAME", help = "JSONL field holding the label(s) [label, else labels]" },
  { long = "label-column", arg = "NAME|N", help = "CSV column holding the label(s), comma-separated [label, else labels]" },
}, inputs.TEXT_OPTIONS)

--- A command's options: its own list, then the options reading labelled data.
function M.with_data_options(list) return util.concat(list, M.DATA_OPTIONS) end

M.spec = {
  name = "train",
  synopsis = "-o OUT.model [options] DATA ...",
  summary = "Train a model from labelled data and save it to OUT.model (atomically).",
  description =
    "DATA is JSONL ({\"text\": ..., \"label\": \"sport\"} or \"labels\": [...]), CSV with text and\n" ..
    "label (or labels) columns, fastText lines (__label__sport Text ...), a folder\n" ..
    "with one sub-folder per label, or - (JSONL on stdin); UTF-8, or UTF-16 with a\n" ..
    "byte order mark. Bad records are reported as FILE:LINE: problem (FILE:LINE\n" ..
    "(id X): problem for a record with an id) and stop the training unless --skip-bad.",
  options = M.with_data_options({
    { short = "o", long = "output", arg = "OUT.model", help = "where to save the model (required)" },
    { long = "kernel", arg = "KERNEL", choices = { "linear", "rbf" }, help = "SVM kernel (linear or rbf) " .. default_text("kernel") },
    { short = "C", long = "cost", arg = "X", type = "number", above = 0, max = MAX_WEIGHT,
      help = "SVM cost C " .. default_text("C") },
    { long = "gamma", arg = "X", type = "number", above = 0, max = MAX_WEIGHT, help = "RBF kernel width (with --kernel rbf) " .. default_text("gamma") },
    { long = "class-weight", arg = "W", check = class_weight_check,
      help = "balanced, none, or LABEL=WEIGHT,... " .. default_text("class_weight") },
    { long = "ngrams", arg = "MIN,MAX", check = range_check(false, 6),
      help = "word n-gram lengths, at most 6 [" .. range_text(DEFAULTS.ngrams) .. "]" },
    { long = "char-ngrams", arg = "MIN,MAX", check = range_check(true, 10),
      help = "character n-gram lengths, at most 10, e.g. 3,5, or none [" .. range_text(DEFAULTS.char_ngrams) .. "]" },
    { long = "min-df", arg = "N", type = "integer", min = 1, max = 0x7fffffff, help = "keep terms in at least N documents [" .. DEFAULTS.min_df .. "]" },
    { long = "max-features", arg = "N", type = "integer", min = 1, max = 0x7fffffff, help = "keep the N most frequent terms" },
    { long = "stopwords", arg = "LIST", help = "english, none, or FILE with one word per line [" .. DEFAULTS.stopwords .. "]" },
    { long = "stem", arg = "LANG", choices = { "english", "none" },
      help = "reduce words to their stems (english: Snowball's English stemmer) [" .. DEFAULTS.stem .. "]" },
    { long = "title-terms", help = "the title (the text before its first blank line) gives terms of its own too" },
    { long = "strip-boilerplate", help = "drop page furniture (headline and teaser lists, comments, cookie notices) first" },
    { long = "multilabel", help = "documents may have several labels" },
    { short = "t", long = "threshold", arg = "X", type = "number", min = 0, max = 1, words = { "auto" },
      help = "score a label needs (multi-label), or auto: of 0.05, 0.1, ..., 0.95 the one with the best " ..
             "cross-validated micro-F1 (uses --cv K, else 5) " .. default_text("threshold") },
    { long = "fallback", arg = "LABEL", help = "label for documents passing no threshold" },
    { long = "short-features", arg = "N", type = "integer", min = 0, max = 0x7fffffff,
      help = "a story with n < N features has its evidence scaled by sqrt(N/n) before calibration (linear; 0 = off) " .. default_text("short_features") },
    { long = "short-moderation", arg = "C", type = "number", min = 0, max = 1e6,
      help = "with --short-features N, a story with n < N features has its log-odds divided by sqrt(1 + C (N/n - 1)): " ..
             "no near-certain scores from a few words (0 = off) " .. default_text("short_moderation") },
    { long = "cv", arg = "K", type = "integer", min = 2, max = 100,
      help = "K-fold cross-validation: print and store the figures" },
    { long = "grid", help = "choose C (and gamma), and title terms or not, by cross-validation (uses --cv K, else 5; not with -C, --gamma, --title-terms)" },
    { long = "balance-inputs", help = "calibration weighs every DATA input (file, folder, -) the same: for data " ..
                                      "pooled from several publishers, one input each, so that scores are not the largest one's" },
    { long = "seed", arg = "N", type = "integer", min = 0, help = "seed for folds and solvers " .. default_text("seed") },
    { short = "j", long = "threads", arg = "N", type = "integer", min = 0, max = classifier.MAX_THREADS,
      help = "training threads; 0 = one per core " .. default_text("threads") },
    { long = "skip-bad", help = "train on the good records when some are bad" },
    util.QUIET_OPTION,
  }),
  examples =
    "  textclass train -o my.model train.jsonl\n" ..
    "  textclass train -o my.model --cv 5 --char-ngrams 3,5 -C 2 data/   # data/sport/*.txt ...\n" ..
    "  textclass train -o tags.model --multilabel --threshold 0.4 --fallback other tags.jsonl\n" ..
    "  textclass train -o tags.model --multilabel --threshold auto --cv 5 tags.jsonl   # the best CV micro-F1\n",
}

--- Print bad records (at most MAX_REPORTED) on stderr.
function M.report_bad(bad)
  for i = 1, math.min(#bad, MAX_REPORTED) do util.warn("%s", bad[i]) end
  if #bad > MAX_REPORTED then util.warn("... and %d more bad records", #bad - MAX_REPORTED) end
end

-- The words of a --stopwords FILE (one a line; blank lines and # comments
-- skipped), each checked as the module checks a stop word (one token with
-- the default options), so a bad one is named by its line, not by its
-- place in the list. Its head is sniffed as a data file's (NUL bytes in
-- its first 8 KB make it a binary file, not read on), and no more than
-- MAX_STOPWORDS_BYTES of it is read (--stopwords /dev/zero took 7.5 GB).
local function read_stopwords(path)
  local tc = classifier.module()
  local f, err = io.open(path, "rb")
  if not f then util.fail("--stopwords: %s", err) end
  local text, rerr = f:read(stream.HEAD_BYTES)
  if text and not decode.encoding(text) and text:find("\0", 1, true) then
    f:close()
    util.fail("--stopwords %s: %s", path, records.binary_file(text))
  end
  local rest
  if text then rest, rerr = f:read(MAX_STOPWORDS_BYTES + 1 - #text) end
  f:close()
  if rerr then util.fail("--stopwords: %s: %s", path, rerr) end
  if rest and #text + #rest > MAX_STOPWORDS_BYTES then
    util.fail("--stopwords %s: larger than %d bytes (64 MiB), the most a stop-word file is read", path, MAX_STOPWORDS_BYTES)
  end
  text = (text or "") .. (rest or "")
  -- as the data files are read: a UTF-8 mark dropped (else the first word
  -- kept it and never matched), UTF-16 with its mark converted
  local encoding = decode.encoding(text)
  if encoding == "UTF-16LE" or encoding == "UTF-16BE" then
    local dec = tc.utf16_decoder(encoding == "UTF-16LE" and "le" or "be")
    text = dec:convert(text:sub(3), true)
    if dec:invalid() then util.fail("--stopwords %s: invalid UTF-16", path) end
  elseif encoding then
    util.fail("--stopwords %s: %s", path, decode.UTF32)
  elseif text:sub(1, 3) == "\239\187\191" then
    text = text:sub(4)
  end
  local words, n = {}, 0
  for line in (text .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    local w = util.trim(line)
    if w ~= "" and w:sub(1, 1) ~= "#" then
      local valid, pos = tc.check_utf8(w)
      if not valid then util.fail("--stopwords %s:%d: invalid UTF-8 at byte %d", path, n, pos) end
      if w:find("\0", 1, true) then util.fail("--stopwords %s:%d: a NUL byte", path, n) end
      local k = #tc.tokenize(w, { stopwords = false })
      if k ~= 1 then
        util.fail("--stopwords %s:%d: '%s' makes %d words, not one (one stop word a line)", path, n, w, k)
      end
      words[#words + 1] = w
      if #words > MAX_STOPWORDS then
        util.fail("--stopwords %s:%d: more than %d stop words, the most a model takes", path, n, MAX_STOPWORDS)
      end
    end
  end
  return words
end

-- The flag behind each tc.train spec field, for error messages.
local FLAG_OF = {
  kernel = "--kernel", C = "-C", gamma = "--gamma", class_weight = "--class-weight",
  threshold = "--threshold", fallback = "--fallback", short_features = "--short-features",
  short_moderation = "--short-moderation", ngrams = "--ngrams",
  char_ngrams = "--char-ngrams", min_df = "--min-df", max_features = "--max-features",
  stopwords = "--stopwords", stem = "--stem", title_terms = "--title-terms", strip_boilerplate = "--strip-boilerplate", cv = "--cv",
  grid = "--grid", seed = "--seed", threads = "--threads", multilabel = "--multilabel",
  labels = "the training data", sources = "--balance-inputs",
}

-- The flag that asks for cross-validation without --cv (--grid, or
-- --threshold auto: 5 folds then), or nil.
local function folds_flag(opts)
  return opts.grid and "--grid" or opts.threshold == "auto" and "--threshold auto" or nil
end

-- Build tc.train's spec from the flags (stopwords: the words of a
-- --stopwords FILE, read before the data; inputs: each text's DATA operand).
local function build_spec(opts, texts, labels, inputs_of, stopwords)
  local spec = { texts = texts, labels = labels }
  spec.sources = opts.balance_inputs and inputs_of or nil
  spec.multilabel = opts.multilabel or nil
  spec.kernel = opts.kernel
  spec.C = opts.cost
  spec.gamma = opts.gamma
  spec.class_weight = opts.class_weight
  spec.threshold = opts.threshold
  spec.fallback = opts.fallback
  spec.short_features = opts.short_features
  spec.short_moderation = opts.short_moderation
  spec.ngrams = opts.ngrams
  if opts.char_ngrams ~= nil then spec.char_ngrams = opts.char_ngrams or nil end
  spec.min_df = opts.min_df
  spec.max_features = opts.max_features
  if opts.stopwords == "english" then spec.stopwords = "english"
  elseif opts.stopwords == "none" then spec.stopwords = false
  elseif opts.stopwords then spec.stopwords = stopwords end
  spec.stem = opts.stem
  spec.title_terms = opts.title_terms or nil
  spec.strip_boilerplate = opts.strip_boilerplate or nil
  spec.cv = opts.cv or (folds_flag(opts) and 5)
  spec.grid = opts.grid or nil
  spec.seed = opts.seed
  spec.threads = opts.threads
  return spec
end

-- What to do about n_bad bad records beside n_good good ones (several: one
-- was refused for its several labels): " (fix them, or use --skip-bad)";
-- without --skip-bad when none is good, as skipping them leaves nothing.
local function bad_records_advice(n_bad, n_good, several)
  local ways = { n_bad == 1 and "fix it" or "fix them" }
  if several then ways[#ways + 1] = "train with --multilabel if a document may have several labels" end
  if n_good > 0 then ways[#ways + 1] = "use --skip-bad" end
  return string.format("%s (%s)", n_good == 0 and " and no good one" or "",
                       table.concat(ways, ", ", 1, #ways - 1) .. (#ways > 1 and ", or " or "") .. ways[#ways])
end

-- The training data, as the arrays tc.train takes: texts, labels (a
-- string each, or an array with --multilabel), the label names in order
-- of appearance, the documents of each label by name, how many records
-- were bad and, apart from them, how many inputs could not be read, and
-- with --balance-inputs each text's DATA operand.
-- Records that cannot be used, and such inputs, are reported (they fail
-- the run without --skip-bad).
-- Only texts and labels are kept as the records come: a record's table
-- (its id, place and labels) takes more memory than a short text, and a
-- million of them 360 MB.
local function collect(operands, sources, opts)
  local bar = progress.new({ total = inputs.total_size(sources), quiet = opts.quiet,
                             label = string.format("%-10s ", "reading") })
  local texts, labels, names, count, bad = {}, {}, {}, {}, {}
  local inputs_of = opts.balance_inputs and {} or nil
  local unread = 0 -- of the bad records, those of inputs that could not be read
  local several = false -- a record was refused for its several labels
  local missing = labelled.missing_tally()
  local iter, counter = inputs.labelled(sources, inputs.read_options(opts))
  for doc in iter do
    -- a multi-class model needs exactly one label per document
    local problem = doc.error or (not opts.multilabel and labelled.label_count_problem(doc.labels, "--multilabel"))
    if problem then
      several = several or (not doc.error and #doc.labels > 1)
      if doc.unread then unread = unread + 1 end
      missing.add(doc)
      bad[#bad + 1] = records.named(doc) .. ": " .. problem
    else
      local i = #texts + 1
      texts[i] = doc.text
      labels[i] = opts.multilabel and doc.labels or doc.labels[1]
      if inputs_of then inputs_of[i] = doc.operand end
      for _, l in ipairs(doc.labels) do
        if not count[l] then count[l] = 0; names[#names + 1] = l end
        count[l] = count[l] + 1
      end
    end
    if (#texts + #bad) % 256 == 0 then bar:update(counter.bytes, #texts + #bad) end
  end
  bar:finish()
  local n_bad = #bad - unread
  local lacking = missing.note(n_bad, n_bad + #texts)
  local bad_records = string.format("%d bad record%s", n_bad, n_bad == 1 and "" or "s")
  local lacking_note = lacking and ", " .. lacking or ""
  if #bad > 0 then
    M.report_bad(bad)
    if not opts.skip_bad then
      util.fail("%s%s", util.failed_and_unread(n_bad, bad_records .. " in the training data" .. lacking_note, unread),
                lacking and "" or bad_records_advice(#bad, #texts, several))
    end
  end
  if #texts == 0 then
    util.fail("no training documents in %s%s", table.concat(operands, ", "),
              (lacking or unread > 0) and ": " .. util.failed_and_unread(n_bad, bad_records .. lacking_note, unread) or "")
  end
  return texts, labels, names, count, n_bad, unread, inputs_of
end

-- The fields or columns the labels of `sources` were read from, as a
-- message names them: "'headline'" (a CSV header's name for its label
-- column, given by number too; its control characters escaped),
-- "'labels' or 'topic'"; "'label' or 'labels'", the JSONL defaults, when
-- no source notes one (src.label_key).
local function label_keys_named(sources)
  local seen, named = {}, {}
  for _, src in ipairs(sources) do
    local key = src.label_key
    if key and not seen[key] then
      seen[key] = true
      named[#named + 1] = "'" .. util.escape_controls(key) .. "'"
    end
  end
  return #named > 0 and table.concat(named, " or ") or "'label' or 'labels'"
end

-- Warn, before the work starts, when most of 100 or more labels have one
-- document each: a text column taken for the label, say. Training fits one
-- SVM per label over every document, so its time and memory grow as labels
-- x documents (4,000 such documents: 20 s and 530 MB, growing with the
-- square of the count).
local MANY_LABELS = 100
local function warn_many_labels(sources, labels, names, count)
  if #names < MANY_LABELS then return end
  local single = 0
  for _, name in ipairs(names) do if count[name] == 1 then single = single + 1 end end
  if single * 2 <= #names then return end
  util.note("%d labels for %d documents, %d of them on one document only: training fits one SVM a label " ..
            "over every document (time and memory grow as labels x documents); is %s the right label " ..
            "field or column (--label-field, --label-column)?",
            #names, #labels, single, label_keys_named(sources))
end

-- Warn when labels differ only in case or Unicode form ('Sport' and
-- 'sport', 'café' composed and decomposed): each is trained as a label of
-- its own, which the data hardly means, and the last pair prints alike.
local MAX_ALIKE = 5   -- groups named before "... and N more"
local function warn_alike_labels(names)
  local tc = classifier.module()
  local groups, order = {}, {}
  for _, name in ipairs(names) do
    local key = tc.normalize(name)
    if not groups[key] then groups[key] = {}; order[#order + 1] = key end
    table.insert(groups[key], "'" .. name .. "'")
  end
  local alike = {}
  for _, key in ipairs(order) do
    if #groups[key] > 1 then alike[#alike + 1] = table.concat(groups[key], " and ") end
  end
  if #alike == 0 then return end
  util.note("labels %s differ only in case or Unicode form: each is trained as a label of its own%s",
            table.concat(alike, ", ", 1, math.min(#alike, MAX_ALIKE)),
            #alike > MAX_ALIKE and string.format(" (and %d more such groups)", #alike - MAX_ALIKE) or "")
end

-- Warn when a label is other labels joined by ';' or '|' ('tech;cyber'
-- beside 'tech' and 'cyber'), as spreadsheets write a cell of several
-- values: several labels are comma-separated (a JSON array in JSONL), so
-- it is trained as a label of its own, with --multilabel or without.
local JOINERS = { ";", "|" }

--- The labels name joins with one of JOINERS, each in the set `known`
-- (two or more), or nil (eval's hint on gold labels asks it too).
function M.joined_parts(name, known)
  for _, joiner in ipairs(JOINERS) do
    local parts = {}
    for part in (name .. joiner):gmatch("(.-)%" .. joiner) do
      part = part:match("^%s*(.-)%s*$")
      if not known[part] then parts = nil; break end
      parts[#parts + 1] = part
    end
    if parts and #parts > 1 then return parts end
  end
end

local function warn_joined_labels(names)
  local known = {}
  for _, name in ipairs(names) do known[name] = true end
  local joined, example = {}, nil
  for _, name in ipairs(names) do
    local parts = M.joined_parts(name, known)
    if parts then
      joined[#joined + 1] = "'" .. name .. "'"
      example = example or table.concat(parts, ",")
    end
  end
  if #joined == 0 then return end
  util.note("label%s %s join%s other labels: each is trained as a label of its own; several labels " ..
            "are '%s' in a CSV cell, a JSON array in JSONL, with --multilabel",
            #joined == 1 and "" or "s", table.concat(joined, ", ", 1, math.min(#joined, MAX_ALIKE)) ..
            (#joined > MAX_ALIKE and string.format(" (and %d more)", #joined - MAX_ALIKE) or ""),
            #joined == 1 and "s" or "", example)
end

-- Refuse, before any training, an OUT that saving cannot take (a device, a
-- FIFO or a folder, which the atomic save refuses) or reach (a missing
-- folder): the save would say so only after the work is done.
local function check_output(path)
  local lfs = require "lfs"
  -- "-" is stdin or stdout everywhere else: not a file to be made here
  if path == "-" then util.usage_error("-o -: a model is saved to a file, not to stdout (name one, or ./- for a file named -)") end
  local mode = lfs.attributes(path, "mode")
  if mode and mode ~= "file" then
    util.fail("-o %s: it is a %s, not a model file", path, mode)
  end
  local dir = path:match("^(.*)/[^/]*$")
  if dir == "" then dir = "/" end
  local dir_mode = dir and lfs.attributes(dir, "mode")
  if dir and not dir_mode then util.fail("-o %s: no folder %s", path, dir) end
  -- (a file given as a folder: m.model/x, or m.model/ for m.model)
  if dir and dir_mode ~= "directory" then
    util.fail("-o %s: %s is a %s, not a folder", path, dir, dir_mode)
  end
  -- a folder the save cannot write in: the temporary file it would make
  local probe, err = classifier.module().atomic_file(path)
  if not probe then util.fail("-o %s: %s", path, err) end
  probe:discard()
end

-- Refuse cross-validation with more folds than documents (the module's
-- message names its own field, not the flag).
local function check_folds(opts, n)
  local k = opts.cv or (folds_flag(opts) and 5)
  if k and k > n then
    util.fail("%s: %d folds need at least %d training documents (there are %d)%s",
      opts.cv and ("--cv " .. k) or folds_flag(opts), k, k, n, opts.cv and "" or "; give fewer with --cv K")
  end
end

-- Why training failed, in the flags: the core says "vocabulary: no term
-- survives min_df/max_df/max_features" (its spec fields; no flag sets
-- max_df) when every term of the data (a cross-validation fold's part of
-- it) is a stop word or in too few documents, as in a small data set.
-- (the defaults are the core's, as --help gives them; with --stopwords
-- none no word is a stop word.)
local function training_failure(msg, opts)
  local stopwords, min_df = opts.stopwords or DEFAULTS.stopwords, opts.min_df or DEFAULTS.min_df
  local word = stopwords == "none" and "word" or "word that is not a stop word (--stopwords " .. stopwords .. ")"
  return (msg:gsub("vocabulary: no term survives [%w_/]+", function()
    if min_df == 1 then return "no term to train on: the texts hold no " .. word end
    return string.format("no term to train on: no %s is in --min-df %d documents or more " ..
                         "(a lower --min-df keeps rarer ones)", word, min_df)
  end))
end

function M.run(opts, operands)
  if not opts.output then util.usage_error("-o OUT.model is required") end
  if opts.fallback == "" then util.usage_error("--fallback: empty label") end
  if opts.fallback and opts.fallback:find(",", 1, true) then
    util.usage_error("--fallback %s: a label cannot hold a comma (the outputs put commas between labels)", opts.fallback)
  end
  if opts.fallback and not opts.multilabel then
    util.usage_error("--fallback only applies to --multilabel models")
  end
  -- a multi-class model always chooses its top label: a threshold stored
  -- in it would be shown by info and never used
  if opts.threshold and not opts.multilabel then
    util.usage_error("--threshold only applies to --multilabel models")
  end
  -- the linear kernel has no gamma: the value would be ignored without a word
  if opts.gamma and opts.kernel ~= "rbf" then
    util.usage_error("--gamma only applies to --kernel rbf")
  end
  -- the short-story rule scales a linear sum's evidence (textclass.h, short_features)
  if opts.short_features and opts.short_features > 0 and opts.kernel == "rbf" then
    util.usage_error("--short-features only applies to --kernel linear")
  end
  -- the moderation is of the rule's scaled scores: without the rule it has none to moderate
  if opts.short_moderation and opts.short_moderation > 0 and not (opts.short_features and opts.short_features > 0) then
    util.usage_error("--short-moderation needs --short-features N")
  end
  -- so would -C and --gamma with --grid, which chooses them itself
  if opts.grid and opts.cost then
    util.usage_error("-C and --grid: --grid chooses C itself (from " .. grid_text("C") .. "); give one or the other")
  end
  if opts.grid and opts.title_terms then
    util.usage_error("--title-terms and --grid: --grid tries title terms off and on and keeps the better; give one or the other")
  end
  if opts.grid and opts.gamma then
    util.usage_error("--gamma and --grid: --grid chooses gamma itself (from " .. grid_text("gamma") .. "); give one or the other")
  end
  check_output(opts.output)
  util.refuse_stdin_name("--stopwords", opts.stopwords, "a stop-word list")
  if #operands == 0 then util.usage_error("no DATA given (files, folders, or - for JSONL on stdin)") end
  if opts.balance_inputs and #operands < 2 then
    util.usage_error("--balance-inputs weighs each DATA input alike: give two or more (one per source), not %d", #operands)
  end
  inputs.count_stdin(operands)
  inputs.check_labelled_operands(operands, opts.input)
  local sources = inputs.sources(operands, true)
  inputs.check_repeated_sources(sources)
  local stopwords_file = opts.stopwords ~= "english" and opts.stopwords ~= "none" and opts.stopwords or nil
  util.refuse_input_as_output("-o", opts.output, sources, stopwords_file)
  if opts.cv or folds_flag(opts) then util.refuse_stdout_as_output("-o", opts.output, "the cross-validation figures") end
  local tc = classifier.module()
  local start = util.now()
  local stopwords = stopwords_file and read_stopwords(stopwords_file)
  inputs.note_terminal_stdin(operands, "labelled records", "one per line")

  local texts, labels, names, count, skipped, unread, inputs_of = collect(operands, sources, opts)
  if #names < 2 and not opts.multilabel then
    util.fail("the training data has one label only (%s); a classifier needs at least two", names[1] or "none")
  end
  check_folds(opts, #texts)
  warn_many_labels(sources, labels, names, count)
  warn_alike_labels(names)
  warn_joined_labels(names)

  local spec = build_spec(opts, texts, labels, inputs_of, stopwords)
  local bar, stage_now
  -- a progress function even with -q: the core calls it as it goes, and
  -- Ctrl-C takes effect only when Lua code runs (without one, a quiet
  -- training went on to its end before stopping)
  spec.progress = function(stage, done, total)
    if opts.quiet then return end
    if stage ~= stage_now then
      if bar then bar:finish() end
      stage_now = stage
      bar = progress.new({ total = total, label = string.format("%-10s ", stage) })
    end
    if bar then bar.total = total; bar:update(done) end
  end
  local ok, model, err = pcall(tc.train, spec)
  if bar then bar:finish() end
  if not ok then util.unless_interrupt(model) end
  if not ok then
    -- the module raises for a bad spec; every field came from a flag, so
    -- name the flag and call it a usage error
    local msg = tostring(model)
    local inner = msg:match("^bad argument #1 to '[^']*' %((.*)%)$")
    if inner then
      inner = inner:gsub("spec%.([%w_]+)", function(f) return FLAG_OF[f] or ("spec." .. f) end)
      util.usage_error("%s", inner)
    end
    util.fail("training failed: %s", training_failure(msg:gsub("^[^:\n]*:%d+: ", ""), opts))
  end
  if not model then util.fail("training failed: %s", training_failure(tostring(err), opts)) end

  local saved, serr = model:save(opts.output)
  if not saved then util.fail("cannot save the model: %s", tostring(serr)) end

  if spec.cv then
    local info = model:info()
    util.write(report.cv_figures(info, spec.cv))
    local edge = report.threshold_edge_note(info)
    if edge then util.note("%s", edge) end
    if spec.grid then
      note_grid_edge(info, "C", "-C")
      if info.kernel == "rbf" then note_grid_edge(info, "gamma", "--gamma") end
    end
  end
  util.note("trained on %d documents%s, %d labels (%s) in %s; saved %s", #texts,
    (skipped > 0 or unread > 0) and " (" .. util.failed_and_unread(skipped,
      string.format("%d bad record%s skipped", skipped, skipped == 1 and "" or "s"), unread) .. ")" or "",
    #names, util.name_list(names), util.fmt_duration(util.now() - start), opts.output)
  if model.close then model:close() end
  return util.EXIT_OK
end

return M
