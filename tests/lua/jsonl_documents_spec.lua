-- jsonl_documents_spec.lua - the JSONL reader's fast path (tc.jsonl_documents,
-- the lines of a block at once) held to its general path (jsonl_document,
-- one line at a time, as every line was read before it): on damaged files,
-- in blocks and across their ends, with every reading option that changes
-- what a line gives, both paths must give the same records, field for
-- field. The seed is fixed, so a failure reproduces; TEXTCLASS_FUZZ_SEED
-- picks another.
local tc = require "textclass"
local read = require "textclass.read"
local unlabelled = require "textclass.cli.unlabelled"
local labelled = require "textclass.cli.labelled"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function()
  unlabelled.fast_jsonl = true
  labelled.fast_jsonl = true
  H.cleanup()
end)

local seed = tonumber(os.getenv("TEXTCLASS_FUZZ_SEED")) or 20261126

local sample = H.read("tests/data/cli/articles.jsonl")
local sample_lines = {}
for line in sample:gmatch("[^\n]+") do sample_lines[#sample_lines + 1] = line end

-- Lines the fast path takes and lines it must leave to the general path.
local specials = {
  '{"id":"a","text":"A plain article about the budget vote."}',
  '{"id":7,"text":"An id that is a number."}',
  '{"id":1.5e3,"text":"An id that is a number with an exponent."}',
  '{"text":"No id: its place stands for it."}',
  '{"id":null,"text":"A null id."}',
  '{"id":"","text":"An empty id: its place stands for it."}',
  '{"id":5.0,"meta":{"id":1},"text":"A number id, and another id inside."}',
  '{"id":["x"],"text":"An id that is a list."}',
  '{"id":"esc\\u00e9\\"q\\"","text":"Escapes\\n\\tin \\u2019both\\u2019 fields \\ud83d\\ude00."}',
  '{"te\\u0078t":"A key with an escape.","id":"k"}',
  '{"id":"dup","text":"first","text":"The last of two texts wins."}',
  '{"id":"f","text":"Other fields are kept.","n":1e999,"l":[],"o":{"a":[1,{}]},"s":"x\\u0000y"}',
  '{"id":"empty","text":""}',
  '{"id":"blank","text":"  \\n\\t "}',
  '{"id":"nul","text":"a\\u0000b"}',
  '{"id":"page","text":"<html><body><p>A page in a field.</p></body></html>"}',
  '{"id":"lt","text":"<b>bold</b> start"}',
  '{"id":"space","text":" A text that begins with a space."}',
  '{"id":"bom","text":"\239\187\191A byte order mark."}',
  '{"id":"vt","text":"\\u000bA vertical tab first."}',
  '{"id":"bad","text":"invalid \255 byte"}',
  '{"id":"lone","text":"a lone \\ud800 surrogate"}',
  '{"id":"num","text":42}',
  '{"id":"obj","text":{"a":1}}',
  '{"id":"missing"}',
  '[1,2,3]',
  '"a string"',
  '{"id":"x","text":"trailing"} junk',
  '{"id":"x","text":"raw\ttab"}',
  '{"id":"x","text":"CRLF line"}\r',
  '',
  '   ',
  'not json at all',
  '{"id":"long","text":"' .. string.rep("word ", 400) .. '"}',
  '{"id":"padded","text":"A short text in a long line.","pad":"' .. string.rep("p", 600) .. '"}',
}

-- A file of n lines drawn from the sample, the specials and damaged
-- copies of both (damage as in readers_fuzz_spec: cut, spliced, bytes).
local pieces = { "\n", "\r\n", "\0", '"', "\\", '\\"', "\\u0000", "\\ud800", "{", "}", ":", ",", "<",
  "\xff", "\xef\xbb\xbf", "\xc3", " ", '"text":', '"id":1' }
local function damaged(s)
  local i = math.random(#s + 1)
  local r = math.random(3)
  if r == 1 then return s:sub(1, i) end
  if r == 2 then return s:sub(1, i - 1) .. pieces[math.random(#pieces)] .. s:sub(i) end
  return s:sub(1, i - 1) .. s:sub(i + math.random(1, 20))
end
local function file_of(n)
  local out = {}
  for i = 1, n do
    local r = math.random(10)
    local line = r <= 5 and sample_lines[math.random(#sample_lines)] or specials[math.random(#specials)]
    if r % 3 == 0 then line = damaged(line) end
    if math.random(50) == 1 then  -- a line that crosses a 64 KB block
      line = '{"id":"big' .. i .. '","text":"' .. string.rep("x", math.random(30000, 140000)) .. '"}'
    end
    out[i] = line
  end
  local s = table.concat(out, "\n")
  if math.random(2) == 1 then s = s .. "\n" end
  return s
end

-- Labels as labelled JSONL holds them, right and wrong.
local label_pieces = { '"label":"sport"', '"label":"pol\\u00edtica"', '"label":""', '"label":null',
  '"label":["sport","cyber"]', '"label":[]', '"label":7', '"labels":"cyber"', '"labels":["other"]',
  '"label":"a\\u0000b"', '"label":"sci,tech"', '"label":"bad \255"', '"label":"x","labels":"y"', '"topic":"sport"', '',
  -- integers, which the fast path takes as written up to 15 digits, and
  -- numbers it leaves to the general path
  '"label":0', '"label":-3', '"label":-0', '"label":1.5', '"label":1.0', '"label":1e3', '"label":123456789012345',
  '"label":1234567890123456', '"label":9007199254740993', '"label":1e999', '"labels":[0,2]', '"label":true',
  '"topic":-12' }

-- A labelled file: the file_of lines with a label piece put in each object.
local function labelled_file_of(n)
  local s = file_of(n)
  return (s:gsub("{", function()
    local piece = label_pieces[math.random(#label_pieces)]
    return piece == "" and "{" or "{" .. piece .. ","
  end, 1000000))
end

local function documents(path, opts, reader)
  local out = {}
  for doc in read[reader or "documents"](path, opts) do out[#out + 1] = doc end
  return out
end

local function same_records(what, a, b)
  assert.equal(#a, #b, what .. ": record count")
  for i = 1, #a do
    local x, y = a[i], b[i]
    local where = string.format("%s, record %d", what, i)
    assert.equal(x.id, y.id, where .. ": id")
    assert.equal(x.text, y.text, where .. ": text")
    assert.equal(x.error, y.error, where .. ": error")
    assert.same(x.fields, y.fields, where .. ": fields")
    assert.equal(x.where, y.where, where .. ": where")
    assert.same(x.labels, y.labels, where .. ": labels")
  end
end

-- Both paths over the same file and options; returns the records.
local function both(path, opts, what, reader)
  local module = reader == "labelled" and labelled or unlabelled
  module.fast_jsonl = false
  local general = documents(path, opts, reader)
  module.fast_jsonl = true
  local fast = documents(path, opts, reader)
  same_records(what, general, fast)
  return fast
end

-- `rounds` files made by make_file(lines), each read by both paths of
-- `reader` with every option set; the records must agree, and the files
-- must give plenty of both texts and errors.
local function compare(reader, rounds, make_file, option_sets)
  local n_text, n_error = 0, 0
  for round = 1, rounds do
    local path = H.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(make_file(math.random(1, 400)))
    f:close()
    for k, opts in ipairs(option_sets) do
      local docs = both(path, opts, string.format("%s round %d, options %d", reader, round, k), reader)
      for _, doc in ipairs(docs) do
        if doc.error then n_error = n_error + 1 else n_text = n_text + 1 end
      end
    end
    os.remove(path)
  end
  assert.is_true(n_text > 1000 and n_error > 1000, n_text .. " texts, " .. n_error .. " errors")
end

describe("tc.jsonl_documents", function()
  it("gives the general path's records, on damaged files and across blocks", function()
    math.randomseed(seed)
    compare("documents", 60, file_of, {
      { format = "jsonl" },
      { format = "jsonl", keep_fields = false },
      { format = "jsonl", no_html = true },
      { format = "jsonl", replace_invalid = true },
      { format = "jsonl", max_bytes = 64 },  -- texts too large, lines too long (8 x 64)
      { format = "jsonl", id_field = "n", text_field = "id" },
    })
  end)

  it("gives the labelled reader's records (train, eval), on damaged files and across blocks", function()
    math.randomseed(seed + 1)
    compare("labelled", 40, labelled_file_of, {
      { format = "jsonl" },
      { format = "jsonl", label_field = "topic" },
      { format = "jsonl", no_html = true, replace_invalid = true },
      { format = "jsonl", max_bytes = 64 },
    })
  end)

  it("reads the lines of a block in one call, and leaves the rest to the reader", function()
    local chunk = table.concat({
      '{"id":"a","text":"One."}',
      '{"text":"Two, without an id."}',
      '{"id":3,"text":"<p>A page?</p>"}',
      'not json',
      '{"id":"f","text":"Five.","x":[1, 2]}',
    }, "\n") .. "\n"
    local docs = tc.jsonl_documents(chunk, { text_field = "text", id_field = "id", where = "in.jsonl:",
      line = 10, limit = 1000, max_bytes = 100, keep_fields = true, sniff_html = true, check_utf8 = true })
    assert.equal(5, #docs)
    assert.same({ id = "a", where = "in.jsonl:10", text = "One.", fields = {} }, docs[1])
    assert.same({ id = "in.jsonl:11", text = "Two, without an id.", fields = {} }, docs[2])
    assert.equal('{"id":3,"text":"<p>A page?</p>"}\n', docs[3])
    assert.equal("not json\n", docs[4])
    assert.same({ id = "f", where = "in.jsonl:14", text = "Five.", fields = { x = "[1, 2]" } }, docs[5])
  end)

  -- A text over max_bytes was decoded, pushed and then the line copied for
  -- the reader, which decoded it again to refuse it: a 100 MB text cost
  -- four times its size. It is now measured (escapes decoded) and refused
  -- here, in the reader's words; one holding a NUL byte is still the
  -- reader's (binary data is told first).
  it("refuses a text over max_bytes by its length, without decoding it", function()
    local opts = { text_field = "text", id_field = "id", where = "in.jsonl:", line = 1, limit = 1000,
      max_bytes = 10, keep_fields = true, sniff_html = true, check_utf8 = true }
    local lines = { '{"id":"a","text":"caf\\u00e9 au lait","n":[1]}', '{"text":"<p>eleven b</p>"}',
                    '{"id":"z","text":"a\\u0000 and more"}', '{"id":"ok","text":"caf\\u00e9 lait"}' }
    local docs = tc.jsonl_documents(table.concat(lines, "\n") .. "\n", opts)
    assert.same({ id = "a", where = "in.jsonl:1", fields = { n = "[1]" },
                  error = "document too large (13 bytes, limit 10)" }, docs[1])
    assert.same({ id = "in.jsonl:2", fields = {}, error = "document too large (15 bytes, limit 10)" }, docs[2])
    assert.equal(lines[3] .. "\n", docs[3])
    assert.same({ id = "ok", where = "in.jsonl:4", text = "caf\u{E9} lait", fields = {} }, docs[4])
    opts.keep_fields, opts.labelled = false, true
    docs = tc.jsonl_documents('{"text":"far too long a text","label":"x"}\n', opts)
    assert.same({ id = "in.jsonl:1", where = "in.jsonl:1", labels = { "x" },
                  error = "document too large (19 bytes, limit 10)" }, docs[1])
  end)

  it("reads the lines from byte first to byte last of the chunk, as chunk:sub(first, last) holds them", function()
    local chunk = '{"id":"a","text":"One."}\n{"id":"b","text":"Tw\\u00f6."}\n{"text":"Three."}\nnot json\n'
    local opts = { text_field = "text", id_field = "id", where = "in.jsonl:", line = 4, limit = 1000,
      max_bytes = 100, keep_fields = false, sniff_html = true, check_utf8 = true }
    local starts = { 1 }
    for i in chunk:gmatch("\n()") do starts[#starts + 1] = i end
    for a = 1, #starts do
      for b = a, #starts do
        local first, last = starts[a], starts[b] - 1
        local docs = tc.jsonl_documents(chunk, opts, first, last)
        assert.same(tc.jsonl_documents(chunk:sub(first, last), opts), docs)
        assert.equal(b - a, #docs)
      end
    end
    assert.same({ id = "b", where = "in.jsonl:4", text = "Tw\u{F6}." },
                tc.jsonl_documents(chunk, opts, starts[2], starts[3] - 1)[1])
    assert.same({ id = "in.jsonl:4", text = "Three." }, tc.jsonl_documents(chunk, opts, starts[3])[1])
  end)

  it("takes a labelled record's integer label as its digits, and leaves any other number to the reader", function()
    local lines = { '{"text":"A.","label":0}', '{"text":"B.","label":-30}', '{"text":"C.","label":123456789012345}',
                    '{"text":"D.","label":-0}', '{"text":"E.","label":1.0}', '{"text":"F.","label":1e3}',
                    '{"text":"G.","label":1234567890123456}' }
    local docs = tc.jsonl_documents(table.concat(lines, "\n") .. "\n", { text_field = "text", id_field = "id",
      where = "in.jsonl:", line = 1, limit = 1000, max_bytes = 100, labelled = true })
    assert.same({ id = "in.jsonl:1", where = "in.jsonl:1", text = "A.", labels = { "0" } }, docs[1])
    assert.same({ "-30" }, docs[2].labels)
    assert.same({ "123456789012345" }, docs[3].labels)
    for i = 4, #lines do assert.equal(lines[i] .. "\n", docs[i]) end
  end)

  it("refuses bad options", function()
    local opts = { text_field = "text", id_field = "id", where = "-:", line = 1, limit = 10, max_bytes = 10 }
    assert.has_error(function() tc.jsonl_documents("{}") end)
    assert.has_error(function() tc.jsonl_documents("{}", opts, 1, 2, 3) end)
    -- the lines' place in the chunk: from its first byte to its last, or none
    for _, range in ipairs({ { 0, 2 }, { 4, 2 }, { 1, 3 }, { 2, 0 }, { 1.5, 2 }, { "x", 2 } }) do
      assert.has_error(function() tc.jsonl_documents("{}", opts, range[1], range[2]) end, nil,
                       range[1] .. ", " .. range[2])
    end
    assert.same({}, tc.jsonl_documents("{}", opts, 3, 2))
    for _, key in ipairs({ "text_field", "id_field", "where", "line", "limit", "max_bytes" }) do
      local bad = {}
      for k, v in pairs(opts) do bad[k] = v end
      bad[key] = key == "line" and 0 or {}
      assert.has_error(function() tc.jsonl_documents("{}", bad) end, nil, key)
    end
    -- a first line number whose chunk's last one is no integer (UBSan: signed overflow)
    local chunk = '{"text":"a"}\n{"text":"b"}\n'
    local high = {}
    for k, v in pairs(opts) do high[k] = v end
    high.limit, high.max_bytes, high.line = 100, 100, math.maxinteger
    assert.has_error(function() tc.jsonl_documents(chunk, high) end,
      "jsonl_documents: 'line' 9223372036854775807 is too large for a chunk of 26 bytes")
    high.line = math.maxinteger - #chunk
    assert.equal("-:" .. (math.maxinteger - #chunk + 1), tc.jsonl_documents(chunk, high)[2].id)
    -- a where with a NUL byte (ids were cut there: "a1", not "a\0b:1")
    high.line, high.where = 1, "a\0b:"
    assert.has_error(function() tc.jsonl_documents(chunk, high) end, "jsonl_documents: 'where' contains a NUL byte")
  end)

  it("gives every record intact when a finalizer reads JSON during the call (its buffer is not shared)", function()
    -- Texts decoded into the buffer kept from call to call, then other
    -- fields kept (allocations, at which the collector, made to step at
    -- each, runs finalizers) before each text is pushed; each finalizer
    -- reads other texts of the same length, into a buffer of its own, not
    -- the one in use (shared, 14 of these 4,000 texts came back as a
    -- finalizer's), and leaves another finalizer behind. In a Lua of its
    -- own: when finalizers run depends on the heap, the suite's is larger.
    local script = H.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([==[
      local tc = require "textclass"
      local lines, others = {}, {}
      for i = 1, 200 do
        lines[i] = string.format('{"text":"Text \\u00e9 %04d","a":[%d],"b":{"c":"%s"}}', i, i, ("x"):rep(i))
        others[i] = string.format('{"text":"Junk \\u00e8 %04d","d":%d}', i, i)
      end
      local chunk, junk = table.concat(lines, "\n") .. "\n", table.concat(others, "\n") .. "\n"
      local opts = { text_field = "text", id_field = "id", where = "in.jsonl:", line = 1, limit = 1000,
        max_bytes = 100, keep_fields = true, sniff_html = true, check_utf8 = true }
      local inside, ran_inside, wrong = false, 0, 0
      local finalizer = {}
      finalizer.__gc = function()
        if inside then ran_inside = ran_inside + 1 end
        tc.jsonl_documents(junk, opts)
        setmetatable({}, finalizer)
      end
      collectgarbage("incremental", 0, 1, 0)
      for _ = 1, 20 do
        for _ = 1, 50 do setmetatable({}, finalizer) end
        inside = true
        local docs = tc.jsonl_documents(chunk, opts)
        inside = false
        for i = 1, #lines do
          if docs[i].text ~= string.format("Text \u{E9} %04d", i) then wrong = wrong + 1 end
        end
      end
      print(ran_inside, wrong)
      os.exit(0, false) -- (no collection at exit: the finalizers would go on)
    ]==])
    f:close()
    local ok, out, err = H.run(script)
    assert(ok, err)
    local ran_inside, wrong = out:match("^(%d+)\t(%d+)\n$")
    assert.truthy(tonumber(ran_inside) > 0, out)
    assert.equal("0", wrong)
  end)

  it("reads its options raw: no __index of theirs runs", function()
    local chunk = '{"id":"a","text":"One."}\n{"text":"Two."}\n'
    local opts = { text_field = "text", id_field = "id", where = "in.jsonl:", line = 1, limit = 1000,
      max_bytes = 100, keep_fields = false, sniff_html = true, check_utf8 = true }
    local calls = 0
    local function counting(values)
      return setmetatable({}, { __index = function(_, k) calls = calls + 1; return values[k] end })
    end
    local ok, err = pcall(tc.jsonl_documents, chunk, counting(opts))
    assert.is_false(ok)
    assert.truthy(err:find("'text_field' must be a string", 1, true), err)
    -- fresh strings from __index (the reviewer's use after free) are not read either
    local plain = {}
    for k, v in pairs(opts) do plain[k] = v end
    setmetatable(plain, { __index = function(_, k)
      calls = calls + 1
      if k == "labelled" then return true end
      if k == "label_field" then return ("lab" .. "el"):rep(1) end
    end })
    assert.same(tc.jsonl_documents(chunk, opts), tc.jsonl_documents(chunk, plain))
    assert.equal(0, calls)
  end)
end)
