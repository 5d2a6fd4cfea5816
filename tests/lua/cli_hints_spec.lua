-- cli_hints_spec.lua - the command line points a user who took a wrong
-- turn the right way: JSONL read as text, JSONL read as fastText lines, a
-- CSV column that is not there, records that all lack the label or text
-- field (train's and eval's closing line), a threshold that cannot apply, an output
-- file given to label's -o, a command without DATA, another tool's name
-- for a command, a fallback label that explain would leave unexplained,
-- gold labels eval can never get right, explain's and info's -c, labels
-- eval scores that the data has no document of, a label column whose
-- labels are mostly one document each.
local H = dofile("tests/lua/cli_helpers.lua")
local spit, tsv, TMP = H.spit, H.tsv, H.TMP

-- The commands run without -q, which silences hints with the rest, and
-- their stderr without label's and train's closing summary line: what is
-- left is what they had to say.
local function run(...)
  local r = H.run(...)
  r.err = r.err:gsub("textclass: %d+ documents? in [^\n]*\n$", ""):gsub("textclass: trained on [^\n]*\n$", "")
  return r
end

local JSONL = '{"id": "a1", "text": "The striker scored twice in the cup final."}\n' ..
              '{"id": "a2", "text": "Hackers stole passwords in a data breach."}\n'

describe("textclass hints", function()
  teardown(function() H.cleanup() end)

  describe("JSONL read as text by default", function()
    it("warns once when stdin's first line is a JSON object with the text field", function()
      local r = run("label -m " .. H.model(), { stdin = JSONL })
      assert.equal(0, r.code)
      assert.equal("textclass: stdin: line 1 is a JSON object with a 'text' field, but stdin is read " ..
                   "as lines of text by default: --input jsonl?\n", r.err)
      -- still one record per line, as asked
      assert.same({ "-:1", "-:2" }, { tsv(r.out)[1][1], tsv(r.out)[2][1] })
      -- through a pipe too
      r = run("label -m " .. H.model() .. " -", { pipe = "printf '%s' '" .. JSONL .. "'" })
      assert.matches("stdin: line 1 is a JSON object", r.err)
    end)

    it("warns for a file read whole whose first line is a JSON object with the text field", function()
      spit(TMP .. "/news.json", JSONL)
      local r = run("label -m " .. H.model() .. " " .. TMP .. "/news.json")
      assert.equal("textclass: " .. TMP .. "/news.json: line 1 is a JSON object with a 'text' field, " ..
                   "but the file is read as one article (its name does not end in .jsonl): --input jsonl?\n",
                   r.err)
      assert.equal(1, #tsv(r.out))
    end)

    it("warns for a JSON file that is not JSONL (an array of articles, a pretty-printed object)", function()
      spit(TMP .. "/api.json", '[\n  {\n    "id": "a1",\n    "text": "The striker scored twice."\n  },\n' ..
                               '  {\n    "id": "a2",\n    "text": "Hackers stole passwords."\n  }\n]\n')
      spit(TMP .. "/export.json", '{"articles": [{"id": "a1", "body": "The striker scored twice."}]}\n')
      local r = run("label -m " .. H.model() .. " " .. TMP .. "/api.json")
      assert.equal("textclass: " .. TMP .. "/api.json: the file is JSON with 'text' fields, but it is read as " ..
                   "one article (its name does not end in .jsonl): convert it to JSONL, one object a line " ..
                   "(jq -c '.[]' " .. TMP .. "/api.json, for an array)?\n", r.err)
      assert.equal(1, #tsv(r.out))
      r = run("label --text-field body -m " .. H.model() .. " " .. TMP .. "/export.json")
      assert.matches("export%.json: the file is JSON with 'body' fields", r.err)
      -- asked for text, or no text field: nothing said
      r = run("label -i text -m " .. H.model() .. " " .. TMP .. "/api.json")
      assert.equal("", r.err)
      r = run("label -m " .. H.model() .. " " .. TMP .. "/export.json")
      assert.equal("", r.err)
    end)

    it("names the --text-field it looked for", function()
      local r = run("label --text-field body -m " .. H.model(),
                    { stdin = '{"body": "The striker scored twice."}\n' })
      assert.matches("a JSON object with a 'body' field", r.err)
    end)

    it("says nothing when the format is given, the object has no text field, or the line is text", function()
      for _, case in ipairs({
        { "-i lines", JSONL },                                    -- asked for lines
        { "", '{"title": "no text field here"}\n' },              -- not a record with a text
        { "", '{"text": 3}\n' },                                  -- text not a string
        { "", "{Braces} open this headline about the cup final\n" }, -- not JSON
        { "", "The striker scored twice.\n" .. JSONL },          -- line 1 is text
      }) do
        local r = run("label " .. case[1] .. " -m " .. H.model(), { stdin = case[2] })
        assert.equal("", r.err, case[2])
      end
      local r = run("label -i jsonl -m " .. H.model(), { stdin = JSONL })
      assert.equal("", r.err)
      assert.same({ "a1", "a2" }, { tsv(r.out)[1][1], tsv(r.out)[2][1] })
      spit(TMP .. "/story.txt", "{Braces} open this headline\n\nThe striker scored twice.\n")
      r = run("label -m " .. H.model() .. " " .. TMP .. "/story.txt")
      assert.equal("", r.err)
    end)
  end)

  describe("a web page or a feed piped in (curl URL | textclass label)", function()
    local PAGE = "<!DOCTYPE html>\n<html><head><title>Cup final</title></head>\n<body>\n" ..
                 "<p>The striker scored twice in the cup final.</p>\n</body></html>\n"
    local RSS = '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>N</title>\n' ..
                "<item><title>Cup final</title><description>The striker scored twice.</description></item>\n" ..
                "</channel></rss>\n"
    local ATOM = '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>Cup final</title></entry>\n</feed>\n'

    it("warns once that stdin is read as lines, naming the format to ask for", function()
      for _, case in ipairs({ { PAGE, "an HTML page", "text" }, { RSS, "a news feed", "feed" },
                              { ATOM, "a news feed", "feed" } }) do
        local r = run("label --exit-zero -m " .. H.model(), { pipe = "printf '%s' '" .. case[1] .. "'" })
        assert.equal(0, r.code)
        assert.equal("textclass: stdin: line 1 begins " .. case[2] .. ", but stdin is read as lines of " ..
                     "text by default, each line an article: --input " .. case[3] .. "?\n", r.err)
        -- still one record per line, as asked
        local _, lines = case[1]:gsub("\n", "")
        assert.equal(lines, #tsv(r.out))
      end
      local r = run("label -i text -m " .. H.model(), { stdin = PAGE })
      assert.same({ "", 1, "sport" }, { r.err, #tsv(r.out), tsv(r.out)[1][2] })
      r = run("label -i feed -m " .. H.model(), { stdin = RSS })
      assert.same({ "", 1, "sport" }, { r.err, #tsv(r.out), tsv(r.out)[1][2] })
    end)

    it("says nothing for a page a line, text, --input lines or --no-html", function()
      for _, case in ipairs({
        { "", "<html><body><p>One page a line.</p></body></html>\n<p>Two.</p>\n" },
        { "", "The striker scored twice.\n" .. PAGE },
        { "", '<?xml version="1.0"?>\nThe striker scored twice.\n' },
        { "-i lines", PAGE }, { "-i lines", RSS }, { "--no-html", PAGE },
      }) do
        local r = run("label " .. case[1] .. " -m " .. H.model(), { stdin = case[2] })
        assert.equal("", r.err, case[2])
      end
    end)
  end)

  it("says when a line train read as fastText is a JSON object", function()
    spit(TMP .. "/data.json", '{"text": "The striker scored twice.", "label": "sport"}\n' ..
                              '__label__cyber Hackers stole passwords.\n' ..
                              'no label on this line\n')
    local r = run("train -o " .. TMP .. "/x.model " .. TMP .. "/data.json")
    assert.equal(1, r.code)
    assert.truthy(r.err:find(TMP .. "/data.json:1: no __label__ at the start of the line (the line is a " ..
                             "JSON object, read as fastText for the file's extension: --input jsonl?)\n", 1, true),
                  r.err)
    -- a line that is not JSON keeps the plain message
    assert.truthy(r.err:find(TMP .. "/data.json:3: no __label__ at the start of the line\n", 1, true), r.err)
    r = run("eval -m " .. H.model() .. " " .. TMP .. "/data.json")
    assert.truthy(r.err:find("data.json:1: no __label__ at the start of the line (the line is a JSON object", 1,
                             true), r.err)
    -- read so for --input fasttext, the hint names it, not the extension
    -- (regression: "for the file's extension" of a data.jsonl given -i fasttext)
    spit(TMP .. "/data.jsonl", '{"text": "The striker scored twice.", "label": "sport"}\n')
    r = run("train -i fasttext -o " .. TMP .. "/x.model " .. TMP .. "/data.jsonl")
    assert.truthy(r.err:find("data.jsonl:1: no __label__ at the start of the line (the line is a JSON object, " ..
                             "read as fastText for --input fasttext: --input jsonl?)\n", 1, true), r.err)
  end)

  describe("a CSV column that is not there", function()
    local CSV = "url,headline,body,section\nhttps://x/1,Cup final,The striker scored twice.,sport\n"

    it("lists the header's columns for label", function()
      spit(TMP .. "/news.csv", CSV)
      local r = run("label -m " .. H.model() .. " " .. TMP .. "/news.csv")
      assert.equal(1, r.code)
      assert.same({ { TMP .. "/news.csv:1", "", "", "", "no 'text' column in the header; its columns are " ..
                      "'url', 'headline', 'body', 'section': --text-column NAME?" } }, tsv(r.out))
      r = run("label --text-column 7 -m " .. H.model() .. " " .. TMP .. "/news.csv")
      assert.equal("no column 7 (the header has 4); its columns are 'url', 'headline', 'body', 'section': " ..
                   "--text-column NAME?", tsv(r.out)[1][5])
      r = run("label --text-column body -m " .. H.model() .. " " .. TMP .. "/news.csv")
      assert.equal(0, r.code)
      assert.equal("sport", tsv(r.out)[1][2])
    end)

    it("names only the missing columns' options for train and eval", function()
      spit(TMP .. "/news.csv", CSV)
      local r = run("train -o " .. TMP .. "/x.model " .. TMP .. "/news.csv")
      assert.truthy(r.err:find("news.csv:1: no 'text', 'label' or 'labels' column in the header; its columns are " ..
                               "'url', 'headline', 'body', 'section': --text-column NAME, --label-column NAME?",
                               1, true), r.err)
      r = run("eval --label-column section -m " .. H.model() .. " " .. TMP .. "/news.csv")
      -- (only the missing one is named: it was "the header needs a 'text'
      -- and a 'section' column")
      assert.truthy(r.err:find("news.csv:1: no 'text' column in the header; its columns are 'url', " ..
                               "'headline', 'body', 'section': --text-column NAME?", 1, true), r.err)
      -- a column given by number is named as one, as label says it (it was
      -- "the header needs a 'text' and a '7' column", a column named 7)
      r = run("train --text-column body --label-column 7 -o " .. TMP .. "/x.model " .. TMP .. "/news.csv")
      assert.truthy(r.err:find("news.csv:1: no column 7 (the header has 4); its columns are 'url', 'headline', " ..
                               "'body', 'section': --label-column NAME?", 1, true), r.err)
      r = run("eval --text-column 9 --label-column section -m " .. H.model() .. " " .. TMP .. "/news.csv")
      assert.truthy(r.err:find("news.csv:1: no column 9 (the header has 4); its columns are 'url', 'headline', " ..
                               "'body', 'section': --text-column NAME?", 1, true), r.err)
      -- a header of one column, no other separator in it, lacks the label
      -- column: the closing line names its option (it said nothing more)
      spit(TMP .. "/texts.csv", "text\nThe vote\n")
      r = run("eval -m " .. H.model() .. " " .. TMP .. "/texts.csv")
      assert.truthy(r.err:find("texts.csv:1: no 'label' or 'labels' column in the header; its one column is " ..
                               "'text': --label-column NAME?\n", 1, true), r.err)
      assert.truthy(r.err:find("no labelled documents to evaluate: 1 bad record, with no 'label' or 'labels' " ..
                               "column; --label-column NAME names the column holding the labels\n", 1, true), r.err)
      -- --help gives the label column's default so too (it said [label])
      for _, cmd in ipairs({ "train", "eval" }) do
        local help = run(cmd .. " --help").out:gsub("%s+", " ")
        assert.truthy(help:find("--label-column NAME|N CSV column holding the label(s), comma-separated " ..
                                "[label, else labels]", 1, true), help)
      end
    end)

    it("shortens a long header", function()
      local names = {}
      for i = 1, 14 do names[i] = "c" .. i end
      names[2] = string.rep("é", 30)   -- 60 bytes, cut at a character
      spit(TMP .. "/wide.csv", table.concat(names, ",") .. "\n" .. string.rep("x,", 13) .. "x\n")
      local r = run("label -m " .. H.model() .. " " .. TMP .. "/wide.csv")
      assert.equal("no 'text' column in the header; its columns are 'c1', '" .. string.rep("é", 20) ..
                   "...', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', ... (14 in all): " ..
                   "--text-column NAME?", tsv(r.out)[1][5])
    end)
  end)

  describe("--threshold on a multi-class model", function()
    local multiclass
    local function model()
      if not multiclass then
        multiclass = TMP .. "/multiclass.model"
        local r = run("train --min-df 1 -o " .. multiclass .. " " .. H.D .. "/train.jsonl")
        assert(r.code == 0, r.err)
      end
      return multiclass
    end

    it("is said to be for multi-label models in label's and eval's --help", function()
      for _, cmd in ipairs({ "label", "eval" }) do
        local help = run(cmd .. " --help").out:gsub("%s+", " ")
        assert.matches("%-%-threshold X score a label needs[%w ]*, for multi%-label models %(default: the model's%)",
                       help)
      end
    end)

    it("is refused by train without --multilabel, as --fallback is", function()
      local r = run("train -t 0.3 -o " .. TMP .. "/y.model " .. H.D .. "/train.jsonl")
      assert.equal(2, r.code)
      assert.matches("%-%-threshold only applies to %-%-multilabel models", r.err)
      r = run("train --multilabel -t 0.3 --min-df 1 -o " .. TMP .. "/y.model " .. H.D .. "/train.jsonl")
      assert.equal(0, r.code, r.err)
    end)

    it("draws a warning from label and eval, which label as without it", function()
      local plain = run("label -m " .. model(), { stdin = "The striker scored twice in the final.\n" })
      local r = run("label -t 0.99 -m " .. model(), { stdin = "The striker scored twice in the final.\n" })
      assert.equal(0, r.code)
      assert.equal(plain.out, r.out)
      assert.equal("textclass: --threshold has no effect: " .. model() .. " is a multi-class model, which " ..
                   "always chooses its top label (thresholds are for models trained with --multilabel)\n", r.err)
      r = run("eval -t 0.99 -m " .. model() .. " " .. H.D .. "/train.jsonl")
      assert.matches("%-%-threshold has no effect", r.err)
      -- a multi-label model takes it silently
      local ml = TMP .. "/ml.model"
      assert.equal(0, run("train --multilabel --min-df 1 -o " .. ml .. " " .. H.D .. "/train.jsonl").code)
      r = run("label -t 0.99 -m " .. ml, { stdin = "The striker scored twice in the final.\n" })
      assert.equal("", r.err)
    end)
  end)

  -- Regression: `textclass explain` with no FILE, and train and eval with
  -- DATA -, waited on a terminal without a word.
  it("explain, train and eval tell a terminal on stdin how to end it, as label does", function()
    local r = run("explain -m " .. H.model())
    assert.same({ 1, "textclass: -: empty document\n" }, { r.code, r.err })   -- not a terminal: no word
    local _, how, code = os.execute("command -v script >/dev/null")
    if not (how == "exit" and code == 0) then
      pending("util-linux 'script' is not installed")
      return
    end
    local function on_terminal(args)
      local p = io.popen("script -qec '" .. H.CLI .. " " .. args .. "' /dev/null </dev/null")
      local tty = p:read("a")
      p:close()
      return tty
    end
    local cases = {
      { "label -m " .. H.model(), "articles from the terminal, one per line" },
      { "explain -m " .. H.model(), "the article from the terminal" },
      { "train -o " .. TMP .. "/tty.model -", "labelled records from the terminal, one per line" },
      { "eval -m " .. H.model() .. " -", "labelled records from the terminal, one per line" },
    }
    for _, c in ipairs(cases) do
      assert.matches("^textclass: reading " .. c[2]:gsub("%p", "%%%0") .. "; Ctrl%-D ends\r?\n", on_terminal(c[1]))
    end
    -- not with -q, which silences notes
    assert.not_matches("reading", on_terminal("eval -q -m " .. H.model() .. " -"))
  end)

  it("explain says when a multi-label model's label is its fallback", function()
    local ml = TMP .. "/fallback.model"
    local r = run("train --multilabel --fallback other --min-df 1 -o " .. ml .. " " .. H.D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local cjson = require "cjson"
    -- words the model has never seen: every score is low, other is the fallback
    r = run("explain -m " .. ml .. " -", { stdin = "Zyxw vutsr qponm lkjih gfedc.\n" })
    assert.equal(0, r.code, r.err)
    assert.matches("\nlabels  other %(the model's fallback: no label scored 0%.5 or more%)\n", r.out)
    r = run("explain --json -m " .. ml .. " -", { stdin = "Zyxw vutsr qponm lkjih gfedc.\n" })
    local j = cjson.decode(r.out)
    assert.same({ "other" }, j.labels)
    assert.is_true(j.fallback)
    for _, s in pairs(j.scores) do assert.is_true(s < 0.5) end
    -- a label chosen for its score gets no note
    local sport = "The striker scored twice in the second half as the home team won the league match.\n"
    r = run("explain -m " .. ml .. " -", { stdin = sport })
    assert.matches("\nlabels  sport\n", r.out)
    assert.is_false(cjson.decode(run("explain --json -m " .. ml .. " -", { stdin = sport }).out).fallback)
    -- nor does a multi-class model's label
    r = run("explain -m " .. H.model() .. " -", { stdin = "Zyxw vutsr qponm lkjih gfedc.\n" })
    assert.is_nil(r.out:find("fallback", 1, true))
  end)

  -- A record of eval --errors (or of any JSONL) piped to explain was
  -- explained as one article, braces, keys and all, without a word: its
  -- "predicted" and "gold" labels became features of the text.
  it("explain says when the article is JSON with a text field (an eval --errors record)", function()
    local record = '{"gold":["sport"],"id":"a1","predicted":["politics"],' ..
                   '"text":"The minister watched the striker score twice in the cup final."}\n'
    local hint = "the article is JSON with a 'text' field, read as text, braces, keys and all: " ..
                 "explain takes the text alone (jq -r .text)?\n"
    local r = run("explain -n 1 -m " .. H.model(), { stdin = record })
    assert.equal(0, r.code, r.err)
    assert.equal("textclass: stdin: " .. hint, r.err)
    assert.matches("^label   ", r.out)
    spit(TMP .. "/wrong.jsonl", record .. JSONL)
    r = run("explain -n 1 -m " .. H.model() .. " " .. TMP .. "/wrong.jsonl")
    assert.equal("textclass: " .. TMP .. "/wrong.jsonl: " .. hint, r.err)
    -- a pretty-printed object, or an array of them, too
    spit(TMP .. "/api.json", '[\n  {\n    "id": "a1",\n    "text": "The striker scored twice."\n  }\n]\n')
    r = run("explain -n 1 -m " .. H.model() .. " " .. TMP .. "/api.json")
    assert.equal("textclass: " .. TMP .. "/api.json: " .. hint, r.err)
    -- the text alone, JSON without a text field, or an article quoting JSON: nothing said
    for _, text in ipairs({ "The minister watched the striker score twice in the cup final.\n",
                            '{"body": "The striker scored twice."}\n',
                            'The API answered {"text": "The striker scored twice."}\n' }) do
      r = run("explain -n 1 -m " .. H.model(), { stdin = text })
      assert.equal(0, r.code, r.err)
      assert.equal("", r.err)
    end
  end)

  it("eval names gold labels the model does not have", function()
    spit(TMP .. "/gold.jsonl", '{"text": "The striker scored twice in the final.", "label": "football"}\n' ..
                               '{"text": "Hackers stole passwords in a data breach.", "label": "cyber"}\n' ..
                               '{"text": "The band released a new album.", "label": "music"}\n')
    local r = run("eval -m " .. H.model() .. " " .. TMP .. "/gold.jsonl")
    assert.equal(0, r.code)
    local labels = run("info --json -m " .. H.model()).out:match('"labels":%[(.-)%]'):gsub('"', ""):gsub(",", ", ")
    assert.equal("textclass: gold labels football, music are not among the classifier's labels (" .. labels ..
                 "): their documents are never right\n" ..
                 "textclass: labels sport, other have no document in the data but were predicted 2 times: " ..
                 "their F1, 0, counts in macro F1 (0.2000; 0.3333 over the 3 labels the data has)\n", r.err)
    r = run("eval --json -m " .. H.model() .. " " .. TMP .. "/gold.jsonl")
    assert.matches("gold labels football, music", r.err)
    -- gold labels the model has: nothing to say
    r = run("eval -m " .. H.model() .. " " .. H.D .. "/test.jsonl")
    assert.equal("", r.err)
  end)

  -- (a test split without a label's stories, BBC's without cyber: macro F1
  -- 0.74 beside accuracy 0.98, and no word on stderr of why)
  it("eval says when labels the data has no document of were predicted, which costs macro F1", function()
    spit(TMP .. "/no-politics.jsonl", '{"text": "The striker scored twice in the final.", "label": "sport"}\n' ..
                                      '{"text": "Hackers stole passwords in a data breach.", "label": "cyber"}\n' ..
                                      '{"text": "The minister of sport opened the stadium.", "label": "sport"}\n')
    local r = run("eval -m " .. H.model() .. " " .. TMP .. "/no-politics.jsonl")
    assert.equal(0, r.code)
    assert.matches("macro F1   0.5556\n", r.out, 1, true)
    assert.equal("textclass: label politics has no document in the data but was predicted 1 time: its F1, 0, " ..
                 "counts in macro F1 (0.5556; 0.8333 over the 2 labels the data has)\n", r.err)
    -- a label neither in the data nor predicted (other here) counts for nothing, and is not named;
    -- -q drops the note
    assert.equal("", run("eval -q -m " .. H.model() .. " " .. TMP .. "/no-politics.jsonl").err)
  end)

  it("tells explain's and info's -c that they need a model file", function()
    for _, command in ipairs({ "explain", "info" }) do
      for _, flag in ipairs({ "-c", "--classifier" }) do
        local r = run(command .. " " .. flag .. " examples/rules.lua")
        assert.equal(2, r.code)
        assert.equal("textclass: unknown option '" .. flag .. "' (label and eval take a Lua classifier; " ..
                     command .. " needs a model file, -m MODEL)\n", r.err:match("^[^\n]*\n"))
      end
    end
    -- another unknown option: nothing added
    assert.matches("^textclass: unknown option '%-Z'\n", run("explain -Z").err)
  end)

  it("tells label's -o FILE that records go to stdout", function()
    local r = run("label -o out.tsv")
    assert.equal(2, r.code)
    assert.matches("^textclass: %-%-output: 'out%.tsv' is not one of tsv, jsonl, csv " ..
                   "%(the records go to stdout: %-o FORMAT > out%.tsv%)\n", r.err)
    r = run("label -o xml")
    assert.matches("^textclass: %-%-output: 'xml' is not one of tsv, jsonl, csv\n", r.err)
  end)

  -- Regression: -o json (or --kernel RBF) was "not one of tsv, jsonl, csv"
  -- and no more.
  it("names the choice a value begins or spells in another case", function()
    local cases = {
      { "label -o json", "%-%-output: 'json' is not one of tsv, jsonl, csv: %-%-output jsonl%?" },
      { "label -o JSONL", "%-%-output: 'JSONL' is not one of tsv, jsonl, csv: %-%-output jsonl%?" },
      { "label -i l", "%-%-input: 'l' is not one of auto, text, lines, jsonl, csv, tsv, feed: %-%-input lines%?" },
      { "train -o x.model --kernel RBF d", "%-%-kernel: 'RBF' is not one of linear, rbf: %-%-kernel rbf%?" },
      -- a value that begins several choices, or none: nothing added
      { "label -i t", "%-%-input: 't' is not one of auto, text, lines, jsonl, csv, tsv, feed" },
      { "label -o xml", "%-%-output: 'xml' is not one of tsv, jsonl, csv" },
    }
    for _, c in ipairs(cases) do
      local r = run(c[1])
      assert.equal(2, r.code)
      assert.matches("^textclass: " .. c[2] .. "\n", r.err)
    end
  end)

  it("names our command for another tool's name (predict, test, fit), and runs nothing", function()
    for name, ours in pairs({ predict = "label", ["predict-prob"] = "label", test = "eval", fit = "train",
                              supervised = "train", describe = "info" }) do
      local r = run(name .. " x")
      assert.equal(2, r.code)
      assert.equal("", r.out)
      assert.matches("^textclass: no such command '" .. name:gsub("%-", "%%-") .. "'; 'textclass " .. ours ..
                     "' does that: ", r.err)
      r = run("help " .. name)
      assert.equal(2, r.code)
      assert.matches("'textclass " .. ours .. "' does that", r.err)
    end
    assert.matches("^textclass: no such command 'frobnicate'\n", run("frobnicate").err)
  end)

  it("refuses --header with JSONL output rather than ignore it", function()
    local r = run("label --header -o jsonl -m " .. H.model(), { stdin = "The striker scored.\n" })
    assert.equal(2, r.code)
    assert.equal("", r.out)
    assert.matches("^textclass: %-%-header applies to tsv and csv output, not jsonl", r.err)
    r = run("label --header -o tsv -m " .. H.model(), { stdin = "The striker scored.\n" })
    assert.equal(0, r.code)
    assert.equal("id\tlabel\tlabels\tscores\terror", H.lines(r.out)[1])
    r = run("label --no-header -o jsonl -m " .. H.model(), { stdin = "The striker scored.\n" })
    assert.equal(0, r.code)
  end)

  it("names Windows-1252 for text that is not UTF-8 and looks like it, and only then", function()
    local HINT = " (0x%s: if the file is Windows-1252, as Excel's \"CSV (Comma delimited)\": " ..
                 "--encoding windows-1252)"
    -- Excel's CSV of a Western locale: an accent, curly quotes, a pound sign
    spit(TMP .. "/excel.csv", "id,text\r\n1,Caf\233 prices rose\r\n2,\147Quoted\148 headline\r\n" ..
                              "3,Tickets cost \16310\r\n4,Plain ASCII\r\n")
    local rows = tsv(run("label -m " .. H.model() .. " " .. TMP .. "/excel.csv").out)
    local at = TMP .. "/excel.csv:"   -- (records with ids: their errors name their lines)
    assert.same({ at .. "2: invalid UTF-8 at byte 4" .. HINT:format("E9"),
                  at .. "3: invalid UTF-8 at byte 1" .. HINT:format("93"),
                  at .. "4: invalid UTF-8 at byte 14" .. HINT:format("A3"), "" },
                { rows[1][5], rows[2][5], rows[3][5], rows[4][5] })
    -- not for UTF-8 text with a stray byte after a character of two bytes,
    -- nor for a character cut at the end
    rows = tsv(run("label -m " .. H.model(), { stdin = "Caf\195\169 \233t\195\169\nThe minister \195" }).out)
    assert.same({ "invalid UTF-8 at byte 7", "invalid UTF-8 at byte 14" }, { rows[1][5], rows[2][5] })
  end)

  -- Regression: train's closing line said "(fix them, or use --skip-bad)"
  -- and eval's "no labelled documents to evaluate" when no record had the
  -- label field: skipping them all leaves nothing, the option is the fix.
  describe("data whose records lack the label or text field", function()
    local LABEL_FIELD = "all with no 'label' or 'labels' field; --label-field NAME names the field holding the " ..
                        "labels (the first one's fields: 'category', 'text')"
    local function last_line(err) return err:match("([^\n]*)\n$") end

    it("names --label-field in train's and eval's closing line when no record has it", function()
      spit(TMP .. "/category.jsonl", '{"text": "The striker scored twice.", "category": "sport"}\n' ..
                                     '{"text": "The minister resigned.", "category": "politics"}\n')
      local r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/category.jsonl")
      assert.equal(1, r.code)
      assert.equal("textclass: 2 bad records in the training data, " .. LABEL_FIELD, last_line(r.err))
      r = run("train --skip-bad -o " .. TMP .. "/c.model " .. TMP .. "/category.jsonl")
      assert.equal("textclass: no training documents in " .. TMP .. "/category.jsonl: 2 bad records, " .. LABEL_FIELD,
                   last_line(r.err))
      r = run("eval -m " .. H.model() .. " " .. TMP .. "/category.jsonl")
      assert.equal(1, r.code)
      assert.equal("textclass: no labelled documents to evaluate: 2 bad records, " .. LABEL_FIELD, last_line(r.err))
      r = run("train --label-field category --min-df 1 -o " .. TMP .. "/c.model " .. TMP .. "/category.jsonl")
      assert.equal(0, r.code, r.err)
    end)

    it("names it when most records lack it, and --skip-bad when few do", function()
      local good = '{"text": "The striker scored twice.", "label": "sport"}\n'
      local lacking = '{"text": "The minister resigned.", "category": "politics"}\n'
      spit(TMP .. "/most.jsonl", good .. lacking .. lacking)
      local r = run("eval -m " .. H.model() .. " " .. TMP .. "/most.jsonl")
      assert.equal(1, r.code)
      assert.equal("textclass: 2 records could not be evaluated, " .. LABEL_FIELD, last_line(r.err))
      r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/most.jsonl")
      assert.equal("textclass: 2 bad records in the training data, " .. LABEL_FIELD, last_line(r.err))
      spit(TMP .. "/few.jsonl", good .. good .. lacking)
      r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/few.jsonl")
      assert.equal("textclass: 1 bad record in the training data (fix it, or use --skip-bad)", last_line(r.err))
      r = run("eval -m " .. H.model() .. " " .. TMP .. "/few.jsonl")
      assert.equal("textclass: 1 record could not be evaluated", last_line(r.err))
    end)

    it("names --text-field, --label-column and --text-column the same way", function()
      spit(TMP .. "/body.jsonl", '{"body": "The striker scored twice.", "label": "sport"}\n')
      local r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/body.jsonl")
      assert.equal("textclass: 1 bad record in the training data, with no 'text' field; --text-field NAME names " ..
                   "the field holding the text (the first one's fields: 'body', 'label')", last_line(r.err))
      spit(TMP .. "/category.csv", "text,category\nThe striker scored twice.,sport\n")
      r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/category.csv")
      assert.equal("textclass: 1 bad record in the training data, with no 'label' or 'labels' column; " ..
                   "--label-column NAME names the column holding the labels", last_line(r.err))
      spit(TMP .. "/neither.csv", "body,category\nThe striker scored twice.,sport\n")
      r = run("eval -m " .. H.model() .. " " .. TMP .. "/neither.csv")
      assert.equal("textclass: no labelled documents to evaluate: 1 bad record, with no 'text', 'label' or " ..
                   "'labels' column; --text-column NAME and --label-column NAME name the columns holding the text " ..
                   "and the labels",
                   last_line(r.err))
    end)
  end)

  -- Regression: a DATA file that is not there was "1 bad record in the
  -- training data (fix it, or use --skip-bad)"; skipping it leaves nothing.
  it("suggests --skip-bad to train only when some record is good", function()
    local r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/absent.jsonl")
    assert.equal(1, r.code)
    assert.equal("textclass: " .. TMP .. "/absent.jsonl: No such file or directory\n" ..
                 "textclass: 1 input could not be read and no good one (fix it)\n", r.err)
    r = run("train -o " .. TMP .. "/c.model " .. TMP .. "/absent.jsonl " .. H.D .. "/train.jsonl")
    assert.matches("textclass: 1 input could not be read %(fix it, or use %-%-skip%-bad%)\n$", r.err)
  end)

  it("lists a JSONL record's fields when the text or label field is missing, and the one spelled so", function()
    spit(TMP .. "/caps.jsonl", '{"Title": "Cup final", "Text": "The striker scored twice.", "Label": "sport"}\n')
    local r = run("label -m " .. H.model() .. " " .. TMP .. "/caps.jsonl")
    assert.equal("no 'text' field (its fields: 'Label', 'Text', 'Title'; --text-field Text?)", tsv(r.out)[1][5])
    r = run("train -o " .. TMP .. "/caps.model " .. TMP .. "/caps.jsonl")
    assert.equal(1, r.code)
    assert.matches("caps%.jsonl:1: no 'text' field %(its fields: 'Label', 'Text', 'Title'; %-%-text%-field Text%?%)", r.err)
    r = run("eval --text-field Text -m " .. H.model() .. " " .. TMP .. "/caps.jsonl")
    assert.matches("caps%.jsonl:1: no 'label' or 'labels' field %(its fields: 'Label', 'Text', 'Title'; " ..
                   "%-%-label%-field Label%?%)", r.err)
    -- and the closing line, which names the field so spelled too
    assert.matches("no labelled documents to evaluate: 1 bad record, with no 'label' or 'labels' field; " ..
                   "%-%-label%-field NAME names the field holding the labels %(the first one's fields: 'Label', " ..
                   "'Text', 'Title'; %-%-label%-field Label%?%)\n$", r.err)
    -- at most 8 names, each cut at 40 bytes, control characters as '?'
    -- (C1 too: U+0085 was written as it was)
    local many = {}
    for i = 1, 12 do many[i] = string.format('"k%02d": 1', i) end
    many[1] = '"k01' .. string.rep("x", 50) .. '": 1'
    many[2] = '"k02\\t\\u0085": 1'
    spit(TMP .. "/many.jsonl", "{" .. table.concat(many, ", ") .. "}\n{}\n")
    local rows = tsv(run("label -m " .. H.model() .. " " .. TMP .. "/many.jsonl").out)
    assert.equal("no 'text' field (its fields: 'k01" .. string.rep("x", 37) .. "...', 'k02??', 'k03', 'k04', " ..
                 "'k05', 'k06', 'k07', 'k08', ... (12 in all))", rows[1][5])
    assert.equal("no 'text' field (the object has no fields)", rows[2][5])
  end)

  it("says how to give DATA on stdin", function()
    for _, cmd in ipairs({ "train -o " .. TMP .. "/z.model", "eval" }) do
      local r = run(cmd)
      assert.equal(2, r.code)
      assert.matches("no DATA given %(files, folders, or %- for JSONL on stdin%)", r.err)
    end
  end)

  it("warns train when most of 100 or more labels have one document each (a text column for the label)", function()
    local csv = { "text,headline" }
    for i = 1, 120 do csv[#csv + 1] = string.format("story %d about the match and the vote,Headline number %d", i, i) end
    -- (two documents for the first 20 headlines: 100 of 120 labels on one document)
    for i = 1, 20 do csv[#csv + 1] = string.format("another story %d on the match,Headline number %d", i, i) end
    spit(TMP .. "/headlines.csv", table.concat(csv, "\n") .. "\n")
    local r = run("train --min-df 1 --label-column headline -o " .. TMP .. "/headlines.model " ..
                  TMP .. "/headlines.csv")
    assert.equal(0, r.code, r.err)
    assert.equal("textclass: 120 labels for 140 documents, 100 of them on one document only: training fits one " ..
                 "SVM a label over every document (time and memory grow as labels x documents); is 'headline' " ..
                 "the right label field or column (--label-field, --label-column)?\n", r.err)
    -- the column the labels were read from, by its name in the header:
    -- given by number, or 'labels' when read without --label-column (it
    -- said '2' and 'label')
    r = run("train --min-df 1 --label-column 2 -o " .. TMP .. "/headlines.model " .. TMP .. "/headlines.csv")
    assert.equal(0, r.code, r.err)
    assert.truthy(r.err:find("; is 'headline' the right label field or column", 1, true), r.err)
    spit(TMP .. "/labels.csv", (table.concat(csv, "\n") .. "\n"):gsub("^text,headline", "text,labels"))
    r = run("train --min-df 1 -o " .. TMP .. "/headlines.model " .. TMP .. "/labels.csv")
    assert.equal(0, r.code, r.err)
    assert.truthy(r.err:find("; is 'labels' the right label field or column", 1, true), r.err)
    -- (a header's name is the file's: shown with its control characters escaped)
    spit(TMP .. "/labels.csv", (table.concat(csv, "\n") .. "\n"):gsub("^text,headline", "text,\"head\27[2Jline\""))
    r = run("train --min-df 1 --label-column 2 -o " .. TMP .. "/headlines.model " .. TMP .. "/labels.csv")
    assert.equal(0, r.code, r.err)
    assert.truthy(r.err:find("; is 'head\\x1B[2Jline' the right label field or column", 1, true), r.err)
    -- half of them on one document, or fewer than 100 labels: no warning
    for i = 21, 60 do csv[#csv + 1] = string.format("another story %d on the match,Headline number %d", i, i) end
    spit(TMP .. "/headlines.csv", table.concat(csv, "\n") .. "\n")
    r = run("train --min-df 1 --label-column headline -o " .. TMP .. "/headlines.model " .. TMP .. "/headlines.csv")
    assert.equal(0, r.code, r.err)
    assert.equal("", r.err)
    spit(TMP .. "/few.jsonl", (function()
      local lines = {}
      for i = 1, 99 do lines[i] = string.format('{"text": "story %d about the match", "label": "l%d"}', i, i) end
      return table.concat(lines, "\n") .. "\n"
    end)())
    r = run("train --min-df 1 -o " .. TMP .. "/few.model " .. TMP .. "/few.jsonl")
    assert.equal(0, r.code, r.err)
    assert.equal("", r.err)
  end)

  -- (regression: explain and info refused -q; label's and train's -q left
  -- the hints on stderr, eval's the summary-less warnings)
  it("-q, taken by every command, silences hints, warnings and summaries, never an error", function()
    local quiet = H.run  -- stderr as it is
    spit(TMP .. "/news.json", JSONL)
    spit(TMP .. "/gold.jsonl", '{"text": "The striker scored twice in the final.", "label": "football"}\n' ..
                               '{"text": "Hackers stole passwords in a data breach.", "label": "cyber"}\n')
    local hinted = {
      "label -m " .. H.model() .. " " .. TMP .. "/news.json",
      "explain -n 1 -m " .. H.model() .. " " .. TMP .. "/news.json",
      "eval -m " .. H.model() .. " " .. TMP .. "/gold.jsonl",
      "label -t 0.5 -m " .. H.model() .. " " .. TMP .. "/gold.jsonl",
      "train --min-df 1 -o " .. TMP .. "/q.model " .. TMP .. "/gold.jsonl",
    }
    for _, cmd in ipairs(hinted) do
      local r = quiet(cmd)
      assert.equal(0, r.code, r.err)
      assert.are_not.equal("", r.err, cmd)
      for _, q in ipairs({ " -q", " --quiet" }) do
        local rq = quiet((cmd:gsub("^(%a+)", "%1" .. q)))
        assert.same({ 0, "", r.out }, { rq.code, rq.err, rq.out }, cmd .. q)
      end
    end
    local r = quiet("info -q -m " .. H.model())
    assert.same({ 0, "" }, { r.code, r.err })
    assert.equal(H.run("info -m " .. H.model()).out, r.out)
    spit(TMP .. "/hello.lua", 'print("hello", ...)\n')
    r = quiet("run -q " .. TMP .. "/hello.lua -q")
    assert.same({ 0, "hello\t-q\n", "" }, { r.code, r.out, r.err })
    -- errors are said all the same
    r = quiet("explain -q -m " .. H.model() .. " " .. TMP .. "/missing.txt")
    assert.same({ 1, "textclass: " .. TMP .. "/missing.txt: No such file or directory\n" }, { r.code, r.err })
    r = quiet("info -q -m " .. TMP .. "/missing.model")
    assert.equal(1, r.code)
    assert.matches("^textclass: .*missing%.model: No such file or directory\n$", r.err)
    spit(TMP .. "/bad.jsonl", '{"text": "The striker scored.", "label": "sport"}\nnot json\n')
    r = quiet("eval -q -m " .. H.model() .. " " .. TMP .. "/bad.jsonl")
    assert.equal(1, r.code)
    assert.matches("bad%.jsonl:2: not JSON", r.err)
    assert.matches("1 record could not be evaluated\n$", r.err)
  end)
end)
