#!/usr/bin/python3
"""models/label_rule_study.py: which label a story gets when no label reaches the threshold.

Step 7 of the news model's design study (models/README.md). 5-fold cross-validation of the
shipped recipe (models/Makefile's TRAIN_FLAGS, trained without --fallback) on the prepared
TRAIN set (models/prepare.lua); no test split is read. Each held-out article is labelled twice:
whole, and cut to its title and the first sentence of its body (a headline-and-lead item, as
news feeds and AG News carry). Both rules are applied to the same scores:

  fallback  every label with score >= t, best first; none: `other` (--fallback other)
  top       every label with score >= t, best first; none: the top-scoring label

    /usr/bin/python3 models/label_rule_study.py [--protocol cv|SOURCE] [--extra=FLAGS]
                                                [--by-source] [--newsgroups G1,G2,...]
                                                [--corpora DIR] [--textclass PATH]

--protocol SOURCE trains on the other sources and labels SOURCE's articles instead: another
publisher's news, as in step 3 (leave-source-out). --extra adds `train` flags to the recipe
(--extra="--stem english", --extra=--title-terms: step 8). --by-source trains each model on one
file per source, with `train --balance-inputs`: every source weighs the same in each label's
Platt fit (step 11; the documents and their order are the same). --newsgroups trains on those 20
Newsgroups groups as well (step 4); their held-out posts are scored in tables of their own.
About 10 seconds on 2 cores (30 with Usenet). Folds: articles grouped by their label set,
ordered by the MD5 of their id, dealt round-robin. Under each table, the quality of the scores
(every story and label, as models/score_calibration.py counts: Brier, log-loss, ECE, and the
pairs scored 0.9 or more).
"""
import argparse
import collections
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from benchlib.corpora import find_corpora  # noqa: E402

LABELS = ["politics", "sport", "cyber", "other"]
FOLDS = 5
THRESHOLDS = (0.3, 0.5)
# The shipped recipe without --short-features: steps 7-9 were measured on it, and
# length_rule_study.py applies the short-story rule to its scores itself.
RECIPE = ["--strip-boilerplate", "--multilabel", "--ngrams", "1,2", "--min-df", "3", "-C", "1",
          "--class-weight", "balanced", "--seed", "1", "--threads", "0"]


def headline_and_lead(text):
    """The title (the text's first paragraph) and the first sentence of the rest."""
    title, _, body = text.partition("\n\n")
    m = re.search(r"^(.*?[.!?])(\s|$)", body.strip(), re.S)
    lead = m.group(1) if m else body.strip()[:200]
    return (title + "\n\n" + lead).strip()


def assign_folds(docs, k=FOLDS):
    groups = collections.defaultdict(list)
    for d in docs:
        groups[tuple(d["labels"])].append(d)
    fold = {}
    for members in groups.values():
        members.sort(key=lambda d: hashlib.md5(d["id"].encode()).hexdigest())
        for i, d in enumerate(members):
            fold[d["id"]] = i % k
    return fold


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")


def read_test_split(path):
    """A corpus split's records, each with `labels` (its gold label set: `labels`, else `label`)."""
    with open(path, encoding="utf-8") as f:
        return [dict(d, labels=d.get("labels") or [d["label"]]) for d in map(json.loads, f)]


def source(d):
    return d["id"].rsplit("-", 1)[0]


def splits(docs, protocol):
    """(train, test) pairs: the CV folds, or one source held out.

    Usenet posts (--newsgroups) are folded like the news in CV, and always trained on when a
    source is held out; held_out_scores reports them apart from the news.
    """
    if protocol == "cv":
        fold = assign_folds(docs)
        return [([d for d in docs if fold[d["id"]] != k], [d for d in docs if fold[d["id"]] == k])
                for k in range(FOLDS)]
    return [([d for d in docs if source(d) != protocol], [d for d in docs if source(d) == protocol])]


def training_files(tmp, train, by_source):
    """train written as one JSONL file, or with by_source as one per source in order of first
    appearance (prepare.lua writes source after source, so the documents keep their order)."""
    if not by_source:
        write_jsonl(os.path.join(tmp, "train.jsonl"), train)
        return [os.path.join(tmp, "train.jsonl")]
    of_source = collections.defaultdict(list)
    for d in train:
        of_source[source(d)].append(d)
    for name, members in of_source.items():
        write_jsonl(os.path.join(tmp, "train-%s.jsonl" % name), members)
    return [os.path.join(tmp, "train-%s.jsonl" % name) for name in of_source]


def held_out_scores(textclass, tmp, docs, protocol, recipe, by_source=False):
    """{"whole": [(gold set, scores)], "cut": [...]} for the held-out articles; by_source: each
    model trained with --balance-inputs on one file per source."""
    got = {"whole": [], "cut": []}
    gold = {d["id"]: set(d["labels"]) for d in docs}
    usenet = {d["id"] for d in docs if source(d) == "newsgroups"}
    balance = ["--balance-inputs"] if by_source else []
    for train, test in splits(docs, protocol):
        model = os.path.join(tmp, "fold.model")
        subprocess.run([textclass, "train", "-q", "-o", model] + recipe + balance
                       + training_files(tmp, train, by_source), check=True)
        for kind, texts in (("whole", test), ("cut", [dict(d, text=headline_and_lead(d["text"])) for d in test])):
            path = os.path.join(tmp, kind + ".jsonl")
            write_jsonl(path, texts)
            out = subprocess.run([textclass, "label", "-q", "-o", "jsonl", "-m", model, path],
                                 check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                got[kind].append((gold[r["id"]], r["scores"], r["id"] in usenet))
    return got


def choose(scores, rule, t):
    passed = sorted((l for l in scores if scores[l] >= t), key=lambda l: -scores[l])
    if passed:
        return passed
    return ["other"] if rule == "fallback" else [max(scores, key=lambda l: scores[l])]


def measures(chosen_and_gold):
    """Accuracy, exact match, macro-F1 and {label: F1} of (chosen labels, gold set) pairs."""
    right = exact = 0
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    for chosen, gold in chosen_and_gold:
        right += chosen[0] in gold
        exact += set(chosen) == gold
        for l in LABELS:
            tp[l] += l in chosen and l in gold
            fp[l] += l in chosen and l not in gold
            fn[l] += l not in chosen and l in gold
    f1 = {l: 2 * tp[l] / max(1, 2 * tp[l] + fp[l] + fn[l]) for l in LABELS}
    n = len(chosen_and_gold)
    return right / n, exact / n, sum(f1.values()) / len(LABELS), f1


def row(results, rule, t):
    none = sum(not any(s >= t for s in scores.values()) for _, scores, _ in results)
    accuracy, exact, macro_f1, f1 = measures([(choose(scores, rule, t), gold) for gold, scores, _ in results])
    return [rule, "%.1f" % t, "%.4f" % accuracy, "%.4f" % exact, "%.4f" % macro_f1,
            "%d" % none] + ["%.3f" % f1[l] for l in LABELS]


def score_quality(results):
    """Every (story, label) pair's score against its gold, as score_calibration.py counts."""
    from score_calibration import measures as score_measures  # it imports this module
    brier, logloss, ece, top, mean, share = score_measures([s for _, s, _ in results],
                                                           [g for g, _, _ in results])
    return ("Brier %.4f, log-loss %.3f, ECE %.3f; scored >= 0.9: %d pairs, mean %.3f, %.3f gold"
            % (brier, logloss, ece, top, mean, share))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora")
    ap.add_argument("--protocol", default="cv",
                    help="cv (5 folds), or a source to hold out: masakhanews_eng, bbc, cyber")
    ap.add_argument("--extra", default="", help="more train flags for the recipe, e.g. '--stem english'")
    ap.add_argument("--by-source", action="store_true",
                    help="one training file per source, weighed alike in calibration (--balance-inputs)")
    ap.add_argument("--newsgroups", help="20 Newsgroups groups to train on as well (prepare.lua --newsgroups)")
    ap.add_argument("--textclass", default=os.path.join(HERE, "..", "bin", "textclass"))
    args = ap.parse_args()
    cdir = find_corpora(args.corpora)
    if not cdir:
        sys.exit("label_rule_study: no corpora (give --corpora or set TEXTCLASS_CORPORA)")
    with tempfile.TemporaryDirectory() as tmp:
        prepared = os.path.join(tmp, "prepared.jsonl")
        subprocess.run(["lua5.4", os.path.join(HERE, "prepare.lua"), cdir, os.path.join(HERE, "relabel.tsv"),
                        prepared] + (["--newsgroups", args.newsgroups] if args.newsgroups else []),
                       check=True)
        with open(prepared, encoding="utf-8") as f:
            docs = [json.loads(line) for line in f]
        got = held_out_scores(args.textclass, tmp, docs, args.protocol, RECIPE + shlex.split(args.extra),
                              args.by_source)
    head = ["rule", "t", "accuracy", "exact match", "macro-F1", "none passes"] + ["F1 " + l for l in LABELS]
    what = "5-fold CV" if args.protocol == "cv" else "%s held out, trained on the rest" % args.protocol
    if args.extra:
        what += ", recipe + " + args.extra
    if args.by_source:
        what += ", sources weighed alike in calibration"
    if args.newsgroups:
        what += ", trained with Usenet's " + args.newsgroups
    for kind, title in (("whole", "whole held-out articles"), ("cut", "cut to title + first sentence")):
        for posts, whose in ((False, ""), (True, "Usenet posts ")):
            results = [r for r in got[kind] if r[2] == posts]
            if not results:
                continue
            print("\n%s, %s%s (%d):\n" % (what, whose, title, len(results)))
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
            for rule in ("fallback", "top"):
                for t in THRESHOLDS:
                    print("| " + " | ".join(row(results, rule, t)) + " |")
            print("\nscores: " + score_quality(results))


if __name__ == "__main__":
    main()
