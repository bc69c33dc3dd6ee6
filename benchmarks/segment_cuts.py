"""Choose how a group is cut (how many candidates, which kinds) on the training writers only.

For each setting, a verifier is fitted on the numbers of some training writers (``--fit-folds``)
and the numbers of others (``--folds``) are read with it: the net trained on both, so these
figures are for choosing between settings, never for reporting (the honest ones come from
``python -m lenet5.number --pen-fold K`` on the held-out writers). Besides the accuracy per
layout it prints how often a right path exists among the candidates at all (the ceiling), and
the median time to read a number.

    python -m benchmarks.segment_cuts --pendigits PATH [--max-cuts 48 64] [--tops 0 1]
        [--fill inf 0.5] [--path-epochs 0 4]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import time
from dataclasses import replace

import numpy as np

from lenet5.core import cuts, segment
from lenet5.core.artifacts import serving_model_path
from lenet5.core.grouping import WIDE_BRUSH
from lenet5.core.reader import Reader
from lenet5.train import verifier as fitting
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.layouts import LAYOUTS, written


def set_cuts(max_cuts: int, tops: bool, fill: float) -> None:
    """Cut groups at ``max_cuts`` candidates at most, the tops of the path too if ``tops``,
    and every ``fill`` heights of a long path without a cut (``inf``: not)."""
    segment.pieces = functools.partial(cuts.pieces, max_cuts=max_cuts)
    cuts.TOPS, cuts.FILL = tops, fill


def reachable(c: segment.Candidates, truth: str) -> bool:
    """Whether some path over the candidates, each read as the net reads it (skipping the
    pieces :func:`lenet5.core.segment.choose` may skip), spells ``truth``."""
    at = {0}  # how much of truth the groups so far can spell
    for g in c.plans:
        reach: list[set[int]] = [set() for _ in range(len(g.pieces) + 1)]
        reach[0] = set(at)
        for i, piece in enumerate(g.pieces):
            if segment.may_skip(piece, c.height):
                reach[i + 1] |= reach[i]
            for k, (a, b) in enumerate(g.spans):
                row = c.probs[g.first + k]
                if a != i or np.isnan(row).any():
                    continue
                d = str(int(row.argmax()))
                reach[b] |= {n + 1 for n in reach[i] if n < len(truth) and truth[n] == d}
        at = reach[-1]
    return len(truth) in at


def measure(reader: Reader, records: list[dict], numbers: int) -> dict:
    """Per layout: numbers read exactly, right path reachable, median ms a number."""
    out = {}
    for how in LAYOUTS:
        right, reach, ms = [], [], []
        for strokes, truth in written(records, numbers, how):
            t0 = time.perf_counter()
            c = segment.candidates(strokes, [WIDE_BRUSH] * len(strokes), reader)
            right.append(segment.choose(c).text == truth)
            ms.append(1000 * (time.perf_counter() - t0))
            reach.append(reachable(c, truth))
        out[how] = {"exact": round(float(np.mean(right)), 3),
                    "reachable": round(float(np.mean(reach)), 3),
                    "ms_p50": round(float(np.median(ms)), 1)}
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pendigits", required=True)
    p.add_argument("--numbers", type=int, default=150, help="numbers read per layout")
    p.add_argument("--fit-numbers", type=int, default=600, help="numbers per layout to fit on")
    p.add_argument("--folds", type=int, nargs="+", default=[1, 2])
    p.add_argument("--fit-folds", type=int, nargs="+", default=[3, 4])
    p.add_argument("--max-cuts", type=int, nargs="+", default=[cuts.MAX_CUTS])
    p.add_argument("--tops", type=int, nargs="+", default=[int(cuts.TOPS)])
    p.add_argument("--fill", type=float, nargs="+", default=[cuts.FILL],
                   help="cut a long path every this many heights without a cut (inf: not)")
    p.add_argument("--path-epochs", type=int, nargs="+", default=[fitting.PATH_EPOCHS],
                   help="passes of the verifier's training on whole paths (0: none)")
    p.add_argument("--right", type=int, nargs="+", default=[0],
                   help="1: the verifier learns 'one whole digit, read right', 0: 'whole'")
    a = p.parse_args(argv)
    recs = list(read_jsonl(a.pendigits))
    read = [r for f in a.folds for r in writers.held_out(recs, f)]
    fit_on = [r for f in a.fit_folds for r in writers.held_out(recs, f)]
    base = replace(Reader.load(serving_model_path(None).parent), verifier=None)
    for max_cuts, tops, fill, right in itertools.product(a.max_cuts, a.tops, a.fill, a.right):
        set_cuts(max_cuts, bool(tops), fill)
        x, y, cut = fitting.examples(fit_on, base, a.fit_numbers, 1, bool(right))
        for epochs in a.path_epochs:
            verifier = fitting.fit_verifier(x, y, cut, base.sha256, 1, epochs)
            print(json.dumps({"max_cuts": max_cuts, "tops": bool(tops), "fill": fill,
                              "right": bool(right), "path_epochs": epochs,
                              **measure(replace(base, verifier=verifier), read, a.numbers)}),
                  flush=True)


if __name__ == "__main__":
    main()
