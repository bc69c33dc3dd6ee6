"""Non-digit drawings (letters and shapes), and how often the network reads one as a digit.

    python -m lenet5.eval.scribbles [--n 600] [--seed 0] [--model PATH]

A demo is drawn on by strangers: they will write letters and shapes too. The page must then say
it is not sure (confidence below ``analysis.UNSURE``), that the drawing does not look like a
digit (:mod:`lenet5.core.typicality`, when its file lies beside the model) or that there is
nothing to read, rather than show a confident digit. Each shape is a list of strokes in the unit
square (y down), jittered (rotation, aspect, wobble) and drawn like a canvas drawing. Prints one
JSON object: the fractions read confidently, read unsure, said atypical and found unreadable,
overall, and the fraction read confidently per shape.
Letters that are digits in disguise (O, I, S, Z, B, G, q) are left out of SHAPES on purpose;
LETTERS holds more letters people draw, Z and S among them (:mod:`lenet5.eval.doubt` measures
them apart, :data:`LOOKALIKES` says which digit each of those resembles).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from lenet5.core import typicality as typ
from lenet5.core.artifacts import TYPICALITY_FILE
from lenet5.core.predictor import LOGITS, Predictor, softmax
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import UNSURE
from lenet5.core.strokes import CANVAS, render_random


def _circle(cx: float, cy: float, r: float, a0: float = 0, a1: float = 2 * np.pi, n: int = 24):
    t = np.linspace(a0, a1, n)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1).tolist()


SHAPES: dict[str, list] = {
    "A": [[[0, 1], [0.5, 0], [1, 1]], [[0.25, 0.55], [0.75, 0.55]]],
    "E": [[[1, 0], [0, 0], [0, 1], [1, 1]], [[0, 0.5], [0.7, 0.5]]],
    "F": [[[1, 0], [0, 0], [0, 1]], [[0, 0.5], [0.7, 0.5]]],
    "H": [[[0, 0], [0, 1]], [[1, 0], [1, 1]], [[0, 0.5], [1, 0.5]]],
    "K": [[[0, 0], [0, 1]], [[1, 0], [0, 0.55], [1, 1]]],
    "M": [[[0, 1], [0, 0], [0.5, 0.6], [1, 0], [1, 1]]],
    "N": [[[0, 1], [0, 0], [1, 1], [1, 0]]],
    "W": [[[0, 0], [0.25, 1], [0.5, 0.4], [0.75, 1], [1, 0]]],
    "X": [[[0, 0], [1, 1]], [[1, 0], [0, 1]]],
    "R": [[[0, 1], [0, 0], [0.8, 0.05], [0.85, 0.4], [0, 0.5], [0.9, 1]]],
    "square": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    "triangle": [[[0.5, 0], [1, 1], [0, 1], [0.5, 0]]],
    "star": [[[0.5, 0], [0.8, 1], [0, 0.35], [1, 0.35], [0.2, 1], [0.5, 0]]],
    "plus": [[[0.5, 0], [0.5, 1]], [[0, 0.5], [1, 0.5]]],
    "hash": [[[0.35, 0], [0.3, 1]], [[0.7, 0], [0.65, 1]], [[0, 0.35], [1, 0.35]],
             [[0, 0.7], [1, 0.7]]],
    "zigzag": [[[0, 0.3], [0.2, 0.7], [0.4, 0.3], [0.6, 0.7], [0.8, 0.3], [1, 0.7]]],
    "spiral": [np.stack([0.5 + t / 30 * np.cos(t), 0.5 + t / 30 * np.sin(t)], 1).tolist()
               for t in [np.linspace(0, 14, 60)]],
    "smiley": [_circle(0.5, 0.5, 0.5), _circle(0.5, 0.5, 0.3, 0.3, np.pi - 0.3, 12),
               _circle(0.33, 0.35, 0.03, n=6), _circle(0.67, 0.35, 0.03, n=6)],
    "arrow": [[[0, 0.5], [1, 0.5]], [[0.7, 0.2], [1, 0.5], [0.7, 0.8]]],
    "check": [[[0, 0.55], [0.35, 1], [1, 0]]],
}


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 14):
    """Points on an elliptic arc from angle ``a0`` to ``a1`` (y down, like SHAPES)."""
    t = np.linspace(a0, a1, n)
    return np.stack([cx + rx * np.cos(t), cy - ry * np.sin(t)], 1)


LETTERS: dict[str, list] = {
    "Z": [[[0, 0], [1, 0], [0, 1], [1, 1]]],
    "L": [[[0, 0], [0, 1], [0.8, 1]]],
    "S": [np.concatenate([_arc(0.5, 0.25, 0.45, 0.25, 0.1 * np.pi, 1.5 * np.pi, 12),
                          _arc(0.5, 0.75, 0.45, 0.25, 0.5 * np.pi, -0.9 * np.pi, 12)]).tolist()],
    "T": [[[0, 0], [1, 0]], [[0.5, 0], [0.5, 1]]],
    "V": [[[0, 0], [0.5, 1], [1, 0]]],
    "C": [_circle(0.5, 0.5, 0.5, 0.25 * np.pi, 1.75 * np.pi, 20)],
    "U": [[[0, 0], [0, 0.7], [0.2, 0.95], [0.5, 1], [0.8, 0.95], [1, 0.7], [1, 0]]],
    "Y": [[[0, 0], [0.5, 0.5], [1, 0]], [[0.5, 0.5], [0.5, 1]]],
}
LOOKALIKES = {"Z": 2, "S": 5, "C": 0}  # letters a reader may fairly take for these digits


def jitter(strokes: list, rng: np.random.Generator) -> list[np.ndarray]:
    """Randomly rotated (±15°), stretched (aspect 0.7-1.3) and wobbled copy, y growing up."""
    a = np.deg2rad(rng.uniform(-15, 15))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    stretch = np.array([rng.uniform(0.7, 1.3), 1.0])
    out = []
    for s in strokes:
        p = np.asarray(s, np.float64)
        if len(p) < 8:  # densify so the wobble bends lines
            t = np.linspace(0, len(p) - 1, 8 * len(p))
            p = np.stack([np.interp(t, np.arange(len(p)), p[:, k]) for k in (0, 1)], 1)
        p = (p - 0.5) * stretch @ rot.T + rng.normal(0, 0.012, p.shape)
        p[:, 1] = -p[:, 1]  # fit_strokes expects y up, like pen data
        out.append(p)
    return out


def drawings(n: int, seed: int = 0, shapes: dict[str, list] | None = None
             ) -> tuple[list[np.ndarray], list[str]]:
    """``n`` canvas images ``(280, 280, 4) uint8`` of shapes cycling through ``shapes``
    (default SHAPES)."""
    images, labels, _ = sketches(n, seed, shapes)
    return images, labels


def sketches(n: int, seed: int = 0, shapes: dict[str, list] | None = None
             ) -> tuple[list[np.ndarray], list[str], list[list[np.ndarray]]]:
    """:func:`drawings` with the jittered strokes each was drawn from (unit square, y up)."""
    shapes = SHAPES if shapes is None else shapes
    rng = np.random.default_rng(seed)
    names = list(shapes)
    images, labels, strokes_of = [], [], []
    for i in range(n):
        name = names[i % len(names)]
        strokes = jitter(shapes[name], rng)
        images.append(render_random(strokes, rng, CANVAS, int(rng.integers(10, 30))))
        labels.append(name)
        strokes_of.append(strokes)
    return images, labels, strokes_of


def confident_rate(predictor: Predictor, n: int = 600, seed: int = 0,
                   typicality: typ.Typicality | None = None) -> dict:
    """How the page answers non-digits: fractions confident / unsure / atypical (said not to
    look like a digit; only with ``typicality``) / nothing to read."""
    images, labels = drawings(n, seed)
    pre = [preprocess(img, dark_background=True) for img in images]
    ok = np.array([r.ok for r in pre])
    x = np.stack([r.image if r.ok else np.zeros((28, 28), np.float32) for r in pre])
    out = predictor.run_batch(x, keys=(LOGITS, typ.LAYER))
    conf = softmax(out[LOGITS]).max(1)
    atypical = (typicality.atypical(out[typ.LAYER]) if typicality is not None
                else np.zeros(n, bool))
    outcome = np.where(~ok, "unreadable", np.where(atypical, "atypical", np.where(
        conf >= UNSURE, "confident", "unsure")))
    labels = np.array(labels)
    kinds = ("confident", "unsure", "atypical", "unreadable")
    frac = {k: round(float((outcome == k).mean()), 4) for k in kinds}
    per_shape = {name: round(float((outcome[labels == name] == "confident").mean()), 3)
                 for name in SHAPES}
    return {"n": n, "threshold": UNSURE, **frac, "confident_per_shape": per_shape}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.scribbles",
                                description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=600)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", help="serving model (default: the committed one)")
    p.add_argument("--max-confident", type=float,
                   help="exit 1 if the fraction read confidently exceeds this")
    a = p.parse_args(argv)
    predictor = Predictor(a.model)
    # as the page does: with the typicality check trained beside the model, if it is there
    typicality = typ.load(predictor.path.parent / TYPICALITY_FILE, predictor.sha256)
    result = confident_rate(predictor, a.n, a.seed, typicality)
    print(json.dumps(result))
    if a.max_confident is not None and result["confident"] > a.max_confident:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
