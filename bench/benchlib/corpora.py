"""The corpora and the four benchmark tasks built from them.

A task is a list of training documents and a list of test documents, each a Doc (id, text,
label, source, orig). The per-corpus tasks use the dataset's own label (`orig_label`); "news4"
uses the project's 4-way `label` (politics/sport/cyber/other), the task the shipped model
solves, and `orig` keeps the dataset's own topic (AG News's "World" is `other` in news4).
"""
import json
import os
from collections import namedtuple

Doc = namedtuple("Doc", "id text label source orig", defaults=(None,))

# name -> (description, label field, train splits, test splits); a split is (corpus, file).
TASKS = {
    "bbc": ("BBC News 2004-05, 5 topics (orig_label)", "orig_label",
            [("bbc", "train")], [("bbc", "test")]),
    "newsgroups": ("20 Newsgroups bydate, 20 groups (orig_label)", "orig_label",
                   [("newsgroups", "train")], [("newsgroups", "test")]),
    "masakhanews_eng": ("MasakhaNEWS English, 6 topics (orig_label)", "orig_label",
                        [("masakhanews_eng", "train")], [("masakhanews_eng", "test")]),
    "news4": ("politics/sport/cyber/other (label): every train split -> every test split + agnews",
              "label",
              [("bbc", "train"), ("newsgroups", "train"), ("cyber", "train"),
               ("masakhanews_eng", "train")],
              [("bbc", "test"), ("newsgroups", "test"), ("cyber", "test"),
               ("masakhanews_eng", "test"), ("agnews", "test")]),
}
TASK_ORDER = ["bbc", "newsgroups", "masakhanews_eng", "news4"]


def find_corpora(explicit=None):
    """The corpora folder: the argument, $TEXTCLASS_CORPORA, or ../shared/corpora from the repo.

    The first one given is the only one tried: a wrong --corpora or $TEXTCLASS_CORPORA is not
    silently replaced by another folder. Returns None when it does not hold a README.md, so
    the caller can skip loudly.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    c = explicit or os.environ.get("TEXTCLASS_CORPORA") or os.path.join(repo, "..", "shared",
                                                                          "corpora")
    return os.path.abspath(c) if os.path.isfile(os.path.join(c, "README.md")) else None


def missing_note(prog):
    """What a bench program says on stderr when find_corpora finds none (it then exits 77)."""
    return ("%s: SKIPPED: no corpora (give --corpora, set TEXTCLASS_CORPORA or put them in "
            "../shared/corpora)" % prog)


def read_split(root, corpus, split, label_field):
    """The documents of one split file.

    A text that the dataset gave several labels (orig_label "a|b", a handful in 20 Newsgroups
    train) keeps the first one, so every task is single-label for every peer alike.
    """
    path = os.path.join(root, corpus, split + ".jsonl")
    docs = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                label = rec[label_field].split("|")[0]
                orig = str(rec.get("orig_label") or label).split("|")[0]
                docs.append(Doc(rec["id"], rec["text"], label, corpus, orig))
            except (ValueError, KeyError, AttributeError) as e:
                raise ValueError("%s:%d: bad record (%s)" % (path, lineno, e))
    return docs


def load_task(root, name):
    """(description, train docs, test docs) of a task, reading the corpora under root."""
    desc, field, train_splits, test_splits = TASKS[name]
    train = [d for c, s in train_splits for d in read_split(root, c, s, field)]
    test = [d for c, s in test_splits for d in read_split(root, c, s, field)]
    return desc, train, test
