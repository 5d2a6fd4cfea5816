-- scale_spec.lua - inputs crafted to cost more than their size: each case is
-- sized so that the code before its fix took minutes (or gigabytes) on it,
-- and checks what comes out, never how long it took. (feed_spec holds the
-- feed reader's case.)
local cjson = require "cjson.safe"
local tables = require "textclass.cli.tables"
local H = dofile("tests/lua/cli_helpers.lua")
local TMP, spit, run, jsonl, lines, model = H.TMP, H.spit, H.run, H.jsonl, H.lines, H.model

teardown(H.cleanup)

describe("textclass.cli.tables", function()
  it("pads columns to at most 100 characters: a wider cell overflows its own row", function()
    local long = ("x"):rep(200000)
    local out = lines(tables.render({ { "label", "n" }, { long, "1" }, { "a", "2" } }))
    assert.equal(("label" .. (" "):rep(95) .. "  n"), out[1])
    assert.equal(long .. "  1", out[2])
    assert.equal("a" .. (" "):rep(99) .. "  2", out[3])
  end)

  it("drops a row's trailing white space in time of its length (300 KB of it here)", function()
    local out = lines(tables.render({ { "a", (" "):rep(300000) }, { "b", "1" } }))
    assert.same({ "a", "b  " .. (" "):rep(99) .. "1" }, out)
  end)
end)
