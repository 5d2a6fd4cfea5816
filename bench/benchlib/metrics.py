"""The one evaluation function every system's predictions go through.

Every peer prints labels; nothing of a tool's own evaluation is used, so a figure in the
tables means the same thing in every row.
"""


def evaluate(gold, pred):
    """Score predicted labels against gold labels, one per document, in the same order.

    Returns a dict: n, accuracy, macro_f1 and per_label (label -> dict of precision,
    recall, f1, support). Macro-F1 averages F1 over the union of gold and predicted labels
    (scikit-learn's default), so a system that invents a label, or prints nothing for a
    document (pred None or ""), is penalised rather than ignored. A label that is never
    predicted and never gold does not exist here.
    """
    if len(gold) != len(pred):
        raise ValueError("evaluate: %d gold labels but %d predictions" % (len(gold), len(pred)))
    if not gold:
        raise ValueError("evaluate: no documents")
    missing = "(none)"
    pred = [p if p else missing for p in pred]
    labels = sorted(set(gold) | set(pred))
    tp = dict.fromkeys(labels, 0)
    n_pred = dict.fromkeys(labels, 0)
    n_gold = dict.fromkeys(labels, 0)
    correct = 0
    for g, p in zip(gold, pred):
        n_gold[g] += 1
        n_pred[p] += 1
        if g == p:
            tp[g] += 1
            correct += 1
    per_label = {}
    for lab in labels:
        prec = tp[lab] / n_pred[lab] if n_pred[lab] else 0.0
        rec = tp[lab] / n_gold[lab] if n_gold[lab] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_label[lab] = {"precision": prec, "recall": rec, "f1": f1, "support": n_gold[lab]}
    return {
        "n": len(gold),
        "accuracy": correct / len(gold),
        "macro_f1": sum(v["f1"] for v in per_label.values()) / len(labels),
        "per_label": per_label,
    }
