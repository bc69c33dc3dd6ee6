"""The learning curve over writers: do more writers still help a net read people it never saw?

    python -m lenet5.eval.learning_curve --data PATH/mnist.npz --pen PATH \
        --writers 6,12,18,24 --out runs/curve [any python -m lenet5.train flag]

The writers of fold ``--pen-holdout-fold`` (default 0: writers 1, 6, 11, 16, 21, 26) are held
out. The other writers are put in one order drawn with ``--order-seed``, and for each size N of
``--writers`` a net is trained, as ``python -m lenet5.train --pen`` trains it, on MNIST plus the
first N writers of that order (so each set holds the smaller ones), and reads the same held-out
writers, per writer. When the pen digits come in a second stage, the first stage (MNIST alone)
is trained once for all sizes. Each size's artifacts go to ``OUT/writers-N`` (with the pen
digits it used, ``pen.jsonl``); the report to ``OUT/learning_curve.json`` and stdout.
``--smoke``: every stage as ``python -m lenet5.train --smoke`` runs it.
"""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lenet5.eval.crossval import Trainer
from lenet5.eval.evaluate import by_writer
from lenet5.train import pen, recipe, writers
from lenet5.train.data import load_mnist, read_jsonl
from lenet5.train.model import ModelConfig, model_config
from lenet5.train.pen import canvas_readings


def writer_order(records: list[dict], fold: int, folds: int, seed: int) -> list[int]:
    """The writers outside fold ``fold``, in the order drawn with ``seed``."""
    outside = sorted({int(r["writer"]) for r in records if writers.fold_of(r["writer"], folds)
                      != fold})
    return [outside[i] for i in np.random.default_rng(seed).permutation(len(outside))]


def subset_file(records: list[dict], keep: set[int], fold: int, folds: int, path: Path) -> Path:
    """Write the records of the writers in ``keep`` and of fold ``fold`` to ``path`` (JSON
    lines, gzipped): a pen file :func:`lenet5.train.pen.digits` splits as for any fold."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as fh:
        for r in records:
            if int(r["writer"]) in keep or writers.fold_of(r["writer"], folds) == fold:
                fh.write(json.dumps(r) + "\n")
    return path


def point(metrics: dict, held: list[dict], predictor) -> dict:
    """One size's figures: its training writers, the held-out writers overall and per writer,
    MNIST test."""
    pred, labels = canvas_readings(predictor, held)
    return {"train_writers": metrics["pen"]["writers"],
            "accuracy": metrics["pen"]["held_out_accuracy"],
            "per_class": metrics["pen"]["held_out_per_class"],
            "mnist_test_accuracy": metrics["test_accuracy"],
            "train_seconds": metrics["train_seconds"],
            **by_writer(pred == labels, [r["writer"] for r in held])}


def curve(cfg: recipe.TrainConfig, data_path: str | None, pen_path: str | Path, out: Path,
          sizes: list[int], aug_cfg=None, model_cfg=None, order_seed: int = 0,
          cache: Path | None = None) -> dict:
    """Train one net per size in ``sizes``; write and return the report."""
    records = list(read_jsonl(pen_path))
    fold, folds = cfg.pen_holdout_fold, cfg.pen_folds
    order = writer_order(records, fold, folds, order_seed)
    if not sizes or max(sizes) > len(order) or min(sizes) < 1:
        raise ValueError(f"--writers: sizes in 1..{len(order)} (writers outside fold {fold})")
    model_cfg = model_cfg or ModelConfig()
    data = load_mnist(data_path, val_size=cfg.val_size, seed=cfg.seed)
    run = Trainer(data, aug_cfg if cfg.augment else None, model_cfg, cache)
    points = {}
    for n in sorted(set(sizes)):
        folder = out / f"writers-{n}"
        path = subset_file(records, set(order[:n]), fold, folds, folder / "pen.jsonl.gz")
        pen_xy = pen.of_recipe(path, cfg, fold)
        metrics, predictor = run(cfg, pen_xy, folder)
        points[str(n)] = point(metrics, pen_xy.held_out, predictor)
        print(json.dumps({"writers": n, **points[str(n)]}), flush=True)
    report = {"held_out_fold": fold, "folds": folds,
              "held_out_writers": sorted({int(r["writer"]) for r in pen_xy.held_out}),
              "writer_order": order, "order_seed": order_seed, "points": points,
              "train_config": asdict(cfg), "model_config": model_cfg.to_dict(),
              "pen": Path(pen_path).name}
    out.mkdir(parents=True, exist_ok=True)
    (out / "learning_curve.json").write_text(json.dumps(report, indent=1))
    return report


def sizes_arg(text: str) -> list[int]:
    try:
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated writer counts, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    p = recipe.parser("python -m lenet5.eval.learning_curve", __doc__.split("\n")[0],
                      "folder for the report and each size's artifacts "
                      "(default: runs/learning-curve)")
    p.set_defaults(out=Path("runs/learning-curve"))
    p.add_argument("--writers", type=sizes_arg, default=[6, 12, 18, 24], metavar="N,N,...",
                   help="how many training writers each net learns from")
    p.add_argument("--order-seed", type=int, default=0,
                   help="seed of the order in which writers are added")
    p.add_argument("--first-stage-cache", type=Path, metavar="DIR",
                   help="keep the shared first stage here and reuse it (as the "
                        "cross-validation's: the same recipe trains it once for both)")
    a = p.parse_args(argv)
    if not a.pen:
        p.error("give --pen PATH (pen-drawn digits with a writer field)")
    cfg, aug = recipe.configs(a)
    if cfg.pen_holdout_fold < 0:
        p.error("--pen-holdout-fold: a learning curve needs writers held out")
    try:
        report = curve(cfg, a.data, a.pen, a.out, a.writers, aug, model_config(a.variant),
                       a.order_seed, a.first_stage_cache)
    except ValueError as exc:
        p.error(str(exc))
    print(json.dumps({n: {"accuracy": v["accuracy"], "worst_writer": v["worst_writer"],
                          "mnist_test_accuracy": v["mnist_test_accuracy"]}
                      for n, v in report["points"].items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
