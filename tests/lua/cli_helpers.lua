-- cli_helpers.lua - what the command line's specs share: run the real
-- bin/textclass (made by `make`) with a shell argument string and collect
-- stdout, stderr and the exit status; parse its TSV and JSONL; a scratch
-- folder; and a small model trained once from tests/data/cli (so the specs
-- need no shipped model). Each spec file loads its own copy with dofile and
-- calls H.cleanup() in teardown. Run from the top of the tree.

local cjson = require "cjson.safe"

local CLI = "bin/textclass"
local D = "tests/data/cli"

local function sh_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function spit(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local TMP = io.popen("mktemp -d"):read("l")

-- Run the CLI with a shell argument string; stdin from a file, a string,
-- a command's output (pipe), closed (closed_stdin), else /dev/null.
-- Returns { code =, out =, err = }.
local function run(args, opts)
  opts = opts or {}
  local out, err = TMP .. "/stdout", TMP .. "/stderr"
  local cmd = (opts.env or "") .. CLI .. " " .. args .. " >" .. out .. " 2>" .. err
  if opts.stdin_file then
    cmd = cmd .. " <" .. sh_quote(opts.stdin_file)
  elseif opts.stdin then
    spit(TMP .. "/stdin", opts.stdin)
    cmd = cmd .. " <" .. TMP .. "/stdin"
  elseif opts.pipe then
    cmd = "(" .. opts.pipe .. ") | " .. cmd
  elseif opts.closed_stdin then
    cmd = cmd .. " <&-"
  else
    cmd = cmd .. " </dev/null"
  end
  local _, how, code = os.execute(cmd)
  assert(how == "exit", "killed by a signal: " .. cmd)
  return { code = code, out = slurp(out) or "", err = slurp(err) or "", cmd = cmd }
end

local function lines(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

local function tsv(s)
  local rows = {}
  for _, l in ipairs(lines(s)) do
    local f = {}
    for field in (l .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = field end
    rows[#rows + 1] = f
  end
  return rows
end

local function jsonl(s)
  local rows = {}
  for _, l in ipairs(lines(s)) do rows[#rows + 1] = assert(cjson.decode(l), "not JSON: " .. l) end
  return rows
end

local MODEL = TMP .. "/fixture.model"
local LABELS = { cyber = true, other = true, politics = true, sport = true }

-- The fixture model: trained once, used by most tests. min_df 1 because
-- the corpus is tiny.
local trained
local function model()
  if not trained then
    trained = run("train -q --min-df 1 -o " .. MODEL .. " " .. D .. "/train.jsonl")
    assert(trained.code == 0, "training the fixture model failed: " .. trained.err)
  end
  return MODEL
end

-- The records textclass.cli.csv reads from the string s (fields
-- separated by sep, a comma by default), a failure as { error =, line = }.
local function csv_records(s, sep)
  local out, it = {}, s:gmatch("[^\n]*\n?")
  local function next_line()
    local l = it()
    if l == "" then return nil end
    return l
  end
  for rec, a, b in require("textclass.cli.csv").records(next_line, nil, sep) do
    if rec == false then out[#out + 1] = { error = a, line = b } else out[#out + 1] = rec end
  end
  return out
end

-- A producer for streaming tests, with no clock in them: a shell command
-- that runs `first` (a command writing the first line), waits for the file
-- `flag` (at most a minute), then runs `second` when it appeared and
-- `late` when it did not. The test reads the first record, then creates
-- flag, then reads the second: the command line answered the first line
-- before more input came exactly when the second record is `second`'s.
local function after_flag(first, flag, second, late)
  os.remove(flag)
  return "(" .. first .. "; i=0; while [ ! -e " .. sh_quote(flag) .. " ] && [ $i -lt 600 ]; do " ..
         "sleep 0.1; i=$((i + 1)); done; if [ -e " .. sh_quote(flag) .. " ]; then " .. second ..
         "; else " .. late .. "; fi)"
end

-- Run cmd (a producer made by after_flag, piped into the command line),
-- read its first record, create flag, read its second; returns both.
local function first_then_second(cmd, flag)
  local p = io.popen(cmd)
  local first = p:read("l")
  assert(io.open(flag, "w")):close()
  local second = p:read("l")
  p:close()
  return first, second
end

return {
  CLI = CLI, D = D, TMP = TMP, MODEL = MODEL, LABELS = LABELS,
  sh_quote = sh_quote, slurp = slurp, spit = spit, run = run,
  lines = lines, tsv = tsv, jsonl = jsonl, model = model, csv_records = csv_records,
  after_flag = after_flag, first_then_second = first_then_second,
  cleanup = function() os.execute("rm -rf " .. sh_quote(TMP)) end,
}
