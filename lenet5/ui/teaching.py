"""The net taught by this session's digits, for every page that reads with it: the output
layer fitted to the Teach page's digits (:mod:`lenet5.core.adapt`), fitted once per change of
the digits and kept in the session (:mod:`lenet5.ui.state`), never on the server."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from lenet5.core import adapt, taught
from lenet5.core.artifacts import models_dir
from lenet5.core.predictor import Reading
from lenet5.core.preprocess import Preprocessed, preprocess
from lenet5.core.reader import Report
from lenet5.core.segment import Number
from lenet5.ui import state
from lenet5.ui.resources import reader, weights

NET, TAUGHT = "the net", "the net, taught by you"  # the two readings' names on every page


def base_layer() -> adapt.OutputLayer | None:
    """The modern net's output layer as trained (None without its ``weights.npz``)."""
    w = weights(str(models_dir()), reader().sha256)
    return None if w is None else adapt.trained(w["output.kernel"], w["output.bias"])


def layer() -> adapt.OutputLayer | None:
    """The output layer fitted to this session's taught digits; None when none are taught (or
    the weights are missing). Fitted on the first call after the digits change."""
    digits = state.taught()
    if not digits:
        return None
    kept = state.taught_layer()
    if kept is None:
        base = base_layer()
        if base is None:
            return None
        kept = adapt.fit(base, np.stack([d.f6 for d in digits]), [d.label for d in digits])
        state.keep_taught_layer(kept)
    return kept


def taught_report(report: Report | None) -> Report | None:
    """``report`` with its Prediction read by the taught net (as it is without teaching)."""
    fitted = layer()
    return report if report is None or fitted is None else adapt.reread(report, fitted)


def taught_number(number: Number) -> Number:
    """``number`` with each digit the net could read read again by the taught net, in one
    batch (the cuts stay those the net chose); ``number`` itself when nothing is taught. Kept
    in the session for this number and this fitted layer."""
    fitted = layer()
    readable = [k for k, d in enumerate(number.digits) if d.reading is not None]
    if fitted is None or not readable:
        return number
    kept = state.taught_digits(number, fitted)
    if kept is None:
        images = np.stack([number.digits[k].pre.image for k in readable])
        f6 = reader().modern.run_batch(images, keys=(adapt.LAYER,))[adapt.LAYER]
        digits = list(number.digits)
        for k, probs in zip(readable, fitted.probabilities(f6), strict=True):
            digits[k] = replace(digits[k], reading=Reading(probs=probs))
        kept = replace(number, digits=digits)
        state.keep_taught_digits(number, fitted, kept)
    return kept


def read(image: np.ndarray) -> tuple[Preprocessed, Reading | None]:
    """The Teach canvas' image, ``(H, W, 4) uint8``, preprocessed and read by the net (None
    when there is nothing to read), once per change of its pixels."""
    key = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).hexdigest()
    kept = state.teach_read(key)
    if kept is None:
        pre = preprocess(image, dark_background=True)
        kept = (pre, reader().modern(pre.image) if pre.ok else None)
        state.keep_teach_read(key, kept)
    return kept


def add(pre: Preprocessed, reading: Reading, label: int, strokes: Sequence[np.ndarray],
        widths: Sequence[float]) -> None:
    """Teach one more digit (at most :data:`adapt.MAX_DIGITS`: beyond, nothing changes)."""
    digits = state.taught()
    if len(digits) < adapt.MAX_DIGITS:
        state.set_taught(digits + (taught.digit(pre.image, label, strokes, widths,
                                                reading.maps[adapt.LAYER]),))


def load(data: bytes) -> int:
    """Replace the taught digits by those of an uploaded file (read by the net anew): how many
    (:class:`taught.TaughtFileError` if the file is not one)."""
    digits = taught.parse(data)
    if digits:
        f6 = reader().modern.run_batch(np.stack([d.image for d in digits]),
                                       keys=(adapt.LAYER,))[adapt.LAYER]
        digits = [taught.Digit(d.image, d.label, d.strokes, d.widths, f) for d, f in
                  zip(digits, f6, strict=True)]
    state.set_taught(tuple(digits))
    return len(digits)


def left_out() -> adapt.LeftOut | None:
    """The taught digits each read by a net taught with all the others (None for fewer than
    two digits or without the weights), computed once per change of the digits."""
    digits = state.taught()
    base = base_layer()
    if len(digits) < 2 or base is None:
        return None
    kept = state.left_out()
    if kept is None:
        kept = adapt.leave_one_out(base, np.stack([d.f6 for d in digits]),
                                   [d.label for d in digits])
        state.keep_left_out(kept)
    return kept
