-- stem_spec.lua - the English stems of tc.tokenize { stem = "english" }
-- against the Snowball project's own English stemmer (Debian's
-- python3-snowballstemmer, installed by `make deps`), on 30,000 words made
-- of random letters and the suffixes the algorithm's steps look for.
-- tests/c/test_stem.c has the step-by-step cases.
local tc = require "textclass"

local PYTHON = "/usr/bin/python3"
local STEMMER = [[
import sys, snowballstemmer
words = sys.stdin.read().split("\n")[:-1]
sys.stdout.write("\n".join(snowballstemmer.stemmer("english").stemWords(words)) + "\n")
]]

local function has_snowball()
  local ok = os.execute(PYTHON .. " -c 'import snowballstemmer' 2>/dev/null")
  return ok == true
end

-- Words of random letters (more vowels and y than chance) with a suffix
-- from the steps' lists most of the time.
local function random_words(n, seed)
  local letters = "aeiouyybcdlnrstgmpwxkfhv"
  local suffixes = { "ing", "ingly", "ed", "edly", "eed", "ies", "ied", "sses", "s", "us", "ational",
    "tional", "ization", "ness", "ful", "ative", "alize", "ical", "ement", "ion", "li", "bli", "ogi",
    "e", "l", "ll", "y", "ement", "iveness", "fulli", "lessli", "ousli", "enci", "anci", "able" }
  local prefixes = { "gener", "commun", "arsen", "y" }
  math.randomseed(seed)
  local words, seen = {}, {}
  while #words < n do
    local k = math.random(1, 9)
    local w = {}
    for i = 1, k do
      local j = math.random(1, #letters)
      w[i] = letters:sub(j, j)
    end
    local word = table.concat(w)
    if math.random() < 0.7 then word = word .. suffixes[math.random(1, #suffixes)] end
    if math.random() < 0.1 then word = prefixes[math.random(1, #prefixes)] .. word end
    if not seen[word] then
      seen[word] = true
      words[#words + 1] = word
    end
  end
  return words
end

describe("stem = \"english\"", function()
  it("gives the Snowball English stemmer's stems", function()
    if not has_snowball() then
      pending("SKIPPED: " .. PYTHON .. " has no snowballstemmer (make deps installs python3-snowballstemmer)")
      return
    end
    local words = random_words(30000, 20261126)
    local input = os.tmpname()
    local f = assert(io.open(input, "wb"))
    f:write(table.concat(words, "\n"), "\n")
    f:close()
    local script = os.tmpname()
    f = assert(io.open(script, "wb"))
    f:write(STEMMER)
    f:close()
    local p = assert(io.popen(PYTHON .. " " .. script .. " < " .. input))
    local want = {}
    for line in p:lines() do want[#want + 1] = line end
    p:close()
    os.remove(input)
    os.remove(script)
    assert.equal(#words, #want)
    local differ = {}
    for i, w in ipairs(words) do
      local got = tc.tokenize(w, { stem = "english", stopwords = false })
      if #got ~= 1 or got[1] ~= want[i] then
        differ[#differ + 1] = string.format("%s -> %s, want %s", w, table.concat(got, "|"), want[i])
      end
    end
    assert.same({}, { table.unpack(differ, 1, math.min(#differ, 20)) })
  end)
end)
