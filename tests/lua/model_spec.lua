-- model_spec.lua - textclass.Model methods, life cycle and memory (issue 4).
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

local cyber_text = "Hackers used ransomware and a phishing attack to steal passwords; security researchers found the malware."
local sport_text = "The striker scored in the final match and the team won the league cup."

local function check_result(m, r)
  assert.is_table(r)
  assert.is_nil(r.error)
  assert.is_string(r.label)
  assert.is_table(r.labels)
  assert.equal(r.label, r.labels[1])
  assert.is_number(r.invalid)
  local n = 0
  for _, name in ipairs(m:labels()) do
    local s = r.scores[name]
    assert.is_number(s, name)
    assert.is_true(s >= 0 and s <= 1, name .. " score " .. tostring(s))
    n = n + 1
  end
  local count = 0
  for _ in pairs(r.scores) do count = count + 1 end
  assert.equal(n, count)
  -- labels best first
  for i = 2, #r.labels do
    assert.is_true(r.scores[r.labels[i - 1]] >= r.scores[r.labels[i]])
  end
  -- ranked: every label once, best first, equal scores in name order
  assert.equal(n, #r.ranked)
  local seen = {}
  for i, name in ipairs(r.ranked) do
    assert.is_number(r.scores[name], name)
    assert.is_nil(seen[name], name .. " ranked twice")
    seen[name] = true
    if i > 1 then
      local prev = r.ranked[i - 1]
      local a, b = r.scores[prev], r.scores[name]
      assert.is_true(a > b or (a == b and prev < name), prev .. " before " .. name)
    end
  end
end

describe("model:predict", function()
  it("gives label, labels and a score per label", function()
    local m = H.model()
    local r = m:predict(cyber_text)
    check_result(m, r)
    assert.equal("cyber", r.label)
    assert.same({ "cyber" }, r.labels) -- multi-class: one label
    assert.equal("sport", m:predict(sport_text).label)
    for _, name in ipairs(m:labels()) do
      assert.is_true(r.scores.cyber >= r.scores[name])
    end
  end)

  it("classifies invalid UTF-8 and counts the replaced sequences", function()
    local m = H.model()
    local r = m:predict(cyber_text .. " \xff\xfe\xc3")
    check_result(m, r)
    assert.equal("cyber", r.label)
    assert.is_true(r.invalid >= 2)
    assert.equal(0, m:predict(cyber_text).invalid)
  end)

  it("classifies the empty text and NUL bytes", function()
    local m = H.model()
    check_result(m, m:predict(""))
    check_result(m, m:predict("\0\0\0"))
  end)

  it("ranks many labels, named out of their training order", function()
    -- 37 labels (the merge sort's odd widths) and 23 (ranked by insertion),
    -- named so that name order is neither index order nor its reverse;
    -- texts share words, so some scores come close and some tie
    for _, count in ipairs({ 37, 23 }) do
      local texts, labels = {}, {}
      for i = 1, count do
        local name = string.format("topic%02d", (i * 17) % count)
        for j = 1, 2 do
          texts[#texts + 1] = string.format("word%d common shared w%d_%d filler%d", i, i, j, j)
          labels[#labels + 1] = name
        end
      end
      local m = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
      for _, t in ipairs({ texts[1], texts[40], "common shared", "", "unknown words only" }) do
        check_result(m, m:predict(t))
      end
      for _, r in ipairs(m:predict_batch({ texts[5], "common" })) do check_result(m, r) end
      m:close()
    end
  end)

  it("takes a threshold option", function()
    local m = H.model()
    check_result(m, m:predict(sport_text, { threshold = 0.2 }))
  end)

  it("keeps the top n labels when asked, as predict_batch and predict_async do", function()
    -- 37 labels with close scores, so the selection of the n best is tested
    -- on ties and on every position
    local texts, labels = {}, {}
    for i = 1, 37 do
      local name = string.format("t%02d", (i * 17) % 37)
      texts[#texts + 1] = string.format("word%d common shared w%d", i, i)
      labels[#labels + 1] = name
    end
    local m = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
    local probes = { texts[1], texts[20], "common shared", "", "unknown words only" }
    for _, t in ipairs(probes) do
      local full = m:predict(t)
      for _, n in ipairs({ 1, 2, 3, 5, 36, 37, 100 }) do
        local r = m:predict(t, { top = n })
        local keep = math.min(n, 37)
        assert.equal(keep, #r.ranked)
        local count = 0
        for _ in pairs(r.scores) do count = count + 1 end
        assert.equal(keep, count)
        for i = 1, keep do
          assert.equal(full.ranked[i], r.ranked[i])
          assert.equal(full.scores[full.ranked[i]], r.scores[r.ranked[i]])
        end
        assert.equal(full.label, r.label)
        assert.same({ table.unpack(full.labels, 1, math.min(n, #full.labels)) }, r.labels)
        assert.equal(full.invalid, r.invalid)
      end
    end
    local batch = m:predict_batch(probes, { top = 3 })
    local async = m:predict_async(probes, { top = 3 }):wait()
    for i, t in ipairs(probes) do
      assert.same(m:predict(t, { top = 3 }), batch[i])
      assert.same(batch[i], async[i])
    end
    assert.error_matches(function() m:predict("x", { top = 0 }) end, "opts.top: integer >= 1 expected, got 0")
    assert.error_matches(function() m:predict_batch({ "x" }, { top = 1.5 }) end, "opts.top: integer >= 1 expected")
    -- past the int it is kept in, the bound is named (it said "integer >= 1 expected" of a huge one)
    assert.error_matches(function() m:predict("x", { top = math.maxinteger }) end,
                         "opts.top: integer in %[1, 2147483647%] expected, got 9223372036854775807")
    assert.error_matches(function() m:predict_async({ "x" }, { top = "2" }) end, "opts.top")
    m:close()
  end)

  it("raises on bad arguments", function()
    local m = H.model()
    assert.error_matches(function() m:predict() end, "bad argument #1 to 'predict' %(string expected, got no value%)")
    assert.error_matches(function() m:predict(42 > 1) end, "bad argument #1 .*string expected, got boolean")
    assert.error_matches(function() m.predict("x", "y") end, "textclass.Model expected, got string")
    assert.error_matches(function() m:predict("x", { threshhold = 1 }) end, "unknown option 'threshhold'")
    assert.error_matches(function() m:predict("x", { threshold = 2 }) end, "opts.threshold: number in %[0")
    assert.error_matches(function() m:predict("x", { threads = 2 }, 3) end, "bad argument #3 .*unexpected argument")
  end)
end)

describe("model:predict_async", function()
  it("gives what predict_batch gives, whatever happens to the texts table meanwhile", function()
    local m = H.model()
    local texts = {}
    for i = 1, 300 do texts[i] = (i % 2 == 0 and cyber_text or sport_text) .. " " .. i end
    local expect = m:predict_batch(texts)
    local copy = table.move(texts, 1, #texts, 1, {})
    local b = m:predict_async(copy, { threads = 2 })
    assert.matches("^textclass%.Batch %(300 texts%)$", tostring(b))
    for i = 1, #copy do copy[i] = nil end
    collectgarbage()
    collectgarbage()
    assert.same(expect, b:wait())
    assert.same(expect, b:wait()) -- again: the same results
    assert.same({}, m:predict_async({}):wait())
  end)

  it("keeps the model open until the batch is waited for", function()
    local m = assert(tc.load(H.model_path()))
    local b = m:predict_async({ sport_text, cyber_text })
    assert.error_matches(function() m:close() end, "attempt to close a model while a batch runs on it")
    assert.equal("sport", b:wait()[1].label)
    assert.is_true(m:close())
    assert.error_matches(function() b:wait() end, "attempt to use a closed model")
  end)

  it("joins a batch nobody waits for when it is collected or closed", function()
    local m = assert(tc.load(H.model_path()))
    do local b <close> = m:predict_async({ sport_text }) end
    m:predict_async({ cyber_text })
    collectgarbage()
    collectgarbage()
    assert.is_true(m:close())
  end)

  it("raises on bad arguments", function()
    local m = H.model()
    assert.error_matches(function() m:predict_async("x") end, "texts: table of strings expected, got string")
    assert.error_matches(function() m:predict_async({ "a", false }) end, "texts%[2%]: string expected, got boolean")
    assert.error_matches(function() m:predict_async({ "a" }, { thread = 2 }) end, "unknown option 'thread'")
    assert.error_matches(function() m:predict_async({ "a" }, {}, 1) end, "unexpected argument")
  end)
end)

describe("model:predict_batch", function()
  it("gives the results of predict, in input order, on any number of threads", function()
    local m = H.model()
    local texts = H.topics()
    texts[#texts + 1] = "\xff\xfe broken"
    texts[#texts + 1] = ""
    local one = {}
    for i, t in ipairs(texts) do one[i] = m:predict(t) end
    for _, threads in ipairs { 1, 2, 0 } do
      local batch = m:predict_batch(texts, { threads = threads })
      assert.equal(#texts, #batch)
      for i = 1, #texts do
        check_result(m, batch[i])
        assert.same(one[i], batch[i])
      end
    end
  end)

  it("on one thread, keeps the model's workspace from batch to batch, and gives predict's results", function()
    -- one thread predicts with the handle's workspace (the one predict
    -- uses): batches of long texts, then short ones, one word and none,
    -- between single predictions and label_records calls, all on it
    -- (that it is kept, not made anew, tests/c/test_lua_workspace.c shows)
    local texts = H.topics()
    local long = table.concat(texts, " ", 1, math.min(#texts, 8))
    local m = assert(tc.load(H.model_path()))
    local fresh = function(t) return assert(tc.load(H.model_path())):predict(t) end
    local batches = { { long, texts[1] }, { "cup", "" }, { texts[2], long, "ransomware" } }
    for _, batch in ipairs(batches) do
      local got = m:predict_batch(batch)
      for i, t in ipairs(batch) do
        assert.same(fresh(t), got[i])
        assert.same(fresh(t), m:predict(t))
      end
      local docs = {}
      for i, t in ipairs(batch) do docs[i] = { id = "d" .. i, text = t } end
      local records = m:label_records(docs, {}, "tsv")
      local i = 0
      for line in records:gmatch("[^\n]+") do
        i = i + 1
        assert.equal("d" .. i .. "\t" .. fresh(batch[i]).label, line:match("^[^\t]*\t[^\t]*"))
      end
      assert.equal(#batch, i)
    end
  end)

  it("returns an empty array for no texts", function()
    assert.same({}, H.model():predict_batch({}))
  end)

  -- (regression: predict(42) took the number, as luaL_checkstring does,
  -- and predict_batch({ 42 }) raised "texts[1]: string expected")
  it("takes a number as its string, as predict does, leaving the caller's table as it was", function()
    local m = H.model()
    local texts = { 42, "The striker scored", 2.5, -0 }
    local want = { m:predict("42"), m:predict("The striker scored"), m:predict("2.5"), m:predict("0") }
    assert.same(want, m:predict_batch(texts))
    assert.same(want, m:predict_batch(texts, { threads = 2 }))
    assert.same(want, m:predict_async(texts):wait())
    assert.same(m:predict("42"), m:predict(42))
    assert.same(m:explain("42", "sport"), m:explain(42, "sport"))
    assert.same({ 42, "The striker scored", 2.5, -0 }, texts)
    assert.equal("integer", math.type(texts[1]))
    local labels = { "sport", "politics", "sport", "other" }
    assert.same(tc.evaluate(m, { "42", "The striker scored", "2.5", "0" }, labels), tc.evaluate(m, texts, labels))
    local records = m:label_records({ { id = "a", text = 42 } }, {}, "tsv")
    assert.equal(m:label_records({ { id = "a", text = "42" } }, {}, "tsv"), records)
  end)

  it("raises on bad arguments, naming the culprit", function()
    local m = H.model()
    assert.error_matches(function() m:predict_batch("x") end, "texts: table of strings expected, got string")
    assert.error_matches(function() m:predict_batch({ "a", {}, "c" }) end, "texts%[2%]: string expected, got table")
    assert.error_matches(function() m:predict_batch({ "a" }, { threads = -1 }) end, "opts.threads: integer in %[0, 1024%] expected, got %-1")
    assert.error_matches(function() m:predict_batch({ "a" }, { thread = 2 }) end, "unknown option 'thread'")
  end)
end)

describe("model:explain", function()
  it("lists the features that pushed the predicted label, strongest first", function()
    local m = H.model()
    local ex = m:explain(cyber_text)
    assert.is_true(#ex >= 1 and #ex <= 10)
    local vocabulary = {}
    for _, t in ipairs(tc.tokenize(cyber_text, { ngrams = { 1, 2 } })) do vocabulary[t] = true end
    for i, e in ipairs(ex) do
      assert.is_string(e.feature)
      assert.is_number(e.weight)
      assert.is_true(vocabulary[e.feature], e.feature .. " is not a term of the text")
      if i > 1 then assert.is_true(ex[i - 1].weight >= e.weight) end
    end
    assert.is_true(ex[1].weight > 0)
  end)

  it("takes a label and a count", function()
    local m = H.model()
    local ex = m:explain(cyber_text, "sport", 3)
    assert.is_true(#ex <= 3)
    assert.same(m:explain(cyber_text, "cyber"), m:explain(cyber_text))
    assert.equal(1, #m:explain(cyber_text, nil, 1))
  end)

  it("raises on bad arguments", function()
    local m = H.model()
    assert.error_matches(function() m:explain() end, "bad argument #1 .*string expected")
    assert.error_matches(function() m:explain("x", "weather") end, "bad argument #2 .*unknown label 'weather'")
    assert.error_matches(function() m:explain("x", "sport", 0) end, "bad argument #3 .*count must be >= 1")
    assert.error_matches(function() m:explain("x", "sport", "many") end, "bad argument #3 .*number expected, got string")
    assert.error_matches(function() m:explain("x", "sport", 1, 2) end, "bad argument #4 .*unexpected argument")
    assert.error_matches(function() m:explain("x", "sport\0x") end, "bad argument #2 .*label contains a NUL byte")
  end)
end)

describe("model:top_features", function()
  it("gives a linear model's strongest features for a label", function()
    local m = H.model()
    local top = m:top_features("sport", 5)
    assert.equal(5, #top)
    for i = 2, #top do assert.is_true(top[i - 1].weight >= top[i].weight) end
    local words = {}
    for _, e in ipairs(top) do words[e.feature] = true end
    assert.is_true(words.match or words.team or words.coach or words.league or words.final)
  end)

  it("raises for an unknown label", function()
    assert.error_matches(function() H.model():top_features("weather") end, "unknown label 'weather'")
  end)
end)

describe("model:labels and model:info", function()
  it("lists the labels in the model's order", function()
    local labels = H.model():labels()
    table.sort(labels)
    assert.same({ "cyber", "other", "politics", "sport" }, labels)
  end)

  it("describes the model", function()
    local info = H.model():info()
    assert.equal(3, info.format_version)
    assert.equal("linear", info.kernel)
    assert.is_false(info.multilabel)
    assert.same(H.model():labels(), info.labels)
    assert.is_true(info.features > 100)
    assert.equal(32, info.documents)
    assert.equal(1, info.C)
    assert.is_table(info.options)
    assert.same({ 1, 2 }, info.options.ngrams)
    assert.equal(1, info.options.min_df)
    assert.equal("none", info.options.stem)
    assert.is_false(info.options.title_terms)
    assert.is_false(info.fallback)
  end)

  it("raises on extra arguments", function()
    assert.error_matches(function() H.model():labels(1) end, "unexpected argument")
    assert.error_matches(function() H.model():info(1) end, "unexpected argument")
  end)
end)

describe("model:save", function()
  it("writes a file that loads into an equal model", function()
    local m = H.model()
    local path = H.tmpname()
    assert.is_true(m:save(path))
    local back = assert(tc.load(path))
    assert.same(m:predict(cyber_text), back:predict(cyber_text))
    assert.same(m:labels(), back:labels())
    back:close()
  end)

  it("keeps the stem option: a stemmed model labels inflections it never saw alike", function()
    local texts, labels = H.topics()
    local m = assert(tc.train { texts = texts, labels = labels, min_df = 1, stem = "english" })
    assert.equal("english", m:info().options.stem)
    local path = H.tmpname()
    assert.is_true(m:save(path))
    local back = assert(tc.load(path))
    assert.equal("english", back:info().options.stem)
    assert.same(m:predict(cyber_text), back:predict(cyber_text))
    -- the same words inflected otherwise: stems make them the same features,
    -- where the unstemmed model sees other words
    local a, b = "Attackers hacked servers, stealing passwords", "attacker hacks a server to steal a password"
    assert.same(back:predict(a), back:predict(b))
    assert.are_not.same(H.model():predict(a), H.model():predict(b))
    back:close()
  end)

  it("returns nil, message, code for an unwritable path", function()
    local ok, msg, code = H.model():save("/nonexistent/dir/x.model")
    assert.is_nil(ok)
    assert.matches("/nonexistent/dir/x.model", msg, 1, true)
    assert.equal("EIO", code)
    -- an empty path, as tc.load's: "no path given" (it said "no model or path given")
    ok, msg, code = H.model():save("")
    assert.same({ nil, "save: no path given", "EINVAL" }, { ok, msg, code })
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() H.model():save() end, "bad argument #1 .*string expected")
    assert.error_matches(function() H.model():save("a", "b") end, "unexpected argument")
    assert.error_matches(function() H.model():save(H.tmpname() .. "\0x") end, "path contains a NUL byte")
  end)
end)

describe("model:choose_labels", function()
  -- The texts the rule is tried on: alone, mixed, empty and unknown.
  local probes = { sport_text, cyber_text, sport_text .. " " .. cyber_text, "", "zzz qqq" }

  -- Every threshold where the choice changes: each score, and between.
  local function thresholds(scores)
    local t = { 0, 0.05, 0.5, 0.95, 1 }
    for _, s in pairs(scores) do t[#t + 1] = s end
    return t
  end

  it("gives predict's labels at each threshold from one prediction's scores", function()
    local texts, labels = H.multilabel()
    local models = {
      multilabel = assert(tc.train { texts = texts, labels = labels, min_df = 1 }),
      fallback = assert(tc.train { texts = texts, labels = labels, min_df = 1, fallback = "other" }),
      short_rule = assert(tc.train { texts = texts, labels = labels, min_df = 1, short_features = 40,
                                     short_moderation = 0.7 }),
      multiclass = H.model(),
    }
    for name, m in pairs(models) do
      for _, text in ipairs(probes) do
        local scores = m:predict(text).scores
        assert.same(m:predict(text).labels, m:choose_labels(scores), name)
        for _, t in ipairs(thresholds(scores)) do
          assert.same(m:predict(text, { threshold = t }).labels, m:choose_labels(scores, t), name .. " at " .. t)
        end
      end
    end
    -- the fallback when no label passes, else the top label; everything at 0
    assert.same({ "other" }, models.fallback:choose_labels(models.fallback:predict(sport_text).scores, 1))
    assert.same({ "sport" }, models.multilabel:choose_labels(models.multilabel:predict(sport_text).scores, 1))
    assert.equal(4, #models.multilabel:choose_labels(models.multilabel:predict(sport_text).scores, 0))
  end)

  it("raises on bad arguments", function()
    local m = H.model()
    local scores = m:predict(sport_text).scores
    assert.error_matches(function() m:choose_labels() end, "bad argument #1 to 'choose_labels' %(table expected, got no value%)")
    assert.error_matches(function() m:choose_labels(m:predict(sport_text, { top = 2 }).scores) end,
                         "bad argument #1 .*scores%['%w+'%]: number expected, got nil %(a result's scores without top")
    local wrong = { politics = "0.5", sport = 0.5, cyber = 0.5, other = 0.5 }
    assert.error_matches(function() m:choose_labels(wrong) end, "scores%['politics'%]: number expected, got string")
    assert.error_matches(function() m:choose_labels(setmetatable({}, { __index = scores })) end,
                         "scores: a table with an __index or __len metamethod")
    assert.error_matches(function() m:choose_labels(scores, 1.5) end,
                         "bad argument #2 .*threshold: number in %[0, 1%] expected, got 1%.5")
    assert.error_matches(function() m:choose_labels(scores, 0 / 0) end, "threshold: number in %[0, 1%] expected")
    assert.error_matches(function() m:choose_labels(scores, "high") end, "bad argument #2 .*number expected, got string")
    assert.error_matches(function() m:choose_labels(scores, 0.5, 1) end, "bad argument #3 .*unexpected argument")
  end)
end)

describe("model life cycle", function()
  it("shows its size in tostring and closes", function()
    local m = assert(tc.load(H.model_path()))
    assert.matches("^textclass%.Model %(4 labels, linear, %d+ features%)$", tostring(m))
    assert.is_true(m:close())
    assert.equal("textclass.Model (closed)", tostring(m))
  end)

  it("raises 'attempt to use a closed model' after close", function()
    local m = assert(tc.load(H.model_path()))
    m:close()
    for _, call in ipairs {
      function() m:predict("x") end,
      function() m:predict_batch({ "x" }) end,
      function() m:choose_labels({}) end,
      function() m:explain("x") end,
      function() m:top_features("sport") end,
      function() m:labels() end,
      function() m:info() end,
      function() m:save(H.tmpname()) end,
      function() m:close() end,
      function() tc.evaluate(m, { "x" }, { "sport" }) end,
    } do
      assert.error_matches(call, "attempt to use a closed model")
    end
  end)

  it("closes a <close> variable at the end of its scope", function()
    local chunk = assert(load([[
      local tc, path = ...
      local kept
      do
        local m <close> = assert(tc.load(path))
        kept = m
        assert(m:predict("x").label)
      end
      return kept
    ]]))
    local kept = chunk(tc, H.model_path())
    assert.equal("textclass.Model (closed)", tostring(kept))
  end)

  it("closes a <close> variable when an error leaves its scope", function()
    local kept
    local ok = pcall(assert(load([[
      local tc, path, keep = ...
      local m <close> = assert(tc.load(path))
      keep(m)
      error("boom")
    ]])), tc, H.model_path(), function(m) kept = m end)
    assert.is_false(ok)
    assert.equal("textclass.Model (closed)", tostring(kept))
  end)

  it("lets __gc run after close and close run after __gc-style closing", function()
    local m = assert(tc.load(H.model_path()))
    local mt = getmetatable(m)
    mt.__close(m)
    mt.__close(m)
    mt.__gc(m)
    assert.equal("textclass.Model (closed)", tostring(m))
  end)

  it("raises, never reads freed memory, when a finalizer closes it during a method", function()
    -- info, explain, top_features and labels read the model between allocations; a
    -- finalizer run by one that closed the model made them read freed memory (ASan:
    -- heap-use-after-free in push_options); explain and top_features, closed by one
    -- run by their scratch, returned nil, "invalid argument" (explain handing the core
    -- the freed workspace)
    local path = H.model_path()
    local want = assert(tc.load(path))
    local info, labels = want:info(), want:labels()
    want:close()
    local m
    local calls = {
      info = function() local r = m:info(); assert.equal(info.features, r.features)
        assert.same(info.options, r.options); assert.same(info.labels, r.labels) end,
      labels = function() assert.same(labels, m:labels()) end,
      explain = function() assert(m:explain("the striker scored in the league match", labels[1], 1000)) end,
      ["explain (the predicted label)"] = function() assert(m:explain("the striker scored", nil, 1000)) end,
      top_features = function() assert(m:top_features(labels[1], 1000)) end,
    }
    local mode = collectgarbage("incremental", 1, 100) -- (lua5.4 runs generational)
    for name, call in pairs(calls) do
      for _ = 1, 150 do
        m = assert(tc.load(path))
        setmetatable({}, { __gc = function() pcall(m.close, m) end })
        local ok, err = pcall(call)
        assert.is_true(ok or tostring(err):find("attempt to use a closed model", 1, true) ~= nil, name .. ": " .. tostring(err))
      end
    end
    collectgarbage("incremental", 200, 100)
    collectgarbage(mode)     -- raw_tables_spec times its finalizers in that mode
    collectgarbage()
  end)

  it("raises when a finalizer closes it before predict, predict_batch or predict_async predicts", function()
    -- one run by the allocation of their scratch made them predict with no model:
    -- nil, "invalid argument" from predict, every result that error from
    -- predict_batch (predict_async's wait raised). In a Lua of its own: when
    -- finalizers run depends on the heap, and in the suite's they never ran at
    -- that allocation.
    local script = H.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([==[
      local tc = require "textclass"
      local texts = {}
      for i = 1, 500 do texts[i] = "the vote " .. i end
      local m
      local calls = {
        { "predict", function() return assert(m:predict("the vote")).error end },
        { "predict_batch", function() return m:predict_batch(texts)[#texts].error end },
        { "predict_async", function() return m:predict_async(texts):wait()[#texts].error end },
      }
      collectgarbage("incremental", 1, 100)
      for _, call in ipairs(calls) do
        local during, wrong = 0, 0
        for _ = 1, 300 do
          m = assert(tc.load(arg[1]))
          setmetatable({}, { __gc = function() pcall(m.close, m) end })
          local ok, err = pcall(call[2])
          if not ok and tostring(err):find("(it was closed during the call)", 1, true) then
            during = during + 1
          elseif ok and err ~= nil or not ok and not tostring(err):find("attempt to use a closed model", 1, true) then
            wrong = wrong + 1
          end
        end
        print(call[1], during, wrong)
      end
      os.exit(0, false) -- (no collection at exit: nothing to close)
    ]==])
    f:close()
    local ok, out, err = H.run(script, { H.model_path() })
    assert(ok, err)
    for name in ("predict predict_batch predict_async"):gmatch("%S+") do
      local during, wrong = out:match(name .. "\t(%d+)\t(%d+)\n")
      assert.truthy(tonumber(during) > 0, out) -- the window was hit
      assert.equal("0", wrong, out)
    end
  end)

  it("frees models under a loop of thousands of loads", function()
    local path = H.model_path()
    local n = 3000
    local function round()
      for i = 1, n do
        local m = assert(tc.load(path))
        m:predict(cyber_text)
        if i % 3 == 0 then m:close() end -- the rest are left to the collector
        if i % 100 == 0 then collectgarbage() end
      end
      collectgarbage()
      collectgarbage()
      return H.rss_kib()
    end
    -- The collector only sees the small userdata, not the model behind it,
    -- so it is run every 100 loads to bound the garbage waiting for it. The
    -- first round sets the heap's high-water mark; a second round reuses
    -- that memory unless models leak.
    local before = round()
    local after = round()
    -- AddressSanitizer keeps freed memory in quarantine: RSS says nothing there
    local asan = (os.getenv("LD_PRELOAD") or ""):match("asan")
    if before and after and not asan then
      local size = #H.read(path)
      local leaked_kib = n * size / 1024 -- leaking each model grows by at least this
      assert.is_true(after - before < leaked_kib / 5,
        string.format("RSS grew %d KiB over %d loads of a %d-byte model", after - before, n, size))
    end
  end)
end)
