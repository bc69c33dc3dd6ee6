"""Training recipes side by side: their cross-validation reports, writer by writer.

    python -m lenet5.eval.recipes NAME=runs/cv-a/crossval.json NAME=runs/cv-b/crossval.json ...

Each report (from ``python -m lenet5.eval.crossval``, on the same writers and folds) gives every
writer's accuracy read by the fold net that never saw them. For each recipe: the mean over
writers, the worst writer, the 10th percentile, the weakest class, MNIST test, whole numbers
where the report has them; against the first recipe, how many writers it reads better and
worse. Choosing the best of k recipes by these figures flatters the winner, so the report also
says by how much (:func:`choice_optimism`). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from lenet5.train.layouts import LAYOUTS


def table(report: dict) -> dict[str, float]:
    """``{writer: accuracy}`` of a cross-validation report (every held-out writer)."""
    return {w: v["accuracy"] for w, v in report["summary"]["per_writer"].items()}


def folds(report: dict) -> list[list[str]]:
    """The writers of each fold, as the report's ``per_writer`` keys."""
    return [[str(w) for w in f["writers"]] for f in report["folds"].values()]


def figures(report: dict) -> dict:
    """One recipe's headline figures: per writer, per class, MNIST, whole numbers."""
    s = report["summary"]
    out = {"writer_mean": s["writer_mean"], "worst_writer": s["worst_writer"],
           "writer_p10": s["writer_p10"], "worst_class": s["worst_class"],
           "worst_class_accuracy": s["per_class_mean"][s["worst_class"]],
           "mnist_test_mean": s["mnist_test_accuracy"]["mean"],
           "mnist_test_min": s["mnist_test_accuracy"]["min"]}
    for how in LAYOUTS:
        if f"number_accuracy_{how}" in s:
            out[f"numbers_{how}"] = s[f"number_accuracy_{how}"]["mean"]
    return out


def paired(base: dict[str, float], other: dict[str, float]) -> dict:
    """How many writers ``other`` reads better, worse and the same as ``base``, and the mean
    and largest changes (accuracy, in ``[-1, 1]``)."""
    d = np.array([other[w] - base[w] for w in base])
    return {"better": int((d > 1e-9).sum()), "worse": int((d < -1e-9).sum()),
            "same": int((np.abs(d) <= 1e-9).sum()), "mean_change": round(float(d.mean()), 6),
            "largest_gain": round(float(d.max()), 6), "largest_loss": round(float(d.min()), 6)}


def score(accs: dict[str, float], writers: list[str], by: str) -> float:
    """A recipe's figure on ``writers``: their mean (``by="mean"``) or their worst."""
    values = [accs[w] for w in writers]
    return float(np.mean(values) if by == "mean" else np.min(values))


def choice_optimism(tables: dict[str, dict[str, float]], fold_writers: list[list[str]],
                    by: str = "mean") -> dict:
    """How much choosing the best recipe flatters it, nested by fold: for each fold, the
    recipe best on the other folds' writers is scored on this fold's, against the best
    recipe's score on this fold (what choosing on every writer claims). ``optimism``: the mean
    gap over folds, accuracy in ``[0, 1]``; ``picked``: how often each recipe was chosen."""
    names = list(tables)
    chosen, claimed, picks = [], [], dict.fromkeys(names, 0)
    for k, held in enumerate(fold_writers):
        rest = [w for j, f in enumerate(fold_writers) if j != k for w in f]
        pick = max(names, key=lambda n: (score(tables[n], rest, by), -names.index(n)))
        picks[pick] += 1
        chosen.append(score(tables[pick], held, by))
        claimed.append(max(score(t, held, by) for t in tables.values()))
    return {"by": by, "k": len(names), "chosen_on_other_folds": round(float(np.mean(chosen)), 6),
            "best_on_the_fold": round(float(np.mean(claimed)), 6),
            "optimism": round(float(np.mean(claimed) - np.mean(chosen)), 6), "picked": picks}


def compare(reports: dict[str, dict]) -> dict:
    """The comparison as ``python -m lenet5.eval.recipes`` prints it; the first report is the
    base. Raises ValueError for reports over different writers or folds."""
    names = list(reports)
    tables = {n: table(r) for n, r in reports.items()}
    split = folds(reports[names[0]])
    for n in names[1:]:
        if sorted(map(sorted, folds(reports[n]))) != sorted(map(sorted, split)):
            raise ValueError(f"{n}: other writers or folds than {names[0]}")
    return {"recipes": {n: figures(r) for n, r in reports.items()},
            "against_" + names[0]: {n: paired(tables[names[0]], tables[n]) for n in names[1:]},
            "choice": [choice_optimism(tables, split, by) for by in ("mean", "worst")]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.recipes",
                                description=__doc__.split("\n")[0])
    p.add_argument("reports", nargs="+", metavar="NAME=CROSSVAL.json")
    a = p.parse_args(argv)
    reports = {}
    for item in a.reports:
        name, _, path = item.rpartition("=")
        try:
            reports[name or path] = json.loads(Path(path).read_text())
        except (OSError, ValueError) as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 2
    try:
        print(json.dumps(compare(reports), indent=1))
    except (KeyError, ValueError) as e:
        print(f"not comparable: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
