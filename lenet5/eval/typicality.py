"""How often the page says a drawing "does not look like a digit" (:mod:`lenet5.core.typicality`).

    python -m lenet5.eval.typicality --data PATH/TO/mnist.npz \\
        [--pendigits PATH/TO/pendigits.jsonl.gz --pen-fold 0]

False alarms on MNIST's test digits and on pen-drawn digits (only writers the net never trained
on, with ``--pen-fold``), and the letters and shapes it catches (:mod:`lenet5.eval.scribbles`).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from lenet5.core import typicality
from lenet5.core.artifacts import TYPICALITY_FILE
from lenet5.core.predictor import Predictor
from lenet5.core.typicality import Typicality
from lenet5.eval.scribbles import confident_rate
from lenet5.train import writers
from lenet5.train.data import load_mnist, read_jsonl
from lenet5.train.pen import canvas_inputs


def check(t: Typicality, predictor: Predictor, data_path: str | None,
          pendigits: str | None, fold: int | None = None, folds: int = writers.FOLDS) -> dict:
    """Share of drawings found atypical: MNIST's test digits and pen-drawn digits (false
    alarms; only fold ``fold``'s writers if given), letters and shapes (wanted), and the share
    of those still read as a confident digit."""

    def atypical(x: np.ndarray) -> float:
        features = predictor.run_batch(x, keys=(typicality.LAYER,))[typicality.LAYER]
        return float(t.atypical(features).mean())

    data = load_mnist(data_path, val_size=5000)
    result = {"mnist_test_atypical": atypical(data.x_test.astype(np.float32) / 255)}
    if pendigits:
        x, ok = canvas_inputs(writers.held_out(read_jsonl(pendigits), fold, folds))
        result["pendigits_atypical"] = atypical(x[ok])
    scribbles = confident_rate(predictor, typicality=t)
    result.update(scribbles_atypical=scribbles["atypical"],
                  scribbles_still_confident=scribbles["confident"])
    return {k: round(v, 4) for k, v in result.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.typicality",
                                description=__doc__.split("\n")[0])
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--model", type=Path, help="serving model (default: the committed one)")
    p.add_argument("--pendigits", help="pen-drawn digits (.jsonl.gz)")
    writers.add_arguments(p)
    a = p.parse_args(argv)
    predictor = Predictor(a.model)
    path = predictor.path.parent / TYPICALITY_FILE
    t = typicality.load(path, predictor.sha256)
    if t is None:
        raise SystemExit(f"{path} is missing or was made for another model: rebuild it with "
                         "python -m lenet5.train.lookups --data PATH/TO/mnist.npz")
    print(json.dumps(check(t, predictor, a.data, a.pendigits, a.pen_fold, a.pen_folds)))


if __name__ == "__main__":
    main()
