-- utf16_spec.lua - UTF-16 input: tc.utf16_decoder and tc.read_bom, the
-- stream layer's reader cut into blocks of every size, and the command
-- line reading UTF-16 files and pipes in each format (core/utf16.c has its
-- own C tests, tests/c/test_utf16.c).
local tc = require "textclass"
local H = dofile("tests/lua/cli_helpers.lua")
local D, TMP, spit, slurp, run, tsv, model = H.D, H.TMP, H.spit, H.slurp, H.run, H.tsv, H.model

teardown(H.cleanup)

-- One UTF-16 code unit, little- or big-endian.
local function unit(u, be)
  if be then return string.char(u >> 8, u & 255) end
  return string.char(u & 255, u >> 8)
end

-- UTF-8 text as UTF-16 (LE unless be), after a byte order mark unless
-- bom is false.
local function u16(s, be, bom)
  local out = { bom ~= false and unit(0xFEFF, be) or "" }
  for _, c in utf8.codes(s) do
    if c >= 0x10000 then
      c = c - 0x10000
      out[#out + 1] = unit(0xD800 | (c >> 10), be) .. unit(0xDC00 | (c & 0x3FF), be)
    else
      out[#out + 1] = unit(c, be)
    end
  end
  return table.concat(out)
end

local EMOJI = "\u{1F600}"

-- The records of a label run on path (tsv rows), asserting its status.
local function label(args, code, opts)
  local r = run("label -q -m " .. model() .. " " .. args, opts)
  assert.equal(code or 0, r.code, r.err)
  return tsv(r.out)
end

describe("tc.utf16_decoder", function()
  it("converts either byte order, in blocks cut anywhere", function()
    local text = "Caf\u{E9} \u{6771}\u{4EAC} " .. EMOJI .. " end\nsecond line\n"
    for _, be in ipairs({ false, true }) do
      local bytes = u16(text, be, false)
      for size = 1, 9 do
        local d = tc.utf16_decoder(be and "be" or "le")
        local parts = {}
        for i = 1, #bytes, size do parts[#parts + 1] = d:convert(bytes:sub(i, i + size - 1)) end
        parts[#parts + 1] = d:convert("", true)
        assert.equal(text, table.concat(parts))
        assert.is_nil(d:invalid())
      end
    end
  end)

  it("writes U+FFFD for an unpaired surrogate and an odd last byte, noting the first of each line", function()
    local d = tc.utf16_decoder("le")
    local bytes = u16("ab", false, false) .. unit(0xD83D) .. u16("c\nd", false, false) .. unit(0xDE00) ..
                  unit(0xDE00) .. u16("\n", false, false) .. "x"
    assert.equal("ab\u{FFFD}c\nd\u{FFFD}\u{FFFD}\n\u{FFFD}", d:convert(bytes, true))
    assert.same({ { input = 4, output = 2, unit = 0xD83D },
                  { input = 12, output = 8, unit = 0xDE00 },       -- (the second in that line: no note)
                  { input = 18, output = 15 } }, d:invalid())
    assert.is_nil(d:invalid())                                    -- taken
    -- a high surrogate waits for the next block; at the end it is invalid
    d = tc.utf16_decoder("be")
    assert.equal("", d:convert(unit(0xD83D, true)))
    assert.equal(EMOJI, d:convert(unit(0xDE00, true)))
    assert.equal("", d:convert(unit(0xD83D, true)))
    assert.equal("\u{FFFD}", d:convert("", true))
    assert.same({ { input = 4, output = 4, unit = 0xD83D } }, d:invalid())
  end)

  it("reads a line at a time, up to a limit, and a pipe's writer is answered line by line", function()
    local path = TMP .. "/lines16"
    spit(path, u16("one\n" .. EMOJI .. "twelve bytes\nlast", false, false))
    local f = assert(io.open(path, "rb"))
    local d = tc.utf16_decoder("le")
    assert.equal("one\n", d:read_line(f, 100))
    assert.same({ false, 17 }, { d:read_line(f, 10) })           -- counted in UTF-8
    assert.equal("last", d:read_line(f, 4))
    assert.is_nil(d:read_line(f, 100))
    f:close()
    local flag = TMP .. "/flag16"
    local p = assert(io.popen("printf 'o\\000n\\000e\\000\\n\\000'; i=0; while [ ! -e " .. flag ..
      " ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; " ..
      "if [ -e " .. flag .. " ]; then printf 'o\\000k\\000'; else printf 'l\\000a\\000t\\000e\\000'; fi"))
    d = tc.utf16_decoder("le")
    assert.equal("one\n", d:read_line(p, 100))
    assert(io.open(flag, "w")):close()
    assert.equal("ok", d:read_line(p, 100))
    p:close()
  end)

  it("cut: gives a longer line's first bytes, as many as surely fit, and leaves the rest unread", function()
    local path = TMP .. "/cut16"
    spit(path, u16("abcdefgh\n" .. EMOJI .. "z\n", false, false))
    local f = assert(io.open(path, "rb"))
    local d = tc.utf16_decoder("le")
    -- a code unit counts as 3 bytes until read (the most one makes): 7
    -- bytes hold "abcde", and the rest waits
    assert.equal("abcde", d:read_line(f, 7, true))
    assert.equal("fgh\n", d:read_line(f, 100, true))
    -- half a pair, read, waits in the decoder: no room for the rest is
    -- "", not the end
    assert.equal("", d:read_line(f, 3, true))
    assert.equal(EMOJI .. "z\n", d:read_line(f, 100, true))
    assert.is_nil(d:read_line(f, 100, true))
    -- at the end, a limit too small for a unit is nil too: "" for ever hung a reading loop
    assert.is_nil(d:read_line(f, 2, true))
    assert.is_nil(d:read_line(f, 0, true))
    f:close()
    f = io.tmpfile()
    f:write("x\0")
    f:seek("set")
    assert.equal("", d:read_line(f, 2, true))   -- not the end: the unit is left unread
    assert.equal("x", d:read_line(f, 100, true))
    f:close()
  end)

  -- decoder:read, a whole read's: each block's text added to one buffer
  it("reads a file on to n bytes, blocks cut anywhere, what passes n left over", function()
    -- a pair and a CRLF across every block boundary as the block sizes go
    local text = ("Caf\u{E9} " .. EMOJI .. "\r\n\u{6771}\u{4EAC}\n"):rep(30)
    for _, be in ipairs({ false, true }) do
      local bytes = u16(text, be, false)
      spit(TMP .. "/read16", bytes)
      for _, block in ipairs({ 1, 2, 3, 4, 5, 7, 8, 9, 64, 65536 }) do
        local f = assert(io.open(TMP .. "/read16", "rb"))
        local d = tc.utf16_decoder(be and "be" or "le")
        assert.same({ text, "", #bytes, true }, { d:read(f, 1 << 40, "", block) })
        assert.is_nil(d:invalid())
        f:close()
      end
    end
    -- n bytes after the prefix; the rest of the last block's text is
    -- given back; the input not yet ended is not
    local f = assert(io.open(TMP .. "/read16", "rb"))
    local d = tc.utf16_decoder("be")
    -- (10 code units, "Caf\u{E9} " .. EMOJI .. "\r\n\u{6771}": 15 bytes of UTF-8)
    assert.same({ "<" .. text:sub(1, 9), text:sub(10, 15), 20, false }, { d:read(f, 10, "<", 20) })
    -- (two blocks of 7 units: 10 bytes, then 13, 8 of them past n, the
    -- CRLF cut between its CR and LF)
    assert.same({ text:sub(10, 30), text:sub(31, 38), 28, false }, { d:read(f, 21, text:sub(10, 15), 14) })
    assert.same({ "", "", 0, false }, { d:read(f, 0, "", 14) })
    f:close()
    local dir = assert(io.open("/"))
    local none, msg, errno = tc.utf16_decoder("le"):read(dir, 10, "", 64)
    assert.is_nil(none)
    assert.matches("Is a directory", msg)
    assert.is_number(errno)
    dir:close()
  end)

  it("reads a file whole keeping the first note of invalid input, an odd last byte made U+FFFD", function()
    local bytes = ("a\0" .. unit(0xD800) .. "\n\0"):rep(5000) .. "z"
    spit(TMP .. "/read16bad", bytes)
    local f = assert(io.open(TMP .. "/read16bad", "rb"))
    local d = tc.utf16_decoder("le")
    assert.same({ ("a\u{FFFD}\n"):rep(5000) .. "\u{FFFD}", "", #bytes, true }, { d:read(f, 1 << 20, "", 64) })
    assert.same({ { input = 2, output = 1, unit = 0xD800 } }, d:invalid())
    f:close()
  end)

  it("raises on bad arguments", function()
    assert.error_matches(function() tc.utf16_decoder("utf-16") end, "bad argument #1 .*invalid option")
    assert.error_matches(function() tc.utf16_decoder() end, "bad argument #1")
    assert.error_matches(function() tc.utf16_decoder("le", 1) end, "unexpected argument")
    local d = tc.utf16_decoder("be")
    assert.equal("textclass.Decoder (UTF-16BE)", tostring(d))
    assert.error_matches(function() d:convert() end, "bad argument #1")
    assert.error_matches(function() d:read_line("x", 1) end, "FILE%* expected")
    assert.error_matches(function() d:read_line(io.stdin, -1) end, "must not be negative")
    assert.error_matches(function() d:read_line(io.stdin, 1, 2) end, "bad argument #3 .*boolean expected")
    assert.error_matches(function() d:read_line(io.stdin, 1, true, 2) end, "unexpected argument")
    assert.error_matches(function() d:read(io.stdin, 1, "ab", 64) end, "at least the prefix's length")
    assert.error_matches(function() d:read(io.stdin, 1, "", 0) end, "block out of range")
    assert.error_matches(function() d:read(io.stdin, 1, "", 64, 1) end, "unexpected argument")
    local closed = io.tmpfile()
    closed:close()
    assert.error_matches(function() d:read(closed, 1, "", 64) end, "closed file")
    assert.error_matches(function() tc.utf16_decoder("le").convert("x", "y") end,
                         "textclass.Decoder expected")
  end)
end)

describe("tc.read_bom", function()
  local function bom_of(bytes)
    local path = TMP .. "/bom"
    spit(path, bytes)
    local f = assert(io.open(path, "rb"))
    local enc, rest = tc.read_bom(f)
    local after = f:read("a")
    f:close()
    return enc, rest, after
  end

  it("reads a UTF-16 mark and, after FF FE, the first code unit", function()
    assert.same({ "UTF-16LE", "R\0", "a\0" }, { bom_of("\255\254R\0a\0") })
    assert.same({ "UTF-16LE", "R", "" }, { bom_of("\255\254R") })
    assert.same({ "UTF-16BE", "", "\0R" }, { bom_of("\254\255\0R") })
    assert.same({ "UTF-32LE", "", "R\0\0\0" }, { bom_of("\255\254\0\0R\0\0\0") })
  end)

  it("reads nothing else: a first byte pushed back, or one that cannot start UTF-8", function()
    assert.same({ false, "", "Ransomware" }, { bom_of("Ransomware") })
    assert.same({ false, "", "\239\187\191x" }, { bom_of("\239\187\191x") })
    assert.same({ false, "", "" }, { bom_of("") })
    assert.same({ false, "\255", "x\254" }, { bom_of("\255x\254") })
    assert.same({ false, "\254", "" }, { bom_of("\254") })
  end)

  it("returns nil, message, errno on a read error, and raises on bad arguments", function()
    local dir = assert(io.open("/"))
    local enc, msg, errno = tc.read_bom(dir)
    assert.is_nil(enc)
    assert.matches("Is a directory", msg)
    assert.is_number(errno)
    dir:close()
    assert.error_matches(function() tc.read_bom("x") end, "FILE%* expected")
    assert.error_matches(function() tc.read_bom(io.stdin, 1) end, "unexpected argument")
    assert.error_matches(function() tc.read_bom(dir) end, "closed file")
  end)
end)

describe("the stream layer on UTF-16", function()
  local stream = require "textclass.cli.stream"
  local decode = require "textclass.cli.decode"

  -- The lines (and their third values) stream.lines gives for the file at path.
  local function read_lines(path)
    local src = { path = path, size = #slurp(path) }
    local f, head = assert(stream.open(src))
    local out, bad, counter = {}, {}, { bytes = 0 }
    for line, too_long, invalid in stream.lines(f, head, counter, src, 1000000) do
      assert.is_nil(too_long)
      out[#out + 1] = line
      if invalid then bad[#out] = invalid end
    end
    stream.close(src, f)
    assert.equal(src.size, counter.bytes)  -- the file's bytes, for the progress bar
    return table.concat(out), bad, #out
  end

  it("joins a surrogate pair split at the head's and at a block's boundary", function()
    -- the pairs' halves at raw bytes 8190|8192 (the 8 KB head) and
    -- 73726|73728 (the first 64 KB block after it)
    local lines, units = {}, 1  -- code units so far, the mark's included
    local function add(s)
      lines[#lines + 1] = s
      units = units + #u16(s, false, false) // 2
    end
    local function fill_to(raw) -- ASCII lines up to raw byte `raw`
      while (raw - 2 * units) > 200 do add(("The striker scored. "):rep(4) .. "\n") end
      add(("x"):rep((raw - 2 * units) // 2))
    end
    fill_to(stream.HEAD_BYTES - 2)
    add(EMOJI .. " fans sang\n")
    fill_to(stream.HEAD_BYTES + decode.BLOCK - 2)
    add(EMOJI .. " again\n")
    local text = table.concat(lines)
    local bytes = u16(text)
    assert.equal(u16(EMOJI, false, false), bytes:sub(8191, 8194))
    assert.equal(u16(EMOJI, false, false), bytes:sub(73727, 73730))
    spit(TMP .. "/split16.txt", bytes)
    local got, bad = read_lines(TMP .. "/split16.txt")
    assert.equal(text, got)
    assert.same({}, bad)
  end)

  it("gives the same lines and notes whatever the head and block sizes", function()
    local text = "Caf\u{E9} " .. EMOJI .. "\r\nline two " .. EMOJI .. "\n\u{6771}\u{4EAC}\n"
    local bytes = u16(text) .. unit(0xDC00) .. u16("tail\n", false, false) .. u16(EMOJI, false, false):sub(1, 2) ..
                  "x"
    local want = text .. "\u{FFFD}tail\n\u{FFFD}\u{FFFD}"
    spit(TMP .. "/blocks16.txt", bytes)
    local head, block = stream.HEAD_BYTES, decode.BLOCK
    finally(function() stream.HEAD_BYTES, decode.BLOCK = head, block end)
    for _, h in ipairs({ 2, 3, 4, 5, 7, 8, 1000 }) do
      for _, b in ipairs({ 1, 2, 3, 5, 8, 64 }) do
        stream.HEAD_BYTES, decode.BLOCK = h, b
        local got, bad, n = read_lines(TMP .. "/blocks16.txt")
        assert.equal(want, got, h .. "/" .. b)
        assert.equal(5, n)
        assert.same({ [4] = "invalid UTF-16 at byte 51 of the file: unpaired surrogate DC00",
                      [5] = "invalid UTF-16 at byte 63 of the file: unpaired surrogate D83D" }, bad)
      end
    end
  end)

  -- r:read(n) cuts only its last block at n and keeps the rest for the
  -- next read (it cut the joined text, copying it: a feed took 600 MB).
  it("gives the same text read in pieces of any size, whatever the block size", function()
    local text = ("Caf\u{E9} " .. EMOJI .. " \u{6771}\u{4EAC}\n"):rep(40)
    spit(TMP .. "/pieces16.txt", u16(text))
    local head_bytes, block = stream.HEAD_BYTES, decode.BLOCK
    finally(function() stream.HEAD_BYTES, decode.BLOCK = head_bytes, block end)
    for _, b in ipairs({ 1, 3, 64, 65536 }) do
      for _, n in ipairs({ 1, 2, 5, 64, 5000 }) do
        stream.HEAD_BYTES, decode.BLOCK = 4, b
        local src = { path = TMP .. "/pieces16.txt" }
        local f, head = assert(stream.open(src))
        local pieces = { head }
        while true do
          local piece = f:read(n)
          if not piece then break end
          assert.is_true(#piece == n or f:read(1) == nil, b .. "/" .. n)
          pieces[#pieces + 1] = piece
        end
        stream.close(src, f)
        assert.equal(text, table.concat(pieces), b .. "/" .. n)
      end
    end
  end)

  -- r:read converted a block at a time and joined the blocks' texts with
  -- table.concat: the texts, concat's buffer and the string it made were
  -- held together (a 15 MB article peaked at 57-61 MB RSS, a UTF-8 one
  -- at 34 MB: docs/cli.md).
  -- Each block's text now goes into one buffer, freed as the string is
  -- made: with the collector stopped, the read leaves the string behind
  -- and little else (it left the blocks read, their texts and the string).
  it("reads a text whole into one string, leaving no copy of it for the collector", function()
    local text = ("Caf\u{E9} " .. EMOJI .. " \u{6771}\u{4EAC}\n"):rep(100000)
    spit(TMP .. "/whole16.txt", u16(text))
    local src = { path = TMP .. "/whole16.txt" }
    local f, head = assert(stream.open(src))
    finally(function() collectgarbage("restart") end)
    collectgarbage("collect")
    collectgarbage("stop")
    local before = collectgarbage("count")
    local rest = f:read(#text)
    local left = (collectgarbage("count") - before) * 1024
    collectgarbage("restart")
    stream.close(src, f)
    assert.equal(text, head .. rest)
    assert.is_true(left < 1.5 * #rest, string.format("%.0f bytes left behind by reading %d", left, #rest))
  end)

  -- A note for each line was kept until the one question: 50 bytes for
  -- each byte read, 3.3 GB for a 64 MB feed of such lines.
  it("keeps only the first note when the text is read whole", function()
    local bytes = "\255\254" .. ("x\0" .. unit(0xD800) .. "\n\0"):rep(200000)
    spit(TMP .. "/bad16.txt", bytes)
    local src = { path = TMP .. "/bad16.txt", size = #bytes }
    local f, head = assert(stream.open(src))
    local text = head .. f:read(#bytes * 2)
    assert.equal(("x\u{FFFD}\n"):rep(200000), text)
    assert.equal(1, f.pending)
    assert.equal("invalid UTF-16 at byte 5 of the file: unpaired surrogate D800", f:invalid(0, #text))
    assert.is_nil(f:invalid(0, #text))
    stream.close(src, f)
  end)

  it("refuses a UTF-32 mark by name, and leaves UTF-16 without one binary", function()
    for _, bytes in ipairs({ "\255\254\0\0R\0\0\0", "\0\0\254\255\0\0\0R" }) do
      spit(TMP .. "/u32", bytes)
      local f, msg = stream.open({ path = TMP .. "/u32", size = #bytes })
      assert.is_nil(f)
      assert.equal(decode.UTF32, msg)
    end
    spit(TMP .. "/nobom", u16("Ransomware\n", false, false))
    local f, head = stream.open({ path = TMP .. "/nobom", size = 22 })
    assert.is_false(decode.is_reader(f))
    assert.equal("R\0", head:sub(1, 2))
    f:close()
  end)
end)

describe("textclass reading UTF-16 files", function()
  local ARTICLE = "Ransomware gang hits hospital network, encrypting patient records"

  it("labels UTF-16LE and UTF-16BE text as it labels the same UTF-8", function()
    spit(TMP .. "/a8.txt", ARTICLE .. "\n")
    spit(TMP .. "/a16le.txt", u16(ARTICLE .. "\n"))
    spit(TMP .. "/a16be.txt", u16(ARTICLE .. "\n", true))
    local rows = label(TMP .. "/a8.txt " .. TMP .. "/a16le.txt " .. TMP .. "/a16be.txt")
    assert.equal(3, #rows)
    assert.equal("", rows[1][5])
    for i = 2, 3 do assert.same({ rows[1][2], rows[1][4], "" }, { rows[i][2], rows[i][4], rows[i][5] }) end
    -- explain reads one the same way, from a file or stdin
    local e8 = run("explain --json -m " .. model() .. " " .. TMP .. "/a8.txt")
    local e16 = run("explain --json -m " .. model(), { pipe = "cat " .. TMP .. "/a16be.txt" })
    assert.equal(0, e16.code, e16.err)
    assert.equal(e8.out:gsub('"id":"[^"]*"', ""), (e16.out:gsub('"id":"[^"]*"', "")))
  end)

  it("counts lines in the converted text: FILE:LINE ids, CRLF ends, an empty line", function()
    spit(TMP .. "/lines16.txt", u16("The striker scored twice.\r\n\r\nHackers stole passwords " .. EMOJI .. "\r\n"))
    local rows = label("-i lines " .. TMP .. "/lines16.txt", 1)
    assert.equal(3, #rows)
    for i, row in ipairs(rows) do assert.equal(TMP .. "/lines16.txt:" .. i, row[1]) end
    assert.same({ "sport", "" }, { rows[1][2], rows[1][5] })
    assert.equal("empty document", rows[2][5])
    assert.same({ "cyber", "" }, { rows[3][2], rows[3][5] })
  end)

  it("reads a tab-separated Excel 'Unicode Text' export as tsv, and as csv names the header's separator", function()
    -- Excel writes UTF-16LE with a mark, tabs between cells, CRLF line ends
    spit(TMP .. "/excel.txt", u16("x1\tThe striker scored twice in the final.\r\n" ..
                                  "x2\tHackers stole passwords in a data breach.\r\n"))
    local rows = label("-i tsv " .. TMP .. "/excel.txt")
    assert.same({ { "x1", "sport" }, { "x2", "cyber" } }, { { rows[1][1], rows[1][2] }, { rows[2][1], rows[2][2] } })
    assert.same({ "", "" }, { rows[1][5], rows[2][5] })
    spit(TMP .. "/excel.csv", u16("id\ttext\r\nx1\tThe striker scored twice.\r\n"))
    rows = label(TMP .. "/excel.csv", 1)
    assert.same({ { TMP .. "/excel.csv:1", "", "", "", "no 'text' column in the header; " ..
                    "the header has tabs: --separator tab?" } }, rows)
    rows = label("--separator tab " .. TMP .. "/excel.csv")
    assert.same({ "x1", "sport", "" }, { rows[1][1], rows[1][2], rows[1][5] })
  end)

  it("reads UTF-16 CSV (quoted line breaks, CRLF) for label, train and eval", function()
    spit(TMP .. "/a16.csv", u16((slurp(D .. "/articles.csv"):gsub("\r?\n", "\r\n"))))
    local r8 = run("label -q -o jsonl -m " .. model() .. " " .. D .. "/articles.csv")
    local r16 = run("label -q -o jsonl -m " .. model() .. " " .. TMP .. "/a16.csv")
    assert.equal(r8.code, r16.code, r16.err)
    assert.equal(r8.out, r16.out)
    spit(TMP .. "/train16.csv", u16(slurp(D .. "/train.csv")))
    local t = run("train -q --min-df 1 -o " .. TMP .. "/csv16.model " .. TMP .. "/train16.csv")
    assert.equal(0, t.code, t.err)
    local t8 = run("train -q --min-df 1 -o " .. TMP .. "/csv8.model " .. D .. "/train.csv")
    assert.equal(0, t8.code, t8.err)
    local e8 = run("eval -m " .. TMP .. "/csv8.model " .. D .. "/train.csv")
    local e16 = run("eval -m " .. TMP .. "/csv16.model " .. TMP .. "/train16.csv")
    assert.equal(0, e16.code, e16.err)
    assert.equal(e8.out, e16.out)
  end)

  it("trains and evaluates on UTF-16 JSONL and fastText as on UTF-8", function()
    spit(TMP .. "/train16.jsonl", u16(slurp(D .. "/train.jsonl")))
    spit(TMP .. "/test16.jsonl", u16(slurp(D .. "/test.jsonl"), true))
    spit(TMP .. "/train16.txt", u16(slurp(D .. "/train.txt")))
    local t = run("train -q --min-df 1 -o " .. TMP .. "/j16.model " .. TMP .. "/train16.jsonl")
    assert.equal(0, t.code, t.err)
    t = run("train -q --min-df 1 -o " .. TMP .. "/f16.model " .. TMP .. "/train16.txt")
    assert.equal(0, t.code, t.err)
    local e8 = run("eval -m " .. model() .. " " .. D .. "/test.jsonl")
    assert.equal(0, e8.code, e8.err)
    for _, m in ipairs({ TMP .. "/j16.model", model() }) do
      local e16 = run("eval -m " .. m .. " " .. TMP .. "/test16.jsonl")
      assert.equal(0, e16.code, e16.err)
      assert.equal(e8.out, e16.out)
    end
    -- and through a pipe
    local ep = run("eval -m " .. model() .. " -", { pipe = "cat " .. TMP .. "/test16.jsonl" })
    assert.equal(0, ep.code, ep.err)
    assert.equal(e8.out, ep.out)
    local l8 = run("label -q -m " .. model() .. " " .. D .. "/test.jsonl")
    local lf = run("label -q -m " .. TMP .. "/f16.model " .. D .. "/test.jsonl")
    local t8 = run("train -q --min-df 1 -o " .. TMP .. "/f8.model " .. D .. "/train.txt")
    assert.equal(0, t8.code, t8.err)
    local lf8 = run("label -q -m " .. TMP .. "/f8.model " .. D .. "/test.jsonl")
    assert.equal(lf8.out, lf.out)
    assert.truthy(#l8.out > 0)
  end)

  it("fails a record holding an unpaired surrogate or an odd last byte, naming UTF-16 and where", function()
    local bytes = u16("The striker scored twice\n") .. u16("Hackers stole ", false, false) .. unit(0xD83D) ..
                  u16("passwords\nThe vote\n", false, false) .. "x"
    spit(TMP .. "/bad16.txt", bytes)
    local rows = label("-i lines " .. TMP .. "/bad16.txt", 1)
    assert.equal(4, #rows)
    assert.same({ "", "invalid UTF-16 at byte 81 of the file: unpaired surrogate D83D", "",
                  "invalid UTF-16 at byte 121 of the file: an odd number of bytes, the last code unit cut short" },
                { rows[1][5], rows[2][5], rows[3][5], rows[4][5] })
    -- as one article, and from a pipe
    rows = label(TMP .. "/bad16.txt", 1)
    assert.same({ { TMP .. "/bad16.txt", "", "", "", "invalid UTF-16 at byte 81 of the file: unpaired surrogate D83D" } },
                rows)
    rows = label("", 1, { pipe = "cat " .. TMP .. "/bad16.txt" })
    assert.equal("invalid UTF-16 at byte 81 of stdin: unpaired surrogate D83D", rows[2][5])
    assert.equal("-:4", rows[4][1])
    -- --replace-invalid labels them, U+FFFD in place
    rows = label("--replace-invalid -i lines " .. TMP .. "/bad16.txt")
    assert.same({ "", "", "", "" }, { rows[1][5], rows[2][5], rows[3][5], rows[4][5] })
    assert.equal("cyber", rows[2][2])
    -- in JSONL and CSV records, and in training data
    spit(TMP .. "/bad16.jsonl", u16('{"id": "j1", "text": "The striker scored"}\n{"id": "j2", "text": "Hack') ..
                                unit(0xDE00) .. u16('ers"}\n', false, false))
    rows = label(TMP .. "/bad16.jsonl", 1)
    assert.same({ "j1", "" }, { rows[1][1], rows[1][5] })
    assert.same({ "j2", TMP .. "/bad16.jsonl:2: invalid UTF-16 at byte 141 of the file: unpaired surrogate DE00" },
                { rows[2][1], rows[2][5] })
    spit(TMP .. "/bad16.csv", u16('id,text\nc1,"The striker\nscored"\nc2,"Hack') .. unit(0xDE00) ..
                              u16('ers\nstole"\nc3,The vote\n', false, false))
    rows = label(TMP .. "/bad16.csv", 1)
    assert.same({ "", TMP .. "/bad16.csv:4: invalid UTF-16 at byte 83 of the file: unpaired surrogate DE00", "" },
                { rows[1][5], rows[2][5], rows[3][5] })
    assert.same({ "c1", "c2", "c3" }, { rows[1][1], rows[2][1], rows[3][1] })
    spit(TMP .. "/bad16.fasttext", u16("__label__sport The striker scored\n__label__cyber Hack") .. unit(0xDE00) ..
                                   u16("ers\n", false, false))
    local t = run("train -q --min-df 1 -o " .. TMP .. "/bad.model " .. TMP .. "/bad16.fasttext")
    assert.equal(1, t.code)
    assert.matches("bad16.fasttext:2: invalid UTF%-16 at byte 109 of the file: unpaired surrogate DE00", t.err)
  end)

  it("refuses a label holding invalid UTF-16, even with --replace-invalid, as one not UTF-8", function()
    local bad = unit(0xDE00)
    spit(TMP .. "/badlabel16.fasttext", u16("__label__sport The striker scored twice\n" ..
      "__label__cyber Hackers stole passwords\n__label__sp") .. bad .. u16("ort A late goal\n", false, false))
    spit(TMP .. "/badlabel16.jsonl", u16('{"text": "The striker scored twice", "label": "sport"}\n' ..
      '{"text": "Hackers stole passwords", "label": "cyber"}\n{"text": "A late goal", "label": "sp') ..
      bad .. u16('ort"}\n', false, false))
    spit(TMP .. "/badlabel16.csv", u16("text,label\nThe striker scored twice,sport\n" ..
      "Hackers stole passwords,cyber\nA late goal,sp") .. bad .. u16("ort\n", false, false))
    for _, c in ipairs({ { "fasttext", 3 }, { "jsonl", 3 }, { "csv", 4 } }) do
      local path = TMP .. "/badlabel16." .. c[1]
      local t = run("train -q --replace-invalid --min-df 1 -o " .. TMP .. "/bl.model " .. path)
      assert.equal(1, t.code, t.err)
      assert.matches("badlabel16%." .. c[1] .. ":" .. c[2] .. ": a label is not valid UTF%-16", t.err)
    end
    -- invalid UTF-16 in the text alone is read as U+FFFD
    spit(TMP .. "/badtext16.fasttext", u16("__label__sport The striker scored twice\n" ..
      "__label__cyber Hackers stole ") .. bad .. u16("passwords\n", false, false))
    local t = run("train -q --replace-invalid --min-df 1 -o " .. TMP .. "/bt.model " .. TMP .. "/badtext16.fasttext")
    assert.equal(0, t.code, t.err)
  end)

  it("refuses UTF-32 by name and UTF-16 without a mark as binary, from files and pipes", function()
    spit(TMP .. "/u32le.txt", "\255\254\0\0R\0\0\0\n\0\0\0")
    spit(TMP .. "/u32be.txt", "\0\0\254\255\0\0\0R\0\0\0\n")
    spit(TMP .. "/nobom16.txt", u16("The striker scored\n", false, false))
    local rows = label(TMP .. "/u32le.txt " .. TMP .. "/u32be.txt " .. TMP .. "/nobom16.txt", 1)
    local utf32 = "UTF-32 is not supported: convert the file to UTF-8 (iconv -f UTF-32 -t UTF-8)"
    local hint = "binary file (it looks like UTF-16LE without a byte order mark: convert it to UTF-8, " ..
                 "iconv -f UTF-16LE -t UTF-8)"
    assert.same({ utf32, utf32, hint }, { rows[1][5], rows[2][5], rows[3][5] })
    rows = label("-", 1, { pipe = "cat " .. TMP .. "/u32le.txt" })
    assert.same({ { "-", "", "", "", utf32 } }, rows)
    rows = label("-", 1, { stdin_file = TMP .. "/u32le.txt" })
    assert.same({ { "-", "", "", "", utf32 } }, rows)
    local e = run("explain -m " .. model() .. " " .. TMP .. "/u32le.txt")
    assert.equal(1, e.code)
    assert.equal("textclass: " .. TMP .. "/u32le.txt: " .. utf32 .. "\n", e.err)
  end)

  it("names UTF-16 without a mark in the binary file error, in every reader, and only there", function()
    local function hint(order)
      return "binary file (it looks like " .. order .. " without a byte order mark: convert it to UTF-8, " ..
             "iconv -f " .. order .. " -t UTF-8)"
    end
    local dir = TMP .. "/unmarked"
    os.execute("mkdir -p " .. dir .. "/sport")
    spit(dir .. "/be.txt", u16("The goalkeeper saved a penalty.\n", true, false))
    -- Russian: only the spaces have a NUL byte, one character in seven
    spit(dir .. "/ru.txt", u16("Москва заявила о новых санкциях против банков.\n", false, false))
    spit(dir .. "/records.jsonl", u16('{"text": "The striker scored"}\n', false, false))
    spit(dir .. "/feed.rss", u16('<?xml version="1.0"?><rss><channel><item><title>Goal</title></item></channel></rss>',
                                 false, false))
    -- NUL bytes on both sides of the pairs, or too few of them: binary data
    spit(dir .. "/data.bin", "\0\1\0\2\3\0\4\0\5\0\6\0")
    spit(dir .. "/short.bin", "The striker\0scored a\0b\0c\0")
    local rows = label(dir .. "/be.txt " .. dir .. "/ru.txt " .. dir .. "/data.bin " .. dir .. "/short.bin", 1)
    assert.same({ hint("UTF-16BE"), hint("UTF-16LE"), "binary file", "binary file" },
                { rows[1][5], rows[2][5], rows[3][5], rows[4][5] })
    rows = label("-i jsonl " .. dir .. "/records.jsonl", 1)
    assert.same({ { dir .. "/records.jsonl", "", "", "", hint("UTF-16LE") } }, rows)
    rows = label("-i feed " .. dir .. "/feed.rss", 1)
    assert.same({ { dir .. "/feed.rss", "", "", "", hint("UTF-16LE") } }, rows)
    -- the readers of labelled documents: a label folder, JSONL
    spit(dir .. "/sport/a.txt", u16("The striker scored twice in the final.\n", false, false))
    spit(dir .. "/sport/b.txt", "The goalkeeper saved a penalty.\n")
    local r = run("eval -m " .. model() .. " " .. dir .. "/sport/..")
    assert.matches(": [^\n]*/sport/a%.txt: " .. hint("UTF-16LE"):gsub("%p", "%%%0"), r.err)
    r = run("eval -m " .. model() .. " -i jsonl " .. dir .. "/records.jsonl")
    assert.matches(hint("UTF-16LE"):gsub("%p", "%%%0"), r.err)
  end)

  it("reads a folder of UTF-8 and UTF-16 files, for label and for train", function()
    local dir = TMP .. "/mixed"
    os.execute("mkdir -p " .. dir .. "/sport " .. dir .. "/cyber")
    spit(dir .. "/sport/a.txt", "The striker scored twice in the final.\n")
    spit(dir .. "/sport/b.txt", u16("The goalkeeper saved a penalty in the league match.\n"))
    spit(dir .. "/cyber/c.txt", u16("Hackers stole passwords in a data breach.\n", true))
    spit(dir .. "/cyber/d.txt", "Ransomware encrypted the hospital network.\n")
    local rows = label(dir)
    assert.same({ "cyber", "cyber", "sport", "sport" }, { rows[1][2], rows[2][2], rows[3][2], rows[4][2] })
    for _, row in ipairs(rows) do assert.equal("", row[5]) end
    local t = run("train -q --min-df 1 -o " .. TMP .. "/mixed.model " .. dir)
    assert.equal(0, t.code, t.err)
    local r = run("info --json -m " .. TMP .. "/mixed.model")
    assert.matches('"documents":4,', r.out)
  end)

  it("reads stdin as UTF-16 from a pipe, line by line, and answers a line before the next is written", function()
    spit(TMP .. "/pipe16.txt", u16("The striker scored twice.\r\n\r\nHackers stole passwords\r\n"))
    local rows = label("", 0, { pipe = "head -c 56 " .. TMP .. "/pipe16.txt" })   -- the first line
    assert.same({ "-:1", "sport" }, { rows[1][1], rows[1][2] })
    assert.equal(1, #rows)
    -- the second line is an article only if the first record came out
    -- before it was written (H.after_flag); else it is empty
    local flag = TMP .. "/stream16-flag"
    local cmd = H.after_flag("printf '\\377\\376T\\000h\\000e\\000 \\000s\\000t\\000r\\000i\\000k\\000e\\000r\\000" ..
                             " \\000s\\000c\\000o\\000r\\000e\\000d\\000\\n\\000'", flag,
                             "printf 'H\\000a\\000c\\000k\\000e\\000r\\000s\\000\\n\\000'", "printf '\\n\\000'") ..
                " | " .. H.CLI .. " label -q -m " .. model()
    local first, second = H.first_then_second(cmd, flag)
    assert.truthy(first and first:match("^%-:1\tsport\t"), first)
    assert.truthy(second and second:match("^%-:2\tcyber\t"), second)
    -- the mark and a first unit that is a line end, or an invalid one
    rows = label("", 1, { pipe = "printf '\\377\\376\\n\\000\\075\\330x\\000\\n\\000'" })
    assert.same({ { "-:1", "empty document" }, { "-:2", "invalid UTF-16 at byte 5 of stdin: unpaired surrogate D83D" } },
                { { rows[1][1], rows[1][5] }, { rows[2][1], rows[2][5] } })
    -- a pipe whose first byte only looks like a mark's is read as before
    rows = label("", 1, { pipe = "printf '\\377The striker\\n'" })
    assert.same({ { "-:1", "", "", "", "invalid UTF-8 at byte 1 (0xFF: if the file is Windows-1252, as Excel's \"CSV (Comma delimited)\": --encoding windows-1252)" } }, rows)
  end)

  it("leaves a terminal unsniffed: one Ctrl-D still ends the input", function()
    -- (a Ctrl-D read while looking for a mark would be cleared by the next
    -- read, which would wait for a second one)
    if not os.execute("command -v python3 >/dev/null") then
      print("SKIPPED: no python3 to run textclass on a terminal")
      return
    end
    local py = [[
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
os.write(fd, b"\x04")
end = time.time() + 10
while time.time() < end:
    if select.select([fd], [], [], 0.1)[0]:
        try: os.read(fd, 4096)
        except OSError: pass
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exit", os.waitstatus_to_exitcode(status))
        sys.exit(0)
os.kill(pid, 9)
print("waiting")
]]
    local p = io.popen("python3 -c " .. H.sh_quote(py) .. " " .. H.CLI .. " label -q -m " .. model())
    local out = p:read("a")
    p:close()
    assert.equal("exit 0\n", out)
  end)

  it("applies --max-bytes to the UTF-8 text, not the file's UTF-16 bytes", function()
    local text = ("The striker scored. "):rep(5)                     -- 100 bytes of UTF-8
    spit(TMP .. "/max16.txt", u16(text))                             -- 202 bytes
    local rows = label("--max-bytes 100 " .. TMP .. "/max16.txt")
    assert.equal("", rows[1][5])
    rows = label("--max-bytes 99 " .. TMP .. "/max16.txt", 1)
    assert.equal("document too large (over 99 bytes)", rows[1][5])
    rows = label("--max-bytes 99 -i lines " .. TMP .. "/max16.txt", 1)
    assert.equal("document too large (100 bytes, limit 99)", rows[1][5])
  end)

  it("reads UTF-16 feeds and HTML pages", function()
    local rss = slurp("examples/news.rss"):gsub('encoding="[^"]*"', 'encoding="UTF-16"')
    spit(TMP .. "/news16.rss", u16(rss))
    spit(TMP .. "/news16.txt", u16(rss, true))
    local r8 = run("label -q -m " .. model() .. " examples/news.rss")
    assert.equal(0, r8.code, r8.err)
    for _, p in ipairs({ TMP .. "/news16.rss", TMP .. "/news16.txt" }) do
      local r = run("label -q -m " .. model() .. " " .. p)
      assert.equal(0, r.code, r.err)
      assert.equal(r8.out, r.out)
    end
    spit(TMP .. "/page16.html", u16('<html><head><meta charset="utf-16"><title>Caf\u{E9}</title></head><body>' ..
                                    "<nav>Home</nav><p>The striker scored twice in the final.</p></body></html>"))
    local e = run("explain --json -n 50 -m " .. model() .. " " .. TMP .. "/page16.html")
    assert.equal(0, e.code, e.err)
    assert.matches('"striker"', e.out)
    assert.not_matches('"home"', e.out)
  end)
end)
