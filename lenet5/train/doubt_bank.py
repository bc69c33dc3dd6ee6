"""The 1998 net's class bank for the page's second doubt check (:mod:`lenet5.core.doubt`),
built from the committed nets and MNIST (no TensorFlow: both nets run through LiteRT).

    python -m lenet5.train.doubt_bank --data PATH/TO/mnist.npz --pen PATH/TO/pendigits.jsonl.gz

writes ``doubt.npz`` beside the modern net (``--models``, default: the models folder). The bank
holds the 1998 net's F6 features of the first ``doubt.BANK`` MNIST training digits and of one
canvas drawing of each pen-drawn digit by the writers the nets trained on; both thresholds are
the ``doubt.QUANTILE`` of MNIST validation digits' distances (held out of both nets' training).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from lenet5.core import doubt, typicality
from lenet5.core.artifacts import CLASSIC, SERVING_FILE, TYPICALITY_FILE, models_dir
from lenet5.core.predictor import Predictor
from lenet5.train import pen, writers
from lenet5.train.data import Mnist, load_mnist, read_jsonl


def build(mnist: Mnist, trained_on: list[dict], modern: Predictor, classic: Predictor,
          s4: typicality.Typicality, size: int = doubt.BANK) -> doubt.ClassBank:
    """The bank from ``size`` training digits and one drawing of each record ``trained_on``,
    its thresholds from ``mnist.x_val``."""
    x = mnist.x_train[:size].astype(np.float32) / 255
    y = mnist.y_train[:size]
    if trained_on:
        px, py = pen.renders(trained_on, 1, seed=0)
        x, y = np.concatenate([x, px.astype(np.float32) / 255]), np.concatenate([y, py])
    features = classic.run_batch(x, keys=(doubt.LAYER,))[doubt.LAYER]
    bank = doubt.ClassBank.of(features, y)
    val = mnist.x_val.astype(np.float32) / 255
    m = modern.run_batch(val, keys=("output", typicality.LAYER))
    f6 = classic.run_batch(val, keys=(doubt.LAYER,))[doubt.LAYER]
    far = bank.distance(f6, m["output"].argmax(1))
    return doubt.ClassBank(bank.codes, bank.labels, float(np.quantile(far, doubt.QUANTILE)),
                           float(np.quantile(s4.distance(m[typicality.LAYER]), doubt.QUANTILE)))


def trained_writers(records: list[dict], folder: Path) -> list[dict]:
    """The records of the writers the modern net in ``folder`` trained on (its metrics.json)."""
    held = json.loads((folder / "metrics.json").read_text()).get("pen") or {}
    if held.get("held_out_fold") is None:
        return records
    return writers.split(records, held["held_out_fold"], held["folds"])[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lenet5.train.doubt_bank",
                                description="Write doubt.npz for the committed nets.")
    p.add_argument("--data", required=True, help="path to mnist.npz")
    p.add_argument("--pen", help="pen-drawn digits (.jsonl.gz) the nets trained on")
    p.add_argument("--models", type=Path, help="models folder (default: $LENET5_MODELS, else "
                                               "the repository's models/)")
    p.add_argument("--val-size", type=int, default=5000, help="as the nets were trained with")
    a = p.parse_args(argv)
    folder = a.models or models_dir()
    modern = Predictor(folder / SERVING_FILE)
    classic = Predictor(folder / CLASSIC / SERVING_FILE)
    s4 = typicality.load(folder / TYPICALITY_FILE, modern.sha256)
    if s4 is None:
        raise SystemExit(f"{folder / TYPICALITY_FILE} is missing or stale: "
                         "python -m lenet5.train.lookups --data PATH/TO/mnist.npz")
    records = trained_writers(list(read_jsonl(a.pen)), folder) if a.pen else []
    bank = build(load_mnist(a.data, val_size=a.val_size), records, modern, classic, s4)
    out = folder / doubt.FILE
    doubt.save(bank, out, modern.sha256, classic.sha256)
    print(json.dumps({"wrote": str(out), "bank": int(len(bank.labels)),
                      "threshold": round(bank.threshold, 4),
                      "s4_threshold": round(bank.s4_threshold, 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
