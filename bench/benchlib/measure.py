"""Run one command and measure it: wall time and peak resident memory.

Peak memory comes from GNU time (`/usr/bin/time -v`, Debian package `time`): its
"Maximum resident set size" covers the command and its children. Without it, the
children's ru_maxrss from the resource module is used instead, which is the largest
child seen so far by this process, so it can only over-report.
"""
import os
import resource
import signal
import subprocess
import tempfile
import time
from collections import namedtuple

GNU_TIME = "/usr/bin/time"
Run = namedtuple("Run", "wall rss_mb")


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message carries the tail of its stderr."""


def have_gnu_time():
    """True when /usr/bin/time is GNU time with -v."""
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        r = subprocess.run([GNU_TIME, "-v", "true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, check=False)
    except OSError:
        return False
    return b"Maximum resident set size" in r.stderr


_GNU = None


def run(cmd, stdin=None, stdout=None, env=None, cwd=None):
    """Run cmd (a list) with stdin/stdout redirected from/to the named files (or /dev/null).

    Returns Run(wall seconds, peak RSS in MB). Raises CommandFailed on a non-zero exit.
    """
    global _GNU
    if _GNU is None:
        _GNU = have_gnu_time()
    with tempfile.NamedTemporaryFile(prefix="bench-time-", delete=False) as tf:
        timefile = tf.name
    errfile = timefile + ".err"
    full = [GNU_TIME, "-v", "-o", timefile] + list(cmd) if _GNU else list(cmd)
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        with open(errfile, "wb") as ferr:
            t0 = time.perf_counter()
            # Its own process group, so an interrupt ends the tool too, not only GNU time.
            proc = subprocess.Popen(full, stdin=fin, stdout=fout, stderr=ferr, env=env,
                                    cwd=cwd, start_new_session=True)
            try:
                rc = proc.wait()
            except BaseException:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
            wall = time.perf_counter() - t0
    finally:
        if stdin:
            fin.close()
        if stdout:
            fout.close()
    try:
        if rc != 0:
            with open(errfile, "rb") as f:
                tail = f.read()[-1500:].decode("utf-8", "replace")
            raise CommandFailed("exit %d: %s\n%s" % (rc, " ".join(cmd), tail))
        if _GNU:
            rss_kb = 0
            with open(timefile, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if "Maximum resident set size" in line:
                        rss_kb = int(line.rsplit(":", 1)[1])
        else:
            rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return Run(wall, rss_kb / 1024.0)
    finally:
        for p in (timefile, errfile):
            try:
                os.unlink(p)
            except OSError:
                pass
