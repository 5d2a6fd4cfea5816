-- textclass.cli.eval - `textclass eval`: how good is a model on labelled data.
--
-- Streams the labelled documents in batches through the classifier (a
-- model file or a Lua classifier), accumulates the figures of
-- textclass.cli.metrics, and prints them as aligned tables or, with
-- --json, as one JSON object. --errors FILE writes every misclassified
-- document (predicted label set differs from the gold set) as JSONL.
-- Unreadable records are reported as FILE:LINE: problem and make the exit
-- status 1; the figures cover the others.

local util = require "textclass.cli.util"
local inputs = require "textclass.cli.inputs"
local progress = require "textclass.cli.progress"
local classifier = require "textclass.cli.classifier"
local metrics = require "textclass.cli.metrics"
local report = require "textclass.cli.report"
local train = require "textclass.cli.train"

local M = {}

M.spec = {
  name = "eval",
  synopsis = "[-m MODEL | -c CLASSIFIER.lua] [options] DATA ...",
  summary = "Measure a model on labelled data: accuracy, per-label precision, recall, F1\n" ..
            "and support, macro and micro F1, and a confusion matrix.",
  description = "DATA is read as by 'textclass train' (JSONL, CSV, fastText lines, label folders).",
  options = train.with_data_options({
    classifier.MODEL_OPTION,
    classifier.CLASSIFIER_OPTION,
    { long = "json", help = "print the figures as one JSON object" },
    { long = "errors", arg = "FILE", help = "write misclassified documents to FILE (JSONL)" },
    { short = "t", long = "threshold", arg = "X", type = "number", min = 0, max = 1,
      help = "score a label needs (default: the model's)" },
    { short = "j", long = "threads", arg = "N", type = "integer", min = 0, max = classifier.MAX_THREADS, help = "prediction threads [1]" },
    { short = "b", long = "batch", arg = "N", type = "integer", min = 1, max = 1000000, default = 256,
      help = "documents per batch" },
    { short = "q", long = "quiet", help = "no progress bar" },
  }),
  examples =
    "  textclass eval -m my.model test.jsonl\n" ..
    "  textclass eval --json --errors wrong.jsonl test.jsonl | jq .macro_f1\n",
}

function M.run(opts, operands)
  if #operands == 0 then util.usage_error("no DATA given") end
  inputs.count_stdin(operands)

  local clf = classifier.open(opts)
  local errors_out
  if opts.errors then
    local err
    errors_out, err = io.open(opts.errors, "w")
    if not errors_out then util.fail("--errors: %s", err) end
  end

  local acc = metrics.new(clf:labels())
  local sources = inputs.sources(operands, true)
  local bar = progress.new({ total = inputs.total_size(sources), quiet = opts.quiet })
  local read = inputs.read_options(opts)
  read.multilabel = true   -- gold label sets of any size are scored
  local iter, counter = inputs.labelled(sources, read)

  local bad, n_wrong, multilabel = {}, 0, false
  local function run_batch(batch)
    local texts = {}
    for i, d in ipairs(batch) do texts[i] = d.text end
    local results = clf:classify(texts, opts.threads)
    for i, d in ipairs(batch) do
      local res = results[i]
      if res.error then
        bad[#bad + 1] = d.where .. ": " .. res.error
      else
        if #res.labels > 1 or #d.labels > 1 then multilabel = true end
        acc:add(d.labels, res.labels)
        local same = #res.labels == #d.labels
        if same then
          local g = {}
          for _, l in ipairs(d.labels) do g[l] = true end
          for _, l in ipairs(res.labels) do if not g[l] then same = false end end
        end
        if not same then
          n_wrong = n_wrong + 1
          if errors_out then
            util.write_to(errors_out, util.json({ id = d.id, where = d.where, gold = d.labels,
              predicted = res.labels, scores = res.scores, text = d.text }) or "{}", "\n")
          end
        end
      end
    end
    bar:update(counter.bytes, acc.n)
  end

  local batch = {}
  for doc in iter do
    if doc.error then bad[#bad + 1] = doc.where .. ": " .. doc.error
    else
      batch[#batch + 1] = doc
      if #batch >= opts.batch then run_batch(batch); batch = {} end
    end
  end
  if #batch > 0 then run_batch(batch) end
  bar:finish()
  if errors_out then
    local ok, cerr = errors_out:close()
    if not ok then util.fail("--errors: %s: %s", opts.errors, tostring(cerr)) end
  end

  train.report_bad(bad)
  if acc.n == 0 then util.fail("no labelled documents to evaluate") end
  local r = acc:result()
  if opts.json then
    r.errors = #bad
    r.misclassified = n_wrong
    r.model = clf.name
    util.write(util.json(r), "\n")
  else
    util.write(report.evaluation(r, { errors = #bad, multilabel = multilabel }))
  end
  if #bad > 0 then
    util.warn("%d record%s could not be evaluated", #bad, #bad == 1 and "" or "s")
    return util.EXIT_FAIL
  end
  return util.EXIT_OK
end

return M
