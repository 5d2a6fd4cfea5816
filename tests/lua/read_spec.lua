-- read_spec.lua - textclass.read: the command line's readers for Lua
-- scripts. Each format, a folder of mixed files, UTF-16 and a cp1251 page,
-- error records, option checks, the same records as `textclass label` and
-- `textclass train`/`eval` read from the same inputs, and leaving a loop early.
local read = require "textclass.read"
local cjson = require "cjson.safe"
local lfs = require "lfs"
local H = dofile("tests/lua/module_helpers.lua")

local D = "tests/data/cli"
local TMP

local function put(name, bytes)
  local path = TMP .. "/" .. name
  local dir = path:match("^(.*)/[^/]*$")
  os.execute("mkdir -p " .. H.quote(dir))
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

-- Every record of an iterator, in order.
local function all(iter, ...)
  local out = {}
  for doc in iter, ... do out[#out + 1] = doc end
  return out
end

local function ids(docs)
  local out = {}
  for i, d in ipairs(docs) do out[i] = d.id end
  return out
end

-- UTF-16LE with its byte order mark (ASCII text only).
local function utf16le(s) return "\255\254" .. s:gsub(".", "%0\0") end

-- Open file descriptors of this process (Linux).
local function open_fds()
  local n = 0
  for _ in lfs.dir("/proc/self/fd") do n = n + 1 end
  return n
end

-- Run the command line (the launcher make builds), stdout and stderr
-- kept: ok, stdout, stderr.
local function cli(args)
  local err = H.tmpname()
  local p = assert(io.popen("bin/textclass " .. args .. " </dev/null 2>" .. H.quote(err)))
  local out = p:read("a")
  local ok = p:close()
  return ok, out, H.read(err)
end

local function jsonl(s)
  local out = {}
  for line in s:gmatch("[^\n]+") do out[#out + 1] = assert(cjson.decode(line), line) end
  return out
end

setup(function()
  TMP = io.popen("mktemp -d"):read("l")
end)

teardown(function()
  os.execute("rm -rf " .. H.quote(TMP))
  H.cleanup()
end)

describe("textclass.read", function()
  it("adds no globals", function()
    local before = {}
    for k in pairs(_G) do before[k] = true end
    package.loaded["textclass.read"] = nil
    require "textclass.read"
    for k in pairs(_G) do assert.is_true(before[k], "new global " .. tostring(k)) end
  end)

  describe("documents", function()
    it("reads a file in each format", function()
      local docs = all(read.documents(D .. "/articles.jsonl"))
      assert.same({ "a1", "a2", D .. "/articles.jsonl:3", "a4", D .. "/articles.jsonl:5", "6" }, ids(docs))
      assert.matches("^not JSON: ", docs[3].error)
      assert.equal("no 'text' field (its fields: 'body', 'id', 'source')", docs[4].error)
      assert.equal('"wire"', docs[1].fields.source)   -- each field as its JSON text
      assert.is_nil(all(read.documents(D .. "/articles.jsonl", { keep_fields = false }))[1].fields)

      docs = all(read.documents(D .. "/articles.csv"))
      assert.same({ "k1", "k2", "k3" }, { docs[1].id, docs[2].id, docs[3].id })
      assert.equal("The striker scored; fans sang \"champions\" in the stadium.", docs[2].text)
      assert.equal("Hackers stole passwords\nin a data breach at the bank.", docs[3].text)

      local semi = put("semi.txt", "id;text\ns1;\"One; two\"\ns2;Three\n")
      docs = all(read.documents(semi, { format = "csv", separator = "semicolon", text_column = 2, id_column = "id" }))
      assert.same({ { id = "s1", where = semi .. ":2", text = "One; two", fields = {} },
                    { id = "s2", where = semi .. ":3", text = "Three", fields = {} } }, docs)
      local tabs = put("t.tsv", "id\ttext\nt1\tTabbed text\n")
      assert.equal("Tabbed text", all(read.documents(tabs))[1].text)

      docs = all(read.documents(D .. "/lines.txt", { format = "lines" }))
      assert.equal(D .. "/lines.txt:1", docs[1].id)
      assert.equal("The senate passed the election bill after a long debate.", docs[1].text)
      assert.equal("empty document", docs[3].error)

      local tsv = put("pairs.txt", "x1\tFirst text\nx2\tSecond text\n")
      assert.same({ { id = "x1", where = tsv .. ":1", text = "First text" },
                    { id = "x2", where = tsv .. ":2", text = "Second text" } },
                  all(read.documents(tsv, { format = "tsv" })))

      docs = all(read.documents("examples/news.rss"))
      assert.is_true(#docs >= 2)
      assert.equal("example-news-101", docs[1].id)
      assert.matches("^Hospital systems down after ransomware attack\n\n", docs[1].text)
      assert.truthy(docs[1].fields.link)

      local text = all(read.documents("examples/news.rss", { format = "text", no_html = true }))
      assert.equal(1, #text)
      assert.matches("^<%?xml", text[1].text)
      assert.is_true(text[1].feed)   -- (a feed read whole: explain warns)
      assert.is_nil(all(read.documents("examples/articles/budget-vote.txt"))[1].feed)
    end)

    it("walks a folder of mixed files in byte order, each by its format", function()
      put("mixed/a.txt", "A plain article about the election.")
      put("mixed/b.jsonl", '{"id": "j1", "text": "A JSON article."}\n{"text": 5}\n')
      put("mixed/c.csv", "text,id\nA CSV article.,c1\n")
      put("mixed/d.html", '<html><head><meta charset="windows-1251"></head><body><p>\213\224\234\229\240\251</p></body></html>')
      put("mixed/e.bin", "\0\1\2\3")
      put("mixed/f.txt", utf16le("Wide text\r\n"))
      put("mixed/g.txt", "bad \255 byte")
      put("mixed/.hidden.txt", "never read")
      put("mixed/sub/h.rss", H.read("examples/news.rss"))
      local docs = all(read.documents({ TMP .. "/mixed", TMP .. "/missing.txt" }))
      local m = TMP .. "/mixed/"
      assert.same({ m .. "a.txt", "j1", m .. "b.jsonl:2", "c1", m .. "d.html", m .. "e.bin", m .. "f.txt", m .. "g.txt" },
                  { table.unpack(ids(docs), 1, 8) })
      assert.equal("A plain article about the election.", docs[1].text)
      assert.equal("field 'text' is not a string", docs[3].error)
      assert.equal("Хакеры", docs[5].text)            -- cp1251 page, its charset declared
      assert.equal("binary file", docs[6].error)
      assert.equal("Wide text\r\n", docs[7].text)     -- UTF-16LE with its mark
      assert.equal("invalid UTF-8 at byte 5 (0xFF: if the file is Windows-1252, as Excel's \"CSV (Comma delimited)\": opts.encoding windows-1252)", docs[8].error)
      assert.equal("example-news-101", docs[9].id)
      local last = docs[#docs]
      assert.same({ id = TMP .. "/missing.txt", error = "No such file or directory", unread = true }, last)
      assert.is_nil(docs[6].unread)   -- (a binary file is read, and refused)
    end)

    it("applies the reading options", function()
      local bad = put("bad.txt", "bad \255 byte")
      assert.equal("bad \255 byte", all(read.documents(bad, { replace_invalid = true }))[1].text)
      local big = put("big.txt", string.rep("word ", 100))
      assert.equal("document too large (500 bytes, limit 100)", all(read.documents(big, { max_bytes = 100 }))[1].error)
      local page = put("page.txt", "<p>Markup <b>kept</b></p>")
      assert.equal("Markup kept", all(read.documents(page))[1].text)
      assert.equal("<p>Markup <b>kept</b></p>", all(read.documents(page, { no_html = true }))[1].text)
      local words = put("words.txt", "Just words, <b>bold</b>")
      assert.equal("Just words, bold", all(read.documents(words, { html = true }))[1].text)
      local j = put("fields.jsonl", '{"body": "The body", "key": 17}\n')
      assert.same({ id = "17", where = j .. ":1", text = "The body", fields = {} },
                  all(read.documents(j, { text_field = "body", id_field = "key" }))[1])
      local u = put("u16.jsonl", "\255\254" .. ('{"text": "x\1"}\n'):gsub(".", "%0\0"):gsub("\1%z", "\0\216"))
      assert.matches("^invalid UTF%-16 at byte %d+ of the file: unpaired surrogate D800", all(read.documents(u))[1].error)
    end)

    it("reads a JSON escape of an unpaired surrogate as U+FFFD, as RFC 8259 lets JSON hold one", function()
      -- JSON.stringify and json.dumps write these for a string cut inside an
      -- emoji; lua-cjson alone refused the line as "not JSON"
      local j = put("lone.jsonl", '{"id":"a","text":"Cut in an emoji \\ud83d"}\n' ..
                                  '{"id":"b","text":"\\ude00 low, a pair \\ud83d\\ude00, \\\\ud83d as text"}\n' ..
                                  '{"id":"c\\ud800","text":"highs \\ud83d\\ud83d\\ude00"}\n' ..
                                  '{"id":"d","text":"still broken \\u12"}\n')
      local docs = all(read.documents(j))
      assert.same({ "a", "b", "c\u{FFFD}", j .. ":4" }, ids(docs))
      assert.equal("Cut in an emoji \u{FFFD}", docs[1].text)
      assert.equal("\u{FFFD} low, a pair \u{1F600}, \\ud83d as text", docs[2].text)
      assert.equal("highs \u{FFFD}\u{1F600}", docs[3].text)
      assert.matches("^not JSON: ", docs[4].error)
      local l = put("lone-labelled.jsonl", '{"text":"The vote \\ud83d","label":"politics"}\n')
      assert.same({ "The vote \u{FFFD}", { "politics" } }, { all(read.labelled(l))[1].text, all(read.labelled(l))[1].labels })
    end)

    it("reads with the largest max_bytes, memory as the input needs", function()
      -- each file was asked for max_bytes (a feed's 8 times it) in one f:read, which makes
      -- room for that many bytes first: every document failed with "not enough memory"
      local long = put("long.txt", string.rep("The team won the match. ", 1000))   -- past the 8 KB head
      local feed = put("feed.rss", assert(io.open("examples/news.rss", "rb")):read("a"))
      for _, path in ipairs({ long, feed }) do
        local docs = all(read.documents(path, { max_bytes = 1 << 40 }))
        assert.is_true(#docs > 0)
        for _, doc in ipairs(docs) do assert.is_nil(doc.error, path) end
      end
      local many = put("many.txt", string.rep("x", (1 << 24) + 10))              -- read in two blocks
      assert.equal((1 << 24) + 10, #all(read.documents(many, { max_bytes = 1 << 30 }))[1].text)
    end)

    it("gives the records `textclass label` reads, ids and texts", function()
      -- a Lua classifier whose label is the text in hex (a label holds no
      -- line break): label -o jsonl then writes every text the command line read
      local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
      local echo = put("echo.lua", "return { predict = function(text) return { label = " ..
                                   "text:gsub('.', function(c) return string.format('%02x', c:byte()) end) } end }\n")
      local paths = { D .. "/articles.jsonl", D .. "/articles.csv", D .. "/docs", D .. "/binary.bin",
                      D .. "/invalid-utf8.txt", D .. "/empty.txt", "examples/news.rss", TMP .. "/mixed",
                      TMP .. "/missing.txt" }
      local quoted = {}
      for i, p in ipairs(paths) do quoted[i] = H.quote(p) end
      local ok, out, err = cli("label -q --exit-zero -o jsonl -c " .. H.quote(echo) .. " " .. table.concat(quoted, " "))
      assert.is_true(ok, err)
      local want = jsonl(out)
      local got = all(read.documents(paths))
      assert.equal(#want, #got)
      for i, w in ipairs(want) do
        assert.equal(w.id, got[i].id, "record " .. i)
        -- (label writes the place of a record with an id of its own before
        -- its error; its hints name --encoding where ours name opts.encoding)
        assert.equal(w.error and w.error:gsub("%-%-encoding", "opts.encoding"),
                     got[i].error and (got[i].where and got[i].where .. ": " or "") .. got[i].error,
                     "record " .. i)
        if not w.error then assert.equal(w.label, hex(got[i].text), "record " .. i) end
      end
    end)
    -- (the records' hints named the command line's flags, --text-field,
    -- --text-column, --max-bytes, to a script that had given opts fields)
    it("names opts fields in its records' hints where the command line names its flags", function()
      local jsonl_path = put("Text.jsonl", '{"Text":"Hackers stole passwords"}\n')
      local csv_path = put("cols.csv", "title,body\nVote,The vote\n")
      local cases = {
        { jsonl_path, {}, "", "no 'text' field (its fields: 'Text'; opts.text_field Text?)",
          "no 'text' field (its fields: 'Text'; --text-field Text?)" },
        { csv_path, {}, "", "no 'text' column in the header; its columns are 'title', 'body': opts.text_column NAME?",
          "no 'text' column in the header; its columns are 'title', 'body': --text-column NAME?" },
        { jsonl_path, { format = "lines", max_bytes = 2 }, "-i lines --max-bytes 2",
          "line too long (35 bytes; lines are read up to 16, 8 x opts.max_bytes)",
          "line too long (35 bytes; lines are read up to 16, 8 x --max-bytes)" },
      }
      for _, c in ipairs(cases) do
        assert.equal(c[4], all(read.documents(c[1], c[2]))[1].error)
        local ok, out, err = cli("label -q --exit-zero -o jsonl -c examples/rules.lua " .. c[3] .. " " .. H.quote(c[1]))
        assert.is_true(ok, err)
        assert.equal(c[5], jsonl(out)[1].error)
      end
      assert.equal("no 'text' field (its fields: 'Text'; opts.text_field Text?)",
                   all(read.labelled(jsonl_path))[1].error)
      -- (a name of the input's that looks like a flag is left as it is)
      local odd = put("--max-bytes/a.jsonl", '{"--max-bytes":"x"}\n')
      assert.equal("no 'text' field (its fields: '--max-bytes')", all(read.documents(odd))[1].error)
      assert.equal("no 'text', 'label' or 'labels' column in the header; its columns are 'title', 'body': " ..
                   "opts.text_column NAME, opts.label_column NAME?", all(read.labelled(csv_path))[1].error)
    end)

    it("hints, as the command line does, at a format it was not given, naming opts.format", function()
      -- JSONL on stdin is read as lines, its keys and all: without a format
      -- (as with "auto") the hint of `textclass label` goes to stderr, its
      -- flag spelt as the option; with a format given, none
      local script = put("ids.lua", 'local format = ...\n' ..
        'for doc in require("textclass.read").documents("-", { format = format }) do print(doc.id) end\n')
      local input = put("in.txt", '{"id": "a", "text": "Hackers stole passwords"}\n')
      local hint = "textclass: stdin: line 1 is a JSON object with a 'text' field, but stdin is read as " ..
                   "lines of text by default: opts.format 'jsonl'?\n"
      for _, format in ipairs({ {}, { "auto" } }) do
        local ok, out, err = H.run(script, format, nil, input)
        assert.is_true(ok, err)
        assert.same({ "-:1\n", hint }, { out, err })
      end
      local ok, out, err = H.run(script, { "jsonl" }, nil, input)
      assert.is_true(ok, err)
      assert.same({ "a\n", "" }, { out, err })
    end)
  end)

  describe("labelled", function()
    it("reads jsonl, csv, fastText and label folders", function()
      local docs = all(read.labelled(D .. "/train.jsonl"))
      assert.is_true(#docs > 10)
      assert.is_string(docs[1].text)
      assert.equal(D .. "/train.jsonl:1", docs[1].where)
      assert.equal(1, #docs[1].labels)

      docs = all(read.labelled(D .. "/train.csv"))
      assert.same({ "politics" }, docs[1].labels)
      assert.same({ "c01", D .. "/train.csv:2" }, { docs[1].id, docs[1].where })

      docs = all(read.labelled(D .. "/train.txt"))
      assert.same({ "politics" }, docs[1].labels)
      assert.matches("^The prime minister defended", docs[1].text)

      docs = all(read.labelled(D .. "/train_folder"))
      assert.same({ "cyber" }, docs[1].labels)
      assert.equal(D .. "/train_folder/cyber/01.txt", docs[1].where)
      assert.equal(D .. "/train_folder", docs[1].operand)   -- the folder given, a source of its own

      local semi = put("semi.csv", "text;label\nThe vote;politics\n")
      assert.same({ "politics" }, all(read.labelled(semi, { separator = ";" }))[1].labels)
      local named = put("named.jsonl", '{"body": "The vote", "topic": "politics", "n": 3}\n')
      local d = all(read.labelled(named, { text_field = "body", label_field = "topic", id_field = "n" }))[1]
      assert.same({ id = "3", where = named .. ":1", text = "The vote", labels = { "politics" }, operand = named }, d)
    end)

    it("gives bad records their error, as train reports them", function()
      local docs = all(read.labelled(D .. "/bad-train.jsonl"))
      local where = {}
      for _, d in ipairs(docs) do if d.error then where[#where + 1] = d.where .. ": " .. d.error end end
      assert.matches("bad%-train%.jsonl:2: not JSON", where[1])
      assert.matches("bad%-train%.jsonl:3: 0 labels; without opts.multilabel each document needs exactly one", where[2])
      assert.matches("bad%-train%.jsonl:4: no 'label' or 'labels' field", where[3])
      local two = put("two.jsonl", '{"text": "Vote and match", "labels": ["politics", "sport"]}\n')
      assert.equal("2 labels; without opts.multilabel each document needs exactly one", all(read.labelled(two))[1].error)
      assert.same({ "politics", "sport" }, all(read.labelled(two, { multilabel = true }))[1].labels)
      -- an empty label in a CSV cell is refused as JSONL's is, not dropped
      local cells = put("cells.csv", 'text,labels\nThe vote,"politics,,sport"\nThe match," "\nThe cup,\n')
      docs = all(read.labelled(cells, { multilabel = true }))
      assert.same({ "a label is empty in 'politics,,sport'", "a label is empty" }, { docs[1].error, docs[2].error })
      assert.same({}, docs[3].labels)
      docs = all(read.labelled({ D .. "/binary.bin", TMP .. "/missing.jsonl" }))
      assert.same({ id = D .. "/binary.bin", where = D .. "/binary.bin", operand = D .. "/binary.bin",
                    error = "binary file (a zip archive: decompress it first, with unzip -p)" }, docs[1])
      assert.same({ id = TMP .. "/missing.jsonl", where = TMP .. "/missing.jsonl", operand = TMP .. "/missing.jsonl",
                    error = "No such file or directory", unread = true }, docs[2])
      -- a record that repeats the header holds the id column's name, no id:
      -- its id is its place, as textclass.read.documents gives it
      local joined = put("joined.csv", "id,text,label\nc1,The vote,politics\nid,text,label\n")
      docs = all(read.labelled(joined))
      assert.same({ id = joined .. ":3", where = joined .. ":3", operand = joined,
                    error = "the header again (a file joined after another?)" }, docs[2])
      assert.equal(joined .. ":3", all(read.documents(joined))[2].id)
    end)

    -- (a 100 MB field beside no text field was decoded whole, to list the
    -- record's field names in its error)
    it("refuses a record without its text field without decoding the fields beside it", function()
      local util = require "textclass.cli.util"
      local path = put("notext.jsonl", '{"id": 7, "label": "sport", "content": "' .. string.rep("word ", 1000) .. '"}\n')
      local decode, longest = util.json_decode, 0
      util.json_decode = function(s, ...)
        longest = math.max(longest, #s)
        return decode(s, ...)
      end
      local ok, docs = pcall(function()
        return { all(read.documents(path, { max_bytes = 1000 }))[1], all(read.documents(path))[1],
                 all(read.labelled(path, { max_bytes = 1000 }))[1] }
      end)
      util.json_decode = decode
      assert(ok, docs)
      for _, doc in ipairs(docs) do
        assert.same({ "7", "no 'text' field (its fields: 'content', 'id', 'label')" }, { doc.id, doc.error })
      end
      assert.is_true(longest < 100, "decoded " .. longest .. " bytes")
    end)

    it("reads an integer label as its digits, as an id, and names the field of a value that is no label", function()
      local ints = put("ints.jsonl", table.concat({
        '{"text": "The vote", "label": 0}', '{"text": "The match", "label": -12}',
        '{"text": "The cup", "labels": [3, "sport"]}', '{"text": "The goal", "label": 1.0}',
        '{"text": "The race", "label": 1e3}', '{"text": "The fine", "label": 1.5}',
        '{"text": "The deal", "label": 9007199254740993}', '{"text": "The debt", "label": -9007199254740993}',
        '{"text": "The poll", "label": true}',
        '{"text": "The bill", "label": null}', '{"text": "The fan", "labels": [2, false]}',
        '{"text": "The ban", "label": {"id": 4}}', '{"text": "The law", "labels": [7, 7.0]}',
        '{"text": "The ref", "labels": [7, " "]}',
      }, "\n") .. "\n")
      local got = {}
      for _, d in ipairs(all(read.labelled(ints, { multilabel = true }))) do
        got[#got + 1] = d.error or table.concat(d.labels, "|")
      end
      local accepted = "(a label is a string or an integer, or an array of them)"
      assert.same({ "0", "-12", "3|sport", "1", "1000",
                    "'label': 1.5 is not an integer " .. accepted,
                    "'label': a number of magnitude 2^53 or more is not read exactly (write the label as a string)",
                    "'label': a number of magnitude 2^53 or more is not read exactly (write the label as a string)",
                    "'label': true is not a label " .. accepted, "'label': null is not a label " .. accepted,
                    "'labels': false is not a label " .. accepted,
                    "'label': an object or array is not a label " .. accepted, "label '7' given twice",
                    "a label is empty" }, got)
    end)

    it("gives the records `textclass eval` reads, ids, places and texts", function()
      -- a Lua classifier that is always wrong: eval --errors then writes
      -- every good record with its text; the bad ones go to stderr
      local never = put("never.lua", 'return { predict = function() return { label = "__none__" } end, ' ..
                                     'labels = function() return { "__none__" } end }\n')
      local errors = H.tmpname()
      local paths = { D .. "/train.jsonl", D .. "/train.csv", D .. "/train.txt", D .. "/train_folder",
                      D .. "/bad-train.jsonl" }
      local quoted = {}
      for i, p in ipairs(paths) do quoted[i] = H.quote(p) end
      local _, _, err = cli("eval -q -c " .. H.quote(never) .. " --errors " .. H.quote(errors) .. " " ..
                            table.concat(quoted, " "))
      local good = jsonl(H.read(errors))
      local bad = {}
      for line in err:gmatch("textclass: ([^\n]+)") do
        if line:find(":%d+: ") then bad[#bad + 1] = line end
      end
      local got_good, got_bad = {}, {}
      for doc in read.labelled(paths, { multilabel = true }) do
        if doc.error then got_bad[#got_bad + 1] = doc.where .. ": " .. doc.error
        else got_good[#got_good + 1] = doc end
      end
      assert.same(bad, got_bad)
      assert.equal(#good, #got_good)
      for i, w in ipairs(good) do
        assert.same({ w.id, w.where, w.text, w.gold },
                    { got_good[i].id, got_good[i].where, got_good[i].text, got_good[i].labels })
      end
    end)
  end)

  describe("options", function()
    it("raises on caller mistakes, naming the culprit", function()
      local cases = {
        { read.documents, { 42 }, "bad argument #1 to 'textclass.read.documents' (string or list of strings expected, got number)" },
        { read.documents, { { "a", 3 } }, "(paths[2]: string expected, got number)" },
        { read.documents, { { "-", "-" } }, "(stdin (-) can be read only once)" },
        { read.documents, { { "a", x = "b" } }, "(a list of paths expected, got a key 'x')" },
        { read.labelled, { { "a", [3] = "c" } }, "bad argument #1 to 'textclass.read.labelled' (a list of paths expected, got a key 3)" },
        { read.documents, { "a", "jsonl" }, "bad argument #2 to 'textclass.read.documents' (table expected, got string)" },
        { read.documents, { "a", { txt_field = "x" } }, "(unknown option 'txt_field')" },
        { read.documents, { "a", { format = "xml" } }, "(opts.format: one of auto, text, lines, jsonl, csv, tsv, feed expected, got 'xml')" },
        { read.documents, { "a", { format = "folder" } }, "opts.format: one of" },
        { read.documents, { "a", { label_field = "x" } }, "(unknown option 'label_field')" },
        { read.documents, { "a", { text_field = 1 } }, "(opts.text_field: string expected, got number)" },
        { read.documents, { "a", { text_column = 0 } }, "(opts.text_column: a column number counts from 1, got 0)" },
        { read.documents, { "a", { separator = "x" } }, "(opts.separator: 'x' is not a separator" },
        { read.documents, { "a", { separator = ";", format = "jsonl" } }, "(opts.separator applies to the csv format, not 'jsonl')" },
        { read.documents, { "a", { text_column = "body", format = "jsonl" } }, "(opts.text_column applies to the csv format, not 'jsonl')" },
        { read.documents, { "a", { id_field = "key", format = "tsv" } }, "(opts.id_field applies to the jsonl format, not 'tsv')" },
        { read.labelled, { "a", { label_field = "tag", format = "csv" } }, "(opts.label_field applies to the jsonl format, not 'csv')" },
        { read.documents, { "a", { html = true, no_html = true } }, "(opts.html and opts.no_html contradict each other)" },
        { read.documents, { "a", { max_bytes = 0 } }, "(opts.max_bytes: positive integer expected, got 0)" },
        { read.documents, { "a", { max_bytes = 1.5 } }, "(opts.max_bytes: positive integer expected, got 1.5)" },
        { read.documents, { "a", { max_bytes = (1 << 40) + 1 } }, "(opts.max_bytes: at most 1099511627776 (1 TiB) expected, got 1099511627777)" },
        { read.labelled, { "a", { max_bytes = math.maxinteger } }, "(opts.max_bytes: at most 1099511627776 (1 TiB) expected, got 9223372036854775807)" },
        { read.documents, { "a", { replace_invalid = "yes" } }, "(opts.replace_invalid: boolean expected, got string)" },
        { read.labelled, { "a", { keep_fields = true } }, "bad argument #2 to 'textclass.read.labelled' (unknown option 'keep_fields')" },
        { read.labelled, { "a", { format = "lines" } }, "opts.format: one of auto, jsonl, csv, fasttext, folder expected" },
        { read.labelled, { D .. "/train.csv", { format = "folder" } }, "bad argument #1 to 'textclass.read.labelled' (opts.format 'folder' needs folders: " },
        -- (a folder was read as a label folder whatever the format)
        { read.labelled, { "tests/data/lua/topics", { format = "jsonl" } }, "bad argument #1 to 'textclass.read.labelled' (opts.format 'jsonl' reads files, not folders: tests/data/lua/topics is a folder" },
        { read.labelled, { "a", { multilabel = 1 } }, "(opts.multilabel: boolean expected, got number)" },
      }
      for i, c in ipairs(cases) do
        local ok, err = pcall(c[1], table.unpack(c[2]))
        assert.is_false(ok, "case " .. i)
        assert.truthy(err:find(c[3], 1, true), "case " .. i .. ": " .. err)
      end
      -- raised at the caller's line
      local ok, err = pcall(function()
        local iter = read.documents("a", { nope = true })
        return iter
      end)
      assert.is_false(ok)
      assert.matches("^[^:]*read_spec%.lua:%d+: bad argument", err)
    end)

    it("takes only the options it checked: none that an __index alone gives", function()
      local j = put("fields2.jsonl", '{"text": "The body", "key": 17}\n')
      local proxy = setmetatable({}, { __index = function(_, k)
        if k == "keep_fields" then return "no" end   -- unchecked, it was taken as true
        error("opts read through __index: " .. k)
      end })
      assert.same({ key = "17" }, all(read.documents(j, proxy))[1].fields)
      proxy = setmetatable({}, { __index = { keep_fields = false } })
      assert.same({ key = "17" }, all(read.documents(j, proxy))[1].fields)
    end)

    it("reads nothing from an empty list", function()
      assert.same({}, all(read.documents({})))
      assert.same({}, all(read.labelled({})))
    end)
  end)

  describe("leaving early", function()
    it("closes the file being read when a for loop breaks", function()
      local lines = {}
      for i = 1, 5000 do lines[i] = '{"text": "line ' .. i .. '"}' end
      local path = put("long.jsonl", table.concat(lines, "\n") .. "\n")
      local before = open_fds()
      for doc in read.documents(path) do
        assert.equal("line 1", doc.text)
        assert.equal(before + 1, open_fds())        -- the file, open mid-read
        break
      end
      assert.equal(before, open_fds())
      -- outside a for loop: the closer's close method, then the end
      local step, _, _, closer = read.labelled(D .. "/train.jsonl")
      assert.is_string(step().text)
      assert.equal(before + 1, open_fds())
      closer:close()
      assert.equal(before, open_fds())
      assert.is_nil(step())
      closer:close()                                -- again: nothing to do
      -- an error in the loop's body closes it too
      local ok = pcall(function()
        for _ in read.documents(path) do error("stop") end
      end)
      assert.is_false(ok)
      assert.equal(before, open_fds())
    end)

    it("raises a read error mid-file as a string, the file closed", function()
      local path = put("ioerr.txt", string.rep("a line\n", 10))
      local real_open, closed = io.open, false
      io.open = function(p, mode)   -- luacheck: ignore
        if p ~= path then return real_open(p, mode) end
        local reads = 0
        return {
          read = function()
            reads = reads + 1
            if reads == 1 then return "a line\na li" end
            return nil, "Input/output error"
          end,
          close = function() closed = true end,
        }
      end
      local got, ok, err = {}, nil, nil
      ok, err = pcall(function()
        for doc in read.documents(path, { format = "lines" }) do got[#got + 1] = doc.text end
      end)
      io.open = real_open           -- luacheck: ignore
      assert.is_false(ok)
      assert.same({ "a line" }, got)
      assert.equal(path .. ": read error: Input/output error", err)
      assert.is_true(closed)
    end)
  end)
end)
