-- textclass.cli.tables - aligned plain-text tables for eval, info and explain.
--
-- Columns are as wide as their widest cell, measured in UTF-8 characters
-- (labels may be non-ASCII), up to MAX_WIDTH: a wider cell overflows its
-- row rather than pad every other row to its width (a 200 KB label in a
-- fastText file made each of eval's 1,000 per-label rows 200 KB). The
-- first column is left-aligned, the others right-aligned, which suits a
-- label followed by numbers.

local M = {}

local MAX_WIDTH = 100

local function width(s)
  return utf8.len(s) or #s
end

--- Render rows (arrays of strings; rows[1] is the header) as lines.
-- opts.left: set of column indices to left-align (default { [1] = true }).
function M.render(rows, opts)
  opts = opts or {}
  local left = opts.left or { [1] = true }
  local w = {}
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do
      local n = width(tostring(cell))
      if not w[i] or n > w[i] then w[i] = math.min(n, MAX_WIDTH) end
    end
  end
  local lines = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for i, cell in ipairs(row) do
      cell = tostring(cell)
      local pad = string.rep(" ", w[i] - width(cell))  -- ("" for a wider cell)
      cells[i] = left[i] and (cell .. pad) or (pad .. cell)
    end
    -- without its trailing padding: "^.*%S" backs up from the end once
    -- (gsub("%s+$", "") tries every byte of the padding as the run's
    -- start, the square of a column as wide as a 2 KB label, per row)
    lines[#lines + 1] = (opts.indent or "") .. (table.concat(cells, "  "):match("^.*%S") or "")
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
