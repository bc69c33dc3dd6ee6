"""Shim while callers move to :mod:`lenet5.core.reader` (to be removed)."""

from __future__ import annotations

from lenet5.core.reader import SPREAD, UNSURE, Reader, read_all, readings
from lenet5.core.reader import Report as Analysis

__all__ = ["SPREAD", "UNSURE", "Analysis", "analyse", "read_all", "readings"]


def analyse(image, predictor, dark_background=True, typicality=None, medium="canvas"):
    """:meth:`Reader.read` with one net (and ``typicality``)."""
    return Reader(predictor, typicality=typicality).read(image, medium=medium)
