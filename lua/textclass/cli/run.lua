-- textclass.cli.run - `textclass run SCRIPT.lua [ARGS ...]`.
--
-- Runs a Lua script the way `lua5.4 SCRIPT.lua ARGS` would - global `arg`
-- with arg[0] = SCRIPT, arg[1..] = ARGS, and ARGS as the chunk's `...` -
-- but with the textclass module and its Lua helpers on the path, so
-- `require "textclass"` just works. Everything after SCRIPT belongs to the
-- script, options included. The script's own os.exit decides the status;
-- an error in it is reported as "textclass: SCRIPT:LINE: message" (exit 1),
-- with the traceback when TEXTCLASS_DEBUG is set. Its print, io.write,
-- io.stdout:write and :flush and os.exit report a failed write as the other
-- commands do (checked_print, check_stdout_methods).

local util = require "textclass.cli.util"
local args = require "textclass.cli.args"

local M = {}

M.MAX_STDIN_SCRIPT = 64 * 1024 * 1024   -- the most of stdin read as a script (run -)

-- A script's stdout is buffered, as under lua5.4 (a print to a pipe is
-- not a write(2) of its own); the other commands' is not (util.unbuffered_stdout).
M.buffered_stdout = true

M.spec = {
  name = "run",
  synopsis = "[-q] SCRIPT.lua [ARGS ...]",
  summary = "Run a Lua script with the textclass module at hand (require \"textclass\").\n" ..
            "The script sees its arguments in the global arg table and in '...'.",
  description =
    "SCRIPT.lua is run as 'lua5.4 SCRIPT.lua ARGS' would run it; - reads it from stdin.\n" ..
    "Everything after SCRIPT, options too, is the script's. An error in the script is\n" ..
    "said on one line, 'textclass: SCRIPT:LINE: message', with exit status 1 (its\n" ..
    "traceback when TEXTCLASS_DEBUG is set); the script's os.exit gives its own status.",
  options = {
    { short = "q", long = "quiet",
      help = "taken, as by every command: run itself writes nothing on stderr but errors " ..
             "(the script's output is its own: give it an option of its own after SCRIPT)" },
  },
  examples = "  textclass run examples/train_folder.lua data/ my.model\n" ..
             "  echo 'print(require(\"textclass\")._VERSION)' | textclass run -\n",
}

-- Only options before SCRIPT are ours (-h, -q); the rest is the script's.
function M.raw_args(argv)
  local opts, i = {}, 1
  while argv[i] == "-q" or argv[i] == "--quiet" do
    opts.quiet = true
    i = i + 1
  end
  if argv[i] == "-h" or argv[i] == "--help" then return { help = true }, {} end
  if argv[i] and argv[i]:sub(1, 1) == "-" and argv[i] ~= "-" then
    util.usage_error("unknown option '%s'", argv[i])
  end
  return opts, table.move(argv, i, #argv, 1, {})
end

-- A script error as one line: its message (which names the script and
-- line for a string raised by error()), or, for an error value that is not
-- a string, what lua5.4 says of it, after the script's name. The traceback
-- is shown only with TEXTCLASS_DEBUG set: most of it is the launcher's.
local function message_of(e, script)
  local mt = getmetatable(e)
  if type(e) == "string" or type(e) == "number" or (mt and mt.__tostring) then
    local ok, s = pcall(tostring, e)
    if ok and type(s) == "string" then return s end
  end
  return string.format("%s: (error object is a %s value)", script, type(e))
end

-- The script's print and io.write, checked: the stock ones drop text a
-- full disk refuses (print ignores write errors, io.write returns them to
-- a script that seldom looks) and the run would end with status 0. These
-- write through util.write, so a failed write ends the run as the other
-- commands' output does: a message and status 1, or quietly with status
-- 141 when the reader of a pipe went away. print still flushes each line.
local function checked_print(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  util.write(table.concat(parts, "\t", 1, n), "\n")
  util.flush()
end

local function checked_write(...)
  local out = io.output()
  util.write_to(out, ...)
  return out
end

-- The script's io.stdout:write and io.stdout:flush (io.output():write too,
-- while that is stdout), checked as print is: the stock methods return a
-- failure the script seldom looks at, and text written past the buffer, or
-- with stdout line-buffered or unbuffered, was gone with status 0 (only
-- what the buffer held at the end was caught, by the final flush). The
-- methods are shared by every file handle: the others keep the stock ones.
-- A success gives what the stock method gives (write the file, flush true).
local function check_stdout_methods()
  local methods, stdout = getmetatable(io.stdout).__index, io.stdout
  local function checked(stock)
    return function(f, ...)
      if f ~= stdout then return stock(f, ...) end
      local ok, err, errno = stock(f, ...)
      if not ok then util.write_failed(err, errno) end
      return ok
    end
  end
  methods.write, methods.flush = checked(methods.write), checked(methods.flush)
end

-- The script's os.exit, checked: what io.write buffered is flushed first,
-- so a write the disk refuses ends the run with its message and status 1
-- instead of vanishing in the stock os.exit's unchecked flush.
local stock_exit = os.exit
local function checked_exit(...)
  util.flush(io.output())
  if io.output() ~= io.stdout then util.flush() end
  return stock_exit(...)
end

function M.run(_, operands)
  local script = operands[1]
  if not script then util.usage_error("no SCRIPT given") end
  args.refuse_empty_operand(script)   -- (the script's own arguments may be empty)
  local chunk, err
  if script == "-" then
    -- a closed stdin or one that cannot be read is not an empty script
    local source, rerr = nil, "stdin is closed"
    if not util.stdin_closed() then source, rerr = io.stdin:read(M.MAX_STDIN_SCRIPT + 1) end
    if not source and not rerr then source = "" end   -- (at the end at once)
    if not source then util.fail("-: %s", rerr) end
    if #source > M.MAX_STDIN_SCRIPT then
      util.fail("-: a script on stdin larger than %d bytes (64 MiB) is not read", M.MAX_STDIN_SCRIPT)
    end
    chunk, err = load(source, "=stdin")
  else chunk, err = loadfile(script) end
  if not chunk then util.fail("%s", err) end
  local script_arg = { [0] = script }
  for i = 2, #operands do script_arg[i - 1] = operands[i] end
  _G.arg = script_arg
  _G.print, io.write, os.exit = checked_print, checked_write, checked_exit
  check_stdout_methods()
  local ok, e = xpcall(chunk, function(x)
    if util.is_failure(x) then return x end   -- a failed write (checked_print)
    if util.is_interrupt(x) then return x end -- Ctrl-C: the entry point says so
    if util.is_json_memory_error(x) then return "not enough memory" end
    return { msg = message_of(x, script), trace = debug.traceback(nil, 2) }
  end, table.unpack(script_arg, 1, #script_arg))
  if not ok and (util.is_failure(e) or util.is_interrupt(e)) then error(e, 0) end
  -- a memory error skips the handler (but lua-cjson's, above): its message
  -- comes as it is
  if not ok and type(e) ~= "table" then util.fail("%s: %s", script, tostring(e)) end
  if not ok then
    if os.getenv("TEXTCLASS_DEBUG") then io.stderr:write(e.trace, "\n") end
    util.fail("%s", e.msg)
  end
  return util.EXIT_OK
end

return M
