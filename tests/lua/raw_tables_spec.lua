-- raw_tables_spec.lua - the module reads the tables a caller hands it raw
-- (lua/ltextclass.h): metamethods on them never run, so Lua code cannot
-- change a table between the module's check of it and its use, nor free
-- a string the module holds a pointer to.
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

-- A table with nothing of its own whose __index counts its calls and
-- answers from `values`.
local function proxy(values)
  local calls = { n = 0 }
  return setmetatable({}, { __index = function(_, k)
    calls.n = calls.n + 1
    return values[k]
  end, __len = function() calls.n = calls.n + 1; return #values end }), calls
end

describe("option and spec tables", function()
  it("are read raw: an option only __index gives is not seen", function()
    local opts, calls = proxy { stopwords = false, casefold = false }
    assert.same(tc.tokenize("The Cats"), tc.tokenize("The Cats", opts))
    assert.same(tc.normalize("The Cats"), tc.normalize("The Cats", opts))
    local m = H.model()
    local texts = { "Hackers stole passwords", "The striker scored" }
    local popts, pcalls = proxy { threshold = 0.01, top = 1 }
    assert.same(m:predict_batch(texts), m:predict_batch(texts, popts))
    assert.same(m:predict("Hackers stole passwords"), m:predict("Hackers stole passwords", popts))
    assert.same(tc.evaluate(m, texts, { "cyber", "sport" }), tc.evaluate(m, texts, { "cyber", "sport" }, popts))
    assert.equal(0, calls.n)
    assert.equal(0, pcalls.n)
  end)

  it("take a spec's fields from the spec itself, not its __index", function()
    local texts, labels = H.topics()
    local spec, calls = proxy { texts = texts, labels = labels }
    local ok, err = pcall(tc.train, spec)
    assert.is_false(ok)
    assert.truthy(err:find("spec.texts: missing", 1, true), err)
    assert.equal(0, calls.n)
  end)
end)
