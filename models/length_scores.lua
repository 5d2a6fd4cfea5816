-- models/length_scores.lua: each document's length and full-precision scores, for
-- models/length_rule_study.py (step 9 of the design study, models/README.md).
--
--   bin/textclass run models/length_scores.lua MODEL DOCS.jsonl [K]
--
-- One tab-separated line per document: its id, its number of tokens (tc.tokenize with
-- stop words removed, after the boilerplate stage, as the news recipe reads it), its number
-- of features found in the model's vocabulary (the non-zeros of its vector: what
-- model:explain lists), then every label's calibrated score ("%.17g", where `label -o
-- jsonl` prints four decimals), labels in the model's order. A header line names the columns;
-- the first line after it, id "(empty)", scores the empty text: each label's bias through its
-- sigmoid, the score of a story with no known feature.
--
-- With K, each document is first cut to its first K of those tokens, joined by spaces: a
-- text of K content words (stop words go before word pairs are made, so the pairs are the
-- document's own).
local tc = require "textclass"
local read = require "textclass.read"

local model_path, docs_path, first = arg[1], arg[2], tonumber(arg[3])
assert(model_path and docs_path, "usage: length_scores.lua MODEL DOCS.jsonl [K]")
local model <close> = assert(tc.load(model_path))
local labels = model:labels()
local every_feature = model:info().features

local function first_tokens(text, k)
  local tokens = tc.tokenize(text, { strip_boilerplate = true })
  return table.concat(table.move(tokens, 1, k, 1, {}), " ")
end

local function write_row(id, text)
  local scores = model:predict(text).scores
  local tokens = #tc.tokenize(text, { strip_boilerplate = true })
  local features = #model:explain(text, labels[1], every_feature)
  local row = { id, tokens, features }
  for _, label in ipairs(labels) do row[#row + 1] = string.format("%.17g", scores[label]) end
  io.write(table.concat(row, "\t"), "\n")
end

io.write("id\ttokens\tfeatures\t", table.concat(labels, "\t"), "\n")
write_row("(empty)", "")
for doc in read.documents(docs_path, { format = "jsonl", keep_fields = false }) do
  assert(not doc.error, doc.error)
  write_row(doc.id, first and first_tokens(doc.text, first) or doc.text)
end
