-- classifier_spec.lua - tc.load_classifier: one object for model files and
-- Lua classifiers (lua/textclass/classifier.lua).
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

-- Write a Lua classifier file and return its path (ending in .lua).
local function lua_file(source)
  local path = H.tmpname() .. ".lua"
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  table.insert(H.extra, path)
  return path
end
H.extra = {}
teardown(function() for _, p in ipairs(H.extra) do os.remove(p) end end)

describe("tc.load_classifier on a model file", function()
  it("wraps the model", function()
    local c = assert(tc.load_classifier(H.model_path()))
    assert.equal("model", c.kind)
    assert.equal(H.model_path(), c.path)
    assert.matches("^textclass%.Model", tostring(c.model))
    assert.matches("^textclass%.Classifier %(model, ", tostring(c))
    local text = "ransomware attack on the bank"
    assert.same(H.model():predict(text), c:predict(text))
    assert.same(H.model():predict_batch({ text, "goal" }), c:predict_batch({ text, "goal" }, { threads = 2 }))
    assert.same(H.model():labels(), c:labels())
    assert.is_true(c:close())
    assert.is_true(c:close()) -- idempotent
    assert.equal("textclass.Model (closed)", tostring(c.model))
  end)

  it("returns nil, message, code for a missing or corrupt file", function()
    local c, msg, code = tc.load_classifier("/nonexistent.model")
    assert.is_nil(c)
    assert.matches("/nonexistent.model", msg, 1, true)
    assert.equal("EIO", code)
  end)

  it("closes a <close> variable", function()
    local kept
    assert(load([[
      local tc, path, keep = ...
      local c <close> = assert(tc.load_classifier(path))
      keep(c)
    ]]))(tc, H.model_path(), function(c) kept = c end)
    assert.equal("textclass.Model (closed)", tostring(kept.model))
  end)
end)

describe("tc.load_classifier's caller mistakes on a model file", function()
  it("are reported at the caller's line, not inside classifier.lua", function()
    local c <close> = assert(tc.load_classifier(H.model_path()))
    local ok, msg = pcall(function()
      local r = c:predict_batch({ "a" }, { threads = 5000 })
      return r
    end)
    assert.is_false(ok)
    assert.matches("^[^\n]*classifier_spec%.lua:%d+: bad argument #2 to 'predict_batch' %(opts%.threads", msg)
    ok, msg = pcall(function()
      local r = c:predict("a", { bogus = 1 })
      return r
    end)
    assert.is_false(ok)
    assert.matches("classifier_spec%.lua:%d+: bad argument #2 to 'predict' %(unknown option 'bogus'%)", msg)
    assert.not_matches("textclass/classifier%.lua", msg)
  end)
end)

describe("tc.load_classifier on a Lua file", function()
  it("calls predict and completes results to the model's shape", function()
    local c = assert(tc.load_classifier(lua_file([[
      local path = ...
      return {
        predict = function(text) return { label = #text > 3 and "long" or "short" } end,
        labels = function() return { "long", "short" } end,
        where = path,
      }
    ]])))
    assert.equal("lua", c.kind)
    assert.same({ label = "long", labels = { "long" }, scores = {} }, c:predict("abcdef"))
    assert.same({ "long", "short" }, c:labels())
    assert.matches("%.lua$", c.impl.where) -- the chunk gets its path
    -- no predict_batch: predict is called per text, in order
    local b = c:predict_batch({ "a", "abcdef", "" })
    assert.same({ "short", "long", "short" }, { b[1].label, b[2].label, b[3].label })
    assert.is_true(c:close())
  end)

  it("raises after close, as a closed model does, without calling the classifier", function()
    local c = assert(tc.load_classifier(lua_file([[
      local closed = false
      return {
        predict = function() return { label = closed and "used after close" or "open" } end,
        predict_batch = function(texts) return { { label = closed and "used after close" or "open" } } end,
        labels = function() return { "open" } end,
        close = function() closed = true end,
      }
    ]])))
    assert.equal("open", c:predict("x").label)
    assert.is_true(c:close())
    assert.is_true(c:close()) -- idempotent
    assert.has_error(function() c:predict("x") end, "attempt to use a closed classifier")
    assert.has_error(function() c:predict_batch({ "x" }) end, "attempt to use a closed classifier")
    assert.has_error(function() c:labels() end, "attempt to use a closed classifier")
    local m = assert(tc.load_classifier(H.model_path()))
    m:close()
    assert.has_error(function() m:predict("x") end, "attempt to use a closed classifier")
  end)

  it("checks what labels() returns, and copies it into a plain array", function()
    local function with_labels(src)
      return assert(tc.load_classifier(lua_file("return { predict = function() return { label = 'a' } end, " ..
                                                "labels = function() return " .. src .. " end }")))
    end
    for src, why in pairs {
      ["'a'"] = "labels%(%) must return an array of label names %(got string%)",
      ["{ 1 }"] = "labels%(%) must return an array of label names %(label 1 is a number%)",
      ["{ 'a', '' }"] = "labels%(%)'s label 2 is empty",
      ["{ 'a', 'b', 'a' }"] = "labels%(%) names 'a' twice",
      ["{ 'a', 'b\\n' }"] = "labels%(%)'s label 2 holds a control character %(U%+000A%)",
      ["{ 'a', 'b,c' }"] = "labels%(%)'s label 2 holds a comma, which separates labels in TSV and CSV output " ..
                           "and in lists of labels",
      -- (the name one model's label could never match, printed as it is)
      ["{ 'a', 'caf\\233' }"] = "labels%(%)'s label 2 is not valid UTF%-8",
    } do
      local ok, err = pcall(with_labels(src).labels, (with_labels(src)))
      assert.is_false(ok, src)
      assert.matches(why, err)
    end
    -- a proxy is read through its metamethods, and what comes back is plain
    local c = with_labels("setmetatable({}, { __index = function(_, i) return ({ 'a', 'b' })[i] end, " ..
                          "__len = function() return 2 end })")
    local names = c:labels()
    assert.same({ "a", "b" }, names)
    assert.is_nil(getmetatable(names))
    assert.equal(2, #tc.metrics(names):result().labels)
  end)

  it("uses the classifier's own predict_batch and passes opts", function()
    local c = assert(tc.load_classifier(lua_file([[
      return {
        predict = function() error("not this one") end,
        predict_batch = function(texts, opts)
          local out = {}
          for i = 1, #texts do
            out[i] = i == 2 and { error = "bad document" } or { label = "x" .. opts.threads }
          end
          return out
        end,
      }
    ]])))
    assert.same({ { label = "x3", labels = { "x3" }, scores = {} }, { error = "bad document" } },
                c:predict_batch({ "a", "b" }, { threads = 3 }))
    assert.is_nil(c:labels())
  end)

  it("gives a failing document an error slot, never a missing one", function()
    local c = assert(tc.load_classifier(lua_file([[
      return { predict = function(text)
        if text == "boom" then error("exploded") end
        if text == "odd" then return 42 end
        return { label = "ok" }
      end }
    ]])))
    local b = c:predict_batch({ "a", "boom", "odd", "b" })
    assert.equal(4, #b)
    assert.equal("ok", b[1].label)
    assert.matches("exploded", b[2].error)
    assert.matches("predict must return a table with a string 'label' %(got number%)", b[3].error)
    assert.equal("ok", b[4].label)
    -- single predict raises for a broken result
    assert.error_matches(function() c:predict("odd") end, "predict must return a table")
  end)

  -- Regression: a predict_batch returning too few results had the missing
  -- ones blamed on predict ("predict must return a table ... (got nil)")
  it("names predict_batch when its results are missing or malformed", function()
    local c = assert(tc.load_classifier(lua_file([[
      return { predict = function() return { label = "ok" } end,
               predict_batch = function(texts) return { { label = "ok" }, 7 } end }
    ]])))
    local b = c:predict_batch({ "a", "b", "c" })
    assert.equal(3, #b)
    assert.equal("ok", b[1].label)
    assert.matches("predict_batch must return a table with a string 'label' %(got number%)", b[2].error)
    assert.matches(": predict_batch returned no result for text 3 of 3$", b[3].error)
  end)

  -- Regression: results past the last text were dropped without a word, and
  -- the others taken as the texts' in order, though out of step with them
  it("fails every text of a batch whose predict_batch returned more results than texts", function()
    local c = assert(tc.load_classifier(lua_file([[
      return { predict = function() return { label = "ok" } end,
               predict_batch = function(texts)
                 local out = {}
                 for i = 1, #texts + 1 do out[i] = { label = "ok" } end
                 return out
               end }
    ]])))
    for _, texts in ipairs({ { "a", "b", "c" }, { "a" } }) do
      local b = c:predict_batch(texts)
      assert.equal(#texts, #b)
      for i = 1, #texts do
        assert.matches(": predict_batch returned more results than the " .. #texts ..
                       " texts? it was given$", b[i].error)
      end
    end
  end)

  it("refuses results whose label, labels or scores have the wrong shape", function()
    local c = assert(tc.load_classifier(lua_file([[
      local results = {
        empty = { label = "" },
        labels_string = { label = "a", labels = "a" },
        labels_number = { label = "a", labels = { 1, 2 } },
        labels_none = { label = "a", labels = {} },
        labels_twice = { label = "a", labels = { "a", "b", "a" } },
        labels_nul = { label = "a", labels = { "a\0b" } },
        label_tab = { label = "a\tb" },
        labels_esc = { label = "a", labels = { "a", "b\27[31m" } },
        labels_c1 = { label = "a", labels = { "a", "b\194\155" } },
        label_comma = { label = "a,b" },
        labels_comma = { label = "a", labels = { "a", "b,c" } },
        score_comma = { label = "a", scores = { a = 0.9, ["a,b"] = 0.1 } },
        score_esc = { label = "a", scores = { a = 0.9, ["b\27[2J"] = 0.1 } },
        labels_utf8 = { label = "a", labels = { "a", "caf\233" } },
        score_utf8 = { label = "a", scores = { a = 0.9, ["\255"] = 0.1 } },
        labels_other = { label = "a", labels = { "b", "a" } },
        score_string = { label = "a", scores = { a = "high" } },
        score_nan = { label = "a", scores = { a = 0/0, b = 0.5 } },
        score_inf = { label = "a", scores = { a = math.huge } },
        score_key = { label = "a", scores = { [1] = 0.5 } },
        good = { label = "a", labels = { "a", "b" }, scores = { a = 0.9, b = 0.6 } },
      }
      return { predict = function(text) return results[text] end }
    ]])))
    local cases = {
      { "empty", "predict's 'label' is empty" },
      { "labels_string", "'labels' must be an array of label names %(got string%)" },
      { "labels_number", "'labels' must be an array of label names %(got a number in it%)" },
      { "labels_none", "'labels' must be an array of label names %(got an empty one%)" },
      { "labels_twice", "'labels' names 'a' twice" },
      { "labels_nul", "predict's 'labels'%[1%] contains a NUL byte" },
      -- (such a label split eval's tables and label's summary line, or drove the terminal)
      { "label_tab", "predict's 'label' holds a control character %(U%+0009%)" },
      { "labels_esc", "predict's 'labels'%[2%] holds a control character %(U%+001B%)" },
      { "labels_c1", "predict's 'labels'%[2%] holds a control character %(U%+009B%)" },
      -- (label -o tsv/csv wrote 'a,b' in its labels column, or 'a,b:0.1000' among its
      -- scores, each read as two labels)
      { "label_comma", "predict's 'label' holds a comma, which separates labels in TSV and CSV output" },
      { "labels_comma", "predict's 'labels'%[2%] holds a comma" },
      { "score_comma", "predict's 'scores' key holds a comma" },
      { "score_esc", "predict's 'scores' key holds a control character %(U%+001B%)" },
      -- (label printed it as it was)
      { "labels_utf8", "predict's 'labels'%[2%] is not valid UTF%-8" },
      { "score_utf8", "predict's 'scores' key is not valid UTF%-8" },
      -- (eval scored labels[1], 'b', while every output printed 'a')
      { "labels_other", "predict's 'label' must be its 'labels'%[1%] %(got 'a' and 'b'%)" },
      { "score_string", "predict's score of 'a' is a string, not a number" },
      { "score_nan", "predict's score of 'a' is not a finite number" },
      { "score_inf", "predict's score of 'a' is not a finite number" },
      { "score_key", "'scores' must map label names to numbers %(got a number key%)" },
    }
    local texts = {}
    for i, case in ipairs(cases) do texts[i] = case[1] end
    local b = c:predict_batch(texts)
    for i, case in ipairs(cases) do
      assert.matches(case[2], b[i].error, nil, nil, case[1])
      assert.error_matches(function() c:predict(case[1]) end, case[2])
    end
    assert.same({ label = "a", labels = { "a", "b" }, scores = { a = 0.9, b = 0.6 } }, c:predict("good"))
  end)

  it("gives predict_batch a copy of the texts: one per text, whatever it does to it", function()
    local c = assert(tc.load_classifier(lua_file([[
      return {
        predict = function(text) return { label = "one" } end,
        predict_batch = function(texts)
          local out = {}
          for i = 1, #texts do out[i] = { label = "batch" } end
          table.remove(texts)
          texts[1] = 42
          return out
        end,
      }
    ]])))
    local texts = { "a", "b", "c" }
    local b = c:predict_batch(texts)
    assert.equal(3, #b)
    for i = 1, 3 do assert.equal("batch", b[i].label) end
    assert.same({ "a", "b", "c" }, texts)
    -- and the command line labels each line (it stopped with an internal error)
    local lines = H.tmpname()
    local f = assert(io.open(lines, "w"))
    f:write("one\ntwo\nthree\n")
    f:close()
    local p = assert(io.popen("bin/textclass label -q -i lines -c " .. H.quote(c.path) .. " " .. H.quote(lines) .. " 2>&1"))
    local out = p:read("a")
    p:close()
    local _, n = out:gsub("\tbatch\tbatch\t", "")
    assert.equal(3, n, out)
  end)

  it("falls back to predict per document when predict_batch raises", function()
    local c = assert(tc.load_classifier(lua_file([[
      return {
        predict = function(text)
          if text == "boom" then error("exploded", 0) end
          return { label = text }
        end,
        predict_batch = function() error("the batch failed", 0) end,
      }
    ]])))
    local b = c:predict_batch({ "a", "boom", "b" })
    assert.same({ label = "a", labels = { "a" }, scores = {} }, b[1])
    assert.same({ error = "exploded" }, b[2])
    assert.equal("b", b[3].label)
  end)

  it("names an error value that is no message by its type, not its address", function()
    -- a result's own error field
    local c = assert(tc.load_classifier(lua_file([[
      return { predict = function(text) return { label = text } end,
      predict_batch = function(texts)
        local out = {}
        for i, t in ipairs(texts) do out[i] = t == "field" and { error = true } or { label = t } end
        return out
      end }
    ]])))
    local b = c:predict_batch({ "field", "ok" })
    assert.same({ error = "the classifier raised an error without a message (a boolean value)" }, b[1])
    assert.equal("ok", b[2].label)
    -- an error raised
    local c2 = assert(tc.load_classifier(lua_file([[
      local shown = setmetatable({}, { __tostring = function() return "a table that says why" end })
      return { predict = function(text)
        if text == "table" then error({}) end
        if text == "nil" then error() end
        if text == "shown" then error(shown) end
        return { label = text }
      end }
    ]])))
    b = c2:predict_batch({ "table", "nil", "shown", 7 })
    assert.same({ error = "the classifier raised an error without a message (a table value)" }, b[1])
    assert.same({ error = "the classifier raised an error without a message (a nil value)" }, b[2])
    assert.same({ error = "a table that says why" }, b[3])
    assert.equal("7", b[4].label)
  end)

  it("load_lua runs a file as Lua whatever its name, naming it in errors", function()
    local path = lua_file("return { predict = function() return { label = 'z' } end }")
    local renamed = path:gsub("%.lua$", ".cls")
    assert(os.rename(path, renamed))
    local c = assert(require("textclass.classifier").load_lua(renamed))
    assert.equal("lua", c.kind)
    assert.equal("z", c:predict("x").label)
    local f = assert(io.open(renamed, "w")); f:write("error({})"); f:close()
    local none, msg = require("textclass.classifier").load_lua(renamed)
    assert.is_nil(none)
    assert.equal(renamed .. ": ", msg:sub(1, #renamed + 2))
    os.remove(renamed)
  end)

  it("can combine models: a Lua classifier over a model file", function()
    local c = assert(tc.load_classifier(lua_file(string.format([[
      local tc = require "textclass"
      local m = assert(tc.load(%q))
      return {
        predict = function(text)
          local r = m:predict(text)
          if text:find("FIFA") then r.label, r.labels = "sport", { "sport" } end
          return r
        end,
        labels = function() return m:labels() end,
        close = function() m:close() end,
      }
    ]], H.model_path()))))
    assert.equal("sport", c:predict("FIFA ransomware").label)
    assert.equal("cyber", c:predict("ransomware malware hackers").label)
    assert.equal(4, #c:labels())
    assert.is_true(c:close())
  end)

  it("returns nil, message for a broken file", function()
    local cases = {
      { "return {", "expected" },
      { "error('no model here')", "no model here" },
      { "return 42", "must return a table with a predict function %(got number%)" },
      { "return { predict = 1 }", "must return a table with a predict function" },
    }
    for _, case in ipairs(cases) do
      local c, msg = tc.load_classifier(lua_file(case[1]))
      assert.is_nil(c)
      assert.matches(case[2], msg)
    end
    local c, msg = tc.load_classifier("/nonexistent/x.lua")
    assert.is_nil(c)
    assert.matches("/nonexistent/x.lua", msg, 1, true)
  end)

  -- (regression: `function M:predict(text)` loaded, then failed every
  -- document with "bad argument #1 to 'predict' (string expected, got nil)")
  it("refuses predict or predict_batch defined as a method, saying how to define it", function()
    for _, name in ipairs({ "predict", "predict_batch" }) do
      local c, msg = tc.load_classifier(lua_file(string.format([[
        local M = {}
        function M.predict(text) return { label = "x" } end
        function M:%s(text) return { label = "x" } end
        return M
      ]], name)))
      assert.is_nil(c)
      assert.matches(name .. " is defined as a method (its first parameter is 'self')", msg, 1, true)
      assert.matches("define it as 'function M." .. name .. "(", msg, 1, true)
    end
    -- labels and close take no arguments to get wrong: a method works
    local c = assert(tc.load_classifier(lua_file([[
      local M = {}
      function M.predict(text) return { label = "x" } end
      function M:labels() return { "x" } end
      function M:close() end
      return M
    ]])))
    assert.same({ "x" }, c:labels())
    assert.equal("x", c:predict("text").label)
    assert.is_true(c:close())
  end)

  -- (regression: a classifier's predict refused 42, which a model's takes)
  it("takes a number as its string, as a model does, and hands the classifier the string", function()
    local c = assert(tc.load_classifier(lua_file("return { predict = function(text) " ..
                                                 "return { label = type(text) .. ':' .. text } end }")))
    assert.equal("string:42", c:predict(42).label)
    assert.same({ "string:2.5", "string:x" }, { c:predict_batch({ 2.5, "x" })[1].label, c:predict_batch({ 2.5, "x" })[2].label })
    local batch = assert(tc.load_classifier(lua_file("return { predict = function() end, predict_batch = function(texts) " ..
                                                     "local out = {} for i, t in ipairs(texts) do " ..
                                                     "out[i] = { label = type(t) } end return out end }")))
    assert.equal("string", batch:predict_batch({ 7 })[1].label)
    local m = assert(tc.load_classifier(H.model_path()))
    assert.same(m:predict("42"), m:predict(42))
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.load_classifier() end, "bad argument #1 to 'load_classifier' %(string expected, got nil%)")
    local c = assert(tc.load_classifier(lua_file("return { predict = function() return { label = 'a' } end }")))
    assert.error_matches(function() c:predict(true) end, "bad argument #1 to 'predict' %(string expected, got boolean%)")
    assert.error_matches(function() c:predict_batch("x") end, "bad argument #1 to 'predict_batch' %(table expected")
    assert.error_matches(function() c:predict_batch({ "a", false }) end, "texts%[2%]: string expected, got boolean")
  end)
end)

describe("tc.evaluate of a classifier", function()
  local texts = { "ransomware attack on the bank", "the striker scored a goal", "parliament passed the budget",
                  "snow is forecast" }
  local gold = { "cyber", "sport", { "politics", "other" }, "weather" }

  it("gives a model file's classifier its model's figures", function()
    local c <close> = assert(tc.load_classifier(H.model_path()))
    assert.same(tc.evaluate(H.model(), texts, gold, { threads = 2 }), tc.evaluate(c, texts, gold, { threads = 2 }))
  end)

  -- what a script wrote by hand before: predict_batch, each result counted
  local function by_hand(c, opts)
    local m = tc.metrics(c:labels())
    for i, r in ipairs(c:predict_batch(texts, opts)) do m:add(gold[i], r.labels) end
    return m:result()
  end

  it("counts a Lua classifier's predictions over its labels(), handing it opts", function()
    local c = assert(tc.load_classifier(lua_file([[
      return {
        predict = function(text, opts)
          local label = text:find("goal") and "sport" or text:find("budget") and "politics" or "cyber"
          if opts and opts.threshold == 0.9 then label = "other" end
          return { label = label, scores = { [label] = 0.8 } }
        end,
        labels = function() return { "cyber", "sport", "politics", "other" } end,
      }
    ]])))
    local r = assert(tc.evaluate(c, texts, gold))
    assert.same(by_hand(c), r)
    assert.same({ 4, 0.75, { "weather" } }, { r.documents, r.accuracy, r.unknown_labels })
    assert.equal(1, r.confusion.weather.cyber)
    local high = assert(tc.evaluate(c, texts, gold, { threshold = 0.9 }))
    assert.same(by_hand(c, { threshold = 0.9 }), high)
    assert.equal(0.25, high.accuracy)   -- every prediction "other": the third text's
  end)

  it("takes a Lua classifier without labels(): no label is unknown", function()
    local c = assert(tc.load_classifier(lua_file("return { predict = function() return { label = 'cyber' } end }")))
    local r = assert(tc.evaluate(c, texts, gold))
    assert.same(by_hand(c), r)
    assert.same({}, r.unknown_labels)
    assert.equal(0.25, r.accuracy)
  end)

  it("returns nil and the message of the first text the classifier failed on", function()
    local c = assert(tc.load_classifier("tests/data/cli/always-sport.lua"))
    local r, msg = tc.evaluate(c, { "a", "boom one", "boom two" }, { "sport", "sport", "politics" })
    assert.is_nil(r)
    assert.matches("^texts%[2%]: .*always%-sport%.lua:%d+: boom in the text$", msg)
  end)

  it("checks the arguments as a model's, before the classifier sees a text", function()
    local calls = 0
    local c = assert(tc.load_classifier(lua_file("return { predict = function() return { label = 'a' } end }")))
    c.impl.predict = function() calls = calls + 1 return { label = "a" } end
    assert.error_matches(function() tc.evaluate(c, { "a", "b" }, { "sport" }) end, "labels has 1 entries but texts has 2")
    assert.error_matches(function() tc.evaluate(c, { "a" }, { "sport" }, { thread = 1 }) end, "unknown option 'thread'")
    assert.error_matches(function() tc.evaluate(c, { "a" }, { "sport" }, nil, 5) end, "bad argument #5 .*unexpected argument")
    assert.equal(0, calls)
    assert.error_matches(function() tc.evaluate({ predict = function() end }, { "a" }, { "sport" }) end,
                         "bad argument #1 .*textclass.Model or textclass.Classifier expected, got table")
    c:close()
    assert.error_matches(function() tc.evaluate(c, { "a" }, { "sport" }) end, "attempt to use a closed classifier")
    assert.equal(0, calls)
  end)
end)

describe("textclass.classifier's interrupt helpers", function()
  local C = require "textclass.classifier"
  it("is_interrupt tells lua5.4's Ctrl-C error, bare or with a place, from others", function()
    assert.is_true(C.is_interrupt("interrupted!"))
    assert.is_true(C.is_interrupt("script.lua:12: interrupted!"))
    assert.is_false(C.is_interrupt("script.lua:12: not interrupted! at all"))
    assert.is_false(C.is_interrupt({ "interrupted!" }))
  end)
  it("unless_interrupt returns other errors and raises the interrupt again", function()
    local t = {}
    assert.equal("boom", C.unless_interrupt("boom"))
    assert.equal(t, C.unless_interrupt(t))
    local ok, e = pcall(C.unless_interrupt, "x.lua:3: interrupted!")
    assert.is_false(ok)
    assert.equal("x.lua:3: interrupted!", e)
  end)
end)
