-- textclass.cli.eval - `textclass eval`: how good is a model on labelled data.
--
-- Streams the labelled documents in batches through the classifier (a
-- model file or a Lua classifier), accumulates the figures in a
-- tc.metrics object (the code behind tc.evaluate too), and prints them as
-- aligned tables or, with --json, as one JSON object. --errors FILE writes every misclassified
-- document (predicted label set differs from the gold set) as JSONL,
-- atomically: FILE appears when the run ends, and a failed run leaves it
-- as it was.
-- Unreadable records are reported as FILE:LINE: problem (FILE:LINE (id X):
-- problem for a record with an id) and make the exit status 1; the
-- figures cover the others.

local tc = require "textclass"
local util = require "textclass.cli.util"
local inputs = require "textclass.cli.inputs"
local labelled = require "textclass.cli.labelled"
local progress = require "textclass.cli.progress"
local records = require "textclass.cli.records"
local classifier = require "textclass.cli.classifier"
local report = require "textclass.cli.report"
local train = require "textclass.cli.train"
local writers = require "textclass.cli.writers"

local M = {}

M.spec = {
  name = "eval",
  synopsis = "[-m MODEL | -c CLASSIFIER.lua] [options] DATA ...",
  summary = "Measure a model on labelled data: accuracy, per-label precision, recall, F1\n" ..
            "and support, macro and micro F1, and a confusion matrix (past 20 columns,\n" ..
            "its 20 largest cells off the diagonal).",
  description = "DATA is read as by 'textclass train' (JSONL, CSV, fastText lines, label folders).",
  options = train.with_data_options({
    classifier.MODEL_OPTION,
    classifier.CLASSIFIER_OPTION,
    { long = "json", help = "print the figures as one JSON object" },
    { long = "errors", arg = "FILE", help = "write misclassified documents to FILE (JSONL; the file appears whole at the end)" },
    { short = "t", long = "threshold", arg = "X", type = "number", min = 0, max = 1,
      help = "score a label needs, for multi-label models (default: the model's)" },
    { long = "thresholds", arg = "X,Y,...", type = "numbers", min = 0, max = 1,
      help = "also score a multi-label model at each of these thresholds (from the same scores)" },
    { short = "j", long = "threads", arg = "N", type = "integer", min = 0, max = classifier.MAX_THREADS, help = "prediction threads; 0 = one per core [1]" },
    { short = "b", long = "batch", arg = "N", type = "integer", min = 1, max = 1000000, default = 256,
      help = "documents per batch" },
    util.QUIET_OPTION,
  }),
  examples =
    "  textclass eval -m my.model test.jsonl\n" ..
    "  textclass eval --json --errors wrong.jsonl test.jsonl | jq .macro_f1\n" ..
    "  textclass eval -m tags.model --thresholds 0.3,0.4,0.5,0.6 held-out.jsonl\n",
}

-- For gold labels the classifier cannot give: when one is the
-- classifier's labels joined by ';' or '|' ('tech;cyber', as a spreadsheet
-- writes a cell of two topics), how several gold labels are written.
local function joined_hint(unknown, labels)
  local known = {}
  for _, l in ipairs(labels) do known[l] = true end
  for _, name in ipairs(unknown) do
    local parts = train.joined_parts(name, known)
    if parts then
      return string.format("; '%s' is read as one label: several labels are '%s' in a CSV cell, a JSON " ..
                           "array in JSONL", name, table.concat(parts, ","))
    end
  end
  return ""
end

-- Labels the classifier gave that no document of the data has (a test
-- split without a label's stories): each has F1 0, which macro F1 counts,
-- so the figure falls far below what the per-label table shows. Warns with
-- the macro F1 over the labels the data has.
local function note_absent_labels(r)
  local absent, predicted, f1_sum, present = {}, 0, 0, 0
  for _, l in ipairs(r.labels) do
    local p = r.per_label[l]
    if p.support > 0 then
      f1_sum, present = f1_sum + p.f1, present + 1
    elseif p.fp > 0 then
      absent[#absent + 1], predicted = l, predicted + p.fp
    end
  end
  if #absent == 0 or present == 0 then return end
  local one = #absent == 1
  util.note("label%s %s %s no document in the data but %s predicted %d time%s: %s F1, 0, " ..
            "counts in macro F1 (%.4f; %.4f over the %d label%s the data has)",
            one and "" or "s", util.name_list(absent), one and "has" or "have", one and "was" or "were",
            predicted, predicted == 1 and "" or "s", one and "its" or "their",
            r.macro_f1, f1_sum / present, present, present == 1 and "" or "s")
end

-- The --errors file (tc.atomic_file): it appears whole when the run ends
-- well; a failed run leaves a previous file as it was, its temporary
-- dropped when errors_out goes out of scope.
local function open_errors(path)
  local f, err = tc.atomic_file(path)
  if not f then util.fail("--errors: %s", err) end
  return f
end

-- A misclassified document's --errors record, one JSONL line: where it
-- is, its gold and predicted labels, and its scores as label's JSONL
-- records give them (best first, "%.4f": full precision there said more
-- than the scores mean, in another order).
local function error_record(d, res)
  local names = res.ranked or classifier.ranked_names(res.scores)
  return '{"id":' .. util.json(d.id) .. ',"where":' .. util.json(d.where) ..
    ',"gold":' .. util.json(setmetatable(d.labels, util.ARRAY)) ..
    ',"predicted":' .. util.json(setmetatable(res.labels, util.ARRAY)) ..
    ',"scores":' .. writers.json_scores(names, res.scores) .. ',"text":' .. util.json(d.text) .. "}\n"
end

-- Per-label F1 columns in the --thresholds table up to this many labels
-- (a wider table would not fit a screen; --json has every label's).
local MAX_F1_COLUMNS = 6

-- Each document's labels at threshold t, from the batch's results (nil
-- for a document that failed). A model's are chosen again from the
-- scores it gave (model:choose_labels, the core's own rule: a document's
-- scores do not depend on the threshold), so the batch is classified
-- once; a Lua classifier chooses its labels itself, given the threshold
-- (opts.threshold), so it classifies the batch again at each.
local function labels_at(clf, t, texts, results, threads)
  local out = {}
  if clf.model then
    for j, res in ipairs(results) do
      if not res.error then out[j] = clf.model:choose_labels(res.scores, t) end
    end
  else
    for j, res in ipairs(clf:classify(texts, threads, nil, t)) do
      if not res.error then out[j] = res.labels end
    end
  end
  return out
end

-- --thresholds: an accumulator for each threshold; add(texts, docs,
-- results) counts a batch's documents at each (a document that failed is
-- left out, as it failed at every threshold); rows() gives the figures,
-- as report.thresholds takes them.
local function threshold_sweep(clf, opts, labels)
  local accs = {}
  for i = 1, #opts.thresholds do accs[i] = tc.metrics(labels) end
  local sweep = {}
  function sweep.add(texts, docs, results)
    for i, t in ipairs(opts.thresholds) do
      local chosen = labels_at(clf, t, texts, results, opts.threads)
      for j, d in ipairs(docs) do
        if chosen[j] then accs[i]:add(d.labels, chosen[j]) end
      end
    end
  end
  function sweep.rows()
    local rows = {}
    for i, t in ipairs(opts.thresholds) do
      local r = accs[i]:result()
      local f1 = {}
      for l, p in pairs(r.per_label) do f1[l] = p.f1 end
      rows[i] = { threshold = t, accuracy = r.accuracy, micro_f1 = r.micro_f1, macro_f1 = r.macro_f1,
                  exact_match = r.exact_match, f1 = f1 }
    end
    return rows
  end
  return sweep
end

-- The sources of the DATA operands, refused when there are none, when
-- --input cannot mean them or when they read one file twice.
local function labelled_sources(operands, opts)
  if #operands == 0 then util.usage_error("no DATA given (files, folders, or - for JSONL on stdin)") end
  inputs.count_stdin(operands)
  inputs.check_labelled_operands(operands, opts.input)
  local sources = inputs.sources(operands, true)
  inputs.check_repeated_sources(sources)
  return sources
end

-- Refuse --errors - ("-" is stdin or stdout everywhere else: not a file to
-- be made here).
local function check_errors_dash(opts)
  if opts.errors == "-" then
    util.usage_error("--errors -: the misclassified documents go to a file, not to stdout, which has the figures " ..
                     "(name one, or ./- for a file named -)")
  end
end

-- Refuse --thresholds for a multi-class model, and an --errors file that
-- is an input, the model or stdout.
local function check_classifier_options(opts, clf, multiclass_model, sources)
  if opts.thresholds and multiclass_model then
    util.usage_error("--thresholds: %s is a multi-class model, which always chooses its top label " ..
                     "(thresholds are for models trained with --multilabel)", clf.name)
  end
  if opts.errors then
    util.refuse_input_as_output("--errors", opts.errors, sources, clf.path)
    util.refuse_stdout_as_output("--errors", opts.errors, "the figures")
  end
end

-- The state of an evaluation of clf on the sources: its figures (acc),
-- the --thresholds sweep, the documents (docs, read with counter), the
-- records that could not be evaluated (bad, and missing: those of them
-- without a field or column; n_unread: those of inputs that could not be
-- read) and the counts.
local function new_evaluation(opts, clf, multiclass_model, sources, errors_out)
  local ev = { opts = opts, clf = clf, errors_out = errors_out, bad = {}, missing = labelled.missing_tally(),
               n_wrong = 0, multilabel = false, n_records = 0, n_unread = 0, n_read = 0, n_scored = 0 }
  ev.acc = tc.metrics(clf:labels())
  ev.bar = progress.new({ total = inputs.total_size(sources), quiet = opts.quiet })
  local read = inputs.read_options(opts)
  read.multilabel = true   -- gold label sets of any size are scored
  -- ... but an empty one only where the classifier can answer with none: a
  -- multi-label model, or a Lua classifier (a multi-class model always gives
  -- one label, so such a document could never be right)
  ev.empty_gold_ok = not multiclass_model
  -- that one label is the best: asking for it alone spares each document
  -- a score and a rank for every label in its result (a model of 5,000
  -- labels on 15,000 documents: 41 s, now 4.6 s); --errors writes them all,
  -- and --thresholds (never for such a model) chooses labels from them all
  ev.top = multiclass_model and not opts.errors and 1 or nil
  ev.sweep = opts.thresholds and threshold_sweep(clf, opts, clf:labels())
  ev.docs, ev.counter = inputs.labelled(sources, read)
  return ev
end

-- Whether the predicted labels are the gold ones, as sets.
local function same_labels(gold, predicted)
  if #predicted ~= #gold then return false end
  local g = {}
  for _, l in ipairs(gold) do g[l] = true end
  for _, l in ipairs(predicted) do if not g[l] then return false end end
  return true
end

-- Count document d's result res in the figures; a misclassified one's
-- --errors record goes into `wrong`.
local function score_document(ev, d, res, wrong)
  if #res.labels > 1 or #d.labels > 1 then ev.multilabel = true end
  ev.acc:add(d.labels, res.labels)
  ev.n_scored = ev.n_scored + 1
  if not same_labels(d.labels, res.labels) then
    ev.n_wrong = ev.n_wrong + 1
    if ev.errors_out then wrong[#wrong + 1] = error_record(d, res) end
  end
end

-- Classify a batch of documents and score each (one the classifier fails
-- is a bad record); its --errors records are written with one call.
local function run_batch(ev, batch)
  ev.n_read = ev.n_read + #batch
  local texts = {}
  for i, d in ipairs(batch) do texts[i] = d.text end
  local results = ev.clf:classify(texts, ev.opts.threads, ev.top)
  if ev.sweep then ev.sweep.add(texts, batch, results) end
  local wrong = {}
  for i, d in ipairs(batch) do
    local res = results[i]
    if res.error then ev.bad[#ev.bad + 1] = records.named(d) .. ": " .. res.error
    else score_document(ev, d, res, wrong) end
  end
  if #wrong > 0 then
    local ok, err = ev.errors_out:write(table.concat(wrong))
    if not ok then util.fail("--errors: %s", err) end
  end
  ev.bar:update(ev.counter.bytes, ev.n_scored)
end

-- Read every document and score it, in batches of --batch; a record that
-- failed, or that has no label where the classifier always gives one, is
-- a bad record.
local function evaluate_all(ev)
  local bad, batch = ev.bad, {}
  for doc in ev.docs do
    ev.n_records = ev.n_records + 1
    if doc.unread then ev.n_unread = ev.n_unread + 1 end
    ev.missing.add(doc)
    if doc.error then bad[#bad + 1] = records.named(doc) .. ": " .. doc.error
    elseif #doc.labels == 0 and not ev.empty_gold_ok then
      bad[#bad + 1] = records.named(doc) .. ": no label (" .. ev.clf.name .. " is a multi-class model: each document needs one)"
    else
      batch[#batch + 1] = doc
      if #batch >= ev.opts.batch then run_batch(ev, batch); batch = {} end
    end
  end
  if #batch > 0 then run_batch(ev, batch) end
  ev.bar:finish()
end

-- The records that could not be evaluated, and apart from them the inputs
-- that could not be read, as the closing line counts them: `bad` says the
-- records' count ("%d bad record%s"), followed by ev.lacking when most
-- records lack a field or column.
local function count_bad(ev, bad)
  local n_bad = #ev.bad - ev.n_unread
  return util.failed_and_unread(n_bad, string.format(bad, n_bad, n_bad == 1 and "" or "s") ..
                                       (ev.lacking and ", " .. ev.lacking or ""), ev.n_unread)
end

-- Fail when no document was scored; else make the --errors file appear.
-- When most records lack a field or column, which (ev.lacking) is said
-- with the failure or the count of bad records.
local function finish_evaluation(ev)
  train.report_bad(ev.bad)
  ev.lacking = ev.missing.note(#ev.bad - ev.n_unread, ev.n_records - ev.n_unread)
  if ev.n_scored == 0 and ev.n_read > 0 then
    util.fail("the classifier failed on every document read (%d)", ev.n_read)
  end
  if ev.n_scored == 0 then
    util.fail("no labelled documents to evaluate%s",
              (ev.lacking or ev.n_unread > 0) and ": " .. count_bad(ev, "%d bad record%s") or "")
  end
  if ev.errors_out then
    local ok, err = ev.errors_out:commit()
    if not ok then util.fail("--errors: %s", err) end
  end
end

-- Gold labels the classifier cannot give (another model's labels, or the
-- wrong --label-field): their documents are never right, which the
-- figures alone do not explain.
local function note_unknown_labels(unknown, clf)
  if #unknown > 0 then
    util.note("gold label%s %s %s not among the classifier's labels (%s): %s documents are never right%s",
              #unknown == 1 and "" or "s", util.name_list(unknown), #unknown == 1 and "is" or "are",
              util.name_list(clf:labels()), #unknown == 1 and "its" or "their", joined_hint(unknown, clf:labels()))
  end
end

-- The figures r, as --json or as the report's tables (with the
-- --thresholds table after them), written with one call.
local function write_figures(ev, r)
  local opts, clf, sweep = ev.opts, ev.clf, ev.sweep
  if opts.json then
    r.unknown_labels = #r.unknown_labels > 0 and r.unknown_labels or nil  -- {} would print as an object
    r.errors = #ev.bad - ev.n_unread  -- as the report counts them: records, then inputs
    r.unread = ev.n_unread
    r.misclassified = ev.n_wrong
    r.model = clf.name
    r.thresholds = sweep and setmetatable(sweep.rows(), util.ARRAY)
    util.write(util.json(r), "\n")
    return
  end
  local text = report.evaluation(r, { errors = #ev.bad - ev.n_unread, unread = ev.n_unread,
                                      multilabel = ev.multilabel })
  if sweep then
    local info = clf:info()
    text = text .. "\nat each threshold (--thresholds):\n" ..
      report.thresholds(sweep.rows(), { current = opts.threshold or info and info.threshold,
                                        labels = #r.labels <= MAX_F1_COLUMNS and r.labels or nil })
  end
  util.write(text)
end

function M.run(opts, operands)
  local sources = labelled_sources(operands, opts)
  check_errors_dash(opts)
  local clf = classifier.open(opts)
  local multiclass_model = clf.model and not clf.model:info().multilabel
  check_classifier_options(opts, clf, multiclass_model, sources)
  local errors_out <close> = opts.errors and open_errors(opts.errors)
  inputs.note_terminal_stdin(operands, "labelled records", "one per line")

  local ev = new_evaluation(opts, clf, multiclass_model, sources, errors_out)
  evaluate_all(ev)
  finish_evaluation(ev)
  local r = ev.acc:result()
  note_unknown_labels(r.unknown_labels, clf)
  note_absent_labels(r)
  write_figures(ev, r)
  if #ev.bad > 0 then
    util.warn("%s", count_bad(ev, "%d record%s could not be evaluated"))
    return util.EXIT_FAIL
  end
  return util.EXIT_OK
end

return M
