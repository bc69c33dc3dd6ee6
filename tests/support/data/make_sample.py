"""Rebuild pendigits_sample.jsonl: two digits of each class, by two different writers of
held-out fold 0 (writers the committed models never trained on), picked at random (seed 0).

    PYTHONPATH=. python tests/support/data/make_sample.py PATH/TO/pendigits-train.jsonl.gz
"""

import json
import sys
from pathlib import Path

import numpy as np

from lenet5.train.data import read_jsonl
from lenet5.train.writers import held_out


def pick(records: list[dict], seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for label in range(10):
        pool = [r for r in records if r["label"] == label]
        first = pool[rng.integers(len(pool))]
        others = [r for r in pool if r["writer"] != first["writer"]]
        out += [first, others[rng.integers(len(others))]]
    return out


if __name__ == "__main__":
    chosen = pick(held_out(read_jsonl(sys.argv[1]), 0))
    target = Path(__file__).with_name("pendigits_sample.jsonl")
    target.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in chosen))
