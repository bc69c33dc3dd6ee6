"""Cached resources and session state shared by the pages."""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import os
import pickle
import threading

import cv2
import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

from lenet5.inference import MODELS_DIR, SERVING_PATH, TRAIN_HINT, ModelError, Predictor
from lenet5.neighbours import NEIGHBOURS_PATH, Neighbours
from lenet5.neighbours import load as load_neighbours
from lenet5.ood import OOD_PATH, Typicality
from lenet5.ood import load as load_typicality
from lenet5.pipeline import Analysis, analyse
from lenet5.samples import MNIST_SAMPLE, load_mnist_sample
from lenet5.upload import UploadError, decode, photo_ink

CLASSIC = "classic"  # the 1998 LeNet-5's folder under models/
CLASSIC_DIR = MODELS_DIR / CLASSIC

# Imported by Streamlit on first use (the canvas' arguments are checked for data frames, images
# are encoded with PIL); importing them up front keeps that cost out of the first drawing.
WARM_MODULES = ("pandas", "pyarrow", "PIL.Image", "PIL.PngImagePlugin")


@st.cache_resource(show_spinner=False)
def warm_up() -> int:
    """Once per server process: import what the pages will need, keep OpenCV and numpy's BLAS
    to one thread per call, then move every object alive now (modules, classes: about 120,000,
    never freed) out of the garbage collector's reach.

    Streamlit runs a full ``gc.collect()`` after every script run; scanning those objects cost
    ~55 ms per run (measured), longer than reading the digit. No ``gc.collect()`` first: at
    this point it finds no garbage (measured: 0 objects) and costs 50-80 ms of the first page
    load. Returns the number frozen.
    """
    for name in WARM_MODULES:
        importlib.import_module(name)
    cv2.setNumThreads(1)  # sessions already run in parallel; OpenCV's own pool only contends
    threadpool_limits(1)  # so does numpy's BLAS: the neighbour searches took 3-70 ms, not 0.3
    gc.freeze()
    return gc.get_freeze_count()


@st.cache_resource(show_spinner=False)
def preload() -> bool:
    """Once per server process, at the end of the first page run (so it does not slow that
    run down: measured), start loading what the first drawing needs in the background."""
    threading.Thread(target=_preload, name="lenet5-preload", daemon=True).start()
    return True


# The loads themselves are cached with functools too, so that a plain thread (no Streamlit
# script context, which st.cache_resource warns about) can do them ahead of the first drawing.
@functools.cache
def _modern() -> Predictor:
    return Predictor()


@functools.cache
def _classic() -> Predictor | None:
    try:
        return Predictor(CLASSIC_DIR / SERVING_PATH.name)
    except ModelError:
        return None


@functools.cache
def _typicality(model_sha256: str) -> Typicality | None:
    return load_typicality(OOD_PATH, model_sha256)


@functools.cache
def _neighbours(model_sha256: str) -> Neighbours | None:
    return load_neighbours(NEIGHBOURS_PATH, model_sha256)


def _preload() -> None:
    """Load both networks and the lookup files while the first page is on its way to the
    browser, so that the first drawing does not wait for them. Failures are left to the
    pages, which say what is wrong when they need the file."""
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
def typicality(model_sha256: str) -> Typicality | None:
    """What typical digits look like to this model (None if ``models/ood.npz`` is missing or
    was made for another model: drawings are then read without that check)."""
    return _typicality(model_sha256)


@st.cache_resource(show_spinner=False)
def neighbours(model_sha256: str) -> Neighbours | None:
    """F6 activations of MNIST training digits for this model (None if
    ``models/neighbours.npz`` is missing or was made for another model)."""
    return _neighbours(model_sha256)


@st.cache_resource(show_spinner=False)
def classic_predictor() -> Predictor | None:
    """The 1998 LeNet-5 (``models/classic/``), loaded once; None if it is missing or broken:
    the pages then show the modern net alone."""
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
    """A JSON artifact from ``models/`` or its sub-``folder`` (None if missing or unreadable)."""
    try:
        return json.loads((MODELS_DIR / folder / name).read_text())
    except (OSError, ValueError):
        return None


@st.cache_data(show_spinner=False)
def kernels(folder: str = "") -> dict[str, np.ndarray] | None:
    """The learned c1 and c3 kernels, ``(5, 5, in, out) float32``, of the model in ``models/``
    or its sub-``folder`` (None if missing)."""
    try:
        with np.load(MODELS_DIR / folder / "kernels.npz") as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError):
        return None


@st.cache_data(show_spinner=False)
def mnist_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Shipped MNIST test digits ``(x, y, index)`` (None if missing)."""
    try:
        return load_mnist_sample(MNIST_SAMPLE)
    except (OSError, ValueError, KeyError):
        return None


def read(ink: np.ndarray, medium: str = "canvas") -> Analysis:
    """Analyse light ink on black with the shared predictor and its typicality check;
    ``medium`` (``"canvas"`` or ``"photo"``) words the reason when there is nothing to read."""
    model = predictor_or_stop()
    return analyse(ink, model, typicality=typicality(model.sha256), medium=medium)


def read_drawing(image: np.ndarray) -> Analysis:
    """Analyse a canvas image, reusing the last result when the pixels have not changed."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).hexdigest()
    last = st.session_state.get("analysis")
    if last is not None and st.session_state.get("analysis_key") == digest:
        return last
    result = read(image)
    st.session_state["analysis"], st.session_state["analysis_key"] = result, digest
    return result


def read_upload(data: bytes, file_id: str) -> tuple[Analysis | None, str]:
    """Analyse an uploaded file once per upload: ``(analysis, note)``, or ``(None, why)`` when
    the file cannot be read as an image."""
    key = f"upload:{file_id}"
    if st.session_state.get("analysis_key") == key:
        return st.session_state["analysis"], st.session_state.get("upload_note", "")
    try:
        decoded = decode(data)
        result, note = read(photo_ink(decoded.image), "photo"), decoded.note
    except UploadError as exc:
        result, note = None, str(exc)
    st.session_state.update(analysis=result, analysis_key=key, upload_note=note)
    return result, note


def _pickled_size(value) -> int | None:
    try:
        return len(pickle.dumps(value))
    except Exception:  # a widget's value that does not pickle
        return None


def record_session_state() -> None:
    """Diagnostics for the soak check: if ``$LENET5_STATE_LOG`` names a file, append this
    session's state after the run as one JSON line: number of keys, pickled bytes of the values
    that pickle, and the keys whose values do not."""
    path = os.environ.get("LENET5_STATE_LOG")
    if not path:
        return
    sizes = {k: _pickled_size(st.session_state[k]) for k in st.session_state}
    line = {"keys": len(sizes), "bytes": sum(v for v in sizes.values() if v is not None),
            "unpicklable": sorted(k for k, v in sizes.items() if v is None)}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def on_a_phone() -> bool:
    """Whether the browser says it is a phone: its User-Agent has "Mobile" (phones' browsers
    send it, tablets' and desktops' do not). Read from the request headers Streamlit already
    keeps, so it costs nothing per run. The pages then lay out for a narrow screen."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def current_analysis() -> Analysis | None:
    """The last readable drawing of this session, if any."""
    result = st.session_state.get("analysis")
    return result if result is not None and result.ok else None


__all__ = ["CLASSIC", "TRAIN_HINT", "warm_up", "preload", "classic_predictor", "current_analysis",
           "kernels", "load_json", "mnist_sample", "neighbours", "on_a_phone", "predictor_or_stop",
           "read_drawing", "read_upload", "record_session_state"]
