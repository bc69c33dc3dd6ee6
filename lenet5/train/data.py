"""The data sets: MNIST loading and splitting, and pen-drawn digit files (JSON lines).

Images come back as ``(N, 28, 28) uint8 in [0, 255]`` (white digit on black), labels as
``(N,) uint8 in [0, 9]``. The file is a Keras-style ``mnist.npz`` given by argument or by the
``LENET5_MNIST`` environment variable; only when neither is given does it fall back to
``keras.datasets.mnist.load_data()`` (which needs the internet).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "LENET5_MNIST"
KEYS = ("x_train", "y_train", "x_test", "y_test")


class DataError(ValueError):
    """The MNIST file is missing or is not a Keras-style mnist.npz."""


@dataclass(frozen=True)
class Mnist:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    sha256: str | None
    train_index: np.ndarray | None = None  # ``(N,) int64``: x_train's rows in the file's x_train


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_pair(name: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DataError(f"x_{name} must have shape (N, 28, 28), got {x.shape}")
    if x.dtype != np.uint8:
        raise DataError(f"x_{name} must be uint8, got {x.dtype}")
    if y.shape != (x.shape[0],):
        raise DataError(f"y_{name} must have shape ({x.shape[0]},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.size and (y.min() < 0 or y.max() > 9):
        raise DataError(f"y_{name} must hold integer labels 0-9")


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and validate a Keras-style mnist.npz; raise DataError with a clear message."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"MNIST file not found: {path} (pass --data PATH or set {ENV_VAR})")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in KEYS if k not in npz.files]
            if missing:
                raise DataError(f"{path} lacks keys {missing}; expected {list(KEYS)}")
            arrays = {k: npz[k] for k in KEYS}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path} is not a readable .npz file: {exc}") from exc
    _check_pair("train", arrays["x_train"], arrays["y_train"])
    _check_pair("test", arrays["x_test"], arrays["y_test"])
    return arrays


def resolve_path(path: str | os.PathLike | None) -> Path | None:
    """The argument if given, else ``$LENET5_MNIST`` if set, else None (Keras download)."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else None


def load_mnist(
    path: str | os.PathLike | None = None, val_size: int = 5000, seed: int = 0
) -> Mnist:
    """Load MNIST and hold out ``val_size`` training digits (never test digits) for validation."""
    resolved = resolve_path(path)
    if resolved is None:
        import keras  # only for the download fallback

        (xtr, ytr), (xte, yte) = keras.datasets.mnist.load_data()
        arrays = dict(x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
        source, digest = "keras.datasets.mnist", None
    else:
        arrays = read_npz(resolved)
        source, digest = str(resolved), sha256_of(resolved)
    n = len(arrays["x_train"])
    if not 0 <= val_size < n:
        raise DataError(f"val_size must be in [0, {n}), got {val_size}")
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:val_size], order[val_size:]
    xtr, ytr = arrays["x_train"], arrays["y_train"].astype(np.uint8)
    return Mnist(
        x_train=xtr[train], y_train=ytr[train], x_val=xtr[val], y_val=ytr[val],
        x_test=arrays["x_test"], y_test=arrays["y_test"].astype(np.uint8),
        source=source, sha256=digest, train_index=train,
    )


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield the records of a (possibly gzipped) JSON-lines file."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def to_input(x: np.ndarray) -> np.ndarray:
    """``(N, 28, 28) uint8`` -> ``(N, 28, 28, 1) float32 in [0, 1]``."""
    return (x.astype(np.float32) / 255.0)[..., None]
