"""bench/peers --self-test: checks of the parts the tables rest on, without the corpora.

Untimed by design: nothing here asserts a speed. Ends with "N passed, N failed".
"""
import os
import random
import re
import tempfile

from . import convert, measure, report, systems
from .corpora import Doc
from .metrics import evaluate, mcnemar_p, paired_difference

RESULTS = [0, 0]


def check(cond, what):
    RESULTS[0 if cond else 1] += 1
    if not cond:
        print("FAIL: " + what)


def close(a, b):
    return abs(a - b) < 1e-12


def test_evaluate_by_hand():
    e = evaluate(["a", "a", "b", "c"], ["a", "b", "b", None])
    check(close(e["accuracy"], 0.5), "accuracy of 2 right out of 4")
    check(close(e["per_label"]["a"]["f1"], 2 / 3), "F1 of a: precision 1, recall 1/2")
    check(close(e["per_label"]["b"]["f1"], 2 / 3), "F1 of b: precision 1/2, recall 1")
    check(e["per_label"]["c"]["f1"] == 0.0 and e["per_label"]["c"]["support"] == 1,
          "c never predicted: F1 0, support 1")
    check("(none)" in e["per_label"], "a missing prediction counts as a label of its own")
    check(close(e["macro_f1"], (2 / 3 + 2 / 3) / 4), "macro-F1 over gold and predicted labels")
    perfect = evaluate(["x", "y"], ["x", "y"])
    check(perfect["accuracy"] == 1.0 and perfect["macro_f1"] == 1.0, "perfect predictions")
    for bad in ((["a"], []), ([], [])):
        try:
            evaluate(*bad)
            check(False, "evaluate(%r) must raise" % (bad,))
        except ValueError:
            check(True, "")


def test_evaluate_against_sklearn():
    try:
        from sklearn.metrics import accuracy_score, f1_score
    except ImportError:
        print("skip: sklearn missing, evaluate not compared with it")
        return
    rng = random.Random(7)
    worst = 0.0
    for _ in range(200):
        n = rng.randint(1, 40)
        labels = ["l%d" % i for i in range(rng.randint(1, 6))]
        gold = [rng.choice(labels) for _ in range(n)]
        pred = [rng.choice(labels + ["other"]) for _ in range(n)]
        e = evaluate(gold, pred)
        worst = max(worst, abs(e["macro_f1"] - f1_score(gold, pred, average="macro",
                                                        zero_division=0)),
                    abs(e["accuracy"] - accuracy_score(gold, pred)))
    check(worst < 1e-12, "evaluate agrees with scikit-learn on 200 random cases (off by %g)" % worst)


def test_convert():
    check(convert.fasttext_text("Hello, World!\n\nIt's (new)") == "hello , world ! it ' s ( new )",
          "fastText text: lowercased, punctuation split, one line")
    check(convert.fasttext_label("rec.sport hockey") == "__label__rec.sport_hockey",
          "fastText label without whitespace")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.txt")
        convert.write_fasttext(p, [Doc("1", "A\nb", "x", "s"), Doc("2", "", "y", "s")], True)
        with open(p, encoding="utf-8") as f:
            lines = f.read().split("\n")
        check(lines == ["__label__x a b", "__label__y ", ""], "one line per document, even empty")
        p = os.path.join(d, "t.jsonl")
        convert.write_jsonl(p, [Doc("1", "é\n\"q\"", "x", "s")], False)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        check(text.count("\n") == 1 and '"label"' not in text and "é" in text,
              "JSONL: one line, UTF-8 kept, no label when not asked")


def test_workspace_and_parse():
    with tempfile.TemporaryDirectory() as d:
        test = [Doc(str(i), "x" * 1000, "a", "s") for i in range(3)]
        ws = systems.Workspace(d, "t", test, test, 0.01)
        check(ws.copies == 4 and ws.full_docs == 12 and ws.full_bytes == 12000,
              "test split repeated up to --min-mb (3 kB -> x4 for 10 kB)")
        out = os.path.join(d, "o.tsv")
        with open(out, "w") as f:
            f.write("id\tlabel\tlabels\n1\tsport\tsport\n2\n3\tother\n")
        check(systems.Textclass("/nonexistent").parse(out) == ["sport", None, "other"],
              "textclass TSV: header skipped, a short line is a missing label, not a shift")


def test_rates():
    with tempfile.TemporaryDirectory() as d:
        docs = [Doc(str(i), "x" * 1000, "a", "s") for i in range(10)]
        ws = systems.Workspace(d, "t", docs, docs, 0.001)

        class S(systems.System):
            name = "s"
        preds = ["a"] * ws.full_docs
        r = systems.row(S(), ws, preds, 1.0, 1.0, 1.0, 3.0, 1, 1)
        check(abs(r["rate1"][0] - 5.0) < 1e-9 and r["rate1"][2], "rate excludes start-up")
        r = systems.row(S(), ws, preds, 1.0, 1.0, 1.0, 1.1, 1, 1)
        check(r["rate1"][2] is False and abs(r["rate1"][0] - 10 / 1.1) < 1e-9,
              "start-up-dominated run: whole-run rate, flagged as a lower bound")
        check(report.rate_ratio((10, 1, True), (5, 1, False)) == "≤2.00",
              "ratio against a lower bound is an upper bound")
        r = systems.row(S(), ws, ["a"] * 3, 1.0, 1.0, 1.0, 3.0, 1, 1)
        check(r["eval"]["accuracy"] == 0.3 and "3 labels for 10 docs" in r["note"],
              "missing labels are scored wrong and noted")


def test_unseen_topics():
    with tempfile.TemporaryDirectory() as d:
        train = [Doc("t1", "x", "other", "seen", "other")]
        test = ([Doc("a%d" % i, "x" * 1000, "other", "seen", "other") for i in range(2)] +
                [Doc("w%d" % i, "x" * 1000, "other", "ag", "World") for i in range(4)] +
                [Doc("s%d" % i, "x" * 1000, "sport", "ag", "Sports") for i in range(2)])
        ws = systems.Workspace(d, "t", train, test, 0.001)

        class S(systems.System):
            name = "s"
        preds = ["other", "other", "politics", "politics", "other", "sport", "sport", "sport"]
        r = systems.row(S(), ws, preds * ws.copies, 1.0, 1.0, 1.0, 3.0, 1, 1)
        check(r["by_topic"] == {"ag World -> other": {"politics": 2, "other": 1, "sport": 1},
                                "ag Sports -> sport": {"sport": 2}},
              "by topic: only the test source without a training split, by its own topic")
        r["predictor"] = r["system"] = "s"
        t = report.by_topic_table([r])
        check("ag World -> other (4)" in t and "0.250, politics 0.500" in t and
              "ag Sports -> sport (2)" in t and " 1.000 |" in t,
              "by-topic table: accuracy, then the most frequent other label and its share")
        r["by_topic"] = {}
        check(report.by_topic_table([r]) == "", "no such source: no table")


def test_paired_difference():
    check(mcnemar_p(9, 6) == 2 * 9949 / 2 ** 15, "McNemar p of a 9/6 split, by hand: "
          "2 * (C(15,0) + ... + C(15,6)) / 2^15")
    check(mcnemar_p(0, 0) == 1.0 and mcnemar_p(3, 3) == 1.0, "no or an even split: p 1")
    check(0 < mcnemar_p(3000, 2800) < 0.02, "a large split: exact, no float overflow")
    rng = random.Random(11)
    worst = 0.0
    for _ in range(50):
        n = rng.randint(1, 30)
        gold = [rng.choice("abc") for _ in range(n)]
        a = [rng.choice("abcd") for _ in range(n)]
        b = [rng.choice(["a", "b", None]) for _ in range(n)]
        d = paired_difference(gold, a, b, rounds=200)
        worst = max(worst, abs(d["diff"] - (evaluate(gold, a)["macro_f1"] -
                                            evaluate(gold, b)["macro_f1"])))
        check(d["lo"] <= d["hi"], "interval in order")
    check(worst < 1e-12, "the difference is evaluate()'s macro-F1 difference (worst %g)" % worst)
    gold = [rng.choice("abc") for _ in range(300)]
    same = paired_difference(gold, gold[:1] + gold[1:], gold)
    check(same["diff"] == same["lo"] == same["hi"] == 0 and same["p"] == 1.0,
          "identical labels: no difference, p 1")
    half = [g if i % 2 else "c" for i, g in enumerate(gold)]
    better = paired_difference(gold, gold, half)
    check(better["lo"] > 0 and better["only_b"] == 0 and better["p"] < 1e-6,
          "right everywhere against half wrong: the whole interval above 0")
    rows = [{"system": "textclass", "pred": gold}, {"system": "peer", "pred": half},
            {"system": "failed peer", "failed": "x"}]
    t = report.difference_table(rows, gold)
    check(t.count("\n") == 2 and "| peer " in t and " %d | " % better["only_a"] in t,
          "difference table: one row per peer that labelled, its discordant counts")
    check(report.difference_table(rows[1:], gold) == "", "no textclass labels: no table")
    rows.insert(1, {"system": "textclass --grid", "pred": half})
    t = report.difference_table(rows, gold)
    check(t.count("\n") == 3 and "| textclass --grid " in t, "textclass's table: --grid is a row")
    t = report.difference_table(rows, gold, "textclass --grid")
    check(t.count("\n") == 2 and "| peer " in t and "| textclass " not in t and
          "macro-F1 textclass --grid - peer" in t and " %d | " % better["only_b"] in t,
          "--grid's table: the peers' rows only")
    check(report.difference_table(rows[:2], gold, "textclass --grid") == "",
          "--grid's table without a peer: no table (not a header alone)")


def test_measure():
    r = measure.run(["true"])
    check(r.wall >= 0 and r.rss_mb >= 0, "measure.run returns wall and RSS")
    try:
        measure.run(["false"])
        check(False, "a failing command must raise")
    except measure.CommandFailed:
        check(True, "")


def test_tables():
    t = report.table(["a", "bb"], [["xxx", "1"], ["y", "22.5"]])
    lines = t.split("\n")
    check(len(set(len(line) for line in lines)) == 1 and len(lines) == 4,
          "table rows padded to one width")
    check(report.ratio(2.0, 4.0) == "0.50" and report.ratio(1, None) == "—" and
          report.ratio(1, 0) == "—", "ratios, and no division by zero")
    check(report.sig(1234.5) == "1234" and report.sig(0.01234) == "0.012", "significant figures")


def test_median_training():
    check(systems.median_index([0.97, 0.96, 0.99, 0.98, 0.95]) == 0, "the median of five scores")
    check(systems.median_index([0.9, 0.8, 0.7, 0.6]) == 2, "of an even count the lower middle")
    check(systems.median_index([0.5, 0.5, 0.5]) == 1, "equal scores: the middle of their order")
    check(systems.median_index([0.7]) == 0, "one training is its own median")
    ova = [s for s in systems.all_systems(fasttext_trainings=3) if s.name == "fastText ova"][0]
    auto = [s for s in systems.all_systems(fasttext_trainings=3) if s.name == "fastText autotune"][0]
    check(ova.trainings == 3 and "trained 3 times" in ova.settings, "fastText rows trained N times")
    check(auto.trainings == 1, "autotune trained once")


def test_paired_script():
    """bench/paired on a saved run of a made-up bbc task: gold from the corpora folder given,
    one row per other system, usage errors for what the run does not have."""
    import contextlib
    import importlib.machinery
    import importlib.util
    import io
    import json
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    loader = importlib.machinery.SourceFileLoader("paired", os.path.join(here, "paired"))
    paired = importlib.util.module_from_spec(importlib.util.spec_from_loader("paired", loader))
    loader.exec_module(paired)
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "bbc"))
        open(os.path.join(tmp, "README.md"), "w").close()
        gold = ["sport", "tech", "sport", "politics"]
        for split, labels in (("train", gold[:1]), ("test", gold)):
            with open(os.path.join(tmp, "bbc", split + ".jsonl"), "w") as f:
                for i, lab in enumerate(labels):
                    f.write(json.dumps({"id": str(i), "text": "t", "label": "other",
                                        "orig_label": lab}) + "\n")
        run = os.path.join(tmp, "run.json")
        with open(run, "w") as f:
            json.dump({"tasks": [{"task": "bbc", "rows": [
                {"system": "textclass --grid", "pred": gold},
                {"system": "textclass", "pred": ["sport", "sport", "sport", "politics"]},
                {"system": "peer", "pred": ["tech", "tech", "tech", "tech"]},
                {"system": "failed peer", "failed": "x"}]}]}, f)

        def call(*argv):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                try:
                    rc = paired.main(list(argv) + ["--corpora", tmp])
                except SystemExit as e:
                    rc = e.code
            return rc, out.getvalue()
        rc, out = call(run, "bbc", "textclass --grid")
        peer_row = re.search(r"\| peer +\|[^|]+\|[^|]+\| +(\d+) \| +(\d+) \|", out)
        check(rc == 0 and out.count("\n") == 4 and "| textclass " in out and peer_row and
              peer_row.groups() == ("3", "0"), "bench/paired: a row per other system, its counts")
        rc, out = call(run, "bbc", "textclass --grid", "peer")
        check(rc == 0 and out.count("\n") == 3 and "| textclass " not in out, "bench/paired: the rows asked for")
        check(call(run, "bbc", "nobody")[0] == 2 and call(run, "agnews", "peer")[0] == 2,
              "bench/paired: an unknown system or task is a usage error")


def main():
    for t in (test_evaluate_by_hand, test_evaluate_against_sklearn, test_convert,
              test_workspace_and_parse, test_rates, test_unseen_topics, test_paired_difference,
              test_measure, test_tables, test_median_training, test_paired_script):
        t()
    print("bench/peers self-test: %d passed, %d failed" % tuple(RESULTS))
    return 1 if RESULTS[1] else 0
