-- text_fields_spec.lua - an article's text from several JSONL fields or
-- CSV columns (--text-field title,body, --text-column headline,body or
-- 2,4; text_field and text_column in textclass.read): the non-empty parts
-- in the order given, joined by a blank line, as the corpora hold
-- "TITLE\n\nBODY"; the same scores, models and reports as a `text` of
-- that; error records naming the fields; the fields left out of a
-- record's other fields. Helpers in cli_helpers.lua.

local H = dofile("tests/lua/cli_helpers.lua")
local D, TMP = H.D, H.TMP
local run, spit, slurp, tsv, jsonl, model = H.run, H.spit, H.slurp, H.tsv, H.jsonl, H.model
local read = require "textclass.read"
local cjson = require "cjson"

teardown(H.cleanup)

-- Every record of an iterator, in order.
local function all(iter, ...)
  local out = {}
  for doc in iter, ... do out[#out + 1] = doc end
  return out
end

-- A CSV field, quoted.
local function q(s) return '"' .. s:gsub('"', '""') .. '"' end

-- The fixture corpora (tests/data/cli train.jsonl, test.jsonl) with each
-- text cut into a headline (its first four words) and a body: as JSONL
-- with `title` and `body` (the body first in each object, and a field of
-- its own), as CSV with `headline` and `body` columns (a column between
-- them), and as JSONL with the `text` "HEADLINE\n\nBODY".
local function split_corpus(name)
  local split, joined, csv = {}, {}, { "id,headline,label,body\r\n" }
  for line in io.lines(D .. "/" .. name .. ".jsonl") do
    local r = cjson.decode(line)
    local headline, body = r.text:match("^(%S+ %S+ %S+ %S+) (.+)$")
    assert(headline, r.text)
    split[#split + 1] = cjson.encode({ id = r.id, label = r.label, body = body, title = headline, desk = "news" })
    joined[#joined + 1] = cjson.encode({ id = r.id, label = r.label, text = headline .. "\n\n" .. body })
    csv[#csv + 1] = table.concat({ r.id, q(headline), r.label, q(body) }, ",") .. "\r\n"
  end
  local base = TMP .. "/" .. name
  spit(base .. "-split.jsonl", table.concat(split, "\n") .. "\n")
  spit(base .. "-joined.jsonl", table.concat(joined, "\n") .. "\n")
  spit(base .. ".csv", table.concat(csv))
  return base
end

describe("several text fields", function()
  local train, test
  setup(function()
    train, test = split_corpus("train"), split_corpus("test")
  end)

  it("label: headline and body give the scores of the text HEADLINE\\n\\nBODY, JSONL and CSV", function()
    local m = model()
    local want = run("label -q -m " .. m .. " " .. test .. "-joined.jsonl")
    assert.equal(0, want.code, want.err)
    assert.equal(12, #tsv(want.out))
    for _, args in ipairs({ "--text-field title,body " .. test .. "-split.jsonl",
                            "--text-column headline,body " .. test .. ".csv",
                            "--text-column 2,4 " .. test .. ".csv",
                            "--text-column headline,4 " .. test .. ".csv",
                            "-i csv --separator , --text-column 2,body -" }) do
      local r = run("label -q -m " .. m .. " " .. args, { stdin_file = test .. ".csv" })
      assert.equal(0, r.code, args .. ": " .. r.err)
      assert.equal(want.out, r.out, args)
    end
    -- the headline counts: the body alone scores otherwise
    local body = run("label -q -m " .. m .. " --text-field body " .. test .. "-split.jsonl")
    assert.not_equal(want.out, body.out)
  end)

  it("label: the parts in the order given (a model with title terms tells the first)", function()
    local m = TMP .. "/title-terms.model"
    local r = run("train -q --min-df 1 --title-terms -o " .. m .. " " .. train .. "-joined.jsonl")
    assert.equal(0, r.code, r.err)
    local rows = {}
    for line in io.lines(test .. "-split.jsonl") do
      local rec = cjson.decode(line)
      rows[#rows + 1] = cjson.encode({ id = rec.id, text = rec.body .. "\n\n" .. rec.title })
    end
    spit(TMP .. "/reversed.jsonl", table.concat(rows, "\n") .. "\n")
    local want = run("label -q -m " .. m .. " " .. TMP .. "/reversed.jsonl")
    r = run("label -q -m " .. m .. " --text-field body,title " .. test .. "-split.jsonl")
    assert.equal(want.out, r.out)
    local other = run("label -q -m " .. m .. " --text-field title,body " .. test .. "-split.jsonl")
    assert.not_equal(r.out, other.out)
    assert.equal(run("label -q -m " .. m .. " " .. test .. "-joined.jsonl").out, other.out)
  end)

  it("label: an empty or blank part is left out; a record with none is an error naming the fields", function()
    local m = model()
    spit(TMP .. "/parts.jsonl", table.concat({
      '{"id": "no-title", "title": "", "body": "The striker scored twice in the league match."}',
      '{"id": "blank-title", "title": " \\t\\n", "body": "The striker scored twice in the league match."}',
      '{"id": "no-body", "title": "The striker scored twice in the league match."}',
      '{"id": "all-empty", "title": "", "body": "  "}',
      '{"id": "one-empty", "body": ""}',
      '{"id": "none", "text": "x"}',
      '{"id": "number", "title": "Goal", "body": 7}',
      '{"id": "object", "title": {"a": "b"}, "body": "Goal"}',
      '{"id": "null", "title": null, "body": "Goal"}',
      -- (a raw tab: read by lua-cjson, not the fast path)
      '{"id": "lenient", "title": "\tThe striker", "body": 1}',
    }, "\n") .. "\n")
    local r = run("label -q -m " .. m .. " --text-field title,body " .. TMP .. "/parts.jsonl")
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal(10, #rows)
    local alone = tsv(run("label -q -m " .. m .. " -i lines -",
                          { stdin = "The striker scored twice in the league match.\n" }).out)[1]
    assert.equal("sport", alone[2])
    for i = 1, 3 do
      assert.equal("", rows[i][5], rows[i][1])
      assert.same({ alone[2], alone[3], alone[4] }, { rows[i][2], rows[i][3], rows[i][4] }, rows[i][1])
    end
    -- (each record has an id of its own: its error names its line)
    assert.equal(TMP .. "/parts.jsonl:4: empty document (no text in 'title' or 'body')", rows[4][5])
    assert.equal(TMP .. "/parts.jsonl:5: empty document (no text in 'title' or 'body')", rows[5][5])
    assert.equal(TMP .. "/parts.jsonl:6: no 'title' or 'body' field (its fields: 'id', 'text')", rows[6][5])
    assert.equal(TMP .. "/parts.jsonl:7: field 'body' is not a string", rows[7][5])
    assert.equal(TMP .. "/parts.jsonl:8: field 'title' is not a string", rows[8][5])
    assert.equal(TMP .. "/parts.jsonl:9: field 'title' is not a string", rows[9][5])
    assert.equal(TMP .. "/parts.jsonl:10: field 'body' is not a string", rows[10][5])
    assert.equal("lenient", rows[10][1])
    -- three fields: the message names them all
    r = run("label -q -m " .. m .. " --text-field a,b,c " .. TMP .. "/parts.jsonl")
    assert.equal(TMP .. "/parts.jsonl:1: no 'a', 'b' or 'c' field (its fields: 'body', 'id', 'title')", tsv(r.out)[1][5])
  end)

  it("label: CSV empty cells, a missing column, a column out of range", function()
    local m = model()
    spit(TMP .. "/cells.csv", "id,headline,body\n" ..
         "k1,,The striker scored twice in the league match.\n" ..
         "k2,The striker scored twice in the league match., \n" ..
         "k3,,\n")
    local r = run("label -q -m " .. m .. " --text-column headline,body " .. TMP .. "/cells.csv")
    local rows = tsv(r.out)
    assert.equal(3, #rows)
    assert.equal("sport", rows[1][2])
    assert.same({ rows[1][2], rows[1][4] }, { rows[2][2], rows[2][4] })
    assert.equal(TMP .. "/cells.csv:4: empty document (no text in 'headline' or 'body')", rows[3][5])
    -- by number, the header's names are named
    r = run("label -q -m " .. m .. " --text-column 2,3 " .. TMP .. "/cells.csv")
    assert.equal(TMP .. "/cells.csv:4: empty document (no text in 'headline' or 'body')", tsv(r.out)[3][5])
    r = run("label -q -m " .. m .. " --text-column headline,story " .. TMP .. "/cells.csv")
    assert.equal(1, r.code)
    assert.same({ { TMP .. "/cells.csv:1", "", "", "",
                    "no 'story' column in the header; its columns are 'id', 'headline', 'body': " ..
                    "--text-column NAME?" } }, tsv(r.out))
    r = run("label -q -m " .. m .. " --text-column headline,9 " .. TMP .. "/cells.csv")
    assert.matches("^no column 9 %(the header has 3%)", tsv(r.out)[1][5])
    -- numbers beyond Lua's integers (and leading zeros) name no column either, and the
    -- other inputs are labelled
    for _, n in ipairs { "99999999999999999999", "9223372036854775808", "0009" } do
      r = run("label -q -m " .. m .. " --text-column " .. n .. " " .. TMP .. "/cells.csv " .. D .. "/articles.jsonl")
      assert.equal(1, r.code, r.err)
      local rows = tsv(r.out)
      assert.matches("^no column " .. n:gsub("^0+", "") .. " %(the header has 3%)", rows[1][5])
      assert.equal("a1", rows[2][1])
    end
    -- one column by name and by number: its text would come twice
    r = run("label -q -m " .. m .. " --text-column headline,body,2 " .. TMP .. "/cells.csv")
    assert.equal(1, r.code)
    assert.same({ { TMP .. "/cells.csv:1", "", "", "", "--text-column names column 2 twice ('headline' and '2')" } },
                tsv(r.out))
  end)

  it("label -o jsonl: the text's fields are not repeated among the record's fields", function()
    local r = run("label -q -o jsonl -m " .. model() .. " --text-field title,body " .. test .. "-split.jsonl")
    assert.equal(0, r.code, r.err)
    local rec = jsonl(r.out)[1]
    assert.equal("news", rec.desk)
    assert.equal("politics", rec.label)   -- (the input's label is a field too: the output's wins)
    assert.is_nil(rec.title)
    assert.is_nil(rec.body)
    r = run("label -q -o jsonl -m " .. model() .. " --text-column headline,4 --id-column id " .. test .. ".csv")
    rec = jsonl(r.out)[1]
    assert.equal("e01", rec.id)
    assert.is_nil(rec.headline)
    assert.is_nil(rec.body)
  end)

  it("train and eval: the same model and report as from the joined text", function()
    local joined_model, split_model, csv_model = TMP .. "/joined.model", TMP .. "/split.model", TMP .. "/csv.model"
    -- (one creation time for all three: the models are compared byte for byte)
    local at = { env = "SOURCE_DATE_EPOCH=1 " }
    local r = run("train -q --min-df 1 -o " .. joined_model .. " " .. train .. "-joined.jsonl", at)
    assert.equal(0, r.code, r.err)
    r = run("train -q --min-df 1 --text-field title,body -o " .. split_model .. " " .. train .. "-split.jsonl", at)
    assert.equal(0, r.code, r.err)
    r = run("train -q --min-df 1 --text-column headline,body -o " .. csv_model .. " " .. train .. ".csv", at)
    assert.equal(0, r.code, r.err)
    assert.equal(slurp(joined_model), slurp(split_model))
    assert.equal(slurp(joined_model), slurp(csv_model))
    local want = run("eval -m " .. joined_model .. " " .. test .. "-joined.jsonl")
    assert.equal(0, want.code, want.err)
    assert.matches("documents%s+12", want.out)
    for _, args in ipairs({ "--text-field title,body " .. test .. "-split.jsonl",
                            "--text-column 2,body " .. test .. ".csv" }) do
      r = run("eval -m " .. joined_model .. " " .. args)
      assert.equal(0, r.code, r.err)
      assert.equal(want.out, r.out, args)
    end
  end)

  it("train and eval: a record without its text and a header without a column are errors naming them", function()
    spit(TMP .. "/bad.jsonl", '{"title": "", "label": "sport"}\n{"title": "Goal", "body": 3, "label": "sport"}\n')
    local r = run("eval -m " .. model() .. " --text-field title,body " .. TMP .. "/bad.jsonl")
    assert.equal(1, r.code)
    assert.matches("bad.jsonl:1: empty document %(no text in 'title' or 'body'%)", r.err)
    assert.matches("bad.jsonl:2: field 'body' is not a string", r.err)
    r = run("train -q --min-df 1 --text-column headline,story -o " .. TMP .. "/x.model " .. train .. ".csv")
    assert.equal(1, r.code)
    assert.matches("train.csv:1: no 'story' column in the header; its columns are 'id', " ..
                   "'headline', 'label', 'body': --text-column NAME?", r.err, 1, true)
    r = run("eval -m " .. model() .. " --text-column 4,body " .. test .. ".csv")
    assert.equal(1, r.code)
    assert.matches("test.csv:1: --text-column names column 4 twice ('4' and 'body')", r.err, 1, true)
  end)

  it("refuses an empty name or a name given twice", function()
    for _, v in ipairs({ "title,", ",body", "title,,body" }) do
      local r = run("label -q --text-field " .. v .. " " .. test .. "-split.jsonl")
      assert.equal(2, r.code)
      assert.matches("--text-field: an empty name in '" .. v .. "'", r.err, 1, true)
    end
    local r = run("train --text-column body,2,body -o " .. TMP .. "/x.model " .. train .. ".csv")
    assert.equal(2, r.code)
    assert.matches("--text-column: 'body' is named twice", r.err, 1, true)
  end)
end)

describe("textclass.read with several text fields", function()
  local jsonl_path, csv_path
  setup(function()
    jsonl_path = TMP .. "/read.jsonl"
    spit(jsonl_path, table.concat({
      '{"id": "j1", "lede": "Rates rise", "title": "Bank \\u00e9", "body": "Markets fell.", "n": [1]}',
      '{"id": "j2", "body": "Only a body."}',
      '{"id": "j3", "title": "A\\tB", "body": "raw\ttab", "a,b": "comma"}',
    }, "\n") .. "\n")
    csv_path = TMP .. "/read.csv"
    spit(csv_path, "id,headline,section,body\n" ..
         "c1,Bank hacked,tech,\"<p>Ransomware <b>hit</b> the bank.</p>\"\n" ..
         "c2,<p>Markup first</p>,x,plain body\n")
  end)

  it("takes a comma list or an array, in order; keeps the other fields", function()
    local docs = all(read.documents(jsonl_path, { text_field = "title,lede,body" }))
    assert.equal("Bank \u{e9}\n\nRates rise\n\nMarkets fell.", docs[1].text)
    assert.same({ n = "[1]" }, docs[1].fields)
    assert.equal("Only a body.", docs[2].text)
    -- (a raw tab: lua-cjson's path, the same text)
    assert.equal("A\tB\n\nraw\ttab", docs[3].text)
    assert.same({ ["a,b"] = '"comma"' }, docs[3].fields)
    docs = all(read.documents(jsonl_path, { text_field = { "body", "title" }, keep_fields = false }))
    assert.equal("Markets fell.\n\nBank \u{e9}", docs[1].text)
    assert.is_nil(docs[1].fields)
    -- a name with a comma, in an array
    docs = all(read.documents(jsonl_path, { text_field = { "title", "a,b" } }))
    assert.equal("A\tB\n\ncomma", docs[3].text)
    -- the id field may be a part too
    docs = all(read.documents(jsonl_path, { text_field = "title,id" }))
    assert.equal("Bank \u{e9}\n\nj1", docs[1].text)
    assert.equal("j1", docs[1].id)
  end)

  it("labelled records too", function()
    spit(TMP .. "/read-labelled.jsonl", '{"title": "Goal", "body": "Late winner.", "label": "sport"}\n' ..
         '{"title": "Goal", "label": "sport", "body": ["x"]}\n')
    local docs = all(read.labelled(TMP .. "/read-labelled.jsonl", { text_field = { "title", "body" } }))
    assert.same({ "Goal\n\nLate winner.", { "sport" } }, { docs[1].text, docs[1].labels })
    assert.equal("field 'body' is not a string", docs[2].error)
  end)

  it("CSV columns by name and number; an HTML body after a plain headline is read as a page", function()
    local docs = all(read.documents(csv_path, { text_column = { 2, "body" } }))
    assert.equal("Bank hacked\n\nRansomware hit the bank.", docs[1].text)
    assert.same({ section = '"tech"' }, docs[1].fields)
    assert.equal("Markup first\n\nplain body", docs[2].text)
    docs = all(read.documents(csv_path, { text_column = "headline,4", no_html = true }))
    assert.equal("Bank hacked\n\n<p>Ransomware <b>hit</b> the bank.</p>", docs[1].text)
  end)

  it("raises on a bad list", function()
    local cases = {
      { { text_field = {} }, "opts.text_field: no name given" },
      { { text_field = { "a", 2 } }, "opts.text_field: name 2: string expected, got number" },
      { { text_field = { title = "x" } }, "opts.text_field: an array of names expected" },
      { { text_field = "a,,b" }, "opts.text_field: an empty name in 'a,,b'" },
      { { text_column = { "a", 0 } }, "opts.text_column: name 2: a column number counts from 1, got 0" },
      { { text_column = { 2, "2" } }, "opts.text_column: '2' is named twice" },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(read.documents, csv_path, c[1])
      assert.is_false(ok)
      assert.matches(c[2], err, 1, true)
    end
    local ok, err = pcall(read.labelled, csv_path, { text_field = "a,a" })
    assert.is_false(ok)
    assert.matches("'textclass.read.labelled' (opts.text_field: 'a' is named twice)", err, 1, true)
  end)
end)

-- A text over --max-bytes in a JSONL record the readers take one line at a
-- time (several text fields, --html; for train and eval a number id or a
-- label array too) was decoded whole, joined, then refused for its size:
-- a 100 MB body of `label --text-field title,body` peaked at 392 MB,
-- eval's at 394 MB. It is measured instead (tc.json_fields' limit), never
-- made, and refused in the same words.
describe("a text over --max-bytes read a line at a time", function()
  local records = require "textclass.cli.records"
  local path, made, join

  setup(function()
    local body = string.rep("caf\\u00e9 ", 20) -- 120 bytes decoded
    path = TMP .. "/large-fields.jsonl"
    spit(path, table.concat({
      '{"id":"big","title":"Vote","body":"' .. body .. '","label":"politics"}',
      '{"id":"ok","title":"Vote","body":"The budget.","label":"politics"}',
      '{"id":7,"title":"Vote","body":"' .. body .. '","labels":["politics"]}',
      '{"id":"sp","title":"Vote","body":"' .. string.rep(" ", 150) .. '","label":"politics"}',
    }, "\n") .. "\n")
    -- the texts records.join_fields gives: their lengths, or "measured"
    join = records.join_fields
    records.join_fields = function(...)
      local text, problem, is_page = join(...)
      made[#made + 1] = type(text) == "string" and #text or text and "measured" or problem
      return text, problem, is_page
    end
  end)
  teardown(function() records.join_fields = join end)
  before_each(function() made = {} end)

  it("label and textclass.read: one of several fields", function()
    local docs = all(read.documents(path, { text_field = "title,body", max_bytes = 100 }))
    assert.equal("document too large (126 bytes, limit 100)", docs[1].error)
    assert.equal("Vote\n\nThe budget.", docs[2].text)
    assert.same({ "measured", 17, "measured", 4 }, made)
    -- a part of white space only is left out of the join, as before
    assert.equal("Vote", docs[4].text)
    local r = run("label -q --max-bytes 100 -i jsonl --text-field title,body " .. path)
    assert.equal(1, r.code, r.err)
    assert.same({ "big", "", "", "", path .. ":1: document too large (126 bytes, limit 100)" }, tsv(r.out)[1])
    assert.same({ "7", "", "", "", path .. ":3: document too large (126 bytes, limit 100)" }, tsv(r.out)[3])
  end)

  it("label and textclass.read: one field read with --html (no fast path)", function()
    local tc = require "textclass"
    local fields, kinds = tc.json_fields, {}
    tc.json_fields = function(...)
      local got = { fields(...) }
      kinds[#kinds + 1] = got[2]
      return table.unpack(got)
    end
    finally(function() tc.json_fields = fields end)
    local docs = all(read.documents(path, { text_field = "body", max_bytes = 100, html = true }))
    assert.equal("document too large (120 bytes, limit 100)", docs[1].error)
    assert.equal("The budget.", docs[2].text)
    -- (white space only: decoded, too large all the same)
    assert.equal("document too large (150 bytes, limit 100)", docs[4].error)
    assert.same({ "large", "string", "large", "string" }, kinds)
  end)

  it("train and eval: several fields, a number id, a label array", function()
    local docs = all(read.labelled(path, { text_field = "title,body", max_bytes = 100, multilabel = true }))
    assert.same({ "document too large (126 bytes, limit 100)", "big" }, { docs[1].error, docs[1].id })
    assert.same({ "document too large (126 bytes, limit 100)", "7" }, { docs[3].error, docs[3].id })
    assert.equal("Vote", docs[4].text)
    assert.same({ "measured", 17, "measured", 4 }, made)
    made = {}
    docs = all(read.labelled(path, { text_field = "body", max_bytes = 100, multilabel = true }))
    assert.same({ "document too large (120 bytes, limit 100)", "7" }, { docs[3].error, docs[3].id })
    assert.equal("document too large (150 bytes, limit 100)", docs[4].error)
    assert.same({ "measured" }, made) -- (the others' lines are the fast path's: tc.jsonl_documents)
    local r = run("eval -q --max-bytes 100 --text-field title,body -m " .. model() .. " " .. path)
    assert.equal(1, r.code)
    assert.matches(path .. ":3 (id 7): document too large (126 bytes, limit 100)", r.err, 1, true)
  end)
end)
