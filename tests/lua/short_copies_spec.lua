-- short_copies_spec.lua - `textclass train --short-copies N` and the module
-- behind it (textclass.cli.short_copies): which documents get a cut copy,
-- what the copy holds, and that the command line trains on the copies.
-- Run from the top of the tree.

local cjson = require "cjson.safe"
local H = dofile("tests/lua/cli_helpers.lua")
local sc = dofile("lua/textclass/cli/short_copies.lua")
local D, TMP, run = H.D, H.TMP, H.run

teardown(H.cleanup)

describe("short_copies.cut", function()
  it("keeps the title and the body's first N words", function()
    assert.equal("Rates held\n\nThe central bank", sc.cut("Rates held\n\nThe central bank kept rates", 3))
  end)

  it("takes a blank line with spaces or CRLF as the title's end", function()
    assert.equal("Title\n\none two", sc.cut("Title\r\n \t\r\none two three", 2))
    assert.equal("Title\n\none two", sc.cut("Title\n   \none  two\n\nthree", 2))
  end)

  it("treats a text without a blank line as all body", function()
    assert.equal("\n\nTitle line one", sc.cut("Title line\none two", 3))
  end)

  it("gives no copy when the body has N words or fewer", function()
    assert.is_nil(sc.cut("Title\n\none two three", 3))
    assert.is_nil(sc.cut("one two three", 3))
    assert.is_nil(sc.cut("", 1))
    assert.is_nil(sc.cut("Title only\n\n", 1))
    assert.is_nil(sc.cut("Title only\n\n  \n ", 1))
  end)

  it("cuts between words, never inside a UTF-8 character", function()
    local c = sc.cut("Überschrift\n\nzwölf Tore für München gestern", 3)
    assert.equal("Überschrift\n\nzwölf Tore für", c)
    assert.truthy(utf8.len(c))
  end)

  it("joins the words with single spaces whatever separated them", function()
    assert.equal("T\n\na b", sc.cut("T\n\na\t\tb \n c", 2))
  end)
end)

describe("short_copies.add", function()
  it("appends one copy per long enough document, with its label", function()
    local multi = { "sport", "politics" }
    local texts = { "A\n\none two three", "B\n\none", "C\n\nx y z w" }
    local labels = { "sport", "other", multi }
    assert.equal(2, sc.add(texts, labels, 2))
    assert.same({ "A\n\none two three", "B\n\none", "C\n\nx y z w", "A\n\none two", "C\n\nx y" }, texts)
    assert.same({ "sport", "other", multi, "sport", multi }, labels)
    assert.equal(multi, labels[5])
  end)

  it("adds nothing when no document is longer than the cut", function()
    local texts, labels = { "a b", "c" }, { "x", "y" }
    assert.equal(0, sc.add(texts, labels, 5))
    assert.equal(2, #texts)
    assert.equal(2, #labels)
  end)
end)

-- How many fixture documents have more than n words: the fixture texts
-- have no blank line, so each of those gets a copy.
local function longer_than(n)
  local count = 0
  for line in io.lines(D .. "/train.jsonl") do
    local doc = cjson.decode(line)
    local words = 0
    for _ in doc.text:gmatch("%S+") do words = words + 1 end
    if words > n then count = count + 1 end
  end
  return count
end

describe("textclass train --short-copies", function()
  it("trains on the documents and their cut copies", function()
    local n = 17
    local expected = longer_than(n)
    assert.is_true(expected > 0 and expected < 36, "fixture: " .. expected .. " documents over " .. n .. " words")
    local out = TMP .. "/copies.model"
    local r = run("train --min-df 1 --short-copies " .. n .. " -o " .. out .. " " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    assert.matches("trained on 36 documents %(%+ " .. expected .. " short copies%), 4 labels", r.err)
    local info = cjson.decode(run("info --json -m " .. out).out)
    assert.equal(36 + expected, info.documents)
    -- the model still labels its whole training texts
    local e = cjson.decode(run("eval --json -m " .. out .. " " .. D .. "/train.jsonl").out)
    assert.is_true(e.accuracy >= 0.9, "training accuracy " .. tostring(e.accuracy))
  end)

  it("says nothing about copies when no document is long enough", function()
    local r = run("train --min-df 1 --short-copies 1000 -o " .. TMP .. "/none.model " .. D .. "/train.jsonl")
    assert.equal(0, r.code, r.err)
    assert.matches("trained on 36 documents, 4 labels", r.err)
  end)

  it("refuses --cv and --grid, whose folds would hold a document's copy", function()
    for _, extra in ipairs({ "--cv 3", "--grid" }) do
      local r = run("train --short-copies 5 " .. extra .. " -o " .. TMP .. "/x.model " .. D .. "/train.jsonl")
      assert.equal(2, r.code, extra)
      assert.matches("%-%-short%-copies cannot be used with %-%-cv or %-%-grid", r.err)
    end
  end)

  it("refuses a count that is not a positive integer", function()
    for _, bad in ipairs({ "0", "-3", "2.5", "many" }) do
      local r = run("train --short-copies " .. bad .. " -o " .. TMP .. "/x.model " .. D .. "/train.jsonl")
      assert.equal(2, r.code, bad)
      assert.matches("%-%-short%-copies", r.err)
    end
  end)
end)
