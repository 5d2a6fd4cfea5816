-- A script for `textclass run` tests: prints its arguments and the module's
-- version, and fails when asked to.
local tc = require "textclass"
print("args", select("#", ...), table.concat(arg, " "), arg[0])
print("version", tc._VERSION)
if arg[1] == "fail" then error("failing as asked") end
