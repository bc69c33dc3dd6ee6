"""One drawing, read end to end: preprocessing, prediction, attribution (no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lenet5.core.attribution import occlusion
from lenet5.core.predictor import Predictor, Reading
from lenet5.core.preprocess import Preprocessed, preprocess
from lenet5.core.typicality import LAYER, Typicality

UNSURE = 0.6  # below this confidence the page says it is not sure
SPREAD = 0.6  # if the two likeliest digits hold less than this, it is no digit in particular


@dataclass(frozen=True)
class Analysis:
    """Everything the pages show about one drawing.

    ``reading`` and ``attribution`` (``(28, 28) float32 in [-1, 1]``) are None when
    preprocessing found nothing to read (see ``pre.reason``). ``atypical``: the network's
    features are far from every digit it learned (:mod:`lenet5.core.typicality`).
    """

    pre: Preprocessed
    reading: Reading | None = None
    attribution: np.ndarray | None = None
    atypical: bool = False

    @property
    def ok(self) -> bool:
        return self.reading is not None

    def runner_up(self) -> int:
        return int(np.argsort(self.reading.probs)[-2])

    @property
    def doubtful(self) -> bool:
        """True when the page should say it is not sure (low confidence or atypical)."""
        return self.atypical or self.reading.confidence < UNSURE

    def verdict(self) -> str:
        """A plain sentence about how sure the network is."""
        r = self.reading
        if self.atypical:
            return (f"That does not look much like the digits the network learned from: "
                    f"{r.digit} is a guess.")
        if r.confidence >= UNSURE:
            return f"Reads a {r.digit} ({r.confidence:.0%} sure)."
        second = self.runner_up()
        if r.confidence + float(r.probs[second]) < SPREAD:
            return (f"That does not look like any digit to the network (best guess {r.digit}, "
                    f"{r.confidence:.0%}).")
        return f"Not sure: {r.digit} or {second}?"


def analyse(image: np.ndarray, predictor: Predictor, dark_background: bool | None = True,
            typicality: Typicality | None = None, medium: str = "canvas") -> Analysis:
    """Preprocess an image (any form :func:`preprocess` accepts; by default the app's canvas,
    light ink on black) and read it; with ``typicality``, also say if it is atypical.
    ``medium`` (``"canvas"`` or ``"photo"``) words the reason when there is nothing to read."""
    pre = preprocess(image, dark_background, medium)
    if not pre.ok:
        return Analysis(pre)
    reading = predictor(pre.image)
    attribution = occlusion(pre.image, predictor.probabilities, target=reading.digit)
    atypical = typicality is not None and bool(typicality.atypical(reading.maps[LAYER][None])[0])
    return Analysis(pre, reading, attribution, atypical)


def read_all(images: list[np.ndarray], predictor: Predictor
             ) -> tuple[list[Preprocessed], np.ndarray]:
    """Light-ink-on-black images, each preprocessed and the readable ones read in one batch:
    their preprocessing, and ``(N, 10) float32`` probabilities with rows of NaN where there was
    nothing to read."""
    pre = [preprocess(image, dark_background=True) for image in images]
    probs = np.full((len(pre), 10), np.nan, np.float32)
    ok = [k for k, p in enumerate(pre) if p.ok]
    if ok:
        probs[ok] = predictor.probabilities(np.stack([pre[k].image for k in ok]))
    return pre, probs


def readings(probs: np.ndarray) -> list[int | None]:
    """The digit each row of ``(N, 10)`` probabilities reads; None for a row of NaN."""
    return [None if np.isnan(row).any() else int(row.argmax()) for row in probs]
