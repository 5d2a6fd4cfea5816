-- textclass.cli.explain - `textclass explain`: why an article gets its label.
--
-- Classifies one article (a file, or stdin read whole) and lists, for the
-- chosen labels (or --label L[,L...], or --all), the features of the text that
-- pushed that label's score most: model:explain(text, label, n).
-- The text output goes out label by label, each as soon as it is made.

local util = require "textclass.cli.util"
local inputs = require "textclass.cli.inputs"
local records = require "textclass.cli.records"
local classifier = require "textclass.cli.classifier"
local tables = require "textclass.cli.tables"
local writers = require "textclass.cli.writers"

local M = {}

M.spec = {
  name = "explain",
  synopsis = "[-m MODEL] [--label L[,L...] | --all] [-n N] [FILE | -]",
  summary = "Show the label and scores of one article (FILE, or stdin read whole) and the\n" ..
            "features of its text that drove each label.",
  unknown_hints = classifier.model_only_hints("explain"),
  options = {
    classifier.MODEL_OPTION,
    { short = "l", long = "label", arg = "L[,L...]", joins = ",",
      help = "explain these labels (default: the chosen labels); -l may be given again" },
    { short = "a", long = "all", help = "explain every label of the model" },
    { short = "n", long = "features", arg = "N", type = "integer", min = 1, max = 10000, default = 10,
      help = "features shown per label" },
    { long = "json", help = "print one JSON object" },
    inputs.ENCODING_OPTION,
    { long = "replace-invalid", help = "accept text with invalid UTF-8, UTF-16 or --encoding input (read as U+FFFD)" },
    { long = "html", help = "the article is an HTML page, read for its text (by default: a .html, .htm, .xhtml file or one that begins like a page)" },
    { long = "no-html", help = "the article is not an HTML page: markup is read as text" },
    { long = "max-bytes", arg = "N", type = "integer", min = 1, max = inputs.MAX_BYTES_CEILING,
      default = inputs.MAX_DOC_BYTES,
      help = "longest article accepted, in bytes (of UTF-8, for UTF-16 input too)" },
    util.QUIET_OPTION,
  },
  examples = "  textclass explain examples/articles/ransomware-hospital.txt\n" ..
             "  echo 'The striker scored twice' | textclass explain --label sport -n 5\n",
}

-- A feed holds many articles: read as one, its items together, it gets an
-- explanation of no article, so say so (label reads each item).
local function warn_feed(path)
  util.note("%s: a news feed, read as one article, its items together: explain takes one " ..
            "article (%s labels each item)", path == "-" and "stdin" or path,
            path == "-" and "textclass label -i feed" or "textclass label " .. path)
end

-- JSON read as the article (a record of eval --errors or of a JSONL file,
-- an API's export) is explained braces, keys and all, the values of its
-- other fields (gold and predicted labels) among the features: say so.
local function warn_if_json(path, text)
  if records.json_text_field(text, { "text" }) then
    util.note("%s: the article is JSON with a 'text' field, read as text, braces, keys and all: " ..
              "explain takes the text alone (jq -r .text)?", path == "-" and "stdin" or path)
  end
end

-- The one article, read and checked as `label -i text` reads one (a BOM
-- dropped, never read past --max-bytes); fails naming the problem.
local function read_article(path, opts)
  if path ~= "-" and require("lfs").attributes(path, "mode") == "directory" then
    util.fail("%s: is a folder (explain takes one FILE)", path)
  end
  inputs.note_terminal_stdin({ path }, "the article")
  local read = inputs.read_options(opts)
  read.input = "text"
  local doc = inputs.documents(inputs.sources({ path }, false), read)()
  if not doc or doc.error then util.fail("%s: %s", path, doc and doc.error or "nothing to read") end
  if doc.feed then warn_feed(path) else warn_if_json(path, doc.text) end
  return doc.text
end

-- --label's names (the values of every -l, joined by commas): an empty
-- one names nothing, and is refused as --text-field's is.
-- The --json object, its keys in a fixed order: id, label, labels and
-- scores as label's JSONL record gives them (scores best first, "%.4f"),
-- then fallback and each explained label's features, weights exact.
local function json_object(path, res, ranked, fallback, explained)
  local parts = {}
  for i, e in ipairs(explained) do
    -- (an empty table is an object to util.json: none of the text's
    -- features in the vocabulary is an empty list here)
    local features = #e.features > 0 and util.json(e.features) or "[]"
    parts[i] = '{"label":' .. util.json(e.label) .. ',"features":' .. features .. "}"
  end
  return '{"id":' .. util.json(path) .. ',"label":' .. util.json(res.label) ..
    ',"labels":' .. util.json(res.labels) .. ',"scores":' .. writers.json_scores(ranked, res.scores) ..
    ',"fallback":' .. tostring(fallback) .. ',"explanations":[' .. table.concat(parts, ",") .. "]}"
end

-- Is the result's label a multi-label model's fallback label, chosen
-- because no label reached the threshold, not for its own score (which may
-- be below others')? Then the output says so, or the label looks at odds
-- with the scores.
local function is_fallback(info, res, ranked)
  if not (info.multilabel and type(info.fallback) == "string" and #res.labels == 1
          and res.labels[1] == info.fallback) then
    return false
  end
  for _, l in ipairs(ranked) do
    if res.scores[l] >= info.threshold then return false end
  end
  return true
end

-- The features of the text that pushed label l's score most.
local function explain_label(model, text, l, n)
  local ok, feats = pcall(model.explain, model, text, l, n)
  if not ok then util.fail("cannot explain '%s': %s", l, tostring(util.unless_interrupt(feats))) end
  return feats
end

-- The text output's head: the label, the labels and the scores table.
local function text_head(res, ranked, fallback, threshold)
  local rows = { { "label", "score" } }
  for _, l in ipairs(ranked) do rows[#rows + 1] = { l, util.fmt_score(res.scores[l]) } end
  return "label   " .. res.label .. "\n" ..
    "labels  " .. table.concat(res.labels, ", ") ..
    (fallback and string.format(" (the model's fallback: no label scored %g or more)", threshold) or "") .. "\n" ..
    "scores:\n" .. tables.render(rows, { indent = "  " })
end

-- The text output's table of one label's features.
local function text_features(label, features)
  local head = "\nfeatures for " .. label .. ":\n"
  if #features == 0 then return head .. "  (none of the text's features is in the model's vocabulary)\n" end
  local rows = { { "feature", "weight" } }
  for _, f in ipairs(features) do rows[#rows + 1] = { tostring(f.feature), string.format("%+.4f", f.weight) } end
  return head .. tables.render(rows, { indent = "  " })
end

local function labels_asked(list)
  local asked = {}
  for name in (list .. ","):gmatch("(.-),") do
    name = util.trim(name)
    if name == "" then util.usage_error("--label: an empty name in '%s'", list) end
    asked[#asked + 1] = name
  end
  return asked
end

function M.run(opts, operands)
  if #operands > 1 then util.usage_error("explain takes one FILE (or - for stdin)") end
  if opts.label and opts.all then util.usage_error("give --label or --all, not both") end
  local path = operands[1] or "-"
  local clf = classifier.open(opts)
  local model = clf.model
  local known, asked = {}, opts.label and labels_asked(opts.label)
  for _, l in ipairs(clf:labels()) do known[l] = true end
  for _, l in ipairs(asked or {}) do
    if not known[l] then
      util.usage_error("--label: the model has no label '%s' (it has %s)", l, table.concat(clf:labels(), ", "))
    end
    if known[l] == "asked" then util.usage_error("--label: '%s' is named twice", l) end
    known[l] = "asked"
  end

  local text = read_article(path, opts)

  local res = clf:predict_one(text)
  if res.error then util.fail("%s: %s", path, res.error) end
  local which
  if opts.all then which = clf:labels()
  elseif asked then which = asked
  else which = res.labels end

  local ranked = res.ranked or classifier.ranked_names(res.scores)
  local info = model:info()
  local fallback = is_fallback(info, res, ranked)
  if opts.json then
    local explained = {}
    for i, l in ipairs(which) do
      explained[i] = { label = l, features = explain_label(model, text, l, opts.features) }
    end
    util.write(json_object(path, res, ranked, fallback, explained), "\n")
    return util.EXIT_OK
  end
  -- the scores, then each label's features as soon as they are made, each
  -- with one write: `| head` and a run stopped midway get what was made
  util.write(text_head(res, ranked, fallback, info.threshold))
  for _, l in ipairs(which) do
    util.write(text_features(l, explain_label(model, text, l, opts.features)))
  end
  return util.EXIT_OK
end

return M
