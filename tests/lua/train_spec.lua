-- train_spec.lua - tc.train, tc.cross_validate and tc.evaluate (issue 4).
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

local function spec(extra)
  local texts, labels = H.topics()
  local s = { texts = texts, labels = labels, min_df = 1 }
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

describe("tc.train", function()
  it("trains a model that labels its training texts", function()
    local s = spec()
    local m = assert(tc.train(s))
    assert.matches("^textclass%.Model %(4 labels, linear, %d+ features%)$", tostring(m))
    local right = 0
    for i, t in ipairs(s.texts) do
      if m:predict(t).label == s.labels[i] then right = right + 1 end
    end
    assert.is_true(right >= #s.texts - 1, right .. " of " .. #s.texts)
  end)

  -- Regression: Platt calibration fitted on a handful of documents came out
  -- inverted (slope of the wrong sign), so every training text got the
  -- other label. Scores must keep the order of the decision values.
  it("labels its training texts even with three per class", function()
    local texts = {
      "The striker scored twice and the team won the league match",
      "The coach praised the players after the cup final win",
      "The champion won the final set to lift the trophy",
      "Hackers used ransomware to encrypt the hospital network",
      "A phishing campaign steals passwords with fake login pages",
      "Attackers exploited a vulnerability to install malware",
    }
    local labels = { "sport", "sport", "sport", "cyber", "cyber", "cyber" }
    local m = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
    for i, t in ipairs(texts) do
      assert.equal(labels[i], m:predict(t).label, t)
    end
  end)

  -- Regression: with two texts per class the out-of-fold decision values ran
  -- against the labels and "The striker scored twice..." got cyber 0.99.
  -- Calibration now refuses such a fit and falls back to the logistic of
  -- the margin, for every label, and the model says so.
  it("labels its training texts with two per class, multi-class and multi-label", function()
    local texts = {
      "The striker scored twice and the team won the league match",
      "The coach praised the players after the cup final win",
      "Hackers used ransomware to encrypt the hospital network",
      "A phishing campaign steals passwords with fake login pages",
    }
    local labels = { "sport", "sport", "cyber", "cyber" }
    for _, multilabel in ipairs { false, true } do
      local m = assert(tc.train { texts = texts, labels = labels, min_df = 1, multilabel = multilabel })
      for i, t in ipairs(texts) do
        local r = m:predict(t)
        local other = labels[i] == "sport" and "cyber" or "sport"
        assert.equal(labels[i], r.label, t)
        assert.same({ labels[i] }, r.labels, t)
        assert.is_true(r.scores[labels[i]] > 0.5 and r.scores[other] < 0.5, t)
      end
      local fallback = m:info().calibration_fallback
      assert.is_string(fallback)
      assert.matches("sport", fallback)
      assert.matches("cyber", fallback)
    end
  end)

  it("keeps Platt's fit when every label has enough examples", function()
    local m = assert(tc.train(spec()))
    assert.is_nil(m:info().calibration_fallback)
  end)

  it("is deterministic: equal specs give equal models, whatever the threads", function()
    local a = assert(tc.train(spec { seed = 7 }))
    local b = assert(tc.train(spec { seed = 7, threads = 2 }))
    local ia, ib = a:info(), b:info()
    ia.created, ib.created = nil, nil -- the training date is the one difference
    assert.same(ia, ib)
    for _, label in ipairs(a:labels()) do
      assert.same(a:top_features(label, 50), b:top_features(label, 50))
    end
    local texts = H.topics()
    assert.same(a:predict_batch(texts), b:predict_batch(texts))
  end)

  it("takes every field of issue 4", function()
    local m = assert(tc.train(spec {
      multilabel = false, kernel = "linear", C = 2, class_weight = "balanced", threshold = 0.4,
      fallback = "other", ngrams = { 1, 1 }, char_ngrams = { 3, 4 }, max_features = 500,
      stopwords = "english", cv = 2, grid = false, seed = 3, threads = 2,
      progress = function() end, strip_accents = true, strip_boilerplate = true, max_df = 0.9,
    }))
    local info = m:info()
    assert.equal(2, info.C)
    assert.equal("other", info.fallback)
    assert.same({ 1, 1 }, info.options.ngrams)
    assert.same({ 3, 4 }, info.options.char_ngrams)
    assert.is_true(info.features <= 500)
    assert.is_true(info.options.strip_accents)
    assert.equal(2, info.cv_folds) -- cv figures are stored in the model
    assert.is_true(info.cv_macro_f1 >= 0 and info.cv_macro_f1 <= 1)
  end)

  it("stores a multi-label model's figures at each threshold, and chooses one with threshold = \"auto\"", function()
    local given = assert(tc.train(spec { multilabel = true, cv = 2, threshold = 0.05 })):info()
    local auto = assert(tc.train(spec { multilabel = true, cv = 2, threshold = "auto" })):info()
    local n = 0
    local best, best_t
    for t, micro in given.cv_thresholds:gmatch("([%d.]+):([%d.]+)/[%d.]+/[%d.]+") do
      n = n + 1
      -- the highest micro-F1, ties nearest the threshold given (0.5 for auto)
      if not best or tonumber(micro) > best or
         (tonumber(micro) == best and math.abs(tonumber(t) - 0.5) < math.abs(best_t - 0.5)) then
        best, best_t = tonumber(micro), tonumber(t)
      end
    end
    assert.equal(19, n)
    assert.equal(given.cv_thresholds, auto.cv_thresholds) -- the same out-of-fold scores
    assert.is_nil(given.threshold_by)
    assert.equal(0.05, given.threshold)
    assert.equal("cv_micro_f1", auto.threshold_by)
    assert.equal(best_t, auto.threshold)
    assert.near(best, auto.cv_micro_f1, 1e-9)
    assert.is_nil(assert(tc.train(spec { cv = 2 })):info().cv_thresholds) -- multi-class: none
  end)

  -- The short-story rule: below n0 features, each label's log-odds move away
  -- from the empty text's by sqrt(n0 / n) (textclass.h, short_features); the
  -- weights and the Platt fit are those of the model without it.
  it("takes short_features, and scores short texts by the rule", function()
    local plain = assert(tc.train(spec()))
    local n0 = 30
    local short = assert(tc.train(spec { short_features = n0 }))
    assert.equal(0, plain:info().short_features)
    assert.equal(3, plain:info().format_version)
    assert.equal(n0, short:info().short_features)
    assert.equal(4, short:info().format_version)
    local function logit(p) return math.log(p) - math.log(1 - p) end
    local every = plain:info().features
    local empty = plain:predict("").scores
    assert.same(empty, short:predict("").scores) -- n = 0: untouched
    local scaled, untouched = 0, 0
    local texts = H.topics()
    texts[#texts + 1] = "the team won"
    for _, text in ipairs(texts) do
      local n = #plain:explain(text, plain:labels()[1], every)
      local got, raw = short:predict(text).scores, plain:predict(text).scores
      local gain = n > 0 and n < n0 and math.sqrt(n0 / n) or 1
      if gain > 1 then scaled = scaled + 1 else untouched = untouched + 1 end
      for label, s in pairs(raw) do
        local want = 1 / (1 + math.exp(-(logit(empty[label]) + gain * (logit(s) - logit(empty[label])))))
        assert.is_true(math.abs(got[label] - want) < 1e-12, text .. ": " .. label)
      end
      assert.same(plain:explain(text, "sport", 5), short:explain(text, "sport", 5)) -- contributions raw
    end
    assert.is_true(scaled >= 3 and untouched >= 3, scaled .. " scaled, " .. untouched .. " untouched")
    local path = H.tmpname()
    assert(short:save(path))
    local again <close> = assert(tc.load(path))
    assert.equal(n0, again:info().short_features)
    assert.same(short:predict("the team won").scores, again:predict("the team won").scores)
  end)

  -- Its moderation: below n0 features each label's log-odds, after the
  -- rule, is divided by sqrt(1 + c (n0 / n - 1)) (textclass.h,
  -- short_moderation): toward 0.5, so the labels at 0.5 stay.
  it("takes short_moderation, and moderates short texts' scores", function()
    local n0, c = 30, 0.7
    local short = assert(tc.train(spec { short_features = n0 }))
    local moderated = assert(tc.train(spec { short_features = n0, short_moderation = c }))
    assert.equal(0, short:info().short_moderation)
    assert.equal(c, moderated:info().short_moderation)
    assert.equal(5, moderated:info().format_version)
    local function logit(p) return math.log(p) - math.log(1 - p) end
    local every = short:info().features
    local texts = H.topics()
    texts[#texts + 1] = "the team won"
    texts[#texts + 1] = ""
    local changed, untouched, computed = 0, 0, 0
    for _, text in ipairs(texts) do
      local n = #short:explain(text, short:labels()[1], every)
      local got, unmoderated = moderated:predict(text, { threshold = 0.5 }), short:predict(text, { threshold = 0.5 })
      local kappa = n > 0 and n < n0 and 1 / math.sqrt(1 + c * (n0 / n - 1)) or 1
      if kappa < 1 then changed = changed + 1 else untouched = untouched + 1 end
      for label, s in pairs(unmoderated.scores) do
        local s_got = got.scores[label]
        if kappa == 1 then assert.equal(s, s_got)
        elseif math.min(s, 1 - s) < 1e-6 then -- too few bits left of its log-odds: only toward 0.5
          assert.is_true(math.abs(s_got - 0.5) < math.abs(s - 0.5), text .. ": " .. label)
        else
          local want = 1 / (1 + math.exp(-kappa * logit(s)))
          assert.is_true(math.abs(s_got - want) < 1e-9, text .. ": " .. label .. " " .. s_got .. ", want " .. want)
          computed = computed + 1
        end
      end
      assert.same(unmoderated.labels, got.labels)
    end
    assert.is_true(changed >= 3 and untouched >= 3, changed .. " moderated, " .. untouched .. " untouched")
    assert.is_true(computed >= 6, computed .. " scores computed")
    local path = H.tmpname()
    assert(moderated:save(path))
    local again <close> = assert(tc.load(path))
    assert.equal(c, again:info().short_moderation)
    assert.same(moderated:predict("the team won").scores, again:predict("the team won").scores)
  end)

  it("weighs every source alike in calibration, given spec.sources", function()
    local texts, labels = H.topics()
    local one, two, mixed = {}, {}, {}
    for i = 1, #texts do one[i], two[i], mixed[i] = "bbc", i <= 8 and "thn" or "bbc", i % 3 == 0 and 7 or "x" end
    local function bytes(m)
      local path = H.tmpname()
      assert(m:save(path))
      local f = assert(io.open(path, "rb"))
      local b = f:read("a")
      f:close()
      return b
    end
    local plain = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
    -- one source is no weighing: the same model, byte for byte
    local same = assert(tc.train { texts = texts, labels = labels, min_df = 1, sources = one })
    assert.equal(bytes(plain), bytes(same))
    assert.is_nil(same:info().calibration_sources)
    local by = assert(tc.train { texts = texts, labels = labels, min_df = 1, sources = two })
    assert.equal(2, by:info().calibration_sources)
    assert.are_not.equal(bytes(plain), bytes(by))
    -- strings and integers are sources alike (7 is not "7")
    assert.equal(2, assert(tc.train { texts = texts, labels = labels, min_df = 1, sources = mixed }):info().calibration_sources)
  end)

  it("trains rbf models", function()
    local m = assert(tc.train(spec { kernel = "rbf", gamma = 1, C = 10 }))
    assert.matches("rbf", tostring(m))
    assert.equal("rbf", m:info().kernel)
    assert.equal("cyber", m:predict("ransomware malware hackers stole passwords").label)
    local ok, msg = m:top_features("sport")
    assert.is_nil(ok)
    assert.matches("linear", msg)
    assert.is_true(#m:explain("ransomware malware hackers") >= 1)
  end)

  it("takes class weights by label name", function()
    assert(tc.train(spec { class_weight = { sport = 2, cyber = 0.5 } }))
    assert(tc.train(spec { class_weight = "none" }))
  end)

  it("trains multi-label models whose results pass the threshold", function()
    local texts, labels = H.multilabel()
    local m = assert(tc.train { texts = texts, labels = labels, min_df = 1, threshold = 0.5 })
    assert.is_true(m:info().multilabel) -- inferred from the lists
    local both = 0
    for i, t in ipairs(texts) do
      local r = m:predict(t)
      assert.is_true(#r.labels >= 1)
      for _, l in ipairs(r.labels) do
        assert.is_true(r.scores[l] >= 0.5 or #r.labels == 1, l)
      end
      if #labels[i] == 2 then
        local got = {}
        for _, l in ipairs(r.labels) do got[l] = true end
        if got[labels[i][1]] and got[labels[i][2]] then both = both + 1 end
      end
    end
    assert.is_true(both >= 12, both .. " of 16 two-label texts got both labels")
    -- a lower threshold gives at least as many labels
    local low = m:predict(texts[#texts], { threshold = 0.05 })
    assert.is_true(#low.labels >= #m:predict(texts[#texts]).labels)
  end)

  it("calls progress with stage, done, total", function()
    local calls, stages = 0, {}
    assert(tc.train(spec { progress = function(stage, done, total)
      assert.is_string(stage)
      assert.is_true(math.type(done) == "integer" and math.type(total) == "integer")
      assert.is_true(total == 0 or done <= total)
      calls = calls + 1
      stages[stage] = true
    end }))
    assert.is_true(calls > 0)
    assert.is_true(stages.train)
  end)

  it("cancels when progress returns false", function()
    local m, msg, code = tc.train(spec { progress = function() return false end })
    assert.is_nil(m)
    assert.matches("cancel", msg)
    assert.equal("ECANCELED", code)
  end)

  it("re-raises an error from progress, with its value, after cleaning up", function()
    local token = setmetatable({}, { __tostring = function() return "token" end })
    local ok, err = pcall(tc.train, spec { progress = function(stage)
      if stage == "train" then error(token) end
    end })
    assert.is_false(ok)
    assert.equal(token, err)
    ok, err = pcall(tc.train, spec { progress = function() error("stop here") end })
    assert.is_false(ok)
    assert.matches("stop here", err)
    -- a yield cannot cross the core: it is an error, not a crash
    local co = coroutine.wrap(function()
      return pcall(tc.train, spec { progress = function() coroutine.yield() end })
    end)
    ok, err = co()
    assert.is_false(ok)
    assert.matches("yield", err)
  end)

  it("returns nil, message, code for unusable data", function()
    local m, msg, code = tc.train { texts = { "a b c", "b c d" }, labels = { "x", "x" }, min_df = 1 }
    assert.is_nil(m)
    assert.equal('training data: only one label ("x"): a classifier needs at least two', msg)
    assert.equal("EDATA", code)
    m, msg, code = tc.train { texts = {}, labels = {} }
    assert.is_nil(m)
    assert.equal("EDATA", code)
    m, msg, code = tc.train { texts = { "the", "a" }, labels = { "x", "y" }, min_df = 1 }
    assert.is_nil(m) -- only stop words: no term survives
    assert.is_string(msg)
  end)

  it("refuses texts whose words were made to collide in the hash table", function()
    -- ten words with one hash mod 2^64 (tests/fuzz/colliding_terms.py words 10)
    local words = { "hcrqrihgmekuojsiornjlertguhpqpgu", "iiwipodikoiypfsjsmlpsavtdwlsplen",
      "kkfotilhkllprjslrlhcojtoeejmonfi", "oiljlqigilmkkqnjjrnroqkkljhiiqmj",
      "ppjcjklmkjpkghpknptitvqmoncghtni", "qxhgfgnqpulekrqlinggnlomqhslmlpf",
      "rjltgmjlxrjhkkjpjlklmpnoihkhnknh", "rmogpkmjhqrklljokoiomkpnhmurkqmm",
      "tfnhnppegtjutfggimimwytngfbfgpmp", "vmslvgmhnumgismnllrokxglpkhcefoq" }
    local text = table.concat(words, " ")
    local m, msg, code = tc.train { texts = { text, text .. " sport" }, labels = { "x", "y" }, min_df = 1 }
    assert.is_nil(m)
    assert.equal("training data: more than 8 terms share one hash (texts made to collide?)", msg)
    assert.equal("EDATA", code)
    -- nine of them are ordinary words
    text = table.concat(words, " ", 1, 9)
    assert.truthy(tc.train { texts = { text, text .. " sport" }, labels = { "x", "y" }, min_df = 1 })
  end)

  it("raises on a malformed spec, naming the field", function()
    local cases = {
      { nil, "table expected, got nil" },
      { spec { kernal = "rbf" }, "unknown spec field 'kernal'" },
      { spec { [1] = "x" }, "spec field keys must be strings" },
      { { labels = { "a" } }, "spec.texts: missing" },
      { { texts = { "a" } }, "spec.labels: missing" },
      { spec { texts = "abc" }, "spec.texts: table of strings expected, got string" },
      { spec { texts = { "a", true }, labels = { "x", "y" } }, "spec.texts%[2%]: string expected, got boolean" },
      { spec { labels = { "x" } }, "spec.labels has 1 entries but spec.texts has 32" },
      { { texts = { "a", "b" }, labels = { "x", 7 } }, "spec.labels%[2%]: string or list of strings expected, got number" },
      { { texts = { "a", "b" }, labels = { "x", "" } }, "spec.labels%[2%]: label name is empty" },
      { { texts = { "a", "b" }, labels = { "x", { "y", "y" } } }, "spec.labels%[2%]: label 'y' repeated" },
      { { texts = { "a", "b" }, labels = { "x", "y\0z" } }, "spec.labels%[2%]: label name contains a NUL byte" },
      { { texts = { "a", "b" }, labels = { "x", { "y\0" } } }, "spec.labels%[2%]%[1%]: label name contains a NUL byte" },
      -- (a model's label broke label's, explain's and eval's tables and lines, and drove the terminal)
      { { texts = { "a", "b" }, labels = { "x", "sp\nort\27[31m" } },
        "spec.labels%[2%]: label name holds a control character %(U%+000A%)" },
      { { texts = { "a", "b" }, labels = { { "x" }, { "y", "z\194\133" } } },
        "spec.labels%[2%]%[2%]: label name holds a control character %(U%+0085%)" },
      -- (label's TSV and CSV output wrote "a,b" in its labels column, read as two labels)
      { { texts = { "a", "b" }, labels = { "x", "a,b" } },
        "spec.labels%[2%]: label name holds a comma, which separates labels in TSV and CSV output" },
      { { texts = { "a", "b" }, labels = { { "x" }, { "y", "," } } },
        "spec.labels%[2%]%[2%]: label name holds a comma" },
      { { texts = { "a", "b" }, labels = { "x", "y\255" } }, "spec.labels%[2%]: label name is not valid UTF%-8" },
      { spec { sources = "bbc" }, "spec.sources: table of strings expected, got string" },
      { spec { sources = { "bbc" } }, "spec.sources: 1 entries for 32 texts %(one source per text%)" },
      { { texts = { "a", "b" }, labels = { "x", "y" }, sources = { "bbc", 1.5 } },
        "spec.sources%[2%]: string or integer expected, got number" },
      { { texts = { "a", "b" }, labels = { "x", "y" }, sources = { "bbc", false } },
        "spec.sources%[2%]: string or integer expected, got boolean" },
      { { texts = { "a", "b" }, labels = { "x", { "y", "\192\128" } } }, "spec.labels%[2%]%[2%]: label name is not valid UTF%-8" },
      { spec { fallback = "sport\0" }, "spec.fallback: label name contains a NUL byte" },
      { spec { class_weight = { ["sport\0"] = 1 } }, "spec.class_weight: label name contains a NUL byte" },
      -- the one rule for label names, as spec.labels: these were "unknown
      -- label '...'", the name printed as it was (an escape drove the terminal)
      { spec { fallback = "sp\27[31mort" }, "spec.fallback: label name holds a control character %(U%+001B%)" },
      { spec { fallback = "" }, "spec.fallback: label name is empty%)" },
      { spec { fallback = "a,b" }, "spec.fallback: label name holds a comma, which separates labels" },
      { spec { class_weight = { ["sp\194\133ort"] = 1 } },
        "spec.class_weight: label name holds a control character %(U%+0085%)" },
      { spec { class_weight = { ["y\255"] = 1 } }, "spec.class_weight: label name is not valid UTF%-8" },
      { spec { class_weight = { [""] = 1 } }, "spec.class_weight: label name is empty%)" },
      { { texts = { "a", "b" }, labels = { "x", { "y", 3 } } }, "spec.labels%[2%]%[2%]: string expected, got number" },
      { { texts = { "a", "b" }, labels = { "x", { "y", "z" } }, multilabel = false }, "spec.labels%[2%]: exactly one label expected" },
      { spec { kernel = "poly" }, "spec.kernel: \"linear\" or \"rbf\" expected, got \"poly\"" },
      { spec { kernel = 1 }, "spec.kernel: string expected, got number" },
      { spec { C = -1 }, "spec.C: number in %(0" },
      { spec { C = "1" }, "spec.C: number expected, got string" },
      { spec { C = 0 / 0 }, "spec.C: number in" },
      { spec { gamma = 0 }, "spec.gamma: number in %(0" },
      { spec { C = 2e6 }, "spec.C: number in %(0%.0, 1000000%.0%] expected, got 2000000%.0" },
      { spec { gamma = 2e6 }, "spec.gamma: number in %(0%.0, 1000000%.0%]" },
      { spec { threshold = 1.5 }, "spec.threshold: number in %[0" },
      { spec { min_df = 0 }, "spec.min_df: integer >= 1 expected, got 0" },
      { spec { min_df = 1.5 }, "spec.min_df: integer >= 1 expected, got 1.5" },
      { spec { min_df = 2 ^ 31 }, "spec.min_df: integer in %[1, 2147483647%] expected, got 2147483648%.0" },
      { spec { short_features = math.maxinteger }, "spec.short_features: integer in %[0, 2147483647%] expected" },
      { spec { max_df = 0 }, "spec.max_df: number in %(0" },
      { spec { max_features = -1 }, "spec.max_features: integer" },
      { spec { ngrams = { 3, 1 } }, "spec.ngrams: {min, max} with min <= max" },
      -- the core's longest n-grams, named as the field (not word_ngram_min..word_ngram_max)
      { spec { ngrams = { 1, 7 } }, "spec.ngrams: integer in %[1, 6%] expected, got 7" },
      { spec { char_ngrams = 11 }, "spec.char_ngrams: integer in %[1, 10%] expected, got 11" },
      { spec { stopwords = true }, "spec.stopwords: " },
      { spec { multilabel = "yes" }, "spec.multilabel: boolean expected, got string" },
      { spec { grid = 1 }, "spec.grid: boolean expected, got number" },
      { spec { cv = -2 }, "spec.cv: integer in %[0, 100%] expected, got %-2" },
      { spec { cv = 1 }, "spec.cv: 0 %(no cross%-validation%) or an integer in %[2, 100%] expected, got 1" },
      { spec { grid = true }, "spec.grid needs spec.cv >= 2 %(the folds it chooses by%)" },
      { spec { grid = true, cv = 2, title_terms = true }, "spec.grid chooses title_terms itself %(it tries them off and on%): leave spec.title_terms out" },
      { spec { threshold = "best" }, "spec.threshold: number or \"auto\" expected, got string" },
      { spec { threshold = "auto", multilabel = true }, "spec.threshold = \"auto\" needs spec.cv >= 2" },
      { spec { threshold = "auto", cv = 2 }, "spec.threshold = \"auto\" applies to multi%-label models only" },
      { spec { seed = -1 }, "spec.seed: non%-negative integer expected" },
      { spec { seed = "1" }, "spec.seed: non%-negative integer expected, got string" },
      { spec { threads = 1.5 }, "spec.threads: integer" },
      { spec { progress = "print" }, "spec.progress: function expected, got string" },
      { spec { class_weight = "heavy" }, "spec.class_weight: .*expected, got string" },
      { spec { class_weight = { weather = 2 } }, "spec.class_weight: unknown label 'weather'" },
      { spec { class_weight = { sport = -2 } }, "spec.class_weight.sport: positive number up to 1e6 expected" },
      -- the core's bound: it returned nil, "label_weights: ...: unusable training data", "EDATA"
      { spec { class_weight = { sport = 2e6 } }, "spec.class_weight.sport: positive number up to 1e6 expected" },
      { spec { fallback = "weather" }, "spec.fallback: unknown label 'weather'" },
      { spec { fallback = 1 }, "spec.fallback: label name expected, got number" },
      { spec { solver = "sgd" }, "spec.solver: " },
      -- (the core's message said "use TC_SOLVER_LIBSVM or AUTO for RBF")
      { spec { solver = "liblinear", kernel = "rbf" },
        "spec.solver: \"liblinear\" trains linear kernels only %(\"libsvm\" or \"auto\" train kernel = \"rbf\"%)" },
      { spec { solver = "dcd", kernel = "rbf" }, "spec.solver: \"dcd\" trains linear kernels only" },
      { spec { short_features = -1 }, "spec.short_features: integer >= 0 expected, got %-1" },
      { spec { short_features = 2.5 }, "spec.short_features: integer" },
      { spec { short_features = 80, kernel = "rbf" }, "spec: short_features applies to linear kernels only" },
      { spec { short_features = 80, short_moderation = -1 }, "spec.short_moderation: number in %[0" },
      { spec { short_moderation = 0.7 }, "spec: short_moderation needs short_features" },
    }
    for _, case in ipairs(cases) do
      assert.error_matches(function() tc.train(case[1]) end, "bad argument #1 to '[%w.]*train' %(.*" .. case[2], nil,
        "expected: " .. case[2])
    end
    assert.error_matches(function() tc.train(spec(), "x") end, "bad argument #2 .*unexpected argument")
  end)

  it("names spec.cv when it asks for more folds than there are documents", function()
    local m, err, code = tc.train { texts = { "a b", "c d", "e f" }, labels = { "x", "y", "x" }, min_df = 1, cv = 4 }
    assert.is_nil(m)
    assert.equal("spec.cv: 4 folds need at least 4 documents (there are 3): unusable training data", err)
    assert.equal("EDATA", code)
  end)

  it("raises for a rejected spec before running progress", function()
    local called = false
    assert.has_error(function()
      tc.train(spec { C = -1, progress = function() called = true end })
    end)
    assert.is_false(called)
  end)
end)

describe("tc.cross_validate", function()
  local function check_shape(r, labels)
    assert.is_number(r.accuracy)
    assert.is_number(r.macro_f1)
    assert.is_true(r.accuracy >= 0 and r.accuracy <= 1)
    assert.is_true(r.macro_f1 >= 0 and r.macro_f1 <= 1)
    for _, l in ipairs(labels) do
      local pl = r.per_label[l]
      assert.is_table(pl, l)
      for _, k in ipairs { "precision", "recall", "f1" } do
        assert.is_true(pl[k] >= 0 and pl[k] <= 1, l .. "." .. k)
      end
      assert.is_true(math.type(pl.support) == "integer")
    end
  end

  it("gives accuracy, macro_f1, per_label and folds", function()
    local r = assert(tc.cross_validate(spec(), 4))
    check_shape(r, H.labels)
    assert.equal(32, r.documents)
    assert.equal(4, #r.folds)
    for _, f in ipairs(r.folds) do assert.is_number(f.macro_f1) end
    assert.is_true(r.accuracy > 0.5, "accuracy " .. r.accuracy)
    local support = 0
    for _, pl in pairs(r.per_label) do support = support + pl.support end
    assert.equal(32, support)
  end)

  -- (it returned EINVAL, "cross-validation: k = 33 must be in 2..32 (documents)", where
  -- tc.train says EDATA for the same folds)
  it("returns nil, message, code for more folds than documents, as train does", function()
    local r, msg, code = tc.cross_validate(spec(), 33)
    assert.is_nil(r)
    assert.equal("33 folds need at least 33 documents (there are 32): unusable training data", msg)
    assert.equal("EDATA", code)
  end)

  it("takes k from spec.cv, else 5", function()
    assert.equal(2, #assert(tc.cross_validate(spec { cv = 2 })).folds)
    assert.equal(5, #assert(tc.cross_validate(spec())).folds)
  end)

  it("works on multi-label data", function()
    local texts, labels = H.multilabel()
    local r = assert(tc.cross_validate({ texts = texts, labels = labels, min_df = 1 }, 3))
    check_shape(r, H.labels)
    assert.is_number(r.exact_match)
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.cross_validate(spec(), 1) end, "bad argument #2 .*folds must be in %[2, 100%]")
    assert.error_matches(function() tc.cross_validate(spec(), "x") end, "bad argument #2 .*number expected, got string")
    assert.error_matches(function() tc.cross_validate(spec { kernal = 1 }, 2) end, "unknown spec field 'kernal'")
    assert.error_matches(function() tc.cross_validate(spec(), 2, 3) end, "bad argument #3 .*unexpected argument")
  end)

  it("re-raises errors from progress", function()
    assert.error_matches(function()
      tc.cross_validate(spec { progress = function() error("cv stop") end }, 2)
    end, "cv stop")
  end)
end)

describe("tc.train on large data", function()
  -- 20,000 six-word texts, 10,000 a label, each word from its label's list
  -- four times in five: every label has 10,000 documents on each side, so
  -- it is calibrated on one held-out fold instead of three
  local function data()
    local words = { sport = { "goal", "match", "striker", "league", "cup" },
                    politics = { "vote", "minister", "party", "election", "budget" } }
    local texts, labels, state = {}, {}, 12345
    local function rand(n) -- a fixed LCG: the same data whatever the Lua build
      state = (state * 1103515245 + 12345) % 2147483648
      return state % n + 1
    end
    for i = 1, 20000 do
      local l = i % 2 == 0 and "sport" or "politics"
      local other = l == "sport" and "politics" or "sport"
      local w = {}
      for k = 1, 6 do
        local list = words[rand(5) <= 4 and l or other]
        w[k] = list[rand(5)]
      end
      texts[i], labels[i] = table.concat(w, " "), l
    end
    return texts, labels
  end

  it("calibrates a label with 10,000 documents a side on one held-out fold, deterministically", function()
    local texts, labels = data()
    local one = assert(tc.train { texts = texts, labels = labels, min_df = 1, threads = 1 })
    local two = assert(tc.train { texts = texts, labels = labels, min_df = 1, threads = 2 })
    local info = one:info()
    assert.equal("politics, sport", info.calibration_one_fold)
    assert.is_nil(info.calibration_fallback)
    -- a calibrated probability: near 1 with every word for the label, near
    -- 1/2 with as many for each, low with none
    local all = one:predict("goal match striker league cup goal").scores.sport
    local half = one:predict("goal match striker vote minister party").scores.sport
    local none = one:predict("vote minister party election budget vote").scores.sport
    assert.is_true(all > 0.99 and none < 0.01 and half > 0.2 and half < 0.8, all .. " " .. half .. " " .. none)
    for _, t in ipairs({ "goal vote", "cup cup budget", "election match party" }) do
      assert.same(one:predict(t).scores, two:predict(t).scores)
    end
    -- a small data set keeps three folds, and no such metadata
    assert.is_nil(H.model():info().calibration_one_fold)
  end)
end)

describe("tc.evaluate", function()
  it("gives the cross_validate shape plus a confusion matrix", function()
    local m = H.model()
    local texts, labels = H.topics()
    local r = assert(tc.evaluate(m, texts, labels))
    assert.equal(32, r.documents)
    assert.is_true(r.accuracy >= 31 / 32)
    local total = 0
    for _, gold in ipairs(H.labels) do
      for _, pred in ipairs(H.labels) do
        local c = r.confusion[gold][pred]
        assert.is_true(math.type(c) == "integer", gold .. "/" .. pred)
        total = total + c
      end
      assert.equal(8, r.per_label[gold].support)
    end
    assert.equal(32, total)
    assert.same({}, r.unknown_labels)
  end)

  it("agrees with predictions made one by one", function()
    local m = H.model()
    local texts = { "ransomware attack on hospital", "the team won the match", "parliament vote" }
    local labels = { "cyber", "politics", "politics" }
    local r = assert(tc.evaluate(m, texts, labels, { threads = 2 }))
    local right = 0
    for i, t in ipairs(texts) do
      local p = m:predict(t).label
      if p == labels[i] then right = right + 1 end
      assert.is_true(r.confusion[labels[i]][p] >= 1)
    end
    assert.near(right / 3, r.accuracy, 1e-12)
  end)

  it("counts gold labels the model does not know as errors", function()
    local m = H.model()
    local r = assert(tc.evaluate(m, { "the striker scored", "rain and floods tomorrow" }, { "sport", "weather" }))
    assert.same({ "weather" }, r.unknown_labels)
    assert.equal(1, r.per_label.weather.support)
    assert.equal(0, r.per_label.weather.recall)
    assert.is_true(r.accuracy <= 0.5)
    local row = 0
    for _, c in pairs(r.confusion.weather) do row = row + c end
    assert.equal(1, row)
    assert.is_nil(r.confusion.sport.weather) -- no column: the model never predicts it
  end)

  it("gives the confusion matrix a column per model label, not per gold label", function()
    -- 20000 gold labels the model does not know (a text field taken for
    -- the labels): a square matrix would be 4e8 cells
    local m = H.model()
    local texts, labels = {}, {}
    for i = 1, 20000 do texts[i] = "match " .. i; labels[i] = "tag" .. i end
    local r = assert(tc.evaluate(m, texts, labels))
    assert.equal(20000, #r.unknown_labels)
    local row, cells, sum = r.confusion.tag20000, 0, 0
    for _, c in pairs(row) do cells = cells + 1; sum = sum + c end
    assert.same({ 1, 1 }, { cells, sum }) -- only the cell that is not 0 is stored
    for _, l in ipairs(m:labels()) do assert.equal("integer", math.type(row[l]), l) end
    assert.is_nil(row.tag1)
  end)

  it("takes multi-label gold lists", function()
    local m = H.model()
    local r = assert(tc.evaluate(m, { "hackers attack the election", "goal" }, { { "politics", "cyber" }, { "sport" } }))
    assert.equal(2, r.documents)
    assert.equal(1, r.per_label.cyber.support)
    assert.equal(1, r.per_label.politics.support)
  end)

  it("raises on bad arguments, naming the culprit", function()
    local m = H.model()
    assert.error_matches(function() tc.evaluate("m", {}, {}) end,
                         "bad argument #1 .*textclass.Model or textclass.Classifier expected, got string")
    assert.error_matches(function() tc.evaluate(m, { "a", {} }, { "x", "y" }) end, "texts%[2%]: string expected, got table")
    assert.error_matches(function() tc.evaluate(m, { "a", "b" }, { "sport" }) end, "labels has 1 entries but texts has 2")
    assert.error_matches(function() tc.evaluate(m, { "a" }, "sport") end, "labels: table expected, got string")
    assert.error_matches(function() tc.evaluate(m, { "a" }, { { "sport", "sport" } }) end, "labels%[1%]: label 'sport' repeated")
    assert.error_matches(function() tc.evaluate(m, { "a" }, { "sport" }, { thread = 1 }) end, "unknown option 'thread'")
    assert.error_matches(function() tc.evaluate(m, { "a" }, { "sport" }, nil, 5) end, "bad argument #5 .*unexpected argument")
  end)
end)
