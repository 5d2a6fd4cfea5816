#!/usr/bin/python3
"""bench/nbsvm_study.py: NB-scaled features (NBSVM) against plain TF-IDF, by CV on a TRAIN split.

The scikit-learn proxy of `textclass train` (TF-IDF of words and word pairs, sublinear, English
stop words, min_df 2, one balanced LinearSVC per label, the label of the largest margin), with
and without Wang and Manning's log-count-ratio scaling of each binary problem's features.
5-fold stratified CV (seed 1) on the task's training split only; prints macro-F1 per fold.
Labels are the records' raw fields (newsgroups: its 23 orig_label values, cross-posts' "a|b"
included), so newsgroups' figures are not bench/tune_defaults' (which keeps the first group).
docs/features.md ("Naive Bayes-scaled features") holds the figures.

    /usr/bin/python3 bench/nbsvm_study.py TASK [--corpora DIR]    # bbc, masakhanews_eng, newsgroups, news4
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

HERE = os.path.dirname(os.path.abspath(__file__))
NEWS4 = ["bbc", "newsgroups", "cyber", "masakhanews_eng"]
# task -> (corpora whose train split it uses, label field)
TASKS = {"bbc": (["bbc"], "orig_label"), "masakhanews_eng": (["masakhanews_eng"], "orig_label"),
         "newsgroups": (["newsgroups"], "orig_label"), "news4": (NEWS4, "label")}
MODES = {"plain": None, "nb": lambda r: r, "nb-sqrt": lambda r: np.sign(r) * np.sqrt(np.abs(r))}


def load(cdir, task):
    corpora, field = TASKS[task]
    texts, labels = [], []
    for c in corpora:
        with open(os.path.join(cdir, c, "train.jsonl"), encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                texts.append(d["text"])
                labels.append(d[field])
    return np.array(texts, dtype=object), np.array(labels)


def predict(train_x, train_y, test_x, mode, alpha=1.0):
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words="english")
    a, b = vec.fit_transform(train_x), vec.transform(test_x)
    present = (a > 0).astype(np.float64)
    names = np.unique(train_y)
    margins = np.zeros((b.shape[0], len(names)))
    for j, name in enumerate(names):
        y = (train_y == name).astype(int)
        scale = sp.identity(a.shape[1], format="csr")
        if MODES[mode]:
            p = alpha + np.asarray(present[y == 1].sum(0)).ravel()
            q = alpha + np.asarray(present[y == 0].sum(0)).ravel()
            scale = sp.diags(MODES[mode](np.log((p / p.sum()) / (q / q.sum()))))
        svm = LinearSVC(C=1.0, class_weight="balanced").fit(a @ scale, y)
        margins[:, j] = svm.decision_function(b @ scale)
    return names[margins.argmax(1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("task", choices=sorted(TASKS))
    ap.add_argument("--corpora", default=os.environ.get("TEXTCLASS_CORPORA",
                                                        os.path.join(HERE, "..", "..", "shared", "corpora")))
    args = ap.parse_args()
    if not os.path.isdir(args.corpora):
        sys.exit("nbsvm_study: corpora not found at %s (set TEXTCLASS_CORPORA)" % args.corpora)
    x, y = load(args.corpora, args.task)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(x, y))
    for mode in MODES:
        f1 = [f1_score(y[te], predict(list(x[tr]), y[tr], list(x[te]), mode), average="macro") for tr, te in folds]
        print("%s %-8s %.4f  folds %s" % (args.task, mode, np.mean(f1), " ".join("%.4f" % v for v in f1)), flush=True)


if __name__ == "__main__":
    main()
