#!/usr/bin/python3
"""bench/calibration_study.py: why Platt-calibrated scores call held-out news's `other` politics.

bench/leave_source_out.py found that on news4 with a news source held out, the largest raw
margin beats the largest calibrated score (the default), and loses with Usenet held out and in
in-domain CV. This script looks at the sigmoids themselves and tries decision rules built on
other calibrations of the same margins, TRAIN splits only (no test split, no AG News).

For every setting (one held-out source of news4, or one outer fold of a task's in-domain CV)
the Lua module trains, with calibrate = false (so a score is the logistic of the raw margin):
the full model on the training part, whose margins on the evaluated documents every rule
reuses, and one model per calibration fold (3 stratified folds of the training part, as the
engine calibrates), whose margins on their held-out fold are the out-of-fold margins the
sigmoids are fitted on. Unlike the engine, each calibration fold refits the extractor. The
default model (calibrated) is trained as well: its labels, and (--diagnose) its sigmoids
recovered exactly from its scores and the raw margins (calibration leaves the weights alone),
check the proxy. Rules (the label with the highest resulting score wins):

    engine     the default model's own labels
    platt      one Platt sigmoid per label on the out-of-fold margins (the engine's rule)
    raw        the largest raw margin (calibrate = false)
    balanced   Platt with the balanced class weights training uses: each label's positives
               weigh n/(2 n_pos), its negatives n/(2 n_neg), so every label's sigmoid has
               the same prior (1/2) and the base rates stop shifting the argmax
    shared-A   one slope A for every label, its own intercept B each (one joint fit)
    prior-free platt's scores with the base rates taken out after the fit: the logit of each
               score minus its label's log prior odds in the training part
    by-source  platt fitted on source-fold margins: one calibration fold per training source,
               so every margin is the one a model trained on the other sources gives (how a
               source the model has not seen behaves); a label the other sources lack takes
               its stratified margin. With one source (bbc, newsgroups, masakhanews_eng) it
               is platt.
    source-weighted platt with each training source weighing the same in the fit (a document
               weighs n / (sources x its source's documents)): news4's pooled fit is mostly
               Usenet's (7,915 of its 9,096 `other`); with one source it is platt.

It prints each rule's macro-F1 (held-out: over the source's labels, as leave_source_out.py;
CV: per fold, over gold and predicted labels, as bench/tune_defaults), the difference from
platt with the exact McNemar p (held out) or the folds better (CV), the share of gold `other`
called politics, and with --diagnose (held out) each label's sigmoid (A, B and the margin at
which its score is 1/2: the engine's and each rule's), platt fitted on one training source at
a time, and the margins' quartiles per source and gold label.

    /usr/bin/python3 bench/calibration_study.py --loso                  # news4, 3 sources out
    /usr/bin/python3 bench/calibration_study.py --cv bbc,newsgroups,masakhanews_eng,news4
    /usr/bin/python3 bench/calibration_study.py --loso --diagnose --sources bbc

Exit status: 0 on success, 2 on usage errors, 77 when the corpora are missing.
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

import numpy as np
from scipy.optimize import minimize

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import leave_source_out as loso  # noqa: E402
from benchlib import corpora, metrics  # noqa: E402
from benchlib.systems import SHUFFLE_SEED  # noqa: E402

CAL_FOLDS = 3
CV_FOLDS = 5
RULES = ["platt", "raw", "balanced", "shared-A", "prior-free", "by-source",
         "source-weighted"]

# arg[1] training JSONL (text, label, fold fields), arg[2] evaluated JSONL (text), arg[3...]
# fold field names: prints one JSON object: labels, margins of the evaluated texts (full
# model, calibrate = false), per fold field the out-of-fold margins of the training texts
# (fold f's model trained without fold f; a label that model lacks is left out), and the
# default (calibrated) model's labels and scores on the evaluated texts.
LUA_RUNNER = r"""
local tc, cjson = require "textclass", require "cjson"
local function read(path)
  local rows = {}
  for line in io.lines(path) do rows[#rows + 1] = cjson.decode(line) end
  return rows
end
local train, held = read(arg[1]), read(arg[2])
local function column(rows, key)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r[key] end
  return out
end
local function margins(model, texts)
  local out = {}
  for i, r in ipairs(model:predict_batch(texts)) do
    local m = {}
    for name, s in pairs(r.scores) do m[name] = math.log(s / (1 - s)) end
    out[i] = m
  end
  return out
end
local function fit(rows, calibrate)
  return assert(tc.train { texts = column(rows, "text"), labels = column(rows, "label"),
                           calibrate = calibrate, seed = 1, threads = 1 })
end
local full = fit(train, false)
local result = { labels = full:labels(), held = margins(full, column(held, "text")), oof = {} }
for a = 3, #arg do  -- each fold field
  local key, folds, oof = arg[a], 0, {}
  for _, r in ipairs(train) do folds = math.max(folds, r[key] + 1) end
  for f = 0, folds - 1 do
    local part, out, where = {}, {}, {}
    for i, r in ipairs(train) do
      if r[key] == f then out[#out + 1], where[#where + 1] = r.text, i
      else part[#part + 1] = r end
    end
    for k, m in ipairs(margins(fit(part, false), out)) do oof[where[k]] = m end
  end
  result.oof[key] = oof
end
result.engine = {}
for i, r in ipairs(fit(train, true):predict_batch(column(held, "text"))) do
  result.engine[i] = { label = r.label, scores = r.scores }
end
print(cjson.encode(result))
"""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/calibration_study.py",
        description="Calibrations of textclass's margins compared, held-out news4 sources "
                    "and in-domain CV, TRAIN splits only.",
        epilog=__doc__.split("\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--loso", action="store_true", help="news4 with one source held out")
    p.add_argument("--sources", default=",".join(loso.DEFAULT_SOURCES),
                   help="held out in turn with --loso [%(default)s]")
    p.add_argument("--cv", metavar="TASKS", default="",
                   help="in-domain %d-fold CV of these tasks (of %s)"
                        % (CV_FOLDS, ", ".join(corpora.TASK_ORDER)))
    p.add_argument("--seed", type=int, default=1,
                   help="seed of the calibration folds (the CV folds use seed + 1) [1]")
    p.add_argument("--diagnose", action="store_true",
                   help="also print the sigmoids and margin quantiles (--loso)")
    p.add_argument("--corpora", help="corpora folder (default $TEXTCLASS_CORPORA, "
                                     "then ../shared/corpora)")
    a = p.parse_args(argv)
    a.sources = [s for s in a.sources.split(",") if s]
    a.cv = [t for t in a.cv.split(",") if t]
    bad = [s for s in a.sources if s not in loso.SOURCES] + \
          [t for t in a.cv if t not in corpora.TASK_ORDER]
    if bad:
        p.error("unknown source or task: %s" % ", ".join(bad))
    if not a.loso and not a.cv:
        p.error("nothing to do: give --loso and/or --cv TASKS")
    return a


def stratified_folds(labels, k, seed):
    """Fold of each document: each label's documents dealt round-robin after a seeded shuffle."""
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    fold, dealt = [0] * len(labels), {}
    for i in order:
        fold[i] = dealt.get(labels[i], 0) % k
        dealt[labels[i]] = fold[i] + 1
    return fold


def source_folds(train):
    """Fold of each document by its source (one fold per source), or None with one source."""
    names = sorted({d.source for d in train})
    return [names.index(d.source) for d in train] if len(names) > 1 else None


def run_margins(env, tmp, train, held, seed):
    """The Lua runner's result for training docs `train` and evaluated docs `held`: margins
    as arrays (documents x labels), oof["fold"] on the stratified folds and oof["source"] on
    the source folds (a label missing from a source fold's model: its stratified margin)."""
    paths = [os.path.join(tmp, "train.jsonl"), os.path.join(tmp, "held.jsonl")]
    folds = {"fold": stratified_folds([d.label for d in train], CAL_FOLDS, seed),
             "source": source_folds(train)}
    keys = [k for k in folds if folds[k] is not None]
    with open(paths[0], "w", encoding="utf-8") as f:
        for i, d in enumerate(train):
            f.write(json.dumps(dict({k: folds[k][i] for k in keys}, text=d.text, label=d.label))
                    + "\n")
    with open(paths[1], "w", encoding="utf-8") as f:
        for d in held:
            f.write(json.dumps({"text": d.text}) + "\n")
    r = subprocess.run(["lua5.4", "-"] + paths + keys, env=env,
                       input=LUA_RUNNER, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError("lua runner: exit %d: %s" % (r.returncode, r.stderr.strip()))
    res = json.loads(r.stdout)
    names = res["labels"]
    res["held"] = np.array([[m[n] for n in names] for m in res["held"]])
    res["oof"] = {k: np.array([[m.get(n, np.nan) for n in names] for m in res["oof"][k]])
                  for k in keys}
    if "source" not in res["oof"]:
        res["oof"]["source"] = res["oof"]["fold"]
    gaps = np.isnan(res["oof"]["source"])
    res["oof"]["source"][gaps] = res["oof"]["fold"][gaps]
    return res


def sigmoid_loss(params, f, t, w, shared):
    """Weighted cross-entropy of score 1/(1+exp(A f + B)) against targets t, and its gradient;
    f, t, w are (n, L); params is A per label then B per label, or one A then B per label."""
    n_labels = f.shape[1]
    a = np.full(n_labels, params[0]) if shared else params[:n_labels]
    b = params[-n_labels:]
    z = a * f + b
    loss = np.sum(w * (np.logaddexp(0, z) - (1 - t) * z))  # -t log p - (1-t) log(1-p)
    g = w * (1 / (1 + np.exp(-z)) - (1 - t))  # d loss / dz
    ga, gb = np.sum(g * f, axis=0), np.sum(g, axis=0)
    return loss, np.concatenate([[ga.sum()] if shared else ga, gb])


def fit_sigmoids(oof, gold, names, weighting="none", shared=False, sources=None):
    """(A, B) arrays per label, fitted on the out-of-fold margins with Platt's targets;
    weighting "balanced" (by label) or "source" (each of `sources` weighs the same)."""
    pos = np.array([[g == n for n in names] for g in gold], dtype=float)
    n_pos, n = pos.sum(axis=0), len(gold)
    t = np.where(pos > 0, (n_pos + 1) / (n_pos + 2), 1 / (n - n_pos + 2))
    w = np.ones_like(pos)
    if weighting == "balanced":
        w = np.where(pos > 0, n / (2 * n_pos), n / (2 * (n - n_pos)))
    elif weighting == "source":
        count = {src: sources.count(src) for src in set(sources)}
        w = w * np.array([n / (len(count) * count[src]) for src in sources])[:, None]
    n_labels = len(names)
    x0 = np.concatenate([[-1.0] if shared else -np.ones(n_labels), np.zeros(n_labels)])
    r = minimize(sigmoid_loss, x0, args=(oof, t, w, shared), jac=True, method="L-BFGS-B",
                 options={"maxiter": 1000, "gtol": 1e-8})
    a = np.full(n_labels, r.x[0]) if shared else r.x[:n_labels]
    return a, r.x[-n_labels:]


def scores(a, b, margins):
    return 1 / (1 + np.exp(a * margins + b))


def rule_labels(res, train):
    """rule -> predicted labels of the evaluated documents, and the fitted sigmoids."""
    names, oof, held = res["labels"], res["oof"]["fold"], res["held"]
    gold_train = [d.label for d in train]
    fits = {"platt": fit_sigmoids(oof, gold_train, names),
            "balanced": fit_sigmoids(oof, gold_train, names, "balanced"),
            "shared-A": fit_sigmoids(oof, gold_train, names, shared=True),
            "by-source": fit_sigmoids(res["oof"]["source"], gold_train, names),
            "source-weighted": fit_sigmoids(oof, gold_train, names, "source",
                                            sources=[d.source for d in train])}
    prior = np.array([sum(g == n for g in gold_train) for n in names]) / len(gold_train)
    platt = scores(*fits["platt"], held)
    value = {"platt": platt, "raw": held,
             "balanced": scores(*fits["balanced"], held),
             "shared-A": scores(*fits["shared-A"], held),
             "prior-free": np.log(platt) - np.log1p(-platt) - np.log(prior / (1 - prior)),
             "by-source": scores(*fits["by-source"], held),
             "source-weighted": scores(*fits["source-weighted"], held)}
    out = {r: [names[i] for i in np.argmax(value[r], axis=1)] for r in RULES}
    out["engine"] = [e["label"] for e in res["engine"]]
    return out, fits


def engine_sigmoids(res):
    """The default model's (A, B) per label: a least-squares line through (margin, logit(1-s))."""
    a, b = [], []
    for j, name in enumerate(res["labels"]):
        s = np.array([e["scores"][name] for e in res["engine"]])
        keep = (s > 1e-12) & (s < 1 - 1e-12)
        slope, icept = np.polyfit(res["held"][keep, j], np.log((1 - s[keep]) / s[keep]), 1)
        a.append(slope)
        b.append(icept)
    return np.array(a), np.array(b)


def quantiles(x):
    return "%+.2f %+.2f %+.2f" % tuple(np.percentile(x, [25, 50, 75])) if len(x) else "-"


def diagnose(source, res, train, held, fits):
    """Sigmoids, margin quantiles per gold label and source, and each label's 1/2 crossing."""
    names = res["labels"]
    ea, eb = engine_sigmoids(res)
    print("\n== %s held out: sigmoids, score = 1/(1+exp(A f + B)); f at score 1/2 = -B/A" % source)
    print("%-10s %6s %s" % ("label", "share", "  ".join("%-22s" % k for k in
                                                           ["engine A B f½"] + list(fits))))
    for j, n in enumerate(names):
        share = sum(d.label == n for d in train) / len(train)
        cells = ["%+.2f %+.2f %+.2f" % (ea[j], eb[j], -eb[j] / ea[j])]
        cells += ["%+.2f %+.2f %+.2f" % (fa[j], fb[j], -fb[j] / fa[j]) for fa, fb in fits.values()]
        print("%-10s %6.3f %s" % (n, share, "  ".join("%-22s" % c for c in cells)))
    print("platt fitted on one training source's out-of-fold margins at a time: A B f½")
    for src in sorted({d.source for d in train}):
        rows = [i for i, d in enumerate(train) if d.source == src]
        gold = [train[i].label for i in rows]
        if len(set(gold)) < 2:
            continue
        fa, fb = fit_sigmoids(res["oof"]["fold"][rows], gold, names)
        print("%-16s %s" % (src, "  ".join(
            "%s %+.2f %+.2f %+.2f" % (n, fa[j], fb[j], -fb[j] / fa[j])
            for j, n in enumerate(names) if n in gold)))
    print("margin quartiles (25/50/75 %%): out-of-fold on training sources, full model on %s"
          % source)
    groups = {}
    for d, m in zip(train, res["oof"]["fold"]):
        groups.setdefault((d.source, d.label), []).append(m)
    for d, m in zip(held, res["held"]):
        groups.setdefault((d.source + " (held out)", d.label), []).append(m)
    print("%-28s %5s  %s" % ("source, gold label", "n", "  ".join("%-17s" % n for n in names)))
    for (src, lab), ms in sorted(groups.items()):
        ms = np.array(ms)
        print("%-28s %5d  %s" % (src + ", " + lab, len(ms),
                                 "  ".join("%-17s" % quantiles(ms[:, j]) for j in range(len(names)))))


def loso_study(a, env, tmp, docs):
    rows = {}
    for source in a.sources:
        train = [d for d in docs if d.source != source]
        random.Random(SHUFFLE_SEED).shuffle(train)
        held = [d for d in docs if d.source == source]
        res = run_margins(env, tmp, train, held, a.seed)
        labels, fits = rule_labels(res, train)
        gold = [d.label for d in held]
        base = loso.figures(gold, labels["platt"], None)
        for rule in ["engine"] + RULES:
            rows[(source, rule)] = loso.figures(gold, labels[rule],
                                                None if rule == "platt" else base)
        print("%s held out: done" % source, file=sys.stderr, flush=True)
        if a.diagnose:
            diagnose(source, res, train, held, fits)
    print("\nnews4, one source held out: macro-F1 (against platt: difference, McNemar p) / "
          "share of gold `other` called politics")
    for rule in ["engine"] + RULES:
        print("%-16s %s" % (rule, "  |  ".join(loso.cell(rows[(s, rule)]) for s in a.sources)))


def cv_study(a, env, tmp, root):
    print("\nin-domain %d-fold CV (stratified, fold seed %d, calibration fold seed %d): mean "
          "macro-F1; against platt: difference, folds better" % (CV_FOLDS, a.seed + 1, a.seed))
    for task in a.cv:
        _, field, train_splits, _ = corpora.TASKS[task]
        docs = [d for c, s in train_splits for d in corpora.read_split(root, c, s, field)]
        outer = stratified_folds([d.label for d in docs], CV_FOLDS, a.seed + 1)
        f1 = {r: [] for r in ["engine"] + RULES}
        for k in range(CV_FOLDS):
            train = [d for d, f in zip(docs, outer) if f != k]
            held = [d for d, f in zip(docs, outer) if f == k]
            labels, _ = rule_labels(run_margins(env, tmp, train, held, a.seed), train)
            for r in ["engine"] + RULES:
                f1[r].append(metrics.evaluate([d.label for d in held], labels[r])["macro_f1"])
            print("%s fold %d: done" % (task, k + 1), file=sys.stderr, flush=True)
        cells = []
        for r in ["engine"] + RULES:
            diff = statistics.mean(f1[r]) - statistics.mean(f1["platt"])
            better = sum(x > y for x, y in zip(f1[r], f1["platt"]))
            cells.append("%s %.4f" % (r, statistics.mean(f1[r])) if r == "platt" else
                         "%s %+.4f %d/%d" % (r, diff, better, CV_FOLDS))
        print("%-16s %s" % (task, "  ".join(cells)), flush=True)


def main(argv):
    a = parse_args(argv)
    root = corpora.find_corpora(a.corpora)
    if not root:
        print(corpora.missing_note("bench/calibration_study.py"), file=sys.stderr)
        return 77
    print(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    tmp = tempfile.mkdtemp(prefix="calibration_study.")
    try:
        env = loso.lua_env(tmp)
        if a.loso:
            _, field, train_splits, _ = corpora.TASKS["news4"]  # the training splits only
            loso_study(a, env, tmp, [d for c, s in train_splits
                                     for d in corpora.read_split(root, c, s, field)])
        if a.cv:
            cv_study(a, env, tmp, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
