"""Which reading should the page call Prediction? The committed nets alone and combined, on the
writers both nets were trained without, per writer, and on MNIST test.

    python -m lenet5.eval.combine --mnist PATH/mnist.npz --pendigits PATH [--models DIR]

Both committed nets hold out the pen writers of the fold named in their ``metrics.json`` (fold
0: writers 1, 6, 11, 16, 21, 26); the command refuses nets that held out different writers.
Each held-out digit is drawn on the canvas once (as ``python -m lenet5.evaluate --pendigits``
does) and read by both nets; every combination is then a function of the two nets'
probabilities. Choosing the best of k readings by a figure flatters that figure, so the report
also says by how much (:func:`choice_optimism`). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import CLASSIC, SERVING_FILE, models_dir
from lenet5.core.predictor import Predictor
from lenet5.core.strokes import BRUSH
from lenet5.eval.evaluate import by_writer
from lenet5.train.data import read_jsonl, read_npz
from lenet5.train.pen import canvas_inputs


def geometric_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-normalised ``sqrt(a * b)`` of two ``(N, 10)`` probability arrays: a digit both nets
    find likely beats one only one of them is sure of."""
    g = np.sqrt(a.astype(np.float64) * b)
    return (g / np.maximum(g.sum(1, keepdims=True), 1e-30)).astype(np.float32)


# the readings compared: (modern probabilities, 1998 probabilities) -> probabilities; fixed
# before measuring, and few, since each one more is one more chance to fit these six writers
COMBINATIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "modern": lambda m, c: m,
    "1998": lambda m, c: c,
    "mean": lambda m, c: (m + c) / 2,
    "geometric mean": geometric_mean,
}


def nets(folder: Path) -> tuple[Predictor, Predictor, list[int]]:
    """Both committed nets of a models folder and the writers both were trained without
    (ValueError when they differ: no writer could then be held out of both)."""
    held = []
    for sub in ("", CLASSIC):
        pen = json.loads((folder / sub / "metrics.json").read_text())["pen"]
        held.append(pen["held_out_writers"])
    if held[0] != held[1] or not held[0]:
        raise ValueError(f"the nets held out different writers: {held[0]} and {held[1]}")
    return Predictor(folder / SERVING_FILE), Predictor(folder / CLASSIC / SERVING_FILE), held[0]


def pen_table(modern: Predictor, classic: Predictor, records: list[dict], seed: int = 0,
              brush: int = BRUSH) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """``{reading: (N,) bool}`` which of ``records`` each reading gets right (unreadable
    drawings wrong), their labels and writers, each drawing rendered once for both nets."""
    x, ok = canvas_inputs(records, seed, brush)
    pm, pc = modern.probabilities(x), classic.probabilities(x)
    labels = np.array([r["label"] for r in records])
    right = {name: ok & (f(pm, pc).argmax(1) == labels) for name, f in COMBINATIONS.items()}
    return right, labels, np.array([r["writer"] for r in records])


def mnist_table(modern: Predictor, classic: Predictor, path: str | Path) -> dict[str, float]:
    """Each reading's MNIST test accuracy."""
    arrays = read_npz(path)
    x = arrays["x_test"].astype(np.float32) / 255.0
    pm, pc = modern.probabilities(x), classic.probabilities(x)
    return {name: round(float((f(pm, pc).argmax(1) == arrays["y_test"]).mean()), 6)
            for name, f in COMBINATIONS.items()}


def choice_optimism(right: dict[str, np.ndarray], ids: np.ndarray) -> dict:
    """How much choosing the best of these readings flatters its figure, by a nested split:
    for each way of halving the writers, choose the reading best on one half and score it on
    the other; compare with the best reading's score on that other half (what choosing on all
    writers would have claimed). ``optimism``: the mean gap, accuracy points in ``[0, 1]``."""
    ws = sorted(set(ids.tolist()))
    chosen, claimed, picks = [], [], {name: 0 for name in right}
    for half in itertools.combinations(ws, len(ws) // 2):
        a = np.isin(ids, half)
        pick = max(right, key=lambda name: (right[name][a].mean(), -list(right).index(name)))
        picks[pick] += 1
        chosen.append(right[pick][~a].mean())
        claimed.append(max(r[~a].mean() for r in right.values()))
    accs = [float(r.mean()) for r in right.values()]
    return {"k": len(right), "spread": round(max(accs) - min(accs), 6),
            "splits": len(chosen), "chosen_on_other_half": round(float(np.mean(chosen)), 6),
            "best_on_same_half": round(float(np.mean(claimed)), 6),
            "optimism": round(float(np.mean(claimed) - np.mean(chosen)), 6), "picked": picks}


def measure(folder: Path, pen_path: str | Path, mnist_path: str | Path | None = None,
            seed: int = 0, brush: int = BRUSH) -> dict:
    """The comparison as ``python -m lenet5.eval.combine`` prints it."""
    modern, classic, held = nets(folder)
    records = [r for r in read_jsonl(pen_path) if r["writer"] in held]
    right, labels, ids = pen_table(modern, classic, records, seed, brush)
    readings = {}
    for name, r in right.items():
        w = by_writer(r, ids.tolist())
        readings[name] = {"pendigits_accuracy": round(float(r.mean()), 6),
                          "writer_mean": round(float(np.mean(
                              [v["accuracy"] for v in w["per_writer"].values()])), 6),
                          "per_class": {str(k): round(float(r[labels == k].mean()), 6)
                                        for k in range(10)}, **w}
    out = {"held_out_writers": held, "n": len(records), "brush": brush, "readings": readings,
           "choice": choice_optimism(right, ids),
           "models": [str(modern.path), str(classic.path)]}
    if mnist_path:
        for name, acc in mnist_table(modern, classic, mnist_path).items():
            readings[name]["mnist_test_accuracy"] = acc
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.combine",
                                description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--mnist", help="mnist.npz: also each reading's MNIST test accuracy")
    p.add_argument("--models", type=Path, help="models folder (default: the app's)")
    p.add_argument("--brush", type=int, default=BRUSH, help="brush width for rendering, px")
    p.add_argument("--seed", type=int, default=0, help="seed for the random placement")
    a = p.parse_args(argv)
    try:
        print(json.dumps(measure(a.models or models_dir(), a.pendigits, a.mnist, a.seed,
                                 a.brush)))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
