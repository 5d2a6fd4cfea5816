#!/usr/bin/python3
"""models/length_rule_study.py: should the news model's decision depend on a story's length?

Step 9 of the news model's design study (models/README.md). Short items (a title and a
sentence) score lower than whole articles, so at threshold 0.5 many fall back to `other`.
Rules that know the length, against the shipped one, on the protocols of
models/label_rule_study.py (5-fold CV of the prepared TRAIN set, or one source held out),
whole held-out articles and the same cut to title + first sentence:

  shipped      threshold 0.5, `other` when no label passes (--fallback other)
  threshold    one threshold t for every story (the control for the next three)
  short step   threshold t_short below n0 features, 0.5 from n0 up
  short slope  threshold 0.5 - b log(n0 / n) below n0 features, 0.5 from n0 up
  short top    below n0 features the top-scoring label instead of `other` when none passes
  short evidence  below n0 features each label's log-odds moves away from the empty text's
               by the factor (n0 / n) ** gamma, then as shipped (n0 and gamma fitted, or
               gamma 0.5 and n0 fitted)
  refit        each label's score recalibrated, sigmoid(a logit(score) + c), then as shipped
  refit + log n          sigmoid(a logit(score) + b log n + c)
  refit + log n, slope   sigmoid(a logit(score) + b log n + d logit(score) log n + c)

Step 10 (README): the very short stories' scores. Each held-out story is scored three ways
more, the title alone and its first k content words (k = 1..5: tokens after stop words, as
the model reads them), and three candidates are set against CHOSEN (below), each keeping its
n0 and fitting one parameter more by the log-loss of its scores on the inner records of
every kind:

  floor        the gain as if a story had at least m features: sqrt(n0 / max(n, m))
  shrunk       the mean weight per feature shrunk toward 0 by n / (n + k) before it is
               extrapolated (the gain made 1 at n0)
  moderated    the scaled scores' log-odds z moderated toward 0 as a noisy one's:
               z / sqrt(1 + c (n0 / n - 1)); labels at threshold 0.5 stay CHOSEN's

Two more tables: the very short cuts' labels and every kind's score quality (log-loss,
Brier, the gold share of scores >= 0.9, as models/score_calibration.py counts them), and
the same by n.

n is the number of the story's features found in the model's vocabulary (--length tokens:
its tokens). Every rule is fitted inside the split, nested: on out-of-fold scores of the
split's TRAINING articles, whole and cut (3 inner folds, as the engine calibrates), never on
the held-out ones; the cut copies are scored, never trained on. The thresholds are chosen on
a grid for the best accuracy + macro-F1 over those scores; the refits are logistic
regressions on them. The outer model scores the held-out articles, and each rule labels them.

    /usr/bin/python3 models/length_rule_study.py [--protocol cv|SOURCE] [--length features|tokens]
                                                 [--by-source] [--fit | --test SPLIT.jsonl]
                                                 [--corpora DIR] [--textclass PATH]

--by-source trains every model (inner and outer) on one file per source with `train
--balance-inputs`, as models/Makefile now trains the shipped model (step 11); without it, one
file, as steps 9 and 10 were measured.
--fit reads no held-out stories: it fits CHOSEN's n0 and *moderated*'s c on the whole prepared
set's out-of-fold scores (what models/Makefile's --short-features and --short-moderation are),
and prints the objective of every n0 and the log-loss of every c it chose among.

--test trains on the whole prepared set, fits the chosen rule (CHOSEN) on its out-of-fold
scores, and scores a test split with it and the shipped rule only: read once, after the
choice was made on the train splits (README, step 9).
2 to 10 minutes per protocol on 2 cores (CV the longest; --fit about one). Scores and
lengths come from models/length_scores.lua.
"""
import argparse
import collections
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import label_rule_study as lrs  # noqa: E402
from label_rule_study import LABELS  # noqa: E402
import score_calibration  # noqa: E402

import numpy  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

INNER_FOLDS = 3  # the engine fits its Platt sigmoids on 3 folds (core/train_ovr.c)
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]
SHORT = [5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200]  # candidate n0, in features or tokens
SLOPES = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3]
GAINS = [0.25, 0.5, 0.75, 1.0]
SHIPPED_T = 0.5
FIRST_WORDS = [1, 2, 3, 4, 5]  # the very short cuts: a story's first k content words
VERY_SHORT = ["title"] + ["first %d" % k for k in FIRST_WORDS]


def length_scores(textclass, tmp, model, docs, first=None):
    """The empty text's {label: score}, and [(id, tokens, features, {label: score})] for docs
    (each cut to its first `first` content words if given), by models/length_scores.lua."""
    path = os.path.join(tmp, "score.jsonl")
    lrs.write_jsonl(path, docs)
    out = subprocess.run([textclass, "run", os.path.join(HERE, "length_scores.lua"), model, path]
                         + ([str(first)] if first else []), check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(out.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    names = rows[0][3:]
    scored_rows = [(r[0], int(r[1]), int(r[2]), dict(zip(names, map(float, r[3:])))) for r in rows[1:]]
    return scored_rows[0][3], scored_rows[1:]


def title(text):
    """The title alone: the text's first paragraph."""
    return text.partition("\n\n")[0]


def cuts(test):
    """(kind, documents, first) for each way a held-out story is scored: whole, cut to title +
    first sentence, and the very short cuts (VERY_SHORT): the title alone, its first k words."""
    yield "whole", test, None
    yield "cut", [dict(d, text=lrs.headline_and_lead(d["text"])) for d in test], None
    yield "title", [dict(d, text=title(d["text"])) for d in test], None
    for k in FIRST_WORDS:
        yield "first %d" % k, test, k


def scored(textclass, tmp, recipe, train, test, by_source):
    """The held-out records of one split, whole and cut (every kind of cuts()): {kind, gold,
    tokens, features, scores, empty (the split model's scores of the empty text)}; by_source:
    the split model trained with --balance-inputs on one file per source."""
    model = os.path.join(tmp, "split.model")
    balance = ["--balance-inputs"] if by_source else []
    subprocess.run([textclass, "train", "-q", "-o", model] + recipe + balance
                   + lrs.training_files(tmp, train, by_source), check=True)
    gold = {d["id"]: set(d["labels"]) for d in test}
    records = []
    for kind, texts, first in cuts(test):
        empty, rows = length_scores(textclass, tmp, model, texts, first)
        for doc_id, tokens, features, scores in rows:
            records.append({"kind": kind, "gold": gold[doc_id], "tokens": tokens, "features": features,
                            "scores": scores, "empty": empty})
    return records


def out_of_fold(textclass, tmp, recipe, train, by_source):
    """train's records scored by models trained on its other inner folds."""
    fold = lrs.assign_folds(train, INNER_FOLDS)
    records = []
    for k in range(INNER_FOLDS):
        records += scored(textclass, tmp, recipe, [d for d in train if fold[d["id"]] != k],
                          [d for d in train if fold[d["id"]] == k], by_source)
    return records


def nested(textclass, tmp, recipe, pairs, by_source):
    """For each (train, test) pair: the inner out-of-fold records of train, and test's records."""
    return [(out_of_fold(textclass, tmp, recipe, train, by_source),
             scored(textclass, tmp, recipe, train, test, by_source)) for train, test in pairs]


# ---- the rules: fit(inner records, length) -> parameters; choose(parameters, record, length) -> labels

def objective(records, choose_one):
    accuracy, _, macro_f1, _ = lrs.measures([(choose_one(r), r["gold"]) for r in records])
    return accuracy + macro_f1


def best_on_grid(records, grid, choose, length):
    """The grid point with the best objective (the first of equals, in grid order)."""
    return max(grid, key=lambda p: objective(records, lambda r: choose(p, r, length)))


def choose_threshold(t, r, length):
    return lrs.choose(r["scores"], "fallback", t)


def fit_threshold(records, length):
    return best_on_grid(records, THRESHOLDS, choose_threshold, length)


def choose_short_step(p, r, length):
    n0, t_short = p
    return lrs.choose(r["scores"], "fallback", t_short if r[length] < n0 else SHIPPED_T)


def fit_short_step(records, length):
    grid = [(n0, t) for n0 in SHORT for t in THRESHOLDS if t < SHIPPED_T]
    return best_on_grid(records, grid, choose_short_step, length)


def choose_short_slope(p, r, length):
    n0, slope = p
    t = SHIPPED_T - slope * max(0.0, math.log(n0 / max(1, r[length])))
    return lrs.choose(r["scores"], "fallback", max(0.01, t))


def fit_short_slope(records, length):
    return best_on_grid(records, [(n0, b) for n0 in SHORT for b in SLOPES], choose_short_slope, length)


def choose_short_top(n0, r, length):
    return lrs.choose(r["scores"], "top" if r[length] < n0 else "fallback", SHIPPED_T)


def fit_short_top(records, length):
    return best_on_grid(records, SHORT, choose_short_top, length)


def logit(p):
    p = min(max(p, 1e-15), 1 - 1e-15)
    return math.log(p) - math.log1p(-p)


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def scaled(r, gain):
    """r's scores with each label's evidence (its log-odds minus the empty text's) times gain."""
    return {l: sigmoid(logit(r["empty"][l]) + gain * (logit(s) - logit(r["empty"][l])))
            for l, s in r["scores"].items()}


def scores_short_evidence(p, r, length):
    """Below n0 features each label's evidence grows by (n0 / n) ** gamma: a short story's
    margin, as if its few features were a long one's."""
    n0, gamma = p
    return scaled(r, max(1.0, n0 / max(1, r[length])) ** gamma)


def choose_short_evidence(p, r, length):
    return lrs.choose(scores_short_evidence(p, r, length), "fallback", SHIPPED_T)


def fit_short_evidence(records, length):
    return best_on_grid(records, [(n0, g) for n0 in SHORT for g in GAINS], choose_short_evidence, length)


def fit_short_evidence_root(records, length):
    """n0 alone, gamma 0.5: a sum of n features' weights over an L2-normalised vector grows
    as the square root of n, so this gives a short story an n0-feature story's evidence."""
    return best_on_grid(records, [(n0, 0.5) for n0 in SHORT], choose_short_evidence, length)


REFIT_INPUTS = {
    "refit": lambda z, log_n: [z],
    "refit + log n": lambda z, log_n: [z, log_n],
    "refit + log n, slope": lambda z, log_n: [z, log_n, z * log_n],
}


def refit_inputs(kind, r, label, length):
    return REFIT_INPUTS[kind](logit(r["scores"][label]), math.log(max(1, r[length])))


def fit_refit(kind):
    def fit(records, length):
        models = {}
        for label in LABELS:
            x = numpy.array([refit_inputs(kind, r, label, length) for r in records])
            y = numpy.array([label in r["gold"] for r in records])
            models[label] = LogisticRegression(C=1e4, max_iter=1000).fit(x, y)
        return models
    return fit


def choose_refit(kind):
    def choose(models, r, length):
        scores = {l: m.predict_proba([refit_inputs(kind, r, l, length)])[0][1] for l, m in models.items()}
        return lrs.choose(scores, "fallback", SHIPPED_T)
    return choose


def describe_refit(models):
    return "; ".join("%s %s" % (l, " ".join("%.2f" % c for c in list(m.coef_[0]) + [m.intercept_[0]]))
                     for l, m in models.items())


# ---- step 10: the shortest stories' scores. Each candidate keeps the rule's n0 (fitted as
# CHOSEN's, on whole and cut records) and fits one parameter more by the log-loss of its scores
# on the inner records of every kind: what it is for is the scores' honesty.

FLOORS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40]  # m: 1 is CHOSEN
SHRINKS = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20]  # k: 0 is CHOSEN
MODERATIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.5, 2.0]  # c: 0 is CHOSEN


def scores_floor(p, r, length):
    """CHOSEN's gain, but as if a story had at least m features: sqrt(n0 / max(n, m))."""
    n0, m = p
    return scaled(r, math.sqrt(n0 / max(r[length], m)) if r[length] < n0 else 1.0)


def scores_shrunk(p, r, length):
    """CHOSEN's gain with the mean weight per feature shrunk toward 0 before it is extrapolated:
    an n-feature mean is an estimate of variance ~ 1/n, so by n / (n + k); divided by that
    factor at n0, so the gain is 1 there, as CHOSEN's."""
    n0, k = p
    n = r[length]
    return scaled(r, math.sqrt(n0 / n) * n / (n + k) * (n0 + k) / n0 if 0 < n < n0 else 1.0)


def scores_moderated(p, r, length):
    """CHOSEN's scores, then each label's log-odds z moderated toward 0 (a score of 0.5) as a
    noisy z is (MacKay's moderated output, sigmoid(z / sqrt(1 + variance))): the scaled
    evidence's variance grows with the gain squared, n0 / n, so below n0 features
    z / sqrt(1 + c (n0 / n - 1)). The sign of z stays, so do the labels at threshold 0.5 and
    every story's order of labels; only the scores move."""
    n0, c = p
    n = r[length]
    scores = scores_short_evidence((n0, 0.5), r, length)
    if not 0 < n < n0:
        return scores
    kappa = 1 / math.sqrt(1 + c * (n0 / n - 1))
    return {l: sigmoid(kappa * logit(s)) for l, s in scores.items()}


def fit_by_log_loss(scores, grid):
    def fit(records, length):
        n0 = fit_short_evidence_root([r for r in records if r["kind"] in STEP9_KINDS], length)[0]
        gold = [r["gold"] for r in records]
        return min(((n0, x) for x in grid),
                   key=lambda p: score_quality([scores(p, r, length) for r in records], gold)[1])
    return fit


def choose_by(scores):
    return lambda p, r, length: lrs.choose(scores(p, r, length), "fallback", SHIPPED_T)


def raw_scores(p, r, length):
    return r["scores"]


STEP9_KINDS = ("whole", "cut")
EVERY_KIND = STEP9_KINDS + tuple(VERY_SHORT)
# fit(inner records of `kinds`, length) -> parameters; choose(parameters, record, length) -> labels;
# scores(parameters, record, length) -> {label: score}, for the score tables (None: left out)
Rule = collections.namedtuple("Rule", "name fit choose describe scores kinds")

RULES = [
    Rule("shipped", lambda records, length: SHIPPED_T, choose_threshold, str, raw_scores, STEP9_KINDS),
    Rule("threshold", fit_threshold, choose_threshold, lambda t: "t %.2f" % t, None, STEP9_KINDS),
    Rule("short step", fit_short_step, choose_short_step, lambda p: "n0 %d, t_short %.2f" % p, None, STEP9_KINDS),
    Rule("short slope", fit_short_slope, choose_short_slope, lambda p: "n0 %d, b %.2f" % p, None, STEP9_KINDS),
    Rule("short top", fit_short_top, choose_short_top, lambda n0: "n0 %d" % n0, None, STEP9_KINDS),
    Rule("short evidence", fit_short_evidence, choose_short_evidence, lambda p: "n0 %d, gamma %.2f" % p, None,
         STEP9_KINDS),
    Rule("short evidence, gamma 0.5", fit_short_evidence_root, choose_short_evidence, lambda p: "n0 %d" % p[0],
         scores_short_evidence, STEP9_KINDS),
] + [Rule(kind, fit_refit(kind), choose_refit(kind), describe_refit, None, STEP9_KINDS)
       for kind in REFIT_INPUTS] + [
    Rule("floor", fit_by_log_loss(scores_floor, FLOORS), choose_by(scores_floor), lambda p: "n0 %d, m %d" % p,
         scores_floor, EVERY_KIND),
    Rule("shrunk", fit_by_log_loss(scores_shrunk, SHRINKS), choose_by(scores_shrunk), lambda p: "n0 %d, k %d" % p,
         scores_shrunk, EVERY_KIND),
    Rule("moderated", fit_by_log_loss(scores_moderated, MODERATIONS), choose_by(scores_moderated),
         lambda p: "n0 %d, c %.1f" % p, scores_moderated, EVERY_KIND),
]


# The rule step 9 chose on the training splits; --test scores it and the shipped rule only.
CHOSEN = "short evidence, gamma 0.5"
N_BUCKETS = [(1, 1), (2, 2), (3, 3), (4, 5), (6, 9), (10, 19), (20, 39), (40, 79), (80, None)]


def sport_recall(pairs):
    sport = [chosen for chosen, gold in pairs if "sport" in gold]
    return sum("sport" in chosen for chosen in sport) / max(1, len(sport))


def held_out(splits, length, rule):
    """The rule fitted on each split's inner records of its kinds; the held-out records with their
    scores under it (rule.scores, else the raw ones) and chosen labels, and the fitted values."""
    out, fitted = [], []
    for inner, outer in splits:
        params = rule.fit([r for r in inner if r["kind"] in rule.kinds], length)
        fitted.append(rule.describe(params))
        for r in outer:
            scores = rule.scores(params, r, length) if rule.scores else r["scores"]
            out.append(dict(r, scores=scores, chosen=rule.choose(params, r, length)))
    return out, "; ".join(sorted(set(fitted))) if rule.name != "shipped" else ""


def label_quality(records):
    """Accuracy, exact match, macro-F1 and {label: F1} of the records' chosen labels."""
    return lrs.measures([(r["chosen"], r["gold"]) for r in records])


def score_quality(all_scores, gold):
    """Brier, log-loss, ECE, pairs scored >= 0.9, their mean and gold share (score_calibration.py)."""
    return score_calibration.measures(all_scores, gold)


def of_kinds(records, kinds):
    return [r for r in records if r["kind"] in kinds]


def report(splits, length, rules):
    head = ["rule", "whole: accuracy / macro-F1", "cut: accuracy / macro-F1", "whole exact match",
            "whole F1 " + "/".join(LABELS), "cut F1 " + "/".join(LABELS), "whole / cut changed",
            "cut sport recall", "fitted (each split)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    shipped = None
    held = {}
    for rule in rules:
        records, fitted = held_out(splits, length, rule)
        held[rule.name] = records, fitted
        chosen = {k: [r["chosen"] for r in of_kinds(records, [k])] for k in STEP9_KINDS}
        shipped = shipped or chosen
        whole, cut = label_quality(of_kinds(records, ["whole"])), label_quality(of_kinds(records, ["cut"]))
        changed = ["%d" % sum(a[0] != b[0] for a, b in zip(chosen[k], shipped[k])) for k in STEP9_KINDS]
        print("| %s | %.4f / %.4f | %.4f / %.4f | %.4f | %s | %s | %s | %.3f | %s |" % (
            rule.name, whole[0], whole[2], cut[0], cut[2], whole[1],
            " ".join("%.3f" % whole[3][l] for l in LABELS), " ".join("%.3f" % cut[3][l] for l in LABELS),
            " / ".join(changed), sport_recall([(r["chosen"], r["gold"]) for r in of_kinds(records, ["cut"])]),
            fitted))
    scored_rules = [rule.name for rule in rules if rule.scores]
    report_scores(held, scored_rules)
    report_by_n(held, scored_rules, length)


GROUPS = [("whole", ["whole"]), ("cut", ["cut"]), ("title", ["title"]),
          ("first 1-5 words", ["first %d" % k for k in FIRST_WORDS])]


def report_scores(held, names):
    """Labels and scores of the very short cuts; the scores' quality on every kind."""
    print("\nThe very short cuts' labels, and the scores' quality (log-loss, Brier: mean over every "
          "(story, label) pair; >= 0.9: the pairs scored 0.9 or more, and the share of them gold):\n")
    head = (["rule", "title: accuracy / macro-F1", "first 1-5 words: accuracy / macro-F1"]
            + ["%s: log-loss / Brier / >= 0.9 pairs, gold" % g for g, _ in GROUPS])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name in names:
        records = held[name][0]
        labels = [label_quality(of_kinds(records, kinds)) for _, kinds in GROUPS[2:]]
        cells = ["%.4f / %.4f" % (q[0], q[2]) for q in labels]
        for _, kinds in GROUPS:
            rs = of_kinds(records, kinds)
            brier, logloss, _, pairs, _, gold = score_quality([r["scores"] for r in rs], [r["gold"] for r in rs])
            cells.append("%.3f / %.4f / %d, %.3f" % (logloss, brier, pairs, gold))
        print("| %s | %s |" % (name, " | ".join(cells)))


def report_by_n(held, names, length):
    """Every held-out record of every kind, by its length n."""
    print("\nBy n (%s), every kind of cut together:\n" % length)
    head = ["n", "stories"] + ["%s: accuracy / macro-F1 / log-loss / >= 0.9 gold" % name for name in names]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for lo, hi in N_BUCKETS:
        cells = []
        for name in names:
            rs = [r for r in held[name][0] if r[length] >= lo and (hi is None or r[length] <= hi)]
            accuracy, _, macro_f1, _ = label_quality(rs)
            _, logloss, _, _, _, gold = score_quality([r["scores"] for r in rs], [r["gold"] for r in rs])
            cells.append("%.3f / %.3f / %.3f / %.3f" % (accuracy, macro_f1, logloss, gold))
        span = "%d+" % lo if hi is None else "%d" % lo if lo == hi else "%d-%d" % (lo, hi)
        print("| %s | %d | %s |" % (span, len(rs), " | ".join(cells)))


def report_fit(records, length):
    """CHOSEN's n0 and *moderated*'s c as fitted on records, and what each candidate scored there:
    n0's objective on the whole and cut records, c's log-loss on every kind (with that n0)."""
    step9 = of_kinds(records, STEP9_KINDS)
    print("| n0 | accuracy + macro-F1, whole and cut (%s) |\n|---|---|" % CHOSEN)
    for n0 in SHORT:
        print("| %d | %.4f |" % (n0, objective(step9, lambda r: choose_short_evidence((n0, 0.5), r, length))))
    n0 = fit_short_evidence_root(step9, length)[0]
    gold = [r["gold"] for r in records]
    print("\n| c | log-loss, every kind (moderated, n0 %d) |\n|---|---|" % n0)
    for c in MODERATIONS:
        log_loss = score_quality([scores_moderated((n0, c), r, length) for r in records], gold)[1]
        print("| %.1f | %.4f |" % (c, log_loss))
    for rule in (r for r in RULES if r.name in (CHOSEN, "moderated")):
        print("\nfitted, %s: %s" % (rule.name, rule.describe(rule.fit(of_kinds(records, rule.kinds), length))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora")
    ap.add_argument("--protocol", default="cv",
                    help="cv (5 folds), or a source to hold out: masakhanews_eng, bbc, cyber")
    ap.add_argument("--length", default="features", choices=["features", "tokens"])
    ap.add_argument("--by-source", action="store_true",
                    help="one training file per source, weighed alike in calibration (--balance-inputs)")
    what_to_do = ap.add_mutually_exclusive_group()
    what_to_do.add_argument("--fit", action="store_true",
                            help="fit n0 and c on the whole prepared set's out-of-fold scores; nothing held out")
    what_to_do.add_argument("--test", help="a test split (JSONL) to score, trained on the whole prepared set")
    ap.add_argument("--textclass", default=os.path.join(HERE, "..", "bin", "textclass"))
    args = ap.parse_args()
    cdir = lrs.find_corpora(args.corpora)
    if not cdir:
        sys.exit("length_rule_study: no corpora (give --corpora or set TEXTCLASS_CORPORA)")
    with tempfile.TemporaryDirectory() as tmp:
        prepared = os.path.join(tmp, "prepared.jsonl")
        subprocess.run(["lua5.4", os.path.join(HERE, "prepare.lua"), cdir, os.path.join(HERE, "relabel.tsv"),
                        prepared], check=True)
        with open(prepared, encoding="utf-8") as f:
            docs = [json.loads(line) for line in f]
        if args.fit:
            inner = out_of_fold(args.textclass, tmp, lrs.RECIPE, docs, args.by_source)
        else:
            pairs = [(docs, lrs.read_test_split(args.test))] if args.test else lrs.splits(docs, args.protocol)
            splits = nested(args.textclass, tmp, lrs.RECIPE, pairs, args.by_source)
    calibration = "; sources weighed alike in calibration" if args.by_source else ""
    if args.fit:
        print("\nThe whole prepared set's out-of-fold records (%d stories), n = %s%s:\n"
              % (len(docs), args.length, calibration))
        report_fit(inner, args.length)
        return
    what = ("%s, trained on the whole prepared set" % os.path.basename(args.test) if args.test else
            "5-fold CV" if args.protocol == "cv" else "%s held out, trained on the rest" % args.protocol)
    what += calibration
    print("\n%s; n = %s; %d held-out stories, whole and cut to title + first sentence:\n"
          % (what, args.length, len(pairs[0][1]) if args.test else sum(len(t) for _, t in pairs)))
    report(splits, args.length, [r for r in RULES if r.name in ("shipped", CHOSEN)] if args.test else RULES)


if __name__ == "__main__":
    main()
