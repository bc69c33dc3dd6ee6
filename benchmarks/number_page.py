"""Whole numbers written in the browser: the Number page reads numbers of real pen-drawn digits.

    python -m benchmarks.number_page --pendigits PATH/TO/pendigits.jsonl.gz [--numbers 100]
        [--pen-fold 0] [--layout apart|touching|joined]

Numbers of 2-6 digits by one writer (``lenet5.train.layouts.pick_numbers``) are laid out on the
Number page's wide canvas as a person writes them (apart, touching or joined:
``lenet5.train.layouts``) and drawn stroke by stroke with the mouse in
headless Chromium; the page's "Number" metric is compared with the digits' labels. The same digits
read one at a time (the Draw page's pipeline, as ``python -m lenet5.evaluate``) give the
single-digit figure. Prints one JSON object, with a few of the misread numbers.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from playwright.sync_api import sync_playwright

from lenet5.core.predictor import Predictor
from lenet5.eval import browser as B
from lenet5.eval.whole_numbers import layout, per_writer, score
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.layouts import LAYOUTS, pick_numbers


def write(page, reruns: B.Reruns, box: dict, number: list[dict], rng: np.random.Generator,
          how: str) -> str | None:
    """Write one number laid out ``how`` on the canvas ``box`` with the mouse; the Number
    metric shown (None if none)."""
    if how == "apart":
        return B.write_number(page, reruns, box, number, rng)
    strokes = layout(number, rng, (int(box["width"]), int(box["height"])), how=how)
    reruns.wait(page, B.draw(page, [s + (box["x"], box["y"]) for s in strokes]))
    return B.metric(page)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.number_page")
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--numbers", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layout", choices=LAYOUTS, default="apart")
    writers.add_arguments(p)
    a = p.parse_args(argv)
    records = writers.held_out(read_jsonl(a.pendigits), a.pen_fold, a.pen_folds)
    numbers = pick_numbers(records, a.numbers, a.seed)
    rng = np.random.default_rng(a.seed)
    reads = []
    with sync_playwright() as pw, B.serve() as (url, _):
        browser, context = B.launch(pw)
        page = context.new_page()
        reruns = B.Reruns(page)
        box = B.open_app(page, url, "number")
        for k, number in enumerate(numbers):
            if k % 10 == 0:
                print(f"number {k + 1}/{len(numbers)}", file=sys.stderr, flush=True)
            reads.append(write(page, reruns, box, number, rng, a.layout))
            B.reset(page, reruns)
            if page.locator(B.EXCEPTION).count():
                raise SystemExit("the page shows an exception")
        browser.close()
    result = score(numbers, reads, Predictor(), a.seed) | per_writer(numbers, reads)
    result["layout"] = a.layout
    truths = ["".join(str(r["label"]) for r in n) for n in numbers]
    result["misread"] = [[t, r] for t, r in zip(truths, reads, strict=True) if t != r][:10]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
