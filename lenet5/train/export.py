"""Everything a trained net leaves behind for the app and for measuring it.

``lenet5.keras`` (Keras model), ``lenet5.tflite`` (LiteRT serving model with every named layer
as an output), ``history.json``, ``metrics.json`` (with the variant in its ``model_config``),
``architecture.json``, ``kernels.npz``, for the modern net the lookups (``typicality.npz``,
``neighbours.npz``: :mod:`lenet5.train.lookups`), ``weights.npz`` (every layer's weights, for
the NumPy pass that switches maps off: :mod:`lenet5.core.forward`), ``epochs.npz`` (those
weights after every epoch: :mod:`lenet5.core.epochs`) and, when it learned
synthesised writing styles, ``style_examples.npz`` (what the Training page shows of them).

    python -m lenet5.train.export [--weights DIR [DIR ...]]

writes ``weights.npz`` again from the saved Keras models, for nets trained before it existed
(default: the app's two, in the models folder and its ``classic/``).
"""

# ruff: noqa: E402  (TensorFlow is imported once its start-up chatter is filtered out)
from __future__ import annotations

import argparse
import json
import platform
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from lenet5.train import quiet

quiet.load_tensorflow()

import keras
import numpy as np

from lenet5.core import epochs, typicality, weights
from lenet5.core.artifacts import (
    CLASSIC,
    KERAS_FILE,
    KERNELS_FILE,
    SERVING_FILE,
    STYLE_EXAMPLES_FILE,
    WEIGHTS_FILE,
    models_dir,
)
from lenet5.core.predictor import Predictor
from lenet5.train import metrics, pen
from lenet5.train.augment import AugmentConfig
from lenet5.train.data import Mnist, to_input
from lenet5.train.lookups import write_lookups
from lenet5.train.model import (
    CLASSIC_LAYER_NAMES,
    ModelConfig,
    architecture,
    feature_model,
    kernels,
    layer_names,
    layer_weights,
)
from lenet5.train.pen import PenDigits
from lenet5.train.recipe import TrainConfig
from lenet5.train.styles import STYLES, synthesize

EXAMPLES = 10  # examples of each style shown on the Training page


def export_serving(model: keras.Model, path: Path) -> None:
    """Write the LiteRT flatbuffer: input ``image``, one output per named layer."""
    feature_model(model).export(str(path), format="litert", verbose=False)


def write_inspection(model: keras.Model, out: Path) -> None:
    """What the app shows without Keras: the layer table and the c1/c3 kernels (HWIO)."""
    (out / "architecture.json").write_text(json.dumps(architecture(model), indent=1))
    np.savez_compressed(out / KERNELS_FILE, **kernels(model))


def versions() -> dict:
    """The versions of what trained the net, for its metrics.json."""
    names = ["tensorflow", "keras", "numpy", "ai-edge-litert"]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = platform.python_version()
    return found


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
    keeper: object = None  # a lenet5.train.fit.Keeper holding every epoch's weights, if kept


def finish(model: keras.Model, hist: dict, out: Path, run: Run) -> dict:
    """Write every artifact of the trained ``model`` to ``out``, with ``metrics.json`` (MNIST
    test and, when pen digits were held out, held-out writers' accuracy); the metrics."""
    result = write_artifacts(model, out, run.data, hist, run.cfg, run.pen_xy)
    write_epochs(model, out, run.keeper)
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
    model.save(out / KERAS_FILE)
    export_serving(model, out / SERVING_FILE)
    write_inspection(model, out)
    write_weights(model, out)
    if typicality.LAYER in {layer.name for layer in model.layers}:  # the modern net only:
        # the pages use the lookups with the app's net, never the 1998 one
        write_lookups(Predictor(out / SERVING_FILE), out, data, cfg.limit or len(data.x_train),
                      pen_xy)
    write_style_examples(cfg, data, out)
    hist["epoch"] = list(range(1, len(hist["loss"]) + 1))
    (out / "history.json").write_text(json.dumps(hist, indent=1))
    return {"test_accuracy": test["accuracy"], "test": test,
            "param_count": int(model.count_params())}


def write_style_examples(cfg: TrainConfig, data: Mnist, out: Path) -> None:
    """``style_examples.npz``: for each synthesised style this net learned, ``EXAMPLES``
    examples drawn onto MNIST test digits (never trained on) as one ``(28, 28 * n) uint8``
    strip. None when it learned none (an earlier net's file is removed: the Training page would
    show styles this net never saw)."""
    strips = {}
    for style in STYLES:
        if getattr(cfg, style):
            images, _ = synthesize(data.x_test, data.y_test, {style: EXAMPLES}, seed=0)
            if len(images):
                strips[style] = np.hstack(list(images))
    if strips:
        np.savez_compressed(out / STYLE_EXAMPLES_FILE, **strips)
    else:
        (out / STYLE_EXAMPLES_FILE).unlink(missing_ok=True)


def write_weights(model: keras.Model, out: Path) -> None:
    """``weights.npz`` beside the serving model ``out/lenet5.tflite``, tied to its sha256."""
    weights.save(weights.Weights(variant(model), layer_weights(model)), out / WEIGHTS_FILE,
                 Predictor(out / SERVING_FILE).sha256)


def write_epochs(model: keras.Model, out: Path, keeper) -> None:
    """``epochs.npz`` beside ``out/lenet5.tflite``, tied to its sha256: the weights ``keeper``
    (a :class:`lenet5.train.fit.Keeper`) kept after every epoch. Without any, an earlier net's
    file is removed (it could only be stale)."""
    path = out / epochs.EPOCHS_FILE
    if keeper is None or not keeper.snapshots:
        path.unlink(missing_ok=True)
        return
    e = epochs.stack(variant(model), keeper.stages, keeper.snapshots)
    epochs.save(e, path, Predictor(out / SERVING_FILE).sha256)


def variant(model: keras.Model) -> str:
    """"classic" for the 1998 net, else "modern" (as ``weights.npz`` names them)."""
    return "classic" if layer_names(model) == CLASSIC_LAYER_NAMES else "modern"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.train.export",
                                description="Write weights.npz from a saved net.")
    p.add_argument("--weights", nargs="+", type=Path, metavar="DIR",
                   help="folders holding lenet5.keras and lenet5.tflite (default: the models "
                        "folder the app reads, $LENET5_MODELS or models/, and its classic/)")
    folders = p.parse_args(argv).weights or [models_dir(), models_dir() / CLASSIC]
    for folder in folders:
        write_weights(keras.models.load_model(folder / KERAS_FILE, safe_mode=True), folder)
        print(json.dumps({"out": str(folder / WEIGHTS_FILE)}))


if __name__ == "__main__":
    main()
