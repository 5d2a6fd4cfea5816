-- encoding_spec.lua - --encoding (and textclass.read's encoding): input in
-- Windows-1252, Latin-1, Shift_JIS, GB18030 read as UTF-8 as it is read:
-- tc.decoder and tc.encoding_name, the stream layer's reader cut into
-- blocks of every size, and the command line on the fixtures in
-- tests/data/cli/encodings (each beside the same text in UTF-8).
local tc = require "textclass"
local H = dofile("tests/lua/cli_helpers.lua")
local D, TMP, spit, slurp, run, tsv, model = H.D, H.TMP, H.spit, H.slurp, H.run, H.tsv, H.model
local stream = require "textclass.cli.stream"
local decode = require "textclass.cli.decode"
local read = require "textclass.read"

teardown(H.cleanup)

local E = D .. "/encodings"

-- The rows of a label run (tsv), asserting its status.
local function label(args, code, opts)
  local r = run("label -q -m " .. model() .. " " .. args, opts)
  assert.equal(code or 0, r.code, r.err)
  return tsv(r.out), r
end

-- Each document of path read with opts: { id, text or error }.
local function docs_of(path, opts)
  local out = {}
  for doc in read.documents(path, opts) do out[#out + 1] = { doc.id, doc.text or doc.error } end
  return out
end

-- The bytes' conversion by d, fed `size` bytes at a time.
local function in_pieces(d, bytes, size)
  local parts = {}
  for i = 1, #bytes, size do parts[#parts + 1] = d:convert(bytes:sub(i, i + size - 1)) end
  parts[#parts + 1] = d:convert("", true)
  return table.concat(parts)
end

describe("tc.encoding_name", function()
  it("reads WHATWG labels as a page's declaration does, and leaves other names to iconv", function()
    assert.equal("CP1252", tc.encoding_name("latin1"))
    assert.equal("CP1252", tc.encoding_name("ISO-8859-1"))
    assert.equal("CP932", tc.encoding_name("Shift_JIS"))
    assert.equal("GB18030", tc.encoding_name("gb18030"))
    assert.equal("UTF-8", tc.encoding_name("utf8"))
    assert.equal("UTF-16LE", tc.encoding_name("utf-16"))
    assert.equal("UTF-16BE", tc.encoding_name("UTF-16BE"))
    assert.is_nil(tc.encoding_name("cp437"))
    assert.is_nil(tc.encoding_name("latin1 "))   -- (a space would match across the table's labels)
    assert.is_nil(tc.encoding_name(""))
  end)
end)

describe("tc.decoder", function()
  it("converts each fixture, in blocks cut anywhere, to its UTF-8 twin", function()
    for _, case in ipairs({ { "latin1", "latin1" }, { "shift_jis", "shift_jis" }, { "gb18030", "gb18030" },
                            { "windows-1252", "excel-1252.csv", "excel-utf8.csv" } }) do
      local name, file, twin = case[1], case[2], case[3]
      if not twin then twin = file .. "-utf8.txt"; file = file .. ".txt" end
      local bytes, want = slurp(E .. "/" .. file), slurp(E .. "/" .. twin)
      assert.not_equal(want, bytes)
      for size = 1, 9 do
        local d = assert(tc.decoder(name))
        assert.equal(want, in_pieces(d, bytes, size), name .. " in pieces of " .. size)
        assert.is_nil(d:invalid())
      end
    end
  end)

  it("keeps ISO-2022-JP's shift state from one block to the next", function()
    -- ESC $ B switches to JIS X 0208 (two bytes a character), ESC ( B back
    local bytes = "a\27$B4A;z\27(Bz\n"
    for size = 1, 4 do
      assert.equal("a\u{6F22}\u{5B57}z\n", in_pieces(assert(tc.decoder("iso-2022-jp")), bytes, size))
    end
  end)

  it("writes U+FFFD for a byte the encoding does not map and a character cut short, noting where", function()
    local d = assert(tc.decoder("windows-1252"))
    -- 0x81 is unmapped in Windows-1252; the second in its line is not noted
    assert.equal("a\u{FFFD}b\u{FFFD}\n\u{E9}\u{FFFD}", d:convert("a\129b\141\n\233\144", true))
    assert.same({ { input = 1, output = 1, unit = 0x81 }, { input = 6, output = 11, unit = 0x90 } }, d:invalid())
    assert.is_nil(d:invalid())
    d = assert(tc.decoder("shift_jis"))
    -- 0x82 0xA0 is あ; 0x82 then 0x20 is no character; a lead byte at the end is cut short
    assert.equal("\u{3042}", d:convert("\130\160\130"))   -- (the second lead waits for its trail byte)
    assert.equal("\u{FFFD} \n\u{FFFD}", d:convert(" \n\130", true))
    assert.same({ { input = 2, output = 3, unit = 0x82 }, { input = 5, output = 8, unit = 0x82 } }, d:invalid())
  end)

  it("reads a line at a time from a file, up to a limit, never past the line", function()
    local path = TMP .. "/lines-gb"
    spit(path, slurp(E .. "/gb18030.txt") .. "last")
    local f = assert(io.open(path, "rb"))
    local d = assert(tc.decoder("gb18030"))
    local want = slurp(E .. "/gb18030-utf8.txt")
    local first = want:match("^[^\n]*\n")
    assert.equal(first, d:read_line(f, 100))
    assert.same({ false, #want - #first }, { d:read_line(f, 5) })   -- too long: its UTF-8 length
    assert.equal("last", d:read_line(f, 100))
    assert.is_nil(d:read_line(f, 100))
    f:close()
    -- cut: no more than the room (4 bytes of UTF-8 a byte read, so a
    -- 4-byte character is not read into 9 bytes: ""), the rest left for
    -- the next call
    f = assert(io.open(path, "rb"))
    d = assert(tc.decoder("gb18030"))
    local got, piece = {}, nil
    repeat
      piece = d:read_line(f, 9, true)
      assert.is_true(#piece <= 9)
      got[#got + 1] = piece
    until piece == "" or piece:sub(-1) == "\n"
    assert.is_true(#got > 2)
    repeat
      piece = d:read_line(f, 100)
      got[#got + 1] = piece
    until piece == nil
    assert.equal(want .. "last", table.concat(got))
    f:close()
  end)

  -- decoder:read, a whole read's: each block's text added to one buffer
  it("reads a file whole, in blocks cut anywhere, keeping the first note of invalid input", function()
    -- 0x81 ends each: unmapped in Windows-1252, a lead byte cut short in
    -- the others, two of them a line apart (only the first is noted)
    local cases = {
      { "gb18030", slurp(E .. "/gb18030.txt"), slurp(E .. "/gb18030-utf8.txt") },
      { "shift_jis", slurp(E .. "/shift_jis.txt"), slurp(E .. "/shift_jis-utf8.txt") },
      { "windows-1252", slurp(E .. "/excel-1252.csv"), slurp(E .. "/excel-utf8.csv") },  -- (CRLF ends)
      { "iso-2022-jp", "a\27$B4A;z\27(Bz\r\n", "a\u{6F22}\u{5B57}z\r\n" },             -- (a shift state)
    }
    for _, case in ipairs(cases) do
      local name, bytes, want = case[1], case[2], case[3]
      spit(TMP .. "/read-named", bytes .. "\129\n\129")
      for _, block in ipairs({ 1, 2, 3, 4, 5, 7, 9, 64, 65536 }) do
        local f = assert(io.open(TMP .. "/read-named", "rb"))
        local d = assert(tc.decoder(name))
        assert.same({ want .. "\u{FFFD}\n\u{FFFD}", "", #bytes + 3, true }, { d:read(f, 1 << 40, "", block) },
                    name .. " in blocks of " .. block)
        assert.same({ { input = #bytes, output = #want, unit = 0x81 } }, d:invalid(), name)
        f:close()
      end
    end
    -- TSCII writes 12 bytes for the byte 0x82 (four Tamil letters): a
    -- block's room holds 16 a byte
    spit(TMP .. "/read-tscii", ("\130"):rep(5000))
    local one = tc.decoder("TSCII"):convert("\130", true)
    for _, block in ipairs({ 1, 7, 65536 }) do
      local f = assert(io.open(TMP .. "/read-tscii", "rb"))
      local text, rest, bytes, ended = assert(tc.decoder("TSCII")):read(f, 1 << 40, "", block)
      assert.is_true(text == one:rep(5000) and rest == "" and bytes == 5000 and ended, "TSCII in blocks of " .. block)
      f:close()
    end
  end)

  it("ends any sequence at a line feed: a line cut short inside one is read whole, not as the end", function()
    -- iconv waits for two more bytes after GB18030's 0x81 0x30, and for
    -- one after ISO-2022-JP's ESC, whatever they are: the line feed ends them
    local path = TMP .. "/lines-cut"
    for _, case in ipairs({ { "gb18030", "\129\48\n", "\u{FFFD}0\n" }, { "ISO-2022-JP", "\27\n", "\u{FFFD}\n" } }) do
      spit(path, case[2] .. "next\n" .. case[2])
      local f = assert(io.open(path, "rb"))
      local d = assert(tc.decoder(case[1]))
      assert.equal(case[3], d:read_line(f, 100))
      assert.equal("next\n", d:read_line(f, 100))
      assert.equal(case[3], d:read_line(f, 100))
      assert.is_nil(d:read_line(f, 100))
      f:close()
      assert.same({ { input = 0, output = 0, unit = case[2]:byte() }, { input = #case[2] + 5, output = #case[3] + 5, unit = case[2]:byte() } },
        d:invalid())
    end
  end)

  it("grows its output for an encoding that writes more than 4 bytes a byte (TSCII's ligatures)", function()
    local one = assert(tc.decoder("TSCII")):convert("\130", true)
    assert.equal(12, #one)   -- (a byte, four Tamil letters)
    local d = assert(tc.decoder("TSCII"))
    -- (glibc's TSCII module writes other letters when iconv stops for room
    -- part way: tc_decoder_convert never lets it while the room lasts)
    assert.equal(one:rep(5000), d:convert(("\130"):rep(5000), true))
    local path = TMP .. "/tscii"
    spit(path, ("\130"):rep(3000) .. "\n" .. ("\130"):rep(10) .. "\n")
    local f = assert(io.open(path, "rb"))
    d = assert(tc.decoder("TSCII"))
    assert.equal(one:rep(3000) .. "\n", d:read_line(f, 1 << 20))
    -- cut: a byte counted as 4, so the line may pass the limit, but nothing is lost
    local piece = d:read_line(f, 40, true)
    assert.equal(one:rep(10), piece)
    assert.equal("\n", d:read_line(f, 40))
    f:close()
  end)

  it("refuses an unknown name and an encoding whose line feed is not 0x0A", function()
    local d, msg, code = tc.decoder("no-such-charset")
    assert.is_nil(d)
    assert.equal("unknown encoding 'no-such-charset' (iconv -l lists the names it knows)", msg)
    assert.equal("EINVAL", code)
    for _, name in ipairs({ "UTF-32", "UCS-2LE", "EBCDIC-US" }) do
      d, msg = tc.decoder(name)
      assert.is_nil(d, name)
      assert.matches("^'" .. name:gsub("%p", "%%%0") .. "' cannot be read: its line feed is not the byte 0x0A", msg)
    end
    assert.error_matches(function() tc.decoder() end, "bad argument #1")
    assert.error_matches(function() tc.decoder("latin1\0x") end, "NUL byte")
    assert.error_matches(function() tc.decoder("latin1", 1) end, "unexpected argument")
    assert.equal("textclass.Decoder (CP1252)", tostring(tc.decoder("latin1")))
  end)

  it("raises once collected, when another object's finalizer reaches it (it read as UTF-16)", function()
    -- the holder's finalizer was set first, so it runs after the decoder's
    local got
    do
      local holder = setmetatable({}, { __gc = function(h)
        got = { pcall(h.dec.convert, h.dec, "caf\233!", true) }
      end })
      holder.dec = assert(tc.decoder("windows-1252"))
    end
    collectgarbage()
    collectgarbage()
    assert.same({ false, "attempt to use a closed decoder" }, got)
  end)
end)

describe("the stream layer with an encoding", function()
  -- The lines of path read in `encoding` through stream.open and
  -- stream.lines, and the notes of the lines holding invalid input.
  -- (A UTF-8 mark is not counted: `marked`.)
  local function read_lines(path, encoding, marked)
    local src = { path = path, size = #slurp(path) }
    local f, head = assert(stream.open(src, encoding))
    local out, bad, counter = {}, {}, { bytes = 0 }
    for line, too_long, invalid in stream.lines(f, head, counter, src, 1000000) do
      assert.is_nil(too_long)
      out[#out + 1] = line
      if invalid then bad[#out] = invalid end
    end
    stream.close(src, f)
    assert.equal(src.size - (marked and 3 or 0), counter.bytes)  -- the file's bytes, for the progress bar
    return table.concat(out), bad
  end

  it("gives the same lines and notes whatever the head and block sizes", function()
    -- GB18030's four-byte 😀 and two-byte characters, Shift_JIS's two-byte
    -- ones, straddle every boundary as the sizes go
    local cases = {
      { "gb18030", slurp(E .. "/gb18030.txt") .. "x\128y\n", slurp(E .. "/gb18030-utf8.txt") .. "x\u{FFFD}y\n",
        { [3] = "invalid gb18030 at byte 36 of the file (0x80)" } },
      { "shift_jis", slurp(E .. "/shift_jis.txt") .. "\130 z\n", slurp(E .. "/shift_jis-utf8.txt") .. "\u{FFFD} z\n",
        { [3] = "invalid shift_jis at byte 50 of the file (0x82)" } },
    }
    local head, block = stream.HEAD_BYTES, decode.BLOCK
    finally(function() stream.HEAD_BYTES, decode.BLOCK = head, block end)
    for _, case in ipairs(cases) do
      local name, bytes, want, notes = case[1], case[2], case[3], case[4]
      spit(TMP .. "/blocks", bytes)
      for _, h in ipairs({ 1, 2, 3, 5, 7, 1000 }) do
        for _, b in ipairs({ 1, 2, 3, 4, 5, 64 }) do
          stream.HEAD_BYTES, decode.BLOCK = h, b
          local got, bad = read_lines(TMP .. "/blocks", name)
          assert.equal(want, got, name .. " " .. h .. "/" .. b)
          assert.same(notes, bad)
        end
      end
    end
  end)

  it("reads a byte order mark's encoding, not the one named, and UTF-8's as UTF-8", function()
    spit(TMP .. "/bom8.txt", "\239\187\191caf\195\169\n")
    assert.equal("caf\u{E9}\n", (read_lines(TMP .. "/bom8.txt", "windows-1252", true)))
    spit(TMP .. "/bom16.txt", "\255\254c\0\233\0\n\0")
    assert.equal("c\u{E9}\n", (read_lines(TMP .. "/bom16.txt", "shift_jis")))
    -- UTF-8 itself: the bytes as they are
    spit(TMP .. "/plain.txt", "caf\233\n")
    assert.equal("caf\233\n", (read_lines(TMP .. "/plain.txt", "UTF-8")))
  end)
end)

describe("textclass --encoding", function()
  it("reads Excel's Windows-1252 CSV: the same texts and labels as the file in UTF-8", function()
    local want = label(E .. "/excel-utf8.csv")
    assert.equal(3, #want)
    for _, row in ipairs(want) do assert.equal("", row[5]) end
    assert.same(want, label("--encoding windows-1252 " .. E .. "/excel-1252.csv"))
    assert.same(want, label("--encoding cp1252 --text-column headline,text " .. E .. "/excel-1252.csv")
                        and want or nil)
    assert.same(docs_of(E .. "/excel-utf8.csv"), docs_of(E .. "/excel-1252.csv", { encoding = "windows-1252" }))
    -- without it, each record fails, pointing at the option
    local rows = label(E .. "/excel-1252.csv", 1)
    assert.matches("%-%-encoding windows%-1252%)$", rows[1][5])
  end)

  it("reads Latin-1 (as Windows-1252), Shift_JIS and GB18030 text files as their UTF-8 twins", function()
    for _, case in ipairs({ { "latin1", "latin1" }, { "iso-8859-1", "latin1" }, { "shift_jis", "shift_jis" },
                            { "gb18030", "gb18030" } }) do
      local name, file = case[1], case[2]
      local twin = docs_of(E .. "/" .. file .. "-utf8.txt")
      local got = docs_of(E .. "/" .. file .. ".txt", { encoding = name })
      assert.equal(twin[1][2], got[1][2], name)
      local a = label("--input lines " .. E .. "/" .. file .. "-utf8.txt")
      local b = label("--input lines --encoding " .. name .. " " .. E .. "/" .. file .. ".txt")
      for i, row in ipairs(a) do row[1] = b[i] and b[i][1] end  -- (the ids name the files)
      assert.same(a, b, name)
    end
  end)

  it("reads a file whose multibyte characters straddle the head and the first block", function()
    -- GB18030's 😀 is 4 bytes; one across byte 8192 (the sniffed head's
    -- end) and one across 8192 + 65536 (the first block's)
    local emoji = "\148\57\252\54"
    local function pad(n) return (("The striker scored. "):rep(10) .. "\n"):rep(n // 201) .. ("x"):rep(n % 201) end
    local a = pad(stream.HEAD_BYTES - 2)
    local b = pad(stream.HEAD_BYTES + decode.BLOCK - 2 - #a - 5)
    local bytes = a .. emoji .. "\n" .. b .. emoji .. " fans\n"
    assert.equal(emoji, bytes:sub(stream.HEAD_BYTES - 1, stream.HEAD_BYTES + 2))
    assert.equal(emoji, bytes:sub(stream.HEAD_BYTES + decode.BLOCK - 1, stream.HEAD_BYTES + decode.BLOCK + 2))
    spit(TMP .. "/big-gb.txt", bytes)
    local text = (bytes:gsub(emoji, "\u{1F600}"))
    local docs = docs_of(TMP .. "/big-gb.txt", { encoding = "gb18030", max_bytes = 1 << 20 })
    assert.same({ { TMP .. "/big-gb.txt", text } }, docs)
    local lines = {}
    for doc in read.documents(TMP .. "/big-gb.txt", { encoding = "gb18030", format = "lines" }) do
      lines[#lines + 1] = doc.text or doc.error
    end
    assert.equal(select(2, text:gsub("\n", "")), #lines)
    assert.matches("x\u{1F600} fans$", lines[#lines])
  end)

  it("trains, evaluates and explains from Windows-1252 as from the same text in UTF-8", function()
    -- train.csv, ASCII but for the accents and signs Windows-1252 has
    local utf8_csv = slurp(D .. "/train.csv"):gsub("budget", "caf\u{E9} budget \u{20AC}"):gsub("scored", "\u{201C}scored\u{201D}")
    local cp1252_csv = utf8_csv:gsub("\u{E9}", "\233"):gsub("\u{20AC}", "\128"):gsub("\u{201C}", "\147"):gsub("\u{201D}", "\148")
    assert.not_equal(utf8_csv, cp1252_csv)
    spit(TMP .. "/train-utf8.csv", utf8_csv)
    spit(TMP .. "/train-1252.csv", cp1252_csv)
    -- (one "created" date for both: two trainings may fall in different seconds)
    for _, name in ipairs({ "utf8", "1252" }) do
      local r = run("train -q --min-df 1 -o " .. TMP .. "/m-" .. name .. ".model" ..
                    (name == "1252" and " --encoding windows-1252 " or " ") .. TMP .. "/train-" .. name .. ".csv",
                    { env = "SOURCE_DATE_EPOCH=1 " })
      assert.equal(0, r.code, r.err)
    end
    assert.equal(slurp(TMP .. "/m-utf8.model"), slurp(TMP .. "/m-1252.model"))
    local a = run("eval --json -m " .. model() .. " " .. TMP .. "/train-utf8.csv")
    local b = run("eval --json -m " .. model() .. " --encoding windows-1252 " .. TMP .. "/train-1252.csv")
    assert.equal(0, a.code, a.err)
    assert.equal(a.out, b.out)
    spit(TMP .. "/one-1252.txt", "The minister\146s caf\233 tax of \1285 passed parliament.\n")
    spit(TMP .. "/one-utf8.txt", "The minister\u{2019}s caf\u{E9} tax of \u{20AC}5 passed parliament.\n")
    a = run("explain --json -m " .. model() .. " " .. TMP .. "/one-utf8.txt")
    b = run("explain --json -m " .. model() .. " --encoding windows-1252 " .. TMP .. "/one-1252.txt")
    assert.equal(0, b.code, b.err)
    assert.equal(a.out:gsub("one%-utf8", "one"), (b.out:gsub("one%-1252", "one")))
  end)

  it("reads a folder's JSONL, feed and page in the encoding, as their UTF-8 twins", function()
    local files = {
      ["a.jsonl"] = '{"id":"j1","text":"Caf\u{E9} owners \u{201C}furious\u{201D} at the minister\u{2019}s tax"}\n' ..
                    '{"id":"j2","text":"The striker\u{2019}s goal \u{2013} \u{20AC}5 tickets"}\n',
      ["b.rss"] = '<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel><title>T</title>' ..
                  '<item><title>Caf\u{E9} vote</title><description>The minister\u{2019}s \u{201C}tax\u{201D} ' ..
                  'passed parliament.</description><guid>f1</guid></item></channel></rss>\n',
      ["c.html"] = '<html><head><meta charset="windows-1252"><title>x</title></head><body><h1>Caf\u{E9} ' ..
                   '\u{20AC}</h1><p>The hackers\u{2019} ransomware.</p></body></html>',
    }
    local to_1252 = { ["\u{E9}"] = "\233", ["\u{201C}"] = "\147", ["\u{201D}"] = "\148", ["\u{2019}"] = "\146",
                      ["\u{2013}"] = "\150", ["\u{20AC}"] = "\128" }
    for _, dir in ipairs({ "utf8", "cp1252" }) do
      assert(os.execute("mkdir -p " .. TMP .. "/folder-" .. dir))
      for name, text in pairs(files) do
        if dir == "cp1252" then
          for from, to in pairs(to_1252) do text = text:gsub(from, to) end
          assert.is_false(tc.check_utf8(text))  -- (not UTF-8 any more)
        end
        spit(TMP .. "/folder-" .. dir .. "/" .. name, text)
      end
    end
    local want = docs_of(TMP .. "/folder-utf8")
    assert.equal(4, #want)
    for _, doc in ipairs(want) do assert.matches("[\128-\255]", doc[2]) end  -- texts, not errors
    local got = docs_of(TMP .. "/folder-cp1252", { encoding = "windows-1252" })
    for i, doc in ipairs(got) do doc[1] = want[i] and doc[1]:gsub("folder%-cp1252", "folder-utf8") end
    assert.same(want, got)
  end)

  it("fails a record holding a byte invalid in the encoding, naming its offset in the file", function()
    local bytes = "id,text\r\n1,The minister\146s vote\r\n2,Tickets cost \128" .. "5 \129 and more\r\n" ..
                  "3,Goal\r\n"
    spit(TMP .. "/bad-1252.csv", bytes)
    local rows = label("--encoding windows-1252 " .. TMP .. "/bad-1252.csv", 1)
    assert.equal(3, #rows)
    assert.equal("", rows[1][5])
    -- where 0x81 is in the file (1-based, as the UTF-8 path counts)
    local at = bytes:find("\129", 1, true)
    assert.equal(string.format("%s/bad-1252.csv:3: invalid windows-1252 at byte %d of the file (0x81)", TMP, at),
                 rows[2][5])
    assert.equal("", rows[3][5])
    -- --replace-invalid reads it as U+FFFD
    rows = label("--encoding windows-1252 --replace-invalid " .. TMP .. "/bad-1252.csv")
    assert.equal("", rows[2][5])
    local docs = docs_of(TMP .. "/bad-1252.csv", { encoding = "windows-1252", replace_invalid = true })
    assert.equal("Tickets cost \u{20AC}5 \u{FFFD} and more", docs[2][2])
    -- a whole file fails as one record
    spit(TMP .. "/bad.txt", "Le match \224 Paris \129\n")
    rows = label("--encoding windows-1252 " .. TMP .. "/bad.txt", 1)
    assert.equal("invalid windows-1252 at byte 18 of the file (0x81)", rows[1][5])
  end)

  it("refuses an unknown name, or one it cannot read line by line, as a usage error naming it", function()
    local r = run("label -q -m " .. model() .. " --encoding klingon " .. E .. "/latin1.txt")
    assert.equal(2, r.code)
    assert.matches("^textclass: %-%-encoding: unknown encoding 'klingon' %(iconv %-l lists the names it knows%)\n", r.err)
    assert.equal("", r.out)
    -- a name that names no charset, which iconv read as the locale's (ASCII)
    for _, name in ipairs({ "/", "//IGNORE", "'!!!'", "' '" }) do
      r = run("label -q -m " .. model() .. " --encoding " .. name .. " " .. E .. "/latin1.txt")
      assert.equal(2, r.code, name)
      assert.matches("^textclass: %-%-encoding: unknown encoding '", r.err)
    end
    r = run("train -o " .. TMP .. "/m.model --encoding UTF-32 " .. D .. "/train.jsonl")
    assert.equal(2, r.code)
    assert.matches("%-%-encoding: 'UTF%-32' cannot be read", r.err)
    assert.error_matches(function() read.labelled(D .. "/train.jsonl", { encoding = "klingon" }) end,
                         "opts.encoding: unknown encoding 'klingon'")
    assert.error_matches(function() read.documents("x", { encoding = 1252 }) end, "opts.encoding: string expected")
  end)

  it("reads stdin, redirected from a file and from a pipe, in the encoding", function()
    local want = label("--input lines " .. E .. "/shift_jis-utf8.txt")
    for i, row in ipairs(want) do row[1] = "-:" .. i end
    assert.same(want, label("--encoding shift_jis", 0, { stdin_file = E .. "/shift_jis.txt" }))
    assert.same(want, label("--encoding shift_jis", 0, { pipe = "cat " .. E .. "/shift_jis.txt" }))
    assert.same(want, label("--encoding shift_jis -", 0, { pipe = "cat " .. E .. "/shift_jis.txt" }))
    -- a pipe's UTF-8 byte order mark wins; so does UTF-16's
    local utf8_rows = label("--encoding shift_jis", 0, { pipe = "printf '\\357\\273\\277caf\\303\\251 vote\\n'" })
    assert.equal("", utf8_rows[1][5])
    assert.equal("", label("--encoding windows-1252", 0, { pipe = "printf 'caf\\351 vote \\200\\n'" })[1][5])
    -- an invalid byte in a pipe: the record fails, naming stdin
    local rows = label("--encoding windows-1252", 1, { pipe = "printf 'ok vote\\nbad \\201 vote\\n'" })
    assert.equal("", rows[1][5])
    assert.equal("invalid windows-1252 at byte 13 of stdin (0x81)", rows[2][5])
  end)

  it("reads utf-16le without a byte order mark, and utf-8 as the default", function()
    spit(TMP .. "/u16.txt", ("The striker scored.\n"):gsub(".", "%0\0"))
    assert.matches("^binary file", label(TMP .. "/u16.txt", 1)[1][5])
    local rows = label("--encoding utf-16le " .. TMP .. "/u16.txt")
    assert.equal("", rows[1][5])
    assert.same(label(D .. "/invalid-utf8.txt", 1), label("--encoding utf-8 " .. D .. "/invalid-utf8.txt", 1))
  end)

  it("takes the user's encoding over a page's declared charset", function()
    -- a Windows-1252 page that says it is UTF-8 (a CMS template's meta)
    spit(TMP .. "/page.html", "<html><head><meta charset=\"utf-8\"><title>x</title></head><body>" ..
                              "<h1>Caf\233 \147vote\148</h1><p>The minister won the election.</p></body></html>")
    assert.matches("^invalid UTF%-8", label(TMP .. "/page.html", 1)[1][5])
    local docs = docs_of(TMP .. "/page.html", { encoding = "windows-1252" })
    assert.equal("Caf\u{E9} \u{201C}vote\u{201D}\n\nThe minister won the election.", docs[1][2])
  end)
end)
