"""The lookup files training writes beside the modern net: what typical digits look like to it
(:mod:`lenet5.core.typicality`) and the training digits nearest a drawing
(:mod:`lenet5.core.neighbours`).

    python -m lenet5.train.lookups --data PATH/TO/mnist.npz [--pen PATH/TO/pendigits.jsonl.gz]

rebuilds both for the serving model in ``--model`` (as ``python -m lenet5.train`` does).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from lenet5.core import neighbours, typicality
from lenet5.core.artifacts import NEIGHBOURS_FILE, TYPICALITY_FILE, serving_path
from lenet5.core.predictor import Predictor
from lenet5.core.typicality import Typicality
from lenet5.train import pen, writers
from lenet5.train.data import Mnist, load_mnist


def bank_rows(n: int, size: int = typicality.BANK, seed: int = 0) -> np.ndarray:
    """The rows of ``n`` candidate digits the typicality bank keeps: ``(min(n, size),) int64``
    in ``[0, n)``, a random draw (the same for the same ``seed``)."""
    return np.random.default_rng(seed).permutation(n)[:size]


def fit_typicality(features: np.ndarray, held_out: np.ndarray, model_sha256: str,
                   k: int = typicality.K, size: int = typicality.BANK,
                   quantile: float = typicality.QUANTILE, seed: int = 0) -> Typicality:
    """A bank of ``size`` random rows of ``(N, D)`` training ``features`` (int8-quantised, as
    saved); the threshold at ``quantile`` of the ``held_out`` digits' distances."""
    rows = bank_rows(len(features), size, seed)
    t = Typicality(typicality.quantise(features[rows]), 0.0, model_sha256, k)
    threshold = float(np.quantile(t.distance(held_out), quantile))
    return Typicality(t.codes, threshold, model_sha256, k)


def bank_facts(n_mnist: int, n_pen: int, size: int = typicality.BANK,
               seed: int = 0) -> dict[str, int]:
    """What the bank drawn from ``n_mnist`` MNIST digits followed by ``n_pen`` pen drawings
    holds (for the pages to state, :func:`record`): how many of each it kept and drew from."""
    rows = bank_rows(n_mnist + n_pen, size, seed)
    kept_mnist = int((rows < n_mnist).sum())
    return {"bank_mnist": kept_mnist, "bank_pen": len(rows) - kept_mnist,
            "pool_mnist": n_mnist, "pool_pen": n_pen}


def record(path: Path, facts: dict[str, int]) -> None:
    """Add the whole numbers ``facts`` (how the file was made) to the ``.npz`` at ``path``, its
    arrays unchanged: the core's loaders read only the keys they know, so the file still loads
    for its model."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k not in facts}
    np.savez_compressed(path, **arrays, **{k: np.int64(v) for k, v in facts.items()})


def features_of(predictor: Predictor, images: np.ndarray) -> np.ndarray:
    """``(N, 28, 28) uint8`` digits -> ``(N, D) float32`` features of the typicality layer."""
    out = predictor.run_batch(images.astype(np.float32) / 255)[typicality.LAYER]
    return out.reshape(len(images), -1)


def typicality_for(predictor: Predictor, x_train: np.ndarray, x_val: np.ndarray) -> Typicality:
    """The bank for ``predictor``'s serving model from ``(N, 28, 28) uint8`` training digits;
    the threshold from held-out ``x_val``."""
    return fit_typicality(features_of(predictor, x_train), features_of(predictor, x_val),
                          predictor.sha256)


def build_neighbours(predictor: Predictor, x_train: np.ndarray, y_train: np.ndarray,
                     index: np.ndarray, size: int = neighbours.SIZE,
                     seed: int = 0) -> neighbours.Neighbours:
    """F6 activations of ``size`` random ``(N, 28, 28) uint8`` training digits."""
    rows = np.sort(np.random.default_rng(seed).permutation(len(x_train))[:size])
    x = x_train[rows]
    f6 = predictor.run_batch(x.astype(np.float32) / 255,
                             keys=(neighbours.LAYER,))[neighbours.LAYER]
    return neighbours.Neighbours(f6.reshape(len(x), -1).astype(np.float16), x,
                                 y_train[rows].astype(np.uint8),
                                 np.asarray(index)[rows].astype(np.int64), predictor.sha256)


def write_lookups(predictor: Predictor, out: Path, data: Mnist, n: int,
                  pen_xy: pen.PenDigits | None = None) -> None:
    """Write to ``out`` the typicality bank (drawn from the first ``n`` MNIST training digits and
    one drawing of each pen-drawn digit trained on; the threshold from the validation digits;
    what it holds recorded in it, :func:`bank_facts`) and the neighbours (F6 of the first
    ``n`` MNIST training digits, kept with their images)."""
    x, y, index = data.x_train[:n], data.y_train[:n], data.train_index[:n]
    typical = x if pen_xy is None else np.concatenate([x, pen.first_drawings(pen_xy)])
    typicality.save(typicality_for(predictor, typical, data.x_val), out / TYPICALITY_FILE)
    record(out / TYPICALITY_FILE, bank_facts(len(x), len(typical) - len(x)))  # for the pages
    neighbours.save(build_neighbours(predictor, x, y, index), out / NEIGHBOURS_FILE)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.train.lookups",
                                description=__doc__.split("\n")[0])
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--model", type=Path, help="serving model (default: the committed one); "
                   "the files are written beside it")
    p.add_argument("--pen", help="count one drawing of each of these pen-drawn digits as "
                   "typical, as training does (writers outside --pen-holdout-fold)")
    p.add_argument("--pen-holdout-fold", type=int, default=0)
    p.add_argument("--pen-folds", type=int, default=writers.FOLDS)
    p.add_argument("--seed", type=int, default=0, help="the training run's seed (validation)")
    a = p.parse_args(argv)
    model = a.model or serving_path()
    data = load_mnist(a.data, val_size=5000, seed=a.seed)
    pen_xy = pen.digits(a.pen, 1, a.pen_holdout_fold, a.pen_folds, a.seed) if a.pen else None
    predictor = Predictor(model)
    write_lookups(predictor, model.parent, data, len(data.x_train), pen_xy)
    print(json.dumps({"out": str(model.parent), "model_sha256": predictor.sha256}))


if __name__ == "__main__":
    main()
