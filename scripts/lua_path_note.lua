-- lua_path_note.lua - the note `make install` ends with: run as
-- `lua5.4 scripts/lua_path_note.lua PREFIX`, it prints the LUA_PATH and
-- LUA_CPATH lines a script run with this Lua needs to require "textclass"
-- from PREFIX, when PREFIX's share/lua/5.4 is not on its package.path or
-- its lib/lua/5.4 not on its package.cpath (Debian's lua5.4 looks under
-- /usr/local and /usr only); else nothing. Without them such a script
-- failed with "module 'textclass' not found", and nothing had said so.
-- (bin/textclass sets both itself.)

local prefix = assert(arg[1], "usage: lua5.4 scripts/lua_path_note.lua PREFIX"):gsub("/+$", "")
local lua = arg[-1] or "lua5.4"

-- Is `entry` one of the ;-separated templates of `path`?
local function searches(path, entry)
  for template in path:gmatch("[^;]+") do
    if template == entry then return true end
  end
  return false
end

local dir, cdir = prefix .. "/share/lua/5.4", prefix .. "/lib/lua/5.4"
local lines = {}
if not searches(package.path, dir .. "/?.lua") then
  lines[#lines + 1] = string.format("  export LUA_PATH='%s/?.lua;%s/?/init.lua;;'", dir, dir)
end
if not searches(package.cpath, cdir .. "/?.so") then
  lines[#lines + 1] = string.format("  export LUA_CPATH='%s/?.so;;'", cdir)
end
if #lines > 0 then
  print(string.format("%s does not look under %s for modules: for require \"textclass\" in scripts run " ..
                      "with it, set\n%s\n(bin/textclass needs neither)", lua, prefix, table.concat(lines, "\n")))
end
