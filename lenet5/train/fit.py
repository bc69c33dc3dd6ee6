"""Train LeNet-5 on MNIST (and pen-drawn digits) and write every artifact the app needs.

    python -m lenet5.train --data PATH/TO/mnist.npz --pen PATH/TO/pendigits-train.jsonl.gz
    python -m lenet5.train --variant classic --data PATH/TO/mnist.npz [the 1998 net's flags: README]
    python -m lenet5.train --data PATH/TO/mnist.npz --smoke --out /tmp/smoke   # about a minute

Without ``--out`` the artifacts go where the app reads them (``$LENET5_MODELS``, else
``models/``; ``classic/`` in it for the 1998 net). Training runs in one or two stages: MNIST
alone, then (when there are pen-drawn digits or synthesised styles) a few epochs with them
added, distilled so as not to forget MNIST (:mod:`lenet5.train.distill`).
:mod:`lenet5.train.export` writes the artifacts.
"""

# ruff: noqa: E402  (TensorFlow is imported once its start-up chatter is filtered out)
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lenet5.train import quiet

quiet.load_tensorflow()

import keras
import numpy as np
import tensorflow as tf

from lenet5.train import distill, pen, recipe
from lenet5.train.augment import Augment, AugmentConfig
from lenet5.train.data import Mnist, load_mnist, to_input
from lenet5.train.export import Run, finish
from lenet5.train.model import ModelConfig, build_model, layer_weights, model_config
from lenet5.train.pen import PenDigits
from lenet5.train.recipe import TrainConfig
from lenet5.train.styles import STYLES, synthesize

HEAD = ("f6", "output")  # the layers the styles soup's second run trains (both variants)


class Keeper(keras.callbacks.Callback):
    """Keeps ``model``'s weights (:func:`lenet5.train.model.layer_weights`) as they start
    (stage 0: the random initial weights) and after every epoch, with the stage each belongs
    to, for ``epochs.npz`` (:mod:`lenet5.core.epochs`). Reading the weights draws no random
    numbers, so a run with it trains exactly as one without."""

    def __init__(self, model: keras.Model):
        super().__init__()
        self.net, self.stage = model, 1
        self.stages: list[int] = []
        self.snapshots: list[dict[str, np.ndarray]] = []

    def on_train_begin(self, logs=None):
        if not self.snapshots:  # the first fit only: later ones start where it ended
            self.stages.append(0)
            self.snapshots.append(layer_weights(self.net))

    def on_epoch_end(self, epoch, logs=None):
        self.stages.append(self.stage)
        self.snapshots.append(layer_weights(self.net))


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


def training_model(model: keras.Model, aug: AugmentConfig | None, seed: int) -> keras.Model:
    """``model`` with the augmentation layer in front (active only while training)."""
    if aug is None:
        return model
    inputs = keras.Input(model.input_shape[1:], name="image")
    return keras.Model(inputs, model(Augment(aug, seed=seed, name="augment")(inputs)))


def styles(cfg: TrainConfig) -> dict[str, int]:
    """How many digits of each synthesised writing style training adds."""
    return {k: getattr(cfg, k) for k in STYLES if getattr(cfg, k)}


def training_set(cfg: TrainConfig, x: np.ndarray, y: np.ndarray, with_extras: bool = True,
                 pen_xy: PenDigits | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The training digits ``(N, 28, 28) uint8`` and labels: MNIST's first, then (with
    ``with_extras``) the digits beyond MNIST: synthesised styles and pen-drawn digits."""
    x_train, y_train = x, y
    if cfg.limit:
        x_train, y_train = x_train[: cfg.limit], y_train[: cfg.limit]
    if with_extras and styles(cfg):  # from the training digits only (never validation, test, pen)
        x_new, y_new = synthesize(x_train, y_train, styles(cfg), cfg.seed)
        x_train, y_train = np.concatenate([x_train, x_new]), np.concatenate([y_train, y_new])
    if with_extras and pen_xy is not None and len(pen_xy.y):
        x_train = np.concatenate([x_train, pen_xy.x])
        y_train = np.concatenate([y_train, pen_xy.y.astype(y_train.dtype)])
    return x_train, y_train


def training_loss():
    """Cross-entropy on the logits."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def digit_accuracy():
    return keras.metrics.SparseCategoricalAccuracy(name="accuracy")


def fit(trainer: keras.Model, cfg: TrainConfig, xy: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray], epochs: int, schedule, loss, metric,
        keep: Keeper | None = None) -> dict[str, list[float]]:
    """Compile ``trainer`` with Adam at ``schedule(steps_per_epoch)`` and fit ``epochs`` epochs
    on ``xy`` (digits ``(N, 28, 28) uint8``, targets), validating on ``val``, each epoch's
    weights kept in ``keep`` if given; the history."""
    steps = int(np.ceil(len(xy[1]) / cfg.batch_size))
    trainer.compile(optimizer=keras.optimizers.Adam(schedule(steps)), loss=loss, metrics=[metric])
    history = trainer.fit(
        to_input(xy[0]), xy[1], batch_size=cfg.batch_size, epochs=epochs,
        validation_data=(to_input(val[0]), val[1]), shuffle=True, verbose=2,
        callbacks=[keep] if keep is not None else None,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def learn_styles(model: keras.Model, cfg: TrainConfig, aug: AugmentConfig | None,
                 data: Mnist, pen_xy: PenDigits | None = None, keep: Keeper | None = None
                 ) -> dict[str, list[float]]:
    """The second stage: ``cfg.style_epochs`` epochs on MNIST plus the synthesised styles at a
    low learning rate, the MNIST digits distilled from the net itself (:mod:`lenet5.train.distill`).
    With ``cfg.style_soup`` a second run from the same start trains only ``HEAD`` on plain
    labels, and ``model`` ends with the mean of both runs' weights (a "model soup", Wortsman
    et al. 2022). Returns the distilled run's history; its epochs are kept in ``keep``."""
    keras.utils.set_random_seed(cfg.seed + 1)  # the same start whether or not stage 1 just ran
    x, y = training_set(cfg, data.x_train, data.y_train, pen_xy=pen_xy)
    n_mnist = cfg.limit or len(data.x_train)  # training_set puts MNIST's digits first

    def decay(steps: int):
        return keras.optimizers.schedules.CosineDecay(cfg.style_lr, cfg.style_epochs * steps,
                                                      alpha=0.01)

    start = model.get_weights()
    hist = fit(distill.paired(model, aug, cfg.seed), cfg, (x, distill.targets(y, n_mnist)),
               (data.x_val, distill.targets(data.y_val, len(data.y_val))), cfg.style_epochs,
               decay, distill.distillation_loss(cfg.style_alpha), distill.accuracy, keep)
    if cfg.style_soup:
        distilled = model.get_weights()
        model.set_weights(start)
        body = [layer for layer in model.layers if layer.name not in HEAD]
        for layer in body:
            layer.trainable = False
        fit(training_model(model, aug, cfg.seed), cfg, (x, y), (data.x_val, data.y_val),
            cfg.style_epochs, decay, training_loss(), digit_accuracy())
        for layer in body:
            layer.trainable = True
        model.set_weights(distill.average([distilled, model.get_weights()]))
    return hist


def two_stages(cfg: TrainConfig, pen_xy: PenDigits | None) -> bool:
    """Whether the styles and pen digits come in a second stage, after MNIST alone."""
    return bool(cfg.style_epochs and (styles(cfg) or pen_xy is not None))


def first_stage(cfg: TrainConfig, data: Mnist, aug: AugmentConfig | None,
                model_cfg: ModelConfig, pen_xy: PenDigits | None, fit_it: bool = True,
                keep: bool = False) -> tuple[keras.Model, dict[str, list[float]], int]:
    """Build and train (unless not ``fit_it``) the net for ``cfg.epochs`` epochs: on MNIST
    alone when a second stage follows, else with everything mixed in. Returns the model, its
    history, the set's size; with ``keep`` the model has a :class:`Keeper` as ``model.keeper``
    holding each epoch's weights."""
    keras.utils.set_random_seed(cfg.seed)
    tf.config.experimental.enable_op_determinism()
    x, y = training_set(cfg, data.x_train, data.y_train,
                        with_extras=not two_stages(cfg, pen_xy), pen_xy=pen_xy)
    model = build_model(model_cfg)
    model.keeper = Keeper(model) if keep else None
    if not fit_it:
        return model, {}, len(y)
    hist = fit(training_model(model, aug, cfg.seed), cfg, (x, y), (data.x_val, data.y_val),
               cfg.epochs, lambda steps: learning_rate(cfg, steps), training_loss(),
               digit_accuracy(), model.keeper)
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
        pen_xy = pen.of_recipe(pen_path, cfg)
    data = load_mnist(data_path, val_size=cfg.val_size, seed=cfg.seed)
    aug = (aug_cfg or AugmentConfig()) if cfg.augment else None
    start = time.perf_counter()
    model, hist, size = first_stage(cfg, data, aug, model_cfg, pen_xy, keep=True)
    if two_stages(cfg, pen_xy):
        hist, size = second_stage(model, cfg, aug, data, pen_xy, hist)
    run = Run(cfg, data, aug, model_cfg, pen_xy, time.perf_counter() - start, size,
              model.keeper)
    return finish(model, hist, out, run)


def second_stage(model: keras.Model, cfg: TrainConfig, aug: AugmentConfig | None, data: Mnist,
                 pen_xy: PenDigits | None, hist: dict) -> tuple[dict, int]:
    """:func:`learn_styles` after a first stage with history ``hist``: the whole history and
    the second stage's training-set size. Its epochs go to ``model.keeper`` if it has one."""
    keep = getattr(model, "keeper", None)
    if keep is not None:
        keep.stage = 2
    more = learn_styles(model, cfg, aug, data, pen_xy, keep)
    size = len(data.y_train[: cfg.limit or None]) + sum(styles(cfg).values())
    return {k: hist[k] + more[k] for k in hist}, size + (len(pen_xy.y) if pen_xy else 0)


def written(out: Path, since: float) -> list[str]:
    """The names of the files in ``out`` changed since ``since`` (a ``time.time()``), sorted."""
    return sorted(p.name for p in out.iterdir() if p.is_file() and p.stat().st_mtime >= since)


def run(a: argparse.Namespace) -> dict:
    """Train as the parsed flags ``a`` say; print one line naming the folder and the files
    written, then the JSON summary (stdout); return the metrics."""
    cfg, aug = recipe.configs(a)
    out = recipe.out_dir(a)
    started = time.time()
    result = train(cfg, a.data, out, aug, model_config(a.variant), a.pen)
    print(f"lenet5.train: wrote {out}: {', '.join(written(out, started))}")
    keys = ("test_accuracy", "param_count", "train_seconds")
    print(json.dumps({k: result[k] for k in keys} | {"out": str(out)}), flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    run(recipe.parser().parse_args(argv))


if __name__ == "__main__":
    main()
