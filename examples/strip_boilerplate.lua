-- examples/strip_boilerplate.lua - a Lua classifier that removes site
-- boilerplate before the model sees the text: lists of other headlines,
-- cookie and subscription notices, "Read more" links, share buttons.
--
-- A page about a data breach whose sidebar lists ten football headlines
-- should be cyber, not sport. (Models trained with strip_boilerplate = true
-- do a similar clean-up in C; this shows how to write your own rules.)
--     local c = assert(tc.load_classifier("examples/strip_boilerplate.lua"))
--     c:predict(page_text)
-- The model is tc.default(). M.strip(text) is exported for reuse.
local tc = require "textclass"

local model = assert(tc.default())

-- A line without the white space around it, in linear time (not
-- "^%s*(.-)%s*$", quadratic in inner blanks).
local function trim(line)
  local first = line:find("%S")
  return first and line:match("^.*%S", first) or ""
end

-- Lines that are page furniture wherever they appear (matched trimmed and
-- lower-cased). A pattern ending in "%s*$" would be tried at every byte of
-- a run of blanks before the line's end, the square of the run; and a
-- character class holds bytes, not characters, so "»" is a pattern of its own.
local furniture = {
  "cookie", "consent", "subscribe", "newsletter", "sign up", "log in",
  "^read more", "read more%s*>?$", "read more%s*»$", "^share", "^advertisement",
  "all rights reserved", "^©", "^related:?$", "^recent posts", "^most read",
  "^trending",
}

local function is_furniture(line)
  local l = trim(line):lower()
  for _, p in ipairs(furniture) do
    if l:find(p) then return true end
  end
  return false
end

-- A headline-like line: short, no sentence punctuation at the end.
local function is_headline(line)
  local s = trim(line)
  -- (a character class holds bytes: "”" goes outside it, or any line ending
  -- in one of its three bytes, like "ŝ", would count as punctuated)
  return #s > 0 and #s < 90 and not (s:find("[.!?:;\"]$") or s:sub(-3) == "”")
end

--- The text without blank lines, furniture lines and runs of three or
--- more headline-like lines in a row (lists of other stories). A blank
--- line ends a run, so a page's title after its menu is not taken for a
--- fourth menu entry.
local function strip(text)
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = line end
  local keep, i = {}, 1
  while i <= #lines do
    local j = i
    while j <= #lines and lines[j]:find("%S") and is_headline(lines[j]) do j = j + 1 end
    if j - i >= 3 then
      i = j -- a run of headlines: drop it
    else
      -- lines i..j-1 are a short run (a title, a subheading); line j, if any, is
      -- blank or not headline-like
      local stop = math.min(j, #lines)
      for k = i, stop do
        if lines[k]:find("%S") and not is_furniture(lines[k]) then keep[#keep + 1] = lines[k] end
      end
      i = stop + 1
    end
  end
  return table.concat(keep, "\n")
end

local M = { strip = strip }

function M.labels()
  return model:labels()
end

function M.predict(text)
  return model:predict(M.strip(text))
end

function M.predict_batch(texts, opts)
  local clean = {}
  for i, t in ipairs(texts) do clean[i] = M.strip(t) end
  return model:predict_batch(clean, opts)
end

return M
