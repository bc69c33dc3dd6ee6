"""How well whole numbers are read (:mod:`lenet5.core.segment`).

    python -m lenet5.number --pendigits PATH/TO/pendigits.jsonl.gz [--sequences 2000] [--pen-fold 0]
        [--layout apart|touching|joined]
    python -m lenet5.number --read FILE.json    # numbers drawn elsewhere (lenet5.eval.number_file)

Numbers of 2-6 digits by one writer (pen-drawn, so their strokes are real) are laid out on the
wide canvas (apart, touching or joined: :mod:`lenet5.train.layouts`), segmented and read. Prints
one JSON object: per-digit accuracy, the same digits read one at a time on the ordinary canvas,
whole-number accuracy, ``model``, the serving model read (absolute path; default: the app's, in
``$LENET5_MODELS`` or ``models/``), the layout, and each writer's whole-number accuracy with the
worst writer's. Measure on writers the model never trained on: ``--pen-fold`` of its
``metrics.json["pen"]["held_out_fold"]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import serving_model_path
from lenet5.core.grouping import WIDE, WIDE_BRUSH
from lenet5.core.predictor import Predictor
from lenet5.core.reader import Reader
from lenet5.core.segment import read_number, read_segmented, text
from lenet5.eval.number_file import NumberFileError, read_file, read_one
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.layouts import LAYOUTS, lay_out, pick_numbers
from lenet5.train.pen import canvas_readings


def layout(records: Sequence[dict], rng: np.random.Generator,
           canvas: tuple[int, int] = WIDE, how: str = "apart", brush: float = WIDE_BRUSH
           ) -> list[np.ndarray]:
    """Place pen-drawn digits (tablet strokes, y up) left to right on the wide canvas as a
    person writes a number: one size for all (±8%), small baseline wobble, and ``how``
    (:data:`lenet5.train.layouts.LAYOUTS`; ``apart``: gaps of 10-40% of the height between the
    digits' boxes; ``brush``: the width they will be drawn with). Returns canvas-pixel
    strokes, all digits in order."""
    return lay_out(records, rng, canvas, how, brush)


def score(numbers: list[list[dict]], reads: list[str | None], predictor: Predictor,
          seed: int = 0) -> dict:
    """Per-digit accuracy (a number read with the wrong count of digits scores 0 for all its
    digits), whole-number accuracy, and the same digits read one at a time on the 280-px
    canvas as by ``python -m lenet5.evaluate`` (the single-digit figure)."""
    truths = ["".join(str(r["label"]) for r in num) for num in numbers]
    right = sum(sum(a == b for a, b in zip(read, truth, strict=True))
                for read, truth in zip(reads, truths, strict=True)
                if read is not None and len(read) == len(truth))
    digits = [r for num in numbers for r in num]
    single, labels = canvas_readings(predictor, digits, seed)
    return {"numbers": len(numbers), "digits": len(digits),
            "per_digit_accuracy": round(right / len(digits), 4),
            "single_digit_accuracy": round(float((single == labels).mean()), 4),
            "number_accuracy": round(float(np.mean([a == b for a, b in zip(reads, truths,
                                                                         strict=True)])), 4)}


def per_writer(numbers: list[list[dict]], reads: list[str | None]) -> dict:
    """Whole-number accuracy of each writer's numbers (``{"writer": accuracy}``) and the
    worst writer's: a mean can hide one person whose numbers are never read."""
    right: dict[int, list[bool]] = {}
    for num, read in zip(numbers, reads, strict=True):
        truth = "".join(str(r["label"]) for r in num)
        right.setdefault(int(num[0].get("writer", 0)), []).append(read == truth)
    acc = {w: round(float(np.mean(v)), 4) for w, v in sorted(right.items())}
    worst = min(acc, key=acc.get)
    return {"per_writer": {str(w): a for w, a in acc.items()},
            "worst_writer": {"writer": worst, "number_accuracy": acc[worst],
                             "numbers": len(right[worst])}}


def measure(records: list[dict], predictor: Reader | Predictor, n: int = 2000, seed: int = 0,
            how: str = "apart") -> dict:
    """:func:`score` of ``n`` numbers laid out ``how`` on the wide canvas and read offline,
    with :func:`per_writer`."""
    rng = np.random.default_rng(seed)
    numbers = pick_numbers(records, n, seed)
    reads = []
    for num in numbers:
        strokes = layout(num, rng, how=how)
        reads.append(text(read_number(strokes, [WIDE_BRUSH] * len(strokes), predictor)))
    return score(numbers, reads, predictor, seed) | per_writer(numbers, reads) | {"layout": how}


def touching_number_ms(reader: Reader | Predictor, repeats: int = 50, seed: int = 0) -> float:
    """Median milliseconds of server time to read a 6-digit number whose digits touch
    (:func:`lenet5.core.segment.read_segmented`: grouping, cuts, one batch, the best path),
    the digits pen-drawn by writers the committed nets never saw (``tests/support/data``),
    a new number each repeat."""
    samples = list(read_jsonl(Path(__file__).resolve().parents[2] / "tests" / "support" / "data"
                              / "pendigits_sample.jsonl"))
    rng = np.random.default_rng(seed)
    times = []
    for _ in range(repeats):
        number = [samples[i] for i in rng.choice(len(samples), 6, replace=False)]
        strokes = layout(number, rng, how="touching")
        widths = [WIDE_BRUSH] * len(strokes)
        start = time.perf_counter()
        read_segmented(strokes, widths, reader)
        times.append(time.perf_counter() - start)
    return round(float(np.median(times)) * 1e3, 2)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.number", description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", help="pen-drawn digits (.jsonl or .jsonl.gz) to measure on")
    p.add_argument("--read", metavar="FILE.json",
                   help="read the numbers in FILE instead (lenet5.eval.number_file): one JSON "
                        "line each")
    p.add_argument("--sequences", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layout", choices=LAYOUTS, default="apart",
                   help="how the digits are written: apart (gaps), touching (inks meet) or "
                        "joined (one pen path runs into the next digit)")
    p.add_argument("--model", help="serving model (default: the one the app reads, in "
                   "$LENET5_MODELS or models/)")
    p.add_argument("--min-accuracy", type=float, default=None, metavar="X",
                   help="exit with code 1 if fewer than X of the numbers are read exactly")
    writers.add_arguments(p)
    a = p.parse_args(argv)
    if (a.pendigits is None) == (a.read is None):
        p.error("give --pendigits PATH to measure, or --read FILE.json to read numbers")
    model = serving_model_path(a.model)
    # as the page reads (the Reader's Prediction), unless --model names one net
    reader = Predictor(model) if a.model else Reader.load(model.parent)
    reading = "model" if a.model else f"page: {Reader.PREDICTION}"
    if a.read is not None:
        return read_command(a.read, reader)
    records = writers.held_out(read_jsonl(a.pendigits), a.pen_fold, a.pen_folds)
    result = measure(records, reader, a.sequences, a.seed, a.layout)
    print(json.dumps(result | {"model": str(model), "reading": reading}))
    if a.min_accuracy is not None and result["number_accuracy"] < a.min_accuracy:
        print(f"python -m lenet5.number: {result['number_accuracy']:.2%} of the {a.layout} "
              f"numbers read exactly, under --min-accuracy {a.min_accuracy:.2%}",
              file=sys.stderr)
        return 1
    return 0


def read_command(path: str, predictor: Reader | Predictor) -> int:
    """``--read``: one JSON line per number, or a sentence and exit code 2 for a bad file."""
    try:
        numbers = read_file(path)
    except NumberFileError as exc:
        print(f"python -m lenet5.number: {path}: {exc}", file=sys.stderr)
        return 2
    for strokes, widths in numbers:
        print(json.dumps(read_one(strokes, widths, predictor)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
