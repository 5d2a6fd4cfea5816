-- textclass.cli.sources - command-line operands as a list of sources.
--
-- Operands are files, folders (walked recursively, entries in byte order,
-- hidden entries and saved pages' resource folders skipped, symlink loops
-- cut) and "-" for stdin. A source
-- is { path, stdin = bool, size = bytes|nil, dev, ino (a regular file),
-- error = message|nil, folder = root|nil, label = name|nil }; one that
-- cannot be read (or is stdout too) carries its error, so it still stands
-- for one record. Nothing is opened here (textclass.cli.stream reads the
-- sources; textclass.cli.labelled notes in label_key the field or column
-- a source's labels were read from, when it is one for the whole source).

local lfs = require "lfs"
local util = require "textclass.cli.util"

local M = {}

--- Raise a usage error when "-" (stdin) is given more than once; returns
-- how many times it is given (0 or 1).
function M.count_stdin(operands)
  local n = 0
  for _, p in ipairs(operands) do if p == "-" then n = n + 1 end end
  if n > 1 then util.usage_error("stdin (-) can be read only once") end
  return n
end

-- Is `name`, in a folder holding `names`, the folder of a page saved with
-- its resources (a browser's "Web page, complete": X.html and X_files/,
-- the page's scripts, styles and images)? Its files are no articles.
local function page_resources(name, names)
  local page = name:match("^(.+)_files$")
  return page ~= nil and (names[page .. ".html"] or names[page .. ".htm"] or names[page .. ".xhtml"]) ~= nil
end

-- The error of a regular file that is stdout too (`label DIR > DIR/out.tsv`):
-- it would be read as it is written (GNU grep refuses the same way).
local stdout = util.stdout_file()
M.IS_OUTPUT = "input file is also the output"

-- The error of a FIFO, socket or device that is not opened.
local function not_regular(mode) return "not a regular file (" .. mode .. ")" end

-- A source for the regular file at path, with attributes attr (its dev
-- and ino: util.refuse_input_as_output compares outputs with them).
local function file_source(path, attr, label)
  local src = { path = path, size = attr.size, dev = attr.dev, ino = attr.ino, label = label }
  if stdout and attr.dev == stdout.dev and attr.ino == stdout.ino then src.error = M.IS_OUTPUT end
  return src
end

-- Walk a folder, appending { path =, size =, dev =, ino = } for every
-- regular file and { path =, error = } for entries that cannot be read or
-- are not regular files (FIFOs, sockets, devices), or are stdout.
local function walk(dir, out, seen, label)
  local attr = lfs.attributes(dir)
  if attr then
    local key = attr.dev .. ":" .. attr.ino
    if seen[key] then return end               -- a symlink loop
    seen[key] = true
  end
  local ok, iter, state = pcall(lfs.dir, dir)
  if not ok then
    out[#out + 1] = { path = dir, error = util.sys_message(iter), label = label }
    return
  end
  local names, present = {}, {}
  for name in iter, state do
    if name:sub(1, 1) ~= "." then names[#names + 1] = name; present[name] = true end
  end
  table.sort(names)
  for _, name in ipairs(names) do
    local path = dir:sub(-1) == "/" and (dir .. name) or (dir .. "/" .. name)
    local attr, err, code = lfs.attributes(path)
    local mode = attr and attr.mode
    if mode == "directory" then
      if not page_resources(name, present) then walk(path, out, seen, label) end
    elseif mode == "file" then
      out[#out + 1] = file_source(path, attr, label)
    elseif mode == nil then
      -- the system's reason (a link to itself: "Too many levels of symbolic links")
      local msg = util.sys_message(err or "cannot read")
      if code == 2 and lfs.symlinkattributes(path, "mode") == "link" then msg = msg .. " (a dangling symbolic link)" end
      out[#out + 1] = { path = path, error = msg, label = label }
    else
      -- a FIFO, socket or device: not opened (a FIFO would wait for a
      -- writer), but still one record, so it is not silently missing
      out[#out + 1] = { path = path, error = not_regular(mode), label = label }
    end
  end
end

--- Expand operands into sources: { path, stdin = bool, size = bytes|nil,
-- error = message|nil, folder = root|nil }. `labelled` folders become
-- label folders (one sub-folder per label).
function M.sources(operands, labelled)
  local out = {}
  for _, p in ipairs(operands) do
    if p == "-" then
      local attr = stdout and not util.stdin_closed() and lfs.attributes("/dev/stdin")
      local same = attr and attr.dev == stdout.dev and attr.ino == stdout.ino
      out[#out + 1] = { path = "-", stdin = true, error = same and M.IS_OUTPUT or nil }
    else
      local attr, err = lfs.attributes(p)
      if not attr then
        out[#out + 1] = { path = p, error = util.sys_message(err or "cannot read") }
      elseif attr.mode == "directory" then
        if labelled then
          local subs, files = {}, {}
          walk(p, files, {}, nil)
          -- label = first path component below the root
          local root = p:sub(-1) == "/" and p or (p .. "/")
          for _, f in ipairs(files) do
            local rel = f.path:sub(#root + 1)
            local label = rel:match("^([^/]+)/")
            f.folder = p
            if label then f.label = label
            else f.error = f.error or "not inside a label sub-folder" end
            subs[#subs + 1] = f
          end
          for _, f in ipairs(subs) do out[#out + 1] = f end
        else
          walk(p, out, {}, nil)
        end
      elseif attr.mode == "file" then
        out[#out + 1] = file_source(p, attr)
      elseif attr.mode == "socket" then
        -- never opened as a file: the system's "No such device or address"
        out[#out + 1] = { path = p, error = not_regular(attr.mode) }
      else
        out[#out + 1] = { path = p }   -- a FIFO or device (/dev/stdin) is read
      end
    end
  end
  return out
end

--- Total bytes of the sources, or nil when any size is unknown (stdin from
-- a pipe, a fifo).
function M.total_size(sources)
  local total = 0
  for _, s in ipairs(sources) do
    if s.error or (s.stdin and util.stdin_closed()) then
      total = total + 0   -- an input that cannot be read counts as nothing
    elseif s.stdin then
      local mode = lfs.attributes("/dev/stdin", "mode")
      if mode ~= "file" then return nil end
      local cur = io.stdin:seek("cur")
      local size = cur and io.stdin:seek("end")
      if not size or not io.stdin:seek("set", cur) then return nil end
      total = total + size - cur
    elseif s.size then
      total = total + s.size
    else
      return nil
    end
  end
  return total
end

--- Is stdin a stream whose end we cannot see coming (a pipe or terminal)?
function M.stdin_is_stream()
  if util.stdin_closed() then return false end
  local mode = lfs.attributes("/dev/stdin", "mode")
  return mode ~= "file"
end

return M
