-- textclass.cli.info - `textclass info`: what a model is.
--
-- Prints model:info() (format version, kernel, options, training size,
-- date, cross-validation figures...) and the labels, as "key  value" lines
-- (the feature options in words),
-- or, with --json, one JSON object.

local util = require "textclass.cli.util"
local classifier = require "textclass.cli.classifier"
local report = require "textclass.cli.report"

local M = {}

M.spec = {
  name = "info",
  synopsis = "[-m MODEL] [--json]",
  summary = "Describe a model: labels, kernel, features, training data and figures.",
  unknown_hints = classifier.model_only_hints("info"),
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
  -- a multi-label model's sweep of thresholds by cross-validation, stored
  -- as one line of metadata, is shown as train --cv shows it (--json: as
  -- eval --json's thresholds, an array of objects)
  local sweep = report.parse_thresholds(info.cv_thresholds)
  if opts.json then
    local copy = {}
    for k, v in pairs(info) do copy[k] = v end
    copy.labels = copy.labels or labels
    copy.model = clf.name
    if sweep then copy.cv_thresholds = setmetatable(sweep, util.ARRAY) end
    local s, err = util.json(copy)
    if not s then util.fail("cannot encode the model's info as JSON: %s", err) end
    util.write(s, "\n")
  else
    local shown = {}
    for k, v in pairs(info) do shown[k] = v end
    shown.model = clf.name -- the path, whatever the file's metadata says
    -- the feature options in words (--json keeps the metadata's string)
    if info.options then shown.features_options = report.feature_options(info.options) end
    if sweep then shown.cv_thresholds = nil end
    local text = report.info(shown, labels)
    if sweep then
      text = text .. "\ncv_thresholds (out-of-fold scores at each threshold):\n" ..
        report.thresholds(sweep, { current = info.threshold, chosen = info.threshold_by })
    end
    util.write(text)
  end
  return util.EXIT_OK
end

return M
