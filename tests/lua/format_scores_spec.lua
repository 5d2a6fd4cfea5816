-- format_scores_spec.lua - tc.format_scores, the "label:score" lists that
-- `label` prints, held to string.format("%.4f") (and "nan" for NaN, as
-- util.fmt_score spells it) on random numbers, decimal ties and their
-- neighbours, and special values; and tc.format_field, label's TSV and CSV
-- fields and JSON strings, held to the Lua the writers used before it.
local tc = require "textclass"

-- What the Lua writers printed before: "%.4f", NaN as "nan".
local function want4(x)
  if x ~= x then return "nan" end
  return string.format("%.4f", x)
end

-- The double next to x in the direction of the bits (+1 or -1): the
-- neighbours of a tie are where a shortcut would round wrongly.
local function step(x, d)
  local bits = string.unpack("<i8", string.pack("<d", x))
  return (string.unpack("<d", string.pack("<i8", bits + d)))
end

-- Format xs in one call (names "1", "2", ...) and compare item by item.
local function check_all(xs)
  local names, scores = {}, {}
  for i, x in ipairs(xs) do names[i] = tostring(i); scores[names[i]] = x end
  local got = tc.format_scores(names, scores)
  local i = 0
  for pair in (got .. ","):gmatch("([^,]*),") do
    i = i + 1
    local want = tostring(i) .. ":" .. want4(xs[i])
    if pair ~= want then
      error(string.format("%.17g: got %s, string.format gives %s", xs[i], pair, want), 2)
    end
  end
  assert.equal(#xs, i)
end

describe("tc.format_scores", function()
  it("prints pairs in the given order, joined by commas", function()
    assert.equal("b:0.7500,a:0.2500", tc.format_scores({ "b", "a" }, { a = 0.25, b = 0.75 }))
    assert.equal("", tc.format_scores({}, {}))
  end)

  -- (docs/cli.md: a label name may hold a colon, as a pair's score is
  -- what follows its last colon; it holds no comma)
  it("leaves a colon in a name harmless: each pair splits at its last colon", function()
    local names, scores = { "a:b", "c", "d::" }, { ["a:b"] = 0.5, c = -2.25, ["d::"] = 1e6 }
    local s = tc.format_scores(names, scores)
    assert.equal("a:b:0.5000,c:-2.2500,d:::1000000.0000", s)
    local back = {}
    for pair in s:gmatch("[^,]+") do
      local name, score = pair:match("^(.*):([^:]*)$")
      back[#back + 1] = name
      assert.equal(string.format("%.4f", scores[name]), score)
    end
    assert.same(names, back)
  end)
  it("prints each score exactly as string.format('%.4f') does on random scores", function()
    math.randomseed(20261125)
    for _ = 1, 200 do
      local xs = {}
      for j = 1, 1000 do xs[j] = math.random() end
      check_all(xs)
    end
    -- decision values and other scores up to 1000: one to four integer digits
    for _ = 1, 20 do
      local xs = {}
      for j = 1, 1000 do xs[j] = math.random() * 10 ^ math.random(0, 3) end
      check_all(xs)
    end
  end)

  it("rounds decimal ties and their neighbours as string.format does", function()
    local xs = {}
    for k = 0, 20000 do
      local tie = (k + 0.5) / 10000   -- the nearest double to a tie
      xs[#xs + 1] = tie
      xs[#xs + 1] = step(tie, 1)
      xs[#xs + 1] = step(tie, -1)
      xs[#xs + 1] = step(tie, 3)
      xs[#xs + 1] = step(tie, -3)
      xs[#xs + 1] = k / 10000
    end
    -- exact binary ties: multiples of 1/2^n whose 5th decimal is 5
    for _, x in ipairs({ 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625,
                         0.001953125, 0.0009765625, 0.00048828125, 0.000244140625,
                         1.00005, 2.99995, 999.99995, 999.49995 }) do
      xs[#xs + 1] = x
    end
    check_all(xs)
  end)

  it("prints large, negative, tiny and special values as string.format does", function()
    check_all({ 0.0, -0.0, 1, 2, 999.9999, 999.99994999, 1000, 1000.00005, 123456.789, 1e15, 1e300,
                -1e-5, -0.00004, -0.5, -123.45678, 1e-300, 5e-324, math.huge, -math.huge,
                3, math.maxinteger, math.mininteger })
    assert.equal("x:nan", tc.format_scores({ "x" }, { x = 0 / 0 }))
    assert.equal("x:nan", tc.format_scores({ "x" }, { x = -(0 / 0) }))
  end)

  it("prints names through the quoted table, metamethods included", function()
    local calls = 0
    local quoted = setmetatable({ a = "A" }, { __index = function(t, k)
      calls = calls + 1
      local q = "<" .. k .. ">"
      rawset(t, k, q)
      return q
    end })
    assert.equal("A:0.1000,<b>:0.2000,<b>:0.2000", tc.format_scores({ "a", "b", "b" }, { a = 0.1, b = 0.2 }, quoted))
    assert.equal(1, calls)
    assert.equal("a:0.1000", tc.format_scores({ "a" }, { a = 0.1 }, nil))
  end)

  it("prints a number name as tostring does", function()
    assert.equal("7:0.5000,1.5:0.2500", tc.format_scores({ 7, 1.5 }, { [7] = 0.5, [1.5] = 0.25 }))
  end)

  it("refuses a score that is not a number, naming the label", function()
    assert.has_error(function() tc.format_scores({ "a", "b" }, { a = 0.5 }) end,
      "format_scores: the score of label 'b' is nil, not a number")
    assert.has_error(function() tc.format_scores({ "a" }, { a = "0.5x" }) end,
      "format_scores: the score of label 'a' is string, not a number")
    -- a name quoted lacks, or a name that is neither string nor number, printed "nil", "true"
    assert.has_error(function() tc.format_scores({ "a", "b" }, { a = 0.5, b = 0.25 }, { a = "A" }) end,
      "format_scores: the quoted form of label 'b' is nil, not a string")
    assert.has_error(function() tc.format_scores({ "a" }, { a = 0.5 }, { a = {} }) end,
      "format_scores: the quoted form of label 'a' is table, not a string")
    assert.has_error(function() tc.format_scores({ "a", true }, { a = 0.5, [true] = 0.25 }) end,
      "format_scores: names[2] is boolean, not a string")
    assert.has_error(function() tc.format_scores("a", {}) end)
    assert.has_error(function() tc.format_scores({}, {}, 5) end)
  end)
end)

-- What the writers printed before tc.format_field: TSV's escapes and
-- CSV's quoting, with string patterns.
local TSV_ESCAPES = { ["\\"] = "\\\\", ["\t"] = "\\t", ["\r"] = "\\r", ["\n"] = "\\n", ["\0"] = "\\0" }
local function lua_tsv(s)
  return (s:gsub("[\\\t\r\n%z]", TSV_ESCAPES))
end
local function lua_csv(s)
  if s:find('[,"\r\n]') or s:find("^%s") or s:find("%s$") then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end
-- And JSON strings with lua-cjson's encode, bytes that are not UTF-8 as
-- U+FFFD first, "/" then unescaped.
local cjson = require "cjson"
local utf8_safe = require("textclass.cli.util").utf8_safe
local function lua_json(s)
  return (cjson.encode(utf8_safe(s)):gsub("\\/", "/"))
end

describe("tc.format_field", function()
  it("escapes a TSV field and quotes a CSV field only when it needs it", function()
    assert.equal("agnews-7596", tc.format_field("agnews-7596", "tsv"))
    assert.equal("a\\tb\\\\c\\r\\n\\0", tc.format_field("a\tb\\c\r\n\0", "tsv"))
    assert.equal("agnews-7596", tc.format_field("agnews-7596", "csv"))
    assert.equal('"a,b"', tc.format_field("a,b", "csv"))
    assert.equal('"say ""hi"""', tc.format_field('say "hi"', "csv"))
    assert.equal('" lead"', tc.format_field(" lead", "csv"))
    assert.equal('"trail\t"', tc.format_field("trail\t", "csv"))
    assert.equal("", tc.format_field("", "csv"))
    assert.equal("", tc.format_field("", "tsv"))
    assert.equal("7", tc.format_field(7, "tsv"))
  end)

  it("gives what the writers' string patterns gave, on random bytes", function()
    math.randomseed(20261126)
    -- bytes that matter (separators, quotes, escapes, white space) often
    local alphabet = { "a", "Z", "0", ",", '"', "\\", "\t", "\r", "\n", "\0", " ", "\v", "\f", ";", "\255", "\195\169" }
    for _ = 1, 20000 do
      local parts = {}
      for j = 1, math.random(0, 12) do parts[j] = alphabet[math.random(#alphabet)] end
      local s = table.concat(parts)
      assert.equal(lua_tsv(s), tc.format_field(s, "tsv"))
      assert.equal(lua_csv(s), tc.format_field(s, "csv"))
    end
  end)

  -- lua-cjson's encode grows its buffer to six times the string first,
  -- and ends the process when it cannot (util.json used it)
  it("writes a JSON string as util.json wrote it with lua-cjson, on random bytes", function()
    math.randomseed(20261128)
    local alphabet = { "a", "/", '"', "\\", "\b", "\f", "\n", "\r", "\t", "\0", "\1", "\31", "\127", "\128",
                       "\194\133", "\195\169", "\226\128\168", "\237\160\128", "\240\159\152\128", "\244\144\128\128",
                       "\255", "\192\175" }
    for _ = 1, 20000 do
      local parts = {}
      for j = 1, math.random(0, 12) do parts[j] = alphabet[math.random(#alphabet)] end
      local s = table.concat(parts)
      assert.equal(lua_json(s), tc.format_field(s, "json"), string.format("%q", s))
    end
    assert.equal('""', tc.format_field("", "json"))
    assert.equal('"7"', tc.format_field(7, "json"))
  end)

  it("refuses another format or a value that is not a string", function()
    assert.has_error(function() tc.format_field("a", "xml") end)
    assert.has_error(function() tc.format_field("a") end)
    assert.has_error(function() tc.format_field({}, "tsv") end)
  end)
end)
