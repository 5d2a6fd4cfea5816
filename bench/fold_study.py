#!/usr/bin/python3
"""bench/fold_study.py: how a system's macro-F1 moves with its training data, one task.

Where two systems rank one way in cross-validation on a training split and the other way on
the test split, this tells the cases apart: a chance split of the test documents, or a system
that gains more than the other from the last fifth of the training data. For each system
(bench/peers rows, run exactly as bench/peers runs them: the same seeded shuffle of the
training documents, the same conversion and commands):

  cv          5-fold stratified CV on the training split (seed 1, the same folds for every
              system): each fold's model, trained on the other 4/5, labels the held-out 1/5
  4/5 -> test the same five models label the task's test split as well
  all -> test the whole training split -> the test split, trained --whole times (fastText's
              two-thread training gives a different model each time; textclass's is repeatable)

Each figure is macro-F1 as bench/peers counts it (benchlib/metrics.py), with the mean of the
folds and the median of the whole trainings. Rates and times are not measured here.

    /usr/bin/python3 bench/fold_study.py bbc --systems "textclass,fastText ova" [--whole 5]

Exit status: 0 when every run worked, 1 when one failed, 2 on usage errors, 77 when the
corpora are missing.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import corpora, measure, systems  # noqa: E402
from benchlib.metrics import evaluate  # noqa: E402

FOLDS, FOLD_SEED = 5, 1


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/fold_study.py", description=__doc__.split("\n\n")[0])
    p.add_argument("task", choices=corpora.TASK_ORDER)
    p.add_argument("--systems", default="textclass,fastText ova",
                   help="bench/peers row names, comma-separated (default: %(default)s)")
    p.add_argument("--whole", type=int, default=5,
                   help="trainings on the whole training split (default %(default)s)")
    p.add_argument("--corpora", help="default: $TEXTCLASS_CORPORA, else ../shared/corpora")
    a = p.parse_args(argv)
    if a.whole < 1:
        p.error("--whole must be >= 1")
    every = {s.name.lower(): s for s in systems.all_systems(fasttext_trainings=1)}
    names = [n.strip().lower() for n in a.systems.split(",") if n.strip()]
    unknown = [n for n in names if n not in every]
    if unknown or not names:
        p.error("unknown system %r (have: %s)" % (unknown[0] if unknown else "",
                                                   ", ".join(s for s in every)))
    a.systems = [every[n] for n in names]
    return a


def folds(labels):
    from sklearn.model_selection import StratifiedKFold
    split = StratifiedKFold(FOLDS, shuffle=True, random_state=FOLD_SEED)
    return [(list(tr), list(te)) for tr, te in split.split(labels, labels)]


def labels_of(system, tmp, name, train, test):
    """The labels system gives the documents of test after training on train (one bench/peers
    run of it, with the test side given once: min_mb that small means one copy)."""
    ws = systems.Workspace(tmp, name, train, test, 1e-9)
    row = system.run(ws, 1)[0]
    return row["pred"]


def macro_f1(docs, preds):
    return evaluate([d.label for d in docs], preds)["macro_f1"]


def study(system, tmp, train, test, whole):
    """{"cv": [...], "fold_test": [...], "whole": [...]}: macro-F1 per fold and training."""
    out = {"cv": [], "fold_test": [], "whole": []}
    for k, (tr, te) in enumerate(folds([d.label for d in train])):
        held = [train[i] for i in te]
        preds = labels_of(system, tmp, "fold%d" % k, [train[i] for i in tr], held + test)
        out["cv"].append(macro_f1(held, preds[:len(held)]))
        out["fold_test"].append(macro_f1(test, preds[len(held):]))
    for k in range(whole):
        out["whole"].append(macro_f1(test, labels_of(system, tmp, "whole%d" % k, train, test)))
    return out


def main(argv):
    args = parse_args(argv)
    root = corpora.find_corpora(args.corpora)
    if not root:
        print(corpora.missing_note("bench/fold_study.py"), file=sys.stderr)
        return 77
    desc, train, test = corpora.load_task(root, args.task)
    print("%s: %s; train %d docs, test %d docs; %d folds (seed %d)" %
          (args.task, desc, len(train), len(test), FOLDS, FOLD_SEED), flush=True)
    failed = False
    for s in args.systems:
        why = s.available()
        if why:
            print("%-14s %s" % (s.name, why))
            failed = True
            continue
        tmp = tempfile.mkdtemp(prefix="textclass-folds-")
        try:
            r = study(s, tmp, train, test, args.whole)
        except (measure.CommandFailed, RuntimeError, OSError, ValueError) as e:
            print("%-14s FAILED: %s" % (s.name, e))
            failed = True
            continue
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for key, what, centre in (("cv", "cv (held-out fifth)", statistics.mean),
                                  ("fold_test", "4/5 -> test", statistics.mean),
                                  ("whole", "all -> test", statistics.median)):
            print("%-14s %-20s %.4f  (%s: %s)" %
                  (s.name, what, centre(r[key]), "mean" if centre is statistics.mean else "median",
                   " ".join("%.4f" % f for f in r[key])), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
