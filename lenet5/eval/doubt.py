"""When should the page say it is unsure? Candidate doubt rules, measured on letters, shapes and
digits of people the nets never saw.

    python -m lenet5.eval.doubt --mnist PATH/TO/mnist.npz --pendigits PATH/TO/pendigits.jsonl.gz

A drawn Z or L reads as a 2 at 100%, with typicality distances below those of most digits:
neither the softmax nor :mod:`lenet5.core.typicality` doubts them. This script compares, on the
same drawings:

``today``
    the modern net's confidence below ``analysis.UNSURE`` or its S4 features atypical (the
    committed ``typicality.npz``, threshold at 99% of MNIST validation digits).
``disagree``, ``average``
    today's rule, or the two nets read different digits / their averaged top probability is
    below ``AVERAGE``.
``recommended``
    confidence below ``UNSURE``, or the S4 distance above ``T_s4``, or the *classic* net's F6
    features far from those of the training digits of the class the modern net reads (cosine
    distance to the ``K``-th nearest, :meth:`lenet5.core.doubt.ClassBank.distance`) above
    ``T_f6``. Both thresholds
    are the ``QUANTILE`` (99.5%) of MNIST validation digits' distances: validation digits were
    held out of both nets' training and are never reported on.
``recommended_corners``
    ``recommended``, or a drawing read as 2 whose strokes turn sharply twice between long
    straight runs (:func:`sharp_corners`): a Z. Its parameters were chosen on pen digits of the
    writers the nets trained on (folds 1-4); it is reported on the others.

False alarms: MNIST test digits (no strokes: the corner rule does not apply) and the pen digits
of fold 0's writers (1, 6, 11, 16, 21, 26; both committed nets were trained without them), drawn
on the canvas as ``python -m lenet5.evaluate --pendigits`` does (brush 18) and once more with a
random brush, overall and per writer. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

import numpy as np

from lenet5.core import doubt
from lenet5.core import typicality as typ
from lenet5.core.artifacts import CLASSIC, TYPICALITY_FILE, serving_path
from lenet5.core.doubt import ClassBank, sharp_corners
from lenet5.core.predictor import LOGITS, Predictor, softmax
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import UNSURE
from lenet5.core.strokes import CANVAS, render_random
from lenet5.eval import scribbles
from lenet5.train import pen, writers
from lenet5.train.data import load_mnist, read_jsonl

F6, K, QUANTILE, BANK = doubt.LAYER, doubt.K, doubt.QUANTILE, doubt.BANK
AVERAGE = 0.6  # the "average" candidate: the nets' averaged top probability below this
CORNER_TOLERANCE, CORNER_TURN, CORNER_RUN = doubt.TOLERANCE, doubt.TURN, doubt.RUN
RULES = ("today", "disagree", "average", "recommended", "recommended_corners")


@dataclass(frozen=True)
class Signals:
    """What the page can compute for ``N`` drawings: both nets' probabilities ``(N, 10)``,
    the S4 typicality distance, the classic F6 class distance and the sharp corners (-1 where
    there are no strokes)."""

    modern: np.ndarray
    classic: np.ndarray
    s4: np.ndarray
    f6: np.ndarray
    corners: np.ndarray


class Nets:
    """The two committed nets, the S4 bank beside the modern one and a classic-F6 class bank."""

    def __init__(self, modern: Predictor, classic: Predictor, s4: typ.Typicality,
                 bank: ClassBank):
        self.modern, self.classic, self.s4, self.bank = modern, classic, s4, bank

    def signals(self, x: np.ndarray, corners: np.ndarray | None = None) -> Signals:
        """Signals of ``(N, 28, 28) float32`` preprocessed drawings."""
        m = self.modern.run_batch(x, keys=(LOGITS, typ.LAYER))
        c = self.classic.run_batch(x, keys=(LOGITS, F6))
        pm = softmax(m[LOGITS])
        return Signals(pm, softmax(c[LOGITS]), self.s4.distance(m[typ.LAYER]),
                       self.bank.distance(c[F6], pm.argmax(1)),
                       np.full(len(x), -1) if corners is None else np.asarray(corners))


@dataclass(frozen=True)
class Thresholds:
    s4: float
    f6: float
    s4_today: float


def flags(s: Signals, t: Thresholds) -> dict[str, np.ndarray]:
    """``(N,) bool`` per rule: does the page say it is unsure?"""
    conf = s.modern.max(1)
    today = (conf < UNSURE) | (s.s4 > t.s4_today)
    recommended = (conf < UNSURE) | (s.s4 > t.s4) | (s.f6 > t.f6)
    zed = (s.modern.argmax(1) == 2) & (s.corners >= 2)
    return {"today": today,
            "disagree": today | (s.modern.argmax(1) != s.classic.argmax(1)),
            "average": today | (((s.modern + s.classic) / 2).max(1) < AVERAGE),
            "recommended": recommended, "recommended_corners": recommended | zed}


def _rate(v: np.ndarray) -> float | None:
    return round(float(np.mean(v)), 4) if len(v) else None


def pen_drawings(records: list[dict], seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Each record drawn on the canvas at brush 18 (as ``lenet5.evaluate`` does) and once
    with a random brush (10-30 px), preprocessed: ``(M, 28, 28) float32``, the row of each
    drawing's record, ``M <= 2 * len(records)`` (unreadable drawings left out)."""
    x, ok = pen.canvas_inputs(records, seed)
    rows = list(np.flatnonzero(ok))
    images = list(x[ok])
    rng = np.random.default_rng(seed + 1)
    for i, rec in enumerate(records):
        brush = int(rng.integers(pen.BRUSHES[0], pen.BRUSHES[1] + 1))
        r = preprocess(render_random(rec["strokes"], rng, CANVAS, brush), dark_background=True)
        if r.ok:
            images.append(r.image)
            rows.append(i)
    return (np.stack(images) if images else np.zeros((0, 28, 28), np.float32),
            np.array(rows, int), [int(r["writer"]) for r in records])


def build(mnist, records_train: list[dict], bank_size: int = BANK,
          modern: Predictor | None = None, classic: Predictor | None = None) -> Nets:
    """The nets and the classic-F6 class bank: ``bank_size`` MNIST training digits and one
    canvas drawing of each pen digit of the writers the nets trained on."""
    modern = modern or Predictor(serving_path())
    classic = classic or Predictor(serving_path(CLASSIC))
    s4 = typ.load(modern.path.parent / TYPICALITY_FILE, modern.sha256)
    if s4 is None:
        raise SystemExit("the modern net's typicality.npz is missing or stale: "
                         "python -m lenet5.train.lookups --data PATH/TO/mnist.npz")
    x = mnist.x_train[:bank_size].astype(np.float32) / 255
    y = mnist.y_train[:bank_size]
    if records_train:
        px, py = pen.renders(records_train, 1, seed=0)
        x, y = np.concatenate([x, px.astype(np.float32) / 255]), np.concatenate([y, py])
    bank = ClassBank.of(classic.run_batch(x, keys=(F6,))[F6], y)
    return Nets(modern, classic, s4, bank)


def measure(mnist_path: str, pendigits_path: str, per_shape: int = 40, seed: int = 1,
            val_size: int = 5000, bank_size: int = BANK, fold: int = 0,
            folds: int = writers.FOLDS) -> dict:
    """Every rule's flag rate on each letter and shape (wanted) and on MNIST test and held-out
    pen writers' digits (false alarms), as one JSON-ready dict."""
    mnist = load_mnist(mnist_path, val_size=val_size)
    train_recs, held = writers.split(list(read_jsonl(pendigits_path)), fold, folds)
    nets = build(mnist, train_recs, bank_size)

    val = nets.signals(mnist.x_val.astype(np.float32) / 255)
    t = Thresholds(float(np.quantile(val.s4, QUANTILE)), float(np.quantile(val.f6, QUANTILE)),
                   nets.s4.threshold)
    result: dict = {"rule": {
        "recommended": "doubtful if p_modern_max < UNSURE or s4_distance > T_s4 or "
                       "classic_f6_class_distance > T_f6",
        "UNSURE": UNSURE, "T_s4": round(t.s4, 4), "T_f6": round(t.f6, 4),
        "T_s4_today": round(t.s4_today, 4), "quantile": QUANTILE, "k": K,
        "f6_bank": int(len(nets.bank.labels)),
        "corners": {"read_as": 2, "min_corners": 2, "tolerance": CORNER_TOLERANCE,
                    "turn_deg": CORNER_TURN, "run": CORNER_RUN},
        "thresholds_from": f"MNIST validation digits (n={len(mnist.x_val)})"}}

    test = flags(nets.signals(mnist.x_test.astype(np.float32) / 255), t)
    misread = nets.modern.probabilities(mnist.x_test.astype(np.float32) / 255).argmax(1) \
        != mnist.y_test
    result["mnist_test"] = {"n": int(len(mnist.x_test)), "misread": int(misread.sum()),
                            **{r: {"flagged": _rate(f), "misread_flagged": _rate(f[misread]),
                                   "correct_flagged": _rate(f[~misread])}
                               for r, f in test.items()}}

    x, rows, who = pen_drawings(held)
    corners = np.array([sharp_corners(held[i]["strokes"]) for i in rows], int)
    pen_flags = flags(nets.signals(x, corners), t) if len(x) else {r: np.zeros(0, bool)
                                                                  for r in RULES}
    writer = np.array([who[i] for i in rows], int)
    result["pen_held_out"] = {"n": int(len(x)), "writers": sorted(set(who)), **{
        r: {"flagged": _rate(f), "worst_writer": max(
            (_rate(f[writer == w]) for w in set(who) if (writer == w).any()), default=None),
            "per_writer": {str(w): _rate(f[writer == w]) for w in sorted(set(who))}}
        for r, f in pen_flags.items()}}

    shapes = {**scribbles.SHAPES, **scribbles.LETTERS}
    images, labels, strokes = scribbles.sketches(per_shape * len(shapes), seed, shapes)
    pre = [preprocess(img, dark_background=True) for img in images]
    ok = np.array([p.ok for p in pre])
    xs = np.stack([p.image if p.ok else np.zeros((28, 28), np.float32) for p in pre])
    sig = nets.signals(xs, np.array([sharp_corners(s) for s in strokes]))
    shape_flags = flags(sig, t)
    labels = np.array(labels)
    read = sig.modern.argmax(1)
    result["shapes"] = {"per_shape": per_shape, "seed": seed, "lookalikes": scribbles.LOOKALIKES,
                        "read_as": {n: int(np.bincount(read[labels == n], minlength=10).argmax())
                                    for n in shapes}}
    others = ~np.isin(labels, list(scribbles.LETTERS))
    for r, f in shape_flags.items():
        f = f | ~ok  # nothing to read: the page says so, which is no confident digit either
        result["shapes"][r] = {"all": _rate(f), "SHAPES": _rate(f[others]),
                               "LETTERS": _rate(f[~others]),
                               "per_kind": {n: _rate(f[labels == n]) for n in shapes}}
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.doubt",
                                description=__doc__.split("\n")[0])
    p.add_argument("--mnist", required=True, help="path to mnist.npz")
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl.gz)")
    p.add_argument("--per-shape", type=int, default=40, help="drawings of each letter/shape")
    p.add_argument("--seed", type=int, default=1, help="seed of the letters and shapes")
    p.add_argument("--val-size", type=int, default=5000,
                   help="MNIST validation digits (as training held out; thresholds from them)")
    p.add_argument("--bank", type=int, default=BANK, help="MNIST digits in the classic F6 bank")
    a = p.parse_args(argv)
    print(json.dumps(measure(a.mnist, a.pendigits, a.per_shape, a.seed, a.val_size, a.bank)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
