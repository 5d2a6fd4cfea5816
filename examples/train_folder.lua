-- examples/train_folder.lua - train a model from a folder with one
-- sub-folder per label, and save it.
--
--   bin/textclass run examples/train_folder.lua FOLDER OUT.model [--cv K]
--   (or lua5.4 examples/train_folder.lua ... once `make install` has put the
--   module where lua5.4 finds it)
--
--   FOLDER/politics/*.txt, FOLDER/sport/*.txt, ...: each file is one
--   document, labelled with its sub-folder's name (files in deeper folders
--   count for that label too). The files are read as `textclass train`
--   reads a folder (textclass.read): UTF-16 with a byte order mark is
--   converted, HTML pages are read for their text, invalid UTF-8 is read as
--   U+FFFD; a file that cannot be used (binary, empty, unreadable, not
--   inside a label sub-folder) is named on stderr and left out.
-- Prints what it did on stdout and training progress on stderr; with
-- --cv K, cross-validates first and prints accuracy and macro-F1.
-- Exits 1 with a message on stderr when something is wrong.
local tc = require "textclass"

local function fail(msg)
  io.stderr:write("train_folder: ", msg, "\n")
  os.exit(1)
end

local function usage()
  io.stderr:write("usage: textclass run examples/train_folder.lua FOLDER OUT.model [--cv K]\n")
  os.exit(1)
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

-- Each file under FOLDER/<label>/, read as `textclass train` reads label
-- folders. A path that is not a folder (a caller mistake to read.labelled)
-- or a read error raises: the pcall turns either into our message.
local read = require "textclass.read"
local texts, labels = {}, {}
local read_ok, read_err = pcall(function()
  for doc in read.labelled(folder, { format = "folder", replace_invalid = true }) do
    if doc.error then
      io.stderr:write("train_folder: ", doc.where, ": ", doc.error, "\n")
    else
      texts[#texts + 1] = doc.text
      labels[#labels + 1] = doc.labels[1]
    end
  end
end)
if not read_ok then fail((tostring(read_err):gsub("^[^:]+:%d+: ", ""))) end
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
