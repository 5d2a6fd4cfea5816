-- args_fuzz_spec.lua - the module under random arguments: every call either
-- succeeds with a value of the documented type, returns nil, message, code,
-- or raises a string error; nothing crashes (run it under
-- make SANITIZE=address,undefined test to check memory too). The seed is
-- fixed, so a failure reproduces; TEXTCLASS_FUZZ_SEED picks another.
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

local seed = tonumber(os.getenv("TEXTCLASS_FUZZ_SEED")) or 20261125
math.randomseed(seed)

local texts, labels = H.topics()

local strings = { "", "english", "none", "linear", "rbf", "balanced", "sport", "cyber", "x",
                  "\xff\xfe", ("a"):rep(300), "libsvm", "liblinear", "auto" }

-- A random Lua value, nested tables up to `depth`.
local function value(depth)
  local r = math.random(12)
  if r == 1 then return nil
  elseif r == 2 then return math.random() < 0.5
  elseif r == 3 then return math.random(-3, 40)
  elseif r == 4 then return math.random() * 4 - 1
  elseif r == 5 then return ({ 0 / 0, math.huge, -math.huge, math.mininteger, math.maxinteger })[math.random(5)]
  elseif r == 6 or r == 7 then return strings[math.random(#strings)]
  elseif r == 8 then return function() end
  elseif r == 9 and depth > 0 then return { value(depth - 1), value(depth - 1) }
  elseif r == 10 and depth > 0 then return { sport = value(depth - 1), [strings[math.random(#strings)]] = value(depth - 1), [math.random(-1, 3)] = value(depth - 1) }
  elseif r == 11 then return { math.random(1, 3), math.random(1, 4) }
  end
  return {}
end

local keys = { "strip_accents", "compat", "casefold", "strip_boilerplate", "stopwords",
               "max_token_bytes", "ngrams", "char_ngrams", "min_df", "max_df", "max_features",
               "sublinear_tf", "use_idf", "l2_normalize", "multilabel", "kernel", "solver", "C",
               "gamma", "class_weight", "tolerance", "calibrate", "threshold", "fallback", "cv",
               "grid", "seed", "threads", "cache_mb", "stopword", "kernal", 1 }

local function table_of(n)
  local t = {}
  for _ = 1, n do
    local k = keys[math.random(#keys)]
    t[k] = value(2)
  end
  return t
end

-- Either a documented success, nil + message (+ code), or a string error.
local function check(what, ok, a, b, c)
  if not ok then
    assert.is_string(a, what .. ": error value is a " .. type(a))
    assert.is_true(#a > 0)
    return "raised"
  end
  if a == nil then
    assert.is_string(b, what .. ": nil without a message")
    assert.is_string(c, what .. ": nil without a code")
    return "failed"
  end
  return "ok"
end

describe("random arguments", function()
  it("never crash normalize and tokenize", function()
    local seen = {}
    for i = 1, 1500 do
      local opts = math.random() < 0.2 and value(1) or table_of(math.random(0, 4))
      local text = math.random() < 0.9 and strings[math.random(#strings)] .. " The hackers won" or value(1)
      local f = math.random() < 0.5 and tc.normalize or tc.tokenize
      local ok, a, b, c = pcall(f, text, opts)
      local r = check("call " .. i, ok, a, b, c)
      seen[r] = true
      if r == "ok" then assert.is_true(type(a) == "string" or type(a) == "table") end
    end
    assert.is_true(seen.ok and seen.raised)
  end)

  it("never crash predict, predict_batch, explain and evaluate", function()
    local m = H.model()
    local seen = {}
    for i = 1, 1500 do
      local r = math.random(4)
      local ok, a, b, c
      if r == 1 then
        ok, a, b, c = pcall(m.predict, m, value(0) or "x", math.random() < 0.5 and table_of(math.random(0, 2)) or value(1))
      elseif r == 2 then
        local list = {}
        for k = 1, math.random(0, 5) do list[k] = math.random() < 0.9 and texts[math.random(#texts)] or value(0) end
        ok, a, b, c = pcall(m.predict_batch, m, list, math.random() < 0.7 and { threads = math.random(0, 3) } or value(1))
        if ok and a then assert.equal(#list, #a) end
      elseif r == 3 then
        ok, a, b, c = pcall(m.explain, m, texts[math.random(#texts)], value(0), value(0))
      else
        local n = math.random(0, 4)
        local t, l = {}, {}
        for k = 1, n do t[k] = texts[math.random(#texts)]; l[k] = value(1) or labels[k] end
        if math.random() < 0.2 then l[#l + 1] = "sport" end
        ok, a, b, c = pcall(tc.evaluate, m, t, l, math.random() < 0.5 and nil or table_of(1))
      end
      seen[check("call " .. i, ok, a, b, c)] = true
    end
    assert.is_true(seen.ok and seen.raised)
  end)

  it("never crash tc.metrics, and a refused add counts nothing", function()
    local seen = {}
    for i = 1, 300 do
      local ok, m = pcall(tc.metrics, math.random() < 0.7 and { "sport", "cyber" } or value(1))
      seen[ok and "ok" or "raised"] = true
      if ok then
        local counted = 0
        for k = 1, 10 do
          local gold = math.random() < 0.5 and labels[math.random(#labels)] or value(1)
          local predicted = math.random() < 0.5 and { labels[math.random(#labels)] } or value(1)
          local added, err = pcall(m.add, m, gold, predicted)
          if added then counted = counted + 1 else check("add " .. i .. "." .. k, false, err) end
        end
        local r = m:result()
        assert.equal(counted, r.documents)
        assert.is_true(r.macro_f1 >= 0 and r.macro_f1 <= 1)
        seen[counted > 0 and "ok" or "raised"] = true
      end
    end
    assert.is_true(seen.ok and seen.raised)
  end)

  it("never crash train", function()
    local seen = {}
    for i = 1, 150 do
      local spec = table_of(math.random(0, 5))
      spec.progress = nil
      if math.random() < 0.85 then
        spec.texts, spec.labels = texts, labels
        spec.min_df = math.random() < 0.5 and 1 or spec.min_df
      else
        spec.texts, spec.labels = value(1), value(1)
      end
      spec.grid, spec.cv = nil, nil -- keep the run short
      local ok, a, b, c = pcall(tc.train, spec)
      local r = check("train " .. i, ok, a, b, c)
      seen[r] = true
      if r == "ok" then
        assert.matches("^textclass%.Model", tostring(a))
        a:close()
      end
    end
    assert.is_true(seen.ok and seen.raised)
  end)
end)
