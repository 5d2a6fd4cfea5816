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

describe("sequences with __index or __len", function()
  -- Read raw, a proxy would look empty: its texts, labels or stop words
  -- silently missed. Each is refused with its name instead.
  local refused = "a table with an __index or __len metamethod"
  local function refuses(what, f)
    local ok, err = pcall(f)
    assert.is_false(ok, what)
    assert.truthy(err:find(what .. ": " .. refused, 1, true), err)
  end

  it("are refused, naming the argument, before any metamethod runs", function()
    local m = H.model()
    local texts = { "Hackers stole passwords", "The striker scored twice" }
    local t, calls = proxy(texts)
    refuses("texts", function() return m:predict_batch(t) end)
    refuses("texts", function() return m:predict_async(t) end)
    refuses("texts", function() return tc.evaluate(m, t, { "cyber", "sport" }) end)
    local l, lcalls = proxy { "cyber", "sport" }
    refuses("labels", function() return tc.evaluate(m, texts, l) end)
    refuses("labels[1]", function() return tc.evaluate(m, texts, { l, "sport" }) end)
    refuses("labels", function() return tc.metrics(l) end)
    refuses("gold", function() return tc.metrics():add(l, "cyber") end)
    local tt, tl = H.topics()
    refuses("spec.texts", function() return tc.train { texts = t, labels = { "a", "b" } } end)
    refuses("spec.labels", function() return tc.train { texts = texts, labels = l } end)
    refuses("spec.stopwords", function() return tc.train { texts = tt, labels = tl, stopwords = l } end)
    refuses("spec.class_weight", function()
      return tc.train { texts = tt, labels = tl, class_weight = proxy { sport = 2 } }
    end)
    refuses("opts.stopwords", function() return tc.tokenize("the cats", { stopwords = l }) end)
    assert.equal(0, calls.n)
    assert.equal(0, lcalls.n)
  end)

  it("are not refused for a metatable without them", function()
    local m = H.model()
    local texts = setmetatable({ "Hackers stole passwords" }, { __name = "texts", __tostring = tostring })
    assert.same(m:predict_batch { "Hackers stole passwords" }, m:predict_batch(texts))
    local labels = setmetatable({ "cyber" }, { __newindex = error })
    assert.equal(1, tc.evaluate(m, texts, labels).documents)
  end)
end)

-- An options table whose __index runs `change` (the check-then-use races
-- of predict_batch, predict_async, evaluate and train: their texts and
-- labels were checked, then the options read through __index).
local function changing_opts(change, values)
  return setmetatable({}, { __index = function(_, k)
    change()
    return values and values[k]
  end })
end

-- pcall(f) with a __gc pending that runs `change`: in generational mode
-- with a tiny minor multiplier, the first allocations inside f finalize
-- it, between the module's check of a table and its use of it.
local function with_finalizer(change, f)
  local hits = 0
  local mode = collectgarbage("generational", 1, 100)
  setmetatable({}, { __gc = function() hits = hits + 1; change() end })
  local ok, got = pcall(f)
  collectgarbage(mode)
  return ok, got, hits
end

describe("texts and labels checked, then used", function()
  local m
  local texts = {}
  local function fresh()
    for i = 1, 300 do texts[i] = "Hackers stole passwords from bank " .. i end
  end
  local function spoil() for i = 1, #texts do texts[i] = i + 0.5 end end
  setup(function() m = H.model() end)

  it("cannot be changed by an option's __index", function()
    fresh()
    local plain = m:predict_batch(texts)
    assert.same(plain, m:predict_batch(texts, changing_opts(spoil)))
    fresh()
    assert.same(plain, m:predict_async(texts, changing_opts(spoil)):wait())
    fresh()
    local gold = {}
    for i = 1, #texts do gold[i] = "cyber" end
    local metrics = tc.evaluate(m, texts, gold)
    assert.same(metrics, tc.evaluate(m, texts, gold, changing_opts(spoil)))
    assert.same(metrics, tc.evaluate(m, texts, gold, changing_opts(function()
      for i = 1, #gold do gold[i] = 42 end
    end)))
  end)

  it("cannot be made to overflow train's label names by a spec's __index", function()
    local t, l = H.topics()
    local plain = tc.train { texts = t, labels = l }
    local spec = setmetatable({ texts = t, labels = l }, { __index = function(_, k)
      if k == "multilabel" then
        local many = {}
        for i = 1, 200 do many[i] = "l" .. i end
        l[1] = many
      end
    end })
    local model = tc.train(spec)
    assert.same(plain:labels(), model:labels())
    assert.same(plain:predict_batch(t), model:predict_batch(t))
  end)

  it("are checked again where a __gc may have changed them since", function()
    fresh()
    local plain = m:predict_batch(texts)
    local seen = 0
    local calls = {
      function() return m:predict_batch(texts) end,
      function() return m:predict_async(texts):wait() end,
    }
    for round = 1, 20 do
      for _, call in ipairs(calls) do
        fresh()
        local ok, got, hits = with_finalizer(spoil, call)
        seen = seen + hits
        if ok then assert.same(plain, got)
        else assert.truthy(tostring(got):find("texts%[%d+%]: string expected, got number"), got) end
      end
    end
    assert.is_true(seen > 0)
  end)

  it("are checked again in evaluate and train", function()
    fresh()
    local gold = {}
    local function fresh_gold() for i = 1, #texts do gold[i] = "cyber" end end
    fresh_gold()
    local metrics = tc.evaluate(m, texts, gold)
    local t, l = H.topics()
    local l1 = l[1]
    local trained = tc.train { texts = t, labels = l }:predict_batch(t)
    for round = 1, 20 do
      fresh_gold()
      local ok, got = with_finalizer(function() for i = 1, #gold do gold[i] = 42 end end,
        function() return tc.evaluate(m, texts, gold) end)
      -- (a finalizer that ran before evaluate's first look at gold gives an
      -- argument error, as for texts above: seen once under AddressSanitizer)
      if ok then assert.same(metrics, got)
      else
        assert.truthy(tostring(got):find("a label entry changed during the call", 1, true)
                      or tostring(got):find("labels%[%d+%]: string or list of strings expected, got number"), got)
      end
      l[1] = l1
      ok, got = with_finalizer(function()
        local many = {}
        for i = 1, 200 do many[i] = "l" .. i end
        l[1] = many
      end, function() return tc.train { texts = t, labels = l, multilabel = false } end)
      if ok then assert.same(trained, got:predict_batch(t))
      else
        assert.truthy(tostring(got):find("a label entry changed during the call", 1, true)
                      or tostring(got):find("exactly one label expected", 1, true), got)
      end
    end
  end)
end)
