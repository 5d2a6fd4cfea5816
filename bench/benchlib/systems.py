"""The systems compared, each behind one interface, and the task workspace they share.

A System trains on a task's training split and labels two inputs: one document (its
"load time": process start, model load, one label out) and the full input (the test split,
repeated until it holds at least --min-mb of raw text, so a fast tool is timed over more than
its start-up). Predictions of the first copy are scored; throughput is
docs / (full wall - one-document wall), i.e. start-up is excluded from throughput and
reported as load time instead. Tools that read pre-computed svmlight features report two
rows: the tool alone, and end-to-end (raw text in, labels out) including the scikit-learn
vectorisation that feeds them.
"""
import json
import os
import random
import statistics
import subprocess

from . import convert, measure
from .metrics import evaluate

HERE = os.path.dirname(os.path.abspath(__file__))
SKJOBS = ["/usr/bin/python3", os.path.join(HERE, "skjobs.py")]
REPO = os.path.dirname(os.path.dirname(HERE))
LOAD_REPEATS = 3
# The throughput run (the test split repeated to --min-mb) is also the median of 3 when it
# takes under FULL_ONCE_OVER seconds: for the fast tools it lasts about a second, and on a
# shared VM one such run moved by 20-30 % between two benchmark runs (fastText ova on news4:
# 13.8k and 17.1k docs/s).
FULL_REPEATS = 3
FULL_ONCE_OVER = 3.0
SHUFFLE_SEED = 20251125
# fastText trains on two threads (see its settings note), and two threads make each training
# of the same data and settings a different model: on `bbc` thirteen trainings of the ova settings
# gave 0.983-0.988 test macro-F1. One training is one draw; the row is the median of this many
# (--fasttext-trainings; each more costs a task's fastText training time again).
FASTTEXT_TRAININGS = 3


class Workspace:
    """A task's files in the temp dir, written once and shared by every system."""

    def __init__(self, tmp, name, train, test, min_mb):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        # The corpora list documents grouped by label. SGD learners (fastText) trained in that
        # order end up predicting the last labels seen, so every system gets the same seeded
        # shuffle of the training split, as one would prepare data for any learner.
        train = list(train)
        random.Random(SHUFFLE_SEED).shuffle(train)
        self.train, self.test = train, test
        self.gold = [d.label for d in test]
        test_bytes = sum(len(d.text.encode("utf-8")) for d in test)
        self.copies = max(1, -(-int(min_mb * 1e6) // max(test_bytes, 1)))
        self.full = test * self.copies
        self.full_docs = len(self.full)
        self.full_bytes = test_bytes * self.copies
        self.inputs = {"one": test[:1], "full": self.full, "test": test}
        self._cache = {}

    def path(self, name):
        return os.path.join(self.dir, name)

    def jsonl(self, which):
        """JSONL of 'train' (with labels), 'one' or 'full'."""
        p = self.path(which + ".jsonl")
        if p not in self._cache:
            docs = self.train if which == "train" else self.inputs[which]
            convert.write_jsonl(p, docs, which == "train")
            self._cache[p] = True
        return p

    def sources(self):
        """The training split's sources (corpora), in order of first appearance."""
        return list(dict.fromkeys(d.source for d in self.train))

    def jsonl_by_source(self):
        """The training split as one JSONL file per source, in the order of sources()."""
        paths = []
        for src in self.sources():
            p = self.path("train-%s.jsonl" % src)
            if p not in self._cache:
                convert.write_jsonl(p, [d for d in self.train if d.source == src], True)
                self._cache[p] = True
            paths.append(p)
        return paths

    def fasttext(self, which):
        p = self.path(which + ".ft.txt")
        if p not in self._cache:
            docs = self.train if which == "train" else self.inputs[which]
            convert.write_fasttext(p, docs, which == "train")
            self._cache[p] = True
        return p

    def svm_train(self):
        """(train.svm, vec.pkl, labels.txt, Run of the vectorisation), made once per task."""
        key = "svm_train"
        if key not in self._cache:
            files = [self.path(n) for n in ("vec.pkl", "train.svm", "labels.txt")]
            r = measure.run(SKJOBS + ["vec-fit", self.jsonl("train"), files[0], files[1], files[2]])
            with open(files[2], encoding="utf-8") as f:
                names = [line.rstrip("\n") for line in f]
            self._cache[key] = (files[1], files[0], names, r)
        return self._cache[key]

    def svm_test(self, which):
        """(svmlight file of input `which`, Run of vectorising it: median of runs for 'one')."""
        key = "svm_" + which
        if key not in self._cache:
            _, vec, _, _ = self.svm_train()
            out = self.path(which + ".svm")
            cmd = SKJOBS + ["vec-apply", vec, self.jsonl(which), out]
            r = best_of(lambda: measure.run(cmd), LOAD_REPEATS if which == "one" else 1)
            self._cache[key] = (out, r)
        return self._cache[key]


def best_of(fn, n, first=None, once_over=1.0):
    """The Run with the median wall time of n calls, `first` being one already made.

    A call over `once_over` seconds is not repeated: its noise is small beside it, and
    reloading a 400 MB model three times would double a task's run time.
    """
    runs = [first or fn()]
    if runs[0].wall < once_over:
        runs += [fn() for _ in range(n - 1)]
    runs.sort(key=lambda r: r.wall)
    return runs[len(runs) // 2]


def median_index(scores):
    """The index of the median of scores: of an even count the lower middle one, and of equal
    scores the earliest."""
    order = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    return order[(len(order) - 1) // 2]


def file_mb(*paths):
    return sum(os.path.getsize(p) for p in paths) / 1e6


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.rstrip("\n") for line in f]


def row(system, ws, preds, train_s, model_mb, load, full, rss_train, rss_label,
        threads_full=None, variant=None, note=""):
    """One table row. load and full are walls in seconds; threads_full is the all-threads wall
    (None: the tool labels on one thread only)."""
    scored = preds[:len(ws.gold)]
    if len(preds) != ws.full_docs:
        note = (note + "; " if note else "") + "%d labels for %d docs" % (len(preds), ws.full_docs)
        scored = (preds + [None] * len(ws.gold))[:len(ws.gold)]

    by_source = {}
    for d, p in zip(ws.test, scored):
        c = by_source.setdefault(d.source, [0, 0])
        c[0] += p == d.label
        c[1] += 1

    # A test source with no training split in the task (AG News in news4) is labelled by
    # another outlet's definitions: its documents by their own topic show where they differ.
    seen = set(d.source for d in ws.train)
    by_topic = {}
    for d, p in zip(ws.test, scored):
        if d.source in seen:
            continue
        t = by_topic.setdefault("%s %s -> %s" % (d.source, d.orig, d.label), {})
        t[p] = t.get(p, 0) + 1

    def rate(wall):
        """(docs/s, MB/s, exact). When start-up is most of the run (a 350 MB LIBLINEAR text
        model takes longer to read than the test split to label), wall - load is noise: then
        the rate over the whole run is given, a lower bound, and exact is False."""
        if wall is None:
            return None
        busy, exact = wall - load, True
        if busy < 0.2 * wall:
            busy, exact = wall, False
        return (ws.full_docs / busy, ws.full_bytes / 1e6 / busy, exact)

    return {
        "system": system.name + (" " + variant if variant else ""),
        "predictor": system.name,
        "settings": system.settings,
        "eval": evaluate(ws.gold, scored),
        "pred": scored,
        "by_source": {s: (c / n, n) for s, (c, n) in by_source.items()},
        "by_topic": by_topic,
        "train_s": train_s, "model_mb": model_mb, "load_s": load,
        "rate1": rate(full), "rateN": rate(threads_full),
        "rss_train_mb": rss_train, "rss_label_mb": rss_label, "note": note,
        "full_s": full, "full_all_s": threads_full,
    }


class System:
    """A peer: name, settings (said in the docs), and run(ws, threads) -> list of rows."""
    name = "?"
    settings = ""
    slow = False

    def available(self):
        """None when it can run here, else why not."""
        return None

    def not_for(self, ws):
        """None when it applies to the task of ws, else why not."""
        return None

    def run(self, ws, threads):
        raise NotImplementedError

    def note(self, model):
        """What a trained model's file says of the settings it chose ("" when nothing)."""
        return ""


def _tool_missing(*tools):
    for t in tools:
        if not any(os.access(os.path.join(d, t), os.X_OK)
                   for d in os.environ.get("PATH", "/usr/bin").split(os.pathsep)):
            return "%s not found" % t
    return None


class SklearnSVC(System):
    name = "scikit-learn"
    settings = ("TfidfVectorizer(ngram_range=(1,2), sublinear_tf=True) + LinearSVC() "
                "(C=1, squared hinge, random_state=0); pickled pipeline; one thread")

    def available(self):
        r = subprocess.run(["/usr/bin/python3", "-c", "import sklearn"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return None if r.returncode == 0 else "/usr/bin/python3 cannot import sklearn"

    def train(self, ws):
        """(model path, training seconds, Run of the training, note)."""
        model = ws.path("sk.pkl")
        tr = measure.run(SKJOBS + ["sk-train", ws.jsonl("train"), model])
        return model, tr.wall, tr, ""

    def predict_cmd(self, ws, model, which):
        """The one-thread command labelling input `which` ('one' or 'full'), labels to stdout."""
        return SKJOBS + ["sk-label", model, ws.jsonl(which)]

    def run(self, ws, threads):
        model, train_s, tr, note = self.train(ws)
        out = ws.path("sk.out")
        one = best_of(lambda: measure.run(self.predict_cmd(ws, model, "one"), stdout=out),
                      LOAD_REPEATS)
        full = best_of(lambda: measure.run(self.predict_cmd(ws, model, "full"), stdout=out),
                       FULL_REPEATS, once_over=FULL_ONCE_OVER)
        return [row(self, ws, read_lines(out), train_s, file_mb(model), one.wall, full.wall,
                    tr.rss_mb, max(one.rss_mb, full.rss_mb), note=note)]


class SklearnSVCTuned(SklearnSVC):
    """LinearSVC with C chosen by cross-validation on the training split (skjobs.py
    sk-train-cv): the peer's best shot at the model family LIBLINEAR and LIBSVM share."""
    name = "scikit-learn C by CV"
    settings = ("the scikit-learn pipeline above with C chosen from 0.1, 0.3, 1, 3, 10 by 3-fold "
                "stratified CV on the training split (macro-F1; the vectoriser fitted inside each "
                "fold), then refitted on the whole split; train s is the refit, the search is in "
                "the note")

    def train(self, ws):
        model, report = ws.path("sk-cv.pkl"), ws.path("sk-cv.json")
        tr = measure.run(SKJOBS + ["sk-train-cv", ws.jsonl("train"), model, report])
        with open(report, encoding="utf-8") as f:
            r = json.load(f)
        cv = ", ".join("C %s %.4f" % (c, f1) for c, f1 in r["cv_macro_f1"].items())
        note = "C %s chosen (CV macro-F1: %s; search %.0f s)" % (r["C"], cv, r["search_s"])
        return model, r["refit_s"], tr, note


class FastText(System):
    """fastText supervised; -thread 2 always (see the settings note), so each training differs:
    it is trained `trainings` times and the row is the training of median test macro-F1."""

    def __init__(self, tag, args, trainings=FASTTEXT_TRAININGS):
        self.name = "fastText " + tag
        self.args = args
        self.trainings = trainings
        self.settings = ("fasttext supervised " + " ".join(args) +
                         "; input lowercased, punctuation split off, one line per doc; "
                         "predict is single-threaded")
        if trainings > 1:
            self.settings += ("; trained %d times (two threads make each training a different "
                              "model), the row is the training of median test macro-F1, every "
                              "training's macro-F1 in the task's notes" % trainings)

    def available(self):
        return _tool_missing("fasttext")

    def train(self, ws, k=0):
        """(model path, Run of the training); k numbers the trainings of one task."""
        prefix = ws.path("ft-%s-%d" % (self.name.split()[-1], k))
        tr = measure.run(["fasttext", "supervised", "-input", ws.fasttext("train"),
                          "-output", prefix, "-verbose", "0"] + self.args)
        return prefix + ".bin", tr

    def predict_cmd(self, ws, model, which):
        """The one-thread command labelling input `which` ('one', 'test' or 'full'), labels to
        stdout."""
        return ["fasttext", "predict", model, ws.fasttext(which)]

    def median_training(self, ws, back):
        """(model, Run of its training, note) of the training of median test macro-F1 among
        self.trainings; the other models are deleted."""
        out = ws.path("ft.out")
        trained = []
        for k in range(self.trainings):
            model, tr = self.train(ws, k)
            if self.trainings > 1:
                measure.run(self.predict_cmd(ws, model, "test"), stdout=out)
                preds = [back.get(p.split(" ")[0], p) for p in read_lines(out)]
                trained.append((model, tr, evaluate(ws.gold, preds)["macro_f1"]))
            else:
                trained.append((model, tr, None))
        pick = median_index([f1 or 0.0 for _, _, f1 in trained])
        for k, (model, _, _) in enumerate(trained):
            if k != pick:
                for p in (model, model[:-len(".bin")] + ".vec"):
                    if os.path.exists(p):
                        os.remove(p)
        model, tr, _ = trained[pick]
        if self.trainings == 1:
            return model, tr, ""
        return model, tr, ("%d trainings, test macro-F1 %s; this row is the median one" %
                           (self.trainings, " ".join("%.3f" % f1 for _, _, f1 in trained)))

    def run(self, ws, threads):
        back = {convert.fasttext_label(d.label): d.label for d in ws.train}
        model, tr, trainings = self.median_training(ws, back)
        out = ws.path("ft.out")

        def predict(which):
            return measure.run(self.predict_cmd(ws, model, which), stdout=out)

        one = best_of(lambda: predict("one"), LOAD_REPEATS)
        full = best_of(lambda: predict("full"), FULL_REPEATS, once_over=FULL_ONCE_OVER)
        preds = [back.get(p.split(" ")[0], p) for p in read_lines(out)]
        note = "; ".join(n for n in (trainings, self.note(model)) if n)
        return [row(self, ws, preds, tr.wall, file_mb(model), one.wall, full.wall,
                    tr.rss_mb, max(one.rss_mb, full.rss_mb), note=note)]


class FastTextAutotune(FastText):
    """fastText's own hyper-parameter search (-autotune-validation): it trains on the first 80 %
    of the (shuffled) training split and tunes on the other 20 %, maximising F1, as fastText's
    documentation recommends; no test document is seen."""

    def __init__(self, seconds):
        super().__init__("autotune", ["-thread", "2", "-autotune-duration", str(seconds)], 1)
        self.settings = ("fasttext supervised -autotune-validation VALID -autotune-duration %d "
                         "-thread 2, trained on 80 %% of the training split and tuned on the other "
                         "20 %% (F1); input as above; the parameters found are in the note; "
                         "trained once (one search takes %d s, and it is random too)" % (seconds, seconds))

    def train(self, ws, k=0):
        cut = len(ws.train) * 4 // 5
        fit, valid = ws.path("ft-autotune-fit.txt"), ws.path("ft-autotune-valid.txt")
        convert.write_fasttext(fit, ws.train[:cut], True)
        convert.write_fasttext(valid, ws.train[cut:], True)
        prefix = ws.path("ft-autotune")
        tr = measure.run(["fasttext", "supervised", "-input", fit, "-output", prefix,
                          "-autotune-validation", valid, "-verbose", "0"] + self.args)
        return prefix + ".bin", tr

    def note(self, model):
        r = subprocess.run(["fasttext", "dump", model, "args"], capture_output=True, text=True,
                           check=False)
        args = dict(line.split(None, 1) for line in r.stdout.splitlines() if " " in line)
        keep = ("dim", "epoch", "lr", "wordNgrams", "minCount", "bucket", "loss")
        return "found: " + ", ".join("%s %s" % (k, args[k].strip()) for k in keep if k in args)


class SvmlightTool(System):
    """LIBLINEAR or LIBSVM's command-line tools on the shared TF-IDF svmlight files."""
    train_cmd = predict_cmd = None

    def available(self):
        return _tool_missing(self.train_cmd[0], self.predict_cmd[0])

    def run(self, ws, threads):
        train_svm, vec, names, vec_run = ws.svm_train()
        model = ws.path(self.name.replace(" ", "_") + ".model")
        tr = measure.run(self.train_cmd + [train_svm, model])
        out = ws.path("svm.out")

        def predict(which):
            svm, vrun = ws.svm_test(which)
            return measure.run(self.predict_cmd + [svm, model, out]), vrun

        one, vone = predict("one")
        one = best_of(lambda: predict("one")[0], LOAD_REPEATS, one)
        full, vfull = predict("full")
        full = best_of(lambda: predict("full")[0], FULL_REPEATS, full, once_over=FULL_ONCE_OVER)
        preds = []
        for line in read_lines(out):
            k = int(float(line.split()[0])) if line.strip() else 0
            preds.append(names[k - 1] if 1 <= k <= len(names) else line)
        tool = row(self, ws, preds, tr.wall, file_mb(model), one.wall, full.wall,
                   tr.rss_mb, max(one.rss_mb, full.rss_mb), variant="(tool only, svmlight in)")
        e2e = row(self, ws, preds, vec_run.wall + tr.wall,
                  file_mb(model, vec, ws.path("labels.txt")),
                  vone.wall + one.wall, vfull.wall + full.wall,
                  max(vec_run.rss_mb, tr.rss_mb),
                  max(one.rss_mb, full.rss_mb, vone.rss_mb, vfull.rss_mb),
                  variant="(end-to-end, raw text in)")
        return [tool, e2e]


class Liblinear(SvmlightTool):
    name = "LIBLINEAR"
    settings = ("liblinear-train -s 1 -c 1 -B 1 (L2-loss SVC dual, its default solver, plus a "
                "bias term as LinearSVC has); features: the scikit-learn TF-IDF(1-2, sublinear) "
                "above, dumped as svmlight; liblinear-predict")
    train_cmd = ["liblinear-train", "-s", "1", "-c", "1", "-B", "1", "-q"]
    predict_cmd = ["liblinear-predict", "-q"]


class Libsvm(SvmlightTool):
    name = "LIBSVM"
    slow = True
    settings = ("svm-train -s 0 -t 0 -c 1 -m 1000 (C-SVC, linear kernel, one-vs-one, 1 GB "
                "kernel cache, shrinking on); same svmlight features; svm-predict")
    train_cmd = ["svm-train", "-s", "0", "-t", "0", "-c", "1", "-m", "1000", "-q"]
    predict_cmd = ["svm-predict", "-q"]


class Textclass(System):
    """textclass through its command line, trained with its defaults."""
    name = "textclass"
    settings = ("bin/textclass train -q -j 0 -o M.model train.jsonl (its defaults, training on "
                "every core); bin/textclass label -q --exit-zero --top 1 -m M.model -j N test.jsonl, "
                "TSV out (--top 1: the best label and its score, as the peers print the best label; "
                "the note gives the one-thread rate with every label's score printed)")

    def __init__(self, cli=None):
        self.cli = cli or os.path.join(REPO, "bin", "textclass")

    def available(self):
        if not os.access(self.cli, os.X_OK):
            return "%s not built" % self.cli
        r = subprocess.run([self.cli, "train", "--help"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        return None if r.returncode == 0 else "`textclass train --help` fails: CLI not ready"

    def label_cmd(self, model, threads, path, top=1):
        # --exit-zero: a document it cannot label still gets a record (scored as wrong) and
        # the run goes on; a crash or bad option still fails the run. --top 1 prints what the
        # peers print, the best label (with its score); top=None prints every label's score.
        top_opt = ["--top", str(top)] if top else []
        return [self.cli, "label", "-q", "--exit-zero"] + top_opt + ["-m", model, "-j", str(threads), path]

    def parse(self, path):
        """Labels from the label command's TSV: id, label, ... (a header line is skipped)."""
        preds = []
        for i, line in enumerate(read_lines(path)):
            cols = line.split("\t")
            if i == 0 and cols[0] == "id":
                continue
            preds.append(cols[1] if len(cols) > 1 else None)
        return preds

    def train(self, ws):
        """(model path, Run of the training)."""
        model = ws.path("tc.model")
        return model, measure.run([self.cli, "train", "-q", "-j", "0", "-o", model, ws.jsonl("train")])

    def predict_cmd(self, ws, model, which):
        """The one-thread command labelling input `which` ('one' or 'full'), labels to stdout."""
        return self.label_cmd(model, 1, ws.jsonl(which))

    def run(self, ws, threads):
        model, tr = self.train(ws)
        out = ws.path("tc.out")
        one = best_of(lambda: measure.run(self.predict_cmd(ws, model, "one"), stdout=out),
                      LOAD_REPEATS)
        full = best_of(lambda: measure.run(self.predict_cmd(ws, model, "full"), stdout=out),
                       FULL_REPEATS, once_over=FULL_ONCE_OVER)
        preds = self.parse(out)
        fullN = None
        if threads > 1:
            fullN = best_of(lambda: measure.run(self.label_cmd(model, threads, ws.jsonl("full")),
                                                stdout=out), FULL_REPEATS, once_over=FULL_ONCE_OVER)
            if self.parse(out) != preds:
                raise RuntimeError("textclass labels differ between 1 and %d threads" % threads)
        every = best_of(lambda: measure.run(self.label_cmd(model, 1, ws.jsonl("full"), top=None),
                                            stdout=out), FULL_REPEATS, once_over=FULL_ONCE_OVER)
        if self.parse(out) != preds:
            raise RuntimeError("textclass labels differ with and without --top 1")
        note = "%.0f docs/s on one thread with every label's score printed (no --top)" % (
            ws.full_docs / max(every.wall - one.wall, 1e-9))
        return [row(self, ws, preds, tr.wall, file_mb(model), one.wall, full.wall,
                    tr.rss_mb, max(one.rss_mb, full.rss_mb, fullN.rss_mb if fullN else 0),
                    threads_full=fullN.wall if fullN else None, note=note)]


class TextclassGrid(Textclass):
    """textclass with C and title terms chosen by its own cross-validation on the training
    split (`train --grid --cv 3`): the like-for-like row for the searched peers."""
    name = "textclass --grid"
    settings = ("bin/textclass train -q -j 0 --grid --cv 3 -o M.model train.jsonl: C from 0.1, 0.3, "
                "1, 3, 10, each without and with title terms, by 3-fold macro-F1 on the training split "
                "(ties keep no title terms and the smaller C), as `scikit-learn C by CV`; labelled as "
                "textclass above; the choice is in the note")

    def train(self, ws):
        model = ws.path("tc-grid.model")
        return model, measure.run([self.cli, "train", "-q", "-j", "0", "--grid", "--cv", "3",
                                   "-o", model, ws.jsonl("train")])

    def run(self, ws, threads):
        rows = super().run(ws, threads)
        info = subprocess.run([self.cli, "info", "-m", ws.path("tc-grid.model")],
                              capture_output=True, text=True, check=False).stdout
        meta = dict(line.split(None, 1) for line in info.splitlines() if " " in line.strip())
        titles = meta.get("title_terms", "").strip() == "true"
        rows[0]["note"] = "C %s, title terms %s chosen (CV macro-F1: %s); %s" % (
            meta.get("C", "?").strip(), "on" if titles else "off",
            meta.get("grid", "?").strip().replace(",", ", "), rows[0]["note"])
        return rows


class TextclassByInput(Textclass):
    """textclass with every training source weighing the same in calibration (`train
    --balance-inputs`, one JSONL input per corpus): the choice for labelling publishers the
    training data lacks, by leave-one-source-out on the training splits (docs/engine.md)."""
    name = "textclass --balance-inputs"
    settings = ("bin/textclass train -q -j 0 --balance-inputs -o M.model train-SOURCE.jsonl ...: "
                "the defaults, the training split given as one file per corpus (each in the "
                "shuffled order), so that each corpus weighs the same in the Platt fits; tasks "
                "with one training corpus only (the others) have nothing to balance; labelled as "
                "textclass above")

    def not_for(self, ws):
        return None if len(ws.sources()) > 1 else "one training source: nothing to balance"

    def train(self, ws):
        model = ws.path("tc-by-input.model")
        return model, measure.run([self.cli, "train", "-q", "-j", "0", "--balance-inputs",
                                   "-o", model] + ws.jsonl_by_source())


def all_systems(textclass_cli=None, autotune_seconds=300, fasttext_trainings=FASTTEXT_TRAININGS):
    n = fasttext_trainings
    return [
        Textclass(textclass_cli),
        TextclassGrid(textclass_cli),
        TextclassByInput(textclass_cli),
        SklearnSVC(),
        SklearnSVCTuned(),
        Liblinear(),
        Libsvm(),
        FastText("default", ["-thread", "2"], n),
        FastText("tutorial", ["-thread", "2", "-epoch", "25", "-lr", "0.5", "-wordNgrams", "2"], n),
        FastText("ova", ["-thread", "2", "-epoch", "50", "-lr", "1.0", "-loss", "ova"], n),
        FastTextAutotune(autotune_seconds),
    ]
