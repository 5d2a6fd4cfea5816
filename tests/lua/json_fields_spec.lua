-- json_fields_spec.lua - tc.json_fields, the JSONL fast path of `label`,
-- held to lua-cjson: whatever line it handles, lua-cjson (as the command
-- line configures it: strict numbers) decodes to the same two fields; what
-- it does not handle it says so (false), and lua-cjson decides. And
-- tc.json_keys, the names of a line's members alone, held to the same.
local tc = require "textclass"
local cjson = require("cjson.safe").new()
cjson.decode_invalid_numbers(false)

-- The fields as lua-cjson sees them, in json_fields' terms.
local function cjson_view(v)
  if v == nil then return nil, "absent" end
  if type(v) == "string" then return v, "string" end
  if type(v) == "number" then return v, "number" end
  return nil, "other"
end

-- The line read again with a limit of 8 bytes (got: its fields without
-- one): a text field's string longer than that, holding more than white
-- space and no NUL byte, is measured (kind "large", its length); every
-- other field, and the id (names[2]), as without a limit.
local function measured_agrees(line, names, got)
  local again = table.pack(tc.json_fields(line, names[1], names[2], nil, 8, table.unpack(names, 3)))
  assert(again.n == got.n, string.format("%q: %d values with a limit, %d without", line, again.n, got.n))
  for i = 1, got.n, 2 do
    local v, kind = got[i], got[i + 1]
    local measured = i ~= 3 and kind == "string" and #v > 8 and v:find("%S") and not v:find("\0", 1, true)
                     and not (names[2] == names[(i + 1) // 2])
    if measured then
      assert(again[i + 1] == "large" and again[i] == #v, string.format("%q: field %d not measured", line, i))
    else
      assert(again[i + 1] == kind and again[i] == v, string.format("%q: field %d differs with a limit", line, i))
    end
  end
end

-- tc.json_keys of a line: false when json_fields (its result got) does
-- not handle the line, else the names of lua-cjson's object obj.
local function keys_agree(line, got, obj)
  local keys = tc.json_keys(line)
  if got[1] == false then
    assert(keys == false, string.format("%q: json_keys read a line json_fields does not", line))
    return
  end
  local want = {}
  for k in pairs(obj) do want[k] = true end
  assert.same(want, keys, string.format("%q: json_keys", line))
end

-- Check one line against lua-cjson, the fields named a, b and any more
-- after them (default "text", "id"), and json_keys (keys_agree); returns
-- whether json_fields handled it.
local function agrees(line, a, b, ...)
  a, b = a or "text", b or "id"
  local names, is_name = { a, b, ... }, {}
  for _, name in ipairs(names) do is_name[name] = true end
  local others = {}
  local got = table.pack(tc.json_fields(line, a, b, others, nil, ...))
  if got[1] == false then
    assert(got.n == 1)
    keys_agree(line, got)
    return false
  end
  assert(got.n == 2 * #names, string.format("%q: %d values for %d names", line, got.n, #names))
  local obj = cjson.decode(line)
  keys_agree(line, got, obj)
  assert(type(obj) == "table", "json_fields handled a line lua-cjson refuses: " .. string.format("%q", line))
  -- the other members: exactly lua-cjson's other keys, each value's JSON
  -- text decoding to lua-cjson's value
  for k, v in pairs(obj) do
    if not is_name[k] then
      assert(others[k] ~= nil, string.format("%q: member %s missing from others", line, k))
      assert.same(v, cjson.decode(others[k]), string.format("%q: member %s", line, k))
    end
  end
  for k in pairs(others) do
    assert(obj[k] ~= nil and not is_name[k], string.format("%q: others has %s", line, k))
  end
  for i, name in ipairs(names) do
    local f = { name, got[2 * i - 1], got[2 * i] }
    local want, kind = cjson_view(obj[f[1]])
    assert(kind == f[3], string.format("%q: field %s is %s, lua-cjson says %s", line, f[1], f[3], kind))
    if kind == "string" then
      assert(want == f[2], string.format("%q: field %s differs", line, f[1]))
    elseif kind == "number" then
      -- the token as written, which lua-cjson reads as the same number
      assert(tonumber(f[2]) + 0.0 == want + 0.0, string.format("%q: number %s vs %s", line, f[2], want))
    else
      assert(f[2] == nil)
    end
  end
  measured_agrees(line, names, got)
  return true
end

describe("tc.json_fields", function()
  it("reads the two fields of ordinary records", function()
    local text, tk, id, ik = tc.json_fields('{"id": "a-1", "text": "Hackers \\"stole\\" data.\\nMore.", "label": "cyber"}', "text", "id")
    assert.same({ 'Hackers "stole" data.\nMore.', "string", "a-1", "string" }, { text, tk, id, ik })
    text, tk, id, ik = tc.json_fields('{"text":"x","id":1234567890123456789}', "text", "id")
    assert.same({ "x", "string", "1234567890123456789", "number" }, { text, tk, id, ik })
    text, tk, id, ik = tc.json_fields('  {"body": "x", "nested": {"text": "not me"}}  \n', "text", "id")
    assert.same({ nil, "absent", nil, "absent" }, { text, tk, id, ik })
    text, tk = tc.json_fields('{"text": ["a"]}', "text", "id")
    assert.same({ nil, "other" }, { text, tk })
    assert.equal("\u{e9}\u{1F600}", (tc.json_fields('{"text": "\\u00e9\\ud83d\\ude00"}', "text", "id")))
    assert.equal("second", (tc.json_fields('{"text": "first", "text": "second"}', "text", "id")))
    local same_a, _, same_b = tc.json_fields('{"text": "both"}', "text", "text")
    assert.same({ "both", "both" }, { same_a, same_b })
    assert.equal("a\0b", (tc.json_fields('{"text": "a\\u0000b"}', "text", "id")))
    assert.equal("\xff\xfe", (tc.json_fields('{"text": "\xff\xfe"}', "text", "id"))) -- bytes pass through
    -- keys are compared with their escapes decoded, as lua-cjson does
    text, tk, id, ik = tc.json_fields('{"te\\u0078t": "x", "\\u0069d": 5}', "text", "id")
    assert.same({ "x", "string", "5", "number" }, { text, tk, id, ik })
  end)

  -- A text over --max-bytes had been decoded whole to be refused (a 100
  -- MB field of a record read with --text-field title,body: 392 MB at the
  -- peak; 203 MB measured).
  it("measures a text field longer than max instead of decoding it", function()
    local line = '{"id": "a-long-id-here", "title": "caf\\u00e9 au lait", "body": "short", "x": [1]}'
    local others = {}
    assert.same({ 13, "large", "a-long-id-here", "string", "short", "string" },
                { tc.json_fields(line, "title", "id", others, 10, "body") })
    assert.same({ x = "[1]" }, others)
    assert.same({ "caf\u{e9} au lait", "string", "a-long-id-here", "string" },
                { tc.json_fields(line, "title", "id", nil, 13) })
    -- the id is never measured
    assert.same({ nil, "absent", "a-long-id-here", "string" }, { tc.json_fields(line, "text", "id", nil, 2) })
    -- read after all: a NUL byte (binary data is told before the size),
    -- nothing but white space (a part of a joined text left out), the id's
    -- field named as a text field too
    assert.same({ "a\0 and more", "string", nil, "absent" }, { tc.json_fields('{"text": "a\\u0000 and more"}', "text", "id", nil, 5) })
    assert.same({ " \n\t\v  \r  ", "string", nil, "absent" },
                { tc.json_fields('{"text": " \\n\\t\\u000b  \\r  "}', "text", "id", nil, 5) })
    assert.same({ 10, "large", nil, "absent" }, { tc.json_fields('{"text": "   \\u00e9 x   "}', "text", "id", nil, 5) })
    assert.same({ "eleven byte", "string", "eleven byte", "string" },
                { tc.json_fields('{"text": "eleven byte"}', "text", "text", nil, 5) })
    assert.same({ nil, "absent", nil, "absent", 11, "large" },
                { tc.json_fields('{"text": "eleven byte"}', "body", "id", nil, 5, "text") })
  end)

  -- (a line over 64 KB has scan buffers of its own, where a string it
  -- does not want is measured, not decoded)
  it("agrees with lua-cjson on a line over 64 KB, damaged inside a long string it does not want", function()
    local long = string.rep("word \\u00e9\\n", 8000)   -- 96 KB as written
    for _, member in ipairs({ '"pad": "' .. long .. '"', '"pad": ["' .. long .. '", {"k": "' .. long .. '"}]' }) do
      local line = '{"id": 7, ' .. member .. ', "text": "t"}'
      assert.is_true(agrees(line))
      assert.is_true(agrees(line, "pad", "id"))
      for _, bad in ipairs({ "\1", "\\x", "\\ud800", '"' }) do
        local damaged = line:gsub("word", bad, 1)
        assert.is_false(agrees(damaged), bad)   -- (lua-cjson takes the raw control byte: it decides)
      end
    end
  end)

  it("hands everything but plain RFC 8259 objects back to lua-cjson", function()
    local refused = {
      "", "   ", "[1]", '"text"', "42", "null", "{", "}", '{"text": "x"', '{"text": "x"} x', '{"text": "x",}',
      '{"text" "x"}', '{text: "x"}', '{"text": "x\ty"}', '{"text": "\\x"}', '{"text": "\\ud83d"}',
      '{"text": "\\ude00"}', '{"text": "\\ud83dx"}', '{"text": "\\ud83d\\u0041"}', '{"text": "\\u12"}',
      '{"a": 01}', '{"a": 1.}', '{"a": .5}', '{"a": -}', '{"a": 1e}', '{"a": +1}', '{"a": 0x10}',
      '{"a": NaN}', '{"a": Infinity}', '{"a": tru}', '{"a": nul}', '{"a": [1,]}', '{"te\\u00": "x"}',
      '{"\\q": 1}', '{"a\\u0000\\ud83d": 1}',
      '{"text": "x"}\0', string.rep("[", 2000), '{"a": ' .. string.rep("[", 1000) .. string.rep("]", 1000) .. "}",
    }
    for _, line in ipairs(refused) do
      assert.equal(false, tc.json_fields(line, "text", "id"), string.format("%q", line))
    end
    -- lua-cjson's depth limit is 1000: one level less is still ours
    assert.is_true(agrees('{"a": ' .. string.rep("[", 998) .. string.rep("]", 998) .. "}"))
  end)

  it("agrees with lua-cjson on every line it handles: fixtures", function()
    local lines = {
      '{}', '{"text": ""}', '{"text": "x", "id": null}', '{"id": -0.5e-3, "text": "t"}', '{"id": 1e400, "text": "t"}',
      '{"id": true, "text": false}', '{"a": {"b": [1, 2, {"c": "d"}]}, "text": "deep"}',
      '{"text": "\\/\\\\\\b\\f\\n\\r\\t\\""}', ' \t\r\n{ "text" : "ws" } \r\n', '{"text": "é ü 東京"}',
      '{"te\\u0078t": "escaped key", "\\"q\\"": [], "a\\nb": {"\\u00e9": 1}}',
    }
    for _, line in ipairs(lines) do assert.is_true(agrees(line), string.format("%q", line)) end
  end)

  it("agrees with lua-cjson on thousands of generated and damaged lines", function()
    math.randomseed(20261125)
    local pieces = { "a", "Z", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0000", "é",
                     "\xe6\x9d\xb1", "\xff", ",", ":", "{", "}", "[", "]", "text", "id" }
    local function rstring()
      local t = {}
      for i = 1, math.random(0, 12) do t[i] = pieces[math.random(#pieces)] end
      return '"' .. table.concat(t) .. '"'
    end
    local plain = { "a", "Z", " ", "é", "\xe6\x9d\xb1", "text", "id", "\\u0074", "\\n", "\\\"" }
    local function rkey()
      local t = {}
      for i = 1, math.random(0, 4) do t[i] = plain[math.random(#plain)] end
      return '"' .. table.concat(t) .. '"'
    end
    local scalars = { "0", "-1", "12.5", "1e3", "-0.0E-2", "true", "false", "null", "1234567890123456789" }
    local function rvalue(depth)
      local r = math.random(10)
      if r <= 4 then return rstring() end
      if r <= 7 or depth > 3 then return scalars[math.random(#scalars)] end
      if r == 8 then
        local t = {}
        for i = 1, math.random(0, 3) do t[i] = rvalue(depth + 1) end
        return "[" .. table.concat(t, ",") .. "]"
      end
      local t = {}
      for i = 1, math.random(0, 3) do t[i] = rkey() .. ":" .. rvalue(depth + 1) end
      return "{" .. table.concat(t, ", ") .. "}"
    end
    local function robject()
      local keys = { '"text"', '"id"', '"label"', rkey() }
      local t = {}
      for i = 1, math.random(0, 5) do t[i] = keys[math.random(#keys)] .. ": " .. rvalue(1) end
      return "{" .. table.concat(t, ", ") .. "}"
    end
    local handled, total = 0, 0
    for _ = 1, 3000 do
      local line = robject()
      total = total + 1
      -- (valid JSON nested 4 deep at most: it must be handled)
      assert.is_true(agrees(line), line)
      -- more names (a text in several fields), one of them twice
      assert.is_true(agrees(line, "text", "id", "label", "text"), line)
      handled = handled + 1
      -- damage it: drop, flip or insert a byte
      for _ = 1, 2 do
        local i = math.random(1, #line + 1)
        local r = math.random(3)
        local bad
        if r == 1 then bad = line:sub(1, i - 1) .. line:sub(i + 1)
        elseif r == 2 then bad = line:sub(1, i - 1) .. string.char(math.random(0, 255)) .. line:sub(i + 1)
        else bad = line:sub(1, i - 1) .. pieces[math.random(#pieces)] .. line:sub(i) end
        total = total + 1
        local ok = agrees(bad)
        if ok then handled = handled + 1 end
        assert.equal(ok, agrees(bad, "label", "id", "text"), bad)
      end
    end
    -- the fast path is taken, not just allowed to exist
    assert.is_true(handled > total / 5, handled .. " of " .. total .. " handled")
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.json_fields() end, "bad argument #1")
    assert.error_matches(function() tc.json_fields("{}", "text") end, "bad argument #3")
    assert.error_matches(function() tc.json_fields("{}", "a", "b", "c") end, "bad argument #4 .*table expected")
    assert.error_matches(function() tc.json_fields("{}", "a", "b", {}, {}) end, "bad argument #5 .*number expected")
    assert.error_matches(function() tc.json_fields("{}", "a", "b", {}, -1) end, "bad argument #5 .*must be >= 0")
    assert.error_matches(function() tc.json_fields("{}", "a", "b", {}, 1.5) end, "bad argument #5 .*integer")
    assert.error_matches(function() tc.json_fields("{}", "a", "b", {}, nil, {}) end, "bad argument #6 .*string expected")
    local names = {}
    for i = 1, 31 do names[i] = "n" .. i end
    assert.equal(64, select("#", tc.json_fields("{}", "a", "b", nil, nil, table.unpack(names, 1, 30))))
    assert.error_matches(function() tc.json_fields("{}", "a", "b", nil, nil, table.unpack(names)) end,
                         "bad argument #36 .*at most 32 field names")
    assert.error_matches(function() tc.json_keys() end, "bad argument #1")
    assert.error_matches(function() tc.json_keys("{}", "text") end, "bad argument #2 .*unexpected argument")
  end)

  it("reads more fields, named after the others table and the limit, in order", function()
    local line = '{"id": 1, "title": "Bank \\u00e9 hacked", "body": "Thieves took data.", "n": 2, "x": [1]}'
    local others = {}
    assert.same({ "Bank \u{e9} hacked", "string", "1", "number", "Thieves took data.", "string",
                  nil, "absent", "2", "number" },
                { tc.json_fields(line, "title", "id", others, nil, "body", "nope", "n") })
    assert.same({ x = "[1]" }, others)
    -- without the others table, and a name given twice
    assert.same({ "Thieves took data.", "string", "1", "number", "Thieves took data.", "string" },
                { tc.json_fields(line, "body", "id", nil, nil, "body") })
    assert.same({ false }, { tc.json_fields('{"title": 1,}', "title", "id", nil, nil, "body") })
  end)

  it("hands over the other members as written, and only on request", function()
    local others = {}
    local line = '{"id": 7, "tags": [], "meta": { }, "big": 12345678901234567890, "s": "\\u00e9", ' ..
                 '"text": "first", "n": null, "text": "last", "nested": {"a": [1, {"b": true}]}}'
    local text, tk, id, ik = tc.json_fields(line, "text", "id", others)
    assert.same({ "last", "string", "7", "number" }, { text, tk, id, ik })
    assert.same({ tags = "[]", meta = "{ }", big = "12345678901234567890", s = '"\\u00e9"', n = "null",
                  nested = '{"a": [1, {"b": true}]}' }, others)
    assert.same({ "last", "string", "7", "number" }, { tc.json_fields(line, "text", "id") })
    -- an escaped name is stored decoded, its value as written
    others = {}
    assert.equal("x", (tc.json_fields('{"text": "x", "caf\\u00e9": [ ], "a\\"b": "\\n"}', "text", "id", others)))
    assert.same({ ["caf\u{e9}"] = "[ ]", ['a"b'] = '"\\n"' }, others)
  end)
end)

-- tc.json_precheck's answer for a line nested too deep stands in for
-- lua-cjson's (the readers then do not give it the line): where it says
-- level 1001 opens, lua-cjson says so too, at the same character.
describe("tc.json_precheck", function()
  local deep_cjson = require("cjson.safe").new()
  deep_cjson.decode_max_depth(1000)
  local TOO_DEEP = "Found too many nested data structures (1001) at character %d"

  it("finds the 1001st level where lua-cjson does, on generated and damaged lines", function()
    math.randomseed(20261128)
    local opens = { "[", "[ ", '{"k":', '{ "a\\u0062" :\n', "[1, ", '{"x": "]}[{", "y":', "[{}, [], " }
    local damage = { "\t", "\"", "x", "]", "}", ",", "1.", "\\", "\0" }
    local said, clean = 0, 0
    for _ = 1, 400 do
      local t = { ({ "", '{"text": ', ' {"id": "a", "text": ' })[math.random(3)] }
      for _ = 1, math.random(990, 1006) do t[#t + 1] = opens[math.random(#opens)] end
      local line = table.concat(t) .. ("]"):rep(math.random(0, 3))
      local damaged = math.random(2) == 1
      if damaged then
        local i = math.random(1, #line + 1)
        line = line:sub(1, i - 1) .. damage[math.random(#damage)] .. line:sub(i)
      end
      local at = tc.json_precheck(line)
      local _, err = deep_cjson.decode(line)
      if at then
        said = said + 1
        assert.equal(TOO_DEEP:format(at), err, line)
      elseif not damaged then
        -- (strict JSON as far as it goes: nothing lua-cjson reads on past)
        clean = clean + 1
        assert.is_nil(tostring(err):find("too many nested", 1, true), line)
      end
    end
    assert.is_true(said > 50 and clean > 50, said .. " too deep, " .. clean .. " clean")
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.json_precheck() end, "bad argument #1")
    assert.error_matches(function() tc.json_precheck("[]", 1) end, "bad argument #2 .*unexpected argument")
  end)
end)
