-- stream_spec.lua - the stream layer's lines of a file (textclass.cli.stream):
-- every line, whatever block boundary it crosses, and a file read once but
-- for a line too long to gather.
local H = dofile("tests/lua/cli_helpers.lua")
local TMP, spit = H.TMP, H.spit
local stream = require "textclass.cli.stream"

teardown(H.cleanup)

-- The lines stream.lines gives for the file at path, and how many times
-- it sought in the file (twice for a line read again from its start).
local function lines_and_seeks(path, size)
  local src = { path = path, size = size }
  local f, head = assert(stream.open(src))
  local seeks = 0
  local counting = setmetatable({}, { __index = function(_, method)
    return function(_, ...)
      if method == "seek" then seeks = seeks + 1 end
      return f[method](f, ...)
    end
  end })
  local out = {}
  for line, too_long in stream.lines(counting, head, { bytes = 0 }, src, 16 * 1024 * 1024) do
    assert.is_nil(too_long)
    out[#out + 1] = line
  end
  stream.close(src, f)
  return out, seeks
end

describe("stream.lines on a file", function()
  -- (regression: every line after the first that crossed a 64 KB block's
  -- end was read again, a seek and a block dropped each, which made
  -- labelling a JSONL file twice as slow)
  it("reads a file's short lines once, and again only a line too long to gather", function()
    local lines = {}
    for i = 1, 5000 do lines[i] = string.format("%05d ", i) .. string.rep("x", 90 + i % 37) end
    table.insert(lines, 2500, string.rep("long ", 80000)) -- 400 KB: found in blocks, read again
    local text = table.concat(lines, "\n") .. "\n"
    local path = TMP .. "/stream-lines.txt"
    spit(path, text)
    local got, seeks = lines_and_seeks(path, #text)
    assert.equal(#lines, #got)
    for i, line in ipairs(lines) do
      if got[i] ~= line and got[i] ~= line .. "\n" then
        assert.equal(line, got[i], "line " .. i)
      end
    end
    assert.equal(2, seeks) -- the long line's: where the file is, and back to the line
  end)
end)
