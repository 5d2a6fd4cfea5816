"""Writing a task's documents in each tool's input format (into the benchmark's temp dir).

textclass and scikit-learn read JSONL ({"id", "text"[, "label"]}); fastText reads one document
per line, `__label__X` first, lowercased with punctuation split off as its tutorial does;
LIBLINEAR and LIBSVM read svmlight files that skjobs.py writes from the JSONL.
"""
import json
import re

_PUNCT = re.compile(r"([.!?,'/()])")
_SPACE = re.compile(r"\s+")


def write_jsonl(path, docs, with_labels):
    """One JSON object per document; the label only when with_labels (training files)."""
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            rec = {"id": d.id, "text": d.text}
            if with_labels:
                rec["label"] = d.label
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def fasttext_label(label):
    """A label as a fastText token: no whitespace (20 Newsgroups names have none, but be safe)."""
    return "__label__" + _SPACE.sub("_", label)


def fasttext_text(text):
    """fastText's tutorial preprocessing: punctuation split off, lowercased, one line."""
    return _SPACE.sub(" ", _PUNCT.sub(r" \1 ", text).lower()).strip()


def write_fasttext(path, docs, with_labels):
    """Training lines `__label__X text`, or bare text lines for predict."""
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            line = fasttext_text(d.text)
            if with_labels:
                line = fasttext_label(d.label) + " " + line
            f.write(line + "\n")
