"""Where the app's files are, resolved when asked (never at import), and the lookup-file format.

The trained networks live in ``models/`` (the modern net) and ``models/classic/`` (the 1998
net); ``$LENET5_MODELS`` points the app and every command-line default at another folder.
Small data the pages show lives in ``assets/``.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS_ENV = "LENET5_MODELS"
SERVING_FILE = "lenet5.tflite"  # the LiteRT serving model
KERAS_FILE = "lenet5.keras"  # the trained Keras model (training and measuring only)
KERNELS_FILE = "kernels.npz"
TYPICALITY_FILE = "typicality.npz"
NEIGHBOURS_FILE = "neighbours.npz"
STYLE_EXAMPLES_FILE = "style_examples.npz"
WEIGHTS_FILE = "weights.npz"  # every layer's weights, for the NumPy pass (core/forward.py)
CLASSIC = "classic"  # the 1998 LeNet-5's folder inside the models folder
TRAIN_HINT = "python -m lenet5.train --data PATH/TO/mnist.npz"


def models_dir() -> Path:
    """The models folder: ``$LENET5_MODELS`` if set now, else the repository's ``models/``."""
    return Path(os.environ.get(MODELS_ENV) or ROOT / "models").resolve()


def model_file(name: str, folder: str = "") -> Path:
    """``name`` in the models folder, or in its sub-``folder`` (e.g. :data:`CLASSIC`)."""
    return models_dir() / folder / name


def serving_path(folder: str = "") -> Path:
    """The LiteRT serving model of the net in ``folder`` (default: the modern net)."""
    return model_file(SERVING_FILE, folder)


def serving_model_path(given: str | os.PathLike | None = None) -> Path:
    """The serving model a command reads, absolute: ``given`` (a ``--model`` flag), else the
    app's (:func:`serving_path`, resolved now so that ``$LENET5_MODELS`` counts)."""
    return Path(given).resolve() if given else serving_path()


def mnist_sample_path() -> Path:
    """``assets/mnist_sample.npz``: MNIST test digits shipped with the app."""
    return ROOT / "assets" / "mnist_sample.npz"


def load_mnist_sample(path: str | Path | None = None, random_only: bool = False
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, index)``: ``(N, 28, 28) uint8`` MNIST test digits, their ``(N,) uint8`` labels
    and ``(N,) int64`` test-set positions. ``random_only`` keeps the uniformly drawn digits (an
    unbiased sample for accuracy; the others were added because the committed net misreads
    them)."""
    with np.load(path or mnist_sample_path(), allow_pickle=False) as npz:
        keep = npz["random"] if random_only else slice(None)
        return npz["x"][keep], npz["y"][keep], npz["index"][keep]


def save_for_model(path: Path, model_sha256: str, **arrays) -> None:
    """Save ``arrays`` (and string tags such as the layer) to a compressed ``.npz`` tied to the
    serving model with ``model_sha256``; see :func:`load_for_model`."""
    np.savez_compressed(path, model_sha256=np.array(model_sha256), **arrays)


def load_for_model(path: Path, model_sha256: str, keys: tuple[str, ...],
                   **tags: str) -> dict[str, np.ndarray] | None:
    """The arrays ``keys`` of a file written by :func:`save_for_model` for this model whose
    string ``tags`` match; None if it is missing, unreadable, of another kind (a tag or a key
    differs or is absent) or made for another model (retrained since)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["model_sha256"]) != model_sha256 or any(
                    str(z[k]) != v for k, v in tags.items()):
                return None
            return {k: z[k] for k in keys}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
