#!/usr/bin/env python3
"""bench/noisy_pages.py: news pages with site furniture, composed from the corpora's TEST splits.

A scraped article carries its site's furniture: menus, cookie banners, "Recent Posts" lists of
other stories' headlines (sport results under a politics story), "Read more" links, newsletter
prompts, share buttons, bylines, copyright lines. The label must follow the article. This script
builds such pages so a model can be evaluated on them (`textclass eval`), never trained on them:

    bench/noisy_pages.py [--corpora DIR] [--out DIR] [--seed 1] [--corpus NAME ...] [--html]
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

With --html the same pages are written as HTML documents instead (OUT/noisy-html-<corpus>.jsonl,
the page's markup as the record's text, which `textclass eval` reads as a page since it begins
with <!DOCTYPE html>): a <title> with the site's name, a stylesheet and scripts whose code holds
topic words, the menu in <nav>, the cookie banner in a <div> with a <button>, the article in
<article> (<h1>, <p>, a byline, character references), the headline lists in <aside> or, half
the time, in a plain <section> (which only the boilerplate stage can catch), the share links,
and a <footer>.
"""
import html
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


SCRIPTS = [
    "window.dataLayer = window.dataLayer || []; dataLayer.push({section: 'sport', "
    "topics: ['politics', 'election', 'football', 'ransomware']});",
    "if (window.innerWidth < 600 && document.cookie.indexOf('consent') < 0) { showBanner('cookies'); }",
]
STYLE = "body { font-family: Georgia, serif } nav li { display: inline } .most-read > li { margin: 0 }"


def compose_html(rng, doc, pool_by_label):
    """The page of compose() as an HTML document."""
    e = html.escape
    title, paras = split_article(doc["text"])
    label = label_of(doc)
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<title>%s | Example News</title>" % e(title), "<style>%s</style>" % STYLE,
           "<script>%s</script>" % rng.choice(SCRIPTS), "</head><body>", "<header><nav><ul>"]
    out += ["<li><a href=\"/%s\">%s</a></li>" % (e(m.lower()), e(m)) for m in rng.choice(MENUS)]
    out.append("</ul></nav></header>")
    if rng.random() < 0.5:
        out.append("<div class=\"cookie-banner\"><p>%s</p><button>Accept all</button></div>" % e(rng.choice(COOKIE)))
    out.append("<main><article><h1>%s</h1>" % e(title))
    if rng.random() < 0.5:
        out.append("<p class=\"byline\">%s</p>" % e(rng.choice(BYLINES)))

    def headline_list(heading, items, more):
        tag = "aside" if rng.random() < 0.5 else "section"
        lis = []
        for h in items:
            lis.append("<li><a href=\"/story\">%s</a>%s</li>" % (e(h), " <a href=\"/story\">Read more</a>"
                                                                if more and rng.random() < 0.3 else ""))
        return "<%s class=\"related\"><h3>%s</h3><ul>%s</ul></%s>" % (tag, e(heading), "".join(lis), tag)

    body = ["<p>%s</p>" % e(p).replace("&#x27;", "&rsquo;") for p in paras]
    if len(body) >= 2 and rng.random() < 0.5:
        at = rng.randrange(1, len(body))
        body.insert(at, headline_list(rng.choice(LIST_TITLES_MID),
                                      headlines(rng, pool_by_label, label, rng.randint(3, 5)), False))
    out += body
    out.append("</article>")
    out.append("<div class=\"share\">%s</div>" % " ".join("<a href=\"#\">%s</a>" % e(a) for a in rng.sample(AFTER, 2)))
    out.append(headline_list(rng.choice(LIST_TITLES_END), headlines(rng, pool_by_label, label, rng.randint(4, 8)), True))
    out.append("</main><footer><p>%s</p></footer>" % e(rng.choice(COPYRIGHT)))
    out.append("<script>%s</script></body></html>" % rng.choice(SCRIPTS))
    return "\n".join(out) + "\n"


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
    p.add_argument("--html", action="store_true", help="write the pages as HTML documents (noisy-html-<name>)")
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
        kind = "noisy-html-" if args.html else "noisy-"
        path = os.path.join(out, "%s%s.jsonl" % (kind, n))
        with open(path, "w", encoding="utf-8") as f:
            for d in docs[n]:
                rec = {"id": kind + d["id"], "text": (compose_html if args.html else compose)(rng, d, pool)}
                for key in ("label", "labels", "orig_label"):
                    if key in d:
                        rec[key] = d[key]
                rec["source"] = kind + n
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print("noisy_pages: %d pages -> %s" % (len(docs[n]), path), file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
