"""Evaluate the committed serving model.

    python -m lenet5.evaluate --mnist ../shared/data/mnist.npz [--min-accuracy 0.994]
    python -m lenet5.evaluate --pendigits ../shared/data/pendigits-train.jsonl.gz

``--mnist`` scores the full MNIST test set; ``--pendigits`` renders each pen-drawn digit onto a
280x280 canvas as the app's canvas would and runs the app's own preprocessing and model. Each
prints one JSON object; ``--min-accuracy X`` makes the command exit 1 below X.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from lenet5 import metrics, writers
from lenet5.data import read_npz
from lenet5.inference import SERVING_PATH, Predictor
from lenet5.preprocess import preprocess
from lenet5.strokes import BRUSH, CANVAS, read_jsonl, render_random


class Average:
    """Several serving models read as one (an ensemble): the mean of their probabilities."""

    def __init__(self, *predictors: Predictor):
        self.predictors = predictors

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """``(N, 28, 28)`` digits -> ``(N, 10) float32``, the models' mean probabilities."""
        return np.mean([p.probabilities(x) for p in self.predictors], axis=0)


def mnist_accuracy(predictor: Predictor, path: str | Path) -> dict:
    """Accuracy of ``predictor`` on the MNIST test set in the npz at ``path``."""
    arrays = read_npz(path)
    x = arrays["x_test"].astype(np.float32) / 255.0
    pred = predictor.probabilities(x).argmax(1)
    s = metrics.summary(arrays["y_test"], pred)
    return {"mnist_test_accuracy": s["accuracy"], "n": s["n"], "per_class": s["per_class"]}


def canvas_inputs(records: list[dict], seed: int = 0, brush: int = BRUSH,
                  size: int = CANVAS) -> tuple[np.ndarray, np.ndarray]:
    """Render and preprocess pen-drawn digits like the app does.

    Returns ``(N, 28, 28) float32`` network inputs (all zeros where preprocessing found nothing
    to read) and a ``(N,) bool`` mask of the readable ones.
    """
    rng = np.random.default_rng(seed)
    x = np.zeros((len(records), 28, 28), np.float32)
    ok = np.zeros(len(records), bool)
    for i, rec in enumerate(records):
        result = preprocess(render_random(rec["strokes"], rng, size, brush), dark_background=True)
        if result.ok:
            x[i], ok[i] = result.image, True
    return x, ok


def canvas_readings(predictor: Predictor, records: list[dict], seed: int = 0,
                    brush: int = BRUSH) -> tuple[np.ndarray, np.ndarray]:
    """Pen-drawn digits read as drawings on the app's canvas: ``(N,) int`` digits read (-1
    where preprocessing found nothing to read) and their ``(N,) int`` labels."""
    x, ok = canvas_inputs(records, seed, brush)
    pred = np.where(ok, predictor.probabilities(x).argmax(1), -1)
    return pred, np.array([r["label"] for r in records])


def pendigits_accuracy(predictor: Predictor, path: str | Path, seed: int = 0,
                       brush: int = BRUSH, fold: int | None = None,
                       folds: int = writers.FOLDS) -> dict:
    """Accuracy on pen-drawn digits rendered at brush width ``brush`` (only fold ``fold``'s
    writers, if given); unreadable count as wrong."""
    return records_accuracy(predictor, writers.held_out(read_jsonl(path), fold, folds), seed,
                            brush)


def records_accuracy(predictor: Predictor, records: list[dict], seed: int = 0,
                     brush: int = BRUSH) -> dict:
    """:func:`pendigits_accuracy` of these pen-drawn digit records."""
    pred, labels = canvas_readings(predictor, records, seed, brush)
    ok = pred >= 0
    s = metrics.summary(labels, np.clip(pred, 0, 9))
    correct = pred == labels
    per_class = {str(k): round(float(correct[labels == k].mean()), 6) for k in range(10)}
    return {"pendigits_accuracy": float(correct.mean()), "n": int(len(labels)),
            "unreadable": int((~ok).sum()), "brush": brush, "per_class": per_class,
            "writers": sorted({int(r["writer"]) for r in records}),
            "confusion_matrix": s["confusion_matrix"]}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lenet5.evaluate",
                                description=__doc__.split("\n")[0])
    p.add_argument("--mnist", help="mnist.npz: score the full test set")
    p.add_argument("--pendigits", help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--model", default=str(SERVING_PATH), help="LiteRT serving model")
    p.add_argument("--average-with", action="append", default=[], metavar="MODEL",
                   help="also read with this serving model and average the probabilities "
                        "(an ensemble; repeatable)")
    p.add_argument("--brush", type=int, default=BRUSH, help="brush width for rendering, px")
    p.add_argument("--seed", type=int, default=0, help="seed for the random placement")
    writers.add_arguments(p)
    p.add_argument("--min-accuracy", type=float, help="exit 1 if an accuracy is below this")
    a = p.parse_args(argv)
    if not (a.mnist or a.pendigits):
        p.error("give --mnist PATH and/or --pendigits PATH")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    predictor = Predictor(a.model)
    if a.average_with:
        predictor = Average(predictor, *(Predictor(m) for m in a.average_with))
    result: dict = {}
    if a.mnist:
        result.update(mnist_accuracy(predictor, a.mnist))
    if a.pendigits:
        pen = pendigits_accuracy(predictor, a.pendigits, a.seed, a.brush, a.pen_fold,
                                 a.pen_folds)
        if a.mnist:
            pen = {f"pendigits_{k}" if not k.startswith("pendigits") else k: v
                   for k, v in pen.items()}
        result.update(pen)
    print(json.dumps(result))
    accs = [v for k, v in result.items() if k.endswith("accuracy")]
    if a.min_accuracy is not None and min(accs) < a.min_accuracy:
        print(f"accuracy {min(accs):.4f} is below --min-accuracy {a.min_accuracy}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
