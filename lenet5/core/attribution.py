"""Why the network decided: occlusion sensitivity on the 28x28 input.

A ``patch``-square grey-zero window slides over the input with ``stride``; for every position
the network re-reads the occluded digit (all positions in one batch) and we record how much the
probability of the predicted class fell. Each pixel's attribution is the mean fall over the
windows that cover it: positive where the ink supported the decision, negative where it argued
against it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

PATCH = 4  # side of the occluding square, px of the 28x28 input
STRIDE = 2  # its step
Scorer = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) float32 -> (N, 10) probabilities


def windows(size: int = 28, patch: int = PATCH, stride: int = STRIDE) -> list[tuple[int, int]]:
    """Top-left corners of the occluding windows, covering every pixel at least once."""
    last = size - patch
    starts = list(range(0, last + 1, stride))
    if starts[-1] != last:
        starts.append(last)
    return [(r, c) for r in starts for c in starts]


def occluded_batch(image: np.ndarray, patch: int = PATCH, stride: int = STRIDE) -> np.ndarray:
    """``(N, 28, 28) float32``: ``image`` with one window zeroed per row, in windows() order."""
    corners = windows(image.shape[0], patch, stride)
    batch = np.repeat(image[None].astype(np.float32), len(corners), axis=0)
    for i, (r, c) in enumerate(corners):
        batch[i, r : r + patch, c : c + patch] = 0
    return batch


def occlusion(image: np.ndarray, score: Scorer, target: int | None = None,
              patch: int = PATCH, stride: int = STRIDE, base: np.ndarray | None = None
              ) -> np.ndarray:
    """Occlusion sensitivity of ``(28, 28) float32 [0, 1]`` input -> ``(28, 28) float32``.

    Values are falls in the probability of ``target`` (default: the predicted class), so they
    lie in [-1, 1]. ``score`` maps a batch of inputs to probabilities; ``base``, the ``(10,)``
    probabilities of the unoccluded input when they are known already (not scored again).
    """
    base = score(image[None])[0] if base is None else np.asarray(base)
    target = int(base.argmax()) if target is None else target
    corners = windows(image.shape[0], patch, stride)
    probs = score(occluded_batch(image, patch, stride))[:, target]
    total = np.zeros(image.shape, np.float64)
    count = np.zeros(image.shape, np.float64)
    for (r, c), p in zip(corners, probs, strict=True):
        total[r : r + patch, c : c + patch] += base[target] - p
        count[r : r + patch, c : c + patch] += 1
    return (total / count).astype(np.float32)


def overlay(image: np.ndarray, attribution: np.ndarray, scale: int = 8) -> np.ndarray:
    """``(28*scale, 28*scale, 3) uint8``: the digit in grey, support in red, opposition in blue.

    ``attribution`` is normalised by its largest magnitude, so the strongest pixel is saturated.
    """
    peak = float(np.abs(attribution).max()) or 1.0
    a = attribution / peak
    grey = 0.45 * image
    rgb = np.stack([grey + np.clip(a, 0, 1), grey, grey + np.clip(-a, 0, 1)], axis=-1)
    rgb = (np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    return np.kron(rgb, np.ones((scale, scale, 1), np.uint8))
