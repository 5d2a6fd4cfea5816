-- cli_spec.lua - end-to-end tests of the textclass command line.
--
-- Runs the real bin/textclass on the fixtures in tests/data/cli and checks
-- stdout, stderr and the exit status (helpers in cli_helpers.lua). A small
-- model is trained from the fixture corpus first (train -> eval -> label),
-- so these tests need no shipped model. Run from the top of the tree.

local cjson = require "cjson.safe"
local lfs = require "lfs"
local H = dofile("tests/lua/cli_helpers.lua")
local CLI, D, TMP, MODEL, LABELS = H.CLI, H.D, H.TMP, H.MODEL, H.LABELS
local sh_quote, slurp, spit, run = H.sh_quote, H.slurp, H.spit, H.run
local lines, tsv, jsonl, model = H.lines, H.tsv, H.jsonl, H.model

teardown(H.cleanup)

describe("textclass help", function()
  it("prints the tool's help on stdout with exit 0", function()
    local r = run("--help")
    assert.equal(0, r.code)
    assert.matches("^Usage: textclass COMMAND", r.out)
    for _, c in ipairs({ "label", "train", "eval", "explain", "info", "run" }) do
      assert.matches("\n  " .. c .. " ", r.out)
    end
    assert.equal("", r.err)
  end)

  for _, c in ipairs({ "label", "train", "eval", "explain", "info", "run" }) do
    it("prints the help of '" .. c .. "' for --help, -h and 'help " .. c .. "'", function()
      local r = run(c .. " --help")
      assert.equal(0, r.code)
      assert.matches("^Usage: textclass " .. c .. " ", r.out)
      assert.matches("%-h, %-%-help", r.out)
      assert.matches("\n  %-q, %-%-quiet ", r.out)
      assert.equal("", r.err)
      assert.equal(r.out, run(c .. " -h").out)
      assert.equal(r.out, run("help " .. c).out)
    end)
  end

  -- Regression: run's help gave -q the other commands' words (no
  -- progress, summary or warnings: run has none) and said nothing of
  -- SCRIPT -, of the options after SCRIPT or of a script's error.
  it("says in run's help what run does with SCRIPT, its ARGS and -q", function()
    local help = run("run --help").out
    assert.falsy(help:find("no progress, summary or warnings", 1, true), help)
    for _, s in ipairs({ "- reads it from stdin", "Everything after SCRIPT, options too, is the script's",
                         "'textclass: SCRIPT:LINE: message', with exit status 1", "run itself writes nothing" }) do
      assert.truthy(help:gsub("%s+", " "):find(s, 1, true), s)
    end
  end)

  -- The [default] the help gives each of flags (Lua patterns of long
  -- names), in their order.
  local function help_defaults(help, flags)
    local flat = help:gsub("%s+", " ")
    local found = {}
    for _, flag in ipairs(flags) do
      found[#found + 1] = flat:match(" %-%-" .. flag .. " [^%[]*%[([^%]]*)%]")
    end
    return found
  end

  -- train's feature defaults are the core's (tc.default_options()), not
  -- copies: with the core's defaults changed (LUA_INIT_5_4 runs before the
  -- command and changes what default_options gives), the help follows
  -- (regression: --ngrams, --char-ngrams and --stem wrote [1,2], [none]
  -- and [none] whatever the core's were)
  it("gives train's feature defaults as the core gives them", function()
    local function defaults_in(help)
      return help_defaults(help, { "ngrams", "char%-ngrams", "min%-df", "stopwords", "stem" })
    end
    local function range(r) return r and r[1] .. "," .. r[2] or "none" end
    local d = require("textclass").default_options()
    assert.same({ range(d.ngrams), range(d.char_ngrams), tostring(d.min_df), d.stopwords, d.stem },
                defaults_in(run("train --help").out))
    spit(TMP .. "/changed_defaults.lua", [[
      local tc = require "textclass"
      local default_options = tc.default_options
      tc.default_options = function()
        local d = default_options()
        d.ngrams, d.char_ngrams, d.min_df, d.stopwords, d.stem = { 1, 3 }, { 3, 5 }, 4, "none", "english"
        return d
      end]])
    local r = run("train --help", { env = "LUA_INIT_5_4=@" .. TMP .. "/changed_defaults.lua " })
    assert.equal(0, r.code, r.err)
    assert.same({ "1,3", "3,5", "4", "none", "english" }, defaults_in(r.out))
  end)

  -- and so are its training defaults (tc.default_train_params()), changed
  -- the same way (regression: -C, --gamma, --class-weight, --threshold,
  -- --short-features, --seed and --threads wrote theirs by hand)
  it("gives train's training defaults as the core gives them", function()
    local flags = { "kernel", "cost", "gamma", "class%-weight", "threshold", "short%-features", "short%-moderation",
                    "seed", "threads" }
    local fields = { "kernel", "C", "gamma", "class_weight", "threshold", "short_features", "short_moderation",
                     "seed", "threads" }
    local d = require("textclass").default_train_params()
    local expected = {}
    for i, field in ipairs(fields) do
      expected[i] = math.type(d[field]) == "float" and string.format("%g", d[field]) or tostring(d[field])
    end
    assert.same(expected, help_defaults(run("train --help").out, flags))
    spit(TMP .. "/changed_train_defaults.lua", [[
      local tc = require "textclass"
      local default_train_params = tc.default_train_params
      tc.default_train_params = function()
        local d = default_train_params()
        d.kernel, d.C, d.gamma, d.class_weight = "rbf", 2.5, 0.25, "none"
        d.threshold, d.short_features, d.short_moderation, d.seed, d.threads = 0.4, 30, 0.5, 7, 0
        return d
      end]])
    local r = run("train --help", { env = "LUA_INIT_5_4=@" .. TMP .. "/changed_train_defaults.lua " })
    assert.equal(0, r.code, r.err)
    assert.same({ "rbf", "2.5", "0.25", "none", "0.4", "30", "0.5", "7", "0" }, help_defaults(r.out, flags))
  end)

  -- (regression: 141, SIGPIPE's status, was in cli.md only)
  it("lists in --help every exit status cli.md gives", function()
    local f = assert(io.open("docs/cli.md"))
    local section = f:read("a"):match("\n%- %*%*Exit status%*%*(.-)\n%- %*%*Options%*%*")
    f:close()
    local documented = {}
    for n in section:gmatch("`(%d+)`") do documented[#documented + 1] = n end
    for n in section:gmatch("status (%d+)") do documented[#documented + 1] = n end
    assert.is_true(#documented >= 7, #documented .. " statuses in cli.md")
    local help = run("--help").out:match("Exit status: (.-)\nData goes")
    for _, n in ipairs(documented) do
      assert.truthy(help:find("%f[%d]" .. n .. "%f[%D]"), n .. " is not in --help's exit statuses")
    end
  end)

  it("prints the version", function()
    local r = run("--version")
    assert.equal(0, r.code)
    assert.matches("^textclass %d+%.%d+%.%d+\n$", r.out)
  end)

  it("without a command: usage on stderr, exit 2", function()
    local r = run("")
    assert.equal(2, r.code)
    assert.equal("", r.out)
    assert.matches("Usage: textclass COMMAND", r.err)
  end)

  it("an unknown command: message and usage, exit 2", function()
    local r = run("frobnicate")
    assert.equal(2, r.code)
    assert.matches("^textclass: no such command 'frobnicate'\n", r.err)
    assert.matches("Usage:", r.err)
  end)
end)

describe("textclass bad options", function()
  local cases = {
    { "label --bogus", "unknown option '%-%-bogus'" },
    { "label -Z", "unknown option '%-Z'" },
    { "label --top 0", "%-%-top: 0 is below the minimum 1" },
    { "label --top many", "%-%-top: 'many' is not a number" },
    { "label --top 1.5", "%-%-top: '1.5' is not a whole number" },
    { "label --top 0x2", "%-%-top: '0x2' is not a number" },
    { "label --top 1e18", "%-%-top: 1e18 is too large" },
    { "label --top 2147483648", "%-%-top: 2147483648 is above the maximum 2147483647" },
    { "label --max-bytes 1152921504606846976", "%-%-max%-bytes: 1152921504606846976 is above the maximum 1099511627776" },
    { "eval --max-bytes 9223372036854775807 d", "%-%-max%-bytes: 9223372036854775807 is above the maximum 1099511627776" },
    { "explain --max-bytes 9223372036854775807", "%-%-max%-bytes: 9223372036854775807 is above the maximum 1099511627776" },
    { "label --top ' 2'", "%-%-top: ' 2' is not a number" },
    { "label --threshold .", "%-%-threshold: '%.' is not a number" },
    { "label --threshold 1e", "%-%-threshold: '1e' is not a number" },
    { "train -o x.model -C 1e999 d", "%-%-cost: 1e999 is above the maximum 1000000\n" },
    -- the core's bounds (1e6), refused before the data is read, naming the flag
    { "train -o x.model -C 2e6 d", "%-%-cost: 2e6 is above the maximum 1000000\n" },
    { "train -o x.model --gamma 2e6 d", "%-%-gamma: 2e6 is above the maximum 1000000\n" },
    { "train -o x.model --class-weight sport=2e6 d", "%-%-class%-weight: expected balanced, none or LABEL=WEIGHT,%.%.%. with weights above 0 and at most 1e6" },
    { "train -o x.model --class-weight sport=1e999 d", "%-%-class%-weight: expected balanced, none or LABEL=WEIGHT,%.%.%. with weights above 0 and at most 1e6" },
    { "train -o x.model -C 0 d", "%-%-cost: 0 is not above 0" },
    { "train -o x.model --gamma 0 d", "%-%-gamma: 0 is not above 0" },
    { "label --threshold 2", "%-%-threshold: 2 is above the maximum 1" },
    { "label -o xml", "%-%-output: 'xml' is not one of tsv, jsonl, csv" },
    { "label --input yaml", "%-%-input: 'yaml' is not one of" },
    { "label -m", "option '%-m' needs a value" },
    { "label --model", "option '%-%-model' needs a value" },
    { "label --quiet=yes", "option '%-%-quiet' takes no value" },
    { "label --thr 0.4", "option '%-%-thr' is ambiguous %(%-%-threads, %-%-threshold%)" },
    { "label -m a.model -c b.lua", "give either %-m MODEL or %-c CLASSIFIER.lua" },
    { "label - -", "stdin %(%-%) can be read only once" },
    -- an empty operand (an unset "$FILE") was a file "" that did not exist:
    -- an error record with an empty id, or "textclass: : No such file ..."
    { "label " .. D .. "/lines.txt ''", "an empty operand names no file %(an unset variable%?%)\n" },
    { "train -o x.model -- ''", "an empty operand names no file" },
    { "eval ''", "an empty operand names no file" },
    { "explain ''", "an empty operand names no file" },
    { "run ''", "an empty operand names no file" },
    -- ... and so is an empty option value: a path ('-m "$MODEL"', MODEL
    -- unset) was opened as "" ("load: no path given", "cannot open : No such
    -- file ...", exit 1), an --encoding '' converted from iconv's locale
    -- charset ("invalid  at byte 7 of the file"), an empty field or column
    -- name failed every record ("no '' column in the header")
    { "label -m '' d", "%-%-model: an empty value names nothing %(an unset variable%?%)\n" },
    { "eval -m '' d", "%-%-model: an empty value names nothing" },
    { "explain -m ''", "%-%-model: an empty value names nothing" },
    { "info --model=", "%-%-model: an empty value names nothing" },
    { "label -c '' d", "%-%-classifier: an empty value names nothing" },
    { "eval --errors '' d", "%-%-errors: an empty value names nothing" },
    { "train -o '' d", "%-%-output: an empty value names nothing" },
    { "train -o x.model --stopwords '' d", "%-%-stopwords: an empty value names nothing" },
    { "label --encoding '' d", "%-%-encoding: an empty value names nothing" },
    { "explain --encoding ''", "%-%-encoding: an empty value names nothing" },
    { "label --id-field '' d", "%-%-id%-field: an empty value names nothing" },
    { "label --id-column '' d", "%-%-id%-column: an empty value names nothing" },
    { "eval --label-field '' d", "%-%-label%-field: an empty value names nothing" },
    { "train -o x.model --label-column '' d", "%-%-label%-column: an empty value names nothing" },
    -- an option of another format than --input's would be ignored
    { "label -i jsonl --text-column body", "%-%-text%-column applies to csv input, not %-%-input jsonl" },
    { "label -i lines --text-field body", "%-%-text%-field applies to jsonl input, not %-%-input lines" },
    { "label -i csv --id-field key", "%-%-id%-field applies to jsonl input, not %-%-input csv" },
    { "eval -i csv --label-field topic d", "%-%-label%-field applies to jsonl input, not %-%-input csv" },
    { "train -o x.model -i fasttext --label-column 2 d", "%-%-label%-column applies to csv input, not %-%-input fasttext" },
    { "train " .. D .. "/train.jsonl", "%-o OUT.model is required" },
    { "train -o x.model", "no DATA given" },
    { "train -o x.model --ngrams 3,1 d", "%-%-ngrams: expected MIN,MAX" },
    -- "-" is stdin or stdout elsewhere: these made a file named "-"
    { "train -o - d", "%-o %-: a model is saved to a file, not to stdout %(name one, or %./%- for a file named %-%)\n" },
    { "eval --errors - d", "%-%-errors %-: the misclassified documents go to a file, not to stdout" },
    -- ... and these opened a file named "-" ("cannot open -: No such file ...")
    { "info -m -", "%-m %-: a model is read from a file, not from stdin %(name one, or %./%- for a file named %-%)\n" },
    { "eval -m - d", "%-m %-: a model is read from a file, not from stdin" },
    { "explain -m -", "%-m %-: a model is read from a file, not from stdin" },
    { "label -c -", "%-c %-: a Lua classifier is read from a file, not from stdin" },
    { "train -o x.model --stopwords - d", "%-%-stopwords %-: a stop%-word list is read from a file, not from stdin" },
    -- the core's longest n-grams (6 words, 10 characters), refused before the
    -- data is read (they were taken up to 16 and refused after it, naming
    -- the core's word_ngram_min..word_ngram_max)
    { "train -o x.model --ngrams 1,7 d", "%-%-ngrams: expected MIN,MAX with 1 <= MIN <= MAX <= 6\n" },
    { "train -o x.model --char-ngrams 3,11 d", "%-%-char%-ngrams: expected MIN,MAX with 1 <= MIN <= MAX <= 10, or none\n" },
    { "train -o x.model --class-weight heavy d", "%-%-class%-weight: expected balanced" },
    { "train -o x.model --class-weight sport=2,politics=1,sport=3 d", "%-%-class%-weight: 'sport' is given two weights" },
    -- (an empty item was skipped without a word, as --label's and --text-field's were)
    { "train -o x.model --class-weight sport=2,,politics=1 d", "%-%-class%-weight: an empty item in 'sport=2,,politics=1'\n" },
    { "train -o x.model --class-weight sport=2, d", "%-%-class%-weight: an empty item in 'sport=2,'\n" },
    { "train -o x.model --kernel poly d", "%-%-kernel: 'poly' is not one of linear, rbf" },
    { "train -o x.model --fallback other d", "%-%-fallback only applies to %-%-multilabel" },
    { "train -o x.model -t auto d", "%-%-threshold only applies to %-%-multilabel" },
    { "train -o x.model --multilabel -t best d", "%-%-threshold: 'best' is not a number or auto\n" },
    { "eval --thresholds 0.3,,0.5 d", "%-%-thresholds: '' is not a number\n" },
    { "eval --thresholds 0.3,1.5 d", "%-%-thresholds: 1.5 is above the maximum 1\n" },
    { "train -o x.model --kernel rbf --short-features 80 d", "%-%-short%-features only applies to %-%-kernel linear\n" },
    { "train -o x.model --short-features -1 d", "%-%-short%-features: %-1 is below the minimum 0\n" },
    { "train -o x.model --short-moderation 0.7 d", "%-%-short%-moderation needs %-%-short%-features N\n" },
    { "train -o x.model --short-features 80 --short-moderation -1 d", "%-%-short%-moderation: %-1 is below the minimum 0\n" },
    { "eval", "no DATA given" },
    { "explain a b", "explain takes one FILE" },
    { "info extra", "info takes no operands" },
    { "run", "no SCRIPT given" },
  }
  for _, c in ipairs(cases) do
    it("'" .. c[1] .. "' exits 2 with a message and the usage", function()
      local r = run(c[1])
      assert.equal(2, r.code)
      assert.equal("", r.out)
      assert.matches("^textclass: " .. c[2], r.err)
      assert.matches("\nUsage: textclass ", r.err)
    end)
  end
end)

describe("textclass train -> eval -> label", function()
  it("trains a model from JSONL and saves it", function()
    local r = run("train --min-df 1 -o " .. TMP .. "/rt.model " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    assert.equal("", r.out)
    assert.matches("textclass: trained on 36 documents, 4 labels", r.err)
    assert.truthy(lfs.attributes(TMP .. "/rt.model", "size") > 0)
    -- atomic save leaves no temporary file behind
    for name in lfs.dir(TMP) do assert.falsy(name:match("^rt%.model.+"), name) end
  end)

  -- The short-story rule (--short-features N): a text of fewer features
  -- scores further from the empty text's scores; info shows N, and the
  -- file is format version 4 (3 without the rule).
  it("trains with --short-features, which info shows and label applies", function()
    local short = TMP .. "/short.model"
    local r = run("train -q --min-df 1 --short-features 40 -o " .. short .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local info = run("info -m " .. short).out
    assert.matches("\nshort_features%s+40\n", info)
    assert.matches("\nformat_version%s+4\n", info)
    local plain = run("info -m " .. model()).out
    assert.matches("\nshort_features%s+0\n", plain)
    assert.matches("\nformat_version%s+3\n", plain)
    local function scores(m)
      local out = run("label -q -o jsonl -m " .. m, { stdin = "The striker scored\n" }).out
      return cjson.decode(out).scores
    end
    local raw, scaled = scores(model()), scores(short)
    -- its scores move away from the empty text's: here the top label's
    -- evidence is for it and the others' against them
    local top
    for l, s in pairs(raw) do if not top or s > raw[top] then top = l end end
    for l, s in pairs(raw) do
      if l == top then assert.is_true(scaled[l] > s, l) else assert.is_true(scaled[l] < s, l) end
    end
  end)

  -- Its moderation (--short-moderation C): the short text's scores move
  -- toward 0.5, its labels stay; info shows C, and the file is version 5.
  it("trains with --short-moderation, which info shows and label applies", function()
    local short, moderated = TMP .. "/short.model", TMP .. "/moderated.model"
    local r = run("train -q --min-df 1 --short-features 40 --short-moderation 0.5 -o " .. moderated .. " "
                  .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local info = run("info -m " .. moderated).out
    assert.matches("\nshort_moderation%s+0%.5\n", info)
    assert.matches("\nformat_version%s+5\n", info)
    assert.matches("\nshort_moderation%s+0\n", run("info -m " .. short).out)
    local function labelled(m)
      return cjson.decode(run("label -q -o jsonl -m " .. m, { stdin = "The striker scored\n" }).out)
    end
    local before, after = labelled(short), labelled(moderated)
    assert.same(before.labels, after.labels)
    local closer = 0
    for l, s in pairs(before.scores) do
      assert.is_true(math.abs(after.scores[l] - 0.5) <= math.abs(s - 0.5), l)
      if math.abs(after.scores[l] - 0.5) < math.abs(s - 0.5) then closer = closer + 1 end
    end
    assert.is_true(closer >= 2, closer .. " scores closer to 0.5")
  end)

  it("fits its own training data (eval --json)", function()
    local r = run("eval --json -m " .. model() .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local j = assert(cjson.decode(r.out))
    assert.equal(36, j.documents)
    assert.is_true(j.accuracy >= 0.9, "training accuracy " .. tostring(j.accuracy))
    for l in pairs(LABELS) do assert.equal(9, j.per_label[l].support) end
  end)

  it("lines up the figures' values, exact match (multi-label) among them", function()
    local ml = TMP .. "/ml-figures.model"
    assert.equal(0, run("train -q --multilabel --min-df 1 -o " .. ml .. " " .. D .. "/train.jsonl").code)
    for _, m in ipairs({ model(), ml }) do
      -- (a low threshold: several labels chosen, so exact match is shown)
      local r = run("eval -q -m " .. m .. (m == ml and " -t 0.01 " or " ") .. D .. "/test.jsonl")
      assert.equal(0, r.code, r.err)
      local head = r.out:match("^(.-)\n\n")
      local columns = {}
      for line in head:gmatch("[^\n]+") do
        local name, spaces = line:match("^(.-%S)(  +)%d")
        columns[#columns + 1] = name and #name + #spaces or line
      end
      assert.equal(m == ml and 5 or 4, #columns, head)
      for _, c in ipairs(columns) do assert.equal(columns[1], c, head) end
    end
  end)

  it("prints accuracy, per-label figures and an aligned confusion matrix", function()
    local r = run("eval -m " .. model() .. " " .. D .. "/test.jsonl")
    assert.equal(0, r.code, r.err)
    assert.matches("documents%s+12\n", r.out)
    assert.matches("accuracy%s+[01]%.%d%d%d%d\n", r.out)
    assert.matches("macro F1%s+[01]%.%d%d%d%d\n", r.out)
    assert.matches("micro F1%s+[01]%.%d%d%d%d\n", r.out)
    assert.matches("label%s+precision%s+recall%s+f1%s+support", r.out)
    local matrix = r.out:match("confusion matrix[^\n]*\n(.*)$")
    assert.truthy(matrix)
    local rows = lines(matrix)
    assert.equal(5, #rows)
    -- aligned: every row as long as the header, each row sums to support 3
    for i = 2, 5 do
      assert.equal(#rows[1], #rows[i])
      local sum = 0
      for n in rows[i]:gmatch("%s(%d+)") do sum = sum + tonumber(n) end
      assert.equal(3, sum)
    end
  end)

  it("label agrees with eval on the same data", function()
    local e = cjson.decode(run("eval --json -m " .. model() .. " " .. D .. "/test.jsonl").out)
    local r = run("label -q -o jsonl -m " .. model() .. " " .. D .. "/test.jsonl")
    assert.equal(0, r.code, r.err)
    local rows = jsonl(r.out)
    assert.equal(12, #rows)
    local right = 0
    for i, row in ipairs(rows) do
      assert.equal(string.format("e%02d", i), row.id)
      assert.truthy(LABELS[row.label])
      if row.label == row.input_label then right = right + 1 end
    end
    assert.near(e.accuracy, right / 12, 1e-9)
  end)

  -- JSONL as HuggingFace datasets export it: the class as an integer
  it("trains and evaluates on integer labels, each read as its digits", function()
    local number = { politics = 0, sport = 1, cyber = 2, other = -3 }
    local function numbered(name)
      local path = TMP .. "/int-" .. name
      local text = slurp(D .. "/" .. name):gsub('"label": "(%a+)"', function(l) return '"label": ' .. number[l] end)
      spit(path, text)
      return path
    end
    local int_model = TMP .. "/int.model"
    local r = run("train -q --min-df 1 -o " .. int_model .. " " .. numbered("train.jsonl"))
    assert.equal(0, r.code, r.err)
    local int_eval = run("eval --json -m " .. int_model .. " " .. numbered("test.jsonl"))
    assert.equal(0, int_eval.code, int_eval.err)
    -- the figures of the model trained on the names, each label renamed
    local want, got = cjson.decode(run("eval --json -m " .. model() .. " " .. D .. "/test.jsonl").out),
                      cjson.decode(int_eval.out)
    assert.same({}, got.unknown_labels or {})
    for _, k in ipairs({ "accuracy", "macro_f1", "micro_f1", "documents" }) do assert.equal(want[k], got[k], k) end
    for l, n in pairs(number) do assert.same(want.per_label[l], got.per_label[tostring(n)], l) end
  end)

  it("eval's figures equal the module's tc.evaluate on the same model or Lua classifier and data", function()
    local tc = require "textclass"
    local texts, gold = {}, {}
    for line in io.lines(D .. "/test.jsonl") do
      local o = cjson.decode(line)
      texts[#texts + 1], gold[#gold + 1] = o.text, o.label
    end
    for _, flag in ipairs({ "-m " .. model(), "-c " .. D .. "/always-sport.lua" }) do
      local c <close> = assert(tc.load_classifier(flag:sub(4)))
      local want = assert(tc.evaluate(c, texts, gold))
      local got = cjson.decode(run("eval --json " .. flag .. " " .. D .. "/test.jsonl").out)
      for _, k in ipairs({ "accuracy", "macro_f1", "micro_f1" }) do assert.near(want[k], got[k], 1e-9, flag) end
      for l in pairs(LABELS) do
        for _, k in ipairs({ "precision", "recall", "f1", "support" }) do
          assert.near(want.per_label[l][k], got.per_label[l][k], 1e-9, flag)
        end
        for p in pairs(LABELS) do -- JSON has the cells that are not 0, the module a 0 of a column's
          assert.equal(want.confusion[l][p] or 0, got.confusion[l][p] or 0, flag)
        end
      end
    end
  end)

  it("prints and stores cross-validation figures with --cv", function()
    local out = TMP .. "/cv.model"
    local r = run("train -q --cv 3 --min-df 1 -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    assert.matches("^cross%-validation %(3 folds%):\n", r.out)
    local acc = tonumber(r.out:match("\n  accuracy%s+([%d.]+)\n"))
    assert.truthy(acc and acc >= 0 and acc <= 1)
    local folds = r.out:match("fold macro F1%s+([^\n]+)")
    local n = 0
    for _ in folds:gmatch("[%d.]+") do n = n + 1 end
    assert.equal(3, n)
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.near(acc, info.cv_accuracy, 1e-4)
  end)

  it("prints and stores a multi-label model's micro-F1 and exact match with --cv, as tc.cross_validate gives them", function()
    local tc = require "textclass"
    local out = TMP .. "/cv-multilabel.model"
    local r = run("train -q --cv 3 --min-df 1 --multilabel -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local printed = {}
    for _, name in ipairs({ "accuracy", "macro F1", "micro F1", "exact match" }) do
      printed[name] = tonumber(r.out:match("\n  " .. name .. "%s+([%d.]+)\n"))
      assert.truthy(printed[name], name .. " in\n" .. r.out)
    end
    local texts, labels = {}, {}
    for line in io.lines(D .. "/train.jsonl") do
      local o = cjson.decode(line)
      texts[#texts + 1], labels[#labels + 1] = o.text, o.label
    end
    local want = assert(tc.cross_validate({ texts = texts, labels = labels, min_df = 1, multilabel = true }, 3))
    assert.near(want.micro_f1, printed["micro F1"], 1e-4)
    assert.near(want.exact_match, printed["exact match"], 1e-4)
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.near(printed["micro F1"], info.cv_micro_f1, 1e-9)
    assert.near(printed["exact match"], info.cv_exact_match, 1e-9)
    -- one label each: micro-F1 is the accuracy, and exact match its equal too
    local single = cjson.decode(run("info --json -m " .. TMP .. "/cv.model").out)
    assert.is_nil(single.cv_micro_f1)
    assert.is_nil(single.cv_exact_match)
  end)

  it("prints a multi-label model's figures at each threshold with --cv, and chooses one with --threshold auto", function()
    local out = TMP .. "/cv-auto.model"
    local r = run("train -q --threshold auto --min-df 1 --multilabel -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    assert.matches("^cross%-validation %(5 folds%):\n", r.out) -- --cv's default, as for --grid
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.equal("cv_micro_f1", info.threshold_by)
    local table_text = r.out:match("\nat each threshold %(out%-of%-fold scores%):\n(.*)$")
    assert.truthy(table_text, r.out)
    assert.matches("^  threshold  micro F1  macro F1  exact match\n", table_text)
    local rows = 0
    for t, micro, _, _, note in table_text:gmatch("\n  (%d%.%d%d) +([%d.]+) +([%d.]+) +([%d.]+) *([^\n]*)") do
      rows = rows + 1
      if tonumber(t) == info.threshold then
        assert.equal("the model's (--threshold auto: the best micro F1)", note)
        assert.near(info.cv_micro_f1, tonumber(micro), 1e-4)
      else
        assert.equal("", note)
      end
    end
    assert.equal(19, rows)
    local best_micro = table_text:match("\n  best: micro F1 ([%d.]+) at ([%d.]+); macro F1 [%d.]+ at [%d.]+; exact match [%d.]+ at [%d.]+\n$")
    assert.near(info.cv_micro_f1, tonumber(best_micro), 1e-4)
    -- info shows the stored sweep as train printed it (not as one line of
    -- "0.05:MICRO/MACRO/EXACT,..."), and --json as an array of objects
    local shown = run("info -m " .. out).out
    assert.equal(table_text, shown:match("\ncv_thresholds %(out%-of%-fold scores at each threshold%):\n(.*)$"))
    assert.is_nil(shown:find("0.05:", 1, true))
    assert.equal(19, #info.cv_thresholds)
    local keys = {}
    for k in pairs(info.cv_thresholds[1]) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.same({ "exact_match", "macro_f1", "micro_f1", "threshold" }, keys)
    assert.near(0.05, info.cv_thresholds[1].threshold, 1e-9)
    -- without --multilabel, no table
    r = run("train -q --cv 3 --min-df 1 -o " .. TMP .. "/cv-single.model " .. D .. "/train.jsonl")
    assert.is_nil(r.out:find("at each threshold", 1, true))
  end)

  -- The test documents, and pairs of them with both their labels: gold
  -- sets of one and of two labels.
  local function multilabel_test_data()
    local docs = {}
    for line in io.lines(D .. "/test.jsonl") do docs[#docs + 1] = cjson.decode(line) end
    local out = {}
    for i, d in ipairs(docs) do
      out[#out + 1] = cjson.encode({ id = d.id, text = d.text, labels = { d.label } })
      local e = docs[i % #docs + 1]
      if e.label ~= d.label then
        out[#out + 1] = cjson.encode({ id = d.id .. e.id, text = d.text .. " " .. e.text, labels = { d.label, e.label } })
      end
    end
    local path = TMP .. "/thresholds-test.jsonl"
    spit(path, table.concat(out, "\n") .. "\n")
    return path
  end

  it("eval --thresholds scores a multi-label model at each threshold, as -t does", function()
    local data = multilabel_test_data()
    local thresholds = { 0, 0.2, 0.35, 0.5, 0.6, 0.95, 1 }
    for _, fallback in ipairs({ "", " --fallback other" }) do
      local ml = TMP .. "/thresholds.model"
      assert.equal(0, run("train -q --multilabel --min-df 1" .. fallback .. " -o " .. ml .. " " .. D .. "/train.jsonl").code)
      local r = run("eval --json -m " .. ml .. " --thresholds " .. table.concat(thresholds, ",") .. " " .. data)
      assert.equal(0, r.code, r.err)
      local got = cjson.decode(r.out).thresholds
      assert.equal(#thresholds, #got)
      local seen = {}
      for i, t in ipairs(thresholds) do
        local one = cjson.decode(run("eval --json -m " .. ml .. " -t " .. t .. " " .. data).out)
        assert.equal(t, got[i].threshold)
        for _, key in ipairs({ "accuracy", "micro_f1", "macro_f1", "exact_match" }) do
          assert.equal(one[key], got[i][key], key .. " at " .. t .. fallback)
        end
        for l, p in pairs(one.per_label) do assert.equal(p.f1, got[i].f1[l], l .. " at " .. t .. fallback) end
        seen[one.micro_f1] = true
      end
      assert.is_true(next(seen, next(seen)) ~= nil, "the thresholds gave the same figures")
    end
    local ml = TMP .. "/thresholds.model"
    local r = run("eval -m " .. ml .. " --thresholds 0.2,0.5 " .. D .. "/test.jsonl")
    assert.matches("\nat each threshold %(%-%-thresholds%):\n  threshold  micro F1  macro F1  exact match  F1 ", r.out)
    assert.matches("\n  0%.50 [^\n]*  the model's\n", r.out)
    r = run("eval -m " .. model() .. " --thresholds 0.5 " .. D .. "/test.jsonl")
    assert.equal(2, r.code)
    assert.matches("%-%-thresholds: .* is a multi%-class model", r.err)
  end)

  it("eval --thresholds gives a Lua classifier each threshold, as it chooses its labels itself", function()
    -- its labels follow the threshold by a rule of its own, not its scores
    local lua = TMP .. "/own-rule.lua"
    spit(lua, [[
      return {
        predict = function(text, opts)
          local label = opts.threshold >= 0.5 and "sport" or "politics"
          return { label = label, labels = { label }, scores = { sport = 0.1, politics = 0.2 } }
        end,
        labels = function() return { "sport", "politics" } end,
      }
    ]])
    local r = run("eval --json -c " .. lua .. " -t 0.5 --thresholds 0.2,0.8 " .. D .. "/test.jsonl")
    assert.equal(0, r.code, r.err)
    local got = cjson.decode(r.out).thresholds
    assert.equal(0, got[1].f1.sport)
    assert.is_true(got[1].f1.politics > 0)
    assert.is_true(got[2].f1.sport > 0)
    assert.equal(0, got[2].f1.politics)
  end)

  it("notes when --grid chooses the smallest or largest C it tries", function()
    local out = TMP .. "/grid-edge.model"
    local r = run("train --grid --cv 3 --min-df 1 -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local C = cjson.decode(run("info --json -m " .. out).out).C
    local values = require("textclass").grid_values().C
    local edge = C == values[1] and "smallest" or C == values[#values] and "largest"
    assert.truthy(edge, "the fixture's grid search no longer ends at an edge: C " .. tostring(C))
    assert.matches("textclass: %-%-grid chose C " .. string.format("%g", C):gsub("%p", "%%%0") .. ", the " .. edge ..
                   " it tries %(0%.1, 0%.3, 1, 3, 10%): a %a+ one may do better %(try %-C with %-%-cv%)\n", r.err)
    r = run("train -q --grid --cv 3 --min-df 1 -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal("", r.err)
  end)

  it("has --grid choose title terms when only they tell the labels apart, and says so", function()
    local data = TMP .. "/grid-title.jsonl"
    local f = assert(io.open(data, "w"))
    for _ = 1, 6 do -- the same words either way: the label word is the title's
      f:write('{"text": "alpha report\\n\\nbravo story", "label": "a"}\n')
      f:write('{"text": "bravo report\\n\\nalpha story", "label": "b"}\n')
    end
    f:close()
    local out = TMP .. "/grid-title.model"
    local r = run("train --grid --cv 3 --min-df 1 --ngrams 1 -o " .. out .. " " .. data)
    assert.equal(0, r.code, r.err)
    assert.matches("\n  chosen title terms +on\n", r.out)
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.is_true(info.options.title_terms)
    for f1 in info.grid:gmatch("title_terms=0:([%d.]+)") do assert.is_true(tonumber(f1) < 1, info.grid) end
    r = run("label -q -o jsonl -m " .. out .. " -", { stdin = '{"text": "bravo report\\n\\nalpha story"}\n' })
    assert.equal("b", r.out:match('"label":"(%a)"'), r.out .. r.err)
  end)

  -- (regression: every C scoring 1.0, the search kept the first, 0.1, and
  -- the note said a smaller one might do better; so for gamma)
  it("makes no note of an edge --grid chose from a tie", function()
    local data = TMP .. "/grid-tie.jsonl"
    local f = assert(io.open(data, "w"))
    for i = 1, 6 do
      f:write(string.format('{"text": "goal match striker league %d", "label": "sport"}\n', i))
      f:write(string.format('{"text": "hacker malware breach password %d", "label": "cyber"}\n', i))
    end
    f:close()
    for _, kernel in ipairs({ "linear", "rbf" }) do
      local out = TMP .. "/grid-tie.model"
      local r = run("train --grid --cv 3 --min-df 1 --kernel " .. kernel .. " -o " .. out .. " " .. data)
      assert.equal(0, r.code, r.err)
      assert.matches("chosen C%s+0%.1\n", r.out)
      assert.not_matches("it tries", r.err)
      local info = cjson.decode(run("info --json -m " .. out).out)
      for f1 in info.grid:gmatch(":([%d.]+)") do assert.equal("1.0000", f1, info.grid) end
    end
  end)

  it("draws a progress bar when stderr is a terminal", function()
    local _, how, code = os.execute("command -v script >/dev/null")
    if not (how == "exit" and code == 0) then
      pending("util-linux 'script' is not installed")
      return
    end
    local p = io.popen("script -qec " .. sh_quote(CLI .. " label -m " .. model() .. " " .. D ..
                       "/train.jsonl >/dev/null") .. " /dev/null")
    local tty = p:read("a")
    p:close()
    assert.matches("%[#+%] 100%%%s+%d+ docs/s%s+ETA ", tty)
    assert.matches("\r\27%[Ktextclass: 36 documents", tty)     -- erased before the summary
  end)

  for _, f in ipairs({ "train.csv", "train.txt", "train_folder" }) do
    it("trains from " .. f .. " (the same corpus in another form)", function()
      local out = TMP .. "/" .. f .. ".model"
      local r = run("train -q --min-df 1 -o " .. out .. " " .. D .. "/" .. f)
      assert.equal(0, r.code, r.err)
      local info = run("info --json -m " .. out)
      assert.equal(0, info.code, info.err)
      local labels = {}
      for _, l in ipairs(cjson.decode(info.out).labels) do labels[l] = true end
      assert.same(LABELS, labels)
      local e = cjson.decode(run("eval --json -m " .. out .. " " .. D .. "/train.jsonl").out)
      assert.is_true(e.accuracy >= 0.9)
    end)
  end

  it("trains from JSONL on stdin and evaluates fastText, CSV and folder data", function()
    local out = TMP .. "/stdin.model"
    local r = run("train -q --min-df 1 -o " .. out .. " -", { stdin_file = D .. "/train.jsonl" })
    assert.equal(0, r.code, r.err)
    for _, f in ipairs({ "train.txt", "train.csv", "train_folder" }) do
      local e = run("eval --json -m " .. out .. " " .. D .. "/" .. f)
      assert.equal(0, e.code, e.err)
      assert.equal(36, cjson.decode(e.out).documents)
    end
  end)

  -- Trimming a fastText line used to take time quadratic in its inner runs of
  -- white space (over a minute for this one): see util.trim.
  it("reads a fastText line with 200 KB of spaces inside it", function()
    local f = TMP .. "/spaces.txt"
    spit(f, "__label__sport  The striker" .. string.rep(" ", 200000) .. "scored twice  \n")
    local e = run("eval --json -m " .. model() .. " " .. f)
    assert.equal(0, e.code, e.err)
    assert.equal(1, cjson.decode(e.out).documents)
  end)

  it("reports bad training data with file and line, and exits 1", function()
    local r = run("train -o " .. TMP .. "/bad.model " .. D .. "/bad-train.jsonl")
    assert.equal(1, r.code)
    assert.matches("textclass: tests/data/cli/bad%-train%.jsonl:2: not JSON", r.err)
    assert.matches("textclass: tests/data/cli/bad%-train%.jsonl:4: no 'label' or 'labels' field", r.err)
    assert.matches("textclass: tests/data/cli/bad%-train%.jsonl:3: 0 labels", r.err)
    assert.matches("3 bad records in the training data", r.err)
    assert.is_nil(lfs.attributes(TMP .. "/bad.model"))
  end)

  it("passes every training option to the module", function()
    local sw = TMP .. "/stopwords.txt"
    spit(sw, "# my list\nthe\na\nof\n")
    local out = TMP .. "/opts.model"
    local r = run("train -q --min-df 1 --stopwords " .. sw .. " --kernel rbf --gamma 0.5 --char-ngrams 3,4 " ..
                  "--ngrams 1,1 -C 2 --class-weight politics=2,sport=1 --seed 7 -j 2 --max-features 500 " ..
                  "--strip-boilerplate --stem english --title-terms -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.equal("rbf", info.kernel)
    assert.equal(0.5, info.gamma)
    assert.equal(2, info.C)
    assert.equal(7, info.seed)
    assert.equal("custom", info.class_weight)
    assert.equal("custom", info.options.stopwords)
    assert.same({ 3, 4 }, info.options.char_ngrams)
    assert.same({ 1, 1 }, info.options.ngrams)
    assert.equal(500, info.options.max_features)
    assert.is_true(info.options.strip_boilerplate)
    assert.equal("english", info.options.stem)
    assert.is_true(info.options.title_terms)
    assert.matches(" stem=english title_terms$", info.features_options)
    -- in words without --json (the metadata's string is kept for --json)
    assert.matches("\nfeatures_options%s+word n%-grams 1, character n%-grams 3%-4, title terms, custom stop words, " ..
                   "English stemming, min_df 1, at most 500 features, sublinear TF%-IDF, L2%-normalised, " ..
                   "boilerplate stripped\n", run("info -m " .. out).out)
    assert.is_true(info.features <= 500)
    r = run("train -q --stem french -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(2, r.code)
    assert.matches("%-%-stem: 'french' is not one of english, none", r.err)
  end)

  it("names the flag when the module rejects a value, and passes on data failures", function()
    local r = run("train -q --class-weight chess=2 -o " .. TMP .. "/x.model " .. D .. "/train.jsonl")
    assert.equal(2, r.code)
    assert.matches("^textclass: %-%-class%-weight: unknown label 'chess' %(not in the training data%)\n", r.err)
    r = run("train -q --min-df 50 -o " .. TMP .. "/x.model " .. D .. "/train.jsonl")
    assert.equal(1, r.code)
    assert.matches("^textclass: training failed: no term to train on: .* %-%-min%-df 50 documents", r.err)
    assert.is_nil(lfs.attributes(TMP .. "/x.model"))
    -- with --stopwords none no word is a stop word: the message names none
    spit(TMP .. "/marks.jsonl", '{"text":"!!!","label":"a"}\n{"text":"???","label":"b"}\n')
    r = run("train -q --min-df 1 --stopwords none -o " .. TMP .. "/x.model " .. TMP .. "/marks.jsonl")
    assert.equal(1, r.code)
    assert.equal("textclass: training failed: no term to train on: the texts hold no word\n", r.err)
    r = run("train -q --min-df 50 --stopwords none -o " .. TMP .. "/x.model " .. D .. "/train.jsonl")
    assert.equal(1, r.code)
    assert.equal("textclass: training failed: no term to train on: no word is in --min-df 50 documents or " ..
                 "more (a lower --min-df keeps rarer ones)\n", r.err)
  end)

  it("weighs each DATA input alike in calibration with --balance-inputs", function()
    local lines = {}
    for line in io.lines(D .. "/train.jsonl") do lines[#lines + 1] = line end
    spit(TMP .. "/first.jsonl", table.concat(lines, "\n", 1, 24) .. "\n")
    spit(TMP .. "/rest.jsonl", table.concat(lines, "\n", 25) .. "\n")
    local out = TMP .. "/by-input.model"
    local function sources(args)
      local r = run("train -q --min-df 1 -o " .. out .. " " .. args)
      assert.equal(0, r.code, r.err)
      return cjson.decode(run("info --json -m " .. out).out).calibration_sources
    end
    assert.equal(2, sources("--balance-inputs " .. TMP .. "/first.jsonl " .. TMP .. "/rest.jsonl"))
    assert.is_nil(sources(TMP .. "/first.jsonl " .. TMP .. "/rest.jsonl"))
    -- a label folder is one input, whatever its files
    assert.equal(2, sources("--balance-inputs " .. D .. "/train_folder " .. TMP .. "/rest.jsonl"))
    local r = run("train -q --balance-inputs -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(2, r.code)
    assert.matches("^textclass: %-%-balance%-inputs weighs each DATA input alike: give two or more " ..
                   "%(one per source%), not 1\n", r.err)
  end)

  it("refuses data with one label only", function()
    local r = run("train -o " .. TMP .. "/one.model " .. D .. "/one-class.jsonl")
    assert.equal(1, r.code)
    assert.matches("one label only %(politics%)", r.err)
  end)
end)

describe("textclass label inputs", function()
  it("walks folders recursively in sorted order, skipping hidden files", function()
    local r = run("label -q -m " .. model() .. " " .. D .. "/docs")
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    assert.equal(3, #rows)
    assert.equal(D .. "/docs/01-budget.txt", rows[1][1])
    assert.equal(D .. "/docs/02-final.txt", rows[2][1])
    assert.equal(D .. "/docs/sub/03-breach.txt", rows[3][1])
    for _, row in ipairs(rows) do
      assert.equal(5, #row)
      assert.truthy(LABELS[row[2]])
      assert.equal(row[2], row[3])
      assert.equal("", row[5])
    end
  end)

  it("gives every bad input its own record, in order, and exits 1", function()
    local r = run("label -q -m " .. model() .. " " .. table.concat({
      D .. "/docs/01-budget.txt", D .. "/empty.txt", D .. "/binary.bin", D .. "/invalid-utf8.txt",
      D .. "/no-such-file.txt", D .. "/docs/02-final.txt" }, " "))
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal(6, #rows)
    assert.equal("", rows[1][5])
    assert.same({ D .. "/empty.txt", "", "", "", "empty document" }, rows[2])
    -- (binary.bin begins as a zip archive does)
    assert.same({ D .. "/binary.bin", "", "", "", "binary file (a zip archive: decompress it first, with unzip -p)" }, rows[3])
    assert.same({ D .. "/invalid-utf8.txt", "", "", "", "invalid UTF-8 at byte 14 (0xFF: if the file is Windows-1252, as Excel's \"CSV (Comma delimited)\": --encoding windows-1252)" }, rows[4])
    assert.same({ D .. "/no-such-file.txt", "", "", "", "No such file or directory" }, rows[5])
    assert.equal("", rows[6][5])
    assert.truthy(LABELS[rows[6][2]])
  end)

  it("exits 0 with --exit-zero, the error still in the record", function()
    local r = run("label -q --exit-zero -m " .. model() .. " " .. D .. "/empty.txt " .. D .. "/docs")
    assert.equal(0, r.code)
    local rows = tsv(r.out)
    assert.equal(4, #rows)
    assert.equal("empty document", rows[1][5])
  end)

  it("labels invalid UTF-8 with --replace-invalid", function()
    local r = run("label -q --replace-invalid -m " .. model() .. " " .. D .. "/invalid-utf8.txt")
    assert.equal(0, r.code, r.err)
    assert.truthy(LABELS[tsv(r.out)[1][2]])
  end)

  it("copies the other JSONL fields as written", function()
    local line = '{"id": "x", "text": "The striker scored twice", "tags": [], "meta": {}, ' ..
                 '"big": 12345678901234567890, "s": "\\u00e9", "nested": {"a": [1, {"b": null}]}}\n'
    local r = run("label -q -o jsonl -i jsonl -m " .. model(), { stdin = line })
    assert.equal(0, r.code, r.err)
    assert.matches('^{"id":"x","big":12345678901234567890,"meta":{},"nested":{"a": %[1, {"b": null}%]},' ..
                   '"s":"\\u00e9","tags":%[%],"label":', r.out)
  end)

  it("reads JSONL: id and text fields, pass-through, one record per line", function()
    local r = run("label -q -o jsonl -m " .. model() .. " " .. D .. "/articles.jsonl")
    assert.equal(1, r.code)
    local rows = jsonl(r.out)
    assert.equal(6, #rows)
    assert.equal("a1", rows[1].id)
    assert.equal("wire", rows[1].source)
    assert.equal("en", rows[1].lang)
    assert.truthy(LABELS[rows[1].label])
    assert.same({ rows[1].label }, rows[1].labels)
    assert.is_nil(rows[1].text)
    assert.equal(D .. "/articles.jsonl:3", rows[3].id)
    assert.matches("^not JSON", rows[3].error)
    assert.equal(cjson.null, rows[3].label)
    assert.equal("a4", rows[4].id)
    -- (its id is its own: the error names its line; regression: by the id alone)
    assert.equal(D .. "/articles.jsonl:4: no 'text' field (its fields: 'body', 'id', 'source')", rows[4].error)
    assert.equal("no text field here", rows[4].body)
    assert.equal(D .. "/articles.jsonl:5", rows[5].id)
    assert.equal("gold-cyber", rows[5].input_label)        -- renamed, not overwritten
    assert.truthy(LABELS[rows[5].label])
    assert.equal("6", rows[6].id)
    assert.equal(D .. "/articles.jsonl:6: empty document", rows[6].error)
    -- scores: every label, best first
    local n, prev = 0, math.huge
    for l, s in pairs(rows[1].scores) do
      n = n + 1
      assert.truthy(LABELS[l])
      assert.is_true(s >= 0 and s <= 1)
    end
    assert.equal(4, n)
    local order = {}
    for l in r.out:match("^[^\n]*\"scores\":(%b{})"):gmatch('"(%w+)":') do order[#order + 1] = l end
    assert.equal(rows[1].label, order[1])
    for _, l in ipairs(order) do assert.is_true(rows[1].scores[l] <= prev); prev = rows[1].scores[l] end
  end)

  it("reads JSONL with other field names", function()
    local r = run("label -q -i jsonl -o jsonl --text-field body --id-field source -m " .. model() .. " -",
                  { stdin = '{"source": "s1", "body": "The striker scored a goal in the final."}\n' })
    assert.equal(0, r.code, r.err)
    local rows = jsonl(r.out)
    assert.equal(1, #rows)
    assert.equal("s1", rows[1].id)
    assert.is_nil(rows[1].body)
  end)

  it("reads CSV with quoted commas, quotes and line breaks", function()
    local r = run("label -q -o jsonl -m " .. model() .. " " .. D .. "/articles.csv")
    assert.equal(0, r.code, r.err)
    local rows = jsonl(r.out)
    assert.equal(3, #rows)
    assert.same({ "k1", "k2", "k3" }, { rows[1].id, rows[2].id, rows[3].id })
    assert.equal("Vote, again", rows[1].title)
    for _, row in ipairs(rows) do assert.truthy(LABELS[row.label]) end
  end)

  it("reads CSV columns by number and reports a missing column", function()
    local r = run("label -q --text-column 3 --id-column 2 -m " .. model() .. " " .. D .. "/articles.csv")
    assert.equal(0, r.code, r.err)
    assert.same({ "Vote, again", "Match", "Breach" }, { tsv(r.out)[1][1], tsv(r.out)[2][1], tsv(r.out)[3][1] })
    r = run("label -q --text-column body -m " .. model() .. " " .. D .. "/articles.csv")
    assert.equal(1, r.code)
    assert.equal(1, #tsv(r.out))
    assert.matches("no 'body' column", r.out)
  end)

  it("reports a CSV id column that is not there", function()
    local r = run("label -q --id-column nope -m " .. model() .. " " .. D .. "/articles.csv")
    assert.equal(1, r.code)
    assert.same({ D .. "/articles.csv:1", "", "", "", "no 'nope' column in the header" }, tsv(r.out)[1])
  end)

  it("reads one article per line from stdin, empty lines included", function()
    local r = run("label -q -m " .. model(), { stdin_file = D .. "/lines.txt" })
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal(5, #rows)
    for i, row in ipairs(rows) do assert.equal("-:" .. i, row[1]) end
    assert.equal("empty document", rows[3][5])
    assert.equal("sport", rows[2][2])
  end)

  it("drops a byte order mark at the start of a file or a pipe", function()
    spit(TMP .. "/bom.jsonl", '\239\187\191{"id": "b1", "text": "The striker scored."}\n')
    local r = run("label -q -m " .. model() .. " " .. TMP .. "/bom.jsonl")
    assert.equal(0, r.code, r.err)
    assert.equal("b1", tsv(r.out)[1][1])
    r = run("label -q -i jsonl -m " .. model(), { pipe = "cat " .. TMP .. "/bom.jsonl" })
    assert.equal(0, r.code, r.err)
    assert.equal("b1", tsv(r.out)[1][1])
  end)

  it("reads ID<TAB>TEXT lines with --input tsv", function()
    local r = run("label -q -i tsv -m " .. model(), { stdin = "x1\tThe striker scored twice.\nx2\tHackers stole passwords.\n" })
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    assert.same({ "x1", "x2" }, { rows[1][1], rows[2][1] })
  end)

  it("reads all of a piped stdin as one article with --input text", function()
    local r = run("label -q -i text -m " .. model(), { pipe = "printf 'The striker scored.\\nThe fans sang.\\n'" })
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    assert.equal(1, #rows)
    assert.same({ "-", "sport" }, { rows[1][1], rows[1][2] })
  end)

  it("fails with a message when the output cannot be written", function()
    local _, how, code = os.execute(CLI .. " label -q -m " .. model() .. " " .. D .. "/docs >/dev/full 2>" .. TMP .. "/full.err")
    assert.equal("exit", how)
    assert.equal(1, code)
    assert.matches("^textclass: cannot write the output: ", slurp(TMP .. "/full.err"))
  end)

  it("gives N records for N inputs, in order, across batch boundaries", function()
    local input, n = {}, 257
    local texts = { "The striker scored.", "The minister resigned.", "", "Hackers stole data.", "Shares rose." }
    for i = 1, n do input[i] = "id" .. i .. "\t" .. texts[i % #texts + 1] end
    local one_thread = run("label -q -i tsv -m " .. model(), { stdin = table.concat(input, "\n") .. "\n" })
    for _, b in ipairs({ 1, 7, 64, 1000 }) do
      -- (-j 2 with batches over 1: each batch is labelled while the next is read)
      local r = run("label -q -i tsv -b " .. b .. " -j 2 -m " .. model(), { stdin = table.concat(input, "\n") .. "\n" })
      assert.equal(1, r.code)
      assert.equal(one_thread.out, r.out)
      local rows = tsv(r.out)
      assert.equal(n, #rows)
      for i, row in ipairs(rows) do
        assert.equal("id" .. i, row[1])
        assert.equal(texts[i % #texts + 1] == "" and "-:" .. i .. ": empty document" or "", row[5])
      end
    end
  end)

  it("streams: a record comes out before stdin ends, with any thread count", function()
    for _, threads in ipairs({ "", " -j 2" }) do
      -- the second line is an article only if the first record came out
      -- before it was written; else it is empty ("empty document")
      local flag = TMP .. "/stream-flag"
      local cmd = H.after_flag("echo 'The striker scored a goal.'", flag, "echo 'Hackers stole data.'", "echo") ..
                  " | " .. CLI .. " label -q" .. threads .. " -m " .. model()
      local first, second = H.first_then_second(cmd, flag)
      assert.truthy(first and first:match("^%-:1\t[^\t]+\t"), first)
      assert.truthy(second and second:match("^%-:2\t[^\t]+\t"), second)
    end
  end)
end)

describe("textclass label outputs", function()
  it("writes TSV: id, label, labels, scores, error", function()
    local r = run("label -q --top 2 -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(0, r.code, r.err)
    local row = tsv(r.out)[1]
    assert.equal(5, #row)
    assert.equal("sport", row[2])
    assert.matches("^sport:[01]%.%d%d%d%d,%w+:[01]%.%d%d%d%d$", row[4])
  end)

  it("writes CSV with a header and RFC 4180 quoting", function()
    local r = run("label -q -o csv -i tsv -m " .. model(), { stdin = 'a,"b\tThe striker scored.\n' })
    assert.equal(0, r.code, r.err)
    local csv = require "textclass.cli.csv"
    local it_lines = r.out:gmatch("[^\n]*\n")
    local recs = {}
    for rec in csv.records(it_lines) do recs[#recs + 1] = rec end
    assert.same({ "id", "label", "labels", "scores", "error" }, recs[1])
    assert.equal('a,"b', recs[2][1])
    assert.equal("sport", recs[2][2])
    assert.matches("\r\n$", r.out)
    assert.is_nil(run("label -q -o csv --no-header -m " .. model() .. " " .. D .. "/docs").out:match("^id,"))
  end)

  it("escapes tabs, newlines, backslashes and NUL bytes in TSV fields", function()
    local r = run("label -q -o tsv -m " .. model() .. " -i jsonl -",
                  { stdin = '{"id": "x\\ty\\nz\\r\\\\\\u0000!", "text": "The striker scored."}\n' })
    assert.equal(0, r.code, r.err)
    assert.equal("x\\ty\\nz\\r\\\\\\0!", tsv(r.out)[1][1])
    assert.is_nil(r.out:find("\0", 1, true))
  end)

  it("writes a summary on stderr unless --quiet, and no progress bar off a terminal", function()
    local r = run("label -m " .. model() .. " " .. D .. "/docs " .. D .. "/empty.txt")
    assert.equal(1, r.code)
    assert.matches("^textclass: 4 documents in [%d.]+ s %(%d+ docs/s%): ", r.err)
    assert.matches("; 1 error\n$", r.err)
    assert.falsy(r.err:find("[\r\27]"))
    assert.equal("", run("label -q -m " .. model() .. " " .. D .. "/docs").err)
  end)

  it("applies --threshold to a multi-label model, not to a multi-class one", function()
    local ml = TMP .. "/multi.model"
    local t = run("train -q --multilabel --min-df 1 -o " .. ml .. " " .. D .. "/train.jsonl")
    assert.equal(0, t.code, t.err)
    local doc = D .. "/docs/01-budget.txt"
    local all = jsonl(run("label -q -o jsonl --threshold 0 -m " .. ml .. " " .. doc).out)[1]
    assert.equal(4, #all.labels)
    assert.equal(all.label, all.labels[1])
    local none = jsonl(run("label -q -o jsonl --threshold 1 -m " .. ml .. " " .. doc).out)[1]
    assert.same({ all.label }, none.labels)             -- nothing passes: the top label
    local top2 = jsonl(run("label -q -o jsonl --threshold 0 --top 2 -m " .. ml .. " " .. doc).out)[1]
    assert.same({ all.labels[1], all.labels[2] }, top2.labels)
    local mc = jsonl(run("label -q -o jsonl --threshold 0 -m " .. model() .. " " .. doc).out)[1]
    assert.equal(1, #mc.labels)
  end)
end)

describe("textclass models and classifiers", function()
  it("rejects a corrupted model file with a message and exit 1", function()
    local r = run("label -m " .. D .. "/corrupt.model " .. D .. "/docs")
    assert.equal(1, r.code)
    assert.equal("", r.out)
    assert.matches("^textclass: load: tests/data/cli/corrupt%.model: header: not a textclass model %(bad magic%)\n", r.err)
  end)

  it("rejects a model whose terms were made to collide in the hash index", function()
    -- colliding.model: ten 32-letter terms with one hash, which loading once
    -- compared pair by pair (made by tests/fuzz/colliding_terms.py)
    local r = run("label -m " .. D .. "/colliding.model " .. D .. "/docs")
    assert.equal(1, r.code)
    assert.equal("", r.out)
    assert.matches("^textclass: load: tests/data/cli/colliding%.model: extractor: vocabulary: "
      .. "more than 8 terms share a hash with term 10 %(terms made to collide: a crafted model%?%)\n", r.err)
  end)

  it("rejects a truncated model file", function()
    local bytes = assert(slurp(model()))
    spit(TMP .. "/truncated.model", bytes:sub(1, #bytes // 2))
    local r = run("info -m " .. TMP .. "/truncated.model")
    assert.equal(1, r.code)
    assert.equal("", r.out)
    assert.matches("^textclass: .*truncated%.model", r.err)
  end)

  it("reports a missing model file", function()
    local r = run("eval -m " .. TMP .. "/none.model " .. D .. "/test.jsonl")
    assert.equal(1, r.code)
    assert.matches("^textclass: .*none%.model", r.err)
  end)

  it("runs a Lua classifier with -c; a failing document gets an error", function()
    local r = run("label -q -c " .. D .. "/always-sport.lua -i lines",
                  { stdin = "one\nboom here\nthree\n" })
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal(3, #rows)
    assert.equal("sport", rows[1][2])
    assert.matches("always%-sport%.lua:%d+: boom in the text$", rows[2][5])
    assert.equal("sport", rows[3][2])
  end)

  it("cuts a Lua classifier's labels and scores to --top when it gives more", function()
    local path = TMP .. "/three-labels.lua"
    local f = assert(io.open(path, "w"))
    f:write('return { predict = function() return { label = "b", labels = { "b", "a", "c" }, ',
            'scores = { a = 0.5, b = 0.7, c = 0.25 } } end }\n')
    f:close()
    local r = run("label -q --top 2 -c " .. path .. " -i lines", { stdin = "one\n" })
    assert.equal(0, r.code, r.err)
    local row = tsv(r.out)[1]
    assert.same({ "b", "b,a", "b:0.7000,a:0.5000", "" }, { row[2], row[3], row[4], row[5] })
    r = run("label -q --top 1 -c " .. D .. "/always-sport.lua -i lines", { stdin = "one\n" })
    assert.equal("sport:0.9000", tsv(r.out)[1][4])
  end)

  it("keeps a Lua classifier's own labels under --threshold, which it is given", function()
    -- a rule that overrides the scores' best label, as examples/rules.lua
    -- does: -t re-chose the labels from the scores, undoing the rule (the
    -- threshold the classifier is given comes back as a score)
    local path = TMP .. "/rule-over-scores.lua"
    local f = assert(io.open(path, "w"))
    f:write('return { predict = function(text, opts) return { label = "rule", ',
            'scores = { model = 0.9, rule = 0.1, threshold = opts and opts.threshold } } end }\n')
    f:close()
    local r = run("label -q -o jsonl -t 0.5 -c " .. path .. " -i lines", { stdin = "one\n" })
    assert.equal(0, r.code, r.err)
    local rec = jsonl(r.out)[1]
    assert.same({ "rule", { "rule" }, 0.5 }, { rec.label, rec.labels, rec.scores.threshold })
    spit(TMP .. "/rule.jsonl", '{"text": "one", "label": "rule"}\n')
    r = run("eval --json -t 0.5 -c " .. path .. " " .. TMP .. "/rule.jsonl")
    assert.equal(0, r.code, r.err)
    assert.equal(1, cjson.decode(r.out).accuracy)
  end)

  it("evaluates a Lua classifier exactly and writes its errors", function()
    local r = run("eval --json --errors " .. TMP .. "/wrong.jsonl -c " .. D .. "/always-sport.lua " .. D .. "/test.jsonl")
    assert.equal(0, r.code, r.err)
    local j = cjson.decode(r.out)
    assert.equal(0.25, j.accuracy)
    assert.equal(1, j.per_label.sport.recall)
    assert.equal(0.25, j.per_label.sport.precision)
    assert.equal(0, j.per_label.politics.f1)
    assert.equal(9, j.misclassified)
    -- the classifier's labels() are the columns; gold labels outside them
    -- are named, in the order they came
    assert.same({ "sport", "politics" }, j.predicted_labels)
    assert.same({ "cyber", "other" }, j.unknown_labels)
    assert.matches("gold labels cyber, other are not among the classifier's labels %(sport, politics%)", r.err)
    local wrong = jsonl(slurp(TMP .. "/wrong.jsonl"))
    assert.equal(9, #wrong)
    for _, w in ipairs(wrong) do
      assert.same({ "sport" }, w.predicted)
      assert.are_not.equal("sport", w.gold[1])
      assert.truthy(w.text and #w.text > 0)
    end
  end)

  -- (eval asks a multi-class model for its best label only, unless the
  -- errors' scores are to be written)
  it("writes every label's score in eval --errors, for a multi-class model too", function()
    spit(TMP .. "/mislabelled.jsonl", '{"text": "The striker scored twice in the derby", "label": "cyber"}\n' ..
                                      '{"text": "Ransomware locked the hospital files", "label": "sport"}\n')
    local r = run("eval -q --errors " .. TMP .. "/wrong-scores.jsonl -m " .. model() .. " " .. TMP .. "/mislabelled.jsonl")
    assert.equal(0, r.code, r.err)
    local wrong = jsonl(slurp(TMP .. "/wrong-scores.jsonl"))
    assert.equal(2, #wrong)
    for _, w in ipairs(wrong) do
      local n = 0
      for l in pairs(w.scores) do
        assert.truthy(LABELS[l], l)
        n = n + 1
      end
      assert.equal(4, n)
    end
    -- (regression: at full precision, in name order) written as label's
    -- JSONL records write them, best first to 4 decimals
    local labelled = lines(run("label -q -o jsonl -i jsonl -m " .. model() .. " " .. TMP .. "/mislabelled.jsonl").out)
    for i, line in ipairs(lines(slurp(TMP .. "/wrong-scores.jsonl"))) do
      local scores = line:match(',"scores":(%b{})')
      assert.equal(labelled[i]:match(',"scores":(%b{})'), scores)
      assert.matches('^{"%a+":%d%.%d%d%d%d,', scores)
    end
  end)

  it("explains a label with the features that drove it", function()
    local r = run("explain -n 3 -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(0, r.code, r.err)
    assert.matches("^label%s+sport\n", r.out)
    assert.matches("features for sport:", r.out)
    local r2 = run("explain --json --all -m " .. model(), { stdin_file = D .. "/docs/02-final.txt" })
    assert.equal(0, r2.code, r2.err)
    local j = cjson.decode(r2.out)
    assert.equal(4, #j.explanations)
    for _, e in ipairs(j.explanations) do assert.is_true(#e.features <= 3 or #e.features <= 10) end
    local r3 = run("explain --label chess -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(2, r3.code)
    assert.matches("no label 'chess'", r3.err)
    -- several labels, in the order asked; each named once
    local r5 = run("explain --json -l cyber,sport -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(0, r5.code, r5.err)
    local e5 = cjson.decode(r5.out).explanations
    assert.same({ "cyber", "sport" }, { e5[1].label, e5[2].label })
    assert.equal(2, #e5)
    -- -l given again adds its labels (it kept only the last)
    local r7 = run("explain --json -l cyber --label=sport -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(r5.out, r7.out)
    r7 = run("explain -l sport -l sport -m " .. model() .. " " .. D .. "/docs/02-final.txt")
    assert.equal(2, r7.code)
    assert.matches("'sport' is named twice", r7.err)
    for bad, why in pairs { ["sport,chess"] = "no label 'chess'", ["sport,sport"] = "'sport' is named twice",
                            [","] = "an empty name in ','", [",sport"] = "an empty name in ',sport'",
                            ["sport,,cyber"] = "an empty name in 'sport,,cyber'" } do
      local r6 = run("explain -l " .. bad .. " -m " .. model() .. " " .. D .. "/docs/02-final.txt")
      assert.equal(2, r6.code, bad)
      assert.matches(why, r6.err)
    end
    local r4 = run("explain -m " .. model() .. " " .. D .. "/empty.txt")
    assert.equal(1, r4.code)
    assert.matches("empty document", r4.err)
  end)

  it("gives explain --json's label, labels and scores as label -o jsonl gives them", function()
    local doc = D .. "/docs/02-final.txt"
    local j = run("explain --json -n 2 -m " .. model() .. " " .. doc)
    assert.equal(0, j.code, j.err)
    local l = run("label -q -o jsonl -m " .. model() .. " " .. doc)
    assert.equal(0, l.code, l.err)
    -- the same text for the same fields, in the same order (scores best
    -- first, 4 decimals), then fallback and the explanations
    assert.equal(l.out:match('^({"id":.-"scores":%b{})'), j.out:match('^({"id":.-"scores":%b{})'))
    assert.matches('^{"id":[^\n]*,"fallback":false,"explanations":%[{"label":"sport","features":%[{', j.out)
    -- a text none of whose features the model knows explains with an
    -- empty list, not an empty object
    local none = run("explain --json -m " .. model() .. " -", { stdin = "Zyxw vutsr qponm.\n" })
    assert.equal(0, none.code, none.err)
    assert.matches('"features":%[%]', none.out)
    assert.same({}, cjson.decode(none.out).explanations[1].features)
  end)

  it("describes a model with info", function()
    local r = run("info -m " .. model())
    assert.equal(0, r.code, r.err)
    assert.matches("labels%s+politics, sport, cyber, other", r.out)
    local j = cjson.decode(run("info --json -m " .. model()).out)
    assert.same({ "politics", "sport", "cyber", "other" }, j.labels)
  end)
end)

describe("textclass run", function()
  it("runs a script with the module and its arguments", function()
    local r = run("run " .. D .. "/script.lua a --b c")
    assert.equal(0, r.code, r.err)
    assert.matches("^args\t3\ta %-%-b c\t" .. D:gsub("%-", "%%-") .. "/script%.lua\n", r.out)
    assert.matches("\nversion\ttextclass ", r.out)
  end)

  it("reports a failing script with exit 1", function()
    local r = run("run " .. D .. "/script.lua fail")
    assert.equal(1, r.code)
    assert.matches("^textclass: .*failing as asked", r.err)
    local r2 = run("run " .. TMP .. "/none.lua")
    assert.equal(1, r2.code)
    assert.matches("^textclass: cannot open", r2.err)
  end)

  -- run checks the script's io.stdout:write and :flush (a failure ends the
  -- run), and they return what the stock methods return: the file, true
  it("gives a script's io.stdout:write and :flush the stock methods' results", function()
    spit(TMP .. "/stdout-results.lua",
         "local w, f = io.stdout:write('x\\n'), io.stdout:flush()\n" ..
         "print(w == io.stdout, f, io.stderr:flush())\n")
    local r = run("run " .. TMP .. "/stdout-results.lua")
    assert.equal(0, r.code, r.err)
    assert.equal("x\ntrue\ttrue\ttrue\n", r.out)
  end)
end)

describe("textclass with the examples", function()
  it("trains a model with examples/train_folder.lua through run", function()
    local out = TMP .. "/folder.model"
    local r = run("run examples/train_folder.lua " .. D .. "/train_folder " .. out)
    assert.equal(0, r.code, r.err)
    local labels = {}
    for _, l in ipairs(cjson.decode(run("info --json -m " .. out).out).labels) do labels[l] = true end
    assert.same(LABELS, labels)
  end)

  -- (regression: an absolute build folder, as make BUILD=/tmp/b gives, was
  -- looked for under the tree, $ROOT//tmp/b, and the module was not found)
  it("finds the module in an absolute $TEXTCLASS_BUILD as in a relative one", function()
    local build = os.getenv("TEXTCLASS_BUILD") or "build"
    local absolute = build:sub(1, 1) == "/" and build or lfs.currentdir() .. "/" .. build
    for _, b in ipairs({ build, absolute }) do
      local r = run("info -m models/news.model", { env = "TEXTCLASS_BUILD=" .. sh_quote(b) .. " " })
      assert.equal(0, r.code, b .. ": " .. r.err)
    end
  end)

  it("info names the file $TEXTCLASS_MODEL gives, not the shipped model", function()
    local r = run("info --json", { env = "TEXTCLASS_MODEL=" .. sh_quote(model()) .. " " })
    assert.equal(0, r.code, r.err)
    assert.equal(model(), cjson.decode(r.out).model)
  end)

  it("labels with the rules classifier of examples/rules.lua", function()
    local r = run("label -q -c examples/rules.lua", {
      env = "TEXTCLASS_MODEL=" .. sh_quote(model()) .. " ",
      stdin = "Ransomware gang hits the football club\nThe striker scored twice\n" })
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    assert.equal(2, #rows)
    assert.equal("cyber", rows[1][2])
    assert.equal("sport", rows[2][2])
  end)
end)

describe("textclass with the shipped model", function()
  -- The sample articles of `make demo`, and the topic each was written for.
  local expected = {
    ["budget-vote.txt"] = "politics", ["election-debate.txt"] = "politics",
    ["cup-final-report.txt"] = "sport", ["marathon-record.txt"] = "sport",
    ["ransomware-hospital.txt"] = "cyber", ["router-vulnerability.txt"] = "cyber",
    ["interest-rates.txt"] = "other", ["museum-exhibition.txt"] = "other",
  }

  -- Is the shipped model there? (Else the test says it is skipped, and why.)
  local function shipped_model(what)
    if lfs.attributes("models/news.model") then return true end
    pending("models/news.model is not built yet (make models): " .. what .. " skipped")
    return false
  end

  it("gives -t to examples/rules.lua's model: its labels where no rule applies", function()
    if not shipped_model("rules threshold test") then return end
    local text = "Local bakery opens second shop\n"
    local seen = {}
    for _, t in ipairs({ "0.01", "0.5", "0.99" }) do
      local plain = run("label -q -o jsonl -t " .. t, { stdin = text })
      local rules = run("label -q -o jsonl -t " .. t .. " -c examples/rules.lua", { stdin = text })
      assert.equal(0, rules.code, rules.err)
      local labels = jsonl(plain.out)[1].labels
      assert.same(labels, jsonl(rules.out)[1].labels, "-t " .. t)
      seen[table.concat(labels, ",")] = true
    end
    assert.is_true(next(seen, next(seen)) ~= nil, "the thresholds chose the same labels")
  end)

  it("labels the sample articles of make demo", function()
    if not shipped_model("demo test") then return end
    local r = run("label -q examples/articles")
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    local n = 0
    for _ in pairs(expected) do n = n + 1 end
    assert.equal(n, #rows)
    local right, wrong = 0, {}
    for _, row in ipairs(rows) do
      local name = row[1]:match("[^/]+$")
      assert.truthy(expected[name], "unexpected sample " .. row[1])
      if expected[name] == row[2] then right = right + 1
      else wrong[#wrong + 1] = name .. " -> " .. row[2] end
    end
    assert.is_true(right >= n - 1, "misread samples: " .. table.concat(wrong, ", "))
  end)

  -- A few words (2 to 5 features) are too little evidence for a
  -- near-certain score, for or against a label: the short-story rule's
  -- moderation (models/README.md, design study step 10). Before it,
  -- "Man bites dog in park" scored other 1.0000 and cyber 0.0000. (The one
  -- word "today" still scores cyber 0.99: its weight, +0.49, is the
  -- whole text.)
  it("gives a few words no near-certain score", function()
    if not shipped_model("few-words test") then return end
    local texts = { "nice today", "The weather is nice today", "Man bites dog in park",
                    "Local bakery opens second shop" }
    local r = run("label -q -o jsonl", { stdin = table.concat(texts, "\n") .. "\n" })
    assert.equal(0, r.code, r.err)
    local n = 0
    for line in r.out:gmatch("[^\n]+") do
      n = n + 1
      for label, score in pairs(cjson.decode(line).scores) do
        assert.is_true(score > 0.01 and score < 0.99, texts[n] .. ": " .. label .. " " .. score)
      end
    end
    assert.equal(#texts, n)
  end)

  it("gives the two-topic sample of models/README.md both of its labels", function()
    if not shipped_model("two-topic sample") then return end
    local r = run("label -q examples/two-topics/space-agency-hack.txt")
    assert.equal(0, r.code, r.err)
    local labels = {}
    for l in tsv(r.out)[1][3]:gmatch("[^,]+") do labels[l] = true end
    assert.same({ politics = true, cyber = true }, labels)
  end)

  -- Calibration by source (models/README.md, design study step 11): it is
  -- trained on one file per corpus with --balance-inputs, so each of its
  -- three corpora weighs the same in each label's Platt fit.
  it("weighs its three training corpora alike in calibration", function()
    if not shipped_model("calibration-sources test") then return end
    local r = run("info -m models/news.model")
    assert.equal(0, r.code, r.err)
    assert.matches("\ncalibration_sources%s+3\n", r.out)
  end)
end)

-- models/prepare.lua --per-source gives the shipped model's training set
-- as one file per corpus (the DATA inputs of train --balance-inputs), named
-- so that a glob lists them in corpus order, with the records of the
-- one-file output in its order.
describe("models/prepare.lua", function()
  local corpora, relabel = TMP .. "/prepare-corpora", TMP .. "/prepare-relabel.tsv"
  local names = { "01-bbc.jsonl", "02-cyber.jsonl", "03-masakhanews_eng.jsonl" }

  local function prepare(args)
    return os.execute("lua5.4 models/prepare.lua " .. sh_quote(corpora) .. " " .. sh_quote(relabel) .. " "
                      .. args .. " 2>/dev/null")
  end

  setup(function()
    assert(lfs.mkdir(corpora))
    for i, corpus in ipairs({ "bbc", "cyber", "masakhanews_eng" }) do
      assert(lfs.mkdir(corpora .. "/" .. corpus))
      spit(corpora .. "/" .. corpus .. "/train.jsonl",
           string.format('{"id":"%s-1","text":"story %d","label":"other"}\n', corpus, i)
             .. string.format('{"id":"%s-2","text":"story %d","label":"sport"}\n', corpus, i + 3))
    end
    spit(relabel, "")
  end)

  it("writes a file per corpus with --per-source, together the one file's records in order", function()
    local dir = TMP .. "/prepare-out"
    assert(lfs.mkdir(dir))
    assert.truthy(prepare(sh_quote(TMP .. "/prepare-one.jsonl")))
    assert.truthy(prepare(sh_quote(dir) .. " --per-source"))
    local listed, joined = {}, {}
    for name in lfs.dir(dir) do
      if name:sub(1, 1) ~= "." then listed[#listed + 1] = name end
    end
    table.sort(listed)
    assert.same(names, listed)
    for i, name in ipairs(names) do
      joined[i] = slurp(dir .. "/" .. name)
      assert.equal(2, select(2, joined[i]:gsub("\n", "")), name)
    end
    assert.equal(slurp(TMP .. "/prepare-one.jsonl"), table.concat(joined))
  end)

  it("refuses an option it does not know", function()
    assert.falsy(prepare(sh_quote(TMP .. "/prepare-bad.jsonl") .. " --per-corpus"))
  end)
end)

describe("textclass.cli.csv", function()
  local csv = require "textclass.cli.csv"
  local parse = H.csv_records

  it("splits fields, with quotes, doubled quotes, commas and line breaks", function()
    assert.same({ { "a", "b", "c" } }, parse("a,b,c\n"))
    assert.same({ { "a", "", "" } }, parse("a,,\r\n"))
    assert.same({ { "x, y", 'say "hi"', "1\n2" } }, parse('"x, y","say ""hi""","1\n2"\n'))
    assert.same({ { "a" }, { "b" } }, parse("a\r\nb"))
    assert.same({ { "" } }, parse("\n"))
  end)

  it("reports an unterminated quoted field at its first line", function()
    assert.same({ { "ok" }, { error = "unterminated quoted field", line = 2 } }, parse('ok\n"open\nstill open\n'))
  end)

  -- The reader used to join the lines of an open quoted field and split the
  -- whole record again after each one: quadratic, so this 3.6 MB record (or
  -- a stray quote near the top of a big file) kept it busy for minutes.
  it("reads a quoted field of 100000 lines, and an unterminated one, line by line", function()
    local body = {}
    for i = 1, 100000 do body[i] = string.format('line %d, with a ""quote""\r\n', i) end
    local text = table.concat(body)
    local recs = parse('id,text\n7,"' .. text .. 'end",x\n8,next\n')
    assert.equal(3, #recs)
    assert.same({ "7", (text:gsub('""', '"')) .. "end", "x" }, recs[2])
    assert.same({ "8", "next" }, recs[3])
    recs = parse('id,text\n7,"never closed\n' .. text)
    assert.same({ error = "unterminated quoted field", line = 2 }, recs[2])
  end)

  -- A table slot per line of a quoted field (16 bytes for each 1-byte
  -- line) and per doubled quote made a record cost ten to twenty times its
  -- size; the pieces now stay near it. Measured after a full collection,
  -- while the record is being read: the first line, `each` a million times,
  -- then the last.
  it("holds a quoted field of a million line breaks or doubled quotes in memory near its size", function()
    local function read(first, each, last)
      collectgarbage("collect")
      local base, peak, n = collectgarbage("count"), 0, 0
      local rec = csv.records(function()
        n = n + 1
        if n % 250000 == 0 then
          collectgarbage("collect")
          peak = math.max(peak, collectgarbage("count") - base)
        end
        if n == 1 then return first end
        if n <= 1000001 then return each end
        if n == 1000002 then return last end
      end)()
      return rec, peak
    end
    for _, case in ipairs({ { '1,"x\n', "\n", '"\n', "x" .. ("\n"):rep(1000001) },
                            { '1,"\n', '""\n', '"\n', "\n" .. ('"\n'):rep(1000000) } }) do
      local rec, peak = read(case[1], case[2], case[3])
      assert.same({ "1", case[4] }, rec)
      assert.is_true(peak < 8 * 1024, string.format("%.0f KB held while reading 2 MB", peak))
    end
  end)

  it("stops at a record over its limit, and at a line the reader could not read", function()
    local lines = { 'a,b\n', '"one\n', 'two\n', 'three"\n', 'x\n' }
    local i = 0
    local recs = {}
    for rec, a, b in csv.records(function() i = i + 1; return lines[i] end, 12) do
      recs[#recs + 1] = rec and table.concat(rec, "|") or (a .. " @" .. b)
      if rec == false then break end
    end
    assert.same({ "a|b", "record longer than 12 bytes (an unterminated quote?) @2" }, recs)
    i = 0
    lines = { 'a\n', "", 'b\n' }
    local problems = { [2] = "line too long" }
    recs = {}
    for rec, a, b in csv.records(function() i = i + 1; return lines[i], problems[i] end) do
      recs[#recs + 1] = rec and table.concat(rec, "|") or (a .. " @" .. b)
      if rec == false then break end
    end
    assert.same({ "a", "line too long @2" }, recs)
  end)

  -- The rules of the module's header comment, one byte at a time: the
  -- reader (which works a line and a field at a time) must agree with it.
  local function reference(s)
    local out, fields, field = {}, {}, {}
    local state, line, first = "start", 1, 1  -- start, plain, quoted, closing, stray
    local function finish_field() fields[#fields + 1] = table.concat(field); field = {} end
    local function finish_record()
      finish_field()
      out[#out + 1] = fields
      fields, first = {}, line + 1
      state = "start"
    end
    local i, n = 1, #s
    while i <= n do
      local c = s:sub(i, i)
      local eol = (c == "\n" and 1) or (c == "\r" and s:sub(i + 1, i + 1) == "\n" and 2) or nil
      if state == "quoted" then
        if c == '"' then state = "closing" else field[#field + 1] = c end
        if c == "\n" then line = line + 1 end
        i = i + 1
      elseif state == "closing" and c == '"' then   -- a doubled quote
        field[#field + 1] = '"'
        state, i = "quoted", i + 1
      elseif eol then
        finish_record()
        line, i = line + 1, i + eol
      elseif c == "," then
        finish_field()
        state, i = "start", i + 1
      else
        if state == "start" and c == '"' then state = "quoted"
        else
          field[#field + 1] = c
          if state == "start" then state = "plain" elseif state == "closing" then state = "stray" end
        end
        i = i + 1
      end
    end
    if state == "quoted" then
      out[#out + 1] = { error = "unterminated quoted field", line = first }
    elseif i > 1 and s:sub(n, n) ~= "\n" then
      finish_record()
    end
    return out
  end

  it("agrees with a byte-at-a-time reading of its rules on 20000 random inputs", function()
    local pieces = { "a", "b", ",", '"', '""', "\n", "\r\n", "\r", " " }
    math.randomseed(7)
    for _ = 1, 20000 do
      local t = {}
      for k = 1, math.random(0, 16) do t[k] = pieces[math.random(#pieces)] end
      local s = table.concat(t)
      local want, got = reference(s), parse(s)
      if #got > 0 and got[#got].error then -- parse stops at an error, as the reference does
        for k = #want, #got + 1, -1 do want[k] = nil end
      end
      assert.same(want, got, string.format("input %q", s))
    end
  end)

  it("quotes only what needs quoting, and round-trips", function()
    assert.equal("a,b\r\n", csv.format({ "a", "b" }))
    assert.equal('"a,b","q""q"," lead","x\ny"\r\n', csv.format({ "a,b", 'q"q', " lead", "x\ny" }))
    local values = { "plain", "com,ma", 'quo"te', "new\nline", "" }
    assert.same({ values }, parse((csv.format(values):gsub("\r\n$", "\n"))))
  end)
end)

describe("textclass.cli.util", function()
  local util = require "textclass.cli.util"

  it("trims white space from both ends, in linear time", function()
    assert.equal("a b", util.trim(" \t a b \r\n"))
    assert.equal("", util.trim(" \n\t "))
    assert.equal("", util.trim(""))
    assert.equal("x", util.trim("x"))
    local blanks = string.rep(" ", 1000000) -- quadratic trimming takes hours on these
    assert.equal("a" .. blanks .. "b", util.trim("  a" .. blanks .. "b \n"))
    assert.equal("", util.trim(blanks))
    assert.equal("x", util.trim(blanks .. "x" .. blanks))
  end)

  it("splits a line from its line break", function()
    local function both(s) return { util.split_eol(s) } end
    assert.same({ "a", "\n" }, both("a\n"))
    assert.same({ "a", "\r\n" }, both("a\r\n"))
    assert.same({ "a\r", "" }, both("a\r"))
    assert.same({ "a\nb", "" }, both("a\nb"))
    assert.same({ "", "\n" }, both("\n"))
    assert.same({ "", "\r\n" }, both("\r\n"))
    assert.same({ "", "" }, both(""))
  end)
end)

describe("textclass.cli.report", function()
  local report = require "textclass.cli.report"

  it("notes a --threshold auto choice at the sweep's edge only when it beat the threshold beside it", function()
    local sweep = "0.05:0.8100/0.8000/0.7000,0.1:0.8000/0.8000/0.7000,0.5:0.8500/0.8000/0.7000," ..
                  "0.9:0.9000/0.8000/0.7000,0.95:0.9100/0.8000/0.7000"
    local info = { threshold_by = "cv_micro_f1", threshold = 0.95, cv_thresholds = sweep }
    assert.equal("--threshold auto chose 0.95, the highest threshold it tries (micro F1 0.9100; 0.9000 at 0.90): " ..
                 "a higher one may do better (eval --thresholds on held-out data tells)",
                 report.threshold_edge_note(info))
    info.threshold = 0.05
    assert.matches("^%-%-threshold auto chose 0%.05, the lowest threshold it tries %(micro F1 0%.8100; 0%.8000 at 0%.10%): " ..
                   "a lower one", report.threshold_edge_note(info))
    -- not at an edge; a tie with the one beside it; a threshold given with -t
    info.threshold = 0.5
    assert.is_nil(report.threshold_edge_note(info))
    info.threshold, info.cv_thresholds = 0.95, sweep:gsub("0%.95:0%.9100", "0.95:0.9000")
    assert.is_nil(report.threshold_edge_note(info))
    assert.is_nil(report.threshold_edge_note({ threshold = 0.95, cv_thresholds = sweep }))
  end)

  it("says a model's feature options in words", function()
    local o = { ngrams = { 1, 2 }, char_ngrams = false, title_terms = false, stopwords = "english", stem = "none",
                min_df = 2, max_df = 1, max_features = 0, sublinear_tf = true, use_idf = true, l2_normalize = true,
                strip_boilerplate = false }
    assert.equal("word n-grams 1-2, English stop words, min_df 2, sublinear TF-IDF, L2-normalised",
                 report.feature_options(o))
    o.ngrams, o.char_ngrams, o.stopwords, o.max_df = false, { 3, 5 }, "none", 0.5
    o.sublinear_tf, o.use_idf, o.l2_normalize = false, false, false
    assert.equal("character n-grams 3-5, no stop words, min_df 2, max_df 0.5, raw TF", report.feature_options(o))
  end)

  it("shows a model's metadata with its control characters escaped", function()
    -- a model file's META is not trusted: an escape sequence would drive the
    -- terminal, a line break would make a line of its own
    local out = report.info({ model = "m.model", ["x\27]0;t\7"] = "\27[31mRED\27[0m", notes = "a\nb",
                              c1 = "\194\15531mRED" }, { "sport", "a\tb" })
    assert.not_matches("%c", (out:gsub("\n", "")))
    assert.truthy(out:find("\\x1B[31mRED\\x1B[0m", 1, true), out)
    assert.truthy(out:find("x\\x1B]0;t\\x07", 1, true), out)
    assert.truthy(out:find("a\\x0Ab", 1, true), out)
    assert.truthy(out:find("sport, a\\x09b", 1, true), out)
    -- (C1 too: U+009B, CSI, is ESC [ to a terminal)
    assert.truthy(out:find("\\xC2\\x9B31mRED", 1, true), out)
  end)

  -- A tc.metrics over labels l1 .. ln, and the confusion part of its report
  -- as lines.
  local function metrics_of(n)
    local names = {}
    for i = 1, n do names[i] = "l" .. i end
    return require("textclass").metrics(names)
  end
  local function confusion_lines(m)
    return lines(report.evaluation(m:result()):match("\n(confusion matrix.*)$"))
  end

  it("prints the confusion matrix up to 20 columns", function()
    local m = metrics_of(20)
    m:add("l1", "l2")
    local out = confusion_lines(m)
    assert.equal("confusion matrix (rows: gold, columns: predicted):", out[1])
    assert.equal(22, #out)
    assert.matches("^  l1 +0 +1 +0", out[3])
  end)

  it("past 20 columns, lists the 20 largest cells off the diagonal, ties in label order, and how many more", function()
    local m = metrics_of(21)
    for _ = 1, 3 do m:add("l5", "l5") end   -- the diagonal: not a confusion
    for _ = 1, 2 do m:add("l3", "l1") end
    for i = 21, 1, -1 do m:add("l" .. i, "l" .. i % 21 + 1) end  -- l21 -> l1 first, l1 -> l2 last
    m:add("l1", "l3")
    local out = confusion_lines(m)
    assert.equal("confusion matrix: 21 columns, too many to print (more than 20); " ..
                 "the largest cells off its diagonal:", out[1])
    assert.matches("^  gold +predicted +documents$", out[2])
    local cells = {}
    for i = 3, #out - 1 do cells[#cells + 1] = table.concat({ out[i]:match("^  (%S+) +(%S+) +(%d+)$") }, " ") end
    assert.same({ "l3 l1 2", "l1 l2 1", "l1 l3 1", "l2 l3 1", "l3 l4 1", "l4 l5 1", "l5 l6 1", "l6 l7 1",
                  "l7 l8 1", "l8 l9 1", "l9 l10 1", "l10 l11 1", "l11 l12 1", "l12 l13 1", "l13 l14 1",
                  "l14 l15 1", "l15 l16 1", "l16 l17 1", "l17 l18 1", "l18 l19 1" }, cells)
    assert.equal("  (and 3 more: --json gives every cell)", out[#out])
  end)

  it("says when a matrix too wide to print has no cell off its diagonal", function()
    local m = metrics_of(21)
    m:add("l1", "l1")
    assert.same({ "confusion matrix: 21 columns, too many to print (more than 20); the largest cells off its diagonal:",
                  "  none: every top prediction is the first gold label" }, confusion_lines(m))
  end)
end)

describe("textclass.cli.args", function()
  local args = require "textclass.cli.args"
  local spec = { name = "t", synopsis = "", options = {
    { short = "n", long = "number", arg = "N", type = "integer", min = 1 },
    { short = "q", long = "quiet" },
    { short = "v", long = "verbose" },
    { long = "mode", arg = "M", choices = { "a", "b" }, default = "a" },
  } }
  local function fails(argv, pattern)
    local ok, e = pcall(args.parse, spec, argv)
    assert.is_false(ok)
    assert.equal(2, e.code)
    assert.matches(pattern, e.msg)
  end

  it("accepts GNU forms and options after operands", function()
    local o, ops = args.parse(spec, { "x", "-n", "3", "--mode=b", "-qv", "-", "--", "-n" })
    local given = o[args.GIVEN]
    o[args.GIVEN] = nil
    assert.same({ number = 3, quiet = true, verbose = true, mode = "b" }, o)
    assert.same({ number = true, quiet = true, verbose = true, mode = true }, given)
    assert.same({ "x", "-", "-n" }, ops)
    o = args.parse(spec, { "-n7", "--num", "8" })
    assert.equal(8, o.number)
    assert.equal("a", o.mode)
    assert.same({ number = true }, o[args.GIVEN]) -- the default mode was not given
  end)

  it("rejects mistakes with usage errors naming the option", function()
    fails({ "--nope" }, "unknown option '%-%-nope'")
    fails({ "-x" }, "unknown option '%-x'")
    fails({ "-n" }, "needs a value")
    fails({ "-n", "0" }, "below the minimum")
    fails({ "-n", "2.5" }, "not a whole number")
    fails({ "--mode", "c" }, "not one of a, b")
    fails({ "--quiet=1" }, "takes no value")
  end)
end)

describe("textclass label on awkward folders", function()
  it("cuts symlink loops and skips hidden entries", function()
    local dir = TMP .. "/loop"
    os.execute("mkdir -p " .. dir .. "/sub && ln -s .. " .. dir .. "/sub/up && " ..
               "echo 'The striker scored.' > " .. dir .. "/sub/a.txt && echo x > " .. dir .. "/.b.txt")
    local r = run("label -q -m " .. model() .. " " .. dir)
    assert.equal(0, r.code, r.err)
    local rows = tsv(r.out)
    assert.equal(1, #rows)
    assert.equal(dir .. "/sub/a.txt", rows[1][1])
  end)

  it("skips a saved page's resource folder (X_files beside X.html), for label and train, unless named", function()
    local dir = TMP .. "/saved"
    os.execute("mkdir -p " .. dir .. "/sport/match_files " .. dir .. "/sport/notes_files " .. dir .. "/page_files")
    spit(dir .. "/sport/match.html", "<html><body><p>The striker scored twice in the cup final.</p></body></html>")
    spit(dir .. "/sport/match_files/analytics.js", "function track(){ var hack = 'password'; }")
    spit(dir .. "/sport/match_files/logo.png", "\137PNG\r\n\26\n\0\0\0")
    -- no notes.html beside it: an ordinary folder
    spit(dir .. "/sport/notes_files/a.txt", "The goalkeeper saved a penalty.")
    -- page_files beside no page: an ordinary folder too
    spit(dir .. "/page_files/b.txt", "The goalkeeper saved a penalty.")
    local r = run("label -q -m " .. model() .. " " .. dir)
    assert.equal(0, r.code, r.err)
    local ids = {}
    for _, row in ipairs(tsv(r.out)) do ids[#ids + 1] = row[1] end
    assert.same({ dir .. "/page_files/b.txt", dir .. "/sport/match.html", dir .. "/sport/notes_files/a.txt" }, ids)
    -- named as an operand, the folder is read
    r = run("label -q -m " .. model() .. " " .. dir .. "/sport/match_files")
    assert.equal(2, #tsv(r.out))
    -- train's label folders skip it too (the .png would be a bad record)
    spit(dir .. "/sport/x.txt", "The team won the league.")
    os.execute("mkdir -p " .. dir .. "/cyber && echo 'Hackers stole passwords.' > " .. dir .. "/cyber/a.txt && " ..
               "echo 'Ransomware hit the hospital.' > " .. dir .. "/cyber/b.txt && rm -r " .. dir .. "/page_files")
    r = run("train -q --min-df 1 -o " .. TMP .. "/saved.model " .. dir)
    assert.equal(0, r.code, r.err)
  end)

  it("gives a FIFO inside a folder an error record, without opening it", function()
    local dir = TMP .. "/withfifo"
    os.execute("mkdir -p " .. dir .. " && mkfifo " .. dir .. "/b.pipe && " ..
               "echo 'The striker scored.' > " .. dir .. "/a.txt && echo 'The vote.' > " .. dir .. "/c.txt")
    local r = run("label -q -m " .. model() .. " " .. dir)
    assert.equal(1, r.code, r.err)
    local rows = tsv(r.out)
    assert.equal(3, #rows)
    assert.same({ dir .. "/b.pipe", "", "", "", "not a regular file (named pipe)" }, rows[2])
    assert.same({ dir .. "/a.txt", dir .. "/c.txt" }, { rows[1][1], rows[3][1] })
  end)

  -- Regression: a socket named as an operand was opened, and its record said
  -- "No such device or address"; inside a folder it was not opened already
  it("gives a socket, named or inside a folder, the error a folder's socket gets", function()
    if not os.execute("command -v python3 >/dev/null") then
      print("SKIPPED: no python3 to make a socket")
      return
    end
    local dir = TMP .. "/withsocket"
    os.execute("mkdir -p " .. dir)
    os.execute("python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' " .. dir .. "/s.sock")
    local r = run("label -q -m " .. model() .. " " .. dir .. "/s.sock " .. dir)
    assert.equal(1, r.code, r.err)
    local want = { dir .. "/s.sock", "", "", "", "not a regular file (socket)" }
    assert.same({ want, want }, tsv(r.out))
    local x = run("explain -m " .. model() .. " " .. dir .. "/s.sock")
    assert.equal("textclass: " .. dir .. "/s.sock: not a regular file (socket)\n", x.err)
  end)

  it("labels an empty folder as nothing, successfully", function()
    os.execute("mkdir -p " .. TMP .. "/void")
    local r = run("label -m " .. model() .. " " .. TMP .. "/void")
    assert.equal(0, r.code, r.err)
    assert.equal("", r.out)
    assert.matches("0 documents", r.err)
  end)
end)
