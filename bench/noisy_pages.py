#!/usr/bin/env python3
"""bench/noisy_pages.py: news pages with site furniture, composed from the corpora's TEST splits.

A scraped article carries its site's furniture: menus, cookie banners, "Recent Posts" lists of
other stories' headlines (sport results under a politics story), "Read more" links, newsletter
prompts, share buttons, bylines, copyright lines. The label must follow the article. This script
builds such pages so a model can be evaluated on them (`textclass eval`), never trained on them:

    bench/noisy_pages.py [--corpora DIR] [--out DIR] [--seed 1] [--corpus NAME ...]
    bench/noisy_pages.py --input FILE.jsonl [--input ...] [--out DIR]   (any labelled JSONL)

For each test article of each corpus (default bbc, cyber, masakhanews_eng, agnews) it writes one
page to OUT/noisy-<corpus>.jsonl, in the corpora's format ({"id", "text", "label", "orig_label",
"source"}), keeping the article's gold label. The headline lists are titles of OTHER test articles,
chosen from labels different from the article's (the hard case: a "Most read" box of sport
headlines under a politics story). Every page gets, in seeded random order and places:
  - before the article: a menu (section names), sometimes a cookie banner, sometimes a byline;
  - inside it (between paragraphs), with probability 1/2: a "Related" list of 3-5 headlines;
  - after it: share/newsletter lines, a "Recent Posts" / "Most read" list of 4-8 headlines,
    "Read more" links, a copyright line.
So the furniture often has as many words as a short article (AG News items are one or two
sentences): a strong test. OUT defaults to a new temp dir; the path is printed on stdout.
Standard library only; deterministic for a given --seed and input.
"""
import argparse
import json
import os
import random
import sys
import tempfile

DEFAULT_CORPORA = ("bbc", "cyber", "masakhanews_eng", "agnews")

MENUS = [
    ["Home", "News", "Sport", "Business", "Technology", "Politics"],
    ["World", "UK", "US & Canada", "Sport", "Culture", "Tech", "Travel"],
    ["Latest", "Security", "Politics", "Football", "Markets", "Opinion"],
]
COOKIE = [
    "We use cookies to give you the best experience on our website. By continuing to browse "
    "you agree to our use of cookies. Read our cookie policy.",
    "This site uses cookies to personalise content and ads and to analyse our traffic.",
    "Accept all cookies",
    "Cookie settings",
]
BYLINES = ["By Staff Reporter", "By Jane Doe and John Smith", "Published on 12 March", "Updated: 2 hours ago"]
LIST_TITLES_END = ["Recent Posts", "Most Read", "More Stories", "Trending Now", "You may also like"]
LIST_TITLES_MID = ["Related Articles", "Related", "Read next", "More on this story"]
AFTER = [
    "Share this article",
    "Share on Facebook",
    "Follow us on Twitter",
    "Sign up for our newsletter",
    "Subscribe to our daily newsletter to get the latest stories in your inbox.",
    "Leave a comment",
]
COPYRIGHT = ["Copyright 2024 Example Media Ltd. All rights reserved.", "\u00a9 2024 The Daily Example",
             "Privacy Policy | Terms of Use | Cookie Policy"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_article(text):
    """Title and body paragraphs (the corpora's text is "<title>\\n\\n<body>")."""
    title, _, body = text.partition("\n\n")
    paras = [p for p in body.split("\n") if p.strip()]
    return title.strip(), paras


def headlines(rng, pool_by_label, label, k):
    """k titles of other articles, drawn from labels other than `label` when possible."""
    others = [lab for lab in sorted(pool_by_label) if lab != label and pool_by_label[lab]]
    out = []
    for _ in range(k):
        lab = rng.choice(others) if others else label
        out.append(rng.choice(pool_by_label[lab]))
    return out


def label_of(doc):
    """The first label of a record with "label" or "labels"."""
    return doc["label"] if "label" in doc else (doc.get("labels") or ["other"])[0]


def compose(rng, doc, pool_by_label):
    title, paras = split_article(doc["text"])
    label = label_of(doc)
    lines = []
    lines += rng.choice(MENUS)
    if rng.random() < 0.5:
        lines.append(rng.choice(COOKIE))
    lines.append("")
    lines.append(title)
    if rng.random() < 0.5:
        lines.append(rng.choice(BYLINES))
    lines.append("")
    body = list(paras)
    if len(body) >= 2 and rng.random() < 0.5:
        at = rng.randrange(1, len(body))
        box = [rng.choice(LIST_TITLES_MID)] + headlines(rng, pool_by_label, label, rng.randint(3, 5))
        body[at:at] = box
    lines += body
    lines.append("")
    lines += rng.sample(AFTER, 2)
    lines.append(rng.choice(LIST_TITLES_END))
    for h in headlines(rng, pool_by_label, label, rng.randint(4, 8)):
        lines.append(h)
        if rng.random() < 0.3:
            lines.append("Read more")
    lines.append(rng.choice(COPYRIGHT))
    return "\n".join(lines) + "\n"


def main(argv):
    p = argparse.ArgumentParser(prog="bench/noisy_pages.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpora", default=os.environ.get("TEXTCLASS_CORPORA") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpora"))
    p.add_argument("--out", help="output folder (default: a new temp dir)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--corpus", action="append", help="corpus to use (repeatable); default: %s"
                   % ", ".join(DEFAULT_CORPORA))
    p.add_argument("--input", action="append", help="compose from this JSONL file instead (repeatable; "
                   "e.g. held-out folds of a train split for a design study); output noisy-<name>")
    args = p.parse_args(argv)
    if args.input:
        names = [os.path.splitext(os.path.basename(f))[0] for f in args.input]
        docs = dict(zip(names, (read_jsonl(f) for f in args.input)))
        return write_pages(args, names, docs)
    if not os.path.isdir(args.corpora):
        print("noisy_pages: corpora not found at %s (set TEXTCLASS_CORPORA)" % args.corpora, file=sys.stderr)
        return 77
    names = args.corpus or list(DEFAULT_CORPORA)
    docs = {n: read_jsonl(os.path.join(args.corpora, n, "test.jsonl")) for n in names}
    return write_pages(args, names, docs)


def write_pages(args, names, docs):
    out = args.out or tempfile.mkdtemp(prefix="textclass-noisy-")
    os.makedirs(out, exist_ok=True)
    # The headline pool: titles of every chosen corpus's test articles, by label.
    pool = {}
    for n in names:
        for d in docs[n]:
            t = split_article(d["text"])[0]
            if 3 <= len(t.split()) <= 14:
                pool.setdefault(label_of(d), []).append(t)
    for lab in pool:
        pool[lab].sort()
    for n in names:
        rng = random.Random("%d:%s" % (args.seed, n))
        path = os.path.join(out, "noisy-%s.jsonl" % n)
        with open(path, "w", encoding="utf-8") as f:
            for d in docs[n]:
                rec = {"id": "noisy-" + d["id"], "text": compose(rng, d, pool)}
                for key in ("label", "labels", "orig_label"):
                    if key in d:
                        rec[key] = d[key]
                rec["source"] = "noisy-" + n
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print("noisy_pages: %d pages -> %s" % (len(docs[n]), path), file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
