#!/usr/bin/python3
"""The scikit-learn work of the benchmark, run as child processes so each is timed and its
peak memory measured like any other tool's command.

    skjobs.py sk-train  TRAIN.jsonl MODEL.pkl        TF-IDF + LinearSVC, pickled
    skjobs.py sk-train-cv TRAIN.jsonl MODEL.pkl REPORT.json
                                                      the same with C chosen by 3-fold CV on
                                                      TRAIN (macro-F1); the search in REPORT
    skjobs.py sk-label  MODEL.pkl INPUT.jsonl         labels, one per line, on stdout
    skjobs.py vec-fit   TRAIN.jsonl VEC.pkl OUT.svm LABELS.txt
                                                      fit the TF-IDF vectoriser, write svmlight
                                                      (label k = line k of LABELS.txt, from 1)
    skjobs.py vec-apply VEC.pkl INPUT.jsonl OUT.svm   vectorise texts for liblinear/svm-predict

INPUT/TRAIN files are JSONL with a "text" field (and "label" for training). The settings are
the issue's: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC() with its
defaults (C=1, squared hinge), random_state fixed for repeatable runs.
"""
import json
import pickle
import sys


def read_jsonl(path, want_labels):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                texts.append(rec["text"])
                if want_labels:
                    labels.append(rec["label"])
    return texts, labels


def vectoriser():
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)


def sk_train(train, model):
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC
    texts, labels = read_jsonl(train, True)
    pipe = make_pipeline(vectoriser(), LinearSVC(random_state=0))
    pipe.fit(texts, labels)
    with open(model, "wb") as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)


# The C values searched: LinearSVC's default in the middle, a decade each way in half-decades.
CV_C = (0.1, 0.3, 1.0, 3.0, 10.0)
CV_FOLDS = 3


def sk_train_cv(train, model, report):
    """C by CV on the training split only: per fold the vectoriser is fitted on the fold's
    training part (as the pipeline would be), then LinearSVC for each C; the C of the best
    mean macro-F1 wins (a tie goes to the C nearer the default, 1). The pipeline is then
    refitted on all of TRAIN with it; REPORT gets the search and the refit's own time."""
    import math
    import time
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC
    start = time.monotonic()
    texts, labels = read_jsonl(train, True)
    scores = {c: [] for c in CV_C}
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=0)
    for fit_at, held_at in folds.split(texts, labels):
        v = vectoriser()
        X = v.fit_transform([texts[i] for i in fit_at])
        H = v.transform([texts[i] for i in held_at])
        y, gold = [labels[i] for i in fit_at], [labels[i] for i in held_at]
        for c in CV_C:
            pred = LinearSVC(C=c, random_state=0).fit(X, y).predict(H)
            scores[c].append(f1_score(gold, pred, average="macro"))
    mean = {c: sum(v) / len(v) for c, v in scores.items()}
    best = min(CV_C, key=lambda c: (-mean[c], abs(math.log(c))))
    search_s = time.monotonic() - start
    pipe = make_pipeline(vectoriser(), LinearSVC(C=best, random_state=0))
    pipe.fit(texts, labels)
    with open(model, "wb") as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"C": best, "cv_macro_f1": {str(c): mean[c] for c in CV_C}, "folds": CV_FOLDS,
                   "search_s": search_s, "refit_s": time.monotonic() - start - search_s}, f)


def sk_label(model, inp):
    with open(model, "rb") as f:
        pipe = pickle.load(f)
    texts, _ = read_jsonl(inp, False)
    out = sys.stdout
    for label in pipe.predict(texts):
        out.write(label + "\n")


def dump(X, y, out):
    from sklearn.datasets import dump_svmlight_file
    X.sort_indices()
    dump_svmlight_file(X, y, out, zero_based=False)


def vec_fit(train, vec, out, labels_out):
    texts, labels = read_jsonl(train, True)
    names = sorted(set(labels))
    index = {name: i + 1 for i, name in enumerate(names)}
    v = vectoriser()
    X = v.fit_transform(texts)
    dump(X, [index[lab] for lab in labels], out)
    with open(vec, "wb") as f:
        pickle.dump(v, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(labels_out, "w", encoding="utf-8") as f:
        f.write("".join(n + "\n" for n in names))


def vec_apply(vec, inp, out):
    with open(vec, "rb") as f:
        v = pickle.load(f)
    texts, _ = read_jsonl(inp, False)
    X = v.transform(texts)
    dump(X, [0] * X.shape[0], out)


JOBS = {"sk-train": (sk_train, 2), "sk-train-cv": (sk_train_cv, 3), "sk-label": (sk_label, 2),
        "vec-fit": (vec_fit, 4), "vec-apply": (vec_apply, 3)}


def main(argv):
    if len(argv) < 2 or argv[1] not in JOBS or len(argv) - 2 != JOBS[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    JOBS[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
