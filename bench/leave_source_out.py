#!/usr/bin/python3
"""bench/leave_source_out.py: the news4 task with one training source held out, TRAIN splits only.

news4's test side adds AG News, a publisher with no training split, and that is where textclass
trails the peers (docs/benchmarks.md). Cross-validation mixes every source into every fold, so
it cannot see such a shift. Here each held-out source plays that part: train on the news4 train
splits of every other source, label the held-out source's train split. No test split (and no
AG News) is read.

Variants (one change each from their row's base):

  textclass rows, tc.train through the Lua module (build/textclass.so), one thread:
    default        the defaults (what `textclass train` does)
    weight-none    class_weight = "none" (LIBSVM -s 0 and scikit-learn weigh no label)
    stop-none      stopwords = "none" (the peers keep stop words)
    min-df=1       min_df = 1 (the peers keep every term)
    sklearn-like   the three above together
    C=0.5, C=2     C
    raw-margins    calibrate = false: the largest raw margin, as scikit-learn and LIBLINEAR
                   decide (LIBSVM votes)
    by-source      spec.sources = each document's corpus: calibration weighs every training
                   source the same (`train --balance-inputs`)
    libsvm-hinge   solver = "libsvm": the hinge loss, bias not regularised (LIBSVM's problem,
                   one-vs-rest); slow, so only where the training part is small (below)
  the scikit-learn proxy of textclass (bench/proxy_study.py: textclass's features, one
  balanced LinearSVC per label, the largest margin):
    proxy, proxy-hinge, proxy-ovo, proxy-ovo-unweighted, proxy-ovo-hinge
  the peers' own features (bench/benchlib/skjobs.py: TF-IDF 1-2, sublinear, no stop words,
  min_df 1, tokens of 2+ word characters):
    scikit-learn   the bench/peers pipeline (LinearSVC, no class weights, squared hinge)
    peer-ovo-hinge one unweighted hinge-loss LinearSVC per pair of labels, votes: a proxy of
                   LIBSVM (whose bias is not regularised)
    LIBSVM         svm-train -s 0 -t 0 -c 1 as bench/peers runs it; slow, so only where the
                   training part is small (below)

For each held-out source and variant it prints macro-F1 over the labels the source has (bbc
and masakhanews_eng have no cyber: averaged over the labels gold or predicted, as bench/peers
counts a test split, one cyber label given would put a zero into every row), accuracy, how
often a gold `other` document is called politics, and against `default`: the macro-F1
difference, and the exact McNemar p of the documents only one of the two labels right
(bench/benchlib/metrics.py). Every system sees the same seeded shuffle of the training part,
as in bench/peers; --json keeps every run's labels as well.

    /usr/bin/python3 bench/leave_source_out.py                       # every variant
    /usr/bin/python3 bench/leave_source_out.py --sources newsgroups --variants default,LIBSVM
    /usr/bin/python3 bench/leave_source_out.py --markdown loso.md --json loso.json

Exit status: 0 when every run worked, 1 when one failed, 2 on usage errors, 77 when the
corpora are missing.
"""
import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import proxy_study  # noqa: E402
from benchlib import corpora, metrics, skjobs  # noqa: E402
from benchlib.systems import SHUFFLE_SEED  # noqa: E402

REPO = os.path.dirname(HERE)
SOURCES = ["bbc", "masakhanews_eng", "newsgroups", "cyber"]
DEFAULT_SOURCES = ["bbc", "masakhanews_eng", "newsgroups"]  # cyber's held-out split has one label
SLOW_DEFAULT_DOCS = 6000  # LIBSVM and libsvm-hinge: training parts up to this many documents

# name -> (kind, argument): "tc" with tc.train FIELD=VALUE fields, "proxy" with a
# proxy_study.py variant, "peer" with a learner on the peers' features.
VARIANTS = [
    ("default", ("tc", [])),
    ("weight-none", ("tc", ["class_weight=none"])),
    ("stop-none", ("tc", ["stopwords=none"])),
    ("min-df=1", ("tc", ["min_df=1"])),
    ("sklearn-like", ("tc", ["class_weight=none", "stopwords=none", "min_df=1"])),
    ("C=0.5", ("tc", ["C=0.5"])),
    ("C=2", ("tc", ["C=2"])),
    ("raw-margins", ("tc", ["calibrate=false"])),
    ("by-source", ("tc", ["sources=corpus"])),
    ("libsvm-hinge", ("tc", ["solver=libsvm"])),
    ("proxy", ("proxy", "plain")),
    ("proxy-hinge", ("proxy", "hinge")),
    ("proxy-ovo", ("proxy", "ovo")),
    ("proxy-ovo-unweighted", ("proxy", "ovo-unweighted")),
    ("proxy-ovo-hinge", ("proxy", "ovo-hinge")),
    ("scikit-learn", ("peer", "linearsvc")),
    ("peer-ovo-hinge", ("peer", "ovo-hinge")),
    ("LIBSVM", ("peer", "libsvm")),
]
SLOW = {"libsvm-hinge", "LIBSVM"}

# Trains tc.train on arg[1] (JSONL "text", "label", "source") with the FIELD=VALUE pairs from
# arg[3] on (sources=corpus: spec.sources from "source"), labels arg[2]'s texts, prints one
# label a line.
LUA_RUNNER = r"""
local tc, cjson = require "textclass", require "cjson"
local function read(path)
  local texts, labels, sources = {}, {}, {}
  for line in io.lines(path) do
    local r = cjson.decode(line)
    texts[#texts + 1], labels[#labels + 1], sources[#sources + 1] = r.text, r.label, r.source
  end
  return texts, labels, sources
end
local spec, sources = { threads = 1 }, nil
spec.texts, spec.labels, sources = read(arg[1])
for i = 3, #arg do
  local k, v = arg[i]:match("^([%w_]+)=(.*)$")
  if v == "true" or v == "false" then v = v == "true" else v = tonumber(v) or v end
  if k == "sources" then v = sources end
  spec[k] = v
end
local model = assert(tc.train(spec))
local held = read(arg[2])
for _, r in ipairs(model:predict_batch(held)) do print(r.label) end
"""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/leave_source_out.py",
        description="news4 with one training source held out: train on the other sources' "
                    "train splits, label the held-out source's train split (no test split read).",
        epilog=__doc__.split("\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sources", default=",".join(DEFAULT_SOURCES),
                   help="held out in turn, comma-separated, of " + ", ".join(SOURCES)
                        + " [%(default)s]")
    p.add_argument("--variants", help="comma-separated [all; default is always run first]")
    p.add_argument("--slow-max-docs", type=int, default=SLOW_DEFAULT_DOCS, metavar="N",
                   help="run " + " and ".join(sorted(SLOW)) + " only when the training part "
                        "has at most N documents [%(default)s]")
    p.add_argument("--corpora", help="corpora folder (default $TEXTCLASS_CORPORA, "
                                     "then ../shared/corpora)")
    p.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    p.add_argument("--json", metavar="FILE",
                   help="also write every run's figures and labels as JSON")
    a = p.parse_args(argv)
    a.sources = [s for s in a.sources.split(",") if s]
    bad = [s for s in a.sources if s not in SOURCES]
    if bad or not a.sources:
        p.error("unknown source %s (known: %s)" % (", ".join(bad), ", ".join(SOURCES)))
    table = dict(VARIANTS)
    a.variants = [v for v in (a.variants or ",".join(table)).split(",") if v]
    bad = [v for v in a.variants if v not in table]
    if bad or not a.variants:
        p.error("unknown variant %s (known: %s)" % (", ".join(bad), ", ".join(table)))
    a.variants = ["default"] + [v for v in a.variants if v != "default"]
    return a


def lua_env(tmp):
    """The environment for LUA_RUNNER: the repo's Lua files, and a copy of the module made
    once, so a rebuild during the run cannot mix two versions."""
    so = os.path.join(REPO, "build", "textclass.so")
    if not os.path.isfile(so):
        sys.exit("bench/leave_source_out.py: %s missing: run make" % so)
    shutil.copy2(so, tmp)
    env = dict(os.environ)
    env["LUA_PATH"] = "%s/lua/?.lua;%s/lua/?/init.lua;;" % (REPO, REPO)
    env["LUA_CPATH"] = "%s/?.so;;" % tmp
    return env


def textclass_labels(env, tmp, fields, train, held):
    paths = []
    for name, docs in (("train", train), ("held", held)):
        paths.append(os.path.join(tmp, name + ".jsonl"))
        with open(paths[-1], "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps({"text": d.text, "label": d.label, "source": d.source},
                                   ensure_ascii=False) + "\n")
    r = subprocess.run(["lua5.4", "-"] + paths + fields, env=env, input=LUA_RUNNER,
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError("tc.train %s: exit %d: %s" % (" ".join(fields), r.returncode,
                                                         r.stderr.strip()))
    return r.stdout.splitlines()


def libsvm_labels(tmp, a, y, b):
    """svm-train and svm-predict as bench/peers runs them, on ready-made features."""
    names = sorted(set(y))
    index = {name: i + 1 for i, name in enumerate(names)}
    train_svm, held_svm, model, out = (os.path.join(tmp, f) for f in
                                       ("train.svm", "held.svm", "svm.model", "svm.out"))
    skjobs.dump(a, [index[lab] for lab in y], train_svm)
    skjobs.dump(b, [0] * b.shape[0], held_svm)
    subprocess.run(["svm-train", "-s", "0", "-t", "0", "-c", "1", "-m", "1000", "-q",
                    train_svm, model], check=True)
    subprocess.run(["svm-predict", "-q", held_svm, model, out], check=True)
    with open(out, encoding="utf-8") as f:
        return [names[int(float(line.split()[0])) - 1] for line in f if line.strip()]


def peer_labels(tmp, learner, train, held):
    """The peers' features (bench/peers' vectoriser), then the learner named."""
    from sklearn.svm import LinearSVC
    vec = skjobs.vectoriser()
    a, b = vec.fit_transform([d.text for d in train]), vec.transform([d.text for d in held])
    y = np.array([d.label for d in train])
    if learner == "linearsvc":
        return list(LinearSVC(random_state=0).fit(a, y).predict(b))
    if learner == "ovo-hinge":
        return list(proxy_study.pairwise(a, y, b, "ovo-hinge"))
    return libsvm_labels(tmp, a, y, b)


def run_variant(env, tmp, kind, arg, train, held):
    if kind == "tc":
        return textclass_labels(env, tmp, arg, train, held)
    if kind == "proxy":
        y = np.array([d.label for d in train])
        return list(proxy_study.predict([d.text for d in train], y, [d.text for d in held], arg))
    return peer_labels(tmp, arg, train, held)


def figures(gold, pred, base):
    """macro-F1 over the held-out source's own labels, accuracy, gold `other` called politics,
    and against base (default's figures and labels, or None): the macro-F1 difference, the
    documents only one of the two labels right and the exact McNemar p of that split."""
    ev = metrics.evaluate(gold, pred)
    other = [p for g, p in zip(gold, pred) if g == "other"]
    res = {"macro_f1": statistics.mean(ev["per_label"][lab]["f1"] for lab in set(gold)),
           "accuracy": ev["accuracy"], "n": len(gold), "other": len(other),
           "other_politics": sum(p == "politics" for p in other), "labels": pred}
    if base is not None:
        only_v = sum(g == p != b for g, p, b in zip(gold, pred, base["labels"]))
        only_d = sum(g == b != p for g, p, b in zip(gold, pred, base["labels"]))
        res["vs_default"] = {"diff": res["macro_f1"] - base["macro_f1"], "only_variant": only_v,
                             "only_default": only_d, "p": metrics.mcnemar_p(only_v, only_d)}
    return res


def cell(r):
    """macro-F1 (difference from default, McNemar p) / share of gold `other` called politics."""
    if r is None:
        return "failed"
    share = "%.3f" % (r["other_politics"] / r["other"]) if r["other"] else "-"
    d = r.get("vs_default")
    if not d:
        return "%.4f / %s" % (r["macro_f1"], share)
    return "%.4f (%+.4f, p %.2g) / %s" % (r["macro_f1"], d["diff"], d["p"], share)


def render(results, sources, variants, markdown):
    head = ["variant"] + ["%s held out" % s for s in sources] + ["mean delta"]
    rows = []
    for v in variants:
        cells = [cell(results[(s, v)]) if (s, v) in results else "-" for s in sources]
        deltas = [results[(s, v)]["vs_default"]["diff"] for s in sources
                  if results.get((s, v)) and "vs_default" in results[(s, v)]]
        rows.append([v] + cells + ["%+.4f" % statistics.mean(deltas) if deltas else ""])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"
    w = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(x) for c, x in zip(r, w)).rstrip()
                     for r in [head] + rows) + "\n"


def main(argv):
    a = parse_args(argv)
    root = corpora.find_corpora(a.corpora)
    if not root:
        print(corpora.missing_note("bench/leave_source_out.py"), file=sys.stderr)
        return 77
    _, field, train_splits, _ = corpora.TASKS["news4"]  # the training splits only
    docs = [d for c, s in train_splits for d in corpora.read_split(root, c, s, field)]
    table = dict(VARIANTS)
    tmp = tempfile.mkdtemp(prefix="leave_source_out.")
    results, golds, failed = {}, {}, False
    try:
        env = lua_env(tmp)
        for source in a.sources:
            train = [d for d in docs if d.source != source]
            random.Random(SHUFFLE_SEED).shuffle(train)
            held = [d for d in docs if d.source == source]
            gold, base = [d.label for d in held], None  # default's figures, once it ran
            golds[source] = gold
            for v in a.variants:
                if v in SLOW and len(train) > a.slow_max_docs:
                    continue
                t0 = time.monotonic()
                try:
                    pred = run_variant(env, tmp, *table[v], train, held)
                except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
                    print("bench/leave_source_out.py: %s %s: %s" % (source, v, e), file=sys.stderr)
                    results[(source, v)], failed = None, True
                    continue
                res = figures(gold, pred, base)
                base = res if v == "default" else base
                results[(source, v)] = dict(res, source=source, variant=v,
                                            seconds=round(time.monotonic() - t0, 1))
                print("%-16s held out (%d train, %d held)  %-20s %s, accuracy %.4f  (%.0f s)" % (
                    source, len(train), len(held), v, cell(res), res["accuracy"],
                    time.monotonic() - t0), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = ("%s, news4 train splits, one source held out: macro-F1 over the source's labels "
             "(against default: the difference and McNemar p) / share of gold `other` called "
             "politics" % when)
    sys.stdout.write(title + "\n" + render(results, a.sources, a.variants, False))
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(title + "\n\n" + render(results, a.sources, a.variants, True))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"gold": golds, "runs": [r for r in results.values() if r]}, f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
