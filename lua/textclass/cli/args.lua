-- textclass.cli.args - command-line option parsing and usage text.
--
-- Each command describes itself with a table:
--
--   { name = "label", synopsis = "[options] [PATH ...]", summary = "...",
--     description = "longer text for --help",
--     options = { { short = "m", long = "model", arg = "MODEL", help = "..." },
--                 { long = "top", arg = "N", type = "integer", min = 1, help = "..." },
--                 { long = "output", arg = "FORMAT", choices = { "tsv", "jsonl" } },
--                 { short = "q", long = "quiet", help = "..." } } }   -- no arg: a flag
--
-- parse() accepts GNU-style command lines: "--long value", "--long=value",
-- "-s value", "-svalue", options after operands, "--" to end options, and
-- "-" as an operand (stdin); an operand is a path, so an empty one is a
-- usage error, as is an empty path or name given to an option. Values are
-- checked (decimal numbers, ranges with min and max inclusive and above
-- exclusive, choices) here, so commands receive clean values keyed by the
-- long name with dashes turned into underscores ("--char-ngrams" ->
-- opts.char_ngrams). Every mistake raises a usage error (exit 2) naming
-- the option; an option with choices may add `choice_hint =
-- function(value)` returning text to append to the "not one of" message
-- (or nil; without one, a value that begins one choice or spells it in
-- another case names it: "--output jsonl?"); a number option may take
-- words too, `words = { "auto" }`, each given to the command as written; `type = "numbers"` takes a
-- comma-separated list of numbers, each checked as a number option's. An option given twice takes the last
-- value, unless it has `joins = ","`: then its values are joined by it
-- (-l a -l b is -l a,b). `unknown_hints`, keyed by an option's name
-- without its dashes ("c", "classifier"), adds a word to the "unknown
-- option" message for an option another command takes.

local util = require "textclass.cli.util"

local M = {}

local function key_of(opt) return (opt.long or opt.short):gsub("-", "_") end

local function display(opt)
  return opt.long and ("--" .. opt.long) or ("-" .. opt.short)
end

-- A number as people write one: optional sign, digits with at most one
-- point, an optional exponent. tonumber alone would also take hex
-- ("0x1"), surrounding spaces and "nan" spellings it parses, which no
-- option means.
local function decimal(s)
  local mantissa = s:gsub("[eE][+-]?%d+$", "", 1)
  return mantissa:find("^[+-]?%d+%.?%d*$") or mantissa:find("^[+-]?%.%d+$")
end

-- A bound as the messages print it: 1000000 rather than tostring's 1000000.0.
local function bound(x)
  return math.type(x) == "float" and string.format("%.14g", x) or tostring(x)
end

-- Whether value is one of the strings of list.
local function listed(list, value)
  for _, c in ipairs(list) do if c == value then return true end end
  return false
end

-- The choice a value not among `choices` was most likely meant as: the
-- one it spells in another case (JSONL), else the one choice it begins
-- (json: jsonl); nil when none or several.
local function meant_choice(choices, value)
  local lower, begun = value:lower(), {}
  for _, c in ipairs(choices) do
    if c:lower() == lower then return c end
    if #value > 0 and c:sub(1, #lower):lower() == lower then begun[#begun + 1] = c end
  end
  return #begun == 1 and begun[1] or nil
end

-- One number of an option (t: "number" or "integer"), checked against
-- its bounds; raises a usage error naming the option otherwise.
local function number(opt, name, value, t)
  local v = decimal(value) and tonumber(value)
  if not v or v ~= v then
    util.usage_error("%s: '%s' is not a number%s", name, value,
                     opt.words and " or " .. table.concat(opt.words, ", ") or "")
  end
  if t == "integer" then
    if math.type(v) == "float" then
      if v ~= math.floor(v) then
        util.usage_error("%s: '%s' is not a whole number", name, value)
      elseif math.abs(v) >= 2^53 then
        util.usage_error("%s: %s is too large", name, value)
      end
      v = math.tointeger(v)
    end
  end
  if opt.above and not (v > opt.above) then
    util.usage_error("%s: %s is not above %s", name, value, bound(opt.above))
  end
  if opt.min and v < opt.min then
    util.usage_error("%s: %s is below the minimum %s", name, value, bound(opt.min))
  end
  if opt.max and v > opt.max then
    util.usage_error("%s: %s is above the maximum %s", name, value, bound(opt.max))
  end
  return v
end

-- Convert and check one option value; raises a usage error on mistakes.
local function convert(opt, value)
  local name = display(opt)
  local t = opt.type or "string"
  local v = value
  -- a path or name that is empty names nothing: most often a shell
  -- variable left unset (-m "$MODEL"); numbers and choices say so themselves
  if value == "" and t == "string" and not opt.choices then
    util.usage_error("%s: an empty value names nothing (an unset variable?)", name)
  end
  if opt.words and listed(opt.words, value) then return value end
  if t == "number" or t == "integer" then
    v = number(opt, name, value, t)
  elseif t == "numbers" then
    v = {}
    for item in (value .. ","):gmatch("(.-),") do v[#v + 1] = number(opt, name, item, "number") end
  elseif opt.choices then
    if not listed(opt.choices, value) then
      local meant = meant_choice(opt.choices, value)
      util.usage_error("%s: '%s' is not one of %s%s", name, value, table.concat(opt.choices, ", "),
                       opt.choice_hint and opt.choice_hint(value) or meant and (": " .. name .. " " .. meant .. "?") or "")
    end
  end
  if opt.check then
    local converted, err = opt.check(v)
    if converted == nil then util.usage_error("%s: %s", name, err or ("bad value '" .. value .. "'")) end
    v = converted
  end
  return v
end

--- The key of opts under which parse leaves the set of options given on the
-- command line (keyed as opts), to tell them from defaults.
M.GIVEN = setmetatable({}, { __name = "args.GIVEN" })

--- Parse argv (an array of strings) against a command spec.
-- Returns opts (keyed by long name, with defaults filled in, and
-- opts[M.GIVEN]) and an array of operands. The "help" option (-h/--help)
-- is always known.
function M.parse(spec, argv)
  local by_long, by_short = {}, {}
  local help = { short = "h", long = "help", help = "show this help and exit" }
  for _, opt in ipairs(spec.options or {}) do
    if opt.long then by_long[opt.long] = opt end
    if opt.short then by_short[opt.short] = opt end
  end
  by_long.help = by_long.help or help
  by_short.h = by_short.h or help

  local function unknown(dashes, name)
    local hint = spec.unknown_hints and spec.unknown_hints[name]
    util.usage_error("unknown option '%s%s'%s", dashes, name, hint and " (" .. hint .. ")" or "")
  end

  local given = {}
  local opts, operands = { [M.GIVEN] = given }, {}
  for _, opt in ipairs(spec.options or {}) do
    if opt.default ~= nil then opts[key_of(opt)] = opt.default end
  end

  local function store(opt, value)
    local k = key_of(opt)
    if not opt.arg then
      opts[k] = true
    elseif opt.joins and given[k] then
      opts[k] = opts[k] .. opt.joins .. convert(opt, value)
    else
      opts[k] = convert(opt, value)
    end
    given[k] = true
  end

  local i, n = 1, #argv
  while i <= n do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, n do operands[#operands + 1] = argv[j] end
      break
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      local opt = by_long[name]
      if not opt then
        -- accept unambiguous prefixes, as getopt_long does
        local hits = {}
        for long, o in pairs(by_long) do
          if long:sub(1, #name) == name then hits[#hits + 1] = o end
        end
        if #hits == 1 then opt = hits[1]
        elseif #hits > 1 then
          local names = {}
          for k, o in ipairs(hits) do names[k] = "--" .. o.long end
          table.sort(names)
          util.usage_error("option '--%s' is ambiguous (%s)", name, table.concat(names, ", "))
        else unknown("--", name) end
      end
      if opt.arg then
        if value == nil then
          i = i + 1
          value = argv[i]
          if value == nil then util.usage_error("option '--%s' needs a value (%s)", opt.long, opt.arg) end
        end
        store(opt, value)
      else
        if value ~= nil then util.usage_error("option '--%s' takes no value", opt.long) end
        store(opt, nil)
      end
    elseif a:sub(1, 1) == "-" and #a > 1 and not a:match("^%-%d") then
      -- short options; a cluster of flags (-qv) or -xVALUE
      local j = 2
      while j <= #a do
        local c = a:sub(j, j)
        local opt = by_short[c]
        if not opt then unknown("-", c) end
        if opt.arg then
          local value = a:sub(j + 1)
          if value == "" then
            i = i + 1
            value = argv[i]
            if value == nil then util.usage_error("option '-%s' needs a value (%s)", c, opt.arg) end
          end
          store(opt, value)
          break
        end
        store(opt, nil)
        j = j + 1
      end
    else
      operands[#operands + 1] = a
    end
    i = i + 1
  end
  for _, p in ipairs(operands) do M.refuse_empty_operand(p) end
  return opts, operands
end

--- An empty operand names no file: most often a shell variable left unset
-- ("$FILE"). A usage error.
function M.refuse_empty_operand(p)
  if p == "" then util.usage_error("an empty operand names no file (an unset variable?)") end
end

local function wrap(text, width, indent)
  local lines, line = {}, ""
  for word in text:gmatch("%S+") do
    if #line > 0 and #line + 1 + #word > width then
      lines[#lines + 1] = line
      line = word
    else
      line = #line > 0 and (line .. " " .. word) or word
    end
  end
  if #line > 0 then lines[#lines + 1] = line end
  return table.concat(lines, "\n" .. indent)
end

--- The full help text of a command (for --help, on stdout).
function M.help(spec)
  local out = {}
  out[#out + 1] = "Usage: " .. util.PROG .. " " .. spec.name .. " " .. spec.synopsis
  if spec.summary then out[#out + 1] = "\n" .. spec.summary end
  if spec.description then out[#out + 1] = "\n" .. spec.description end
  local rows, w = {}, 0
  for _, opt in ipairs(spec.options or {}) do
    local s = "  " .. (opt.short and ("-" .. opt.short .. (opt.long and ", " or "")) or "    ")
    if opt.long then s = s .. "--" .. opt.long end
    if opt.arg then s = s .. " " .. opt.arg end
    rows[#rows + 1] = { s, opt }
    if #s > w then w = #s end
  end
  rows[#rows + 1] = { "  -h, --help", { help = "show this help and exit" } }
  if w < 12 then w = 12 end
  if w > 30 then w = 30 end
  out[#out + 1] = "\nOptions:"
  for _, r in ipairs(rows) do
    local s, opt = r[1], r[2]
    local text = opt.help or ""
    if opt.choices and not text:find("%(") then text = text .. " (" .. table.concat(opt.choices, ", ") .. ")" end
    if opt.default ~= nil and opt.arg and not opt.hide_default then
      text = text .. " [" .. tostring(opt.default) .. "]"
    end
    local indent = string.rep(" ", w + 2)
    if #s > w then
      out[#out + 1] = s .. "\n" .. indent .. wrap(text, 78 - #indent, indent)
    else
      out[#out + 1] = s .. string.rep(" ", w - #s + 2) .. wrap(text, 78 - #indent, indent)
    end
  end
  if spec.examples then out[#out + 1] = "\nExamples:\n" .. spec.examples end
  return table.concat(out, "\n") .. "\n"
end

--- The short usage shown after a usage error (on stderr).
function M.usage(spec)
  return "Usage: " .. util.PROG .. " " .. spec.name .. " " .. spec.synopsis .. "\n" ..
         "Try '" .. util.PROG .. " " .. spec.name .. " --help' for more information.\n"
end

return M
