"""Fit the segmentation's verifier (:mod:`lenet5.core.verifier`) on the training writers.

    python -m lenet5.train.verifier --pendigits PATH/TO/pendigits.jsonl.gz [--pen-fold 0]
        [--numbers 600] [--models models/] [--path-epochs 4]

Numbers of 2-6 digits by the writers the serving net trained on (never ``--pen-fold``'s) are
laid out apart, touching and joined (:mod:`lenet5.train.layouts`), cut and read as the page
reads them (:func:`lenet5.core.segment.candidates`), and each candidate is labelled by the
truth of the layout: one whole digit (at least :data:`WHOLE` of one digit's pen path, and at
most :data:`FOREIGN` of its own path from elsewhere: other digits, the ligature) or not. A
small network (one hidden layer, Adam) is fitted to the labels, then on the numbers' whole
paths (:mod:`lenet5.train.path_fit`), and saved beside the serving model. Prints one JSON
object: candidates, how many were one digit, the fit's accuracy on them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from lenet5.core import verifier as vf
from lenet5.core.artifacts import models_dir
from lenet5.core.grouping import WIDE_BRUSH
from lenet5.core.paths import WEIGHTS
from lenet5.core.reader import Reader
from lenet5.core.segment import Candidates, candidates
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.layouts import LAYOUTS, lay_out_owned, pick_numbers
from lenet5.train.path_fit import adam_step, candidate_gradients, fit_paths

WHOLE = 0.85  # a candidate holds this much of one digit's pen path, at least
FOREIGN = 0.15  # and at most this much of its own path is not that digit's

EPOCHS = 20
PATH_EPOCHS = 4  # passes over the numbers' paths after (benchmarks/segment_cuts.py)


def _arcs(lines: Sequence[np.ndarray], owner_of: dict, digits: int) -> np.ndarray:
    """``(digits + 1,)`` pen-path length per digit drawn by ``lines``, the last entry what
    belongs to none (a ligature, or a segment between two digits' points)."""
    out = np.zeros(digits + 1)
    for line in lines:
        who = np.array([owner_of.get((float(x), float(y)), -1) for x, y in line])
        seg = np.hypot(*np.diff(line, axis=0).T)
        same = (who[1:] == who[:-1]) & (who[1:] >= 0)
        np.add.at(out, np.where(same, who[1:], digits), seg)
    return out


def labels(c: Candidates, strokes: Sequence[np.ndarray], owners: Sequence[np.ndarray],
           digits: int, truth: Sequence[int] | None = None) -> np.ndarray:
    """``(N,) bool``: which of ``c``'s candidates are one whole digit, by the layout's truth
    (``owners``: per stroke, ``(n,)`` the digit of each point, -1 for a ligature); with
    ``truth`` (each digit's label), only those the net also reads as that digit."""
    owner_of: dict = {}
    for s, o in zip(strokes, owners, strict=True):
        for (x, y), k in zip(s, o, strict=True):
            owner_of.setdefault((float(x), float(y)), int(k))
    total = _arcs(list(strokes), owner_of, digits)[:-1]
    out = []
    for g in c.plans:
        for row, (i, j) in enumerate(g.spans, g.first):
            arc = _arcs([ln for p in g.pieces[i:j] for ln in p.lines], owner_of, digits)
            d = int(arc[:-1].argmax())
            whole = total[d] > 0 and arc[d] >= WHOLE * total[d]
            whole = whole and arc.sum() - arc[d] <= FOREIGN * arc.sum()
            read = truth is None or (not np.isnan(c.probs[row]).any()
                                     and int(c.probs[row].argmax()) == truth[d])
            out.append(bool(whole and read))
    return np.array(out, bool)


def examples(records: list[dict], reader: Reader, numbers: int, seed: int, right: bool = False
             ) -> tuple[np.ndarray, np.ndarray, list[tuple[Candidates, list[int]]]]:
    """``(N, F)`` verifier inputs and ``(N,) bool`` labels of the readable candidates of
    ``numbers`` numbers per layout (``right``: whole and read right, :func:`labels`), and each
    number's candidates (without their images) and digits, for :mod:`lenet5.train.path_fit`."""
    xs, ys, cut = [], [], []
    for k, how in enumerate(LAYOUTS):
        for n, number in enumerate(pick_numbers(records, numbers, seed + k)):
            rng = np.random.default_rng([seed, k, n])
            strokes, owners = lay_out_owned(number, rng, how=how)
            c = candidates(strokes, [WIDE_BRUSH] * len(strokes), reader)
            ok = ~np.isnan(c.inputs).any(1)
            xs.append(c.inputs[ok])
            digits = [int(r["label"]) for r in number]
            ys.append(labels(c, strokes, owners, len(number), digits if right else None)[ok])
            cut.append((replace(c, pre=[]), digits))
    return np.concatenate(xs), np.concatenate(ys), cut


def fit_verifier(x: np.ndarray, y: np.ndarray, cut: list[tuple[Candidates, list[int]]],
                 sha256: str, seed: int = 1, path_epochs: int = PATH_EPOCHS) -> vf.Verifier:
    """The verifier from :func:`examples`' output: fitted candidate by candidate (:func:`fit`),
    then on the numbers' whole paths (:func:`lenet5.train.path_fit.fit_paths`, ``path_epochs``
    passes; 0: not)."""
    y = y.astype(np.float64)
    verifier = fit(x, y, sha256, seed)
    if path_epochs:
        verifier = fit_paths(verifier, cut, WEIGHTS, x, y, epochs=path_epochs, seed=seed)
    return verifier


def fit(x: np.ndarray, y: np.ndarray, sha256: str, seed: int = 0, epochs: int = EPOCHS,
        batch: int = 256, rate: float = 1e-3) -> vf.Verifier:
    """The verifier's network fitted to ``(N, F)`` inputs and ``(N,)`` 0/1 labels by Adam on
    the cross-entropy, with weight decay (:func:`lenet5.train.path_fit.candidate_gradients`);
    inputs standardised."""
    rng = np.random.default_rng(seed)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    z = (x - mean) / scale
    params = [rng.normal(0, np.sqrt(2 / z.shape[1]), (z.shape[1], vf.HIDDEN)),
              np.zeros(vf.HIDDEN), rng.normal(0, np.sqrt(1 / vf.HIDDEN), vf.HIDDEN), np.zeros(())]
    moments = [(np.zeros_like(q), np.zeros_like(q)) for q in params]
    t = 0
    for _ in range(epochs):
        for rows in np.array_split(rng.permutation(len(z)), max(1, len(z) // batch)):
            t += 1
            adam_step(params, candidate_gradients(params, z[rows], y[rows]), moments, t, rate)
    w1, b1, w2, b2 = params
    return vf.Verifier(mean, scale, w1, b1, w2, float(b2), sha256)


def held_out_fold(root: Path) -> int:
    """The pen fold the serving model in ``root`` was trained without (its metrics.json)."""
    metrics = json.loads((root / "metrics.json").read_text())
    return int(metrics["pen"]["held_out_fold"])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.train.verifier",
                                description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--numbers", type=int, default=600, help="numbers per layout")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--models", help="the models folder (default: the app's)")
    p.add_argument("--path-epochs", type=int, default=PATH_EPOCHS,
                   help="passes over the numbers' whole paths after the candidate-by-candidate "
                        "fit (lenet5.train.path_fit; 0: none)")
    writers.add_arguments(p)
    a = p.parse_args(argv)
    root = Path(a.models) if a.models else models_dir()
    reader = Reader.load(root)
    if a.pen_fold is None:  # the writers the serving net never trained on stay out
        a.pen_fold = held_out_fold(root)
    train, _ = writers.split(read_jsonl(a.pendigits), a.pen_fold, a.pen_folds)
    if not train:
        p.error(f"no digits by writers outside pen fold {a.pen_fold} in {a.pendigits}")
    x, y, cut = examples(train, reader, a.numbers, a.seed)
    verifier = fit_verifier(x, y, cut, reader.sha256, a.seed, a.path_epochs)
    vf.save(verifier, root / vf.FILE)
    right = (verifier.log_odds(x) > 0) == y
    print(json.dumps({"candidates": len(y), "one_digit": int(y.sum()),
                      "fit_accuracy": round(float(right.mean()), 4),
                      "path_epochs": a.path_epochs,
                      "pen_fold_left_out": a.pen_fold, "file": str(root / vf.FILE)}))


if __name__ == "__main__":
    main()
