"""Cross-validation by writer: how well a training recipe reads people it never saw.

    python -m lenet5.eval.crossval --data PATH/mnist.npz --pen PATH/pendigits-train.jsonl.gz \
        --out runs/cv [any python -m lenet5.train flag]

The writers of the pen-drawn digits are split into ``--pen-folds`` folds
(:mod:`lenet5.train.writers`). For each fold the net is trained, exactly as ``python -m
lenet5.train --pen PATH --pen-holdout-fold K`` would train it, on MNIST plus every other fold's
writers, and read the held-out writers' digits drawn on the canvas, and numbers of them on the
Number page written apart, touching and joined (:mod:`lenet5.train.layouts`), read as the page
reads them: with a verifier fitted on the fold's own training writers (``--verifier-numbers``
numbers a layout; :mod:`lenet5.train.verifier`). When the pen digits come in a second stage, the
first stage (MNIST alone, no pen data) is trained once and shared by all folds. Each fold's
artifacts go to ``OUT/fold-K``; the report, per fold and as the mean and spread over folds, per
class, to ``OUT/crossval.json`` and stdout. ``--smoke`` checks the pipeline in a few minutes: each
fold trained as ``python -m lenet5.train --smoke`` does, the first ``SMOKE_FOLDS`` folds only
(unless ``--only``), and ``SMOKE_NUMBERS`` numbers read (and fitted on) per fold and layout.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import SERVING_FILE
from lenet5.core.predictor import Predictor
from lenet5.core.reader import Reader
from lenet5.core.segment import SEGMENTATION
from lenet5.eval import whole_numbers as number
from lenet5.eval.evaluate import by_writer, writer_spread
from lenet5.train import export, pen, recipe, writers
from lenet5.train import fit as train
from lenet5.train import verifier as fitting
from lenet5.train.data import load_mnist, read_jsonl
from lenet5.train.layouts import LAYOUTS
from lenet5.train.model import ModelConfig, model_config
from lenet5.train.pen import canvas_readings
from lenet5.train.recipe import AugmentConfig

SMOKE_FOLDS, SMOKE_NUMBERS = 2, 20  # --smoke: two folds still give a mean and a spread


def fold_report(metrics: dict, held: list[dict], predictor: Predictor, numbers: int,
                trained_on: list[dict] | None = None, verifier_numbers: int = 0) -> dict:
    """One fold's figures: held-out writers, per class and per writer (read by this fold's
    net, the one that never saw them), MNIST test, whole numbers (``numbers`` a layout: apart
    under ``numbers``, touching and joined under ``numbers_touching`` and ``numbers_joined``),
    read with a verifier fitted on ``verifier_numbers`` numbers a layout of ``trained_on``
    (the fold's training writers) when both are given."""
    pred, labels = canvas_readings(predictor, held)
    out = {"writers": metrics["pen"]["held_out_writers"],
           "accuracy": metrics["pen"]["held_out_accuracy"],
           "per_class": metrics["pen"]["held_out_per_class"],
           "mnist_test_accuracy": metrics["test_accuracy"],
           "train_seconds": metrics["train_seconds"],
           **by_writer(pred == labels, [r["writer"] for r in held])}
    if numbers:
        reader = fold_reader(predictor, trained_on or [], verifier_numbers)
        for how in LAYOUTS:
            out[numbers_key(how)] = number.measure(held, reader, numbers, how=how)
    return out


def numbers_key(how: str) -> str:
    """Where a fold's report keeps its numbers laid out ``how`` (apart: ``numbers``, as
    before the layouts)."""
    return "numbers" if how == "apart" else f"numbers_{how}"


def fold_reader(predictor: Predictor, trained_on: list[dict], verifier_numbers: int) -> Reader:
    """The fold's net as the Number page reads with it: with a verifier fitted on numbers of
    the writers it trained on (none when there are none, or ``verifier_numbers`` is 0)."""
    reader = Reader(predictor)
    if not trained_on or not verifier_numbers:
        return reader
    x, y, cut = fitting.examples(trained_on, reader, verifier_numbers, 1)
    return replace(reader, verifier=fitting.fit_verifier(x, y, cut, reader.sha256, 1))


def summary(folds: dict[int, dict]) -> dict:
    """Mean, spread (sample std), min and max over folds; per class the mean over folds."""
    def stats(values: list[float]) -> dict:
        v = np.array(values)
        return {"mean": round(float(v.mean()), 6),
                "std": round(float(v.std(ddof=1)) if len(v) > 1 else 0.0, 6),
                "min": round(float(v.min()), 6), "max": round(float(v.max()), 6)}

    per_class = {c: round(float(np.mean([f["per_class"][c] for f in folds.values()])), 6)
                 for c in next(iter(folds.values()))["per_class"]}
    out = {"held_out_accuracy": stats([f["accuracy"] for f in folds.values()]),
           "per_class_mean": per_class, "worst_class": min(per_class, key=per_class.get),
           "mnist_test_accuracy": stats([f["mnist_test_accuracy"] for f in folds.values()]),
           **writers_summary(folds)}
    if all("numbers" in f for f in folds.values()):
        out["number_accuracy"] = stats([f["numbers"]["number_accuracy"] for f in folds.values()])
        out["per_digit_accuracy"] = stats(
            [f["numbers"]["per_digit_accuracy"] for f in folds.values()])
    for how in LAYOUTS:
        key = numbers_key(how)
        if all(key in f for f in folds.values()):
            out[f"number_accuracy_{how}"] = stats(
                [f[key]["number_accuracy"] for f in folds.values()])
            worst = min((f[key]["worst_writer"] for f in folds.values()),
                        key=lambda w: w["number_accuracy"])
            out[f"worst_writer_numbers_{how}"] = worst
    if any(f"number_accuracy_{how}" in out for how in LAYOUTS):
        out["segmentation"] = SEGMENTATION  # how those numbers were cut and chosen
    return out


def writers_summary(folds: dict[int, dict]) -> dict:
    """Every held-out writer's accuracy, each read by the net of the fold that held them out
    (``per_writer``), their mean (``writer_mean``, each writer counting once), the worst writer
    and the 10th percentile over all folds' writers; empty for reports without them."""
    table = {w: v for f in folds.values() for w, v in f.get("per_writer", {}).items()}
    if not table:
        return {}
    table = dict(sorted(table.items(), key=lambda item: int(item[0])))
    return {"per_writer": table, "writer_mean": round(float(np.mean(
        [v["accuracy"] for v in table.values()])), 6), **writer_spread(table)}


def first_stage(cfg: recipe.TrainConfig, data, aug: AugmentConfig | None,
                model_cfg: ModelConfig, cache: Path | None) -> tuple:
    """The shared first stage (MNIST alone) as ``(model, history, weights, seconds)``; kept in
    ``cache`` (a folder) under a name made from everything it depends on, and reused from
    there, so that recipes differing only in their second stage train it once."""
    start = time.perf_counter()
    key = first_stage_key(cfg, model_cfg, aug)
    path = cache / f"{key}.weights.h5" if cache else None
    model, hist, _ = train.first_stage(cfg, data, aug, model_cfg, None, not (
        path and path.is_file()))
    seconds = time.perf_counter() - start
    if path and path.is_file():
        model.load_weights(path)
        kept = json.loads(path.with_suffix(".json").read_text())
        hist, seconds = kept["history"], kept["seconds"]  # as long as training it took (if known)
    elif path:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save_weights(path)
        path.with_suffix(".json").write_text(json.dumps({"history": hist, "seconds": seconds}))
    return model, hist, model.get_weights(), seconds


def first_stage_key(cfg: recipe.TrainConfig, model_cfg: ModelConfig,
                    aug: AugmentConfig | None) -> str:
    """16 hex digits naming the first stage of ``cfg``: what the second stage alone uses is
    left out, so that recipes differing only there share one first stage."""
    later = {f: 0 for f in ("pen_renders", "pen_holdout_fold", "style_epochs", "flag_ones",
                           "crossed_sevens", "curled_nines")}
    first = asdict(replace(cfg, **later, style_lr=0, style_alpha=0, style_soup=0))
    for name in ("pen_variety", "pen_tails", "pen_loops"):  # named after the keys were:
        del first[name]  # the stages cached before stay found
    key = json.dumps([first, model_cfg.to_dict(), aug.to_dict() if aug else None],
                     sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class Trainer:
    """Trains one net as ``python -m lenet5.train`` would, for several pen sets in turn: the
    first stage, when it is MNIST alone, is trained once and kept in ``shared``."""

    data: object
    aug: AugmentConfig | None
    model_cfg: ModelConfig
    cache: Path | None = None
    shared: list = field(default_factory=list)

    def __call__(self, cfg: recipe.TrainConfig, pen_xy: pen.PenDigits, out: Path
                 ) -> tuple[dict, Predictor]:
        """Train on MNIST and ``pen_xy``; write every artifact to ``out``; its metrics and
        its serving model."""
        start = time.perf_counter()
        if train.two_stages(cfg, pen_xy):
            if not self.shared:
                self.shared.append(first_stage(cfg, self.data, self.aug, self.model_cfg,
                                               self.cache))
                start = time.perf_counter()
            model, hist, weights, first_seconds = self.shared[0]
            model.set_weights(weights)
            hist, size = train.second_stage(model, cfg, self.aug, self.data, pen_xy, hist)
        else:
            first_seconds = 0.0
            model, hist, size = train.first_stage(cfg, self.data, self.aug, self.model_cfg,
                                                  pen_xy)
        seconds = None if first_seconds is None else (  # as one training run takes
            first_seconds + time.perf_counter() - start)
        run = export.Run(cfg, self.data, self.aug, self.model_cfg, pen_xy, seconds, size)
        metrics = export.finish(model, hist, out, run)
        return metrics, Predictor(out / SERVING_FILE)


def crossval(cfg: recipe.TrainConfig, data_path: str | None, pen_path: str | Path, out: Path,
             aug_cfg: AugmentConfig | None = None, model_cfg: ModelConfig | None = None,
             only: list[int] | None = None, numbers: int = 500, cache: Path | None = None,
             verifier_numbers: int = 600) -> dict:
    """Train and measure each fold (or the folds in ``only``); write and return the report."""
    model_cfg = model_cfg or ModelConfig()
    data = load_mnist(data_path, val_size=cfg.val_size, seed=cfg.seed)
    aug = (aug_cfg or AugmentConfig()) if cfg.augment else None
    run = Trainer(data, aug, model_cfg, cache)  # one first stage, when shared, for all folds
    folds: dict[int, dict] = {}
    records = list(read_jsonl(pen_path)) if numbers and verifier_numbers else []
    for k in only if only is not None else range(cfg.pen_folds):
        fold_cfg = replace(cfg, pen_holdout_fold=k)
        pen_xy = pen.of_recipe(pen_path, cfg, k)
        metrics, predictor = run(fold_cfg, pen_xy, out / f"fold-{k}")
        trained_on = writers.split(records, k, cfg.pen_folds)[0] if records else []
        folds[k] = fold_report(metrics, pen_xy.held_out, predictor, numbers, trained_on,
                               verifier_numbers)
        print(json.dumps({"fold": k, **folds[k]}), flush=True)
    report = {"summary": summary(folds), "folds": {str(k): v for k, v in folds.items()},
              "model_config": model_cfg.to_dict(), "train_config": asdict(cfg),
              "augment_config": aug.to_dict() if aug else None,
              "pen": {"source": Path(pen_path).name, "folds": cfg.pen_folds,
                      "writers_per_fold": {str(k): f["writers"] for k, f in folds.items()}}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "crossval.json").write_text(json.dumps(report, indent=1))
    return report


def main(argv: list[str] | None = None) -> None:
    p = recipe.parser("python -m lenet5.eval.crossval", __doc__.split("\n")[0],
                      "folder for the report and each fold's artifacts (default: runs/crossval)")
    p.set_defaults(out=Path("runs/crossval"))
    p.add_argument("--only", type=int, nargs="+", metavar="K", help="run only these folds")
    p.add_argument("--numbers", type=int, default=500,
                   help=f"whole numbers of held-out writers to read per fold (0: none; "
                        f"--smoke: at most {SMOKE_NUMBERS})")
    p.add_argument("--verifier-numbers", type=int, default=600,
                   help=f"numbers a layout of each fold's training writers its Number-page "
                        f"verifier is fitted on (0: none; --smoke: at most {SMOKE_NUMBERS})")
    p.add_argument("--first-stage-cache", type=Path, metavar="DIR",
                   help="keep the shared first stage here and reuse it (recipe experiments)")
    a = p.parse_args(argv)
    if not a.pen:
        p.error("give --pen PATH (pen-drawn digits with a writer field)")
    cfg, aug = recipe.configs(a)
    only, numbers = a.only, a.numbers
    if a.smoke:
        only = only if only is not None else list(range(min(SMOKE_FOLDS, cfg.pen_folds)))
        numbers = min(numbers, SMOKE_NUMBERS)
        a.verifier_numbers = min(a.verifier_numbers, SMOKE_NUMBERS)
    report = crossval(cfg, a.data, a.pen, a.out, aug, model_config(a.variant), only, numbers,
                      a.first_stage_cache, a.verifier_numbers)
    print(json.dumps(report["summary"]))


if __name__ == "__main__":
    main()
