"""Pen-drawn digits as training data: drawn on a canvas the way people draw, then prepared by
the app's own preprocessing.

MNIST was written with pencils on paper forms; the canvas is drawn with a round pen of one width,
and MNIST alone cannot teach that medium. Each pen-drawn digit (tablet strokes, y up) is drawn
``renders`` times on the 280-px canvas at a random place and size (:func:`strokes.placement`)
with a random brush width, and goes through :func:`lenet5.core.preprocess.preprocess` like a drawing
on the Draw page. Which writers may be used is the caller's business (:mod:`lenet5.train.writers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lenet5.core.predictor import Predictor
from lenet5.core.preprocess import preprocess
from lenet5.core.strokes import BRUSH, CANVAS, render_random
from lenet5.train import metrics, writers
from lenet5.train.data import read_jsonl, sha256_of
from lenet5.train.recipe import TrainConfig
from lenet5.train.variety import add_tails, resize_loops, vary

BRUSHES = (10, 30)  # brush widths drawn from, px: around the slider's default of 18


def renders(records: Sequence[dict], n: int, seed: int = 0,
            brushes: tuple[int, int] = BRUSHES, variety: float = 0.0, tails: float = 0.0,
            loops: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` canvas drawings of each record, preprocessed: ``(M, 28, 28) uint8 in [0, 255]``
    white on black and ``(M,) uint8`` labels, the first drawing of every record first;
    M <= ``n * len(records)`` (drawings the preprocessing refuses are left out). ``variety``:
    the strength of the simulated new writers' changes to the strokes, ``loops``: of their
    loops' resizing, ``tails``: how often a drawing gets a lead-in and a lead-out
    (:mod:`variety`)."""
    return _stack(_drawings(records, n, seed, brushes, variety, tails, loops))


def _drawings(records: Sequence[dict], n: int, seed: int, brushes: tuple[int, int],
              variety: float = 0.0, tails: float = 0.0, loops: float = 0.0
              ) -> list[list[tuple[np.ndarray, int]]]:
    """``n`` passes over ``records``, each a list of readable ``(digit, label)`` drawings."""
    rng = np.random.default_rng(seed)
    # generators of their own, so that places and brushes are drawn as without the variety
    other, joins, sizes = (np.random.default_rng([seed, k]) for k in (1, 2, 3))
    passes = []
    for _ in range(n):
        drawn = []
        for rec in records:
            brush = int(rng.integers(brushes[0], brushes[1] + 1))
            strokes = vary(rec["strokes"], other, variety) if variety else rec["strokes"]
            strokes = resize_loops(strokes, sizes, loops) if loops else strokes
            strokes = add_tails(strokes, joins, tails) if tails else strokes
            result = preprocess(render_random(strokes, rng, CANVAS, brush),
                                dark_background=True)
            if result.ok:
                drawn.append((np.round(result.image * 255).astype(np.uint8), int(rec["label"])))
        passes.append(drawn)
    return passes


def _stack(passes: list[list[tuple[np.ndarray, int]]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [p for drawn in passes for p in drawn]
    if not pairs:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.stack([d for d, _ in pairs]), np.array([label for _, label in pairs], np.uint8)


@dataclass(frozen=True)
class PenDigits:
    """Pen-drawn digits for training: ``x`` ``(M, 28, 28) uint8`` canvas drawings preprocessed
    as the app does, ``y`` ``(M,) uint8``; ``about`` says where they came from (for
    metrics.json); ``held_out`` holds the records of the writers kept out of training."""

    x: np.ndarray
    y: np.ndarray
    about: dict
    held_out: list[dict]
    first: int = 0  # x[:first] is one drawing of each digit


def first_drawings(pen_xy: PenDigits) -> np.ndarray:
    """One canvas drawing of each pen-drawn digit trained on: ``(K, 28, 28) uint8``."""
    return pen_xy.x[: pen_xy.first]


def digits(path: str | Path, n: int, fold: int, folds: int = writers.FOLDS,
           seed: int = 0, variety: float = 0.0, tails: float = 0.0,
           loops: float = 0.0) -> PenDigits:
    """:func:`renders` (``n`` each, ``variety``, ``tails``, ``loops`` as there) of the pen-drawn
    digits in ``path`` by every writer outside fold ``fold`` of ``folds`` (-1: all writers)."""
    records = list(read_jsonl(path))
    train, held = writers.split(records, fold, folds) if fold >= 0 else (records, [])
    passes = _drawings(train, n, seed, BRUSHES, variety, tails, loops)
    x, y = _stack(passes)
    about = {"source": Path(path).name, "sha256": sha256_of(path),
             "dataset": "UCI Pen-Based Recognition of Handwritten Digits (CC BY 4.0)",
             "digits": len(train), "renders": n, "images": len(y), "brushes": list(BRUSHES),
             "variety": variety, "tails": tails, "loops": loops,
             "writers": sorted({int(r["writer"]) for r in train}),
             "held_out_writers": sorted({int(r["writer"]) for r in held}),
             "held_out_fold": fold if fold >= 0 else None, "folds": folds}
    return PenDigits(x, y, about, held, len(passes[0]) if passes else 0)


def of_recipe(path: str | Path, cfg: TrainConfig, fold: int | None = None) -> PenDigits:
    """:func:`digits` as the recipe ``cfg`` asks for them (its renders, variety, tails, loops,
    folds and seed), holding out fold ``fold`` (default: the recipe's ``pen_holdout_fold``)."""
    return digits(path, cfg.pen_renders, cfg.pen_holdout_fold if fold is None else fold,
                  cfg.pen_folds, cfg.seed, cfg.pen_variety, cfg.pen_tails, cfg.pen_loops)


def held_out_score(predictor: Predictor, records: list[dict]) -> dict:
    """How ``predictor`` (a serving model) reads held-out writers' digits drawn on the canvas
    at brush 18, as ``python -m lenet5.evaluate --pendigits`` does: overall and per class."""
    if not records:
        return {}
    s = records_accuracy(predictor, records)
    return {"held_out_accuracy": round(s["pendigits_accuracy"], 6), "held_out_n": s["n"],
            "held_out_per_class": s["per_class"]}


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


def records_accuracy(predictor: Predictor, records: list[dict], seed: int = 0,
                     brush: int = BRUSH) -> dict:
    """Accuracy on these pen-drawn digit records drawn on the canvas at brush width ``brush``
    (unreadable drawings count as wrong): overall, per class, and the confusion matrix, as
    ``python -m lenet5.evaluate --pendigits`` prints it."""
    pred, labels = canvas_readings(predictor, records, seed, brush)
    ok = pred >= 0
    s = metrics.summary(labels, np.clip(pred, 0, 9))
    correct = pred == labels
    per_class = {str(k): round(float(correct[labels == k].mean()), 6) for k in range(10)}
    return {"pendigits_accuracy": float(correct.mean()), "n": int(len(labels)),
            "unreadable": int((~ok).sum()), "brush": brush, "per_class": per_class,
            "writers": sorted({int(r["writer"]) for r in records}),
            "confusion_matrix": s["confusion_matrix"]}
