"""Pen-drawn digits split by writer, never by digit.

A model's score on writers it trained on says nothing about new people, so every pen-digit
figure is measured on writers held out of training. Writers (numbered 1-30 in the pendigits
file) go to ``folds`` folds round-robin: writer ``w`` is in fold ``(w - 1) % folds``, so with 5
folds fold 0 holds writers 1, 6, 11, 16, 21 and 26.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

FOLDS = 5  # folds of 6 writers each for the 30 writers of the pendigits file


def fold_of(writer: int, folds: int = FOLDS) -> int:
    """The fold, in ``[0, folds)``, that writer number ``writer`` (1-based) belongs to."""
    if folds < 1:
        raise ValueError(f"folds must be >= 1, got {folds}")
    return (int(writer) - 1) % folds


def split(records: Iterable[dict], fold: int, folds: int = FOLDS) -> tuple[list[dict], list[dict]]:
    """``(training, held_out)``: the records of writers outside fold ``fold`` and inside it."""
    if not 0 <= fold < folds:
        raise ValueError(f"fold must be in [0, {folds}), got {fold}")
    train, held = [], []
    for rec in records:
        (held if fold_of(rec["writer"], folds) == fold else train).append(rec)
    return train, held


def held_out(records: Iterable[dict], fold: int | None, folds: int = FOLDS) -> list[dict]:
    """The records of fold ``fold``'s writers; all records when ``fold`` is None."""
    records = list(records)
    return records if fold is None else split(records, fold, folds)[1]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``--pen-fold K --pen-folds N``: measure on the writers of fold K only."""
    p.add_argument("--pen-fold", type=int, default=None, metavar="K",
                   help="read only the pen digits of writers in fold K (writers the model was "
                        "trained without: see metrics.json's pen_holdout)")
    p.add_argument("--pen-folds", type=int, default=FOLDS, metavar="N",
                   help="how many folds the writers are split into (writer w: fold (w-1) %% N)")
