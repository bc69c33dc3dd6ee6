"""A net's trained weights as the NumPy pass (:mod:`lenet5.core.forward`) uses them, and their
file: ``weights.npz``, written by training, tied to the serving model's sha256 like the lookup
files, so that a retrained model never runs with stale weights."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import load_for_model, save_for_model

_DENSE = {f"{n}.{k}" for n in ("f6", "output") for k in ("kernel", "bias")}
NEEDED = {  # the weights each variant's pass reads
    "modern": _DENSE | {f"{n}.{k}" for n in ("c1", "c3", "f5") for k in ("kernel", "bias")},
    "classic": _DENSE | {f"{n}.{k}" for n in ("c1", "c3", "c5") for k in ("kernel", "bias")}
    | {f"{n}.{k}" for n in ("s2", "s4") for k in ("coefficient", "bias")},
}


@dataclass(frozen=True)
class Weights:
    """A net's weights: ``variant`` ("modern" or "classic") and ``arrays`` keyed
    ``"<layer>.<kernel|bias|coefficient>"`` (convolutions HWIO, dense ``(in, out)``), float32."""

    variant: str
    arrays: Mapping[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]


def save(w: Weights, path: Path, model_sha256: str) -> None:
    save_for_model(path, model_sha256, variant=np.array(w.variant), **w.arrays)


def load(path: Path, model_sha256: str) -> Weights | None:
    """The weights saved for this serving model, or None if missing, unreadable, made for
    another model or short of a weight its variant needs."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = tuple(k for k in z.files if "." in k)
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    z = load_for_model(path, model_sha256, keys + ("variant",))
    if z is None or not NEEDED.get(str(z["variant"]), {"?"}) <= set(keys):
        return None
    return Weights(str(z["variant"]), {k: z[k].astype(np.float32) for k in keys})
