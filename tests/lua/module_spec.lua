-- module_spec.lua - require "textclass": module functions (issue 4).
-- Model methods are in model_spec.lua, training in train_spec.lua.
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

describe("require 'textclass'", function()
  it("reports its version", function()
    assert.equal("textclass 0.1.0", tc._VERSION)
  end)

  it("exports the functions of issue 4", function()
    for _, name in ipairs { "normalize", "tokenize", "load", "default", "train", "cross_validate",
                            "evaluate", "load_classifier" } do
      assert.is_function(tc[name], name)
    end
  end)

  it("raises on an extra argument, as the conventions say, in the Lua parts too", function()
    local read = require "textclass.read"
    local c = assert(tc.load_classifier("examples/rules.lua"))
    local calls = {
      { "format_scores", function() return tc.format_scores({}, {}, nil, {}) end, 4 },
      { "format_field", function() return tc.format_field("x", "csv", {}) end, 3 },
      { "load_classifier", function() return tc.load_classifier("examples/rules.lua", {}) end, 2 },
      { "predict", function() return c:predict("x", nil, {}) end, 3 },
      { "predict_batch", function() return c:predict_batch({ "x" }, nil, {}) end, 3 },
      { "labels", function() return c:labels({}) end, 1 },
      { "textclass.read.documents", function() return read.documents("x", nil, {}) end, 3 },
      { "textclass.read.labelled", function() return read.labelled("x", nil, {}) end, 3 },
    }
    for _, call in ipairs(calls) do
      local ok, err = pcall(call[2])
      assert.is_false(ok, call[1])
      assert.truthy(tostring(err):find("bad argument #" .. call[3] .. " to '" .. call[1] .. "' (unexpected argument)", 1, true),
                    call[1] .. ": " .. tostring(err))
    end
    c:close()
  end)

  it("touches no globals", function()
    local before = {}
    for k, v in pairs(_G) do before[k] = v end
    package.loaded.textclass = nil
    local again = require "textclass"
    assert.is_table(again)
    for k, v in pairs(_G) do assert.equal(before[k], v, "global " .. tostring(k)) end
    for k in pairs(before) do assert.is_not_nil(_G[k], "global " .. tostring(k) .. " removed") end
    package.loaded.textclass = tc
  end)

  it("touches no globals in a fresh interpreter either", function()
    local script = H.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local before = {}
      for k in pairs(_G) do before[k] = true end
      local tc = require "textclass"
      local c = tc.load_classifier("/nonexistent.model") -- the lazy Lua part too
      assert(c == nil)
      for k in pairs(_G) do if not before[k] then print("new global " .. k) end end
      print("done")
    ]])
    f:close()
    local ok, out, err = H.run(script)
    assert.is_true(ok, err)
    assert.equal("done\n", out)
  end)
end)

describe("tc.normalize", function()
  it("applies NFKC and case folding", function()
    assert.equal("fine strasse", tc.normalize("\u{FB01}ne STRASSE"))
    assert.equal("straße", tc.normalize("Straße", { casefold = false }):lower())
  end)

  it("strips accents on request", function()
    assert.equal("cafe", tc.normalize("Café", { strip_accents = true }))
    assert.equal("café", tc.normalize("Café"))
  end)

  it("uses NFC with compat = false", function()
    assert.equal("x2", tc.normalize("x\u{00B2}"))
    assert.equal("x\u{00B2}", tc.normalize("x\u{00B2}", { compat = false }))
  end)

  it("decodes invalid UTF-8 with U+FFFD instead of failing", function()
    local s = tc.normalize("ok \xff\xfe end")
    assert.is_string(s)
    assert.truthy(s:find("\u{FFFD}", 1, true))
    assert.truthy(utf8.len(s))
  end)

  it("keeps NUL bytes and handles the empty string", function()
    assert.equal("", tc.normalize(""))
    assert.equal("a\0b", tc.normalize("A\0B"))
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.normalize() end, "bad argument #1 to '[%w.]*normalize' %(string expected, got no value%)")
    assert.error_matches(function() tc.normalize({}) end, "bad argument #1 .*string expected, got table")
    assert.error_matches(function() tc.normalize("x", 42) end, "bad argument #2 .*table expected, got number")
    assert.error_matches(function() tc.normalize("x", { strip_acents = true }) end, "unknown option 'strip_acents'")
    assert.error_matches(function() tc.normalize("x", { stopwords = false }) end, "unknown option 'stopwords'")
    assert.error_matches(function() tc.normalize("x", { strip_accents = 1 }) end, "opts.strip_accents: boolean expected, got number")
    assert.error_matches(function() tc.normalize("x", { [1] = true }) end, "option keys must be strings")
    assert.error_matches(function() tc.normalize("x", nil, "extra") end, "bad argument #3 .*unexpected argument")
  end)
end)

describe("tc.label_name_problem", function()
  it("gives the core's one rule for label names: nil, or why not", function()
    assert.is_nil(tc.label_name_problem("sport"))
    assert.is_nil(tc.label_name_problem("Caf\u{E9} \u{A0}x"))
    assert.equal("is empty", tc.label_name_problem(""))
    assert.equal("contains a NUL byte", tc.label_name_problem("a\0,"))
    assert.equal("is not valid UTF-8", tc.label_name_problem("caf\233,"))
    assert.equal("holds a control character (U+001B)", tc.label_name_problem("a\27[2J,"))
    assert.equal("holds a control character (U+0085)", tc.label_name_problem("a\u{85}"))
    assert.equal("holds a comma, which separates labels in TSV and CSV output and in lists of labels",
                 tc.label_name_problem("a,b"))
    assert.error_matches(function() tc.label_name_problem() end, "bad argument #1 .*string expected")
    assert.error_matches(function() tc.label_name_problem("a", 2) end, "bad argument #2 .*unexpected argument")
  end)
end)

describe("tc.check_utf8", function()
  it("says whether text is well-formed UTF-8, and where it stops being so", function()
    assert.is_true(tc.check_utf8(""))
    assert.is_true(tc.check_utf8("Caf\u{E9} \u{20AC}"))
    local cases = { "ab\xffcd", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                    ("x"):rep(20) .. "\xe2\x82", "ok\0\x80" }
    for _, s in ipairs(cases) do
      local ok, pos = tc.check_utf8(s)
      local _, lua_pos = utf8.len(s)
      assert.is_false(ok)
      assert.equal(lua_pos, pos)
    end
  end)

  it("finds a sequence at any offset of a long ASCII text (the ASCII is skipped by blocks)", function()
    local seqs = { "\xff", "\xe2\x82", "\xed\xa0\x80", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\0" }
    for _, seq in ipairs(seqs) do
      for at = 0, 200 do
        local s = ("a"):rep(at) .. seq .. ("b"):rep(200 - at) .. "\xe9"
        local _, lua_pos = utf8.len(s)
        local ok, pos = tc.check_utf8(s)
        assert.is_false(ok)
        assert.equal(lua_pos, pos)
        local head = s:sub(1, -2)
        assert.equal(utf8.len(head) ~= nil, tc.check_utf8(head))
      end
    end
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.check_utf8() end, "bad argument #1 .*string expected, got no value")
    assert.error_matches(function() tc.check_utf8("x", 1) end, "bad argument #2 .*unexpected argument")
  end)
end)

describe("tc.tokenize", function()
  it("gives its own tokens when a finalizer tokenizes while they are pushed", function()
    -- the tokens live in the state's workspace; a finalizer that tokenized a longer
    -- text there reused it (another text's tokens) or freed it under the loop (ASan:
    -- heap-use-after-free in tcl_tokenize)
    local n, live = 50, true
    local function arm()
      setmetatable({}, { __gc = function()
        if not live then return end
        n = n * 2
        local t = {}
        for i = 1, math.min(n, 200000) do t[i] = "w" .. i end
        tc.tokenize(table.concat(t, " "))
        tc.normalize(table.concat(t, "X"))
        arm()
      end })
    end
    local words = {}
    for i = 1, 300 do words[i] = "tok" .. i end
    local text = table.concat(words, " ")
    local mode = collectgarbage("incremental", 1, 100) -- (lua5.4 runs generational)
    arm()
    for _ = 1, 40 do assert.same(words, tc.tokenize(text)) end
    live = false
    collectgarbage("incremental", 200, 100)
    collectgarbage(mode)     -- raw_tables_spec times its finalizers in that mode
    collectgarbage()
  end)

  it("gives the default extractor's tokens: normalised, stop words removed", function()
    assert.same({ "hackers", "breached", "bank" }, tc.tokenize("The Hackers breached the BANK"))
  end)

  it("follows the token rules of the text stage", function()
    local toks = tc.tokenize("Don't e-mail https://thehackernews.com/2021/x about covid-19")
    assert.truthy(#toks >= 3)
    local set = {}
    for _, t in ipairs(toks) do set[t] = true end
    assert.is_true(set["e-mail"])
    assert.is_true(set["thehackernews.com"])
    assert.is_true(set["covid-19"])
  end)

  it("takes stop word options", function()
    assert.same({ "the", "bank" }, tc.tokenize("the bank", { stopwords = false }))
    assert.same({ "the", "bank" }, tc.tokenize("the bank", { stopwords = "none" }))
    assert.same({ "bank" }, tc.tokenize("the bank", { stopwords = "english" }))
    assert.same({ "the" }, tc.tokenize("the bank", { stopwords = { "Bank" } }))
  end)

  it("stems English words with stem = \"english\"", function()
    assert.same({ "elections", "elected" }, tc.tokenize("The elections were elected"))
    assert.same({ "elections", "elected" }, tc.tokenize("The elections were elected", { stem = "none" }))
    assert.same({ "elections", "elected" }, tc.tokenize("The elections were elected", { stem = false }))
    assert.same({ "elect", "elect" }, tc.tokenize("The elections were elected", { stem = "english" }))
    -- stop words go first, and only words of a-z are stemmed
    assert.same({ "the", "run", "covid-19" },
                tc.tokenize("The elections running runs COVID-19", { stem = "english", stopwords = { "running", "elections" } }))
    assert.same({ "attack", "attack attack", "attack" }, tc.tokenize("attackers attacked", { stem = "english", ngrams = { 1, 2 } }))
  end)

  it("gives the title's n-grams again as \"#t \" terms with title_terms", function()
    local text = "Bank robbery\n\nThe robbery failed"
    assert.same({ "bank", "bank robbery", "#t bank", "#t bank robbery", "robbery", "robbery robbery", "#t robbery",
                  "robbery", "robbery failed", "failed" }, tc.tokenize(text, { ngrams = { 1, 2 }, title_terms = true }))
    assert.same({ "bank", "robbery", "robbery", "failed" }, tc.tokenize(text, { title_terms = false }))
    -- a text without a blank line has no title
    assert.same({ "bank", "robbery" }, tc.tokenize("Bank robbery", { ngrams = 1, title_terms = true }))
  end)

  it("gives n-gram terms when ngrams or char_ngrams are asked for", function()
    assert.same({ "data", "data breach", "breach" }, tc.tokenize("data breach", { ngrams = { 1, 2 } }))
    assert.same({ "data breach" }, tc.tokenize("data breach", { ngrams = 2 }))
    local terms = tc.tokenize("data", { ngrams = false, char_ngrams = { 3, 3 } })
    assert.same({ "#c  da", "#c dat", "#c ata", "#c ta " }, terms)
  end)

  it("drops page furniture with strip_boilerplate", function()
    local page = table.concat({
      "Bank hit by data breach", "",
      "Hackers stole customer data after malware exploited a vulnerability in the bank's network.", "",
      "We use cookies to improve your experience. Accept all cookies",
      "Read more", "Striker scores twice", "Coach praises team", "Champion lifts trophy",
    }, "\n")
    local all = table.concat(tc.tokenize(page), " ")
    local clean = table.concat(tc.tokenize(page, { strip_boilerplate = true }), " ")
    assert.matches("cookies", all)
    assert.matches("striker", all)
    assert.not_matches("cookies", clean)
    assert.not_matches("striker", clean)
    assert.matches("^bank hit data breach hackers stole", clean)
  end)

  it("returns an empty array for text without tokens", function()
    assert.same({}, tc.tokenize(""))
    assert.same({}, tc.tokenize("   ...  "))
  end)

  it("handles invalid UTF-8", function()
    local toks = tc.tokenize("bank \xff\xc3 robbery")
    assert.equal("bank", toks[1])
    assert.equal("robbery", toks[#toks])
    for _, t in ipairs(toks) do assert.truthy(utf8.len(t), t) end
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.tokenize(nil) end, "bad argument #1 .*string expected, got nil")
    assert.error_matches(function() tc.tokenize("x", { stopword = false }) end, "unknown option 'stopword'")
    assert.error_matches(function() tc.tokenize("x", { min_df = 2 }) end, "unknown option 'min_df'")
    assert.error_matches(function() tc.tokenize("x", { stopwords = 42 }) end, "opts.stopwords: .*expected, got number")
    assert.error_matches(function() tc.tokenize("x", { stopwords = "french" }) end, "opts.stopwords: .*expected, got string")
    assert.error_matches(function() tc.tokenize("x", { stopwords = { "a", 3 } }) end, "opts.stopwords%[2%]: string expected, got number")
    assert.error_matches(function() tc.tokenize("x", { stopwords = { "a\0b" } }) end, "opts.stopwords%[1%]: word contains a NUL byte")
    assert.error_matches(function() tc.tokenize("x", { stem = "french" }) end, 'opts.stem: "english", "none" or false expected, got string')
    assert.error_matches(function() tc.tokenize("x", { stem = true }) end, 'opts.stem: "english", "none" or false expected, got boolean')
    assert.error_matches(function() tc.tokenize("x", { title_terms = 1 }) end, "opts.title_terms: boolean expected, got number")
    assert.error_matches(function() tc.tokenize("x", { title_terms = true, ngrams = false, char_ngrams = { 3, 3 } }) end,
                         "opts: title_terms needs word n%-grams")
    assert.error_matches(function() tc.tokenize("x", { ngrams = { 2, 1 } }) end, "opts.ngrams: {min, max} with min <= max expected")
    assert.error_matches(function() tc.tokenize("x", { ngrams = { 1 } }) end, "opts.ngrams: {min, max}, integer or false expected")
    assert.error_matches(function() tc.tokenize("x", { ngrams = 0 }) end, "opts.ngrams: integer in %[1, 6%] expected, got 0")
    assert.error_matches(function() tc.tokenize("x", { max_token_bytes = 1.5 }) end, "opts.max_token_bytes: integer")
    -- the range said is the core's, 4 to 1024 (it said 65536)
    assert.error_matches(function() tc.tokenize("x", { max_token_bytes = 3 }) end,
                         "opts.max_token_bytes: integer in %[4, 1024%] expected, got 3")
    assert.error_matches(function() tc.tokenize("x", { max_token_bytes = 1025 }) end,
                         "opts.max_token_bytes: integer in %[4, 1024%] expected, got 1025")
    assert.error_matches(function() tc.tokenize("x", {}, {}) end, "bad argument #3 .*unexpected argument")
  end)
end)

describe("tc.load", function()
  it("loads a saved model", function()
    local m = tc.load(H.model_path())
    assert.matches("^textclass%.Model %(4 labels, linear, %d+ features%)$", tostring(m))
    assert.same(H.model():labels(), m:labels())
    m:close()
  end)

  it("returns nil, message, code for a missing file", function()
    local m, msg, code = tc.load("/nonexistent/dir/x.model")
    assert.is_nil(m)
    assert.matches("/nonexistent/dir/x.model", msg, 1, true)
    assert.equal("EIO", code)
  end)

  it("returns nil, message, code for a corrupt file", function()
    local path = H.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(("garbage\0"):rep(100))
    f:close()
    local m, msg, code = tc.load(path)
    assert.is_nil(m)
    assert.is_string(msg)
    assert.matches("^E%u+$", code)
  end)

  it("returns nil, message, code for every truncation of a model file", function()
    local bytes = H.read(H.model_path())
    local path = H.tmpname()
    local step = math.max(1, #bytes // 40)
    for len = 0, #bytes - 1, step do
      local f = assert(io.open(path, "wb"))
      f:write(bytes:sub(1, len))
      f:close()
      local m, msg = tc.load(path)
      assert.is_nil(m, "loaded a file cut at " .. len)
      assert.is_string(msg)
    end
  end)

  it("returns nil, message, code for a flipped byte", function()
    local bytes = H.read(H.model_path())
    local path = H.tmpname()
    local at = #bytes // 2
    local f = assert(io.open(path, "wb"))
    f:write(bytes:sub(1, at - 1), string.char((bytes:byte(at) + 1) % 256), bytes:sub(at + 1))
    f:close()
    local m, msg = tc.load(path)
    assert.is_nil(m)
    assert.is_string(msg)
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.load() end, "bad argument #1 .*string expected, got no value")
    assert.error_matches(function() tc.load({}) end, "bad argument #1 .*string expected, got table")
    assert.error_matches(function() tc.load("x", "y") end, "bad argument #2 .*unexpected argument")
    assert.error_matches(function() tc.load(H.model_path() .. "\0.junk") end, "bad argument #1 .*path contains a NUL byte")
  end)
end)

describe("tc.default", function()
  local script

  before_each(function()
    script = H.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local tc = require "textclass"
      local m, msg = tc.default()
      if m then print("model " .. #m:labels() .. " " .. msg) else print("fail " .. msg) end
    ]])
    f:close()
  end)

  it("loads $TEXTCLASS_MODEL, and returns its path", function()
    local ok, out, err = H.run(script, {}, { TEXTCLASS_MODEL = H.model_path() })
    assert.is_true(ok, err)
    assert.equal("model 4 " .. H.model_path() .. "\n", out)
  end)

  it("returns nil, message naming $TEXTCLASS_MODEL when it cannot be loaded", function()
    local ok, out = H.run(script, {}, { TEXTCLASS_MODEL = "/nonexistent/news.model" })
    assert.is_true(ok)
    assert.matches("^fail TEXTCLASS_MODEL=/nonexistent/news.model: ", out)
  end)

  it("otherwise loads the installed or source model, or names the paths tried", function()
    local ok, out = H.run(script, {}, { TEXTCLASS_MODEL = "" })
    assert.is_true(ok)
    if out:match("^fail") then
      assert.matches("news%.model", out)
      assert.matches("TEXTCLASS_MODEL", out)
    else
      assert.matches("^model %d+ /[^\n]*/news%.model\n$", out)
    end
  end)

  it("raises on extra arguments", function()
    assert.error_matches(function() tc.default("x") end, "bad argument #1 .*unexpected argument")
  end)
end)

describe("tc.default_options", function()
  it("gives the extractor options a spec without any trains with, as model:info() spells them", function()
    local model = assert(tc.train { texts = { "the striker scored a goal", "the minister won the vote",
                                              "a goal in the final", "the vote in parliament" },
                                    labels = { "sport", "politics", "sport", "politics" } })
    local defaults = tc.default_options()
    assert.same(model:info().options, defaults)
    defaults.min_df = 99 -- a new table each call: changing one changes no other
    assert.same(model:info().options, tc.default_options())
    model:close()
  end)

  it("raises on extra arguments", function()
    assert.error_matches(function() tc.default_options({}) end, "bad argument #1 .*unexpected argument")
  end)
end)

describe("tc.default_train_params", function()
  local texts = { "the striker scored a goal", "the minister won the vote",
                  "a goal in the final", "the vote in parliament" }
  local labels = { "sport", "politics", "sport", "politics" }

  it("gives the core's training defaults, spelt as spec fields", function()
    assert.same({ kernel = "linear", solver = "auto", C = 1, gamma = 1, class_weight = "balanced",
                  threshold = 0.5, short_features = 0, short_moderation = 0, calibrate = true, cv = 0, grid = false, seed = 1,
                  threads = 1, cache_mb = 200 }, tc.default_train_params())
  end)

  it("trains as a spec that gives none does: the same model", function()
    local spec = { texts = texts, labels = labels, min_df = 1 }
    for field, value in pairs(tc.default_train_params()) do spec[field] = value end
    local given <close> = assert(tc.train(spec))
    local omitted <close> = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
    local function info(model)
      local i = model:info()
      i.created = nil -- the training's time
      return i
    end
    assert.same(info(omitted), info(given))
    for _, text in ipairs({ "a goal", "the vote", "a goal and a vote" }) do
      assert.same(omitted:predict(text), given:predict(text))
    end
  end)

  it("gives a new table each call", function()
    local d = tc.default_train_params()
    d.C = 99
    assert.equal(1, tc.default_train_params().C)
  end)

  it("raises on extra arguments", function()
    assert.error_matches(function() tc.default_train_params({}) end, "bad argument #1 .*unexpected argument")
  end)
end)

describe("tc.grid_values", function()
  it("gives the values a grid search tries, in its order (title terms off, then on)", function()
    assert.same({ C = { 0.1, 0.3, 1, 3, 10 }, gamma = { 0.3, 1, 3 } }, tc.grid_values())
    local texts, labels = {}, {}
    for i = 1, 6 do
      texts[#texts + 1], labels[#labels + 1] = "the striker scored goal " .. i, "sport"
      texts[#texts + 1], labels[#labels + 1] = "the minister won the vote " .. i, "politics"
    end
    local m <close> = assert(tc.train { texts = texts, labels = labels, min_df = 1, cv = 2, grid = true })
    local tried, expected = {}, {}
    for C, title in m:info().grid:gmatch("C=([^;:]+);title_terms=(%d):") do
      tried[#tried + 1] = { tonumber(C), tonumber(title) }
    end
    for title = 0, 1 do
      for _, C in ipairs(tc.grid_values().C) do expected[#expected + 1] = { C, title } end
    end
    assert.same(expected, tried)
  end)

  it("gives a new table each call, and raises on extra arguments", function()
    local g = tc.grid_values()
    g.C[1] = 99
    assert.equal(0.1, tc.grid_values().C[1])
    assert.error_matches(function() tc.grid_values(1) end, "bad argument #1 .*unexpected argument")
  end)
end)

describe("tc.atomic_file", function()
  local lfs = require "lfs"
  teardown(function() H.cleanup() end)

  -- The names in path's folder that start with path's own name.
  local function beside(path)
    local dir, base = path:match("^(.*)/([^/]*)$")
    local out = {}
    for name in lfs.dir(dir) do
      if name:sub(1, #base) == base then out[#out + 1] = name end
    end
    table.sort(out)
    return out
  end

  it("puts the file at its path only on commit", function()
    local path = H.tmpname()
    local f = assert(tc.atomic_file(path))
    assert.equal(f, f:write("a", 1, "\n"))
    assert.equal("", H.read(path))            -- os.tmpname's empty file, still untouched
    assert.is_true(f:commit())
    assert.equal("a1\n", H.read(path))
    assert.same({ path:match("[^/]*$") }, beside(path))
    assert.error_matches(function() f:write("x") end, "committed or discarded")
    assert.error_matches(function() f:commit() end, "committed or discarded")
    f:discard()                                -- harmless afterwards
  end)

  it("leaves the old file when discarded, collected or closed without a commit", function()
    local path = H.tmpname()
    local f = assert(tc.atomic_file(path))
    f:write("kept")
    assert(f:commit())
    local g = assert(tc.atomic_file(path))
    g:write("dropped")
    -- the file, and the temporary only where it has a name (no O_TMPFILE)
    local names = beside(path)
    assert.is_true(#names == 1 or (#names == 2 and names[2]:find("%.tmp%-") ~= nil), table.concat(names, " "))
    g:discard()
    g = assert(tc.atomic_file(path))
    g:write("collected")
    g = nil -- luacheck: ignore
    collectgarbage()
    collectgarbage()
    do
      local h <close> = assert(tc.atomic_file(path))
      h:write("closed")
    end
    assert.equal("kept", H.read(path))
    assert.equal(1, #beside(path))
  end)

  it("returns nil, message, code when the file cannot be made", function()
    local f, msg, code = tc.atomic_file("/no/such/dir/x")
    assert.is_nil(f)
    assert.equal("EIO", code)
    assert.matches("cannot create a temporary file beside /no/such/dir/x", msg)
    f, msg, code = tc.atomic_file("/tmp")
    assert.is_nil(f)
    assert.equal("EIO", code)
    assert.matches("not a regular file", msg)
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.atomic_file() end, "bad argument #1")
    assert.error_matches(function() tc.atomic_file("a\0b") end, "NUL byte")
    assert.error_matches(function() tc.atomic_file("x", "y") end, "unexpected argument")
    local f = assert(tc.atomic_file(H.tmpname()))
    assert.error_matches(function() f:write({}) end, "bad argument #1")
    f:discard()
  end)
end)

describe("tc.stop_on_signals", function()
  -- Lua code for a script that sends itself `sig` (kill -SIG) when it
  -- calls signal_me().
  local function script(sig, body)
    local path = H.tmpname()
    local f = assert(io.open(path, "w"))
    f:write('local tc = require "textclass"\n',
      'local function signal_me()\n',
      '  io.popen("kill -', sig, ' " .. io.open("/proc/self/stat"):read("n")):close()\n',
      '  for _ = 1, 1e7 do end\n',
      'end\n', body, "\n")
    f:close()
    return path
  end

  for sig, number in pairs({ TERM = 15, HUP = 1 }) do
    it("makes SIG" .. sig .. " raise Ctrl-C's error in Lua code, and stop_signal say " .. number, function()
      local ok, out, err = H.run(script(sig, [[
local is_interrupt = require("textclass.classifier").is_interrupt
tc.stop_on_signals()
io.write(tostring(tc.stop_signal()), " ")
local ok, e = pcall(signal_me)
io.write(tostring(not ok and is_interrupt(e)), " ", tostring(tc.stop_signal()))]]))
      assert.is_true(ok, err)
      assert.equal("nil true " .. number, out)
    end)
  end

  it("leaves the signals their default action once the state is being closed", function()
    -- finalizers run in the reverse order of their objects' marking: the
    -- table's after the module's sentinel, which gives SIGTERM back its
    -- default action, so the signal ends the process there
    local path = script("TERM", [[
local late = setmetatable({}, { __gc = function() signal_me(); io.write("survived") end })
tc.stop_on_signals()
os.exit(0, true)]])
    local p = assert(io.popen("LUA_CPATH='" .. H.build_dir .. "/?.so;;' lua5.4 " .. path ..
      " 2>/dev/null; echo \" $?\""))
    local out = p:read("a")
    p:close()
    assert.equal(" 143\n", out)
  end)

  it("checks its arguments", function()
    assert.error_matches(function() tc.stop_on_signals(1) end, "unexpected argument")
    assert.error_matches(function() tc.stop_signal(1) end, "unexpected argument")
  end)
end)

describe("tc.read_line", function()
  teardown(function() H.cleanup() end)

  -- A temporary file holding s, open for reading from its start.
  local function file_with(s)
    local f = io.tmpfile()
    f:write(s)
    f:seek("set")
    return f
  end

  it("reads a line with its newline, the last without one, then nil", function()
    local f = file_with("one\n\ntwo\nlast")
    assert.equal("one\n", tc.read_line(f, 100))
    assert.equal("\n", tc.read_line(f, 100))
    assert.equal("two\n", tc.read_line(f, 100))
    assert.equal("last", tc.read_line(f, 100))
    assert.is_nil(tc.read_line(f, 100))
    assert.is_nil(tc.read_line(f, 100))
    f:close()
  end)

  it("keeps NUL bytes, and lines longer than a Lua buffer", function()
    local long = string.rep("a\0", 5000) .. "\n"
    local f = file_with("a\0b\n" .. long .. "\0")
    assert.equal("a\0b\n", tc.read_line(f, 100))
    assert.equal(long, tc.read_line(f, #long))
    assert.equal("\0", tc.read_line(f, 1))
    assert.is_nil(tc.read_line(f, 1))
    f:close()
  end)

  it("reads a line past the limit to its end, keeps none of it and gives its length", function()
    local f = file_with("12345\n123456\n" .. string.rep("x", 100000) .. "\nafter\ntail")
    assert.equal("12345\n", tc.read_line(f, 6))           -- the newline counts
    assert.same({ false, 7 }, { tc.read_line(f, 6) })
    assert.same({ false, 100001 }, { tc.read_line(f, 6) })
    assert.equal("after\n", tc.read_line(f, 6))
    assert.same({ false, 4 }, { tc.read_line(f, 0) })       -- no newline at the end
    assert.is_nil(tc.read_line(f, 0))
    f:close()
  end)

  it("cut: gives a longer line's first bytes and leaves the rest unread", function()
    local f = file_with("12345678\nab\n")
    assert.equal("1234", tc.read_line(f, 4, true))
    assert.equal("5678\n", tc.read_line(f, 5, true))
    assert.equal("ab\n", tc.read_line(f, 100, true))
    assert.is_nil(tc.read_line(f, 100, true))
    f:close()
    -- a limit of 0 gives "" (the first 0 bytes), not nil: the input has not ended
    f = file_with("xy\n")
    assert.equal("", tc.read_line(f, 0, true))
    assert.equal("xy\n", tc.read_line(f, 100, true))
    assert.is_nil(tc.read_line(f, 0, true))
    f:close()
  end)

  it("stops at the newline: the rest is left to f:read, and a pipe's writer is answered line by line", function()
    local f = file_with("one\ntwo\n")
    assert.equal("one\n", tc.read_line(f, 10))
    assert.equal("two\n", f:read("a"))
    f:close()
    -- The writer sends its second line once the flag file exists, which we
    -- make after reading the first: a reader that asked for more than the
    -- first line would wait until the writer gives up (5 s) and says "late".
    local flag = H.tmpname()
    os.remove(flag)
    local p = assert(io.popen("echo one; i=0; while [ ! -e " .. flag .. " ] && [ $i -lt 50 ]; do " ..
      "sleep 0.1; i=$((i + 1)); done; if [ -e " .. flag .. " ]; then echo answered; else echo late; fi"))
    assert.equal("one\n", tc.read_line(p, 100))
    assert(io.open(flag, "w")):close()
    assert.equal("answered\n", tc.read_line(p, 100))
    assert.is_nil(tc.read_line(p, 100))
    p:close()
  end)

  it("returns nil, message, errno on a read error", function()
    local d = assert(io.open("/"))     -- Linux opens a folder for reading; reading it fails
    local line, msg, errno = tc.read_line(d, 10)
    assert.is_nil(line)
    assert.matches("Is a directory", msg)
    assert.is_number(errno)
    d:close()
  end)

  it("raises on bad arguments", function()
    local f = file_with("x\n")
    assert.error_matches(function() tc.read_line("x", 1) end, "bad argument #1 .*FILE%* expected")
    assert.error_matches(function() tc.read_line(f) end, "bad argument #2")
    assert.error_matches(function() tc.read_line(f, 1.5) end, "bad argument #2")
    assert.error_matches(function() tc.read_line(f, -1) end, "bad argument #2 .*must not be negative")
    assert.error_matches(function() tc.read_line(f, 1, 2) end, "bad argument #3 .*boolean expected")
    assert.error_matches(function() tc.read_line(f, 1, true, 2) end, "unexpected argument")
    f:close()
    assert.error_matches(function() tc.read_line(f, 1) end, "attempt to use a closed file")
  end)
end)
