"""Train LeNet-5 on MNIST and write every artifact the app needs.

    python -m lenet5.train --data ../shared/data/mnist.npz --out models
    python -m lenet5.train --variant classic --data ../shared/data/mnist.npz --out models/classic

Writes ``lenet5.keras`` (Keras model), ``lenet5.tflite`` (LiteRT serving model with every named
layer as an output), ``history.json``, ``metrics.json`` (with the variant in its
``model_config``), ``architecture.json``, ``kernels.npz`` and, for the modern net,
``ood.npz`` (what typical digits look like to it, :mod:`lenet5.ood`) and ``neighbours.npz``
(F6 of training digits, :mod:`lenet5.neighbours`) to ``--out``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from lenet5 import distill, metrics, neighbours, ood, pen, recipe  # noqa: E402
from lenet5.augment import Augment, AugmentConfig  # noqa: E402
from lenet5.data import Mnist, load_mnist  # noqa: E402
from lenet5.inference import Predictor  # noqa: E402
from lenet5.model import (  # noqa: E402
    ModelConfig,
    architecture,
    build_model,
    feature_model,
    kernels,
    model_config,
)
from lenet5.outliers import OUTLIER, DigitAccuracy, exposure_loss, random_scribbles  # noqa: E402
from lenet5.pen import PenDigits  # noqa: E402
from lenet5.recipe import TrainConfig  # noqa: E402
from lenet5.synth import STYLES, synthesize  # noqa: E402

MODEL_FILE, SERVING_FILE = "lenet5.keras", "lenet5.tflite"
HEAD = ("f6", "output")  # the layers the styles soup's second run trains (both variants)


def learning_rate(cfg: TrainConfig, steps_per_epoch: int):
    """The optimizer's learning rate: a float or a Keras schedule."""
    total = max(1, cfg.epochs * steps_per_epoch)
    if cfg.schedule == "constant":
        return cfg.lr
    if cfg.schedule == "step":  # divide by 10 at 50% and 75% of training
        bounds = [int(total * 0.5), int(total * 0.75)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(
            bounds, [cfg.lr, cfg.lr / 10, cfg.lr / 100]
        )
    if cfg.schedule == "cosine":
        warmup = min(int(cfg.warmup_epochs * steps_per_epoch), total - 1)
        return keras.optimizers.schedules.CosineDecay(
            cfg.lr / 10, total - warmup, alpha=0.01, warmup_target=cfg.lr, warmup_steps=warmup
        )
    raise ValueError(f"unknown schedule {cfg.schedule!r}")


def to_input(x: np.ndarray) -> np.ndarray:
    """``(N, 28, 28) uint8`` -> ``(N, 28, 28, 1) float32 in [0, 1]``."""
    return (x.astype(np.float32) / 255.0)[..., None]


def training_model(model: keras.Model, aug: AugmentConfig | None, seed: int) -> keras.Model:
    """``model`` with the augmentation layer in front (active only while training)."""
    if aug is None:
        return model
    inputs = keras.Input(model.input_shape[1:], name="image")
    return keras.Model(inputs, model(Augment(aug, seed=seed, name="augment")(inputs)))


def export_serving(model: keras.Model, path: Path) -> None:
    """Write the LiteRT flatbuffer: input ``image``, one output per named layer."""
    feature_model(model).export(str(path), format="litert", verbose=False)


def write_inspection(model: keras.Model, out: Path) -> None:
    """What the app shows without Keras: the layer table and the c1/c3 kernels (HWIO)."""
    (out / "architecture.json").write_text(json.dumps(architecture(model), indent=1))
    np.savez_compressed(out / "kernels.npz", **kernels(model))


def versions() -> dict:
    names = ["tensorflow", "keras", "numpy", "ai-edge-litert"]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = platform.python_version()
    return found


def styles(cfg: TrainConfig) -> dict[str, int]:
    """How many digits of each synthesised writing style training adds."""
    return {k: getattr(cfg, k) for k in STYLES if getattr(cfg, k)}


def training_set(cfg: TrainConfig, x: np.ndarray, y: np.ndarray, with_styles: bool = True,
                 pen_xy: PenDigits | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The training digits ``(N, 28, 28) uint8`` (MNIST's first) plus (``with_styles``)
    synthesised styles and pen-drawn digits, and outliers (label 10)."""
    x_train, y_train = x, y
    if cfg.limit:
        x_train, y_train = x_train[: cfg.limit], y_train[: cfg.limit]
    if with_styles and styles(cfg):  # from the training digits only (never validation, test, pen)
        x_new, y_new = synthesize(x_train, y_train, styles(cfg), cfg.seed)
        x_train, y_train = np.concatenate([x_train, x_new]), np.concatenate([y_train, y_new])
    if with_styles and pen_xy is not None and len(pen_xy.y):
        x_train = np.concatenate([x_train, pen_xy.x])
        y_train = np.concatenate([y_train, pen_xy.y.astype(y_train.dtype)])
    if cfg.outliers:
        scribbles = random_scribbles(cfg.outliers, cfg.seed, cfg.outlier_simple)
        x_train = np.concatenate([x_train, scribbles])
        y_train = np.concatenate([y_train, np.full(cfg.outliers, OUTLIER, y_train.dtype)])
    return x_train, y_train


def training_loss(cfg: TrainConfig):
    """Keras' cross-entropy on logits (as the committed model was trained: the same numbers, so
    the same model), or the outlier-exposure loss when there are outliers."""
    if not cfg.outliers:
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return exposure_loss(cfg.outlier_weight, cfg.outlier_loss, cfg.outlier_cap)


def fit(trainer: keras.Model, cfg: TrainConfig, xy: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray], epochs: int, schedule, loss, metric
        ) -> dict[str, list[float]]:
    """Compile ``trainer`` with Adam at ``schedule(steps_per_epoch)`` and fit ``epochs`` epochs
    on ``xy`` (digits ``(N, 28, 28) uint8``, targets), validating on ``val``; the history."""
    steps = int(np.ceil(len(xy[1]) / cfg.batch_size))
    trainer.compile(optimizer=keras.optimizers.Adam(schedule(steps)), loss=loss, metrics=[metric])
    history = trainer.fit(
        to_input(xy[0]), xy[1], batch_size=cfg.batch_size, epochs=epochs,
        validation_data=(to_input(val[0]), val[1]), shuffle=True, verbose=2,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def learn_styles(model: keras.Model, cfg: TrainConfig, aug: AugmentConfig | None,
                 data: Mnist, pen_xy: PenDigits | None = None) -> dict[str, list[float]]:
    """The second stage: ``cfg.style_epochs`` epochs on MNIST plus the synthesised styles at a
    low learning rate, the MNIST digits distilled from the net itself (:mod:`lenet5.distill`).
    With ``cfg.style_soup`` a second run from the same start trains only ``HEAD`` on plain
    labels, and ``model`` ends with the mean of both runs' weights (a "model soup", Wortsman
    et al. 2022). Returns the distilled run's history."""
    keras.utils.set_random_seed(cfg.seed + 1)  # the same start whether or not stage 1 just ran
    x, y = training_set(cfg, data.x_train, data.y_train, pen_xy=pen_xy)
    n_mnist = cfg.limit or len(data.x_train)  # training_set puts MNIST's digits first

    def decay(steps: int):
        return keras.optimizers.schedules.CosineDecay(cfg.style_lr, cfg.style_epochs * steps,
                                                      alpha=0.01)

    start = model.get_weights()
    hist = fit(distill.paired(model, aug, cfg.seed), cfg, (x, distill.targets(y, n_mnist)),
               (data.x_val, distill.targets(data.y_val, len(data.y_val))), cfg.style_epochs,
               decay, distill.distillation_loss(cfg.style_alpha), distill.accuracy)
    if cfg.style_soup:
        distilled = model.get_weights()
        model.set_weights(start)
        body = [layer for layer in model.layers if layer.name not in HEAD]
        for layer in body:
            layer.trainable = False
        fit(training_model(model, aug, cfg.seed), cfg, (x, y), (data.x_val, data.y_val),
            cfg.style_epochs, decay, training_loss(cfg), DigitAccuracy())
        for layer in body:
            layer.trainable = True
        model.set_weights(distill.average([distilled, model.get_weights()]))
    return hist


def write_lookups(model: keras.Model, out: Path, data: Mnist, n: int,
                  pen_xy: PenDigits | None = None) -> None:
    """For the app's (modern) net: ``ood.npz`` (what typical digits look like to it: the first
    ``n`` training digits and one drawing of each pen-drawn digit trained on) and
    ``neighbours.npz`` (F6 of the first ``n`` MNIST training digits, shown with their
    images)."""
    if ood.LAYER not in {layer.name for layer in model.layers}:
        return  # the 1998 net: the pages use these only with the modern one
    predictor = Predictor(out / SERVING_FILE)
    x, y, index = data.x_train[:n], data.y_train[:n], data.train_index[:n]
    typical = x if pen_xy is None else np.concatenate([x, pen.first_drawings(pen_xy)])
    ood.save(ood.typicality_for(predictor, typical, data.x_val), out / ood.OOD_PATH.name)
    neighbours.save(neighbours.build(predictor, x, y, index),
                    out / neighbours.NEIGHBOURS_PATH.name)


def two_stages(cfg: TrainConfig, pen_xy: PenDigits | None) -> bool:
    """Whether the styles and pen digits come in a second stage, after MNIST alone."""
    return bool(cfg.style_epochs and (styles(cfg) or pen_xy is not None))


def first_stage(cfg: TrainConfig, data: Mnist, aug: AugmentConfig | None,
                model_cfg: ModelConfig, pen_xy: PenDigits | None, fit_it: bool = True
                ) -> tuple[keras.Model, dict[str, list[float]], int]:
    """Build and train (unless not ``fit_it``) the net for ``cfg.epochs`` epochs: on MNIST
    alone when a second stage follows, else with everything mixed in. Returns the model, its
    history, the set's size."""
    keras.utils.set_random_seed(cfg.seed)
    tf.config.experimental.enable_op_determinism()
    x, y = training_set(cfg, data.x_train, data.y_train,
                        with_styles=not two_stages(cfg, pen_xy), pen_xy=pen_xy)
    model = build_model(model_cfg)
    if not fit_it:
        return model, {}, len(y)
    hist = fit(training_model(model, aug, cfg.seed), cfg, (x, y), (data.x_val, data.y_val),
               cfg.epochs, lambda steps: learning_rate(cfg, steps), training_loss(cfg),
               DigitAccuracy())
    return model, hist, len(y)


def train(cfg: TrainConfig, data_path: str | None, out: Path,
          aug_cfg: AugmentConfig | None = None, model_cfg: ModelConfig | None = None,
          pen_path: str | Path | None = None) -> dict:
    """Train the net ``model_cfg`` describes (default: modern), on MNIST plus, with
    ``pen_path``, pen-drawn digits of the writers outside ``cfg.pen_holdout_fold``; evaluate on
    the MNIST test set and the held-out writers, write all artifacts to ``out``; return the
    metrics."""
    model_cfg = model_cfg or ModelConfig()
    pen_xy = None
    if pen_path:
        pen_xy = pen.digits(pen_path, cfg.pen_renders, cfg.pen_holdout_fold, cfg.pen_folds,
                            cfg.seed)
    if two_stages(cfg, pen_xy) and cfg.outliers:
        raise ValueError("--outliers needs --style-epochs 0 (the styles stage distils digits)")
    data = load_mnist(data_path, val_size=cfg.val_size, seed=cfg.seed)
    aug = (aug_cfg or AugmentConfig()) if cfg.augment else None
    start = time.perf_counter()
    model, hist, size = first_stage(cfg, data, aug, model_cfg, pen_xy)
    if two_stages(cfg, pen_xy):
        hist, size = second_stage(model, cfg, aug, data, pen_xy, hist)
    run = Run(cfg, data, aug, model_cfg, pen_xy, time.perf_counter() - start, size)
    return finish(model, hist, out, run)


def second_stage(model: keras.Model, cfg: TrainConfig, aug: AugmentConfig | None, data: Mnist,
                 pen_xy: PenDigits | None, hist: dict) -> tuple[dict, int]:
    """:func:`learn_styles` after a first stage with history ``hist``: the whole history and
    the second stage's training-set size."""
    more = learn_styles(model, cfg, aug, data, pen_xy)
    size = len(data.y_train[: cfg.limit or None]) + sum(styles(cfg).values())
    return {k: hist[k] + more[k] for k in hist}, size + (len(pen_xy.y) if pen_xy else 0)


@dataclass(frozen=True)
class Run:
    """What a training run used, for its metrics.json."""

    cfg: TrainConfig
    data: Mnist
    aug: AugmentConfig | None
    model_cfg: ModelConfig
    pen_xy: PenDigits | None
    seconds: float | None  # None: not known (a first stage trained earlier, kept on disk)
    size: int


def finish(model: keras.Model, hist: dict, out: Path, run: Run) -> dict:
    """Write every artifact of the trained ``model`` to ``out``, with ``metrics.json`` (MNIST
    test and, when pen digits were held out, held-out writers' accuracy); the metrics."""
    result = write_artifacts(model, out, run.data, hist, run.cfg, run.pen_xy)
    result.update({
        "model_config": run.model_cfg.to_dict(), "train_config": asdict(run.cfg),
        "augment_config": run.aug.to_dict() if run.aug else None,
        "train_seconds": None if run.seconds is None else round(run.seconds, 1),
        "train_size": int(run.size),
        "data": {"source": Path(run.data.source).name, "sha256": run.data.sha256},
        "versions": versions(),
    })
    if run.pen_xy is not None:
        score = pen.held_out_score(Predictor(out / SERVING_FILE), run.pen_xy.held_out)
        result["pen"] = run.pen_xy.about | score
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    return result


def write_artifacts(model: keras.Model, out: Path, data: Mnist, hist: dict,
                    cfg: TrainConfig, pen_xy: PenDigits | None = None) -> dict:
    """Evaluate on the MNIST test set and write the model files, the inspection files, the
    lookups and ``history.json`` to ``out``; the test metrics."""
    logits = model.predict(to_input(data.x_test), batch_size=1000, verbose=0)
    test = metrics.summary(data.y_test, logits.argmax(1))
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / MODEL_FILE)
    export_serving(model, out / SERVING_FILE)
    write_inspection(model, out)
    write_lookups(model, out, data, cfg.limit or len(data.x_train), pen_xy)
    hist["epoch"] = list(range(1, len(hist["loss"]) + 1))
    (out / "history.json").write_text(json.dumps(hist, indent=1))
    return {"test_accuracy": test["accuracy"], "test": test,
            "param_count": int(model.count_params())}


def main(argv: list[str] | None = None) -> None:
    a = recipe.parser().parse_args(argv)
    cfg, aug = recipe.configs(a)
    result = train(cfg, a.data, a.out, aug, model_config(a.variant), a.pen)
    print(json.dumps({k: result[k] for k in ("test_accuracy", "param_count", "train_seconds")}))


if __name__ == "__main__":
    main()
