-- docs_spec.lua - every ```lua block of docs/lua-api.md and README.md runs
-- without error, each in its own interpreter, with $TEXTCLASS_MODEL pointing
-- at a model trained from tests/data/lua/topics (the shipped model's four
-- labels).
local H = dofile("tests/lua/module_helpers.lua")

local function blocks(path)
  local text = H.read(path)
  local out = {}
  local line = 1
  for before, code in text:gmatch("()```lua\n(.-)\n```") do
    local _, n = text:sub(1, before):gsub("\n", "")
    out[#out + 1] = { code = code, line = n + line }
  end
  return out
end

-- One test per block of `list` (from `path`): it runs, with the model
-- `model_path()` names as $TEXTCLASS_MODEL.
local function each_block_runs(path, list, model_path)
  for i, b in ipairs(list) do
    it("block " .. i .. " (line " .. b.line .. ") runs", function()
      local script = H.tmpname()
      local f = assert(io.open(script, "w"))
      f:write(b.code, "\n")
      f:close()
      local ok, _, err = H.run(script, {}, { TEXTCLASS_MODEL = model_path() })
      assert.is_true(ok, path .. ":" .. b.line .. ": " .. err)
    end)
  end
end

describe("docs/lua-api.md", function()
  local model_path
  setup(function() model_path = H.model_path() end)
  teardown(function() H.cleanup() end)

  local list = blocks("docs/lua-api.md")

  it("has a runnable example for each function", function()
    assert.is_true(#list >= 20, #list .. " blocks")
    local text = H.read("docs/lua-api.md")
    for _, name in ipairs { "normalize", "tokenize", "load", "default", "train", "cross_validate",
                            "evaluate", "load_classifier", "atomic_file", "read_line", "html_text",
                            "html_charset", "utf16_decoder", "decoder", "encoding_name", "read_bom",
                            "stop_on_signals", "default_options", "default_train_params",
                            "grid_values" } do
      assert.truthy(text:find("### `tc." .. name .. "(", 1, true), name)
    end
    for _, name in ipairs { "documents", "labelled" } do
      assert.truthy(text:find("### `read." .. name .. "(", 1, true), name)
    end
    for _, name in ipairs { "predict", "predict_batch", "explain", "top_features", "labels", "info",
                            "save", "close" } do
      assert.truthy(text:find("### `model:" .. name .. "(", 1, true), name)
    end
  end)

  it("quotes the shipped model as it is", function()
    local tc = require "textclass"
    local shipped = tc.load("models/news.model")
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local text = H.read("docs/lua-api.md")
    local r = shipped:predict("Ransomware gang leaks data stolen from the city council")
    local label, score = text:match("%-%-> (%a+)  (0%.%d+)%.%.%. %(the shipped model%)")
    assert.equal(label, r.label)
    local got = r.scores[r.label]   -- "0.735..." is the score's first digits
    assert.is_true(got >= tonumber(score) and got < tonumber(score) + 10 ^ -(#score - 2), score .. " ... for " .. got)
    local quoted = text:match("`(textclass%.Model %([^)]*%))` %(the shipped model%)")
    assert.equal(quoted, tostring(shipped))
    shipped:close()
  end)

  it("quotes the shipped model's fallback example in cli.md as it is", function()
    local tc = require "textclass"
    local shipped = tc.load("models/news.model")
    if not shipped then
      print("SKIPPED docs_spec: models/news.model not found")
      return
    end
    local text = H.read("docs/cli.md"):gsub("\n", " ")
    local quote, label, top, score = text:match('the shipped model on "([^"]+)": `(%a+)`, `(%a+):(0%.%d+)`')
    assert.truthy(quote, "cli.md's fallback example")
    local r = shipped:predict(quote, { top = 1 })
    assert.equal(label, r.label)
    assert.equal(string.format("%s:%.4f", top, r.scores[top]), top .. ":" .. score)
    assert.is_nil(r.scores[label])   -- the score shown is another label's
    shipped:close()
  end)

  each_block_runs("docs/lua-api.md", list, function() return model_path end)
end)

describe("README.md", function()
  local model_path
  setup(function() model_path = H.model_path() end)
  teardown(function() H.cleanup() end)

  local list = blocks("README.md")
  it("has its Lua example", function() assert.is_true(#list >= 1, #list .. " blocks") end)
  each_block_runs("README.md", list, function() return model_path end)
end)

-- The values grid search tries are written out in three pages: each must
-- be the core's list (tc.grid_values), in its order.
describe("the grid's values in the docs", function()
  it("are tc.grid_values()'s wherever a page writes them", function()
    local grid = require("textclass").grid_values()
    local function list(values)
      local out = {}
      for i, v in ipairs(values) do out[i] = string.format("%g", v) end
      return table.concat(out, ", ")
    end
    local C, gamma = list(grid.C), list(grid.gamma)
    for _, page in ipairs({
      { "docs/cli.md", "from " .. C .. " (gamma from " .. gamma .. ")" },
      { "docs/lua-api.md", "{ C = { " .. C .. " }, gamma = { " .. gamma .. " } }" },
      { "docs/engine.md", "C ∈ {" .. C .. "} (γ ∈ {" .. gamma .. "})" },
    }) do
      assert.truthy(H.read(page[1]):find(page[2], 1, true), page[1] .. " does not write " .. page[2])
    end
  end)
end)
