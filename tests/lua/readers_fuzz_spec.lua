-- readers_fuzz_spec.lua - the input readers (lua/textclass/cli/, through
-- textclass.read) on damaged files: valid samples of every format, cut,
-- spliced and sprinkled with the bytes their parsers treat specially. Whatever
-- the bytes, reading must not raise (a problem with an input is a record's
-- error), every record must be well formed (an id, and a text that is
-- non-empty valid UTF-8 or an error message that is not a Lua runtime
-- error), and nothing may be lost: a JSONL or fastText file gives a record
-- for each of its lines. The seed is fixed, so a failure reproduces;
-- TEXTCLASS_FUZZ_SEED picks another.
local tc = require "textclass"
local read = require "textclass.read"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

local seed = tonumber(os.getenv("TEXTCLASS_FUZZ_SEED")) or 20261126
local ROUNDS = 250 -- per format

local samples = {
  jsonl = H.read("tests/data/cli/articles.jsonl"),
  csv = H.read("tests/data/cli/articles.csv"),
  lines = H.read("tests/data/cli/lines.txt"),
  feed = H.read("examples/news.rss"),
  text = H.read("tests/data/cli/docs/01-budget.txt"),
  fasttext = H.read("tests/data/cli/train.txt"),
  labelled_jsonl = H.read("tests/data/cli/train.jsonl"),
  labelled_csv = H.read("tests/data/cli/train.csv"),
}

-- Bytes and pieces the parsers look for.
local pieces = { "\n", "\r\n", "\r", "\0", '"', '""', ",", ";", "\t", "\\", '\\"', "\\u0000",
  "\\ud800", "\\uDC00x", "{", "}", "[", "]", ":", "<", ">", "&", "&#0;", "&#x110000;", "&amp;",
  "<![CDATA[", "]]>", "<!--", "-->", "<item>", "</item>", "<entry>", "<title>", "</title>",
  "<description>", "<?xml version=\"1.0\" encoding=\"latin1\"?>", "<html>", "<script>",
  "\xff", "\xfe\xff", "\xef\xbb\xbf", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "__label__",
  "__label__ ", " ", "\f", "1e999", "-0", "null", "true", '"text":', '"label":', '"labels":[]',
  '"id":1', '{"text":"x"}', '"label":7', '"label":1.5', '"labels":[0,3]' }

-- One damage to s: cut it, splice a piece of it elsewhere, or insert pieces.
local function damage(s)
  local n = #s
  local r = math.random(5)
  if n == 0 then return pieces[math.random(#pieces)] end
  local i = math.random(n)
  if r == 1 then return s:sub(1, i) end                                  -- cut short
  if r == 2 then local j = math.random(i, math.min(n, i + 40)); return s:sub(1, i - 1) .. s:sub(j + 1) end
  if r == 3 then local j = math.random(n); return s:sub(1, i) .. s:sub(j, j + math.random(0, 60)) .. s:sub(i + 1) end
  local k = {}
  for m = 1, math.random(1, 3) do k[m] = pieces[math.random(#pieces)] end
  return s:sub(1, i - 1) .. table.concat(k) .. s:sub(i)
end

local function damaged(s)
  for _ = 1, math.random(1, 4) do s = damage(s) end
  return s
end

-- Lines as a line reader counts them: split at \n, a last line without one counts.
local function count_lines(s)
  local n = select(2, s:gsub("\n", ""))
  if #s > 0 and s:sub(-1) ~= "\n" then n = n + 1 end
  return n
end

local function check_record(what, doc, labelled)
  assert.is_string(doc.id, what .. ": id")
  if doc.error ~= nil then
    assert.is_string(doc.error, what .. ": error")
    assert.is_true(#doc.error > 0, what .. ": empty error")
    -- a message for the user, not a bug in a reader
    assert.is_nil(doc.error:find("attempt to", 1, true), what .. ": " .. doc.error)
    assert.is_nil(doc.error:find("%.lua:%d+:"), what .. ": " .. doc.error)
    assert.is_nil(doc.text, what .. ": text beside an error")
  else
    assert.is_string(doc.text, what .. ": text")
    assert.is_true(doc.text:find("%S") ~= nil, what .. ": blank text without an error")
    assert.is_true(tc.check_utf8(doc.text), what .. ": text is not UTF-8")
    if labelled then
      assert.is_table(doc.labels, what .. ": labels")
      assert.equal(1, #doc.labels, what .. ": label count")
      assert.is_true(#doc.labels[1] > 0 and not doc.labels[1]:find("\0", 1, true), what .. ": label name")
    end
  end
end

-- Read bytes s as `format` with `reader` ("documents" or "labelled"):
-- the records, or fail the test naming the input when reading raised.
local function records(reader, format, s)
  local path = H.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
  local out = {}
  local ok, err = pcall(function()
    for doc in read[reader](path, { format = format }) do out[#out + 1] = doc end
  end)
  os.remove(path)
  assert(ok, string.format("%s %s raised on %q: %s", reader, format, s, tostring(err)))
  return out
end

local cases = {
  { "documents", "jsonl", samples.jsonl, lines = true },
  { "documents", "csv", samples.csv },
  { "documents", "tsv", (samples.csv:gsub(",", "\t")) },
  { "documents", "lines", samples.lines },
  { "documents", "feed", samples.feed },
  { "documents", "text", samples.text },
  { "labelled", "fasttext", samples.fasttext, lines = true },
  { "labelled", "jsonl", samples.labelled_jsonl, lines = true },
  { "labelled", "csv", samples.labelled_csv },
}

describe("readers on damaged input", function()
  for _, case in ipairs(cases) do
    local reader, format, sample = case[1], case[2], case[3]
    it(reader .. " " .. format .. ": never raise, well-formed records" ..
       (case.lines and ", one per line" or ""), function()
      math.randomseed(seed)
      local n_error, n_text = 0, 0
      for round = 1, ROUNDS do
        local s = damaged(sample)
        local docs = records(reader, format, s)
        local what = string.format("%s %s round %d (%q)", reader, format, round, s)
        for _, doc in ipairs(docs) do
          check_record(what, doc, reader == "labelled")
          if doc.error then n_error = n_error + 1 else n_text = n_text + 1 end
        end
        -- (a file that begins with a UTF-16 byte order mark is read as UTF-16,
        -- whose lines are not those of its bytes)
        local utf16 = s:find("^\xfe\xff") or s:find("^\xff\xfe")
        if case.lines and not utf16 then
          -- a NUL in the first line with any bytes (within the first 8 KB)
          -- makes the whole file one "binary file" record; a later one is
          -- its own record's error
          local binary = s:sub(1, 8192):match("^[\r\n]*([^\n]*)"):find("\0", 1, true)
          local blank_lines = 0
          if reader == "labelled" then  -- train's readers hold no record for a blank line
            for line in (s:sub(-1) == "\n" and s or s .. "\n"):gmatch("(.-)\n") do
              if not line:find("%S") then blank_lines = blank_lines + 1 end
            end
          end
          local want = binary and 1 or count_lines(s) - blank_lines
          assert.equal(want, #docs, what .. ": records")
        end
      end
      -- the damage must leave some inputs readable and make others fail
      assert.is_true(n_text > 0 and n_error > 0, n_text .. " texts, " .. n_error .. " errors")
    end)
  end
end)
