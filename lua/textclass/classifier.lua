--- textclass.classifier: one interface over model files and Lua classifiers.
--
-- A *Lua classifier* is a Lua file that returns a table with
-- `predict(text, opts)` (a plain function, not a method) and optionally
-- `predict_batch(texts, opts)`, `labels()` and `close()`, whose results have the
-- shape of `model:predict`. `tc.load_classifier(path)` (which calls `load`
-- here) gives the same object for such a file (path ending in ".lua") or a
-- model file, so a program such as the command line can take either.
--
--     local c <close> = assert(tc.load_classifier("examples/rules.lua"))
--     print(c:predict("Ransomware hits the city council").label)
--
-- The object's methods: `c:predict(text [, opts])`,
-- `c:predict_batch(texts [, opts])` (array in input order, `{error = msg}`
-- in the slot of a failed document), `c:labels()` (array, or nil when a
-- Lua classifier does not say), `c:close()`; tc.evaluate(c, ...) scores one
-- (M.evaluate). Fields: `kind` ("model" or "lua"), `path`, and `model`
-- (the textclass.Model, for kind "model").
-- `opts` (threads, threshold, top) are passed to models and to a Lua
-- classifier's own functions as their second argument.
local no_more = require("textclass.argcheck").no_more
local tc = require "textclass"

local M = {}

local Classifier = {}
Classifier.__index = Classifier

-- A model method's caller mistakes (a bad option, a closed model) are
-- raised by the module as "<where>: bad argument ..."; <where> would be this
-- file, so the message is re-raised at the line of whoever called us. (The
-- results are kept in a local: a tail call would drop the method's frame.)
local HERE = "^" .. debug.getinfo(1, "S").short_src:gsub("%p", "%%%0") .. ":%d+: "
local function checked(ok, e)
  if ok then return e end
  if type(e) == "string" then e = e:gsub(HERE, "") end
  error(e, 3)   -- 1: checked, 2: the Classifier method, 3: its caller
end

--- Is `e` the error lua5.4 raises when Ctrl-C (SIGINT) arrives:
-- "interrupted!", after the place it arrived at when that was Lua code?
-- Code that turns errors into a failed document's message re-raises this
-- one: a run the user stopped must stop, not go on with documents failed.
function M.is_interrupt(e)
  return type(e) == "string" and (e == "interrupted!" or e:find("^[^\n]*:%d+: interrupted!$") ~= nil)
end

--- After a pcall that failed: e, unless it is an interrupt (raised again).
function M.unless_interrupt(e)
  if M.is_interrupt(e) then error(e, 0) end
  return e
end
local unless_interrupt = M.unless_interrupt

-- A closed classifier's methods raise, as a closed model's do: a Lua
-- classifier's predict ran on after its close() had freed what it uses.
local function check_open(self)
  if self.closed then error("attempt to use a closed classifier", 3) end
end

local function name_of(self)
  return self.path or "classifier"
end

-- A result from Lua code, checked and completed to the model's shape: a
-- label name, labels an array of distinct names (default { label }),
-- scores a table of name = finite number (default {}), each name one a
-- model could have (tc.label_name_problem), so every output can print it
-- (a string score cannot be ranked, NaN is no JSON) and tc.metrics can
-- count it.
-- `fn` names the function that returned it ("predict" or "predict_batch").
local function check_result(self, r, fn)
  local function refuse(fmt, ...)
    error(name_of(self) .. ": " .. fn .. string.format(fmt, ...), 0)
  end
  -- `what` names the label in the message ("'labels'[2]")
  local function check_name(what, l)
    local problem = tc.label_name_problem(l)
    if problem then refuse("'s %s %s", what, problem) end
  end
  if type(r) ~= "table" or type(r.label) ~= "string" then
    refuse(" must return a table with a string 'label' (got %s)",
           type(r) == "table" and "a table without one" or type(r))
  end
  check_name("'label'", r.label)
  if r.labels == nil then r.labels = { r.label } end
  if type(r.labels) ~= "table" then
    refuse("'s 'labels' must be an array of label names (got %s)", type(r.labels))
  end
  if #r.labels == 0 then refuse("'s 'labels' must be an array of label names (got an empty one)") end
  local seen = #r.labels > 1 and {}
  for i, l in ipairs(r.labels) do
    if type(l) ~= "string" then refuse("'s 'labels' must be an array of label names (got a %s in it)", type(l)) end
    check_name(string.format("'labels'[%d]", i), l)
    if seen then
      if seen[l] then refuse("'s 'labels' names '%s' twice", l) end
      seen[l] = true
    end
  end
  -- label is labels[1], as a model's results have it: eval counts labels[1]
  -- as the prediction, so another label would print one answer and score another
  if r.labels[1] ~= r.label then
    refuse("'s 'label' must be its 'labels'[1] (got '%s' and '%s')", r.label, r.labels[1])
  end
  if r.scores == nil then r.scores = {} end
  if type(r.scores) ~= "table" then
    refuse("'s 'scores' must map label names to numbers (got %s)", type(r.scores))
  end
  for l, s in pairs(r.scores) do
    if type(l) ~= "string" then refuse("'s 'scores' must map label names to numbers (got a %s key)", type(l)) end
    check_name("'scores' key", l)
    if type(s) ~= "number" then refuse("'s score of '%s' is a %s, not a number", l, type(s)) end
    if s ~= s or s == math.huge or s == -math.huge then refuse("'s score of '%s' is not a finite number", l) end
  end
  return r
end

-- A text as the module takes one: a string, or a number as its string
-- (Lua's convention, luaL_checkstring's); nil for anything else.
local function as_text(text)
  if type(text) == "number" then return tostring(text) end
  return type(text) == "string" and text or nil
end

--- The labels of `scores` (label -> score, may be nil), best first, ties
-- by name: the order of a model result's `ranked`, for Lua classifiers'
-- results, which have none. The command line's label runs this once per
-- such document, so it makes no { label, score } pair tables and no
-- comparison closure, and
-- sorts a classifier's few labels by insertion as they come out of pairs
-- (table.sort, with a Lua comparison function, costs more below a dozen
-- or so); a classifier with many labels is sorted by table.sort. Either
-- gives the one order the comparison defines (for number scores; NaN has
-- no place in it, and no fixed place here).
local INSERTION_MAX = 16
local current_scores
local function better(a, b)
  local sa, sb = current_scores[a], current_scores[b]
  if sa ~= sb then return sa > sb end
  return a < b
end
function M.ranked_names(scores)
  local names, n = {}, 0
  if scores == nil then return names end
  for l, s in pairs(scores) do
    n = n + 1
    if n <= INSERTION_MAX then
      local j = n - 1
      while j > 0 do
        local o = names[j]
        local so = scores[o]
        if so > s or (so == s and o < l) then break end
        names[j + 1] = o
        j = j - 1
      end
      names[j + 1] = l
    else
      names[n] = l
    end
  end
  if n > INSERTION_MAX then
    current_scores = scores
    table.sort(names, better)
    current_scores = nil
  end
  return names
end

-- opts.top for a Lua classifier's results (nil: every label and score),
-- checked as a model's method checks it (error level 3: the caller of the
-- Classifier method `fn`).
local TOP_MAX = 0x7fffffff   -- a model's bound: the int the module keeps it in
local function top_of(opts, fn)
  local top = type(opts) == "table" and opts.top or nil
  if top == nil then return nil end
  local n = math.tointeger(top)
  if not n or n < 1 then
    error(string.format("bad argument #2 to '%s' (opts.top: integer >= 1 expected, got %s)", fn, tostring(top)), 3)
  end
  if n > TOP_MAX then
    error(string.format("bad argument #2 to '%s' (opts.top: integer in [1, %d] expected, got %s)", fn, TOP_MAX,
                        tostring(top)), 3)
  end
  return n
end

-- A Lua classifier's checked result cut to `n` (top_of) once it has
-- chosen, as a model cuts its own (the classifier may need every score to
-- choose, as examples/rules.lua's veto does, and need not cut them
-- itself): its first n labels and the n best scores, whatever was chosen,
-- in a new table (a classifier may hand back a result it keeps).
local function cut_to_top(r, n)
  if n == nil then return r end
  local cut = {}
  for k, v in pairs(r) do cut[k] = v end
  cut.labels, cut.scores = table.move(r.labels, 1, math.min(n, #r.labels), 1, {}), {}
  local names = M.ranked_names(r.scores)
  for i = 1, math.min(n, #names) do cut.scores[names[i]] = r.scores[names[i]] end
  return cut
end

--- Classify one text: a result table (see model:predict).
function Classifier:predict(text, opts, ...)
  no_more("predict", 3, ...)
  check_open(self)
  if not as_text(text) then
    error(string.format("bad argument #1 to 'predict' (string expected, got %s)", type(text)), 2)
  end
  text = as_text(text)
  if self.model then
    local r = checked(pcall(function() return self.model:predict(text, opts) end))
    return r
  end
  local top = top_of(opts, "predict")
  return cut_to_top(check_result(self, self.impl.predict(text, opts), "predict"), top)
end

-- What a Lua classifier's error value says, as a record's error: a string
-- or number as it is, as is a value with __tostring; any other is named by
-- its type ("table: 0x55d1..." says nothing, and changes from run to run).
local function error_message(e)
  local t = type(e)
  if t == "string" or t == "number" then return tostring(e) end
  local mt = getmetatable(e)
  if type(mt) == "table" and mt.__tostring then return tostring(e) end
  return string.format("the classifier raised an error without a message (a %s value)", t)
end

--- Classify many texts: an array of results in input order.
function Classifier:predict_batch(texts, opts, ...)
  no_more("predict_batch", 3, ...)
  check_open(self)
  if type(texts) ~= "table" then
    error(string.format("bad argument #1 to 'predict_batch' (table expected, got %s)", type(texts)), 2)
  end
  if self.model then
    local r = checked(pcall(function() return self.model:predict_batch(texts, opts) end))
    return r
  end
  -- the classifier's predict_batch gets a copy: one that changed the array
  -- it was given (a table.remove) shortened the results, and the caller's texts
  local n, copy = #texts, {}
  for i = 1, n do
    copy[i] = as_text(texts[i])
    if not copy[i] then
      error(string.format("bad argument #1 to 'predict_batch' (texts[%d]: string expected, got %s)",
                          i, type(texts[i])), 2)
    end
  end
  local top = top_of(opts, "predict_batch")
  local impl, out = self.impl, {}
  -- a predict_batch that raises cannot say which document failed: then
  -- predict, one document at a time, so only the culprits get the error
  local ok, got = false, nil
  if impl.predict_batch then ok, got = pcall(impl.predict_batch, copy, opts) end
  if not ok then unless_interrupt(got) end
  if ok then
    if type(got) ~= "table" then
      error(string.format("%s: predict_batch must return a table (got %s)", name_of(self), type(got)), 0)
    end
    -- a result past the last text: the results are out of step with the
    -- texts (a text split in two, a list of its own), so which result is
    -- whose cannot be told and none is taken
    if got[n + 1] ~= nil then
      local why = string.format("%s: predict_batch returned more results than the %d text%s it was given",
                                name_of(self), n, n == 1 and "" or "s")
      for i = 1, n do out[i] = { error = why } end
      return out
    end
    for i = 1, n do
      local r = got[i]
      if r == nil then
        out[i] = { error = string.format("%s: predict_batch returned no result for text %d of %d",
                                         name_of(self), i, n) }
      elseif type(r) == "table" and r.error ~= nil then
        out[i] = { error = error_message(r.error) }
      else
        local good, res = pcall(check_result, self, r, "predict_batch")
        out[i] = good and cut_to_top(res, top) or { error = unless_interrupt(res) }
      end
    end
    return out
  end
  for i = 1, n do
    local good, r = pcall(impl.predict, copy[i], opts)
    if good then good, r = pcall(check_result, self, r, "predict") end
    out[i] = good and cut_to_top(r, top) or { error = error_message(unless_interrupt(r)) }
  end
  return out
end

--- The label names, or nil when a Lua classifier does not provide labels().
-- A Lua classifier's answer is checked (an array of distinct names, each
-- one a model could have: tc.label_name_problem) and copied into a plain array, which the module reads raw.
function Classifier:labels(...)
  no_more("labels", 1, ...)
  check_open(self)
  if self.model then return self.model:labels() end
  if not self.impl.labels then return nil end
  local got = self.impl.labels()
  local function refuse(fmt, ...)
    error(string.format("%s: labels()" .. fmt, name_of(self), ...), 0)
  end
  if type(got) ~= "table" then refuse(" must return an array of label names (got %s)", type(got)) end
  local out, seen = {}, {}
  for i = 1, #got do
    local l = got[i]
    if type(l) ~= "string" then refuse(" must return an array of label names (label %d is a %s)", i, type(l)) end
    local problem = tc.label_name_problem(l)
    if problem then refuse("'s label %d %s", i, problem) end
    if seen[l] then refuse(" names '%s' twice", l) end
    seen[l] = true
    out[i] = l
  end
  return out
end

--- Free the model now (idempotent; also __close and __gc of the model).
function Classifier:close()
  if self.closed then return true end
  self.closed = true
  if self.model then
    if tostring(self.model) ~= "textclass.Model (closed)" then self.model:close() end
  elseif self.impl.close then
    self.impl.close()
  end
  return true
end

Classifier.__close = Classifier.close
-- (the module's argument errors name it: "textclass.Model expected, got
-- textclass.Classifier"; tc.evaluate tells it by this name)
Classifier.__name = "textclass.Classifier"

function Classifier:__tostring()
  return string.format("textclass.Classifier (%s, %s)", self.kind, name_of(self))
end

--- tc.evaluate of a classifier, which hands it here with its other
-- arguments checked: a model file's figures are its model's; a Lua
-- classifier's predictions of the texts (predict_batch) are counted by
-- tc.metrics over its labels(), as `textclass eval -c` counts them.
-- Returns the figures, or nil and "texts[i]: " its error for the first
-- text it failed on (figures over the others would look complete and not
-- be, as for a model).
function M.evaluate(c, texts, labels, opts)
  check_open(c)
  if c.model then return tc.evaluate(c.model, texts, labels, opts) end
  local metrics, results = tc.metrics(c:labels()), c:predict_batch(texts, opts)
  for i, r in ipairs(results) do
    if r.error then return nil, string.format("texts[%d]: %s", i, r.error) end
    metrics:add(labels[i], r.labels)
  end
  return metrics:result()
end

-- The name of the first of predict and predict_batch that is defined as a
-- method (`function M:predict(text)`, its first parameter `self`): called
-- as predict(text, opts), it would take the text for `self` and get opts
-- (nil) as the text, and fail on every document with a message about nil.
-- (labels and close ignore their arguments, so `M:labels()` works.)
local function method_by_mistake(obj)
  for _, name in ipairs({ "predict", "predict_batch" }) do
    local fn = obj[name]
    if type(fn) == "function" and debug.getlocal(fn, 1) == "self" then return name end
  end
  return nil
end

--- Wrap a textclass.Model or a classifier table.
-- @param obj a model, or a table with predict
-- @string[opt] path where it came from (for messages)
-- @return classifier
function M.wrap(obj, path)
  if getmetatable(obj) and tostring(obj):match("^textclass%.Model") then
    return setmetatable({ kind = "model", path = path, model = obj }, Classifier)
  end
  if type(obj) ~= "table" or type(obj.predict) ~= "function" then
    return nil, string.format("%s: a Lua classifier must return a table with a predict function (got %s)",
                              path or "classifier", type(obj))
  end
  local method = method_by_mistake(obj)
  if method then
    return nil, string.format("%s: %s is defined as a method (its first parameter is 'self'), but a Lua " ..
                              "classifier's functions are called with '.': define it as " ..
                              "'function M.%s(%s, opts)', not 'function M:%s(...)'",
                              path or "classifier", method, method,
                              method == "predict" and "text" or "texts", method)
  end
  return setmetatable({ kind = "lua", path = path, impl = obj }, Classifier)
end

--- Load a Lua classifier file, whatever its name: run it (text chunks
-- only, with the path as its `...`) and wrap what it returns.
-- @string path
-- @return classifier
-- @return[2] nil, message (a syntax error, an error while it runs, or a
-- value that is no classifier)
function M.load_lua(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then return nil, err end
  local ok, obj = pcall(chunk, path)
  if not ok then
    obj = tostring(obj)
    -- "path:3: boom" already names the file; an error table or a message
    -- raised with level 0 does not
    if obj:sub(1, #path + 1) ~= path .. ":" then obj = path .. ": " .. obj end
    return nil, obj
  end
  return M.wrap(obj, path)
end

--- Load a classifier: a Lua file (path ending in ".lua") or a model file.
-- @string path
-- @return classifier
-- @return[2] nil, message (and a code for model files)
function M.load(path, ...)
  if type(path) ~= "string" then
    error(string.format("bad argument #1 to 'load_classifier' (string expected, got %s)", type(path)), 2)
  end
  no_more("load_classifier", 2, ...)
  if path:match("%.lua$") then return M.load_lua(path) end
  local model, err, code = tc.load(path)
  if not model then return nil, err, code end
  return M.wrap(model, path)
end

return M
