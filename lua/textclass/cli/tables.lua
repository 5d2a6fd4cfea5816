-- textclass.cli.tables - aligned plain-text tables for eval, info and explain.
--
-- Columns are as wide as their widest cell, measured in UTF-8 characters
-- (labels may be non-ASCII); the first column is left-aligned, the others
-- right-aligned, which suits a label followed by numbers.

local M = {}

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
      if not w[i] or n > w[i] then w[i] = n end
    end
  end
  local lines = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for i, cell in ipairs(row) do
      cell = tostring(cell)
      local pad = string.rep(" ", w[i] - width(cell))
      cells[i] = left[i] and (cell .. pad) or (pad .. cell)
    end
    lines[#lines + 1] = (opts.indent or "") .. table.concat(cells, "  "):gsub("%s+$", "")
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
