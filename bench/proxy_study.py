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

5-fold stratified CV (seed 1, the same folds for every variant) on the task's training split
only; prints macro-F1 and each fold's. Labels as bench/peers has them (benchlib/corpora.py:
newsgroups keeps a cross-post's first group). docs/features.md ("Ideas tried on the proxy")
holds the figures.

    /usr/bin/python3 bench/proxy_study.py TASK [--variants plain,nb,nb-sqrt,stem] [--corpora DIR]

TASK: bbc, masakhanews_eng, newsgroups, news4 (newsgroups and news4 take 10-40 minutes).
"""
import argparse
import os
import re
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import corpora  # noqa: E402

VARIANTS = ["plain", "nb", "nb-sqrt", "stem", "title"]
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern


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
        svm = LinearSVC(C=1.0, class_weight="balanced").fit(a @ scale, y)
        margins[:, j] = svm.decision_function(b @ scale)
    return names[margins.argmax(1)]


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
        f1 = [f1_score(y[te], predict(list(x[tr]), y[tr], list(x[te]), v), average="macro") for tr, te in folds]
        print("%s %-8s %.4f  folds %s" % (args.task, v, np.mean(f1), " ".join("%.4f" % s for s in f1)), flush=True)


if __name__ == "__main__":
    main()
