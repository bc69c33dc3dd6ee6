"""Image files for upload tests, made from the shipped pen-drawn digits (tests/support/data)."""

from __future__ import annotations

import numpy as np

from lenet5.core.strokes import fit_strokes, render
from lenet5.eval.browser import pen_samples
from lenet5.eval.hostile import bomb_png, encode  # noqa: F401 (the upload tests' too)

SAMPLES = pen_samples()


def photo(sample: dict, size=(600, 800), brush: int = 24, seed: int = 0) -> np.ndarray:
    """A pen digit as a phone photo of paper: dark ink on unevenly lit paper, with noise.
    ``(H, W) uint8``, the digit about half the height, off-centre."""
    h, w = size
    rng = np.random.default_rng(seed)
    ink = render(fit_strokes(sample["strokes"], 0.5 * h, 0.3 * w, 0.2 * h), (h, w), brush)
    a = ink[..., 0].astype(np.float32) / 255
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 140 + 90 * (xx / w) * 0.6 + 90 * (yy / h) * 0.4  # shade: 140 at top left, 230
    gray = paper * (1 - a) + 35 * a + rng.normal(0, 4, (h, w))
    return np.clip(gray, 0, 255).astype(np.uint8)


def on_table(sample: dict, seed: int = 0, table: int = 70, margin: float = 0.1) -> np.ndarray:
    """:func:`photo` with the paper lying on a darker table: a band of ``table`` grey around
    it, ``margin`` of the shorter side wide. ``(H, W) uint8``."""
    img = photo(sample, seed=seed).astype(np.float32)
    h, w = img.shape
    m = int(margin * min(h, w))
    out = np.full_like(img, table) + np.random.default_rng(seed).normal(0, 4, img.shape)
    out[m:h - m, m:w - m] = img[m:h - m, m:w - m]
    return np.clip(out, 0, 255).astype(np.uint8)
