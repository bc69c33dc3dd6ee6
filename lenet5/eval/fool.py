"""How small a change fools the nets: the "Fool it" attack (:mod:`lenet5.core.fool`) measured on
pen-drawn digits of writers the committed nets never trained on, for both budgets (L2, L-inf).

    python -m lenet5.eval.fool --pendigits PATH/pendigits-train.jsonl.gz [--per-writer 20]

Without ``--pen-fold``: the writers of the held-out fold in the modern net's metrics.json (both
committed nets trained without them). Each digit is drawn on the canvas as ``python -m
lenet5.evaluate --pendigits`` draws it and attacked towards the modern net's runner-up. Prints
one JSON object per budget: how often the modern net was made to read the target (checked by
the LiteRT serving model), the sizes of the changes (L2 and L-inf, median), how often the 1998
net read the target too, and the time of one attack (median, one BLAS thread as the app's
server); overall and per writer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from lenet5.core import fool, weights
from lenet5.core.artifacts import CLASSIC, WEIGHTS_FILE, model_file, serving_path
from lenet5.core.predictor import Predictor
from lenet5.train import pen, writers
from lenet5.train.data import read_jsonl


def summary(rows: list[dict]) -> dict:
    """Rows of one attack each -> the figures over them."""
    ok = [r for r in rows if r["fooled"]]
    return {"n": len(rows), "fooled": round(len(ok) / max(len(rows), 1), 4),
            "litert_reads_target": round(sum(r["served"] for r in ok) / max(len(ok), 1), 4),
            "l2_median": round(statistics.median(r["l2"] for r in ok), 3) if ok else None,
            "linf_median": round(statistics.median(r["linf"] for r in ok), 3) if ok else None,
            "classic_fooled": round(sum(r["classic"] for r in ok) / max(len(ok), 1), 4),
            "ms_p50": round(statistics.median(r["ms"] for r in rows), 2)}


def attack_all(x: np.ndarray, who: list[int], norm: str, nets: tuple) -> dict:
    modern, mw, cw = nets
    rows = []
    for image, writer in zip(x, who, strict=True):
        t = time.perf_counter()
        a = fool.fool(mw, image, modern(image).runner_up, cw, norm=norm)
        ms = (time.perf_counter() - t) * 1e3
        rows.append({"writer": writer, "fooled": a.fooled, "l2": a.l2, "linf": a.linf, "ms": ms,
                     "served": modern(a.image).digit == a.target,
                     "classic": bool(a.classic_fooled)})
    per = {str(w): summary([r for r in rows if r["writer"] == w]) for w in sorted(set(who))}
    out = {"norm": norm, "steps": fool.STEPS, **summary(rows), "per_writer": per}
    fooled = [v["fooled"] for v in per.values()]
    out["worst_writer_fooled"] = min(fooled) if fooled else None
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.fool")
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--per-writer", type=int, default=20, help="digits attacked per writer")
    p.add_argument("--seed", type=int, default=0)
    writers.add_arguments(p)
    a = p.parse_args(argv)
    fold, folds = a.pen_fold, a.pen_folds
    if fold is None:  # the writers the committed modern net was trained without
        held = json.loads(model_file("metrics.json").read_text())["pen"]
        fold, folds = held["held_out_fold"], held["folds"]
    records = writers.held_out(read_jsonl(a.pendigits), fold, folds)
    rng = np.random.default_rng(a.seed)
    chosen = []
    for w in sorted({r["writer"] for r in records}):
        mine = [r for r in records if r["writer"] == w]
        chosen += [mine[i] for i in rng.choice(len(mine), min(a.per_writer, len(mine)), False)]
    x, ok = pen.canvas_inputs(chosen, a.seed)
    who = [r["writer"] for r, k in zip(chosen, ok, strict=True) if k]
    modern, classic = Predictor(serving_path()), Predictor(serving_path(CLASSIC))
    mw = weights.load(model_file(WEIGHTS_FILE), modern.sha256)
    cw = weights.load(model_file(WEIGHTS_FILE, CLASSIC), classic.sha256)
    if mw is None:
        p.error("models/weights.npz is missing or stale: python -m lenet5.train.export --weights")
    with threadpool_limits(1):
        for norm in fool.NORMS:
            print(json.dumps(attack_all(x[ok], who, norm, (modern, mw, cw))))
    return 0


if __name__ == "__main__":
    main()
