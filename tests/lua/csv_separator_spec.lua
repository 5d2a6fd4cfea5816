-- csv_separator_spec.lua - the csv input format with another separator
-- than a comma: --separator (, ; | tab), .tsv files read as csv with tabs,
-- the same RFC 4180 rules and error records as with commas, the header
-- hint for a file read with the wrong separator, and a UTF-16 Excel
-- "Unicode Text" export end to end. Helpers in cli_helpers.lua.

local H = dofile("tests/lua/cli_helpers.lua")
local D, TMP = H.D, H.TMP
local run, spit, slurp, tsv, jsonl, model = H.run, H.spit, H.slurp, H.tsv, H.jsonl, H.model
local csv = require "textclass.cli.csv"

teardown(H.cleanup)

-- One record with fields separated by sep, quoted as a spreadsheet quotes
-- them (when a field holds the separator, a quote or a line break).
local function record(sep, values)
  local out = {}
  for i, v in ipairs(values) do
    if v:find(sep, 1, true) or v:find('["\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
    out[i] = v
  end
  return table.concat(out, sep) .. "\r\n"
end

-- The records of a CSV file (as tables of fields), written again with sep.
local function convert(path, sep)
  local f = assert(io.open(path, "rb"))
  local out = {}
  for rec in csv.records(function() return f:read("L") end) do out[#out + 1] = record(sep, rec) end
  f:close()
  return table.concat(out)
end

-- UTF-8 text as UTF-16LE after a byte order mark, as Excel writes it.
local function u16(s)
  local out = { "\255\254" }
  for _, c in utf8.codes(s) do
    if c >= 0x10000 then
      c = c - 0x10000
      local hi, lo = 0xD800 | (c >> 10), 0xDC00 | (c & 0x3FF)
      out[#out + 1] = string.char(hi & 255, hi >> 8, lo & 255, lo >> 8)
    else
      out[#out + 1] = string.char(c & 255, c >> 8)
    end
  end
  return table.concat(out)
end

-- Articles whose fields hold every separator, quotes and line breaks.
local HEADER = { "id", "title", "text" }
local ROWS = {
  { "k1", "Vote, again; and\tagain | now", 'The parliament vote on the budget, said the minister; is close.' },
  { "k2", "Match", 'The striker scored\ttwice; fans sang "champions" | in the stadium.' },
  { "k3", "Breach", "Hackers stole passwords\r\nin a data breach at the bank." },
}
local function table_with(sep)
  local out = { record(sep, HEADER) }
  for i, row in ipairs(ROWS) do out[i + 1] = record(sep, row) end
  return table.concat(out)
end

describe("textclass.cli.csv with a separator", function()
  it("names the separators --separator takes, and refuses others", function()
    for name, sep in pairs({ [","] = ",", comma = ",", [";"] = ";", semicolon = ";", ["|"] = "|",
                             pipe = "|", tab = "\t", TAB = "\t", ["\\t"] = "\t", ["\t"] = "\t" }) do
      assert.equal(sep, csv.separator(name), name)
    end
    for _, bad in ipairs({ '"', "\r", "\n", ":", " ", "", ",,", "tabs", "\\n", "x" }) do
      local sep, why = csv.separator(bad)
      assert.is_nil(sep, bad)
      assert.matches("is not a separator: give , ; | or tab", why)
    end
    -- control characters shown escaped, as every message shows them
    -- (util.escape_controls): C0, DEL and C1, which terminals obey too
    for bad, shown in pairs({ ["\r"] = "\\x0D", ["x\ny"] = "x\\x0Ay", ["\127"] = "\\x7F",
                              ["\194\133"] = "\\xC2\\x85", ["\194\155" .. "2J"] = "\\xC2\\x9B2J" }) do
      assert.equal("'" .. shown .. "' is not a separator: give , ; | or tab (or comma, semicolon, pipe)",
                   select(2, csv.separator(bad)))
    end
  end)

  -- A separator is read exactly as a comma is: swapping the two bytes in
  -- the input and in the fields read gives the comma reading.
  it("reads each separator as it reads commas, on 5000 random inputs each", function()
    local parse = H.csv_records
    math.randomseed(11)
    for _, sep in ipairs({ "\t", ";", "|" }) do
      local swap = { [","] = sep, [sep] = "," }
      local function swapped(s) return (s:gsub("[," .. (sep == "\t" and "\t" or "%" .. sep) .. "]", swap)) end
      local pieces = { "a", ",", sep, '"', '""', "\n", "\r\n", " " }
      for _ = 1, 5000 do
        local t = {}
        for k = 1, math.random(0, 14) do t[k] = pieces[math.random(#pieces)] end
        local s = table.concat(t)
        local want = parse(swapped(s), ",")
        for _, rec in ipairs(want) do
          if not rec.error then for k, v in ipairs(rec) do rec[k] = swapped(v) end end
        end
        assert.same(want, parse(s, sep), string.format("input %q, separator %q", s, sep))
      end
    end
  end)
end)

describe("textclass label with --separator", function()
  it("reads tab, semicolon and pipe files as it reads the same CSV", function()
    spit(TMP .. "/sep-comma.csv", table_with(","))
    local base = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/sep-comma.csv")
    assert.equal(0, base.code, base.err)
    local rows = jsonl(base.out)
    assert.same({ "k1", "k2", "k3" }, { rows[1].id, rows[2].id, rows[3].id })
    assert.equal(ROWS[1][2], rows[1].title)
    assert.same({ "politics", "sport", "cyber" }, { rows[1].label, rows[2].label, rows[3].label })
    for _, case in ipairs({ { "\t", "tab" }, { "\t", "'\t'" }, { "\t", "'\\t'" }, { ";", "';'" },
                            { ";", "semicolon" }, { "|", "'|'" } }) do
      spit(TMP .. "/sep.txt", table_with(case[1]))
      local r = run("label -q -o jsonl -i csv --separator " .. case[2] .. " -m " .. model() .. " " .. TMP .. "/sep.txt")
      assert.equal(0, r.code, r.err)
      assert.equal(base.out, r.out, case[2])
      -- stdin, and --separator=X
      r = run("label -q -o jsonl -i csv --separator=" .. case[2] .. " -m " .. model(), { stdin_file = TMP .. "/sep.txt" })
      assert.equal(base.out, r.out, case[2])
    end
  end)

  it("reads a .tsv file as csv with tabs, unless --separator or --input tsv says otherwise", function()
    spit(TMP .. "/sep.tsv", table_with("\t"))
    spit(TMP .. "/sep-comma.csv", table_with(","))
    local base = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/sep-comma.csv")
    local r = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/sep.tsv")
    assert.equal(0, r.code, r.err)
    assert.equal(base.out, r.out)
    r = run("label -q -o jsonl -i csv -m " .. model() .. " " .. TMP .. "/sep.tsv")
    assert.equal(base.out, r.out)
    -- --separator wins over the extension
    spit(TMP .. "/semi.tsv", table_with(";"))
    r = run("label -q -o jsonl --separator semicolon -m " .. model() .. " " .. TMP .. "/semi.tsv")
    assert.equal(base.out, r.out)
    -- --input tsv is still ID<TAB>TEXT lines, with no header
    spit(TMP .. "/pairs.tsv", "x1\tThe striker scored twice in the final.\n")
    local rows = tsv(run("label -q -i tsv -m " .. model() .. " " .. TMP .. "/pairs.tsv").out)
    assert.same({ "x1", "sport" }, { rows[1][1], rows[1][2] })
  end)

  it("writes -o csv with commas whatever the input's separator", function()
    spit(TMP .. "/sep.tsv", table_with("\t"))
    local r = run("label -q -o csv -m " .. model() .. " " .. TMP .. "/sep.tsv")
    assert.equal(0, r.code, r.err)
    -- (the carried columns, quoted for commas: tabs, ; and | need no quotes there)
    local carried = H.csv_records(r.out)
    assert.same({ "id", "title", "text", "label", "labels", "scores", "error" }, carried[1])
    for i, row in ipairs(ROWS) do assert.same(row, { table.unpack(carried[i + 1], 1, 3) }) end
    assert.matches('^id,title,text,label,labels,scores,error\r\nk1,"Vote, again; and\tagain | now",', r.out)
  end)

  it("keeps the error records: ragged and blank records, an unterminated quote, a column twice", function()
    spit(TMP .. "/ragged.tsv", "id\ttext\n1\tThe striker scored\ttwice\n2\n\n3\tThe minister resigned\n" ..
                               '4\t"never closed\n5\tmore\n')
    local r = run("label -q -m " .. model() .. " " .. TMP .. "/ragged.tsv")
    assert.equal(1, r.code)
    local rows = tsv(r.out)
    assert.equal(5, #rows)
    assert.same({ "1", "", "", "", TMP .. "/ragged.tsv:2: record has 3 fields, the header 2" }, rows[1])
    assert.same({ "2", "", "", "", TMP .. "/ragged.tsv:3: record has 1 field, the header 2" }, rows[2])
    assert.same({ TMP .. "/ragged.tsv:4", "", "", "", "empty line (no CSV record)" }, rows[3])
    assert.same({ "3", "politics" }, { rows[4][1], rows[4][2] })
    assert.same({ TMP .. "/ragged.tsv:6", "", "", "", "CSV: unterminated quoted field" }, rows[5])
    spit(TMP .. "/two.csv", "id;text;text\n1;The striker scored;Hackers stole data\n")
    r = run("label -q --separator ';' -m " .. model() .. " " .. TMP .. "/two.csv")
    assert.same({ { TMP .. "/two.csv:1", "", "", "", "the header has two 'text' columns (2 and 3); " ..
                    "say which with --text-column 2 or --text-column 3" } }, tsv(r.out))
    r = run("label -q --separator ';' --text-column 3 -m " .. model() .. " " .. TMP .. "/two.csv")
    assert.equal("cyber", tsv(r.out)[1][2])
  end)

  it("names the separator a header read as one field holds", function()
    spit(TMP .. "/semi.csv", table_with(";"))
    local r = run("label -q -m " .. model() .. " " .. TMP .. "/semi.csv")
    assert.equal(1, r.code)
    assert.same({ { TMP .. "/semi.csv:1", "", "", "", "no 'text' column in the header; " ..
                    "the header has semicolons: --separator semicolon?" } }, tsv(r.out))
    spit(TMP .. "/tabs.csv", table_with("\t"))
    r = run("label -q -m " .. model() .. " " .. TMP .. "/tabs.csv")
    assert.equal("no 'text' column in the header; the header has tabs: --separator tab?", tsv(r.out)[1][5])
    spit(TMP .. "/pipes.csv", table_with("|"))
    r = run("label -q --text-column 3 -m " .. model() .. " " .. TMP .. "/pipes.csv")
    assert.equal("no column 3 (the header has 1); the header has pipes: --separator pipe?", tsv(r.out)[1][5])
    -- a comma file read with tabs, and a .tsv of ID<TAB>TEXT lines
    spit(TMP .. "/comma.tsv", table_with(","))
    r = run("label -q -m " .. model() .. " " .. TMP .. "/comma.tsv")
    assert.equal("no 'text' column in the header; the header has commas: --separator comma?", tsv(r.out)[1][5])
    spit(TMP .. "/pairs.tsv", "x1\tThe striker scored twice in the final.\nx2\tHackers stole data.\n")
    r = run("label -q -m " .. model() .. " " .. TMP .. "/pairs.tsv")
    assert.equal(1, r.code)
    assert.same({ { TMP .. "/pairs.tsv:1", "", "", "", "no 'text' column in the header; " ..
                    "if the lines are ID<TAB>TEXT without a header row: --input tsv?" } }, tsv(r.out))
    -- a one-column header without another separator gets no separator
    -- hint, only its column
    spit(TMP .. "/one.csv", "body\nThe striker scored\n")
    r = run("label -q -m " .. model() .. " " .. TMP .. "/one.csv")
    assert.equal("no 'text' column in the header; its one column is 'body': --text-column NAME?", tsv(r.out)[1][5])
  end)

  it("takes the separator from Excel's first line sep=X, which it skips, unless --separator says", function()
    spit(TMP .. "/sep-comma.csv", table_with(","))
    local base = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/sep-comma.csv")
    assert.equal(0, base.code, base.err)
    for _, sep in ipairs({ ";", "|", "\t", "," }) do
      -- with Excel's byte order mark and CRLF too
      for _, bom in ipairs({ "", "\239\187\191" }) do
        spit(TMP .. "/excel.csv", bom .. "sep=" .. sep .. "\r\n" .. table_with(sep))
        local r = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/excel.csv")
        assert.equal(0, r.code, r.err)
        assert.equal(base.out, r.out, sep)
      end
    end
    -- line numbers count the sep= line; --separator wins over it
    spit(TMP .. "/excel.csv", "sep=;\nid;text\n1;The striker scored twice.\n2;\"unterminated\n")
    local rows = tsv(run("label -q -m " .. model() .. " " .. TMP .. "/excel.csv").out)
    assert.same({ "1", "sport" }, { rows[1][1], rows[1][2] })
    assert.same({ TMP .. "/excel.csv:4", "", "", "", "CSV: unterminated quoted field" }, rows[2])
    spit(TMP .. "/excel.csv", "sep=;\nid,text\n1,The striker scored twice.\n")
    rows = tsv(run("label -q --separator , -m " .. model() .. " " .. TMP .. "/excel.csv").out)
    assert.same({ "1", "sport" }, { rows[1][1], rows[1][2] })
    rows = tsv(run("label -q -m " .. model() .. " " .. TMP .. "/excel.csv").out)
    assert.same({ TMP .. "/excel.csv:2", "", "", "",
                  "no 'text' column in the header; the header has commas: --separator comma?" }, rows[1])
    -- train and eval read it too
    spit(TMP .. "/excel.csv", "sep=;\ntext;label\nThe striker scored twice;sport\n")
    local r = run("eval -q --json -m " .. model() .. " " .. TMP .. "/excel.csv")
    assert.equal(0, r.code, r.err)
    assert.equal(1, require("cjson").decode(r.out).documents)
  end)

  it("refuses a separator it does not know with a usage error, in label, train and eval", function()
    for _, cmd in ipairs({ "label", "train -o " .. TMP .. "/x.model", "eval" }) do
      for _, bad in ipairs({ "'\"'", "\"$(printf '\\r')\"", "\"$(printf 'x\\ny')\"", ":", "';;'", "space" }) do
        local r = run(cmd .. " --separator " .. bad .. " " .. D .. "/train.csv")
        assert.equal(2, r.code, cmd .. " " .. bad)
        assert.matches("^textclass: %-%-separator: '[^\n]*' is not a separator: give , ; | or tab", r.err)
        assert.matches("\nUsage: textclass ", r.err)
      end
    end
    assert.matches("'\\x0D' is not a separator", run("label --separator \"$(printf '\\r')\"").err)
    assert.matches("'\\xC2\\x85' is not a separator", run("label --separator \"$(printf '\\302\\205')\"").err)
    -- (an empty one is refused as every empty option value is)
    local r = run("label --separator '' " .. D .. "/train.csv")
    assert.equal(2, r.code)
    assert.matches("^textclass: %-%-separator: an empty value names nothing %(an unset variable%?%)\n", r.err)
  end)

  it("refuses --separator with an input format that is not csv, in label, train and eval", function()
    for _, cmd in ipairs({ "label -i jsonl", "train -o " .. TMP .. "/x.model -i fasttext", "eval -i jsonl" }) do
      local r = run(cmd .. " --separator tab " .. D .. "/train.csv")
      assert.equal(2, r.code, cmd)
      assert.matches("^textclass: %-%-separator applies to csv input, not %-%-input %a+\n", r.err)
    end
    assert.equal(0, run("label -q -i csv --separator , " .. D .. "/train.csv").code)
  end)

  it("lists --separator in the help of label, train and eval", function()
    for _, cmd in ipairs({ "label", "train", "eval" }) do
      local r = run(cmd .. " --help")
      assert.equal(0, r.code)
      assert.matches("%-%-separator CHAR", r.out, cmd)
    end
  end)
end)

describe("textclass train and eval with --separator", function()
  it("train and evaluate on tab and semicolon files as on the same CSV", function()
    spit(TMP .. "/train.tsv", convert(D .. "/train.csv", "\t"))
    spit(TMP .. "/train-semi.csv", convert(D .. "/train.csv", ";"))
    local t = run("train -q --min-df 1 -o " .. TMP .. "/comma.model " .. D .. "/train.csv")
    assert.equal(0, t.code, t.err)
    local base = run("eval -m " .. TMP .. "/comma.model " .. D .. "/train.csv")
    assert.equal(0, base.code, base.err)
    for _, case in ipairs({ { "train.tsv", "" }, { "train.tsv", "--separator tab" },
                            { "train-semi.csv", "--separator ';'" } }) do
      local data = TMP .. "/" .. case[1]
      t = run("train -q --min-df 1 " .. case[2] .. " -o " .. TMP .. "/sep.model " .. data)
      assert.equal(0, t.code, t.err)
      local e = run("eval " .. case[2] .. " -m " .. TMP .. "/sep.model " .. data)
      assert.equal(0, e.code, e.err)
      assert.equal(base.out, e.out, case[1] .. " " .. case[2])
      assert.equal(slurp(TMP .. "/comma.model"):len(), slurp(TMP .. "/sep.model"):len())
    end
  end)

  it("name the separator a header read as one field holds, and keep the ragged-record check", function()
    spit(TMP .. "/train-semi.csv", convert(D .. "/train.csv", ";"))
    local r = run("train -q -o " .. TMP .. "/x.model " .. TMP .. "/train-semi.csv")
    assert.equal(1, r.code)
    assert.truthy(r.err:find(TMP .. "/train-semi.csv:1: no 'text', 'label' or 'labels' column in the header; " ..
                             "the header has semicolons: --separator semicolon?", 1, true), r.err)
    -- (the closing line said nothing of it)
    assert.truthy(r.err:find("with no 'text', 'label' or 'labels' column; the header has semicolons: " ..
                             "--separator semicolon?\n", 1, true), r.err)
    r = run("eval -m " .. model() .. " " .. TMP .. "/train-semi.csv")
    assert.truthy(r.err:find("textclass: no labelled documents to evaluate: 1 bad record, with no 'text', " ..
                             "'label' or 'labels' column; the header has semicolons: --separator semicolon?\n", 1, true), r.err)
    spit(TMP .. "/ragged.tsv", "text\tlabel\nThe striker scored\tsport\textra\n")
    r = run("eval -q -m " .. model() .. " " .. TMP .. "/ragged.tsv")
    assert.equal(1, r.code)
    assert.matches("ragged%.tsv:2: record has 3 fields, the header 2", r.err)
  end)
end)

describe("textclass and a UTF-16 Excel 'Unicode Text' export", function()
  -- Excel writes UTF-16LE with a mark, tabs between cells, CRLF line
  -- ends, and quotes a cell holding a tab, a quote or a line break
  local EXPORT = "id\ttext\tlabel\r\n" ..
                 'x1\t"The striker scored twice\r\nin the final; fans sang ""champions"" \u{263A}"\tsport\r\n' ..
                 "x2\tHackers stole passwords in a data breach at the bank.\tcyber\r\n" ..
                 'x3\t"The minister\tdefended the budget in parliament."\tpolitics\r\n'

  it("is labelled with -i csv --separator tab", function()
    spit(TMP .. "/export.txt", u16(EXPORT))
    local r = run("label -q -o jsonl -i csv --separator tab -m " .. model() .. " " .. TMP .. "/export.txt")
    assert.equal(0, r.code, r.err)
    local rows = jsonl(r.out)
    assert.same({ "x1", "x2", "x3" }, { rows[1].id, rows[2].id, rows[3].id })
    assert.same({ "sport", "cyber", "politics" }, { rows[1].label, rows[2].label, rows[3].label })
    assert.equal("sport", rows[1].input_label)
    -- the same as its UTF-8
    spit(TMP .. "/export8.tsv", EXPORT)
    local r8 = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/export8.tsv")
    assert.equal(r8.out, r.out)
  end)

  it("trains and evaluates, read with --separator tab", function()
    -- a training set as Excel would export it: train.csv's rows with tabs
    spit(TMP .. "/train16.txt", u16(convert(D .. "/train.csv", "\t")))
    local t = run("train -q --min-df 1 -i csv --separator tab -o " .. TMP .. "/u16.model " .. TMP .. "/train16.txt")
    assert.equal(0, t.code, t.err)
    local t8 = run("train -q --min-df 1 -o " .. TMP .. "/u8.model " .. D .. "/train.csv")
    assert.equal(0, t8.code, t8.err)
    local e8 = run("eval -m " .. TMP .. "/u8.model " .. D .. "/train.csv")
    local e16 = run("eval -i csv --separator tab -m " .. TMP .. "/u16.model " .. TMP .. "/train16.txt")
    assert.equal(0, e16.code, e16.err)
    assert.equal(e8.out, e16.out)
  end)
end)
