-- metrics_spec.lua - tc.metrics, the evaluation accumulator that
-- tc.evaluate and `textclass eval` share.
local tc = require "textclass"
local H = dofile("tests/lua/module_helpers.lua")

teardown(function() H.cleanup() end)

describe("tc.metrics", function()
  -- The C test's five documents (tests/c/test_metrics.c), by name, plus a
  -- gold label the classifier does not have and one it predicts outside
  -- its labels. Worked out by hand:
  --   gold          predicted
  --   {a}           [a]          a tp
  --   {a}           [b]          a fn, b fp
  --   {b}           [b, c]       b tp, c fp
  --   {b, c}        [c, b]       c tp, b tp
  --   {c}           []           c fn
  --   {x}           [new]        x fn, new fp
  -- a: tp1 fp0 fn1 -> F1 2/3; b: tp2 fp1 fn0 -> 4/5; c: tp1 fp1 fn1 -> 1/2;
  -- x and new: 0. Macro over the 5 labels with support or predictions;
  -- micro: tp 4, fp 3, fn 3 -> 8/14; accuracy docs 1, 3, 4 -> 3/6;
  -- exact: docs 1 and 4 -> 2/6.
  local function hand_computed()
    local m = tc.metrics({ "a", "b", "c" })
    m:add("a", { "a" })
    m:add({ "a" }, "b")
    m:add("b", { "b", "c" })
    m:add({ "b", "c" }, { "c", "b" })
    m:add("c", {})
    m:add("x", "new")
    return m
  end

  it("gives hand-computed figures", function()
    local r = hand_computed():result()
    assert.equal(6, r.documents)
    assert.near(3 / 6, r.accuracy, 1e-12)
    assert.near(2 / 6, r.exact_match, 1e-12)
    assert.near((2 / 3 + 4 / 5 + 1 / 2) / 5, r.macro_f1, 1e-12)
    assert.near(8 / 14, r.micro_f1, 1e-12)
    assert.same({ precision = 2 / 3, recall = 1, f1 = 0.8, support = 2, tp = 2, fp = 1, fn = 0 },
                r.per_label.b)
    assert.same({ precision = 0, recall = 0, f1 = 0, support = 1, tp = 0, fp = 0, fn = 1 },
                r.per_label.x)
    assert.equal(1, r.per_label.new.fp)
  end)

  it("orders labels given first, then as they come; columns are labels given or predicted", function()
    local r = hand_computed():result()
    assert.same({ "a", "b", "c", "x", "new" }, r.labels)
    assert.same({ "a", "b", "c", "new" }, r.predicted_labels)
    assert.same({ "x" }, r.unknown_labels)
    -- first gold label x primary prediction; documents without either are left out
    assert.same({ a = 1, b = 1, c = 0, new = 0 }, r.confusion.a)
    assert.same({ a = 0, b = 1, c = 1, new = 0 }, r.confusion.b)
    assert.same({ a = 0, b = 0, c = 0, new = 0 }, r.confusion.c)
    assert.same({ a = 0, b = 0, c = 0, new = 1 }, r.confusion.x)
    assert.same({ a = 0, b = 0, c = 0, new = 0 }, r.confusion.new)
  end)

  -- The stored cells of a confusion table, as sorted "gold>predicted=count".
  local function stored_cells(confusion)
    local cells = {}
    for gold, row in pairs(confusion) do
      for predicted, n in pairs(row) do cells[#cells + 1] = gold .. ">" .. predicted .. "=" .. n end
    end
    table.sort(cells)
    return cells
  end

  it("stores only the confusion cells that are not 0; a column's others read 0", function()
    local r = hand_computed():result()
    assert.same({ "a>a=1", "a>b=1", "b>b=1", "b>c=1", "x>new=1" }, stored_cells(r.confusion))
    -- a row for every label, each read through the same zeros
    for _, l in ipairs(r.labels) do assert.equal("table", type(rawget(r.confusion, l)), l) end
    assert.equal(0, r.confusion.c.a)
    assert.is_nil(rawget(r.confusion.c, "a"))
    assert.equal(0, r.confusion.x.a)
    assert.is_nil(r.confusion.a.x) -- no column: nobody predicts x
    assert.is_nil(r.confusion.nobody)
    assert.equal(getmetatable(r.confusion.a), getmetatable(r.confusion.new))
  end)

  -- (the old result held a cell for every label and column, zeros too: 4
  -- million here, for 4 documents)
  it("builds a confusion cell for each (gold, prediction) pair counted, not for every label and column", function()
    local labels = {}
    for i = 1, 2000 do labels[i] = "l" .. i end
    local m = tc.metrics(labels)
    m:add("l1", "l1")
    m:add("l2", "l3")
    m:add("l2000", { "l1", "l2000" })
    m:add({ "l2", "l1" }, "l3")
    local r = m:result()
    local n = 0
    for _, row in pairs(r.confusion) do for _ in pairs(row) do n = n + 1 end end
    assert.equal(3, n)
    assert.same({ "l1>l1=1", "l2000>l1=1", "l2>l3=2" }, stored_cells(r.confusion))
    assert.equal(2000, #r.predicted_labels)
    assert.equal(0, r.confusion.l1999.l2000)
    assert.equal(2, r.confusion.l2.l3)
  end)

  it("has no unknown labels when none were given", function()
    local m = tc.metrics()
    assert.same({}, m:result().labels)
    assert.equal(0, m:result().documents)
    m:add("sport", "politics")
    local r = m:result()
    assert.same({ "sport", "politics" }, r.labels)
    assert.same({ "politics" }, r.predicted_labels)
    assert.same({}, r.unknown_labels)
    assert.equal(0, r.accuracy)
  end)

  it("agrees with tc.evaluate given the same predictions", function()
    local model = H.model()
    local texts, labels = H.topics()
    texts[#texts + 1] = "rain and floods tomorrow"
    labels[#labels + 1] = "weather"
    texts[#texts + 1] = "the striker hacked the vote"
    labels[#labels + 1] = { "sport", "cyber", "politics" }
    local m = tc.metrics(model:labels())
    for i, res in ipairs(model:predict_batch(texts)) do m:add(labels[i], res.labels) end
    assert.same(assert(tc.evaluate(model, texts, labels)), m:result())
  end)

  it("grows to many labels, one at a time", function()
    local m = tc.metrics({ "sport" })
    for i = 1, 50000 do m:add("tag" .. i, "sport") end
    local r = m:result()
    assert.equal(50001, #r.labels)
    assert.equal(50000, #r.unknown_labels)
    assert.same({ "sport" }, r.predicted_labels)
    assert.equal(1, r.confusion.tag50000.sport)
    assert.equal(1, r.per_label.tag123.support)
    assert.equal(50000, r.per_label.sport.fp)
    assert.matches("50000 documents, 50001 labels", tostring(m))
  end)

  -- (methods number their arguments after self, as Lua's own do)
  it("refuses bad labels by argument, and counts nothing then", function()
    local m = tc.metrics({ "a" })
    m:add("a", "a")
    assert.error_matches(function() m:add({ "a", "a" }, "a") end, "bad argument #1 .*gold: label 'a' repeated")
    assert.error_matches(function() m:add("a", { "b", "b" }) end, "bad argument #2 .*predicted: label 'b' repeated")
    -- many labels: each distinct one is accepted, a repeat found wherever it is
    local many = {}
    for i = 1, 20000 do many[i] = "l" .. i end
    many[#many + 1] = "l12345"
    assert.error_matches(function() m:add("a", many) end, "bad argument #2 .*predicted: label 'l12345' repeated")
    assert.error_matches(function() m:add("", "a") end, "bad argument #1 .*gold: label name is empty")
    assert.error_matches(function() m:add("a", { 1 }) end, "bad argument #2 .*predicted%[1%]: string expected, got number")
    assert.error_matches(function() m:add("a\0b", "a") end, "bad argument #1 .*label name contains a NUL byte")
    assert.error_matches(function() m:add("a", { "b\27[2J" }) end,
                         "bad argument #2 .*label name holds a control character %(U%+001B%)")
    assert.error_matches(function() m:add("a,b", "a") end,
                         "bad argument #1 .*gold: label name holds a comma, which separates labels")
    -- (a model's labels are UTF-8: another name could never match, and
    -- would reach the reports as it is)
    assert.error_matches(function() m:add("caf\233", "a") end, "bad argument #1 .*gold: label name is not valid UTF%-8")
    assert.error_matches(function() m:add("a", { "a", "\255" }) end,
                         "bad argument #2 .*predicted%[2%]: label name is not valid UTF%-8")
    assert.error_matches(function() tc.metrics({ "\192\128" }) end, "bad argument #1 .*labels%[1%]: label name is not valid UTF%-8")
    assert.error_matches(function() tc.metrics({ "a", "b,c" }) end, "bad argument #1 .*labels%[2%]: label name holds a comma")
    assert.error_matches(function() m:add("a") end, "bad argument #2 .*string or list of strings expected, got nil")
    assert.error_matches(function() m:add("a", "a", "a") end, "bad argument #3 .*unexpected argument")
    assert.error_matches(function() m.add({}, "a", "a") end, "textclass.Metrics expected")
    local r = m:result()
    assert.equal(1, r.documents)
    assert.same({ "a" }, r.labels)
    assert.error_matches(function() tc.metrics({ "a", "a" }) end, "bad argument #1 .*labels: label 'a' repeated")
    assert.error_matches(function() tc.metrics("a") end, "bad argument #1 .*table expected, got string")
    assert.error_matches(function() tc.metrics({ "a" }, 2) end, "bad argument #2 .*unexpected argument")
  end)

  it("returns results the caller may change", function()
    local m = tc.metrics({ "a" })
    m:add("a", "a")
    local r = m:result()
    r.labels[1] = "changed"
    r.predicted_labels[1] = "changed"
    assert.same({ "a" }, m:result().labels)
    assert.same({ "a" }, m:result().predicted_labels)
  end)
end)
