-- textclass.cli.progress - a progress bar on stderr, or nothing.
--
-- The bar is drawn only when stderr is a terminal, the total is known and
-- the user did not ask for --quiet: in a pipeline, a log file or under
-- Hadoop, stderr gets no control characters. It redraws at most ten times a
-- second, shows the rate of documents and an ETA from the fraction of bytes
-- (or units) done, and erases itself when finished.

local util = require "textclass.cli.util"

local M = {}

--- A new bar. opts: total (number or nil), quiet (bool), label (string),
-- out (file handle, default io.stderr), force (draw even without a tty;
-- for tests).
function M.new(opts)
  local out = opts.out or io.stderr
  local enabled = not opts.quiet and opts.total and opts.total > 0 and
                  (opts.force or util.isatty(out))
  local bar = { enabled = enabled and true or false, total = opts.total,
                label = opts.label or "", start = util.now(), last = -1, drawn = false }

  --- Report progress: `done` units of `total`, `docs` documents so far.
  function bar:update(done, docs, stage)
    if not self.enabled then return end
    local now = util.now()
    if now - self.last < 0.1 and done < self.total then return end
    self.last = now
    local frac = math.min(1, math.max(0, done / self.total))
    local elapsed = now - self.start
    local width = 24
    local fill = math.floor(frac * width + 0.5)
    local eta = frac > 0 and elapsed * (1 - frac) / frac or math.huge
    -- documents per second when counting documents; otherwise the stage's
    -- own units mean little to a user, so show done/total
    local what
    if docs then
      what = string.format("%.0f docs/s", elapsed > 0 and docs / elapsed or 0)
    else
      what = string.format("%d/%d", math.floor(done), math.floor(self.total))
    end
    local line = string.format("\r%s%s[%s%s] %3d%%  %s  ETA %s",
      self.label, stage and (stage .. " ") or "",
      string.rep("#", fill), string.rep(".", width - fill), math.floor(frac * 100),
      what, util.fmt_duration(eta))
    out:write(line, "\27[K")
    out:flush()
    self.drawn = true
  end

  --- Erase the bar (a summary line usually follows).
  function bar:finish()
    if self.drawn then out:write("\r\27[K"); out:flush() end
    self.drawn = false
  end

  return bar
end

return M
