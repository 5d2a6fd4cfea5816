-- fuzz_lines.lua - what fuzz_lines.c checks: a file of the given bytes,
-- read line by line with textclass.cli.stream (in 64 KB blocks, a line
-- over 256 KB read again from its start), gives the file back, each byte
-- once and in order. Returns { check = check(bytes, limit, many), which
-- raises when a promise breaks, remove = remove(), which removes the file }:
--  - every line is the file's next bytes, ending with its line feed (the
--    last line may lack one); a line over `limit` comes back as "" with
--    its size in "line too long (N bytes; ...)", and N is the line's;
--  - with `many`, every other call asks for a chunk of whole lines, which
--    is the next bytes of the file, ending with a line feed;
--  - the lines, chunks and lines too long end where the file does, and the
--    counter of bytes read is the file's size.
-- The bytes never begin with a byte order mark (fuzz_lines.c sees to it):
-- a mark is dropped, or makes the file UTF-16 or UTF-32, read elsewhere.

local stream = require "textclass.cli.stream"

local path = os.tmpname()

local function put(bytes)
  local f = assert(io.open(path, "wb"))
  assert(f:write(bytes))
  assert(f:close())
end

-- One return of the line iterator, checked against the file's bytes from
-- `at`; returns where the next one starts, or nil at the end.
local function step(bytes, at, limit, a, b, _, first, last)
  if a == nil then return nil end
  if first then
    local chunk = a:sub(first, last)
    assert(#chunk > 0 and chunk:sub(-1) == "\n", "a chunk that is not whole lines")
    assert(bytes:sub(at, at + #chunk - 1) == chunk, "a chunk that is not the file's next bytes")
    return at + #chunk
  end
  if b then
    local size = tonumber(b:match("^line too long %((%d+) bytes;"))
    assert(a == "" and size and size > limit, "a line too long that is not")
    local line = bytes:sub(at, at + size - 1)
    assert(#line == size and not line:sub(1, -2):find("\n", 1, true), "a line too long of the wrong size")
    assert(line:sub(-1) == "\n" or at + size - 1 == #bytes, "a line too long that ends before its line feed")
    return at + size
  end
  assert(#a > 0 and #a <= limit, "an empty line, or one over the limit")
  assert(bytes:sub(at, at + #a - 1) == a, "a line that is not the file's next bytes")
  assert(not a:sub(1, -2):find("\n", 1, true), "a line holding a line feed")
  assert(a:sub(-1) == "\n" or at + #a - 1 == #bytes, "a line without its line feed before the end")
  return at + #a
end

local function check(bytes, limit, many)
  put(bytes)
  local src = { path = path, size = #bytes }
  local f, head = stream.open(src)
  assert(f, head)
  local counter = { bytes = 0 }
  local next_line = stream.lines(f, head, counter, src, limit)
  local at, calls = 1, 0
  while true do
    calls = calls + 1
    local after = step(bytes, at, limit, next_line(many and calls % 2 == 0))
    if not after then break end
    at = after
  end
  stream.close(src, f)
  assert(at == #bytes + 1, "the lines end before the file does")
  assert(counter.bytes == #bytes, "a count of bytes read other than the file's size")
end

return { check = check, remove = function() os.remove(path) end }
