-- examples/train_folder.lua - train a model from a folder with one
-- sub-folder per label, and save it.
--
--   lua5.4 examples/train_folder.lua FOLDER OUT.model [--cv K] [--multilabel]
--
--   FOLDER/politics/*.txt, FOLDER/sport/*.txt, ...: each file is one
--   document (any bytes), labelled with its sub-folder's name.
-- Prints what it did on stdout and training progress on stderr; with
-- --cv K, cross-validates first and prints accuracy and macro-F1.
-- Exits 1 with a message on stderr when something is wrong.
local tc = require "textclass"

local function fail(msg)
  io.stderr:write("train_folder: ", msg, "\n")
  os.exit(1)
end

local function usage()
  io.stderr:write("usage: lua5.4 examples/train_folder.lua FOLDER OUT.model [--cv K]\n")
  os.exit(1)
end

-- Names in a directory, sorted; lua-filesystem when present, else ls.
local function list(dir)
  local names = {}
  local ok, lfs = pcall(require, "lfs")
  if ok then
    local iter_ok, iter, state = pcall(lfs.dir, dir)
    if not iter_ok then return nil, tostring(iter) end
    for name in iter, state do
      if name:sub(1, 1) ~= "." then names[#names + 1] = name end
    end
  else
    local p = io.popen("ls -1 '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
    for name in p:lines() do names[#names + 1] = name end
    if not p:close() then return nil, dir .. ": cannot list" end
  end
  table.sort(names)
  return names
end

local function is_dir(path)
  local ok, lfs = pcall(require, "lfs")
  if ok then return lfs.attributes(path, "mode") == "directory" end
  return os.execute("test -d '" .. path:gsub("'", "'\\''") .. "'") == true
end

local folder, out, k = nil, nil, nil
local i = 1
while arg[i] do
  local a = arg[i]
  if a == "--cv" then
    k = math.tointeger(tonumber(arg[i + 1]))
    if not k or k < 2 then usage() end
    i = i + 1
  elseif a:sub(1, 2) == "--" then
    usage()
  elseif not folder then
    folder = a
  elseif not out then
    out = a
  else
    usage()
  end
  i = i + 1
end
if not folder or not out then usage() end

local texts, labels = {}, {}
local subdirs, err = list(folder)
if not subdirs then fail(err) end
for _, label in ipairs(subdirs) do
  local dir = folder .. "/" .. label
  if is_dir(dir) then
    for _, name in ipairs(assert(list(dir))) do
      local f = io.open(dir .. "/" .. name, "rb")
      if f then
        texts[#texts + 1] = f:read("a")
        labels[#labels + 1] = label
        f:close()
      end
    end
  end
end
if #texts == 0 then fail(folder .. ": no documents (expected FOLDER/<label>/<file>)") end

local spec = {
  texts = texts, labels = labels,
  min_df = #texts < 200 and 1 or 2, -- tiny folders keep every term
  progress = function(stage, done, total)
    if done == total then io.stderr:write(string.format("%s: %d/%d\n", stage, done, total)) end
  end,
}

if k then
  local r, msg = tc.cross_validate(spec, k)
  if not r then fail(msg) end
  print(string.format("%d-fold cross-validation: accuracy %.3f, macro-F1 %.3f", k, r.accuracy, r.macro_f1))
end

local model, msg = tc.train(spec)
if not model then fail(msg) end
local ok, save_err = model:save(out)
if not ok then fail(save_err) end
local names = model:labels()
table.sort(names)
print(string.format("trained %d documents, %d labels (%s), %d features; saved %s",
                    #texts, #names, table.concat(names, ", "), model:info().features, out))
model:close()
