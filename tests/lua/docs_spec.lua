-- docs_spec.lua - the docs tell the truth about the code: every ```lua
-- block of docs/lua-api.md and README.md runs without error, each in its
-- own interpreter, with $TEXTCLASS_MODEL pointing at a model trained from
-- tests/data/lua/topics (the shipped model's four labels); the command-line
-- transcripts print what they show; lua-api.md documents what the module
-- exports; the source tours name the files there are; cli.md names the
-- options there are; the documented defaults, the model card's samples and
-- README's commands are what the code has.
local H = dofile("tests/lua/module_helpers.lua")

local function blocks(path)
  local text = H.read(path)
  local out = {}
  local line = 1
  for before, code in text:gmatch("()```lua\n(.-)\n```") do
    local _, n = text:sub(1, before):gsub("\n", "")
    out[#out + 1] = { code = code, line = n + line }
  end
  return out
end

-- One test per block of `list` (from `path`): it runs, with the model
-- `model_path()` names as $TEXTCLASS_MODEL.
local function each_block_runs(path, list, model_path)
  for i, b in ipairs(list) do
    it("block " .. i .. " (line " .. b.line .. ") runs", function()
      local script = H.tmpname()
      local f = assert(io.open(script, "w"))
      f:write(b.code, "\n")
      f:close()
      local ok, _, err = H.run(script, {}, { TEXTCLASS_MODEL = model_path() })
      assert.is_true(ok, path .. ":" .. b.line .. ": " .. err)
    end)
  end
end

describe("docs/lua-api.md", function()
  local model_path
  setup(function() model_path = H.model_path() end)
  teardown(function() H.cleanup() end)

  local list = blocks("docs/lua-api.md")

  it("has a runnable example for each function", function()
    assert.is_true(#list >= 20, #list .. " blocks")
  end)

  -- Every function `require "textclass"` exports, every model method and
  -- every function of textclass.read has a heading of its own, and every
  -- heading names one that exists.
  it("documents what the module exports, and only that", function()
    local tc = require "textclass"
    local model = H.model()
    local exported = {
      tc = tc,
      model = getmetatable(model).__index,
      read = require "textclass.read",
    }
    local documented = { tc = {}, model = {}, read = {} }
    for heading in H.read("docs/lua-api.md"):gmatch("\n### ([^\n]*)") do
      for owner, name in heading:gmatch("`(%a+)[.:]([%w_]+)") do
        if documented[owner] then documented[owner][name] = true end
      end
    end
    for owner, t in pairs(exported) do
      for name in pairs(t) do
        assert.truthy(documented[owner][name], "no heading for " .. owner .. "." .. name)
      end
      for name in pairs(documented[owner]) do
        assert.is_not_nil(t[name], "a heading for " .. owner .. "." .. name .. ", which is not exported")
      end
    end
  end)

  -- textclass.classifier's functions are named in the text, as
  -- `.name(`, `name(` or `name`.
  it("names every function of textclass.classifier", function()
    local text = H.read("docs/lua-api.md")
    for name in pairs(require "textclass.classifier") do
      assert.truthy(text:find("." .. name .. "(", 1, true) or text:find("`" .. name .. "(", 1, true)
                    or text:find("`" .. name .. "`", 1, true), "textclass.classifier." .. name .. " is not in lua-api.md")
    end
  end)

  -- The methods of the other objects the module makes are named in the
  -- text as `x:method(`.
  it("names every method of its other objects", function()
    local tc = require "textclass"
    local text = H.read("docs/lua-api.md")
    local path = os.tmpname()
    local objects = {
      metrics = tc.metrics(),
      file = assert(tc.atomic_file(path)),
      batch = H.model():predict_async({ "x" }),
      decoder = assert(tc.decoder("latin1")),
      utf16_decoder = tc.utf16_decoder("le"),
      classifier = assert(tc.load_classifier("examples/rules.lua")),
    }
    for kind, object in pairs(objects) do
      local methods = getmetatable(object).__index
      for name, value in pairs(type(methods) == "table" and methods or object) do
        if type(value) == "function" and not name:find("^__") then
          assert.truthy(text:find(":" .. name .. "(", 1, true), kind .. ":" .. name .. " is not in lua-api.md")
        end
      end
    end
    objects.batch:wait()
    objects.file:discard()
    os.remove(path)
  end)

  it("quotes the shipped model as it is", function()
    local tc = require "textclass"
    local shipped = tc.load("models/news.model")
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local text = H.read("docs/lua-api.md")
    local r = shipped:predict("Ransomware gang leaks data stolen from the city council")
    local label, score = text:match("%-%-> (%a+)  (0%.%d+)%.%.%. %(the shipped model%)")
    assert.equal(label, r.label)
    local got = r.scores[r.label]   -- "0.735..." is the score's first digits
    assert.is_true(got >= tonumber(score) and got < tonumber(score) + 10 ^ -(#score - 2), score .. " ... for " .. got)
    local quoted = text:match("`(textclass%.Model %([^)]*%))` %(the shipped model%)")
    assert.equal(quoted, tostring(shipped))
    shipped:close()
  end)

  it("quotes the shipped model's fallback example in cli.md as it is", function()
    local tc = require "textclass"
    local shipped = tc.load("models/news.model")
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local text = H.read("docs/cli.md"):gsub("\n", " ")
    local quote, label, top, score = text:match('the shipped model on "([^"]+)": `(%a+)`, `(%a+):(0%.%d+)`')
    assert.truthy(quote, "cli.md's fallback example")
    local r = shipped:predict(quote, { top = 1 })
    assert.equal(label, r.label)
    assert.equal(string.format("%s:%.4f", top, r.scores[top]), top .. ":" .. score)
    assert.is_nil(r.scores[label])   -- the score shown is another label's
    shipped:close()
  end)

  each_block_runs("docs/lua-api.md", list, function() return model_path end)
end)

describe("README.md", function()
  local model_path
  setup(function() model_path = H.model_path() end)
  teardown(function() H.cleanup() end)

  local list = blocks("README.md")
  it("has its Lua example", function() assert.is_true(#list >= 1, #list .. " blocks") end)
  each_block_runs("README.md", list, function() return model_path end)
end)

-- The values grid search tries are written out in three pages: each must
-- be the core's list (tc.grid_values), in its order.
describe("the grid's values in the docs", function()
  it("are tc.grid_values()'s wherever a page writes them", function()
    local grid = require("textclass").grid_values()
    local function list(values)
      local out = {}
      for i, v in ipairs(values) do out[i] = string.format("%g", v) end
      return table.concat(out, ", ")
    end
    local C, gamma = list(grid.C), list(grid.gamma)
    for _, page in ipairs({
      { "docs/cli.md", "from " .. C .. " (gamma from " .. gamma .. ")" },
      { "docs/lua-api.md", "{ C = { " .. C .. " }, gamma = { " .. gamma .. " } }" },
      { "docs/engine.md", "C ∈ {" .. C .. "} (γ ∈ {" .. gamma .. "})" },
    }) do
      assert.truthy(H.read(page[1]):find(page[2], 1, true), page[1] .. " does not write " .. page[2])
    end
  end)
end)

-- The command-line transcripts of README.md and docs/cli.md: each `$ `
-- command a block shows output for is run (in a scratch folder holding
-- this tree's examples/ and tests/, with bin/ on PATH and $C the corpora)
-- and its stdout then stderr must be the lines shown. A line "..." stands
-- for any lines, and "..." in a line for any text there; runs of
-- white space compare equal (README aligns the columns), and so do a
-- summary's time and rate. Commands on the corpora are skipped without
-- them (and so are those on the model trained from them, my.model).
local function corpora()
  local dir = os.getenv("TEXTCLASS_CORPORA") or "../shared/corpora"
  if dir:sub(1, 1) ~= "/" then dir = H.root .. "/" .. dir end -- the commands run elsewhere
  local f = io.open(dir .. "/bbc/train.jsonl")
  if not f then return nil end
  f:close()
  return dir
end

local function transcripts(path)
  local out = {}
  local text = H.read(path)
  for before, block in text:gmatch("()```\n(%$ .-\n)```") do
    local _, line = text:sub(1, before):gsub("\n", "")
    local current
    for l in block:gmatch("([^\n]*)\n") do
      line = line + 1
      if l:sub(1, 2) == "$ " then
        current = { command = l:sub(3), shown = {}, line = line }
        out[#out + 1] = current
      else
        table.insert(current.shown, l)
      end
    end
  end
  return out
end

local function comparable(s)
  s = s:gsub("%d+%.%d s", "T s"):gsub("%(%d+ docs/s%)", "(R docs/s)"):gsub("%s+", " ")
  return (s:gsub(" $", ""))
end

-- Whether `got` (lines) is what `shown` shows, "..." lines skipping any.
local function matches(shown, got, i, j)
  i, j = i or 1, j or 1
  if i > #shown then return j > #got end
  local want = comparable(shown[i])
  if want == "..." then
    for k = j, #got + 1 do
      if matches(shown, got, i + 1, k) then return true end
    end
    return false
  end
  if j > #got then return false end
  local pattern = "^" .. want:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"):gsub("%%%.%%%.%%%.", ".-") .. "$"
  return comparable(got[j]):find(pattern) ~= nil and matches(shown, got, i + 1, j + 1)
end

describe("the command-line transcripts", function()
  local dir
  setup(function()
    dir = io.popen("mktemp -d"):read("l")
    for _, d in ipairs({ "bin", "examples", "tests" }) do
      assert(os.execute("ln -s " .. H.quote(H.root .. "/" .. d) .. " " .. H.quote(dir .. "/" .. d)))
    end
  end)
  teardown(function() os.execute("rm -rf " .. H.quote(dir)) end)

  for _, path in ipairs({ "README.md", "docs/cli.md" }) do
    for _, t in ipairs(transcripts(path)) do
      if #t.shown > 0 then
        it(path .. ":" .. t.line .. " " .. t.command, function()
          local C = corpora()
          if not C and (t.command:find("$C", 1, true) or t.command:find("my.model", 1, true)) then
            print("SKIPPED docs_spec: no corpora for " .. path .. ":" .. t.line)
            return
          end
          -- (the shipped model, whatever $TEXTCLASS_MODEL the suite runs under)
          local cmd = string.format("cd %s && unset TEXTCLASS_MODEL && PATH=%s:$PATH && C=%s && %s 2>stderr >stdout",
                                    H.quote(dir), H.quote(H.root .. "/bin"), H.quote(C or ""), t.command)
          os.execute(cmd)
          local got = {}
          for _, name in ipairs({ "stdout", "stderr" }) do
            for l in H.read(dir .. "/" .. name):gmatch("([^\n]*)\n") do got[#got + 1] = l end
          end
          assert(matches(t.shown, got), path .. ":" .. t.line .. ": shown\n" .. table.concat(t.shown, "\n")
                 .. "\nbut it prints\n" .. table.concat(got, "\n"))
        end)
      end
    end
  end
end)

-- HACKING.md's source tour names every file of core/ and lua/ (and the
-- command line's), and cli.md's "Files" every file of the command line;
-- neither names a file that is gone.
describe("the source tour", function()
  local function files(pattern)
    local out = {}
    local p = assert(io.popen("ls -1 " .. pattern .. " 2>/dev/null"))
    for path in p:lines() do out[#out + 1] = path end
    p:close()
    return out
  end
  local function basename(path) return (path:match("([^/]+)$")) end

  it("in HACKING.md names every source file, and none that is gone", function()
    local text = H.read("docs/HACKING.md")
    local sources = files("core/*.c core/*.h lua/*.c lua/*.h lua/textclass/*.lua lua/textclass/cli/*.lua")
    assert.is_true(#sources > 60, #sources .. " files")
    local exists = {}
    for _, path in ipairs(sources) do
      local short = path:gsub("^lua/textclass/cli/", ""):gsub("^lua/", ""):gsub("^core/", "")
      exists[short] = true
      assert.truthy(text:find("`" .. short .. "`", 1, true) or text:find("`" .. path .. "`", 1, true),
                    "HACKING.md does not name " .. path)
    end
    for row in text:gmatch("\n| ([^|]+) |") do
      for name in row:gmatch("`([%w_/]+%.[ch])`") do assert.truthy(exists[name], "HACKING.md names " .. name) end
      for name in row:gmatch("`([%w_/]+%.lua)`") do assert.truthy(exists[name], "HACKING.md names " .. name) end
    end
  end)

  it("in cli.md's Files names every file of the command line, and none that is gone", function()
    local section = H.read("docs/cli.md"):match("\n## Files\n(.*)$")
    local named = {}
    for name in section:gmatch("`([%w_]+%.lua)`") do named[name] = true end
    local exists = {}
    for _, path in ipairs(files("lua/textclass/cli/*.lua")) do
      exists[basename(path)] = true
      assert.truthy(named[basename(path)], "cli.md's Files does not name " .. path)
    end
    for name in pairs(named) do
      assert.truthy(exists[name], "cli.md's Files names " .. name)
    end
  end)
end)

-- README's two commands, `make deps all demo` and `make test`, are what
-- the Makefile does.
describe("README's commands", function()
  local function make_n(args)
    local p = assert(io.popen("make -n " .. args .. " 2>&1"))
    local out = p:read("a")
    local ok = p:close()
    return ok, out
  end

  it("are the ones README.md gives", function()
    local text = H.read("README.md")
    assert.truthy(text:find("\n    make deps all demo\n", 1, true))
    assert.truthy(text:find("\n    make test\n", 1, true))
  end)

  -- On a fresh machine pkg-config and liblua5.4-dev come with `deps`:
  -- reading the Makefile must not ask pkg-config for flags, which would
  -- be empty then, and `all`, in the same run, would not find lua.h.
  it("install the packages before anything asks pkg-config for them", function()
    local log = H.tmpname()
    local fake = H.tmpname()
    local f = assert(io.open(fake, "w"))
    f:write("#!/bin/sh\necho \"$@\" >> ", H.quote(log), "\nexec pkg-config \"$@\"\n")
    f:close()
    assert(os.execute("chmod +x " .. H.quote(fake)))
    local ok, out = make_n("PKG_CONFIG=" .. H.quote(fake) .. " deps")
    assert.is_true(ok, out)
    assert.equal("", H.read(log))
    H.cleanup()
  end)

  -- What the packages merely recommend (mostly Qt, GTK and X11 libraries)
  -- would make a fresh machine's deps 3 GB and ten minutes.
  it("install the packages deps names, not what they recommend", function()
    local ok, out = make_n("deps")
    assert.is_true(ok, out)
    assert.truthy(out:find("apt-get install -y -qq --no-install-recommends ", 1, true), out)
  end)

  it("install the packages bench/README.md says deps installs", function()
    local text = H.read("bench/README.md"):gsub("%s+", " ")
    local sentence = text:match("the Debian packages ([^(]*)%(`make deps` installs them%)")
    assert.truthy(sentence, "bench/README.md's list of Debian packages")
    local ok, out = make_n("deps")
    assert.is_true(ok, out)
    local installed = {}
    for package in assert(out:match("for p in (.-); do"), out):gmatch("%S+") do
      installed[package] = true
    end
    for package in sentence:gmatch("`([^`]+)`") do
      assert.truthy(installed[package], package .. " not in make deps:\n" .. out)
    end
  end)

  -- The module holds PREFIX (tc.default()'s installed model): installing
  -- to another PREFIX than the build's must rebuild it, or the installed
  -- module looks for its model under the build's PREFIX.
  it("rebuild the module for the PREFIX make install is given", function()
    local ok, out = make_n("install PREFIX=/nonexistent/textclass-prefix")
    assert.is_true(ok, out)
    assert.truthy(out:find("-c lua/ltextclass.c", 1, true), out)
  end)

  -- (a script run with lua5.4 after `make install PREFIX=/opt/x` failed
  -- with "module 'textclass' not found", and nothing had said why)
  it("end install with the Lua paths a PREFIX lua5.4 does not search needs", function()
    local ok, out = make_n("install PREFIX=/opt/textclass-prefix")
    assert.is_true(ok, out)
    local last = "\nlua5.4 scripts/lua_path_note.lua '/opt/textclass-prefix'\n"
    local commands = out:gsub("make%S*: %a+ directory [^\n]*\n", "")   -- (make -w's, as under make test)
    assert.equal(last, commands:sub(-#last), out)
    -- the files where install puts them, under a prefix of its own
    local prefix = H.tmpname()
    finally(function() os.execute("rm -rf " .. H.quote(prefix)) end)
    local layout = "rm -f P && mkdir -p P/lib/lua/5.4 P/share/lua/5.4 && cp " .. H.build ..
                   "/textclass.so P/lib/lua/5.4/ && cp -r lua/textclass P/share/lua/5.4/"
    assert.is_true(os.execute((layout:gsub("P", H.quote(prefix)))))
    local function note(p)
      local pipe = assert(io.popen("env -u LUA_PATH -u LUA_CPATH lua5.4 scripts/lua_path_note.lua " .. H.quote(p)))
      local text = pipe:read("a")
      assert.is_true(pipe:close())
      return text
    end
    local text = note(prefix .. "/")
    assert.truthy(text:find("^lua5.4 does not look under " .. prefix:gsub("%p", "%%%0") .. " for modules"), text)
    local settings = {}   -- (as the shell reads them: NAME='...')
    for line in text:gmatch("\n  export ([^\n]*)") do settings[#settings + 1] = line end
    assert.equal(2, #settings, text)
    -- lua5.4, from elsewhere, finds the module and the Lua files with them, not without
    local function run(set)
      local pipe = assert(io.popen("cd / && env -u LUA_PATH -u LUA_CPATH " .. set .. " lua5.4 -e " ..
                                   H.quote('require "textclass.read"; print(type(require("textclass").normalize))') ..
                                   " 2>&1"))
      local got = pipe:read("a")
      pipe:close()
      return got
    end
    assert.equal("function\n", run(table.concat(settings, " ")))
    assert.truthy(run(""):find("module 'textclass.read' not found", 1, true))
    -- none for the prefixes Debian's lua5.4 searches
    assert.equal("", note("/usr/local"))
    assert.equal("", note("/usr"))
  end)

  it("label the sample articles (demo) and run tests/run (test)", function()
    local ok, out = make_n("demo")
    assert.is_true(ok, out)
    assert.truthy(out:find("bin/textclass label --header examples/articles", 1, true), out)
    ok, out = make_n("test")
    assert.is_true(ok, out)
    assert.truthy(out:find("sh tests/run", 1, true), out)
  end)
end)

-- Every option a command's --help lists is in cli.md, and every option
-- cli.md writes is one a command takes (or one it names as something
-- else's: GNU parallel's --pipe, the prefixes it gives as examples).
describe("cli.md's options", function()
  local function help_options()
    local out = {}
    for _, command in ipairs({ "label", "train", "eval", "explain", "info", "run" }) do
      local p = assert(io.popen("bin/textclass " .. command .. " --help"))
      local text = p:read("a")
      p:close()
      for option in text:gmatch("%-%-[a-z][a-z-]*") do out[option] = command end
    end
    return out
  end

  it("are the commands' options", function()
    local text = H.read("docs/cli.md")
    local options = help_options()
    for option, command in pairs(options) do
      assert.truthy(option == "--help" or text:find("`" .. option, 1, true),
                    command .. " " .. option .. " is not in cli.md")
    end
    local not_ours = { ["--name"] = true, ["--pipe"] = true, ["--thr"] = true, ["--thres"] = true }
    for option in text:gmatch("`(%-%-[a-z][a-z-]*)") do
      assert.truthy(options[option] or not_ours[option], "cli.md writes " .. option .. ", which no command takes")
    end
  end)
end)

-- The defaults the option tables of lua-api.md (tc.train's spec) and
-- cli.md (train's options) give are the core's (tc.default_options,
-- tc.default_train_params): a number, a word, or "off" ("none") for
-- false or 0.
describe("the documented training defaults", function()
  local tc = require "textclass"
  local defaults = tc.default_train_params()
  for k, v in pairs(tc.default_options()) do defaults[k] = v end

  -- Whether a table's default cell says `value`; nil when the cell is not
  -- a plain number, word or "off" (a list, "no limit", "solver's").
  local function says(cell, value)
    local word = cell:gsub("[`\"]", ""):match("^%s*([%w_.,-]+)")
    if not word then return nil end
    if tonumber(word) then return tonumber(word) == value end
    if type(value) == "string" then return value == word end
    if word == "off" or word == "none" then return value == false or value == 0 end
    if type(value) == "boolean" then return tostring(value) == word end
    if type(value) == "table" then return table.concat(value, ",") == word end
    return nil
  end

  local function check(page, section, field_column, default_column)
    local checked = 0
    for row in section:gmatch("\n(|[^\n]+|)") do
      local cells = {}
      for cell in row:gsub("\\|", "/"):gmatch("|([^|]*)") do cells[#cells + 1] = cell end
      local field = cells[field_column] and cells[field_column]:match("^%s*`([%w_]+)`")
      local default = cells[default_column]
      if field and defaults[field] ~= nil and default then
        local verdict = says(default, defaults[field])
        assert.is_not_false(verdict, page .. ": " .. field .. "'s default is" .. default .. ", not " .. tostring(defaults[field]))
        if verdict then checked = checked + 1 end
      end
    end
    return checked
  end

  it("in lua-api.md's tc.train spec are the core's", function()
    local section = H.read("docs/lua-api.md"):match("\n### `tc.train%(spec%)`(.-)\n### ")
    assert.is_true(check("docs/lua-api.md", section, 1, 2) >= 15)
  end)

  it("in cli.md's train options are the core's", function()
    local section = H.read("docs/cli.md"):match("\n| option | spec field | default |(.-)\n\n")
    assert.is_true(check("docs/cli.md", section, 2, 3) >= 12)
  end)
end)

-- The model card quotes the shipped model on articles and headlines of
-- its own: the labels and the scores (to the digits shown) it gives now.
describe("models/README.md's samples", function()
  local tc = require "textclass"
  local shipped

  local function check(text, labels, scores)
    local r = shipped:predict(text)
    assert.equal(labels, table.concat(r.labels, ", "), text)
    for label, score in scores:gmatch("(%a+) (%d%.%d+)") do
      assert.equal(score, string.format("%." .. (#score - 2) .. "f", r.scores[label]), text .. ": " .. label)
    end
  end

  setup(function() shipped = tc.load("models/news.model") end)
  teardown(function() if shipped then shipped:close() end end)

  it("are what the shipped model gives", function()
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local card = H.read("models/README.md")
    local articles, headlines = 0, 0
    for row in card:gmatch("\n(|[^\n]*)") do
      local path, labels, scores = row:match("^| `(examples/[^`]+)`:[^|]+| ([%a, ]+) | ([%a%d., ]+) |$")
      if path then
        check(H.read(path), labels, scores)
        articles = articles + 1
      end
      local headline
      headline, labels, scores = row:match("^| ([%w ]+) | %d+ |.*| ([%a, ]+) %(([%a%d., ]+)%) |$")
      if headline then
        check(headline, labels, scores)
        headlines = headlines + 1
      end
    end
    assert.equal(3, articles)
    assert.equal(5, headlines)
  end)

  it("quoted in README.md and cli.md are what the shipped model gives", function()
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local readme = H.read("README.md"):gsub("%s+", " ")
    local l1, s1, l2, s2 = readme:match('"Man bites dog in park" is `(%a+)` (%d%.%d+), `(%a+)` (%d%.%d+)')
    assert.truthy(l1, "README.md's short-story example")
    check("Man bites dog in park", l1 .. ", " .. l2, l1 .. " " .. s1 .. " " .. l2 .. " " .. s2)
    local word_label, word_score = readme:match('"today" is `(%a+)` (%d%.%d+)')
    assert.truthy(word_label, "README.md's one-word example")
    check("today", word_label, word_label .. " " .. word_score)
    local cli = H.read("docs/cli.md"):gsub("%s+", " ")
    local scores = cli:match("%(the same headline: (%a+ %d%.%d+, %a+ %d%.%d+);")
    assert.truthy(scores, "cli.md's moderated example")
    check("Man bites dog in park", scores:gsub(" %d%.%d+", ""), scores)
    local label, score = cli:match('"today", (%a+) (%d%.%d+)%)')
    assert.truthy(label, "cli.md's one-word example")
    check("today", label, label .. " " .. score)
  end)
end)

-- HACKING.md's table of the binding's files gives, in each file's row,
-- the module functions and model methods that file defines: the
-- registration tables (ltextclass.c's functions, lmodel.c's methods)
-- name each one's C function, and the file defining it must list it.
describe("HACKING.md's table of the binding", function()
  local function registered(path, array)
    local out = {}
    local body = H.read(path):match("luaL_Reg " .. array .. "%[%] = {(.-)\n};")
    for name, fn in body:gmatch('{"([%w_]+)", ([%w_]+)}') do out[name] = fn end
    return out
  end

  local function defining_file(fn)
    local p = assert(io.popen("grep -l '^[a-z ]*int " .. fn .. "(lua_State' lua/*.c"))
    local file = p:read("l")
    p:close()
    return file and file:match("([^/]+)$")
  end

  it("lists each function in the row of the file that defines it", function()
    local rows = {}
    for file, job in H.read("docs/HACKING.md"):gmatch("\n| `([%w_]+%.c)` | ([^\n]*)") do rows[file] = job end
    local checked = 0
    for _, reg in ipairs({ registered("lua/ltextclass.c", "functions"), registered("lua/lmodel.c", "model_methods") }) do
      for name, fn in pairs(reg) do
        if fn ~= "NULL" then
          local file = defining_file(fn)
          assert.truthy(file, "no definition of " .. fn)
          assert.truthy(rows[file], "HACKING.md has no row for " .. file)
          assert.truthy(rows[file]:find("%f[%w_]" .. name .. "%f[^%w_]"),
                        "HACKING.md's row for " .. file .. " does not list " .. name)
          checked = checked + 1
        end
      end
    end
    assert.is_true(checked >= 35, checked .. " functions")
  end)
end)
