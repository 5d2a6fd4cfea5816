-- test_lua_memory.lua - the cases test_lua_memory.c sweeps: each is
-- { name =, setup = function() -> ctx, run = function(ctx) }. setup runs
-- once with memory to spare; run again and again with the allocations it
-- may make limited (N = 0, 1, 2, ...), until it completes. run checks what
-- it gets (so a memory error turned into another outcome fails it), and
-- keeps working on ctx's objects after runs that died half way.
-- `cleanup` removes the files the cases made in the scratch folder.

local DIR = ...
local tc = require "textclass"
local read = require "textclass.read" -- (loaded here: a run sweeps the reading, not the loading)

local made = {} -- files and folders made, in order

local function path(name)
  return DIR .. "/" .. name
end

local function write(name, bytes)
  local p = path(name)
  local f = assert(io.open(p, "wb"))
  assert(f:write(bytes))
  assert(f:close())
  made[#made + 1] = p
  return p
end

local function mkdir(name)
  local p = path(name)
  assert(require("lfs").mkdir(p))
  made[#made + 1] = p
  return p
end

local TEXTS = {
  "The striker scored twice and the team won the league match",
  "The coach praised the players after the cup final win",
  "Hackers used ransomware to encrypt the hospital network",
  "A phishing campaign steals passwords with fake login pages",
  "Parliament passed the budget after a long vote",
  "The minister resigned before the election",
}
local LABELS = { "sport", "sport", "cyber", "cyber", "politics", "politics" }

local function small_model()
  return assert(tc.train { texts = TEXTS, labels = LABELS, min_df = 1 })
end

-- A run's result table of predict: its label, ranked labels and scores.
local function check_result(r)
  assert(type(r.label) == "string" and r.labels[1] == r.label, "a result without its label")
  assert(r.ranked[1] and r.scores[r.ranked[1]], "a result without its scores")
end

-- f(...) must raise an error holding `expected`; a memory error on the
-- way is raised again, as the call's outcome under test.
local function raises(expected, f, ...)
  local ok, err = pcall(f, ...)
  if not ok and tostring(err):find("not enough memory", 1, true) then error(err, 0) end
  assert(not ok, "no error")
  assert(tostring(err):find(expected, 1, true), err)
end

-- f(...) must return nil, a message holding `expected`, and `code`.
local function fails(expected, code, f, ...)
  local none, msg, got = f(...)
  assert(none == nil and msg:find(expected, 1, true) and got == code, msg)
end

local cases = {}

local function case(name, setup, run)
  cases[#cases + 1] = { name = name, setup = setup, run = run }
end

local function nothing() return {} end

---------------------------------------------------------------------------
-- Text
---------------------------------------------------------------------------

case("luaopen_textclass", nothing, function()
  package.loaded.textclass = nil
  local m = require "textclass"
  assert(m ~= tc and m.normalize("ABC") == "abc" and m._VERSION:find("^textclass "))
end)

case("normalize, check_utf8", nothing, function()
  assert(tc.normalize("Ça VA \u{FB01}ne", { strip_accents = true }) == "ca va fine")
  assert(tc.normalize("ABC") == "abc")
  local ok, at = tc.check_utf8("ab\xffc")
  assert(ok == false and at == 3)
end)

case("html_text, html_charset", nothing, function()
  local page = '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
    .. "<body><p>Tr\xe8s bien, " .. string.rep("tr\xe8s ", 10) .. "</p><script>x()</script></body></html>"
  assert(tc.html_text(page) == "Café\n\nTrès bien, " .. string.rep("très ", 9) .. "très")
  local how, name = tc.html_charset(page)
  assert(how == "converted" and name == "windows-1252")
end)

case("tokenize", nothing, function()
  local t = tc.tokenize("The striker scored TWICE")
  assert(#t == 3 and t[3] == "twice")
end)

case("tokenize with options", nothing, function()
  local t = tc.tokenize("the striker scored twice", { stopwords = { "twice" }, stem = "english" })
  assert(#t == 3 and t[3] == "score")
  t = tc.tokenize("goal now", { ngrams = { 1, 2 }, char_ngrams = 3, stopwords = false })
  assert(t[1] == "goal" and #t > 4)
  raises("stopwords[2]: string expected", tc.tokenize, "x", { stopwords = { "a", 1 } })
end)

---------------------------------------------------------------------------
-- Models
---------------------------------------------------------------------------

case("load, save", function()
  local m = small_model()
  local p = path("small.model")
  assert(m:save(p))
  made[#made + 1] = p
  return { path = p, junk = write("junk.model", string.rep("junk", 100)) }
end, function(ctx)
  local m = assert(tc.load(ctx.path))
  assert(#m:labels() == 3)
  assert(m:save(ctx.path))
  fails("No such file", "EIO", tc.load, path("no such.model"))
  fails("", "EFORMAT", tc.load, ctx.junk)
  fails("No such file", "EIO", m.save, m, path("no/such/folder/x.model"))
  assert(m:close())
  assert(tostring(m) == "textclass.Model (closed)")
end)

-- (the shipped model, or $TEXTCLASS_MODEL's)
case("default", nothing, function()
  local m, from = assert(tc.default())
  assert(type(from) == "string" and #m:labels() > 1)
  m:close()
end)

case("predict", function() return { m = small_model() } end, function(ctx)
  check_result(ctx.m:predict("the team won the cup"))
  local r = ctx.m:predict("ransomware", { top = 1, threshold = 0.2 })
  assert(r.label == "cyber" and #r.ranked == 1)
  assert(tostring(ctx.m):find("3 labels", 1, true))
end)

case("predict_batch", function() return { m = small_model() } end, function(ctx)
  local rs = ctx.m:predict_batch({ "the team won the cup", "ransomware", "the vote" }, { top = 2 })
  assert(#rs == 3 and rs[2].label == "cyber")
  for _, r in ipairs(rs) do check_result(r) end
  rs = ctx.m:predict_batch({ "the vote", "the cup", "phishing" }, { threads = 2 })
  assert(rs[1].label == "politics" and rs[3].label == "cyber")
end)

case("choose_labels", function()
  local m = assert(tc.train { texts = TEXTS, labels = LABELS, min_df = 1, multilabel = true })
  return { m = m, scores = m:predict("ransomware").scores }
end, function(ctx)
  local labels = ctx.m:choose_labels(ctx.scores, 0)
  assert(#labels == 3 and labels[1] == "cyber")
  assert(ctx.m:choose_labels(ctx.scores, 1)[1] == "cyber")
  raises("number expected, got nil", ctx.m.choose_labels, ctx.m, { cyber = 1 })
end)

case("predict_async", function() return { m = small_model() } end, function(ctx)
  local job = ctx.m:predict_async({ "the team won the cup", "ransomware" })
  assert(tostring(job) == "textclass.Batch (2 texts)")
  local rs = job:wait()
  assert(#rs == 2 and rs[1].label == "sport")
  assert(job:wait()[2].label == "cyber")
end)

case("explain, top_features", function() return { m = small_model() } end, function(ctx)
  local e = ctx.m:explain("the team won the cup final")
  assert(#e > 0 and e[1].feature and e[1].weight)
  e = assert(ctx.m:explain("hackers", "cyber", 3))
  assert(e[1].feature == "hackers")
  local f = ctx.m:top_features("politics", 2)
  assert(#f == 2 and f[1].weight > 0)
  raises("unknown label 'weather'", ctx.m.explain, ctx.m, "snow", "weather")
end)

case("labels, info", function() return { m = small_model() } end, function(ctx)
  local l = ctx.m:labels()
  assert(#l == 3 and l[1] == "sport")
  local i = ctx.m:info()
  assert(i.kernel == "linear" and #i.labels == 3 and i.options.min_df == 1)
end)

case("predict_async, wait again", function()
  local m = small_model()
  return { m = m, job = m:predict_async({ "the team won the cup", "ransomware" }) }
end, function(ctx)
  local rs = ctx.job:wait()
  assert(#rs == 2 and rs[1].label == "sport" and rs[2].label == "cyber")
end)

case("label_records", function()
  return {
    m = small_model(),
    docs = {
      { id = "a", text = "the team won the cup" },
      { id = 2, text = "ransomware", fields = { desk = '"tech"', id = "1" } },
      { id = "c", error = "empty document", cells = { "x,y", "", n = 3 } },
    },
  }
end, function(ctx)
  local counts = {}
  local tsv, errors = ctx.m:label_records(ctx.docs, counts, "tsv", { top = 2 })
  assert(tsv:match("^a\tsport\tsport\tsport:") and errors == 1)
  local csv = ctx.m:label_records(ctx.docs, counts, "csv")
  assert(csv:match("\r\n2,cyber,") and csv:find('\r\nc,"x,y",,,,,,empty document\r\n$'))
  local jsonl = ctx.m:label_records(ctx.docs, counts, "jsonl")
  assert(jsonl:find('{"id":"2","desk":"tech","input_id":1,"label":"cyber"', 1, true))
  assert(counts.sport == 3 and counts.cyber == 3)
  raises("document 1 has no id", ctx.m.label_records, ctx.m, { { text = "x" } }, counts, "tsv")
end)

---------------------------------------------------------------------------
-- Training and evaluation
---------------------------------------------------------------------------

case("train", nothing, function()
  local stages = {}
  local m = assert(tc.train {
    texts = TEXTS, labels = LABELS, min_df = 1, stopwords = { "the" },
    class_weight = { cyber = 2 }, progress = function(stage) stages[stage] = true end,
  })
  assert(stages.train and m:predict("ransomware").label == "cyber")
  m:close()
end)

-- Failures once the dataset is built: the box holding it frees it.
case("train failures", nothing, function()
  raises("spec.class_weight: unknown label 'weather'", tc.train,
         { texts = TEXTS, labels = LABELS, min_df = 1, class_weight = { weather = 2 } })
  raises("spec.fallback: unknown label 'weather'", tc.train,
         { texts = TEXTS, labels = { { "sport" }, {}, {}, {}, {}, {} }, min_df = 1, fallback = "weather" })
  fails("one label", "EDATA", tc.train, { texts = TEXTS, labels = { "a", "a", "a", "a", "a", "a" }, min_df = 1 })
  fails("no term", "EDATA", tc.train, { texts = TEXTS, labels = LABELS, min_df = 5 })
  fails("canceled", "ECANCELED", tc.train,
        { texts = TEXTS, labels = LABELS, min_df = 1, progress = function() return false end })
  raises("stop here", tc.train,
         { texts = TEXTS, labels = LABELS, min_df = 1, progress = function() error("stop here") end })
  fails("3 folds need at least 3 documents", "EDATA", tc.cross_validate,
        { texts = { "a b", "c d" }, labels = { "x", "y" }, min_df = 1 }, 3)
end)

case("train rbf", nothing, function()
  local m <close> = assert(tc.train { texts = TEXTS, labels = LABELS, min_df = 1, kernel = "rbf" })
  assert(m:predict("ransomware").label == "cyber" and m:info().kernel == "rbf")
end)

case("train multilabel", nothing, function()
  local m = assert(tc.train {
    texts = TEXTS, labels = { { "sport" }, { "sport", "politics" }, { "cyber" }, { "cyber" }, {}, { "politics" } },
    min_df = 1, fallback = "politics", threshold = 0.4,
  })
  assert(m:info().multilabel)
  m:close()
end)

case("cross_validate", nothing, function()
  local folds = 0
  local r = assert(tc.cross_validate({ texts = TEXTS, labels = LABELS, min_df = 1,
                                       progress = function() folds = folds + 1 end }, 2))
  assert(#r.folds == 2 and r.documents == 6 and r.per_label.cyber.support == 2 and folds > 0)
end)

case("evaluate", function() return { m = small_model() } end, function(ctx)
  local r = assert(tc.evaluate(ctx.m, { "the team won the cup", "ransomware", "snow" },
                               { "sport", { "cyber", "politics" }, "weather" }))
  assert(r.documents == 3 and r.unknown_labels[1] == "weather" and r.confusion.sport.sport == 1)
end)

-- A metrics object made in setup counts one document a run: each run that
-- dies half way must leave it as it was, names and all.
case("metrics", function()
  local m = tc.metrics({ "sport", "cyber" })
  m:add("sport", "sport")
  return { m = m, added = 1 }
end, function(ctx)
  local k = ctx.added + 1
  ctx.m:add({ "sport", "weather" .. k % 3 }, { "cyber", "other" .. k % 2 })
  ctx.added = k
  local r = ctx.m:result()
  assert(r.documents == ctx.added, "documents counted " .. r.documents .. ", added " .. ctx.added)
  local seen = {}
  for _, name in ipairs(r.labels) do
    assert(not seen[name], "label " .. name .. " named twice")
    seen[name] = true
    assert(r.confusion[name] and r.per_label[name], "label " .. name .. " without its figures")
  end
  assert(tostring(ctx.m):find(#r.labels .. " labels", 1, true))
end)

---------------------------------------------------------------------------
-- Files, lines and encodings
---------------------------------------------------------------------------

case("atomic_file", function() return { path = path("atomic.txt") } end, function(ctx)
  local f = assert(tc.atomic_file(ctx.path))
  assert(f:write("one ", 2, "\n"))
  assert(f:commit())
  made[#made + 1] = ctx.path
  local g = assert(tc.atomic_file(ctx.path))
  g:write("dropped")
  g:discard()
  assert(tostring(g) == "textclass.AtomicFile (closed)")
  fails("", "EIO", tc.atomic_file, path("no/such/folder/x.txt"))
  local h = assert(io.open(ctx.path, "rb"))
  assert(h:read("a") == "one 2\n")
  h:close()
end)

case("read_line, read_bom", function()
  return { path = write("lines.txt", "first line\n" .. string.rep("x", 300) .. "\nlast") }
end, function(ctx)
  local f <close> = assert(io.open(ctx.path, "rb"))
  assert(tc.read_bom(f) == false)
  assert(tc.read_line(f, 100) == "first line\n")
  local long, len = tc.read_line(f, 100)
  assert(long == false and len == 301)
  assert(tc.read_line(f, 2, true) == "la")
  assert(tc.read_line(f, 100) == "st")
  assert(tc.read_line(f, 100) == nil)
end)

case("stop_on_signals, stop_signal", nothing, function()
  tc.stop_on_signals()   -- (no signal comes: it only installs the handlers)
  assert(tc.stop_signal() == nil)
end)

case("utf16_decoder", function()
  return { path = write("utf16.txt", "\xff\xfeh\0i\0\n\0\0\xd8x\0\n\0") }
end, function(ctx)
  local d = tc.utf16_decoder("le")
  assert(d:convert("a\0\xe9") == "a")
  assert(d:convert("\0\0\xd8b\0", true) == "é\u{FFFD}b")
  local notes = d:invalid()
  assert(#notes == 1 and notes[1].unit == 0xD800)
  local f <close> = assert(io.open(ctx.path, "rb"))
  local mark, first = tc.read_bom(f)
  assert(mark == "UTF-16LE" and first == "h\0")
  local r = tc.utf16_decoder("le")
  assert(r:convert(first) .. r:read_line(f, 100) == "hi\n")
  assert(r:read_line(f, 100) == "\u{FFFD}x\n" and r:invalid()[1].input == 6)
  assert(tostring(r) == "textclass.Decoder (UTF-16LE)")
  f:seek("set", 2)
  local c = tc.utf16_decoder("le")
  assert(c:read_line(f, 4, true) == "hi" and c:read_line(f, 100) == "\n")
  f:seek("set", 2)
  local w = tc.utf16_decoder("le")
  local text, rest, bytes, ended = w:read(f, 3, "", 4)
  assert(text == "hi\n" and rest == "" and bytes == 8 and not ended)
  text, rest, bytes, ended = w:read(f, 100, "", 4)
  assert(text == "\u{FFFD}x\n" and rest == "" and bytes == 4 and ended and w:invalid()[1].input == 6)
end)

-- Decoders made in setup convert a run's line each run: one whose call
-- died half way must still convert the next whole (its carry, its notes
-- of invalid input: the first of each output line, so one a run at least).
case("decoders carried over", function()
  return { utf16 = tc.utf16_decoder("be"), sjis = assert(tc.decoder("shift_jis")) }
end, function(ctx)
  assert(ctx.utf16:convert("\0a\xd8\0\0b") == "a\u{FFFD}b")
  assert(ctx.utf16:convert("\0") == "")
  assert(ctx.utf16:convert("\n") == "\n")
  assert(ctx.sjis:convert("\x93\xfa\xff\x96") == "日\u{FFFD}")
  assert(ctx.sjis:convert("\x7b\n") == "本\n")
  for d, unit in pairs({ [ctx.utf16] = 0xD800, [ctx.sjis] = 0xFF }) do
    local notes = d:invalid()
    assert(notes and #notes >= 1, "no note of the invalid input")
    for _, n in ipairs(notes) do
      assert(n.unit == unit and math.type(n.input) == "integer" and math.type(n.output) == "integer")
    end
  end
end)

case("decoder", function()
  return { path = write("sjis.txt", "\x93\xfa\x96\x7b\n\x82\xa0\xff\n") }
end, function(ctx)
  local d = assert(tc.decoder("shift_jis"))
  assert(d:convert("\x93\xfa\x96") == "日")
  assert(d:convert("\x7b", true) == "本")
  local f <close> = assert(io.open(ctx.path, "rb"))
  local r = assert(tc.decoder("sjis"))
  assert(r:read_line(f, 100) == "日本\n")
  assert(r:read_line(f, 100) == "あ\u{FFFD}\n" and #r:invalid() == 1)
  f:seek("set", 0)
  local c = assert(tc.decoder("shift_jis"))
  assert(c:read_line(f, 8, true) == "日" and c:read_line(f, 100) == "本\n")
  f:seek("set", 0)
  local w = assert(tc.decoder("shift_jis"))
  local text, rest, bytes, ended = w:read(f, 6, "", 3)
  assert(text == "日本" and rest == "\n" and bytes == 6 and not ended)
  text, rest, bytes, ended = w:read(f, 100, rest, 3)
  assert(text == "\nあ\u{FFFD}\n" and rest == "" and bytes == 3 and ended and #w:invalid() == 1)
  local none, msg = tc.decoder("no-such-encoding")
  assert(none == nil and msg)
  assert(tc.encoding_name("latin1") == "CP1252")
end)

---------------------------------------------------------------------------
-- JSON and output fields
---------------------------------------------------------------------------

case("json_fields", nothing, function()
  local others = {}
  local text, kind, id, idkind = tc.json_fields('{"te\\u0078t": "a \\"b\\"", "id": 12, "x": [1]}',
                                                "text", "id", others)
  assert(text == 'a "b"' and kind == "string" and id == "12" and idkind == "number")
  assert(others.x == "[1]")
  assert(tc.json_fields("[1]", "a", "b") == false)
end)

-- (its scratch for lua-cjson comes from Lua's allocator: refused, it must
-- raise, not answer)
case("json_precheck", nothing, function()
  assert(tc.json_precheck(("["):rep(1001)) == 1001)
  assert(select("#", tc.json_precheck('{"text": "a\tb", "n": [1]}')) == 0)
end)

case("jsonl_documents", nothing, function()
  local chunk = '{"text": "the team won", "id": "a", "desk": 1}\n{"text": ""}\nnot json\n'
  local docs = tc.jsonl_documents(chunk, { text_field = "text", id_field = "id", where = "f:", line = 1,
                                           limit = 1000, max_bytes = 1000, keep_fields = true })
  assert(docs[1].text == "the team won" and docs[1].fields.desk == "1" and docs[3] == "not json\n")
  docs = tc.jsonl_documents('{"text": "ransomware", "label": "cyber"}\n',
                            { text_field = "text", id_field = "id", where = "g:", line = 5, limit = 1000,
                              max_bytes = 1000, labelled = true })
  assert(docs[1].labels[1] == "cyber" and docs[1].where == "g:5" and docs[1].id == "g:5")
end)

case("format_scores, format_field", nothing, function()
  assert(tc.format_scores({ "a", "b" }, { a = 0.5, b = 1 / 3 }) == "a:0.5000,b:0.3333")
  assert(tc.format_scores({ "a" }, { a = 1 }, { a = '"a"' }) == '"a":1.0000')
  assert(tc.format_field("x\ty", "tsv") == "x\\ty")
  assert(tc.format_field('x,"y"', "csv") == '"x,""y"""')
end)

---------------------------------------------------------------------------
-- The readers (textclass.read) and classifiers
---------------------------------------------------------------------------

-- (Every JSONL line here is one tc.jsonl_documents takes whole: the
-- readers' general path goes through lua-cjson, which leaks when a memory
-- error interrupts it; that is lua-cjson's to fix.)
case("read.documents", function()
  return {
    jsonl = write("docs.jsonl", '{"text": "the team won", "id": "a"}\n{"text": "", "id": "b"}\n'),
    csv = write("docs.csv", "id,text\nc,\"ransomware, again\"\n"),
    latin = write("latin.txt", "caf\xe9 ol\xe9\n"),
    feed = write("news.rss", '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
      .. "<item><title>Cup final</title><description>The team won the cup</description>"
      .. "<link>https://example.com/1</link></item></channel></rss>\n"),
  }
end, function(ctx)
  local got = {}
  for doc in read.documents({ ctx.jsonl, ctx.csv, path("missing.txt") }) do got[#got + 1] = doc end
  assert(#got == 4 and got[1].text == "the team won" and got[2].error == "empty document")
  assert(got[3].text == "ransomware, again")
  assert(got[4].error == "No such file or directory")
  for doc in read.documents(ctx.latin, { encoding = "latin1" }) do got[5] = doc end
  assert(got[5].text == "café olé\n")
  for doc in read.documents(ctx.feed) do got[6] = doc end
  assert(got[6].id == "https://example.com/1" and got[6].text:find("The team won the cup", 1, true))
end)

case("read.labelled, train", function()
  mkdir("topics")
  for i, text in ipairs(TEXTS) do
    if i == 1 or i == 3 or i == 5 then mkdir("topics/" .. LABELS[i]) end
    write("topics/" .. LABELS[i] .. "/" .. i .. ".txt", text)
  end
  return { folder = path("topics") }
end, function(ctx)
  local texts, labels = {}, {}
  for doc in read.labelled(ctx.folder, { format = "folder" }) do
    assert(not doc.error, doc.error)
    texts[#texts + 1], labels[#labels + 1] = doc.text, doc.labels[1]
  end
  assert(#texts == 6)
  local m = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
  assert(m:predict("ransomware").label == "cyber")
  m:close()
end)

case("load_classifier", function()
  local m = small_model()
  local mp = path("c.model")
  assert(m:save(mp))
  made[#made + 1] = mp
  return {
    lua = write("rules.lua", string.format([[
      local tc = require "textclass"
      local model = assert(tc.load(%q))
      return {
        predict = function(text)
          if text:find("cup", 1, true) then return { label = "sport", labels = { "sport" } } end
          return model:predict(text)
        end,
        labels = function() return model:labels() end,
      }
    ]], mp)),
    model = mp,
  }
end, function(ctx)
  local c = assert(tc.load_classifier(ctx.model))
  assert(c:predict("ransomware").label == "cyber")
  local r = assert(tc.load_classifier(ctx.lua))
  assert(r:predict("the cup").label == "sport" and r:predict("ransomware").label == "cyber")
  -- (a Lua classifier's batch gives a document whose predict raised that
  -- error, out of memory too, as the core gives one it fails on)
  local rs = r:predict_batch({ "the cup", "ransomware" })
  assert(rs[1].label == "sport" or rs[1].error == "not enough memory")
  assert(rs[2].label == "cyber" or rs[2].error == "not enough memory")
end)

cases.cleanup = function()
  for i = #made, 1, -1 do os.remove(made[i]) end
  made = {}
end

return cases
