"""The one evaluation function every system's predictions go through.

Every peer prints labels; nothing of a tool's own evaluation is used, so a figure in the
tables means the same thing in every row. paired_difference says how sure a difference
between two systems is.
"""
import math


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


def _macro_f1_counts(tp, n_gold, n_pred):
    """Macro-F1 from per-label counts (the last axis: labels), as evaluate() averages it: over
    the labels that are gold or predicted at least once."""
    import numpy as np
    denom = n_gold + n_pred
    f1 = np.divide(2.0 * tp, denom, out=np.zeros(denom.shape), where=denom > 0)
    present = denom > 0
    return f1.sum(axis=-1) / present.sum(axis=-1)


def mcnemar_p(only_a, only_b):
    """Two-sided exact McNemar test: the probability, were both systems equally good, of a
    split of the discordant documents at least this uneven (binomial, p = 1/2)."""
    n, k = only_a + only_b, min(only_a, only_b)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1))
    return min(1.0, 2 * tail / 2 ** n)  # int / int: exact however large n is


def paired_difference(gold, a, b, rounds=2000, seed=1):
    """How sure is a macro-F1 difference between two systems' labels for the same documents?

    Returns a dict: diff (macro-F1 of a minus b, as evaluate() computes them), lo and hi (a 95%
    paired bootstrap interval of that difference: the documents resampled with replacement,
    the same resample for both systems, `rounds` times; percentile interval), only_a and only_b
    (documents one system labels right and the other wrong) and p (exact McNemar test on those).
    Needs numpy (which scikit-learn brings).
    """
    import numpy as np
    if not (len(gold) == len(a) == len(b)) or not gold:
        raise ValueError("paired_difference: %d gold, %d and %d labels" % (len(gold), len(a), len(b)))
    missing = "(none)"
    a = [p if p else missing for p in a]
    b = [p if p else missing for p in b]
    labels = sorted(set(gold) | set(a) | set(b))
    index = {lab: i for i, lab in enumerate(labels)}

    def one_hot(seq):
        m = np.zeros((len(seq), len(labels)))
        m[np.arange(len(seq)), [index[x] for x in seq]] = 1.0
        return m

    g, pa, pb = one_hot(gold), one_hot(a), one_hot(b)
    ta, tb = g * pa, g * pb
    full = np.ones(len(gold))
    diff = (_macro_f1_counts(full @ ta, full @ g, full @ pa) -
            _macro_f1_counts(full @ tb, full @ g, full @ pb))
    rng = np.random.default_rng(seed)
    diffs = []
    for start in range(0, rounds, 200):
        w = rng.multinomial(len(gold), np.full(len(gold), 1.0 / len(gold)),
                            size=min(200, rounds - start)).astype(float)
        ng = w @ g
        diffs.append(_macro_f1_counts(w @ ta, ng, w @ pa) - _macro_f1_counts(w @ tb, ng, w @ pb))
    lo, hi = np.percentile(np.concatenate(diffs), [2.5, 97.5])
    right_a = [x == y for x, y in zip(gold, a)]
    right_b = [x == y for x, y in zip(gold, b)]
    only_a = sum(1 for x, y in zip(right_a, right_b) if x and not y)
    only_b = sum(1 for x, y in zip(right_a, right_b) if y and not x)
    return {"diff": float(diff), "lo": float(lo), "hi": float(hi), "only_a": only_a,
            "only_b": only_b, "p": mcnemar_p(only_a, only_b)}
