"""What the pages share between sessions: the networks, the lookup files and the shipped data,
loaded once per server process, and the reading of a drawing or a photo with them."""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import threading

import cv2
import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

from lenet5.core import neighbours as nb
from lenet5.core import typicality as typ
from lenet5.core import weights as wt
from lenet5.core.analysis import Analysis, analyse
from lenet5.core.artifacts import (
    CLASSIC,
    KERNELS_FILE,
    NEIGHBOURS_FILE,
    STYLE_EXAMPLES_FILE,
    TYPICALITY_FILE,
    WEIGHTS_FILE,
    load_mnist_sample,
    model_file,
    serving_path,
)
from lenet5.core.photo import UploadError, decode, photo_ink
from lenet5.core.predictor import ModelError, Predictor
from lenet5.ui import state

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


# The loads themselves are cached with functools too, so that a plain thread (no Streamlit
# script context, which st.cache_resource warns about) can do them ahead of the first drawing.
@functools.cache
def _modern() -> Predictor:
    return Predictor(serving_path())


@functools.cache
def _classic() -> Predictor | None:
    try:
        return Predictor(serving_path(CLASSIC))
    except ModelError:
        return None


@functools.cache
def _typicality(model_sha256: str) -> typ.Typicality | None:
    return typ.load(model_file(TYPICALITY_FILE), model_sha256)


@functools.cache
def _neighbours(model_sha256: str) -> nb.Neighbours | None:
    return nb.load(model_file(NEIGHBOURS_FILE), model_sha256)


def _preload() -> None:
    """Load both networks and the lookup files while the first page is on its way to the
    browser. Failures are left to the pages, which say what is wrong when they need the file."""
    try:
        sha = _modern().sha256
    except ModelError:
        return
    _typicality(sha), _neighbours(sha), _classic()


@st.cache_resource(show_spinner="Loading the network…")
def predictor() -> Predictor:
    """The LiteRT predictor, loaded once per server process and shared by all sessions."""
    return _modern()


@st.cache_resource(show_spinner=False)
def typicality(model_sha256: str) -> typ.Typicality | None:
    """What typical digits look like to this model (None if its file is missing or was made
    for another model: drawings are then read without that check)."""
    return _typicality(model_sha256)


@st.cache_resource(show_spinner=False)
def neighbours(model_sha256: str) -> nb.Neighbours | None:
    """F6 activations of MNIST training digits for this model (None if its file is missing or
    was made for another model)."""
    return _neighbours(model_sha256)


@st.cache_resource(show_spinner=False)
def classic_predictor() -> Predictor | None:
    """The 1998 LeNet-5, loaded once; None if it is missing or broken: the pages then show the
    modern net alone."""
    return _classic()


def predictor_or_stop() -> Predictor:
    """The predictor, or a clear message (with the fix) and a stop instead of a traceback."""
    try:
        return predictor()
    except ModelError as exc:
        st.error(f"The model could not be loaded. {exc}")
        st.stop()


@st.cache_data(show_spinner=False)
def load_json(name: str, folder: str = "") -> dict | list | None:
    """A JSON artifact of the net in the models folder or its sub-``folder`` (None if missing
    or unreadable)."""
    try:
        return json.loads(model_file(name, folder).read_text())
    except (OSError, ValueError):
        return None


@st.cache_data(show_spinner=False)
def arrays(name: str, folder: str = "") -> dict[str, np.ndarray] | None:
    """The arrays of an ``.npz`` artifact of the net in the models folder or its sub-``folder``
    (None if missing or unreadable)."""
    try:
        with np.load(model_file(name, folder), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError):
        return None


@st.cache_resource(show_spinner=False)
def weights(folder: str, model_sha256: str) -> wt.Weights | None:
    """The weights of the net in ``folder`` for the NumPy pass (None if its file is missing or
    was made for another model)."""
    return wt.load(model_file(WEIGHTS_FILE, folder), model_sha256)


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


def read(ink: np.ndarray, medium: str = "canvas") -> Analysis:
    """Analyse light ink on black with the shared predictor and its typicality check;
    ``medium`` (``"canvas"`` or ``"photo"``) words the reason when there is nothing to read."""
    model = predictor_or_stop()
    return analyse(ink, model, typicality=typicality(model.sha256), medium=medium)


def read_drawing(image: np.ndarray) -> Analysis:
    """Analyse a canvas image, ``(H, W, 4) uint8``, reusing the last result when the pixels
    have not changed."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).hexdigest()
    hit, last, _ = state.cached(digest)
    if hit and last is not None:
        return last
    result = read(image)
    state.remember(digest, result)
    return result


def read_upload(data: bytes, file_id: str) -> tuple[Analysis | None, str]:
    """Analyse an uploaded file once per upload: ``(analysis, note)``, or ``(None, why)`` when
    the file cannot be read as an image."""
    key = f"upload:{file_id}"
    hit, last, note = state.cached(key)
    if hit:
        return last, note
    try:
        decoded = decode(data)
        result, note = read(photo_ink(decoded.image), "photo"), decoded.note
    except UploadError as exc:
        result, note = None, str(exc)
    state.remember(key, result, note)
    return result, note


def current_analysis() -> Analysis | None:
    """The last readable drawing of this session, if any."""
    result = state.analysis()
    return result if result is not None and result.ok else None
