-- textclass.cli.info - `textclass info`: what a model is.
--
-- Prints model:info() (format version, kernel, options, training size,
-- date, cross-validation figures...) and the labels, as "key  value" lines
-- or, with --json, one JSON object.

local util = require "textclass.cli.util"
local classifier = require "textclass.cli.classifier"
local report = require "textclass.cli.report"

local M = {}

M.spec = {
  name = "info",
  synopsis = "[-m MODEL] [--json]",
  summary = "Describe a model: labels, kernel, features, training data and figures.",
  options = {
    classifier.MODEL_OPTION,
    { long = "json", help = "print one JSON object" },
    util.QUIET_OPTION,
  },
  examples = "  textclass info\n  textclass info -m my.model --json\n",
}

function M.run(opts, operands)
  if #operands > 0 then util.usage_error("info takes no operands (use -m MODEL)") end
  local clf = classifier.open(opts)
  local info = clf:info() or {}
  local labels = clf:labels()
  if opts.json then
    local copy = {}
    for k, v in pairs(info) do copy[k] = v end
    copy.labels = copy.labels or labels
    copy.model = clf.name
    local s, err = util.json(copy)
    if not s then util.fail("cannot encode the model's info as JSON: %s", err) end
    util.write(s, "\n")
  else
    local shown = {}
    for k, v in pairs(info) do shown[k] = v end
    shown.model = clf.name -- the path, whatever the file's metadata says
    util.write(report.info(shown, labels))
  end
  return util.EXIT_OK
end

return M
