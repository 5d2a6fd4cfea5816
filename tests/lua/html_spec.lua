-- html_spec.lua - HTML pages: tc.html_text, and the command line reading
-- .html files, documents that begin like a page and --html documents
-- (core/html.c has its own C tests).
local tc = require "textclass"
local cjson = require "cjson.safe"
local H = dofile("tests/lua/cli_helpers.lua")
local TMP, spit, run, tsv, jsonl, model = H.TMP, H.spit, H.run, H.tsv, H.jsonl, H.model

teardown(H.cleanup)

local PAGE = [[<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Hackers breach bank | Example News</title>
<style>.sport { color: red }</style><script>var topics = ["sport", "football", "league"];</script></head>
<body><nav><a href="/sport">Sport</a> <a href="/football">Football</a> <a href="/league">League</a></nav>
<article><h1>Hackers breach bank</h1>
<p>Hackers breached the bank&rsquo;s network, stole passwords and installed malware, the bank said.</p>
<p>Security researchers traced the ransomware attack to a phishing e-mail.</p></article>
<footer>Sport &middot; Football &middot; League</footer></body></html>]]

describe("tc.html_text", function()
  it("gives the page's text", function()
    assert.equal("Hackers breach bank\n\nHackers breached the bank\u{2019}s network, stole passwords and " ..
                 "installed malware, the bank said.\n\nSecurity researchers traced the ransomware attack " ..
                 "to a phishing e-mail.", tc.html_text(PAGE))
    assert.equal("", tc.html_text(""))
    assert.equal("plain & simple", tc.html_text("plain &amp; simple"))
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.html_text() end, "bad argument #1 .*string expected")
    assert.error_matches(function() tc.html_text("x", 1) end, "unexpected argument")
  end)
end)

-- The HTML Standard's named character references, held to Python's copy of
-- its table (html.entities.html5); core/html_entities.h is generated from it.
describe("named character references", function()
  local PYTHON = "/usr/bin/python3"
  local function python_table()
    local p = assert(io.popen(PYTHON .. " -c 'import html.entities, json; print(json.dumps(html.entities.html5))'"))
    local names = cjson.decode(p:read("a"))
    p:close()
    return names
  end

  it("reads every name of the Standard's table as the characters it gives", function()
    if not os.execute(PYTHON .. " -c 'import html.entities' 2>/dev/null") then
      return pending("SKIPPED: no " .. PYTHON .. " to give the HTML Standard's table")
    end
    local count, wrong = 0, {}
    for name, chars in pairs(python_table()) do
      -- as page text: a no-break space, a tab and a line break are a space
      local want = "x" .. chars:gsub("\u{a0}", " "):gsub("[\t\n]", " ") .. "."
      if tc.html_text("x&" .. name .. ".") ~= want then wrong[#wrong + 1] = name end
      count = count + 1
    end
    assert.equal(2231, count)
    assert.same({}, wrong)
  end)

  it("is the table scripts/gen_html_entities.py writes", function()
    if not os.execute(PYTHON .. " -c 'import html.entities' 2>/dev/null") then
      return pending("SKIPPED: no " .. PYTHON .. " to run scripts/gen_html_entities.py")
    end
    local ok, _, code = os.execute(PYTHON .. " scripts/gen_html_entities.py --check")
    assert.same({ true, 0 }, { ok, code })
  end)
end)

-- "Хакеры атаковали больницу" in Windows-1251 (iconv -t CP1251)
local CP1251 = "\xd5\xe0\xea\xe5\xf0\xfb \xe0\xf2\xe0\xea\xee\xe2\xe0\xeb\xe8 \xe1\xee\xeb\xfc\xed\xe8\xf6\xf3"
local CYRILLIC = "Хакеры атаковали больницу"

describe("tc.html_charset and pages in other charsets", function()
  it("converts a page from the charset it declares", function()
    assert.equal(CYRILLIC, tc.html_text('<meta charset="windows-1251"><p>' .. CP1251 .. "</p>"))
    assert.equal(CYRILLIC, tc.html_text('<meta http-equiv="Content-Type" content="text/html; charset=cp1251">' ..
                                        CP1251))
    -- valid UTF-8 stays as it is whatever the page says
    assert.equal(CYRILLIC, tc.html_text('<meta charset="windows-1251"><p>' .. CYRILLIC .. "</p>"))
    -- a charset nobody knows: the bytes as they are
    assert.equal(CP1251, tc.html_text('<meta charset="x-foo"><p>' .. CP1251 .. "</p>"))
  end)

  it("says what a page declares and what html_text does with it", function()
    assert.same({ "converted", "windows-1251" }, { tc.html_charset('<meta charset="windows-1251">' .. CP1251) })
    assert.same({ "unknown", "x-foo" }, { tc.html_charset('<meta charset="x-foo">' .. CP1251) })
    assert.same({ "utf-8", "x-foo" }, { tc.html_charset('<meta charset="x-foo">' .. CYRILLIC) })
    assert.same({ "utf-8", "UTF-16" }, { tc.html_charset('<meta charset="UTF-16">' .. CP1251) })
    assert.same({ "utf-8", "koi8-r" }, { tc.html_charset('\239\187\191<meta charset="koi8-r">' .. CP1251) })
    assert.same({ "converted", "koi8-r" }, { tc.html_charset('<?xml version="1.0" encoding="koi8-r"?>' .. CP1251) })
    assert.same({ "unknown", ".." }, { tc.html_charset('<meta charset="../x">' .. CP1251) })
    -- nothing declared: Windows-1252 assumed when no UTF-8 is in the page
    local how, name = tc.html_charset("<p>" .. CP1251 .. "</p>")
    assert.equal("assumed", how)
    assert.is_nil(name)
    assert.same({ "none" }, { tc.html_charset("<p>" .. CYRILLIC .. CP1251 .. "</p>") })
    assert.same({ "none" }, { tc.html_charset("<p>" .. CYRILLIC .. "</p>") })
    assert.equal("none", (tc.html_charset("")))
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.html_charset() end, "bad argument #1 .*string expected")
    assert.error_matches(function() tc.html_charset("x", 1) end, "unexpected argument")
  end)

  it("labels a page in its declared charset, and names a charset it cannot convert", function()
    local words = " ransomware attack hospital"
    spit(TMP .. "/cp1251.html", '<html><head><meta charset="windows-1251"></head><body><p>' .. CP1251 .. words ..
                                "</p></body></html>")
    spit(TMP .. "/x-foo.html", '<meta charset="x-foo"><p>' .. CP1251 .. words .. "</p>")
    spit(TMP .. "/utf8.html", '<meta charset="utf-8"><p>Hackers ' .. CP1251 .. words .. "</p>")
    -- (a UTF-8 character in it: not a page in Windows-1252)
    spit(TMP .. "/undeclared.html", "<p>Hackers\u{2019} " .. CP1251 .. words .. "</p>")
    local pages = TMP .. "/cp1251.html " .. TMP .. "/x-foo.html " .. TMP .. "/utf8.html " .. TMP .. "/undeclared.html"
    local r = run("label -q -o jsonl -m " .. model() .. " " .. pages)
    assert.equal(1, r.code)
    local rows = jsonl(r.out)
    assert.is_nil(rows[1].error)
    assert.equal("cyber", rows[1].label)
    -- the page scores as its text given in UTF-8
    spit(TMP .. "/cp1251.jsonl", cjson.encode({ text = CYRILLIC .. words }) .. "\n")
    local same = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/cp1251.jsonl")
    assert.same(jsonl(same.out)[1].scores, rows[1].scores)
    -- the offset is in the page's text, and the page's charset says why
    assert.equal("the page declares charset 'x-foo', which cannot be converted; invalid UTF-8 at byte 1 of " ..
                 "the page's text", rows[2].error)
    assert.equal("invalid UTF-8 at byte 9 of the page's text (the page declares charset 'utf-8')", rows[3].error)
    assert.equal("invalid UTF-8 at byte 12 of the page's text (the page declares no charset)", rows[4].error)
    -- --replace-invalid labels them anyway
    r = run("label -q -o jsonl --replace-invalid -m " .. model() .. " " .. pages)
    assert.equal(0, r.code, r.err)
    for _, row in ipairs(jsonl(r.out)) do assert.is_nil(row.error) end
    -- a page that declares nothing and holds no UTF-8 is read as Windows-1252,
    -- as browsers read it: it scores as its text given in UTF-8
    spit(TMP .. "/latin1.html", "<p>Le pr\xe9sident a d\xe9clar\xe9 \x93la r\xe9forme\x94 de l'\xe9tat.</p>")
    spit(TMP .. "/latin1.jsonl",
         cjson.encode({ text = "Le pr\u{E9}sident a d\u{E9}clar\u{E9} \u{201C}la r\u{E9}forme\u{201D} de l'\u{E9}tat." }) .. "\n")
    r = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/latin1.html " .. TMP .. "/latin1.jsonl")
    assert.equal(0, r.code, r.err)
    rows = jsonl(r.out)
    assert.is_nil(rows[1].error)
    assert.same(rows[2].scores, rows[1].scores)
    -- explain says the same
    r = run("explain -m " .. model() .. " " .. TMP .. "/x-foo.html")
    assert.equal(1, r.code)
    assert.equal("textclass: " .. TMP .. "/x-foo.html: the page declares charset 'x-foo', which cannot be " ..
                 "converted; invalid UTF-8 at byte 1 of the page's text\n", r.err)
  end)
end)

describe("textclass and HTML pages", function()
  it("tells a page from an article by its first bytes", function()
    local looks = require("textclass.cli.records").looks_like_html
    for _, page in ipairs({ PAGE, "<html>", "<HTML lang=en>", "  \n<!doctype HTML>", "<p>The striker</p>",
                            "<P>x", "<a href=x>y</a>", "<b>", "<br>", "<h1>x", "<div class=a>", "<!-- c -->",
                            "\239\187\191<html>", '<?xml version="1.0"?>\n<html xmlns="x">',
                            "<title>x</title>", "<table>" }) do
      assert.is_true(looks(page), page)
    end
    for _, text in ipairs({ "", "   ", "The striker <b>scored</b>", "<paragraph> text", "<pre>x</pre>",
                            "<abbr>x", "<html", "<p", "<!doctype xml>", '<?xml version="1.0"?>\n<doc>',
                            '<?xml version="1.0"', "< p>x", "x <html>" }) do
      assert.is_false(looks(text), text)
    end
  end)

  it("reads .html and .htm files and files that begin like a page as pages, --no-html none", function()
    spit(TMP .. "/page.html", PAGE)
    spit(TMP .. "/page.htm", PAGE)
    spit(TMP .. "/page.txt", PAGE)
    spit(TMP .. "/markup.txt", "Hackers breach bank " .. PAGE)
    local files = table.concat({ "page.html", "page.htm", "page.txt", "markup.txt" }, " " .. TMP .. "/")
    local r = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/" .. files)
    assert.equal(0, r.code, r.err)
    local rows = jsonl(r.out)
    assert.equal(4, #rows)
    assert.equal("cyber", rows[1].label)
    assert.same(rows[1].scores, rows[2].scores)
    assert.same(rows[1].scores, rows[3].scores) -- begins with <!DOCTYPE html>
    -- a file beginning with words is text, markup and all: the markup's words vote too
    assert.are_not.same(rows[1].scores, rows[4].scores)
    -- --html reads it as a page all the same; --no-html reads every file as text
    r = run("label -q -o jsonl --html -m " .. model() .. " " .. TMP .. "/markup.txt")
    assert.equal(0, r.code, r.err)
    assert.are_not.same(rows[4].scores, jsonl(r.out)[1].scores)
    r = run("label -q -o jsonl --no-html -m " .. model() .. " " .. TMP .. "/page.html " .. TMP .. "/markup.txt")
    assert.equal(0, r.code, r.err)
    local as_text = jsonl(r.out)
    assert.are_not.same(rows[1].scores, as_text[1].scores)
    assert.same(rows[4].scores, as_text[2].scores)
    r = run("label -q --html --no-html -m " .. model() .. " " .. TMP .. "/page.html")
    assert.equal(2, r.code)
    assert.truthy(r.err:find("--html and --no-html contradict each other", 1, true), r.err)
  end)

  it("reads JSONL texts as pages when they begin like one, every text with --html", function()
    local path = TMP .. "/pages.jsonl"
    local story = "Hackers breach bank <nav>Sport Football League</nav>"
    spit(path, cjson.encode({ id = "p1", text = PAGE }) .. "\n" ..
               cjson.encode({ id = "p2", text = "<p><b>The striker scored twice</b> as the team won the league final</p>" }) .. "\n" ..
               cjson.encode({ id = "p3", text = story }) .. "\n")
    local auto = run("label -q -o jsonl -m " .. model() .. " " .. path)
    local with = run("label -q -o jsonl --html -m " .. model() .. " " .. path)
    local without = run("label -q -o jsonl --no-html -m " .. model() .. " " .. path)
    assert.equal(0, auto.code, auto.err)
    local a, w, b = jsonl(auto.out), jsonl(with.out), jsonl(without.out)
    assert.equal("cyber", a[1].label)
    assert.equal("sport", a[2].label)
    assert.same(a[1].scores, w[1].scores)
    assert.are_not.same(a[1].scores, b[1].scores)
    -- p3 begins with words: text unless --html, which drops its menu
    assert.same(a[3].scores, b[3].scores)
    assert.are_not.same(a[3].scores, w[3].scores)
    -- the same text given clean scores the same as the page
    spit(TMP .. "/clean.jsonl", cjson.encode({ text = tc.html_text(PAGE) }) .. "\n")
    local clean = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/clean.jsonl")
    assert.same(a[1].scores, jsonl(clean.out)[1].scores)
  end)

  it("reads a Windows-1252 page, and reports a page without text", function()
    spit(TMP .. "/latin.html", '<meta charset="windows-1252"><p>Hackers stole \147passwords\148 from the caf\233</p>')
    spit(TMP .. "/empty.html", "<html><head><script>var x;</script></head><body><!-- nothing --></body></html>")
    spit(TMP .. "/huge.html", "<p>" .. string.rep("a", 200) .. "</p>")
    local r = run("label -q -m " .. model() .. " --max-bytes 100 " .. TMP .. "/latin.html " .. TMP .. "/empty.html " ..
                  TMP .. "/huge.html")
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal("", rows[1][5]) -- read as UTF-8 text after conversion: no invalid UTF-8
    assert.equal("empty document", rows[2][5])
    assert.equal("document too large (207 bytes, limit 100)", rows[3][5]) -- the page's size counts
  end)

  it("trains from and evaluates on folders of pages", function()
    local dir = TMP .. "/pages"
    os.execute("mkdir -p " .. dir .. "/cyber " .. dir .. "/sport")
    for i = 1, 3 do
      spit(dir .. "/cyber/" .. i .. ".html", "<nav>Sport Football</nav><p>Hackers stole passwords with malware " .. i .. "</p>")
      spit(dir .. "/sport/" .. i .. ".html", "<nav>Hackers Malware</nav><p>The striker scored in the final " .. i .. "</p>")
    end
    local m = TMP .. "/pages.model"
    local r = run("train -q --min-df 1 -o " .. m .. " " .. dir)
    assert.equal(0, r.code, r.err)
    -- a plain-text probe holding a menu word: were the menus read in
    -- training, "football" would be a feature (min-df 1) and explain it
    spit(TMP .. "/probe.txt", "Football hackers stole passwords with malware")
    r = run("explain -m " .. m .. " -a -n 40 " .. TMP .. "/probe.txt")
    assert.equal(0, r.code, r.err)
    -- the menus' words were never read: not features of the model
    assert.is_nil(r.out:find("football", 1, true))
    assert.truthy(r.out:find("malware", 1, true))
  end)

  it("explains a page by its text, with --html and --no-html as label has them", function()
    spit(TMP .. "/story.txt", "Hackers breach bank <nav>Sport Football League match result</nav>")
    spit(TMP .. "/story-page", "<html><body><nav>Sport Football League match result</nav><p>Hackers breach bank</p>")
    local function top(flags, file)
      local r = run("explain --json " .. flags .. " -m " .. model() .. " " .. TMP .. "/" .. file)
      assert.equal(0, r.code, r.err)
      return cjson.decode(r.out)
    end
    local as_text, as_page = top("", "story.txt"), top("--html", "story.txt")
    assert.are_not.same(as_text.scores, as_page.scores)
    assert.same(as_page.scores, top("", "story-page").scores) -- begins like a page
    assert.are_not.same(as_page.scores, top("--no-html", "story-page").scores)
    local r = run("explain --html --no-html -m " .. model() .. " " .. TMP .. "/story.txt")
    assert.equal(2, r.code)
  end)
end)
