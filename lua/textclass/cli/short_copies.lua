-- textclass.cli.short_copies - `train --short-copies N`: each training
-- document once more, cut to its title and the first N words of its body.
--
-- Why: a model trained on whole articles sees short items (a headline and a
-- sentence or two, what users often label) with far fewer terms than it
-- ever trained on, and labels them worse. Cross-validation on the training
-- splits with the held-out documents cut short (bench/tune_defaults
-- --cut-words) measured what training on such cut copies as well is worth;
-- docs/features.md, "How the defaults were chosen", has the figures.
--
-- A document is "title, blank line, body" when it has a blank line (the
-- corpora's and most exports' layout), else all body. Words are runs of
-- non-space bytes, so a cut never splits a UTF-8 character. A document whose
-- body has N words or fewer gets no copy: it would be itself again, which
-- only doubles its weight.

local M = {}

--- The document cut to its title plus the first n words of its body (joined
-- by single spaces), or nil when it is not longer than that.
function M.cut(text, n)
  local title, from = "", 1
  local s, e = text:find("\r?\n[ \t\r]*\n")
  if s then title, from = text:sub(1, s - 1), e + 1 end
  local words, more = {}, false
  for w in text:gmatch("%S+", from) do
    if #words == n then more = true; break end
    words[#words + 1] = w
  end
  if not more then return nil end
  return title .. "\n\n" .. table.concat(words, " ")
end

--- Append to texts (and labels, the same label value: a string or a
-- multi-label array) a cut copy of every document long enough to have one.
-- Returns how many copies were added.
function M.add(texts, labels, n)
  local count = #texts
  local added = 0
  for i = 1, count do
    local c = M.cut(texts[i], n)
    if c then
      added = added + 1
      texts[count + added], labels[count + added] = c, labels[i]
    end
  end
  return added
end

return M
