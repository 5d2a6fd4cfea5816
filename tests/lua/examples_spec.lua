-- examples_spec.lua - every example of examples/ runs (issue 4): the
-- folder trainer as a script, the classifiers through tc.load_classifier,
-- each in its own interpreter so $TEXTCLASS_MODEL can point at a model
-- trained here from tests/data/lua.
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

local topics_model, sport_model, driver

-- A driver: load the classifier named by arg[1], print "label<TAB>rule" for
-- each text argument, then "batch<TAB>label" for the same texts in a batch.
local driver_source = [[
local tc = require "textclass"
local c, err = tc.load_classifier(arg[1])
if not c then io.stderr:write(err, "\n") os.exit(2) end
local texts = { table.unpack(arg, 2) }
for _, t in ipairs(texts) do
  local r = c:predict(t)
  print(r.label .. "\t" .. (r.rule or ""))
end
for _, r in ipairs(c:predict_batch(texts)) do print("batch\t" .. (r.label or r.error)) end
c:close()
]]

local function lines(s)
  local out = {}
  for l in s:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

setup(function()
  topics_model, sport_model, driver = H.tmpname(), H.tmpname(), H.tmpname()
  local f = assert(io.open(driver, "w"))
  f:write(driver_source)
  f:close()
  -- the models the classifiers use, made here so each test stands alone
  assert(H.model():save(topics_model))
  local texts, labels = H.folder(H.data .. "/sport")
  assert(assert(tc.train { texts = texts, labels = labels, min_df = 1 }):save(sport_model))
end)

teardown(function() H.cleanup() end)

describe("examples/train_folder.lua", function()
  it("trains and saves a model from a folder per label", function()
    local out_model = H.tmpname()
    local ok, out, err = H.run("examples/train_folder.lua", { H.data .. "/topics", out_model, "--cv", "4" })
    assert.is_true(ok, err)
    assert.matches("4%-fold cross%-validation: accuracy [%d.]+, macro%-F1 [%d.]+\n", out)
    assert.matches("trained 32 documents, 4 labels %(cyber, other, politics, sport%), %d+ features; saved ", out)
    assert.matches("train: 4/4", err)
    local m = assert(tc.load(out_model))
    assert.equal(4, #m:labels())
    assert.same(H.model():predict_batch((H.topics())), m:predict_batch((H.topics())))
    m:close()
    ok, out, err = H.run("examples/train_folder.lua", { H.data .. "/sport", out_model })
    assert.is_true(ok, err)
    assert.matches("trained 10 documents, 2 labels %(football, tennis%)", out)
  end)

  it("reads the folder as train does, naming the files it leaves out", function()
    -- textclass.read: UTF-16 converted, binary files and stray files named on stderr
    local dir = H.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. H.quote(dir .. "/sport") .. " " .. H.quote(dir .. "/cyber")))
    local function put(path, bytes)
      local f = assert(io.open(dir .. "/" .. path, "wb"))
      f:write(bytes)
      f:close()
    end
    put("sport/a.txt", "The striker scored twice in the league match")
    put("sport/b.txt", "\255\254" .. ("The goalkeeper saved a penalty"):gsub(".", "%0\0"))
    put("sport/c.bin", "\0\1\2 binary")
    put("cyber/a.txt", "Hackers stole passwords with malware")
    put("cyber/b.txt", "Ransomware encrypted the council's servers")
    put("stray.txt", "not inside a label folder")
    local out_model = H.tmpname()
    local ok, out, err = H.run("examples/train_folder.lua", { dir, out_model })
    os.execute("rm -rf " .. H.quote(dir))
    assert.is_true(ok, err)
    assert.matches("trained 4 documents, 2 labels %(cyber, sport%)", out)
    assert.matches("train_folder: [^\n]*/sport/c%.bin: binary file\n", err)
    assert.matches("train_folder: [^\n]*/stray%.txt: not inside a label sub%-folder\n", err)
  end)

  it("prints usage and fails on bad arguments", function()
    local ok, _, err = H.run("examples/train_folder.lua", {})
    assert.is_falsy(ok)
    assert.matches("^usage: ", err)
    ok, _, err = H.run("examples/train_folder.lua", { "/nonexistent", H.tmpname() })
    assert.is_falsy(ok)
    assert.matches("^train_folder: ", err)
    ok, _, err = H.run("examples/train_folder.lua", { "README.md", H.tmpname() })
    assert.is_falsy(ok)
    assert.matches("^train_folder: bad argument #1 to 'textclass.read.labelled' %(opts.format 'folder' needs folders", err)
  end)
end)

describe("examples/rules.lua", function()
  it("lets keywords override or veto the model's label", function()
    local texts = {
      "The football club was hit by ransomware and the league match was called off",
      "The sports minister told parliament the team won the cup",
      "The striker scored twice and the team won the league match",
    }
    local ok, out, err = H.run(driver, { "examples/rules.lua", table.unpack(texts) },
                               { TEXTCLASS_MODEL = topics_model })
    assert.is_true(ok, err)
    assert.same({
      "cyber\toverride: ransomware",
      "politics\tveto sport: parliament",
      "sport\t",
      "batch\tcyber", "batch\tpolitics", "batch\tsport",
    }, lines(out))
  end)

  -- (regression: its result kept every score under opts.top, which the
  -- veto needs to choose, while a model's is cut to the top best)
  it("is cut to opts.top once its rules have chosen, as a model's result is", function()
    local top_driver = H.tmpname()
    local f = assert(io.open(top_driver, "w"))
    f:write([[
      local tc = require "textclass"
      local c = assert(tc.load_classifier("examples/rules.lua"))
      local m = assert(tc.load(os.getenv("TEXTCLASS_MODEL")))
      for _, t in ipairs(arg) do
        local best = m:predict(t, { top = 1 })
        for _, r in ipairs({ c:predict(t, { top = 1 }), c:predict_batch({ t }, { top = 1 })[1] }) do
          local names = {}
          for l, s in pairs(r.scores) do names[#names + 1] = l .. "=" .. (s == best.scores[l] and "model's" or s) end
          print(r.label .. "\t" .. table.concat(r.labels, ",") .. "\t" .. table.concat(names, ",") .. "\t" ..
                best.label)
        end
      end
      print(pcall(c.predict, c, "x", { top = 0 }))
      print(pcall(c.predict, c, "x", { top = math.maxinteger }))
    ]])
    f:close()
    local ok, out, err = H.run(top_driver, { "The football club was hit by ransomware and the league match was called off",
                                             "The sports minister told parliament the team won the cup" },
                               { TEXTCLASS_MODEL = topics_model })
    assert.is_true(ok, err)
    local got = lines(out)
    assert.equal(6, #got)
    for i, want in ipairs({ "cyber", "cyber", "politics", "politics" }) do
      local label, labels, scores, model_best = got[i]:match("^(.-)\t(.-)\t(.-)\t(.-)$")
      -- the rules' label, alone; the one best score, the model's, as a model's result has it
      assert.same({ want, want, model_best .. "=model's" }, { label, labels, scores })
    end
    assert.matches("^false\t.*bad argument #2 to 'predict' %(opts.top: integer >= 1 expected, got 0%)$", got[5])
    -- checked as a model's method checks it: past an int, too
    assert.matches("^false\t.*bad argument #2 to 'predict' %(opts.top: integer in %[1, 2147483647%] expected, " ..
                   "got 9223372036854775807%)$", got[6])
  end)
end)

describe("examples/two_stage.lua", function()
  it("refines sport into sub-topics with a second model", function()
    local texts = {
      "The goalkeeper saved a penalty and the striker scored in the league match",
      "She served an ace to win the set and broke serve on the clay court at the open",
      "Hackers stole passwords with malware",
    }
    local ok, out, err = H.run(driver, { "examples/two_stage.lua", table.unpack(texts) },
                               { TEXTCLASS_MODEL = topics_model, TEXTCLASS_SPORT_MODEL = sport_model })
    assert.is_true(ok, err)
    assert.same({
      "sport/football\t", "sport/tennis\t", "cyber\t",
      "batch\tsport/football", "batch\tsport/tennis", "batch\tcyber",
    }, lines(out))
  end)

  it("fails to load, saying why, without a sub-topic model", function()
    local ok, _, err = H.run(driver, { "examples/two_stage.lua", "x" },
                             { TEXTCLASS_MODEL = topics_model, TEXTCLASS_SPORT_MODEL = "" })
    assert.is_falsy(ok)
    assert.matches("TEXTCLASS_SPORT_MODEL", err)
  end)
end)

describe("examples/strip_boilerplate.lua", function()
  local page = table.concat({
    "Bank hit by data breach",
    "",
    "Hackers stole customer data after malware exploited a vulnerability in the bank's network.",
    "Security researchers said the attackers used stolen passwords.",
    "",
    "Recent posts",
    "Striker scores twice in cup final",
    "Coach praises team after league win",
    "Champion lifts trophy on centre court",
    "Goalkeeper saves late penalty",
    "We use cookies to improve your experience. Accept cookies",
    "Read more »",
    "Subscribe to our sports newsletter",
  }, "\n")

  -- The example's strip() run on text, in a script of its own: its output.
  local function strip(text)
    local script = H.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local c = assert(dofile("examples/strip_boilerplate.lua"))
      io.write(c.strip(io.read("a")))
    ]])
    f:close()
    local input = H.tmpname()
    f = assert(io.open(input, "w"))
    f:write(text)
    f:close()
    local ok, out, err = H.run(script, {}, { TEXTCLASS_MODEL = topics_model }, input)
    assert.is_true(ok, err)
    return out
  end

  it("drops headline lists, cookie notices and Read more links", function()
    local out = strip(page)
    assert.equal(table.concat({
      "Bank hit by data breach",
      "Hackers stole customer data after malware exploited a vulnerability in the bank's network.",
      "Security researchers said the attackers used stolen passwords.",
    }, "\n"), out)
  end)

  it("keeps a page's title after its menu: a blank line ends a run of headlines", function()
    local out = strip(table.concat({ "Home", "News", "Sport", "", "Hackers breach ministry e-mail servers", "",
                                     "State-backed hackers read the ministry's e-mail for months, officials said." },
                                   "\n"))
    assert.equal(table.concat({ "Hackers breach ministry e-mail servers",
                                "State-backed hackers read the ministry's e-mail for months, officials said." },
                              "\n"), out)
  end)

  -- (the former "read more%s*[»>]?%s*$" took minutes on the 300 KB of
  -- blanks here: %s*$ was tried at each of them)
  it("ends a line with Read more and » or >, however many blanks a line holds", function()
    local long = "Fans queued to read more" .. (" "):rep(300000) .. "of the striker's diary."
    local out = strip(table.concat({ "Bank hit by data breach", long, "Click to read more »", "Read more >  ",
                                     "Hackers stole customer data after malware exploited a flaw." }, "\n"))
    assert.equal(table.concat({ "Bank hit by data breach", long,
                                "Hackers stole customer data after malware exploited a flaw." }, "\n"), out)
  end)

  it("classifies the cleaned page", function()
    local ok, out, err = H.run(driver, { "examples/strip_boilerplate.lua", page },
                               { TEXTCLASS_MODEL = topics_model })
    assert.is_true(ok, err)
    assert.same({ "cyber\t", "batch\tcyber" }, lines(out))
  end)
end)
