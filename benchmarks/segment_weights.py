"""Choose the path score's weights (lenet5.core.paths.WEIGHTS) on the training writers' numbers.

Reads numbers of the writers *outside* the held-out pen fold (the served verifier was trained
on them too, so these figures are for choosing, not reporting: the honest ones come from
``python -m lenet5.number --pen-fold K`` on the held-out writers). Each line prints one set of
weights and its whole-number accuracy per layout.

    python -m benchmarks.segment_weights --pendigits PATH [--numbers 150] [--folds 1 2]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

import numpy as np

from lenet5.core.artifacts import serving_model_path
from lenet5.core.grouping import WIDE_BRUSH
from lenet5.core.paths import WEIGHTS
from lenet5.core.reader import Reader
from lenet5.core.segment import candidates, choose
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.layouts import LAYOUTS, written

GRID = dict(verify=[1.0, 2.0], mid_stroke=[0.0, 1.0], bonus=[0.0, 1.0], skip=[0.5, 1.0])


def read_all(records: list[dict], numbers: int, reader: Reader) -> dict:
    """Per layout, ``[(Candidates, truth text)]`` for ``numbers`` numbers (read once)."""
    data = {}
    for how in LAYOUTS:
        data[how] = [(candidates(strokes, [WIDE_BRUSH] * len(strokes), reader), truth)
                     for strokes, truth in written(records, numbers, how)]
    return data


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pendigits", required=True)
    p.add_argument("--numbers", type=int, default=150)
    p.add_argument("--folds", type=int, nargs="+", default=[1, 2])
    a = p.parse_args(argv)
    recs = list(read_jsonl(a.pendigits))
    train = [r for f in a.folds for r in writers.held_out(recs, f)]
    data = read_all(train, a.numbers, Reader.load(serving_model_path(None).parent))
    for values in itertools.product(*GRID.values()):
        w = replace(WEIGHTS, **dict(zip(GRID, values, strict=True)))
        acc = {h: round(float(np.mean([choose(c, w).text == t for c, t in rows])), 3)
               for h, rows in data.items()}
        print(dict(zip(GRID, values, strict=True)), acc, flush=True)


if __name__ == "__main__":
    main()
