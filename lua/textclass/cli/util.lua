-- textclass.cli.util - messages, exit codes and small helpers shared by the
-- command line's modules.
--
-- Errors travel as tables raised with error(): { code = 1 | 2, msg = "..." }
-- (no msg: end quietly, as for a closed output pipe).
-- The entry point (scripts/textclass.lua) catches them, prints
-- "textclass: msg" on stderr (plus the usage for code 2) and exits with
-- the code. Anything else raised is a bug and is reported as such.

local check_utf8 = require("textclass").check_utf8
local lfs = require "lfs"

local M = {}

M.PROG = "textclass"
M.EXIT_OK = 0      -- everything went well
M.EXIT_FAIL = 1    -- some inputs failed, or the work could not be done
M.EXIT_USAGE = 2   -- the command line itself is wrong
M.EXIT_PIPE = 141  -- the reader of stdout went away (128 + SIGPIPE, the
                   -- status a shell reports when SIGPIPE ends a process)

M.EXIT_INTERRUPT = 130  -- Ctrl-C (SIGINT): 128 + 2, as a shell reports it
M.EXIT_HANGUP = 129     -- SIGHUP (the terminal closed): 128 + 1
M.EXIT_TERMINATE = 143  -- SIGTERM (timeout, kill, systemd): 128 + 15

--- Is `e` the error lua5.4 raises on Ctrl-C ("interrupted!"), which
-- SIGTERM and SIGHUP raise too (tc.stop_on_signals, called by the entry
-- point)? Every pcall that turns errors into messages (a document's error
-- record, a failed training) raises it again (M.unless_interrupt), so the
-- run stops: the entry point then says why (M.stopped) and exits.
M.is_interrupt = require("textclass.classifier").is_interrupt
M.unless_interrupt = require("textclass.classifier").unless_interrupt

local stop_signal = require("textclass").stop_signal
local STOPPED_BY = {
  [1] = { M.EXIT_HANGUP, "hung up" },
  [15] = { M.EXIT_TERMINATE, "terminated" },
}

--- After an interrupt: the exit status and the message for the signal
-- that stopped the run (SIGTERM, SIGHUP, else Ctrl-C's).
function M.stopped()
  local by = STOPPED_BY[stop_signal()]
  if by then return by[1], by[2] end
  return M.EXIT_INTERRUPT, "interrupted"
end

local failure_mt = { __tostring = function(e) return e.msg or "output closed" end }

local function raise(code, fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  error(setmetatable({ code = code, msg = msg }, failure_mt), 0)
end

--- Raise a usage error (exit 2, usage printed).
function M.usage_error(fmt, ...) raise(M.EXIT_USAGE, fmt, ...) end

--- Raise a failure (exit 1): a model that cannot be loaded, unusable data.
function M.fail(fmt, ...) raise(M.EXIT_FAIL, fmt, ...) end

--- True when `e` was raised by usage_error or fail.
function M.is_failure(e) return getmetatable(e) == failure_mt end

local EPIPE = 32   -- errno on Linux (and the BSDs): write to a closed pipe

--- Raise for a failed write to the output. A closed pipe (`| head -1`
-- with SIGPIPE ignored, as some parents do) ends the run quietly with
-- EXIT_PIPE: the reader has what it wanted. Anything else (disk full, I/O
-- error) is a failure with a message, never a silent loss of output.
function M.write_failed(err, errno)
  if errno == EPIPE then error(setmetatable({ code = M.EXIT_PIPE }, failure_mt), 0) end
  raise(M.EXIT_FAIL, "cannot write the output: %s", tostring(err))
end

--- Write to a file handle (stdout by default), raising through
-- write_failed when the write fails.
function M.write_to(f, ...)
  local ok, err, errno = f:write(...)
  if not ok then M.write_failed(err, errno) end
end

--- Write to stdout (see write_to) with one call, the arguments joined
-- first: stdout is unbuffered (M.unbuffered_stdout), so each call is one
-- piece of output, whole or (stopped before its first byte) not at all.
function M.write(...)
  if select("#", ...) > 1 then M.write_to(io.stdout, table.concat({ ... })) else M.write_to(io.stdout, ...) end
end

--- Make stdout unbuffered, as the entry point does for every command but
-- run: each M.write is then one write(2). A signal (no SA_RESTART) that
-- interrupts a write lets it finish once part is out, and fails it before
-- its first byte, so a command stopped writing ends its output on a whole
-- piece (label's batch of records, explain's scores or one label's
-- features, eval's figures, info's description). Through the stdio buffer
-- a piece went out in several writes, and the one that failed dropped what
-- the buffer held: the end of explain's output, or all of info's and
-- eval's when the pipe was full, with exit status 0.
function M.unbuffered_stdout() io.stdout:setvbuf("no") end

--- Flush a file handle (stdout by default), raising through write_failed.
function M.flush(f)
  local ok, err, errno = (f or io.stdout):flush()
  if not ok then M.write_failed(err, errno) end
end

-- The first stdout failure met where raising is not allowed (in warn,
-- which also runs while a failure is being reported); see output_status.
local pending

-- Run a writing function, keeping its failure for output_status.
local function keep_failure(fn, ...)
  local ok, e = pcall(fn, ...)
  if not ok and M.is_interrupt(e) then
    local code, msg = M.stopped()
    e = setmetatable({ code = code, msg = msg }, failure_mt)
  end
  if not ok and pending == nil then pending = e end
end

--- The exit status the end of output imposes: flushes stdout and returns
-- nil when all output was written, else EXIT_PIPE or EXIT_FAIL (after
-- saying why), or a signal's status when one stopped the flush. The entry
-- point calls it last.
function M.output_status()
  keep_failure(M.flush)
  local e = pending
  if e == nil then return nil end
  if e.msg then io.stderr:write(M.PROG, ": ", e.msg, "\n") end
  return e.code
end

--- Write to stdout where raising is not allowed (outside a command's run);
-- a failure shows in output_status.
function M.put(...) keep_failure(M.write, ...) end

--- Print "textclass: message" on stderr: an error, which -q never hides
-- (warnings, hints and summaries go through M.note).
function M.warn(fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  keep_failure(M.flush)   -- keep data and messages in order when both go to one file
  io.stderr:write(M.PROG, ": ", msg, "\n")
end

--- -q, --quiet, which every command takes with one meaning: no progress
-- bar, summary, warning or hint on stderr; errors are reported all the
-- same, so with -q anything on stderr is an error. The entry point sets
-- it (M.set_quiet) once the command line is parsed.
M.QUIET_OPTION = { short = "q", long = "quiet",
                   help = "no progress, summary or warnings on stderr (errors are still reported)" }
local quiet = false
function M.set_quiet(on) quiet = on == true end

--- A warning, hint or summary: "textclass: message" on stderr, unless -q.
function M.note(fmt, ...)
  if not quiet then M.warn(fmt, ...) end
end

-- Was stdin closed (`<&-`) when the command line started? Asked before
-- anything is opened: a file opened later may take descriptor 0 (an
-- eval --errors file, a folder being walked), and /dev/stdin then names it.
local stdin_closed_at_start = not lfs.attributes("/dev/stdin")

--- Is stdin closed? (Then reading it is an error, not an empty input.)
function M.stdin_closed()
  return stdin_closed_at_start or not lfs.attributes("/dev/stdin")
end

--- Refuse (a usage error) an output file that is one of the inputs, as
-- saving it atomically would put the output in place of that input
-- (train -o DATA, eval --errors DATA): one of `sources` that is read
-- (textclass.cli.sources: an operand, a file found in a DATA folder, stdin
-- redirected from a file) or one of the files after them (the model, a
-- Lua classifier, a --stopwords file; nil ones skipped). Files are
-- compared by device and inode, so any spelling or hard link is caught;
-- `out` is followed, so is a symbolic link to an input (the save would
-- replace the link, but it names the input).
function M.refuse_input_as_output(flag, out, sources, ...)
  local o = lfs.attributes(out)
  if not o or o.mode ~= "file" then return end
  local function check(src)
    if src.error then return end   -- not read
    local a = src   -- a regular file's source has its dev and ino
    if src.stdin then a = not M.stdin_closed() and lfs.attributes("/dev/stdin")
    elseif not src.ino then a = lfs.attributes(src.path) end
    if a and a.dev == o.dev and a.ino == o.ino then
      local what = src.stdin and "the file on stdin (-)"
        or src.folder and (src.path .. ", a file of the DATA folder " .. src.folder)
        or ("the input " .. src.path)
      if lfs.symlinkattributes(out, "mode") == "link" then
        M.usage_error("%s %s: it is a symbolic link to %s", flag, out, what)
      end
      M.usage_error("%s %s: %s, which it would replace", flag, out,
        src.path == out and not src.folder and "it is also an input" or ("it is " .. what))
    end
  end
  for _, src in ipairs(sources) do check(src) end
  for i = 1, select("#", ...) do
    local path = select(i, ...)   -- not a list: one with holes would stop ipairs
    if path then check({ path = path }) end
  end
end

--- Raise a usage error when the file an option names (`value`, holding
-- `what`) is "-", stdin everywhere else, which it is not read from: it
-- was opened as a file named "-" ("cannot open -: No such file ...").
function M.refuse_stdin_name(flag, value, what)
  if value == "-" then
    M.usage_error("%s -: %s is read from a file, not from stdin (name one, or ./- for a file named -)", flag, what)
  end
end

--- The regular file stdout goes to (its lfs attributes), or nil: stdout
-- is a pipe, a terminal or a device.
function M.stdout_file()
  local a = lfs.attributes("/dev/stdout")
  return a and a.mode == "file" and a or nil
end

--- Raise a usage error when `out` (the file `flag` names) is the file
-- stdout goes to, which gets `what`: the atomic save replaces that file,
-- so stdout, written after it, writes into the replaced one, which no
-- name reaches (`eval --errors e.jsonl DATA > e.jsonl` lost its figures).
function M.refuse_stdout_as_output(flag, out, what)
  local o, s = lfs.attributes(out), M.stdout_file()
  if o and s and o.dev == s.dev and o.ino == s.ino then
    M.usage_error("%s %s: it is also stdout, which gets %s; they would be lost when it is replaced", flag, out, what)
  end
end

--- The system's message in an error from io.open, lfs or a read
-- ("PATH: No such file or directory", "cannot obtain information from
-- file 'PATH': Permission denied"): the text after the last ": ", for the
-- path may hold ": " itself and the system's messages do not.
function M.sys_message(err)
  err = tostring(err)
  return err:match(".*: (.-)$") or err
end

--- Is this file handle a terminal? Uses lua-term when installed; without it
-- the answer is "no", which only turns progress bars off.
local ok_term, term = pcall(require, "term")
function M.isatty(f)
  if ok_term and term.isatty then
    local ok, r = pcall(term.isatty, f)
    return ok and r and true or false
  end
  return false
end

--- A monotonic clock in seconds (lua-system), os.clock as a last resort.
local ok_sys, system = pcall(require, "system")
if ok_sys and system.monotime then
  M.now = system.monotime
else
  M.now = os.clock
end

--- Format a number the way the tool prints scores and figures: fixed
-- decimals, no exponent, no locale.
-- (The format text for each number of decimals is built once: scores are
-- formatted per label per document.)
local score_formats = setmetatable({}, { __index = function(t, d)
  local f = "%." .. d .. "f"
  t[d] = f
  return f
end })
function M.fmt_score(x, decimals)
  if x ~= x then return "nan" end
  return string.format(score_formats[decimals or 4], x)
end

--- s without leading and trailing white space, in linear time. (The usual
-- s:match("^%s*(.-)%s*$") is quadratic in a run of inner white space: at
-- each step of .- it tries %s*$ over the whole run; a fastText line with
-- 200 KB of spaces inside took over a minute. "^%s*(.*%S)" is quadratic in
-- a string of white space only, as %s* gives back one byte at a time.)
-- From the first non-space, .* runs to the end and backs up once.
function M.trim(s)
  local first = s:find("%S")
  if not first then return "" end
  return s:match("^.*%S", first)
end

--- A line without its line break ("\n" or "\r\n"), and the break ("" for
-- none). (line:gsub("\r?\n$", "") tries the pattern at every byte: 19 us
-- for a 1.2 KB line, a third of what labelling it costs.)
function M.split_eol(line)
  local n = #line
  if line:byte(n) ~= 10 then return line, "" end
  local k = line:byte(n - 1) == 13 and 2 or 1
  return line:sub(1, n - k), line:sub(n - k + 1)
end

--- Names joined by ", " for a message, the first `most` (20) of them and
-- "(and N more)": a model or data with thousands of labels made a message
-- line of hundreds of KB.
function M.name_list(names, most)
  most = most or 20
  if #names <= most then return table.concat(names, ", ") end
  return table.concat(names, ", ", 1, most) .. string.format(" (and %d more)", #names - most)
end

--- A command's failed records and, apart from them, the inputs it could
-- not read (whose records, failures too, stand for no document:
-- doc.unread), as its closing line counts them: `failed`, what it says of
-- the n_failed failures ("2 errors"), then "; N inputs could not be read";
-- the failures left out when the unread inputs are all there were: "1
-- error; 2 inputs could not be read", "0 errors", "1 input could not be
-- read". label's summary, train's and eval's closing lines say them so.
function M.failed_and_unread(n_failed, failed, n_unread)
  local unread = string.format("%d input%s could not be read", n_unread, n_unread == 1 and "" or "s")
  if n_unread == 0 then return failed end
  return n_failed == 0 and unread or failed .. "; " .. unread
end

-- Each byte of s as \xHH.
local function hex_bytes(s)
  return (s:gsub(".", function(c) return string.format("\\x%02X", c:byte()) end))
end

--- s as a message or a report shows text from the input or a model file:
-- its control characters, C0 (a tab, a line break, ESC), DEL and C1
-- (U+0080 to U+009F, C2 80 to C2 9F in UTF-8, which terminals obey too:
-- U+009B is ESC [), each byte as \xHH ("sp\x1Bort", "sp\xC2\x85ort"), or
-- each character as the string `with` ("?"), so it cannot split a line or
-- drive the terminal.
function M.escape_controls(s, with)
  with = with or hex_bytes
  return (s:gsub("%c", with):gsub("\194[\128-\159]", with))
end

--- A new array: the items of each array given, in order.
function M.concat(...)
  local out = {}
  for i = 1, select("#", ...) do
    local list = select(i, ...)
    table.move(list, 1, #list, #out + 1, out)
  end
  return out
end

--- Sorted keys of a table (strings before numbers, each in natural order).
local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta > tb end
  return a < b
end
function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  -- keys of one type (a JSONL record's field names, which `label -o jsonl`
  -- sorts for every record) sort in the same order by Lua's own comparison,
  -- made in C: table.sort calling key_order took 1.6k instructions more
  -- for a record of three. Mixed types raise there, and are sorted by
  -- key_order.
  if not pcall(table.sort, keys) then table.sort(keys, key_order) end
  return keys
end

--- Human-readable duration: "4.2 s", "3 min 07 s", "1 h 02 min".
function M.fmt_duration(s)
  if s ~= s or s == math.huge then return "?" end
  if s < 60 then return string.format("%.1f s", s) end
  if s < 3600 then return string.format("%d min %02d s", s // 60, math.floor(s % 60)) end
  return string.format("%d h %02d min", s // 3600, math.floor(s % 3600 / 60))
end

--- The deepest nesting of JSON read (and written): lua-cjson's default, which tc.json_fields
-- (lua/ljson.c's MAX_DEPTH) leaves to it. Its depth is checked before each
-- level, so a line of a million '[' costs no more than a flat one.
M.JSON_MAX_DEPTH = 1000

-- The command line's own lua-cjson instance: NaN, Infinity and hex numbers
-- are refused on input (they are not JSON).
local cjson = require("cjson.safe").new()
cjson.decode_invalid_numbers(false)
cjson.decode_max_depth(M.JSON_MAX_DEPTH)

--- A Lua value from JSON text, or nil, message (lua-cjson's). A text
-- nested too deeply is refused without lua-cjson, with its message, and
-- lua-cjson is only given a text once its scratch is there (tc.json_precheck:
-- else a memory error, where lua-cjson would have ended the process).
local json_precheck = require("textclass").json_precheck
function M.json_decode(s)
  local deep = json_precheck(s)
  if deep then
    return nil, string.format("Found too many nested data structures (%d) at character %d", M.JSON_MAX_DEPTH + 1, deep)
  end
  return cjson.decode(s)
end
M.json_null = cjson.null

--- Is e lua-cjson's error for memory that ran out in its decode? Its safe
-- module raises it as a plain error ("Memory allocation error in CJSON
-- protected call", behind the places of the calls it went through), which
-- a handler sees and took for a bug ("internal error: ..."), where Lua's
-- own memory error skips the handler and says "not enough memory".
function M.is_json_memory_error(e)
  return type(e) == "string" and e:find("Memory allocation error in CJSON protected call", 1, true) ~= nil
end

--- The shortest decimal text that reads back as exactly x (at most 17
-- significant digits; lua-cjson 2.1 writes 14, which changes numbers such
-- as 0.12345678901234567 passed through from the input). A number with no
-- JSON form (an input's 1e400 read as infinity, NaN) is null.
function M.json_number(x)
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  if math.type(x) == "integer" then return string.format("%d", x) end
  for digits = 14, 17 do
    local s = string.format("%." .. digits .. "g", x)
    if tonumber(s) == x then return s end
  end
end

--- The metatable that makes M.json write a table as an array even when it
-- is empty (a label list with no labels is [], not {}).
M.ARRAY = {}

-- An array is a table whose keys are exactly 1..n (n > 0), or one marked
-- with M.ARRAY; any other table, the empty one included, is an object (as
-- lua-cjson decides).
local function is_array(t)
  if getmetatable(t) == M.ARRAY then return true end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  return n > 0 and n == #t
end

--- s as UTF-8: each byte that starts no valid sequence replaced by U+FFFD.
-- JSON is UTF-8, and lua-cjson copies other bytes as they are; they come
-- from input that was not UTF-8 (an id in a JSONL line, a text read with
-- --replace-invalid), and what we write stays valid whatever we read.
function M.utf8_safe(s)
  if check_utf8(s) then return s end
  -- utf8.len scans on from a position without copying what follows, so a
  -- text of many invalid bytes costs linear time (strict: surrogates and
  -- values past U+10FFFF are invalid, as for check_utf8)
  local out, from = {}, 1
  while true do
    local n, bad = utf8.len(s, from)
    if n then break end
    out[#out + 1] = s:sub(from, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    from = bad + 1
  end
  out[#out + 1] = s:sub(from)
  return table.concat(out)
end

-- A JSON string literal: lua-cjson's escapes, but "/" left as is, and
-- bytes that are not UTF-8 as U+FFFD (tc.format_field's "json", in C).
-- lua-cjson's encode, which wrote it, first grows its buffer to six times
-- the string, and ends the process (status 255, "Out of memory") when it
-- cannot: `label -o jsonl` keeping a 12 MB field of a record lua-cjson had
-- decoded did so under `ulimit -v 250000`.
local format_field = require("textclass").format_field
local function json_string(v) return format_field(v, "json") end

local function encode(v, out, depth)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = json_string(v)
  elseif t == "number" then out[#out + 1] = M.json_number(v)
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif v == nil or v == cjson.null then out[#out + 1] = "null"
  elseif t == "table" then
    if depth > M.JSON_MAX_DEPTH then error("nested too deeply", 0) end
    if is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out, depth + 1)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for _, k in ipairs(M.sorted_keys(v)) do
        if not first then out[#out + 1] = "," end
        first = false
        encode(tostring(k), out, depth + 1)
        out[#out + 1] = ":"
        encode(v[k], out, depth + 1)
      end
      out[#out + 1] = "}"
    end
  else
    error("cannot encode a " .. t .. " as JSON", 0)
  end
end

--- JSON text of a Lua value, or nil, message: strings with lua-cjson's
-- escapes but "/" left as is (legal, and paths and URLs stay readable),
-- bytes that are not UTF-8 as U+FFFD (json_string), numbers exact
-- (json_number), object keys sorted so output is stable.
function M.json(v)
  if type(v) == "string" then
    -- the common case (every id, label and text field) without the pcall
    -- and buffer of the general path; same text
    return json_string(v)
  end
  local out = {}
  local ok, err = pcall(encode, v, out, 0)
  if not ok then return nil, err end
  return table.concat(out)
end

return M
