#!/usr/bin/env python3
"""bench/noisy_pages.py: news pages with site furniture, composed from the corpora's TEST splits.

A scraped article carries its site's furniture: menus, cookie banners, "Recent Posts" lists of
other stories' headlines (sport results under a politics story), "Read more" links, newsletter
prompts, share buttons, bylines, copyright lines. The label must follow the article. This script
builds such pages so a model can be evaluated on them (`textclass eval`), never trained on them:

    bench/noisy_pages.py [--corpora DIR] [--out DIR] [--seed 1] [--corpus NAME ...] [--html]
                         [--prose] [--split test|train]
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

With --prose every page also gets PROSE furniture, which line rules cannot tell from article
text by its shape alone (the pages are then named noisy-prose-<corpus>, noisy-html-prose-<corpus>):
  - after the article, a teaser list: a heading ("More from News", "Latest stories", ...) and 3-6
    other stories, each its headline and the first one or two sentences of its text, in one of
    the shapes news sites use (headline then summary; headline, a date line, then summary;
    headline, summary, "Read more");
  - with probability 0.6, a reader-comment section: a heading ("Comments (23)", "Join the
    conversation", ...) and 2-6 posts, each a name line, a date line, one or two paragraphs (an
    opinionated opener and a sentence or two of another story's text), and a "Reply" line as
    comment systems print it ("Reply", "Reply · Report", "12 likes · Reply");
  - with probability 0.6, a newsletter blurb: a heading, a paragraph that sells the newsletter
    with three other stories' headlines ("In today's edition: ..."), and a "Sign up" line.
The other stories are, as for the headline lists, articles of the same splits with labels other
than the article's. The pages are seeded and deterministic like the others.

--split train composes from the TRAIN splits (corpora that have one) instead: the pages to
develop furniture rules on, so that the test pages are read only to report.

With --html the same pages are written as HTML documents instead (OUT/noisy-html-<corpus>.jsonl,
the page's markup as the record's text, which `textclass eval` reads as a page since it begins
with <!DOCTYPE html>): a <title> with the site's name, a stylesheet and scripts whose code holds
topic words, the menu in <nav>, the cookie banner in a <div> with a <button>, the article in
<article> (<h1>, <p>, a byline, character references), the headline lists in <aside> or, half
the time, in a plain <section> (which only the boilerplate stage can catch), the share links,
and a <footer>; with --prose, the teaser list as cards (<div> or <li> holding an <h3> link and a
<p>) in a plain <section>, the comments as <div>s of a <section> (a <time>, the post's <p>s, a
"Reply" link) and the newsletter blurb in a <div> with a <form>.
"""
import html
import argparse
import json
import os
import random
import re
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


def compose(rng, doc, pool_by_label, docs_by_label=None):
    """One text page; with docs_by_label (--prose), prose furniture from those articles too."""
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
    if docs_by_label:
        lines += prose_lines(prose_furniture(rng, docs_by_label, label))
    lines.append(rng.choice(COPYRIGHT))
    return "\n".join(lines) + "\n"


SCRIPTS = [
    "window.dataLayer = window.dataLayer || []; dataLayer.push({section: 'sport', "
    "topics: ['politics', 'election', 'football', 'ransomware']});",
    "if (window.innerWidth < 600 && document.cookie.indexOf('consent') < 0) { showBanner('cookies'); }",
]
STYLE = "body { font-family: Georgia, serif } nav li { display: inline } .most-read > li { margin: 0 }"


def compose_html(rng, doc, pool_by_label, docs_by_label=None):
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
    if docs_by_label:
        out += prose_html(rng, prose_furniture(rng, docs_by_label, label))
    out.append("</main><footer><p>%s</p></footer>" % e(rng.choice(COPYRIGHT)))
    out.append("<script>%s</script></body></html>" % rng.choice(SCRIPTS))
    return "\n".join(out) + "\n"


TEASER_HEADINGS = ["More from News", "Latest stories", "More top stories", "Elsewhere on the site",
                   "Editor's picks", "Around the site", "Don't miss", "In other news"]
WHEN = ["2 hours ago", "35 minutes ago", "Yesterday", "12 March 2024", "Mar 12, 2024", "3 days ago"]
COMMENT_HEADINGS = ["Comments (%d)", "%d comments", "Join the conversation", "Reader comments (%d)",
                    "Discussion (%d)", "Have your say"]
NAMES = ["Dave_R", "Margaret T.", "anon1987", "John Carter", "sue_from_leeds", "Brian W", "PatriotPete",
         "Eleanor Rigby", "trueblue", "K. Osei"]
COMMENT_WHEN = ["12 March 2024 at 10:42", "3 hours ago", "Mar 12, 2024 10:42am", "1 day ago", "5h"]
OPENERS = ["Typical.", "Spot on.", "I disagree.", "Not this again.", "About time!", "Nonsense.",
           "Well said.", "Interesting.", "Who cares?", "Exactly right."]
REPLY_LINES = ["Reply", "Reply", "Reply \u00b7 Report", "%d likes \u00b7 Reply", "Like \u00b7 Reply \u00b7 %d",
               "Reply | Report abuse"]
NEWSLETTERS = [("Morning Briefing", "In today's edition: %s; %s; and %s. Get it free every weekday morning."),
               ("The Week in Review", "This week's picks: %s, %s and %s. Delivered free every Saturday."),
               ("Before you go", "Catch up with %s, %s and %s in our free daily email briefing.")]


SENTENCE_END = re.compile(r"[.!?][\"']?(?=\s+[A-Z\"])")


def sentences(text, k):
    """The first k sentences of an article's body (a break: '.', '!' or '?', maybe a closing quote,
    a space, then a capital or an opening quote; sentences shorter than 20 characters join the next)."""
    body = " ".join(split_article(text)[1])
    out, start, parts = [], 0, []
    for m in SENTENCE_END.finditer(body):
        parts.append(body[start:m.end()].strip())
        start = m.end()
    parts.append(body[start:].strip())
    for part in parts:
        if out and len(out[-1]) < 20:
            out[-1] += " " + part
        elif len(out) < k:
            out.append(part)
        else:
            break
    return " ".join(out).strip()


def other_docs(rng, docs_by_label, label, k):
    """k articles of labels other than `label` when possible (as headlines() does for titles)."""
    others = [lab for lab in sorted(docs_by_label) if lab != label and docs_by_label[lab]]
    return [rng.choice(docs_by_label[rng.choice(others) if others else label]) for _ in range(k)]


def teasers(rng, docs_by_label, label):
    """(heading, [(headline, date line or None, summary, "Read more" or None)]) of 3-6 other stories."""
    shape = rng.randrange(3)
    items = []
    for d in other_docs(rng, docs_by_label, label, rng.randint(3, 6)):
        items.append((split_article(d["text"])[0], rng.choice(WHEN) if shape == 1 else None,
                      sentences(d["text"], rng.randint(1, 2)), "Read more" if shape == 2 else None))
    return rng.choice(TEASER_HEADINGS), items


def comments(rng, docs_by_label, label):
    """(heading, [(name, date, [paragraphs], reply line)]) of 2-6 reader comments."""
    posts = []
    for d in other_docs(rng, docs_by_label, label, rng.randint(2, 6)):
        text = sentences(d["text"], rng.randint(1, 2))
        paras = [rng.choice(OPENERS) + " " + text] if rng.random() < 0.7 else [rng.choice(OPENERS), text]
        reply = rng.choice(REPLY_LINES)
        posts.append((rng.choice(NAMES), rng.choice(COMMENT_WHEN), paras,
                      reply % rng.randint(1, 40) if "%d" in reply else reply))
    heading = rng.choice(COMMENT_HEADINGS)
    return (heading % rng.randint(2, 300) if "%d" in heading else heading), posts


def newsletter(rng, docs_by_label, label):
    """(heading, paragraph) of a newsletter blurb naming three other stories."""
    heading, text = rng.choice(NEWSLETTERS)
    titles = [split_article(d["text"])[0] for d in other_docs(rng, docs_by_label, label, 3)]
    return heading, text % tuple(titles)


def prose_furniture(rng, docs_by_label, label):
    """The prose furniture of one page: teasers, then maybe comments and a newsletter blurb."""
    return (teasers(rng, docs_by_label, label),
            comments(rng, docs_by_label, label) if rng.random() < 0.6 else None,
            newsletter(rng, docs_by_label, label) if rng.random() < 0.6 else None)


def prose_lines(parts):
    """prose_furniture() as text lines (one paragraph per line, as scrapers emit)."""
    (heading, items), posts, blurb = parts
    lines = ["", heading]
    for head, when, summary, more in items:
        lines += [head] + ([when] if when else []) + [summary] + ([more] if more else [])
    if blurb:
        lines += ["", blurb[0], blurb[1], "Sign up"]
    if posts:
        lines += ["", posts[0]]
        for name, when, paras, reply in posts[1]:
            lines += [name, when] + paras + [reply]
    return lines


def prose_html(rng, parts):
    """prose_furniture() as markup: cards in a <section>, a newsletter <div>, a comments <section>."""
    e = html.escape
    (heading, items), posts, blurb = parts
    card = "li" if rng.random() < 0.5 else "div"
    cards = "".join("<%s class=\"card\"><h3><a href=\"/story\">%s</a></h3>%s<p>%s</p>%s</%s>" % (
        card, e(h), "<time>%s</time>" % e(w) if w else "", e(s),
        "<a href=\"/story\">%s</a>" % e(m) if m else "", card) for h, w, s, m in items)
    out = ["<section class=\"more\"><h2>%s</h2>%s</section>" % (e(heading), "<ul>%s</ul>" % cards if card == "li" else cards)]
    if blurb:
        out.append("<div class=\"newsletter\"><h3>%s</h3><p>%s</p><form><input type=\"email\">"
                   "<button>Sign up</button></form></div>" % (e(blurb[0]), e(blurb[1])))
    if posts:
        out.append("<section id=\"comments\"><h2>%s</h2>%s</section>" % (e(posts[0]), "".join(
            "<div class=\"comment\"><p class=\"author\">%s</p><time>%s</time>%s<a href=\"#\">%s</a></div>" % (
                e(n), e(w), "".join("<p>%s</p>" % e(p) for p in paras), e(r)) for n, w, paras, r in posts[1])))
    return out


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
    p.add_argument("--prose", action="store_true", help="add prose furniture: teaser lists, reader comments, "
                   "a newsletter blurb (noisy[-html]-prose-<name>)")
    p.add_argument("--split", default="test", choices=("test", "train"),
                   help="compose from these splits (default test; train to develop rules on)")
    args = p.parse_args(argv)
    if args.input:
        names = [os.path.splitext(os.path.basename(f))[0] for f in args.input]
        docs = dict(zip(names, (read_jsonl(f) for f in args.input)))
        return write_pages(args, names, docs)
    if not os.path.isdir(args.corpora):
        print("noisy_pages: corpora not found at %s (set TEXTCLASS_CORPORA)" % args.corpora, file=sys.stderr)
        return 77
    names = [n for n in args.corpus or list(DEFAULT_CORPORA)
             if os.path.exists(os.path.join(args.corpora, n, args.split + ".jsonl"))]
    docs = {n: read_jsonl(os.path.join(args.corpora, n, args.split + ".jsonl")) for n in names}
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
    # The prose pool (--prose): every chosen corpus's articles by label, in input order.
    articles = {}
    for n in names:
        for d in docs[n] if args.prose else []:
            articles.setdefault(label_of(d), []).append(d)
    for n in names:
        rng = random.Random("%d:%s" % (args.seed, n))
        kind = ("noisy-html-" if args.html else "noisy-") + ("prose-" if args.prose else "")
        path = os.path.join(out, "%s%s.jsonl" % (kind, n))
        with open(path, "w", encoding="utf-8") as f:
            for d in docs[n]:
                rec = {"id": kind + d["id"], "text": (compose_html if args.html else compose)(rng, d, pool, articles)}
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
