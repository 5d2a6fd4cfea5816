-- module_helpers.lua - shared set-up for the module's specs (not a spec itself).
--
--   local H = dofile("tests/lua/module_helpers.lua")
--   H.topics()            texts, labels of tests/data/lua/topics (4 labels x 8)
--   H.model()             a small model trained on them (cached per spec file)
--   H.model_path()        that model saved to a temporary file
--   H.tmpname()           a temporary path, removed by H.cleanup()
--   H.run(script, args, env, input)  run a Lua script with this tree's module:
--                         ok, stdout, stderr
--
-- Specs run from the top of the source tree (tests/run does so).
local tc = require "textclass"

local H = {}

H.root = (function()
  local p = io.popen("pwd")
  local dir = p and p:read("l")
  if p then p:close() end
  return dir or "."
end)()
H.build = os.getenv("TEXTCLASS_BUILD") or "build"
-- The build folder as an absolute path (TEXTCLASS_BUILD may be either).
H.build_dir = H.build:sub(1, 1) == "/" and H.build or H.root .. "/" .. H.build
H.data = "tests/data/lua"
H.labels = { "politics", "sport", "cyber", "other" }

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
H.read = read

--- Files of a directory, sorted (ls is enough for our fixture names).
function H.list(dir)
  local p = assert(io.popen("ls -1 '" .. dir .. "' 2>/dev/null"))
  local out = {}
  for name in p:lines() do out[#out + 1] = name end
  p:close()
  return out
end

--- texts, labels from <dir>/<label>/*.txt
function H.folder(dir)
  local texts, labels = {}, {}
  for _, label in ipairs(H.list(dir)) do
    for _, name in ipairs(H.list(dir .. "/" .. label)) do
      texts[#texts + 1] = read(dir .. "/" .. label .. "/" .. name)
      labels[#labels + 1] = label
    end
  end
  return texts, labels
end

function H.topics()
  return H.folder(H.data .. "/topics")
end

--- A multi-label set: every topic text alone, plus politics+cyber and
--- sport+other pairs labelled with both.
function H.multilabel()
  local texts, labels = H.topics()
  local by = {}
  for i, l in ipairs(labels) do
    by[l] = by[l] or {}
    table.insert(by[l], texts[i])
  end
  local mt, ml = {}, {}
  for i, t in ipairs(texts) do
    mt[i] = t
    ml[i] = { labels[i] }
  end
  for i = 1, #by.politics do
    mt[#mt + 1] = by.politics[i] .. "\n" .. by.cyber[i]
    ml[#ml + 1] = { "politics", "cyber" }
    mt[#mt + 1] = by.sport[i] .. "\n" .. by.other[i]
    ml[#ml + 1] = { "sport", "other" }
  end
  return mt, ml
end

local cached
function H.model()
  if not cached then
    local texts, labels = H.topics()
    cached = assert(tc.train { texts = texts, labels = labels, min_df = 1 })
  end
  return cached
end

local tmp = {}
function H.tmpname()
  local name = os.tmpname()
  tmp[#tmp + 1] = name
  return name
end

function H.cleanup()
  for _, name in ipairs(tmp) do os.remove(name) end
  tmp = {}
end

local saved
function H.model_path()
  if not saved or not io.open(saved) then
    saved = H.tmpname()
    assert(H.model():save(saved))
  end
  return saved
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
H.quote = shell_quote

--- Run `lua5.4 script args...` with this tree's module on the paths and
--- extra environment variables, stdin from the file `input` (optional);
--- returns ok, stdout, stderr.
function H.run(script, args, env, input)
  local err = H.tmpname()
  local parts = {
    -- every signal at its default action, whatever the suite was started
    -- under (nohup, a background job): tc.stop_on_signals keeps a signal
    -- it finds ignored ignored, and the signal tests send SIGHUP
    "env --default-signal",
    "LUA_PATH=" .. shell_quote(H.root .. "/lua/?.lua;" .. H.root .. "/lua/?/init.lua;;"),
    "LUA_CPATH=" .. shell_quote(H.build_dir .. "/?.so;;"),
  }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. shell_quote(v) end
  parts[#parts + 1] = "lua5.4"
  parts[#parts + 1] = shell_quote(script)
  for _, a in ipairs(args or {}) do parts[#parts + 1] = shell_quote(a) end
  if input then parts[#parts + 1] = "<" .. shell_quote(input) end
  local p = assert(io.popen(table.concat(parts, " ") .. " 2>" .. shell_quote(err)))
  local out = p:read("a")
  local ok = p:close()
  return ok, out, read(err)
end

--- Resident memory of this process in KiB (Linux), or nil.
function H.rss_kib()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)"))
end

return H
