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

import argparse
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

from lenet5 import distill, metrics, neighbours, ood  # noqa: E402
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
from lenet5.synth import STYLES, synthesize  # noqa: E402

MODEL_FILE, SERVING_FILE = "lenet5.keras", "lenet5.tflite"
HEAD = ("f6", "output")  # the layers the styles soup's second run trains (both variants)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 40
    batch_size: int = 64
    seed: int = 0
    lr: float = 2e-3
    schedule: str = "cosine"  # cosine | constant | step
    warmup_epochs: float = 1.0
    augment: bool = True
    val_size: int = 5000
    limit: int = 0  # train on the first N training digits only (0: all); for smoke runs
    outliers: int = 0  # random non-digit scribbles added to training (outlier exposure)
    outlier_weight: float = 0.3  # weight of their loss
    outlier_loss: str = "uniform"  # uniform: cross-entropy to uniform | hinge: above the cap
    outlier_cap: float = 0.5  # hinge: top probability an outlier may keep without loss
    outlier_simple: bool = True  # False: leave out one-stroke lines and curves (digit-like)
    flag_ones: int = 4000  # synthesised European 1s (flag from the top) added to training
    crossed_sevens: int = 3000  # synthesised 7s with a bar across the stem
    curled_nines: int = 2000  # synthesised 9s with a tail curling left
    style_epochs: int = 4  # >0: first MNIST alone, then this many epochs with the styles added
    style_lr: float = 3e-4  # peak learning rate of those epochs (cosine decay)
    style_soup: bool = True  # and a run training only HEAD; serve both runs' mean weights
    style_alpha: float = distill.ALPHA  # an MNIST digit's label's weight there (rest: KD)


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


def training_set(cfg: TrainConfig, x: np.ndarray, y: np.ndarray,
                 with_styles: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The training digits ``(N, 28, 28) uint8`` plus (``with_styles``) synthesised styles and
    outliers (label 10)."""
    x_train, y_train = x, y
    if cfg.limit:
        x_train, y_train = x_train[: cfg.limit], y_train[: cfg.limit]
    if with_styles and styles(cfg):  # from the training digits only (never validation, test, pen)
        x_new, y_new = synthesize(x_train, y_train, styles(cfg), cfg.seed)
        x_train, y_train = np.concatenate([x_train, x_new]), np.concatenate([y_train, y_new])
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
        validation_data=(to_input(val[0]), val[1]), shuffle=True, verbose=1,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def learn_styles(model: keras.Model, cfg: TrainConfig, aug: AugmentConfig | None,
                 data: Mnist) -> dict[str, list[float]]:
    """The second stage: ``cfg.style_epochs`` epochs on MNIST plus the synthesised styles at a
    low learning rate, the MNIST digits distilled from the net itself (:mod:`lenet5.distill`).
    With ``cfg.style_soup`` a second run from the same start trains only ``HEAD`` on plain
    labels, and ``model`` ends with the mean of both runs' weights (a "model soup", Wortsman
    et al. 2022). Returns the distilled run's history."""
    x, y = training_set(cfg, data.x_train, data.y_train)
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


def write_lookups(model: keras.Model, out: Path, data: Mnist, n: int) -> None:
    """For the app's (modern) net: ``ood.npz`` (what typical digits look like to it) and
    ``neighbours.npz`` (F6 of training digits), from the first ``n`` training digits."""
    if ood.LAYER not in {layer.name for layer in model.layers}:
        return  # the 1998 net: the pages use these only with the modern one
    predictor = Predictor(out / SERVING_FILE)
    x, y, index = data.x_train[:n], data.y_train[:n], data.train_index[:n]
    ood.save(ood.typicality_for(predictor, x, data.x_val), out / ood.OOD_PATH.name)
    neighbours.save(neighbours.build(predictor, x, y, index),
                    out / neighbours.NEIGHBOURS_PATH.name)


def train(cfg: TrainConfig, data_path: str | None, out: Path,
          aug_cfg: AugmentConfig | None = None, model_cfg: ModelConfig | None = None) -> dict:
    """Train the net ``model_cfg`` describes (default: modern), evaluate on the test set, write
    all artifacts to ``out``; return the metrics."""
    model_cfg = model_cfg or ModelConfig()
    later = bool(cfg.style_epochs and styles(cfg))  # the styles only in a second stage
    if later and cfg.outliers:
        raise ValueError("--outliers needs --style-epochs 0 (the styles stage distils digits)")
    keras.utils.set_random_seed(cfg.seed)
    tf.config.experimental.enable_op_determinism()
    data = load_mnist(data_path, val_size=cfg.val_size, seed=cfg.seed)
    x_train, y_train = training_set(cfg, data.x_train, data.y_train, with_styles=not later)
    aug = (aug_cfg or AugmentConfig()) if cfg.augment else None
    model = build_model(model_cfg)
    start = time.perf_counter()
    hist = fit(training_model(model, aug, cfg.seed), cfg, (x_train, y_train),
               (data.x_val, data.y_val), cfg.epochs, lambda steps: learning_rate(cfg, steps),
               training_loss(cfg), DigitAccuracy())
    if later:
        more = learn_styles(model, cfg, aug, data)
        hist = {k: hist[k] + more[k] for k in hist}
    seconds = time.perf_counter() - start
    logits = model.predict(to_input(data.x_test), batch_size=1000, verbose=0)
    test = metrics.summary(data.y_test, logits.argmax(1))
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / MODEL_FILE)
    export_serving(model, out / SERVING_FILE)
    write_inspection(model, out)
    n = cfg.limit or len(data.x_train)  # the MNIST digits themselves: no synthetic ones
    write_lookups(model, out, data, n)
    hist["epoch"] = list(range(1, len(hist["loss"]) + 1))
    (out / "history.json").write_text(json.dumps(hist, indent=1))
    result = {
        "test_accuracy": test["accuracy"], "test": test,
        "param_count": int(model.count_params()),
        "model_config": model_cfg.to_dict(), "train_config": asdict(cfg),
        "augment_config": aug.to_dict() if aug else None,
        "train_seconds": round(seconds, 1),
        "train_size": int(len(x_train) + later * sum(styles(cfg).values())),
        "data": {"source": Path(data.source).name, "sha256": data.sha256},
        "versions": versions(),
    }
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    d = TrainConfig()
    p = argparse.ArgumentParser(prog="python -m lenet5.train", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models")
    p.add_argument("--variant", choices=["modern", "classic"], default="modern",
                   help="modern: ReLU, max-pooling; classic: the 1998 network as published")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--lr", type=float, default=d.lr, help="peak learning rate")
    p.add_argument("--schedule", choices=["cosine", "constant", "step"], default=d.schedule)
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=d.augment)
    p.add_argument("--val-size", type=int, default=d.val_size)
    p.add_argument("--limit", type=int, default=0, help="use only N training digits (smoke runs)")
    p.add_argument("--outliers", type=int, default=d.outliers,
                   help="add N random non-digit scribbles, taught to be unsure (0: off)")
    p.add_argument("--outlier-weight", type=float, default=d.outlier_weight)
    p.add_argument("--outlier-loss", choices=["uniform", "hinge"], default=d.outlier_loss,
                   help="uniform: cross-entropy to uniform; hinge: only a top probability "
                        "above --outlier-cap costs")
    p.add_argument("--outlier-cap", type=float, default=d.outlier_cap)
    p.add_argument("--outlier-simple", action=argparse.BooleanOptionalAction,
                   default=d.outlier_simple, help="--no-outlier-simple: no one-stroke "
                   "lines or curves among the outliers (they look like parts of digits)")
    for style in STYLES:
        p.add_argument(f"--{style.replace('_', '-')}", type=int, default=getattr(d, style),
                       help="add N synthesised digits in this writing style (lenet5/synth.py)")
    p.add_argument("--style-epochs", type=int, default=d.style_epochs,
                   help="N > 0: train on MNIST alone first, then N more epochs with the styles "
                        "added at --style-lr (0: the styles from the start)")
    p.add_argument("--style-lr", type=float, default=d.style_lr)
    p.add_argument("--style-alpha", type=float, default=d.style_alpha,
                   help="weight of an MNIST digit's label while learning the styles; the rest "
                        "goes to the net's own earlier answer")
    p.add_argument("--style-soup", action=argparse.BooleanOptionalAction, default=d.style_soup,
                   help="also run the styles stage training only the last two layers on plain "
                        "labels, and serve the mean of both runs' weights")
    for name, value in AugmentConfig().to_dict().items():
        p.add_argument(f"--aug-{name}", type=float, default=value, help="augmentation setting")
    return p.parse_args(argv)


def configs(a: argparse.Namespace) -> tuple[TrainConfig, AugmentConfig]:
    """The training and augmentation configuration given by parsed command-line flags."""
    cfg = TrainConfig(**{k: getattr(a, k) for k in TrainConfig().__dict__ if k != "warmup_epochs"})
    aug = AugmentConfig(**{k: getattr(a, f"aug_{k}") for k in AugmentConfig().to_dict()})
    return cfg, aug


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    cfg, aug = configs(a)
    result = train(cfg, a.data, a.out, aug, model_config(a.variant))
    print(json.dumps({k: result[k] for k in ("test_accuracy", "param_count", "train_seconds")}))


if __name__ == "__main__":
    main()
