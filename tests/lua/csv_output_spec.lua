-- csv_output_spec.lua - label -o csv carries a CSV input's columns: the
-- id, the input's other columns (text columns too) in its order, then
-- label, labels, scores, error; on the module's path (model:label_records)
-- and the Lua writers' (-j 2, a Lua classifier) alike. The header is
-- written once: the first input's columns, a later file's matched by
-- name, the rest left out with a warning; records of inputs without
-- columns, and failed ones, keep their place. Helpers in cli_helpers.lua.

local H = dofile("tests/lua/cli_helpers.lua")
local D, TMP = H.D, H.TMP
local run, spit, model, csv_records = H.run, H.spit, H.model, H.csv_records
local util_concat = require("textclass.cli.util").concat

teardown(H.cleanup)

local OURS = { "label", "labels", "scores", "error" }

-- label -q -o csv ARGS with the fixture model, on the module's path and
-- on the Lua writers' (-j 2: batches overlapped), which must agree;
-- returns the run and its records.
local function label_csv(args, opts)
  local r = run("label -q -o csv -m " .. model() .. " " .. args, opts)
  local overlapped = run("label -q -o csv -j 2 -b 2 -m " .. model() .. " " .. args, opts)
  assert.equal(r.out, overlapped.out, args)
  return r, csv_records(r.out)
end

-- A record's carried cells and our columns after them, by the header.
local function by_name(header, rec)
  local out = {}
  for i, name in ipairs(header) do
    assert.is_nil(out[name], "two columns named " .. name)
    out[name] = rec[i]
  end
  return out
end

describe("label -o csv with CSV input", function()
  it("carries the input's columns, text columns too, after the id, values as read", function()
    local path = TMP .. "/articles.csv"
    -- (RFC 4180 both ways: separators, doubled quotes, CRLF and LF inside
    -- quotes, spaces at the ends, a formula-looking cell, an empty one)
    spit(path, 'id,headline,body,source,url\r\n' ..
               'a1,"Vote, again","The parliament vote on the budget, said ""the minister"".",wire,"=HYPERLINK(""x"")"\r\n' ..
               'a2,Match,"The striker scored.\r\nFans sang.\nTwice.", afp ,\r\n')
    local r, recs = label_csv("--text-column headline,body " .. path)
    assert.equal(0, r.code, r.err)
    assert.same(H.csv_records(H.slurp(path))[1], { "id", "headline", "body", "source", "url" })
    assert.same(util_concat({ "id", "headline", "body", "source", "url" }, OURS), recs[1])
    local input = H.csv_records(H.slurp(path))
    for i = 2, 3 do
      for c = 1, 5 do assert.equal(input[i][c], recs[i][c]) end
    end
    assert.equal("politics", recs[2][6])
    assert.equal("sport", recs[3][6])
    assert.equal("", recs[3][9])
    -- written as read, unaltered (a spreadsheet may take it for a formula)
    assert.truthy(r.out:find(',wire,"=HYPERLINK(""x"")",politics,', 1, true), r.out)
    assert.truthy(r.out:find(',Match,"The striker scored.\r\nFans sang.\nTwice."," afp ",,sport,', 1, true), r.out)
    -- the same records from a Lua classifier's path
    local lua = run("label -q -o csv -c " .. D .. "/always-sport.lua --text-column headline,body " .. path)
    local lrecs = csv_records(lua.out)
    assert.same(recs[1], lrecs[1])
    for i = 2, 3 do
      for c = 1, 5 do assert.equal(input[i][c], lrecs[i][c]) end
    end
  end)

  it("takes the id column as the id, other columns of its name as theirs", function()
    local path = TMP .. "/ids.csv"
    spit(path, "key,text,id\nk1,The striker scored a goal.,7\n")
    local _, recs = label_csv("--id-column key " .. path)
    assert.same(util_concat({ "id", "text", "input_id" }, OURS), recs[1])
    assert.same({ "k1", "The striker scored a goal.", "7" }, { recs[2][1], recs[2][2], recs[2][3] })
    -- without an id column, the id is FILE:LINE and every column is carried
    spit(path, "text,n\nThe striker scored a goal.,1\n")
    _, recs = label_csv(path)
    assert.same(util_concat({ "id", "text", "n" }, OURS), recs[1])
    assert.equal(path .. ":2", recs[2][1])
  end)

  it("renames a column named as one of ours input_<name>, again while taken", function()
    local path = TMP .. "/ours.csv"
    spit(path, "id,text,label,input_label,scores,error,labels\n" ..
               "a,The striker scored a goal.,gold,x,s,e,l\n")
    local r, recs = label_csv(path)
    assert.equal(0, r.code, r.err)
    assert.same(util_concat({ "id", "text", "input_input_label", "input_label", "input_scores", "input_error",
                              "input_labels" }, OURS), recs[1])
    local rec = by_name(recs[1], recs[2])
    assert.same({ "gold", "x", "s", "e", "l", "sport", "" },
                { rec.input_input_label, rec.input_label, rec.input_scores, rec.input_error, rec.input_labels,
                  rec.label, rec.error })
  end)

  it("keeps a failed record's columns beside its error", function()
    local path = TMP .. "/bad.csv"
    spit(path, "id,text,source\n" ..
               "e1,,wire\n" ..                               -- empty text
               "e2,The striker scored,twice,afp\n" ..        -- a field too many
               "e3\n" ..                                     -- too few
               "\n" ..                                       -- a blank line
               "id,text,source\n" ..                         -- the header again
               "e4,Hackers stole passwords.,blog\n")
    local r, recs = label_csv(path)
    assert.equal(1, r.code)
    assert.same(util_concat({ "id", "text", "source" }, OURS), recs[1])
    assert.same({ "e1", "", "wire", "", "", "", path .. ":2: empty document" }, recs[2])
    assert.same({ "e2", "The striker scored", "twice", "", "", "", path .. ":3: record has 4 fields, the header 3" },
                recs[3])
    assert.same({ "e3", "", "", "", "", "", path .. ":4: record has 1 field, the header 3" }, recs[4])
    assert.same({ path .. ":5", "", "", "", "", "", "empty line (no CSV record)" }, recs[5])
    assert.same({ path .. ":6", "text", "source", "", "", "", "the header again (a file joined after another?)" },
                recs[6])
    assert.same({ "e4", "Hackers stole passwords.", "blog", "cyber" }, { table.unpack(recs[7], 1, 4) })
  end)

  it("writes the header of a file without records, and none with --no-header", function()
    local path = TMP .. "/none.csv"
    spit(path, "id,headline,text\n")
    local r = label_csv(path)
    assert.equal("id,headline,text,label,labels,scores,error\r\n", r.out)
    spit(path, "id,headline,text\nh1,Goal,The striker scored a goal.\n")
    r = label_csv("--no-header " .. path)
    assert.matches("^h1,Goal,The striker scored a goal%.,sport,", r.out)
    r = label_csv("--header " .. path)
    assert.matches("^id,headline,text,label,labels,scores,error\r\nh1,Goal,", r.out)
  end)

  it("carries the columns of stdin read as CSV", function()
    local input = "id,text,desk\ns1,The striker scored a goal.,sport desk\n"
    local r, recs = label_csv("-i csv -", { pipe = "printf '" .. input .. "'" })
    assert.equal(0, r.code, r.err)
    assert.same(util_concat({ "id", "text", "desk" }, OURS), recs[1])
    assert.same({ "s1", "The striker scored a goal.", "sport desk", "sport" }, { table.unpack(recs[2], 1, 4) })
  end)
end)

-- A batch closes once it holds 64 MiB (without -b), which counted the
-- texts alone: rows of ten 20 KB columns beside a 2 KB text, carried by
-- -o csv, filled 1024-document batches (-j 2) of 200 MB, 1.4 GB at the
-- peak. A record's carried cells and fields count too.
describe("label's batch bytes", function()
  it("count a record's text, its carried cells (the text's once) and its fields", function()
    local label = require "textclass.cli.label"
    local text = string.rep("t", 10)
    assert.equal(10 + 3 + 2, label.held_bytes({ text = text, cells = { "id1", text, "ab" } }))
    assert.equal(10 + 5 + 2, label.held_bytes({ text = text, fields = { a = '"xyz"', b = "[]" } }))
    assert.equal(7, label.held_bytes({ error = "x", cells = { "id", "abcde" } }))
    assert.equal(0, label.held_bytes({ error = "no text" }))
  end)
end)

describe("label -o csv with several inputs", function()
  local a, b = TMP .. "/a.csv", TMP .. "/b.csv"

  it("writes one header: the first file's columns, a later file's by name", function()
    spit(a, "id,text,source,note,note\na1,The striker scored a goal.,wire,n1,n2\n")
    -- the same columns in another order, one of them missing, one more
    spit(b, "note,extra,text,id\nm1,E,Hackers stole passwords.,b1\n")
    local r, recs = label_csv(a .. " " .. b)
    assert.same(util_concat({ "id", "text", "source", "note", "note" }, OURS), recs[1])
    assert.same({ "a1", "The striker scored a goal.", "wire", "n1", "n2" }, { table.unpack(recs[2], 1, 5) })
    assert.same({ "b1", "Hackers stole passwords.", "", "m1", "" }, { table.unpack(recs[3], 1, 5) })
    assert.equal(3, #recs)
    -- the column left out is named, unless -q
    assert.equal("", r.err)
    r = run("label -o csv -m " .. model() .. " " .. a .. " " .. b)
    assert.truthy(r.err:find("textclass: " .. b .. ": column 'extra' left out: a CSV output's header is written " ..
                             "once, with the first input's columns (" .. a .. "'s); label " .. b ..
                             " on its own to keep them\n", 1, true), r.err)
    -- files of one header: no warning
    r = run("label -o csv -m " .. model() .. " " .. a .. " " .. a)
    assert.is_nil(r.err:find("left out", 1, true), r.err)
  end)

  it("gives the records of inputs without columns empty cells, and JSONL's fields none", function()
    spit(a, "id,text,source\na1,The striker scored a goal.,wire\n")
    local _, recs = label_csv(a .. " " .. D .. "/docs/02-final.txt " .. D .. "/articles.jsonl")
    assert.same(util_concat({ "id", "text", "source" }, OURS), recs[1])
    assert.same({ D .. "/docs/02-final.txt", "", "" }, { table.unpack(recs[3], 1, 3) })
    for i = 2, #recs do assert.equal(7, #recs[i]) end
    assert.same({ "a1", "", "" }, { recs[4][1], recs[4][2], recs[4][3] }) -- (articles.jsonl's a1 has a source)
  end)

  it("carries no columns when the first input is not a CSV file, or fails before its header", function()
    spit(b, "id,text,source\nb1,Hackers stole passwords.,blog\n")
    for _, first in ipairs({ D .. "/docs/02-final.txt", TMP .. "/missing.csv", D .. "/articles.jsonl" }) do
      local r = run("label -o csv -m " .. model() .. " " .. first .. " " .. b)
      local recs = csv_records(r.out)
      assert.same({ "id", "label", "labels", "scores", "error" }, recs[1])
      assert.equal("b1", recs[#recs][1])
      assert.equal(5, #recs[#recs])
      assert.truthy(r.err:find("textclass: " .. b .. ": columns 'text', 'source' left out: a CSV output's header " ..
                               "is written once, with the first input's columns (" .. first .. " has none); label " ..
                               b .. " on its own to keep them\n", 1, true), r.err)
    end
  end)
end)

describe("label's other outputs with CSV input", function()
  it("are as they were: TSV has our five columns, JSONL the other columns as fields", function()
    local path = TMP .. "/other.csv"
    spit(path, "id,text,source\nx1,The striker scored a goal.,wire\n")
    local row = H.tsv(run("label -q -m " .. model() .. " " .. path).out)[1]
    assert.equal(5, #row)
    local rec = H.jsonl(run("label -q -o jsonl -m " .. model() .. " " .. path).out)[1]
    assert.equal("wire", rec.source)
    assert.is_nil(rec.text)
  end)
end)
