"""Evaluate the committed serving model.

    python -m lenet5.evaluate --mnist ../shared/data/mnist.npz [--min-accuracy 0.994]
    python -m lenet5.evaluate --pendigits ../shared/data/pendigits-train.jsonl.gz

``--mnist`` scores the full MNIST test set; ``--pendigits`` renders each pen-drawn digit onto a
280x280 canvas as the app's canvas would and runs the app's own preprocessing and model, and
says how each writer was read (``per_writer``, ``worst_writer``, ``writer_p10``). By default
digits are read as the page reads them (its Prediction, :class:`lenet5.core.reader.Reader`,
from the app's models folder, ``$LENET5_MODELS`` or ``models/``); ``--model M`` reads with
that serving model alone. Each prints one JSON object, with ``reading`` what was read (``page:
modern``, ``model``, ``mean of models``), ``model`` the serving model read (absolute path) and
``average_with`` the others averaged in, if any; ``--min-accuracy X`` makes the command exit 1
below X.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import serving_model_path
from lenet5.core.predictor import Predictor
from lenet5.core.reader import Reader
from lenet5.core.strokes import BRUSH
from lenet5.train import metrics, writers
from lenet5.train.data import read_jsonl, read_npz
from lenet5.train.pen import canvas_readings


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


def pendigits_accuracy(predictor: Predictor, path: str | Path, seed: int = 0,
                       brush: int = BRUSH, fold: int | None = None,
                       folds: int = writers.FOLDS) -> dict:
    """Accuracy on pen-drawn digits rendered at brush width ``brush`` (only fold ``fold``'s
    writers, if given); unreadable count as wrong. Also per writer (:func:`by_writer`)."""
    records = writers.held_out(read_jsonl(path), fold, folds)
    return readings_summary(*canvas_readings(predictor, records, seed, brush), records, brush)


def readings_summary(pred: np.ndarray, labels: np.ndarray, records: list[dict],
                     brush: int = BRUSH) -> dict:
    """What :func:`lenet5.train.pen.records_accuracy` says of ``(N,) int`` digits read (-1:
    unreadable, counted wrong) of ``records`` with ``(N,) int`` ``labels``, and per writer:
    the drawings rendered once serve both."""
    correct = pred == labels
    out = {"pendigits_accuracy": float(correct.mean()), "n": int(len(labels)),
           "unreadable": int((pred < 0).sum()), "brush": brush,
           "per_class": {str(k): round(float(correct[labels == k].mean()), 6)
                         for k in range(10)},
           "writers": sorted({int(r["writer"]) for r in records}),
           "confusion_matrix": metrics.confusion_matrix(labels, np.clip(pred, 0, 9)).tolist()}
    return {**out, **by_writer(correct, [r["writer"] for r in records])}


def per_writer(correct: np.ndarray, writer_ids: list[int]) -> dict[str, dict]:
    """``(N,) bool`` digits read right and each digit's writer -> ``{writer: {"accuracy",
    "n"}}``, writers in numeric order (keys are strings, as JSON has them)."""
    correct, ids = np.asarray(correct, bool), np.asarray(writer_ids, int)
    return {str(w): {"accuracy": round(float(correct[ids == w].mean()), 6),
                     "n": int((ids == w).sum())} for w in sorted(set(ids.tolist()))}


def writer_spread(table: dict[str, dict]) -> dict:
    """The worst writer (``{"writer", "accuracy", "n"}``) and the 10th percentile of the
    writers' accuracies (linear interpolation) of a :func:`per_writer` table. No key ends in
    ``accuracy``: ``--min-accuracy`` keeps gating the overall figures only."""
    worst = min(table, key=lambda w: (table[w]["accuracy"], int(w)))
    accs = [v["accuracy"] for v in table.values()]
    return {"worst_writer": {"writer": int(worst), **table[worst]},
            "writer_p10": round(float(np.percentile(accs, 10)), 6)}


def by_writer(correct: np.ndarray, writer_ids: list[int]) -> dict:
    """``per_writer``, ``worst_writer`` and ``writer_p10`` of digits read right or wrong."""
    table = per_writer(correct, writer_ids)
    return {"per_writer": table, **writer_spread(table)} if table else {}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lenet5.evaluate",
                                description=__doc__.split("\n")[0])
    p.add_argument("--mnist", help="mnist.npz: score the full test set")
    p.add_argument("--pendigits", help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--model", help="LiteRT serving model (default: the one the app reads, "
                   "in $LENET5_MODELS or models/)")
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


def reading(model: str | None, average_with: list[str]
            ) -> tuple[Reader | Predictor | Average, Path, list[Path], str]:
    """What to read with: by default the page's reading (:meth:`Reader.probabilities` of the
    app's models folder); with ``--model`` that net alone, with ``--average-with`` the mean.
    Returns the reader, the serving model's path, the others averaged in, and its name."""
    others = [serving_model_path(m) for m in average_with]
    if model is None and not others:
        reader = Reader.load()
        return reader, reader.modern.path, [], f"page: {reader.PREDICTION}"
    path = serving_model_path(model)
    predictor = Predictor(path)
    if not others:
        return predictor, path, [], "model"
    return Average(predictor, *(Predictor(m) for m in others)), path, others, "mean of models"


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    predictor, model, others, name = reading(a.model, a.average_with)
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
    result["model"], result["reading"] = str(model), name
    if others:
        result["average_with"] = [str(m) for m in others]
    print(json.dumps(result))
    accs = [v for k, v in result.items() if k.endswith("accuracy")]
    if a.min_accuracy is not None and min(accs) < a.min_accuracy:
        print(f"accuracy {min(accs):.4f} is below --min-accuracy {a.min_accuracy}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
