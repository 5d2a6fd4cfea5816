-- textclass.cli.run - `textclass run SCRIPT.lua [ARGS ...]`.
--
-- Runs a Lua script the way `lua5.4 SCRIPT.lua ARGS` would - global `arg`
-- with arg[0] = SCRIPT, arg[1..] = ARGS, and ARGS as the chunk's `...` -
-- but with the textclass module and its Lua helpers on the path, so
-- `require "textclass"` just works. Everything after SCRIPT belongs to the
-- script, options included. The script's own os.exit decides the status;
-- an error in it is reported as "textclass: SCRIPT: message" (exit 1).

local util = require "textclass.cli.util"

local M = {}

M.spec = {
  name = "run",
  synopsis = "SCRIPT.lua [ARGS ...]",
  summary = "Run a Lua script with the textclass module at hand (require \"textclass\").\n" ..
            "The script sees its arguments in the global arg table and in '...'.",
  options = {},
  examples = "  textclass run examples/train_folder.lua data/ my.model\n",
}

-- Only options before SCRIPT are ours; the rest is the script's.
function M.raw_args(argv)
  if argv[1] == "-h" or argv[1] == "--help" then return { help = true }, {} end
  if argv[1] and argv[1]:sub(1, 1) == "-" and argv[1] ~= "-" then
    util.usage_error("unknown option '%s'", argv[1])
  end
  return {}, argv
end

function M.run(_, operands)
  local script = operands[1]
  if not script then util.usage_error("no SCRIPT given") end
  local chunk, err
  if script == "-" then chunk, err = load(io.stdin:read("a") or "", "=stdin")
  else chunk, err = loadfile(script) end
  if not chunk then util.fail("%s", err) end
  local script_arg = { [0] = script }
  for i = 2, #operands do script_arg[i - 1] = operands[i] end
  _G.arg = script_arg
  local ok, e = xpcall(chunk, debug.traceback, table.unpack(script_arg, 1, #script_arg))
  if not ok then
    util.fail("%s", tostring(e))
  end
  return util.EXIT_OK
end

return M
