#!/usr/bin/python3
"""bench/proxy_study.py: feature ideas tried on the scikit-learn proxy, by CV on a TRAIN split.

The proxy of `textclass train`: TF-IDF of words and word pairs (sublinear, English stop words,
min_df 2), one balanced LinearSVC per label, the label of the largest margin. Variants:

  plain    the proxy itself
  nb       Wang and Manning's NBSVM: each binary problem's features scaled by their log-count
           ratio (presence in positive against negative documents, alpha 1)
  nb-sqrt  the same with the ratio's signed square root (a gentler scaling)
  stem     words reduced to their Snowball English stems before the pairs are made
           (Debian's python3-snowballstemmer)
  title    the title's words and pairs once more as features of their own ("title:" + term;
           the title is the text up to its first blank line, as the corpora have it)
  ovo      one-vs-one instead of one-vs-rest: one balanced LinearSVC per pair of labels, on that
           pair's documents only; each pair votes, the most votes wins, and a tie goes to the
           largest sum of the label's pairwise decision values (positive for it, negated
           against it)
  ovo-unweighted  the same without class weights in the pairwise problems
  ovo-coupled     the same pairwise SVMs, each given a Platt sigmoid fitted on its decision
           values out of 3 stratified folds of the pair's documents (as textclass calibrates),
           and the pairwise probabilities coupled into one per label (Wu, Lin and Weng 2004,
           their second method, the one LIBSVM's -b 1 uses); the most probable label wins
  ovo-hinge       ovo-unweighted with the hinge loss instead of its square: LIBSVM's C-SVC
           problem (the bias still regularised, as in LinearSVC)
  hinge    the proxy (one-vs-rest, balanced) with the hinge loss: ovo-hinge's other half
  platt    the proxy with textclass's own decision rule: each label's margin through a Platt
           sigmoid fitted on 3-fold out-of-fold margins, the highest score wins (ovo-coupled's
           one-vs-rest counterpart)

5-fold stratified CV (seed 1, the same folds for every variant) on the task's training split
only; prints macro-F1 and each fold's, the binary problems trained per fold and the CPU seconds
of their fitting summed over the 5 folds (the SVM fits alone, without vectorising) and their
non-zero weights per fold (calibration's fits included). Labels as
bench/peers has them (benchlib/corpora.py: newsgroups keeps a cross-post's first group).
docs/features.md ("Ideas tried on the proxy", "One-vs-one") holds the figures.

    /usr/bin/python3 bench/proxy_study.py TASK [--variants plain,ovo,ovo-coupled] [--corpora DIR]

TASK: bbc, masakhanews_eng, newsgroups, news4 (newsgroups and news4 take 10-40 minutes).
"""
import argparse
import itertools
import os
import re
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import corpora  # noqa: E402

VARIANTS = ["plain", "nb", "nb-sqrt", "stem", "title", "ovo", "ovo-unweighted", "ovo-coupled", "ovo-hinge",
            "hinge", "platt"]
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern
COST = {"problems": 0, "fit_s": 0.0, "nonzero": 0}  # binary SVMs trained, their fitting's CPU
# seconds, their non-zero weights


def fit_svm(x, y, weight="balanced", loss="squared_hinge"):
    """A LinearSVC (C 1) fitted on x, y, counted in COST. The hinge loss gets 20000 iterations:
    liblinear's dual solver stops short of its tolerance after the default 1000 on these data."""
    start = time.process_time()
    svm = LinearSVC(C=1.0, class_weight=weight, loss=loss, max_iter=1000 if loss == "squared_hinge" else 20000)
    svm.fit(x, y)
    COST["problems"] += 1
    COST["fit_s"] += time.process_time() - start
    COST["nonzero"] += np.count_nonzero(svm.coef_)
    return svm


def stemming_analyzer():
    """Lower case, the default tokens, stop words out, stems, then the word pairs: the default
    analyzer's steps with a stemmer between (without it, it gives the default's features)."""
    import snowballstemmer
    stemmer, memo = snowballstemmer.stemmer("english"), {}

    def stem(w):
        if w not in memo:
            memo[w] = stemmer.stemWord(w)
        return memo[w]

    def analyze(doc):
        words = [stem(w) for w in TOKEN.findall(doc.lower()) if w not in ENGLISH_STOP_WORDS]
        return words + [a + " " + b for a, b in zip(words, words[1:])]
    return analyze


def title_analyzer():
    """The default analyzer's terms of the whole text, then those of its title, prefixed."""
    base = TfidfVectorizer(ngram_range=(1, 2), stop_words="english").build_analyzer()

    def analyze(doc):
        return base(doc) + ["title:" + t for t in base(doc.split("\n\n", 1)[0])]
    return analyze


def predict(train_x, train_y, test_x, variant):
    if variant == "title":
        vec = TfidfVectorizer(analyzer=title_analyzer(), sublinear_tf=True, min_df=2)
    elif variant == "stem":
        vec = TfidfVectorizer(analyzer=stemming_analyzer(), sublinear_tf=True, min_df=2)
    else:
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words="english")
    a, b = vec.fit_transform(train_x), vec.transform(test_x)
    if variant.startswith("ovo"):
        return pairwise(a, train_y, b, variant)
    present = (a > 0).astype(np.float64)
    names = np.unique(train_y)
    margins = np.zeros((b.shape[0], len(names)))
    for j, name in enumerate(names):
        y = (train_y == name).astype(int)
        scale = sp.identity(a.shape[1], format="csr")
        if variant in ("nb", "nb-sqrt"):
            p = 1.0 + np.asarray(present[y == 1].sum(0)).ravel()
            q = 1.0 + np.asarray(present[y == 0].sum(0)).ravel()
            r = np.log((p / p.sum()) / (q / q.sum()))
            scale = sp.diags(r if variant == "nb" else np.sign(r) * np.sqrt(np.abs(r)))
        svm = fit_svm(a @ scale, y, loss="hinge" if variant == "hinge" else "squared_hinge")
        margins[:, j] = svm.decision_function(b @ scale)
        if variant == "platt":
            sa, sb = platt(out_of_fold(a, y), y)
            margins[:, j] = 1.0 / (1.0 + np.exp(sa * margins[:, j] + sb))
    return names[margins.argmax(1)]


def out_of_fold(x, y, weight="balanced", loss="squared_hinge"):
    """Decision values of x's rows, each from an SVM trained without it (3 stratified folds, as
    textclass calibrates)."""
    held = np.zeros(len(y))
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=1).split(y, y):
        held[te] = fit_svm(x[tr], y[tr], weight, loss).decision_function(x[te])
    return held


def platt(d, y):
    """Platt's sigmoid (A, B) for decision values d of labels y (1/0): P(1 | d) = 1 / (1 +
    exp(A d + B)), fitted by maximum likelihood on Platt's smoothed targets."""
    pos = y.sum()
    t = np.where(y == 1, (pos + 1.0) / (pos + 2.0), 1.0 / (len(y) - pos + 2.0))

    def loss(ab):
        z = ab[0] * d + ab[1]
        # -[t log p + (1 - t) log(1 - p)] with p = 1 / (1 + e^z), written stably
        nll = np.logaddexp(0, z) - (1 - t) * z
        g = 1.0 / (1.0 + np.exp(-z)) - (1 - t)  # d nll / dz
        return nll.sum(), np.array([(g * d).sum(), g.sum()])
    return minimize(loss, [-1.0, 0.0], jac=True, method="L-BFGS-B").x


def couple(r):
    """Per-label probabilities from pairwise ones, r[n, i, j] = P(i | i or j) (Wu, Lin and Weng
    2004, method 2): p minimises sum_i sum_{j != i} (r_ji p_i - r_ij p_j)^2 with sum p = 1,
    i.e. p = Q^-1 e / (e' Q^-1 e) for Q_ii = sum_{j != i} r_ji^2, Q_ij = -r_ji r_ij."""
    k = r.shape[1]
    rt = np.swapaxes(r, 1, 2)
    off = ~np.eye(k, dtype=bool)
    q = -rt * r
    q[:, np.eye(k, dtype=bool)] = (np.where(off, rt, 0) ** 2).sum(2)
    p = np.linalg.solve(q + 1e-12 * np.eye(k), np.ones((r.shape[0], k, 1)))[:, :, 0]
    return p / p.sum(1, keepdims=True)


def pairwise(a, train_y, b, variant):
    """One-vs-one: a LinearSVC per pair of labels, trained on that pair's documents only. ovo,
    ovo-unweighted and ovo-hinge: votes (LIBSVM's rule), the larger sum of decision values
    breaking a tie (LIBSVM itself takes the first label in its order); ovo-coupled: Platt
    sigmoids on 3-fold out-of-fold decision values of each pair, coupled into per-label
    probabilities."""
    names = np.unique(train_y)
    k, n = len(names), b.shape[0]
    votes, sums = np.zeros((n, k)), np.zeros((n, k))
    r = np.full((n, k, k), 0.5)
    for i, j in itertools.combinations(range(k), 2):
        rows = np.flatnonzero((train_y == names[i]) | (train_y == names[j]))
        y = (train_y[rows] == names[i]).astype(int)
        weight = None if variant in ("ovo-unweighted", "ovo-hinge") else "balanced"
        loss = "hinge" if variant == "ovo-hinge" else "squared_hinge"
        d = fit_svm(a[rows], y, weight, loss).decision_function(b)
        votes[:, i] += d > 0
        votes[:, j] += d <= 0
        sums[:, i] += d
        sums[:, j] -= d
        if variant == "ovo-coupled":
            sa, sb = platt(out_of_fold(a[rows], y, weight), y)
            r[:, i, j] = np.clip(1.0 / (1.0 + np.exp(sa * d + sb)), 1e-7, 1 - 1e-7)
            r[:, j, i] = 1.0 - r[:, i, j]
    if variant == "ovo-coupled":
        return names[couple(r).argmax(1)]
    best = np.where(votes == votes.max(1, keepdims=True), sums, -np.inf)
    return names[best.argmax(1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("task", choices=corpora.TASK_ORDER)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--corpora", help="default: $TEXTCLASS_CORPORA, else ../shared/corpora")
    args = ap.parse_args()
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        ap.error("unknown variant %s (have: %s)" % (unknown[0], ", ".join(VARIANTS)))
    root = corpora.find_corpora(args.corpora)
    if not root:
        sys.exit("proxy_study: no corpora (give --corpora or set TEXTCLASS_CORPORA)")
    _, field, train_splits, _ = corpora.TASKS[args.task]  # the training splits only
    train = [d for c, s in train_splits for d in corpora.read_split(root, c, s, field)]
    x = np.array([d.text for d in train], dtype=object)
    y = np.array([d.label for d in train])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(x, y))
    for v in variants:
        COST.update(problems=0, fit_s=0.0, nonzero=0)
        f1 = [f1_score(y[te], predict(list(x[tr]), y[tr], list(x[te]), v), average="macro") for tr, te in folds]
        cost = (COST["problems"] // len(folds), COST["fit_s"], COST["nonzero"] // len(folds))
        print("%s %-14s %.4f  folds %s" % (args.task, v, np.mean(f1), " ".join("%.4f" % s for s in f1))
              + "  (%d binary SVMs per fold, %.1f s CPU fitting them in all, %d non-zero weights per fold)" % cost,
              flush=True)


if __name__ == "__main__":
    main()
