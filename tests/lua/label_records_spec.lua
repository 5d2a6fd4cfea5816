-- label_records_spec.lua - model:label_records, which makes `textclass label`'s
-- TSV, CSV and JSONL records for a model file in C, held to the command line's
-- Lua writers (textclass.cli.writers) on predict_batch's results: random
-- batches of texts and error records (after their place, for a record
-- with an id of its own), ids and label names that need
-- escaping or quoting, input fields for JSONL (ours among them, bytes
-- that are not UTF-8), carried cells for CSV (none, empty ones, ones
-- CSV quotes), every --top and threshold, one and two labels per
-- document. Then the command line itself: a model file (this path) and a
-- Lua classifier wrapping the same model (the writers' path) must print
-- the same records. The seed is fixed; TEXTCLASS_FUZZ_SEED picks another.
local tc = require "textclass"
local writers = require "textclass.cli.writers"
local H = dofile("tests/lua/module_helpers.lua")
local C = dofile("tests/lua/cli_helpers.lua")

teardown(function()
  H.cleanup()
  C.cleanup()
end)

local seed = tonumber(os.getenv("TEXTCLASS_FUZZ_SEED")) or 20261126

-- Label names that TSV escapes or CSV quotes, and one with a colon, which
-- the scores column's "label:score" pairs hold (a label name holds no
-- control character, no tab, nor a comma).
local NAMES = { politics = "pol:itics", sport = 'sp"ort', cyber = "cy\\ber", other = " other" }

local function models()
  local texts, labels = H.topics()
  local renamed = {}
  for i, l in ipairs(labels) do renamed[i] = NAMES[l] end
  local mt, ml = H.multilabel()
  for _, set in ipairs(ml) do
    for j, l in ipairs(set) do set[j] = NAMES[l] end
  end
  return {
    single = assert(tc.train { texts = texts, labels = renamed, min_df = 1 }),
    multi = assert(tc.train { texts = mt, labels = ml, multilabel = true, min_df = 1 }),
  }, texts
end

-- What the writers make of the same batch through predict_batch.
local function by_writers(model, docs, format, opts)
  local texts = {}
  for _, doc in ipairs(docs) do
    if doc.text then texts[#texts + 1] = doc.text end
  end
  local results = #texts > 0 and model:predict_batch(texts, opts) or {}
  local out = io.tmpfile()
  local w = writers.new(format, out, { header = false })
  local k, counts, errors = 0, {}, 0
  for _, doc in ipairs(docs) do
    local res
    if doc.text then
      k = k + 1
      res = results[k]
    end
    if res then counts[res.label] = (counts[res.label] or 0) + 1 else errors = errors + 1 end
    w:write(doc, res, res and res.ranked)
  end
  w:flush()
  out:seek("set")
  local s = out:read("a")
  out:close()
  return s, counts, errors
end

local IDS = { "a", "id\twith tab", 'q"uote', "com,ma", " lead", "trail ", "back\\slash", "line\nbreak", 42, 1.5, "",
  "bad \255 byte", "\0nul", "caf\195\169 \226\128\153", "\127del/slash",
  "surrogate \237\160\128", "overlong \192\175", "five \248\136\128\128\128", "past \244\144\128\128",
  "cut \226\130", "\128lone" }

-- Input fields as the readers keep them for -o jsonl (name = JSON text as
-- read): ours among them (printed input_<name>), names and values with
-- bytes that JSON escapes or that are not UTF-8.
local FIELD_NAMES = { "source", "label", "labels", "input_label", "id", "scores", "error", "url", "b\"q", "t\tab",
  "\255x", "\195\169", "a", "A", "" }
local FIELD_VALUES = { '"x"', "12345678901234567890", "[]", '{"a":[1,{}]}', "null", '"\\u00e9"', '"bad \255"',
  "true", '"line\\nbreak"' }
local function random_fields()
  if math.random(3) == 1 then return nil end
  local f = {}
  for _ = 1, math.random(0, 5) do f[FIELD_NAMES[math.random(#FIELD_NAMES)]] = FIELD_VALUES[math.random(#FIELD_VALUES)] end
  return f
end

-- A CSV input's columns as label -o csv carries them (doc.cells; n, when
-- there, counts empty ones after them too).
local CELL_VALUES = { "", "x", "com,ma", 'q"uote', "line\r\nbreak", " lead", "=cmd()", "caf\195\169", "bad \255" }
local function random_cells()
  if math.random(3) == 1 then return nil end
  local cells = {}
  for i = 1, math.random(0, 4) do cells[i] = CELL_VALUES[math.random(#CELL_VALUES)] end
  if math.random(2) == 1 then cells.n = #cells + math.random(0, 3) end
  return cells
end

describe("model:label_records", function()
  local all, texts = models()

  it("makes the writers' records, counts and errors", function()
    math.randomseed(seed)
    for round = 1, 300 do
      local kind = round % 2 == 0 and "multi" or "single"
      local model = all[kind]
      local docs = {}
      for i = 1, math.random(0, 12) do
        local doc = { id = IDS[math.random(#IDS)], fields = random_fields(), cells = random_cells() }
        -- the place of a record with an id of its own, which its error
        -- follows (one that needs escaping or quoting; one that is the id)
        local w = math.random(4)
        if w == 1 then doc.where = "in.jsonl:" .. i
        elseif w == 2 then doc.where = " dir,\"with\"\tthis:" .. i
        elseif w == 3 and type(doc.id) == "string" then doc.where = doc.id end
        if math.random(4) == 1 then doc.error = math.random(2) == 1 and "empty document" or "bad\tthing, \"here\""
        else doc.text = texts[math.random(#texts)] end
        docs[i] = doc
      end
      local format = ({ "tsv", "csv", "jsonl" })[math.random(3)]
      local opts = {}
      if math.random(2) == 1 then opts.top = math.random(1, 5) end
      if kind == "multi" and math.random(2) == 1 then opts.threshold = ({ 0.05, 0.3, 0.6, 0.99 })[math.random(4)] end
      local counts = { [NAMES.sport] = 5 }
      local records, errors = model:label_records(docs, counts, format, next(opts) and opts or nil)
      local want, want_counts, want_errors = by_writers(model, docs, format, next(opts) and opts or nil)
      local what = string.format("round %d (%s, %s)", round, kind, format)
      assert.equal(want, records, what)
      want_counts[NAMES.sport] = (want_counts[NAMES.sport] or 0) + 5
      assert.same(want_counts, counts, what .. ": counts")
      assert.equal(want_errors, errors, what .. ": errors")
    end
  end)

  it("refuses what is not a batch of documents", function()
    local m = all.single
    local ok = { { id = "a", text = "The minister resigned." } }
    assert.has_error(function() m:label_records(ok, {}, "xml") end)
    assert.has_error(function() m:label_records(ok, {}, "tsv", { top = 0 }) end)
    assert.has_error(function() m:label_records(ok, {}, "tsv", { bogus = 1 }) end)
    assert.has_error(function() m:label_records({ "text" }, {}, "tsv") end)
    assert.has_error(function() m:label_records({ { text = "no id" } }, {}, "tsv") end)
    assert.has_error(function() m:label_records({ { id = "x" } }, {}, "tsv") end)
    assert.has_error(function() m:label_records({ { id = {}, text = "x" } }, {}, "tsv") end)
    assert.has_error(function() m:label_records(ok, nil, "tsv") end)
    assert.has_error(function() m:label_records({ { id = "f", text = "x", fields = { n = 1 } } }, {}, "jsonl") end)
    assert.has_error(function() m:label_records({ { id = "f", text = "x", fields = { [1] = "1" } } }, {}, "jsonl") end)
    assert.has_error(function() m:label_records({ { id = "f", text = "x", fields = '"a":1' } }, {}, "jsonl") end,
      "label_records: document 1's fields is a string, not a table")
    assert.has_error(function() m:label_records({ { id = "f", text = "x", cells = "a,b" } }, {}, "csv") end,
      "label_records: document 1's cells is a string, not a table")
    assert.has_error(function() m:label_records({ { id = "f", text = "x", cells = { "a", 2 } } }, {}, "csv") end,
      "label_records: a document's cell 2 is a number, not a string")
    for _, n in ipairs({ 0, 1.5, "3", 2 ^ 31, -1 }) do
      assert.has_error(function() m:label_records({ { id = "f", text = "x", cells = { "a", n = n } } }, {}, "csv") end,
        "label_records: a document's cells.n must be a count from #cells (1) to 2147483647")
    end
    assert.truthy(m:label_records({ { id = "f", error = "e", cells = { "a", n = 3 } } }, {}, "csv") == "f,a,,,,,,e\r\n")
    -- cells are CSV's only
    assert.equal(m:label_records(ok, {}, "tsv"), (m:label_records({ { id = "a", text = ok[1].text, cells = { "c" } } }, {}, "tsv")))
    assert.equal("", (m:label_records({}, {}, "csv")))
  end)

  it("adds to counts as Lua adds, and refuses a count that is not a number", function()
    local m = all.single
    local docs = { { id = "a", text = texts[1] } }
    local label = m:predict(texts[1]).label
    local counts = { [label] = math.maxinteger }
    m:label_records(docs, counts, "tsv")
    assert.equal(math.mininteger, counts[label])       -- wraps, as counts[l] + 1 does
    counts = { [label] = 1.5 }
    m:label_records(docs, counts, "tsv")
    assert.equal(2.5, counts[label])
    for _, bad in ipairs({ "x", "3", true, {} }) do
      counts = { [label] = bad }
      local ok, err = pcall(m.label_records, m, docs, counts, "csv")
      assert.is_false(ok)
      assert.truthy(err:find("counts['" .. label .. "'] is a " .. type(bad) .. ", not a number", 1, true), err)
      assert.equal(bad, counts[label])                  -- left as it was
    end
  end)

  it("reads documents and counts raw: no metamethod of theirs runs", function()
    local m = all.single
    local calls = 0
    local function counting(values)
      return { __index = function(_, k) calls = calls + 1; return values[k] end,
               __newindex = function() calls = calls + 1; error("counts written through __newindex") end,
               __len = function() calls = calls + 1; return 2 end }
    end
    local plain = { { id = "a", text = texts[1] }, { id = "b", text = texts[2] } }
    local want_counts = {}
    local want = m:label_records(plain, want_counts, "tsv")
    -- a document that only __index gives an id and a text is refused
    local proxy = { setmetatable({}, counting(plain[1])) }
    local ok, err = pcall(m.label_records, m, proxy, {}, "tsv")
    assert.is_false(ok)
    assert.truthy(err:find("document 1 has no id", 1, true), err)
    -- a documents array only __index and __len fill is refused, not read as empty
    ok, err = pcall(m.label_records, m, setmetatable({}, counting(plain)), {}, "tsv")
    assert.is_false(ok)
    assert.truthy(err:find("docs: a table with an __index or __len metamethod", 1, true), err)
    -- metatables on documents (an error, fields) and counts are not consulted
    local docs = {}
    for i, doc in ipairs(plain) do
      docs[i] = setmetatable({ id = doc.id, text = doc.text }, counting { error = "never" })
    end
    local counts = setmetatable({}, counting {})
    assert.equal(want, (m:label_records(docs, counts, "tsv")))
    assert.same(want_counts, setmetatable(counts, nil))
    rawset(docs[1], "fields", setmetatable({ a = '"x"' }, counting { zz = '"y"' }))
    local records = m:label_records(docs, {}, "jsonl")
    assert.truthy(records:find('"a":"x"', 1, true) and not records:find('"zz"', 1, true), records)
    rawset(docs[1], "cells", setmetatable({ "c1" }, counting { [2] = "zz" }))
    records = m:label_records(docs, {}, "csv")
    assert.truthy(records:find("^a,c1,") and not records:find("zz", 1, true), records)
    assert.equal(0, calls)
  end)
end)

describe("label with a model file and with a Lua classifier wrapping it", function()
  it("prints the same records", function()
    local model_path = H.tmpname()
    assert(models().multi:save(model_path))
    local wrapper = H.tmpname() .. ".lua"
    local f = assert(io.open(wrapper, "w"))
    f:write(string.format([[
local tc = require "textclass"
local m = assert(tc.load(%q))
return { predict = function(text, opts) return m:predict(text, opts) end,
         labels = function() return m:labels() end }
]], model_path))
    f:close()
    local inputs = table.concat({ "tests/data/cli/articles.jsonl", "tests/data/cli/lines.txt", "tests/data/cli/articles.csv",
      "examples/news.rss",
      "tests/data/cli/invalid-utf8.txt", "tests/data/cli/empty.txt", "tests/data/cli/binary.bin",
      "tests/data/cli/docs" }, " ")
    for _, args in ipairs({ "", "-o csv", "--top 1", "-o csv --top 2", "-t 0.2", "-o csv -t 0.9 --top 1", "-b 1", "-b 3 -o csv",
                            "-o jsonl", "-o jsonl --top 2 -t 0.3", "-o jsonl -b 2" }) do
      local a = C.run("label -q -m " .. C.sh_quote(model_path) .. " " .. args .. " " .. inputs)
      local b = C.run("label -q -c " .. C.sh_quote(wrapper) .. " " .. args .. " " .. inputs)
      assert.equal(b.out, a.out, args)
      assert.equal(b.code, a.code, args)
      assert.is_true(#a.out > 0)
    end
    os.remove(wrapper)
  end)
end)
