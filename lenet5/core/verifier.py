"""Is a candidate exactly one digit? The segmentation's check on the pieces it reads.

The net reads whatever it is shown as a digit, and confidently: two joined digits read as one
"2", a 5 with the ligature into the next digit still reads 5. Cutting a number by the net's
probabilities alone so prefers too few digits, or digits with tails. LeCun et al. (1998,
section VII) trained the recogniser to say "no digit" to wrong segments; here a small logistic
network says it instead, beside the unchanged net: from the net's F6 features of the
candidate, how sure the net is, and the candidate's shape and pen path (its size of the row's
height, where the pen lifted around it). It is fitted on the candidates of numbers written by
the training writers (:mod:`lenet5.train.verifier`), labelled by whether a candidate holds one
whole digit and little else. The file records the serving model's sha256: a stale file (model
retrained) is not used, and numbers are then cut by the net's probabilities alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import load_for_model, save_for_model

FILE = "verifier.npz"
LAYER = "f6"  # the net's last hidden layer: what the digit looks like to it
# the candidate's shape and pen path, per row of Candidates.shape
SHAPE = ("width", "height", "rise", "starts_at_lift", "ends_at_lift", "overlap_before",
         "pieces", "lifts_inside", "length", "start_x", "start_y", "end_x", "end_y")
HIDDEN = 64  # units of the verifier's hidden layer


def features(maps: np.ndarray, probs: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """``(N, 84)`` F6 features, ``(N, 10)`` probabilities and ``(N, len(SHAPE))`` shape ->
    ``(N, F) float64`` the verifier's inputs (NaN rows stay NaN: nothing to read)."""
    logp = np.log(np.clip(probs, 1e-12, 1.0))
    top = np.sort(logp, axis=1)
    sure = np.stack([top[:, -1], top[:, -1] - top[:, -2], -(probs * logp).sum(1)], 1)
    return np.concatenate([maps.reshape(len(maps), -1), sure, shape], 1).astype(np.float64)


@dataclass(frozen=True)
class Verifier:
    """A small network (one hidden ReLU layer) on standardised :func:`features`: ``mean`` and
    ``scale`` ``(F,)``, ``w1`` ``(F, HIDDEN)``, ``b1`` ``(HIDDEN,)``, ``w2`` ``(HIDDEN,)``,
    ``b2``; the sha256 of the serving model whose features it was fitted on."""

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    model_sha256: str

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N,)`` log odds that each candidate is one whole digit."""
        hidden = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2

    def log_one_digit(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N,)`` log-probability, ``<= 0``, that each is one digit."""
        return -np.logaddexp(0.0, -self.log_odds(x))


_KEYS = ("mean", "scale", "w1", "b1", "w2", "b2")


def save(v: Verifier, path: Path) -> None:
    save_for_model(path, v.model_sha256, **{k: np.asarray(getattr(v, k)) for k in _KEYS},
                   layer=np.array(LAYER), shape=np.array(",".join(SHAPE)))


def load(path: Path, model_sha256: str) -> Verifier | None:
    """The saved verifier, or None if missing, unreadable, of another kind or made for
    another model."""
    z = load_for_model(path, model_sha256, _KEYS, layer=LAYER, shape=",".join(SHAPE))
    if z is None:
        return None
    f, h = z["w1"].shape if z["w1"].ndim == 2 else (-1, -1)
    if not (z["mean"].shape == z["scale"].shape == (f,) and z["b1"].shape == z["w2"].shape
            == (h,) and z["b2"].shape == ()):
        return None
    return Verifier(z["mean"], z["scale"], z["w1"], z["b1"], z["w2"], float(z["b2"]),
                    model_sha256)
