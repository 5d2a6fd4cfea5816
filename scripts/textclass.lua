-- textclass - the command line: label, train, eval, explain, info, run.
--
-- A thin dispatcher: each command lives in lua/textclass/cli/<command>.lua
-- and exports `spec` (its options and help, see textclass.cli.args) and
-- `run(opts, operands)`, which returns the exit status. Conventions, for
-- every command:
--   data on stdout, messages on stderr as "textclass: message";
--   exit 0 when all went well, 1 when some inputs failed or the work could
--   not be done, 2 for a usage error (followed by a short usage on stderr),
--   130 when Ctrl-C stopped the run ("textclass: interrupted"), 143 for
--   SIGTERM ("terminated"), 129 for SIGHUP ("hung up"): stopped between
--   two records, as lua5.4 stops on Ctrl-C (tc.stop_on_signals);
--   `textclass --help`, `textclass help CMD` and `textclass CMD --help`
--   print help on stdout and exit 0.
-- The launcher (bin/textclass, made from scripts/textclass.in) puts the
-- module and these files on the Lua path.

local util = require "textclass.cli.util"
local args = require "textclass.cli.args"

local COMMANDS = { "label", "train", "eval", "explain", "info", "run" }
local SUMMARY = {
  label = "label articles (files, folders, JSONL, CSV, feeds, lines, stdin)",
  train = "train a model from labelled data",
  eval = "measure a model on labelled data",
  explain = "show why an article gets its label",
  info = "describe a model: labels, options, metrics",
  run = "run a Lua script with the textclass module at hand",
}

local function version()
  local ok, tc = pcall(require, "textclass")
  return ok and type(tc) == "table" and tc._VERSION or "textclass (module not loadable)"
end

local function main_help()
  local lines = {
    "Usage: textclass COMMAND [options] [ARGS ...]",
    "",
    "Topic classification for news articles (politics, sport, cyber, other with the",
    "shipped model), on a C library with a Lua 5.4 module.",
    "",
    "Commands:",
  }
  for _, c in ipairs(COMMANDS) do lines[#lines + 1] = string.format("  %-8s %s", c, SUMMARY[c]) end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Options: -h, --help (this text), --version. 'textclass COMMAND --help' for a command."
  lines[#lines + 1] = "Exit status: 0 ok, 1 some inputs failed or an error, 2 usage error, 130 interrupted"
  lines[#lines + 1] = "(Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP), 141 the reader of stdout"
  lines[#lines + 1] = "went away (SIGPIPE, | head)."
  lines[#lines + 1] = "Data goes to stdout, messages to stderr. Manual: docs/cli.md."
  return table.concat(lines, "\n") .. "\n"
end

local MAIN_USAGE = "Usage: textclass COMMAND [options] [ARGS ...]\n" ..
                   "Commands: " .. table.concat(COMMANDS, ", ") .. ". Try 'textclass --help'.\n"

local function is_command(name)
  for _, c in ipairs(COMMANDS) do if c == name then return true end end
  return false
end

-- What users of fastText, LIBLINEAR and LIBSVM (and of other classifiers'
-- command lines) type for our commands: named in the message, never run.
local OTHER_NAMES = {
  predict = "label", ["predict-prob"] = "label", classify = "label", labels = "label",
  test = "eval", evaluate = "eval", fit = "train", supervised = "train",
  show = "info", describe = "info",
}

-- "no such command 'X'", naming ours when X is another tool's name for it.
local function no_such_command(name)
  local ours = OTHER_NAMES[name]
  if ours then
    return string.format("no such command '%s'; 'textclass %s' does that: %s", name, ours, SUMMARY[ours])
  end
  return string.format("no such command '%s'", name)
end

-- Run one command; returns the exit status. Failures raised with
-- util.fail/usage_error become messages; other errors are bugs, reported
-- with a traceback when TEXTCLASS_DEBUG is set.
local function dispatch(argv)
  local name = argv[1]
  if name == nil then
    io.stderr:write(MAIN_USAGE)
    return util.EXIT_USAGE
  end
  if name == "-h" or name == "--help" then util.put(main_help()); return util.EXIT_OK end
  if name == "--version" or name == "-V" then util.put(version(), "\n"); return util.EXIT_OK end
  if name == "help" then
    local topic = argv[2]
    if topic == nil then util.put(main_help()); return util.EXIT_OK end
    if not is_command(topic) then
      util.warn("%s", no_such_command(topic))
      io.stderr:write(MAIN_USAGE)
      return util.EXIT_USAGE
    end
    util.put(args.help(require("textclass.cli." .. topic).spec))
    return util.EXIT_OK
  end
  if not is_command(name) then
    util.warn("%s", name:sub(1, 1) == "-" and string.format("unknown option '%s'", name) or no_such_command(name))
    io.stderr:write(MAIN_USAGE)
    return util.EXIT_USAGE
  end

  local cmd = require("textclass.cli." .. name)
  if not cmd.buffered_stdout then util.unbuffered_stdout() end
  local rest = table.move(argv, 2, #argv, 1, {})
  local status
  local ok, err = xpcall(function()
    local opts, operands
    if cmd.raw_args then
      opts, operands = cmd.raw_args(rest)
    else
      opts, operands = args.parse(cmd.spec, rest)
    end
    util.set_quiet(opts.quiet)
    if opts.help then
      util.write(args.help(cmd.spec))
      status = util.EXIT_OK
      return
    end
    status = cmd.run(opts, operands)
  end, function(e)
    if util.is_failure(e) then return e end
    if util.is_interrupt(e) then return { interrupted = true } end
    if util.is_json_memory_error(e) then return "not enough memory" end
    return { bug = tostring(e), trace = debug.traceback(nil, 2) }
  end)
  if ok then return status or util.EXIT_OK end
  -- a memory error skips the handler (but lua-cjson's, above): its message
  -- comes as it is
  if type(err) ~= "table" then
    util.warn("%s", tostring(err))
    return util.EXIT_FAIL
  end
  if err.interrupted then
    -- Ctrl-C, SIGTERM or SIGHUP: stopped, not failed; outputs being
    -- written atomically were discarded on the way out (their
    -- to-be-closed handles)
    local code, msg = util.stopped()
    util.warn("%s", msg)
    return code
  end
  if util.is_failure(err) then
    if err.msg then util.warn("%s", err.msg) end
    if err.code == util.EXIT_USAGE then io.stderr:write(args.usage(cmd.spec)) end
    return err.code
  end
  util.warn("internal error: %s", err.bug)
  if os.getenv("TEXTCLASS_DEBUG") then io.stderr:write(err.trace, "\n") end
  return util.EXIT_FAIL
end

-- SIGTERM and SIGHUP stop the run between two records, as Ctrl-C does
-- (rather than ending the process in the middle of a write).
require("textclass").stop_on_signals()

-- Output that could not be written (disk full, closed pipe) overrides a
-- success: the data did not arrive.
local status = dispatch(arg)
local out_status = util.output_status()
if out_status and status == util.EXIT_OK then status = out_status end
os.exit(status, true)
