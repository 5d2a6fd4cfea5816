-- scale_spec.lua - inputs crafted to cost more than their size: each case is
-- sized so that the code before its fix took minutes (or gigabytes) on it,
-- and checks what comes out, never how long it took. (feed_spec holds the
-- feed reader's case.)
local cjson = require "cjson.safe"
local tables = require "textclass.cli.tables"
local H = dofile("tests/lua/cli_helpers.lua")
local TMP, spit, run, jsonl, lines, model = H.TMP, H.spit, H.run, H.jsonl, H.lines, H.model

teardown(H.cleanup)

describe("textclass.cli.tables", function()
  it("pads columns to at most 100 characters: a wider cell overflows its own row", function()
    local long = ("x"):rep(200000)
    local out = lines(tables.render({ { "label", "n" }, { long, "1" }, { "a", "2" } }))
    assert.equal(("label" .. (" "):rep(95) .. "  n"), out[1])
    assert.equal(long .. "  1", out[2])
    assert.equal("a" .. (" "):rep(99) .. "  2", out[3])
  end)

  it("drops a row's trailing white space in time of its length (300 KB of it here)", function()
    local out = lines(tables.render({ { "a", (" "):rep(300000) }, { "b", "1" } }))
    assert.same({ "a", "b  " .. (" "):rep(99) .. "1" }, out)
  end)
end)

describe("textclass eval", function()
  it("gives the confusion matrix a column per label the classifier predicts, not per gold label", function()
    local t = {}
    for i = 1, 20000 do t[i] = "__label__tag" .. i .. " The striker scored twice in the derby.\n" end
    spit(TMP .. "/tags.txt", table.concat(t))
    local r = run("eval --json -i fasttext -m " .. model() .. " " .. TMP .. "/tags.txt")
    assert.equal(0, r.code, r.err)
    local j = assert(cjson.decode(r.out))
    assert.equal(20004, #j.labels)
    table.sort(j.predicted_labels)
    assert.same({ "cyber", "other", "politics", "sport" }, j.predicted_labels)
    local row, sum = j.confusion.tag20000, 0
    for p, n in pairs(row) do
      assert.truthy(H.LABELS[p], p)
      sum = sum + n
    end
    assert.equal(1, sum)
    -- the text report: a row per label, the classifier's four columns
    r = run("eval -i fasttext -m " .. model() .. " " .. TMP .. "/tags.txt")
    assert.equal(0, r.code, r.err)
    local matrix = lines(r.out:match("confusion matrix[^\n]*\n(.*)$"))
    assert.equal(20005, #matrix)
    local columns = {}
    for name in matrix[1]:sub(#"  gold \\ predicted" + 1):gmatch("%S+") do columns[#columns + 1] = name end
    table.sort(columns)
    assert.same({ "cyber", "other", "politics", "sport" }, columns)
  end)
end)

describe("textclass eval with a classifier of 3,000 labels", function()
  -- (the old report printed the whole matrix, a cell for every label and
  -- column: 9 million here, for 4 documents; --json held them too)
  it("lists the largest confusions instead of a matrix too wide to print, and --json only the cells that are not 0", function()
    local names = {}
    for i = 1, 3000 do names[i] = string.format("%q", "l" .. i) end
    spit(TMP .. "/wide.lua", "local names = {" .. table.concat(names, ",") .. "}\n" ..
         "return { labels = function() return names end,\n" ..
         "  predict = function(text) local l = text:match('says (%S+)'); return { label = l, labels = { l } } end }\n")
    spit(TMP .. "/wide.txt", "__label__l1 says l1\n__label__l2 says l3\n__label__l2 says l3\n__label__l3000 says l1\n")
    local r = run("eval -q -c " .. TMP .. "/wide.lua " .. TMP .. "/wide.txt")
    assert.equal(0, r.code, r.err)
    assert.not_matches("gold \\ predicted", r.out)
    local list = lines(r.out:match("\nconfusion matrix: 3000 columns, too many to print %(more than 20%); " ..
                                   "the largest cells off its diagonal:\n(.*)$"))
    assert.same({ "  gold   predicted  documents", "  l2     l3                 2", "  l3000  l1                 1" }, list)
    r = run("eval -q --json -c " .. TMP .. "/wide.lua " .. TMP .. "/wide.txt")
    assert.equal(0, r.code, r.err)
    local j = assert(cjson.decode(r.out))
    local cells = 0
    for _, row in pairs(j.confusion) do for _ in pairs(row) do cells = cells + 1 end end
    assert.equal(3, cells)
    assert.same({ 3000, 1, 2 }, { #j.predicted_labels, j.confusion.l1.l1, j.confusion.l2.l3 })
  end)
end)

describe("textclass label -i csv -o jsonl", function()
  -- (copying fields over the whole header for each record, as before:
  -- 100,000 columns x 20,000 records)
  it("copies a record's fields in time of its own length, whatever the header's", function()
    local cols = { "id", "text" }
    for i = 3, 100000 do cols[i] = "c" .. i end
    spit(TMP .. "/wide.csv", table.concat(cols, ",") .. "\n" .. ("short,row,x\n"):rep(20000))
    local r = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/wide.csv")
    assert.equal(1, r.code)
    local rows = jsonl(r.out)
    assert.equal(20000, #rows)
    for _, i in ipairs({ 1, 20000 }) do
      assert.same({ "short", "x", TMP .. "/wide.csv:" .. (i + 1) .. ": record has 3 fields, the header 100000" },
                  { rows[i].id, rows[i].c3, rows[i].error })
    end
  end)
end)
