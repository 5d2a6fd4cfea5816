#!/usr/bin/python3
"""models/score_calibration.py: how well a model's scores read as probabilities, against another's.

For the short-story rule (models/README.md, design study step 9): it moves a short story's
log-odds away from the empty text's, so its labels change, and so do its scores. This scores
TEST splits whole and cut to title + first sentence (as label_rule_study.py cuts them) with
two models, and prints, over every (story, label) pair, a label's score s against whether the
label is gold (y):

  brier    mean (s - y)^2
  logloss  mean -log(s) for gold labels, -log(1 - s) for the others (s clipped to 1e-12)
  ECE      over ten bins of s, the pair-weighted mean |mean s - share gold|
  top bin  the pairs scored >= 0.9: how many, their mean score, and the share that are gold

Nothing is chosen from these figures; they describe what the rule does to the scores.

    /usr/bin/python3 models/score_calibration.py BEFORE.model AFTER.model [SPLIT ...]
                                                 [--corpora DIR] [--textclass PATH]

SPLIT defaults to bbc masakhanews_eng agnews. A minute on 2 cores.
"""
import argparse
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from benchlib.corpora import find_corpora  # noqa: E402
from label_rule_study import LABELS, headline_and_lead, read_test_split  # noqa: E402

BINS = 10


def read_split(corpora, split):
    records = read_test_split(os.path.join(corpora, split, "test.jsonl"))
    return [r["text"] for r in records], [set(r["labels"]) for r in records]


def scores(textclass, model, texts):
    lines = "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts))
    out = subprocess.run([textclass, "label", "-q", "-m", model, "-i", "jsonl", "-o", "jsonl"],
                         input=lines.encode(), capture_output=True, check=True).stdout.decode()
    results = [json.loads(line) for line in out.splitlines()]
    if len(results) != len(texts) or any(r.get("error") for r in results):
        sys.exit("score_calibration: %s did not score every text" % model)
    return [r["scores"] for r in results]


def measures(all_scores, gold):
    brier = logloss = 0.0
    pairs = 0
    bins = [[0, 0.0, 0] for _ in range(BINS)]  # pairs, sum of scores, gold pairs
    for s, g in zip(all_scores, gold):
        for label in LABELS:
            p, y = s[label], 1 if label in g else 0
            brier += (p - y) ** 2
            logloss -= math.log(max(1e-12, p if y else 1 - p))
            b = bins[min(BINS - 1, int(p * BINS))]
            b[0] += 1
            b[1] += p
            b[2] += y
            pairs += 1
    ece = sum(abs(b[1] - b[2]) for b in bins) / pairs
    top = bins[BINS - 1]
    return brier / pairs, logloss / pairs, ece, top[0], top[1] / max(1, top[0]), top[2] / max(1, top[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("splits", nargs="*", default=["bbc", "masakhanews_eng", "agnews"])
    ap.add_argument("--corpora")
    ap.add_argument("--textclass", default=os.path.join(HERE, "..", "bin", "textclass"))
    args = ap.parse_args()
    corpora = find_corpora(args.corpora)
    if not corpora:
        sys.exit("score_calibration: no corpora (--corpora, $TEXTCLASS_CORPORA or ../shared/corpora)")
    print("| test split | text | model | Brier | log-loss | ECE | scores >= 0.9: pairs, mean, gold |")
    print("|---|---|---|---:|---:|---:|---|")
    for split in args.splits:
        texts, gold = read_split(corpora, split)
        for form, docs in (("whole", texts), ("cut", [headline_and_lead(t) for t in texts])):
            for name, model in (("before", args.before), ("after", args.after)):
                b, ll, ece, n, mean, share = measures(scores(args.textclass, model, docs), gold)
                print("| %s | %s | %s | %.4f | %.4f | %.4f | %d, %.3f, %.3f |"
                      % (split, form, name, b, ll, ece, n, mean, share))


if __name__ == "__main__":
    main()
