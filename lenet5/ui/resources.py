"""What the pages share between sessions: the reader (the networks and their lookup files), the
other artifacts and the shipped data, each loaded once per server process; and the reading of a
drawing or a photo with them, once per change."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import threading
from pathlib import Path

import cv2
import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

from lenet5.core import weights as wt
from lenet5.core.artifacts import (
    KERNELS_FILE,
    STYLE_EXAMPLES_FILE,
    WEIGHTS_FILE,
    load_mnist_sample,
    model_file,
    models_dir,
)
from lenet5.core.photo import UploadError, decode, photo_ink
from lenet5.core.predictor import ModelError
from lenet5.core.reader import Reader, Report
from lenet5.ui import memory, state

# Imported by Streamlit on first use (the canvas' arguments are checked for data frames, images
# are encoded with PIL); importing them up front keeps that cost out of the first drawing.
WARM_MODULES = ("pandas", "pyarrow", "PIL.Image", "PIL.PngImagePlugin")


@st.cache_resource(show_spinner=False)
def warm_up() -> int:
    """Once per server process: import what the pages will need, keep OpenCV and numpy's BLAS
    to one thread per call, then move every object alive now (modules, classes: never freed)
    out of the garbage collector's reach, because Streamlit runs a full ``gc.collect()`` after
    every script run and scanning them would cost each run more than reading the digit. No
    ``gc.collect()`` first: there is no garbage yet, and it would slow the first page load.
    Returns the number frozen. (What each of these saves: docs/performance.md.)"""
    memory.keep_large_blocks_apart()  # freed readings go back to the system (ui/memory.py)
    memory.start_handing_back()
    for name in WARM_MODULES:
        importlib.import_module(name)
    cv2.setNumThreads(1)  # sessions already run in parallel; OpenCV's own pool only contends
    threadpool_limits(1)  # so does numpy's BLAS, which made the neighbour search erratic
    gc.freeze()
    return gc.get_freeze_count()


@st.cache_resource(show_spinner=False)
def preload() -> bool:
    """Once per server process, at the end of the first page run (so that it does not slow
    that run down), start loading what the first drawing needs in the background."""
    threading.Thread(target=_preload, name="lenet5-preload", daemon=True).start()
    return True


# One cache layer for what every drawing is read with: a plain function (not st.cache_resource),
# so that the preload thread, which has no Streamlit script context, can fill it too.
_readers: dict[str, Reader] = {}
_loading = threading.Lock()


def _reader(folder: str) -> Reader:
    """The reader of the models ``folder``, loaded once per server process (ModelError if its
    serving model is missing or broken; tried again on the next call)."""
    with _loading:  # two sessions arriving at once load it once
        if folder not in _readers:
            _readers[folder] = Reader.load(folder)
        return _readers[folder]


def _preload() -> None:
    """Load the networks and the lookup files while the first page is on its way to the
    browser. Failures are left to the pages, which say what is wrong when they need the file."""
    with contextlib.suppress(ModelError):
        _reader(str(models_dir()))


def reader() -> Reader:
    """What the pages read drawings with (the models folder as it is set now), or a clear
    message (with the fix) and a stop instead of a traceback."""
    try:
        return _reader(str(models_dir()))
    except ModelError as exc:
        st.error(f"The model could not be loaded. {exc}")
        st.stop()


def load_json(name: str, folder: str = "") -> dict | list | None:
    """A JSON artifact of the net in the models folder (as set now) or its sub-``folder``
    (None if missing or unreadable)."""
    return _json(str(model_file(name, folder)))


@st.cache_data(show_spinner=False)
def _json(path: str) -> dict | list | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def arrays(name: str, folder: str = "") -> dict[str, np.ndarray] | None:
    """The arrays of an ``.npz`` artifact of the net in the models folder (as set now) or its
    sub-``folder`` (None if missing or unreadable)."""
    return _arrays(str(model_file(name, folder)))


@st.cache_data(show_spinner=False)
def _arrays(path: str) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError):
        return None


def weights(folder: str, model_sha256: str) -> wt.Weights | None:
    """The weights of the net in ``folder`` for the NumPy pass (None if its file is missing or
    was made for another model)."""
    return _weights(str(model_file(WEIGHTS_FILE, folder)), model_sha256)


@st.cache_resource(show_spinner=False)
def _weights(path: str, model_sha256: str) -> wt.Weights | None:
    return wt.load(Path(path), model_sha256)


def kernels(folder: str = "") -> dict[str, np.ndarray] | None:
    """The learned c1 and c3 kernels, ``(5, 5, in, out) float32`` (None if missing)."""
    return arrays(KERNELS_FILE, folder)


def style_examples() -> dict[str, np.ndarray]:
    """Examples of the writing styles the net learned, ``(28, 28 * n) uint8`` strips by style
    (empty if it learned none)."""
    return arrays(STYLE_EXAMPLES_FILE) or {}


@st.cache_data(show_spinner=False)
def mnist_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Shipped MNIST test digits ``(x, y, index)`` (None if missing)."""
    try:
        return load_mnist_sample()
    except (OSError, ValueError, KeyError):
        return None


def read_drawing(image: np.ndarray, strokes: list[np.ndarray], widths: list[float]) -> Report:
    """Read a canvas image, ``(H, W, 4) uint8``, and its strokes, reusing this session's last
    report when the pixels have not changed."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).hexdigest()
    hit, last = state.cached(digest)
    if hit and last is not None:
        return last
    result = reader().read(image, strokes, widths)
    state.remember(digest, result)
    return result


def read_upload(data: bytes, file_id: str) -> tuple[Report | None, str]:
    """Read an uploaded file once per upload: ``(report, note)``, or ``(None, why)`` when the
    file cannot be read as an image."""
    key = f"upload:{file_id}"
    hit, last = state.cached(key)
    if hit:
        return last, state.refusal() or (last.note if last else "")
    try:
        decoded = decode(data)
        result, why = reader().read(photo_ink(decoded.image), medium="photo",
                                    note=decoded.note), ""
    except UploadError as exc:
        result, why = None, str(exc)
    state.remember(key, result, why)
    return result, why or (result.note if result else "")


def current_report() -> Report | None:
    """The last readable drawing of this session, if any."""
    result = state.report()
    return result if result is not None and result.ok else None
