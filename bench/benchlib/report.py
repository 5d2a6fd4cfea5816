"""The tables: one per task, per-label F1, accuracy by test source, how sure textclass's
macro-F1 difference from each peer is, and textclass/peer ratios.

Every table is Markdown with padded columns, so the same text reads well in a terminal and
renders in docs/benchmarks.md.
"""
from .metrics import paired_difference


def table(headers, rows, align=None):
    """A padded Markdown table; align is a string of 'l'/'r' per column (default: l then r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        return "| " + " | ".join(c.ljust(w) if a == "l" else c.rjust(w)
                                 for c, w, a in zip(r, widths, align)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2))
                          for w, a in zip(widths, align)) + "|"
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def num(x, digits=3):
    return "—" if x is None else "%.*f" % (digits, x)


def sig(x):
    """A measurement with about three significant figures."""
    if x is None:
        return "—"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3f" % x


def task_table(rows):
    headers = ["system", "accuracy", "macro-F1", "train s", "model MB", "load ms",
               "docs/s 1T", "MB/s 1T", "docs/s all", "MB/s all", "RSS train MB",
               "RSS label MB"]
    out = []
    for r in rows:
        if r.get("pending") or r.get("failed"):
            out.append([r["system"], r.get("pending") and "pending" or "failed"] +
                       ["—"] * (len(headers) - 2))
            continue
        e = r["eval"]
        r1 = r["rate1"] or (None, None, True)
        rn = r["rateN"] or (None, None, True)
        b1 = "" if r1[2] else "≥"
        bn = "" if rn[2] else "≥"
        out.append([r["system"], num(e["accuracy"]), num(e["macro_f1"]), sig(r["train_s"]),
                    sig(r["model_mb"]), sig(r["load_s"] * 1000), b1 + sig(r1[0]), b1 + sig(r1[1]),
                    bn + sig(rn[0]) if rn[0] else "1T only", bn + sig(rn[1]) if rn[1] else "—",
                    sig(r["rss_train_mb"]), sig(r["rss_label_mb"])])
    return table(headers, out)


def predictors(rows):
    """One row per distinct predictor (tool-only and end-to-end rows share predictions)."""
    seen, out = set(), []
    for r in rows:
        if "eval" in r and r["predictor"] not in seen:
            seen.add(r["predictor"])
            out.append(r)
    return out


def per_label_table(rows, gold_labels):
    preds = predictors(rows)
    supports = {}
    for r in preds:
        for lab, v in r["eval"]["per_label"].items():
            supports[lab] = v["support"]
    headers = ["label (support)"] + [r["predictor"] for r in preds]
    out = []
    for lab in sorted(set(gold_labels) | set(supports)):
        cells = ["%s (%d)" % (lab, supports.get(lab, 0))]
        for r in preds:
            v = r["eval"]["per_label"].get(lab)
            cells.append(num(v["f1"]) if v else "—")
        out.append(cells)
    return table(headers, out)


def by_source_table(rows):
    preds = predictors(rows)
    sources = []
    for r in preds:
        for s in r.get("by_source", {}):
            if s not in sources:
                sources.append(s)
    headers = ["test source (docs)"] + [r["predictor"] for r in preds]
    out = []
    for s in sources:
        n = next(r["by_source"][s][1] for r in preds if s in r.get("by_source", {}))
        out.append(["%s (%d)" % (s, n)] +
                   [num(r["by_source"][s][0]) if s in r.get("by_source", {}) else "—"
                    for r in preds])
    return table(headers, out)


def by_topic_table(rows):
    """Test sources the task has no training split of, by their own topic ("agnews World ->
    other"): each system's accuracy there and the label it gave most often instead, with its
    share ("0.712, politics 0.254"). Empty when every test source has a training split."""
    preds = [r for r in predictors(rows) if r.get("by_topic")]
    topics = []
    for r in preds:
        for t in r["by_topic"]:
            if t not in topics:
                topics.append(t)
    if not topics:
        return ""
    headers = ["topic -> gold label (docs)"] + [r["predictor"] for r in preds]
    out = []
    for t in topics:
        gold = t.rsplit(" -> ", 1)[1]
        n = next(sum(r["by_topic"][t].values()) for r in preds if t in r["by_topic"])
        cells = []
        for r in preds:
            counts = r["by_topic"].get(t)
            if not counts:
                cells.append("—")
                continue
            total = sum(counts.values())
            wrong = sorted(((c, str(p)) for p, c in counts.items() if p != gold), reverse=True)
            cell = num(counts.get(gold, 0) / total)
            if wrong:
                cell += ", %s %s" % (wrong[0][1], num(wrong[0][0] / total))
            cells.append(cell)
        out.append(["%s (%d)" % (t, n)] + cells)
    return table(headers, out)


def difference_table(rows, gold, reference="textclass", others=None):
    """The reference system's row (textclass, or textclass --grid) against each of the
    others (default: every other row; for a reference other than textclass, the peers' rows
    only) on the same test documents: the macro-F1 difference with its 95% paired bootstrap
    interval, the documents only one of the two labels right, and the exact McNemar p of that
    split (metrics.paired_difference). Empty without the reference's labels or another row."""
    tc = next((r for r in rows if r["system"] == reference and r.get("pred")), None)
    if tc is None:
        return ""
    if others is None:
        others = [r["system"] for r in rows
                  if reference == "textclass" or not r["system"].startswith("textclass")]
    headers = ["peer", "macro-F1 %s - peer" % reference, "95% interval",
               "right only by %s" % reference, "right only by the peer", "McNemar p"]
    out = []
    for r in rows:
        if r is tc or not r.get("pred") or r["system"] not in others:
            continue
        d = paired_difference(gold, tc["pred"], r["pred"])
        out.append([r["system"], "%+.3f" % d["diff"], "%+.3f .. %+.3f" % (d["lo"], d["hi"]),
                    str(d["only_a"]), str(d["only_b"]),
                    "%.2g" % d["p"] if d["p"] > 0 else "<1e-300"])  # (below a double's range)
    return table(headers, out, "l" + "r" * (len(headers) - 1)) if out else ""


def ratio(a, b, prefix=""):
    if a is None or b is None or b == 0:
        return "—"
    return prefix + "%.2f" % (a / b)


def rate_ratio(tc, peer):
    """textclass docs/s over the peer's; '≤' when the peer's figure is only a lower bound,
    '≥' when textclass's is."""
    prefix = "≤" if not peer[2] else ("≥" if not tc[2] else "")
    if not peer[2] and not tc[2]:
        return "?"
    return ratio(tc[0], peer[0], prefix)


def ratios_table(results):
    """textclass / peer for each task and peer row; 'pending' when textclass has not run."""
    headers = ["task", "peer", "macro-F1", "train time", "model size", "load time",
               "docs/s 1T", "docs/s all", "RSS label"]
    out = []
    for task, rows in results:
        tc = next((r for r in rows if r["system"] == "textclass"), None)
        for r in rows:
            if r["system"] == "textclass" or "eval" not in r:
                continue
            if tc is None or "eval" not in tc:
                out.append([task, r["system"]] + ["pending"] * (len(headers) - 2))
                continue
            peer_all = r["rateN"] or r["rate1"]
            out.append([task, r["system"],
                        ratio(tc["eval"]["macro_f1"], r["eval"]["macro_f1"]),
                        ratio(tc["train_s"], r["train_s"]), ratio(tc["model_mb"], r["model_mb"]),
                        ratio(tc["load_s"], r["load_s"]), rate_ratio(tc["rate1"], r["rate1"]),
                        rate_ratio(tc["rateN"] or tc["rate1"], peer_all),
                        ratio(tc["rss_label_mb"], r["rss_label_mb"])])
    return table(headers, out, "ll" + "r" * (len(headers) - 2))
