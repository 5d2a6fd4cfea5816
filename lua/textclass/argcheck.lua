-- textclass.argcheck - the argument check the module's Lua files share
-- (textclass.classifier, textclass.read): what the C functions do with
-- tcl_check_nargs, for functions written in Lua. Internal: not part of the
-- documented API.

local M = {}

--- Raise "bad argument #n to 'fname' (unexpected argument)" when there are
-- arguments past the last one taken (a misplaced option table, a typo'd
-- call), argument n the first of them, worded as luaL_argerror words it.
-- Level 3: here, the checking function, its caller.
function M.no_more(fname, n, ...)
  if select("#", ...) > 0 then
    error(string.format("bad argument #%d to '%s' (unexpected argument)", n, fname), 3)
  end
end

return M
