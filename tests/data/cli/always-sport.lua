-- A Lua classifier for the CLI tests: says "sport" for everything, and
-- fails on purpose for a text containing "boom", so the tests can check
-- that one failing document does not stop the others.
local M = {}

function M.predict(text)
  if text:find("boom", 1, true) then error("boom in the text") end
  return { label = "sport", labels = { "sport" }, scores = { sport = 0.9, politics = 0.1 } }
end

function M.labels() return { "sport", "politics" } end

return M
