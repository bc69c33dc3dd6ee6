"""Fool it: the smallest change to a digit's 28x28 input that makes the net read another digit.

A targeted, iterative attack on the NumPy forward pass, following the network's real gradient
(:mod:`lenet5.core.gradient`). It is a decoupled direction and norm attack (Rony et al., CVPR
2019): each step moves the change along the gradient of the target's log-probability, then sets
its size to a budget that shrinks while the net reads the target and grows while it does not,
so that the change closes in on the smallest that works; pixels stay in [0, 1] throughout. The
L2 and the L-infinity budget are both here; the page uses :data:`NORM` (the choice, measured:
``docs/fool.md``). A fixed number of steps bounds the time. No I/O; no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lenet5.core.forward import forward
from lenet5.core.gradient import input_gradient
from lenet5.core.predictor import softmax
from lenet5.core.weights import Weights

NORMS = ("l2", "linf")
NORM = "l2"  # what the page uses (docs/fool.md: why)
STEPS = 50  # the most gradient steps one attack takes
# The target's logit must lead the next by this much: the NumPy pass and the LiteRT serving
# model agree to about 1e-4, so a change found here reads the same when served.
MARGIN = 0.02
_START = {"l2": 1.0, "linf": 0.1}  # the first budget (a 28x28 digit's L2 norm is about 9)
_STEP = {"l2": (1.0, 0.01), "linf": (0.05, 0.001)}  # step size: first and last (cosine decay)
_GAMMA = 0.05  # how fast the budget shrinks or grows, per step


@dataclass(frozen=True)
class Attack:
    """One attack's result.

    ``image``: the changed input, ``(28, 28) float32 in [0, 1]``; ``change``: ``image`` minus
    the drawing's input, ``(28, 28) float32 in [-1, 1]``; ``l2`` and ``linf``: its size;
    ``probs`` and ``classic_probs``: the modern and the 1998 net's ``(10,) float32`` on
    ``image`` (``classic_probs`` None without the 1998 net); ``fooled``: the modern net reads
    ``target`` (False: no change within the steps made it); ``steps``: the steps taken.
    """

    target: int
    image: np.ndarray
    change: np.ndarray
    l2: float
    linf: float
    probs: np.ndarray
    classic_probs: np.ndarray | None
    fooled: bool
    steps: int

    @property
    def classic_fooled(self) -> bool | None:
        """Whether the 1998 net reads ``target`` in the same image (None without it)."""
        return None if self.classic_probs is None else int(self.classic_probs.argmax()) == \
            self.target


def check_target(target: object) -> int:
    """``target`` as a digit 0-9; ValueError for anything else (a bool, a float, a string...)."""
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) \
            or not 0 <= int(target) <= 9:
        raise ValueError(f"the target must be a digit from 0 to 9, not {target!r}")
    return int(target)


def check_image(image: object) -> np.ndarray:
    """``image`` as a ``(28, 28) float32`` copy; ValueError unless finite and in [0, 1]."""
    x = np.asarray(image, np.float32)
    if x.shape != (28, 28) or not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("the input must be a (28, 28) image of values in [0, 1]")
    return x.copy()


def reads(logits: np.ndarray, target: int) -> bool:
    """The net reads ``target`` from these ``(10,)`` logits, by at least :data:`MARGIN`."""
    return float(logits[target] - np.delete(logits, target).max()) >= MARGIN


def size(change: np.ndarray, norm: str) -> float:
    return float(np.linalg.norm(change) if norm == "l2" else np.abs(change).max())


def _fit(delta: np.ndarray, budget: float, norm: str) -> np.ndarray:
    """``delta`` with its size set to ``budget`` (L2: scaled onto the sphere; L-inf: clipped
    into the cube)."""
    if norm == "linf":
        return np.clip(delta, -budget, budget)
    n = np.linalg.norm(delta)
    return delta * (budget / n) if n > 0 else delta


def _direction(g: np.ndarray, norm: str) -> np.ndarray:
    """The steepest way up for a step of size one in ``norm``."""
    if norm == "linf":
        return np.sign(g)
    n = np.linalg.norm(g)
    return g / n if n > 0 else g


def search(w: Weights, x: np.ndarray, target: int, norm: str = NORM, steps: int = STEPS
           ) -> tuple[np.ndarray | None, np.ndarray]:
    """The smallest change (``(28, 28) float32``, ``x + change`` in [0, 1]) found within
    ``steps`` that makes the net ``w`` read ``target`` in ``x`` (None if none did), and the
    change the last step made (the nearest it got, when none did)."""
    delta, best, best_size = np.zeros_like(x), None, np.inf
    budget = _START[norm]
    first, last = _STEP[norm]
    for k in range(steps):
        _, g, acts = input_gradient(w, x + delta, target)
        if reads(acts["output"], target):
            if (s := size(delta, norm)) < best_size:
                best, best_size = delta.copy(), s
            budget = min(budget, s) * (1 - _GAMMA)  # works: try smaller
        else:
            budget *= 1 + _GAMMA  # does not yet: allow more
        alpha = last + 0.5 * (first - last) * (1 + np.cos(np.pi * k / steps))
        delta = _fit(delta + alpha * _direction(g, norm), budget, norm)
        delta = np.clip(x + delta, 0, 1) - x  # pixels stay in [0, 1]
    if best is None and reads(forward(w, x + delta)["output"], target):
        best = delta
    return best, delta


def fool(w: Weights, image: np.ndarray, target: object, classic: Weights | None = None,
         norm: str = NORM, steps: int = STEPS) -> Attack:
    """Attack the modern net ``w`` on one ``(28, 28) float32 in [0, 1]`` digit so that it reads
    ``target`` (0-9), and read the changed image with the 1998 net ``classic`` too (if given).
    ValueError for a target that is no digit, an image out of range or an unknown norm."""
    target, x = check_target(target), check_image(image)
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, not {norm!r}")
    steps = int(np.clip(steps, 1, 10 * STEPS))
    if reads(forward(w, x)["output"], target):  # it reads the target already: no change
        change, taken = np.zeros_like(x), 0
    else:
        change, last = search(w, x, target, norm, steps)
        taken = steps
    fooled = change is not None
    if change is None:  # nothing worked within the steps: show the nearest it got, unfooled
        change = last
    changed = np.clip(x + change, 0, 1).astype(np.float32)
    change = changed - x
    probs = softmax(forward(w, changed)["output"])
    other = softmax(forward(classic, changed)["output"]) if classic is not None else None
    return Attack(target, changed, change, size(change, "l2"), size(change, "linf"), probs,
                  other, fooled, taken)
