"""Fuzzing: whatever arrives, only our own error types or a normal result come out.

Property-based (Hypothesis) tests of the canvas checks (lenet5.validate), the preprocessing and
the upload decoder, and a seeded byte-mutation loop over valid PNG/JPEG/GIF/WebP/BMP files
(bounded in time). Part of the normal test run, so CI runs them.
"""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from support import require

from lenet5.core import grouping as N
from lenet5.core import photo as up
from lenet5.core import validate as V
from lenet5.core.preprocess import PreprocessError, preprocess
from lenet5.eval import hostile

hypothesis = require("hypothesis")
st = require("hypothesis.strategies")
given, settings, HealthCheck = hypothesis.given, hypothesis.settings, hypothesis.HealthCheck

SPEC = V.CanvasSpec((720, 240), (4, 30))
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
MUTATION_SECONDS = 20.0

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=6)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=6),
                           max_leaves=40)
coordinate = (st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**400, 10**400)
              | st.floats(-100, 800) | st.none() | st.text(max_size=3) | st.booleans())
command = st.tuples(st.sampled_from(["M", "L", "Q", "C", "Z", ""]),
                    st.lists(coordinate, max_size=5)).map(lambda t: [t[0], *t[1]])
path_object = st.fixed_dictionaries({
    "type": st.sampled_from(["Path", "path", "rect", "Circle", ""]),
    "strokeWidth": coordinate,
    "path": st.lists(command, max_size=12) | json_values,
})
drawings = st.none() | json_values | st.fixed_dictionaries(
    {"objects": st.lists(path_object, max_size=8) | json_values})


def _read_strokes(checked: dict | None) -> None:
    """What the Number page does with a drawing that passed the checks."""
    strokes, widths = N.strokes_from_json(checked)
    groups = N.group(strokes, widths)
    for idx in groups:
        image, _ = N.render_digit([strokes[i] for i in idx], max(widths[i] for i in idx))
        assert image.shape[0] <= SPEC.size[1] + 2 * V.MARGIN + SPEC.widths[1] + 6
        preprocess(image, dark_background=True)


@FUZZ
@given(drawings)
def test_stroke_checks_refuse_with_input_error_or_pass_readable_strokes(data):
    try:
        checked = V.drawing(data, SPEC)
    except V.InputError as exc:
        assert "Reset the canvas" in str(exc)
        return
    _read_strokes(checked)


@FUZZ
@given(st.lists(st.tuples(st.floats(-60, 780), st.floats(-60, 300)), min_size=1, max_size=40),
       st.floats(4, 30))
def test_any_stroke_within_the_limits_is_grouped_and_rendered(points, width):
    path = [["M", *points[0]]] + [["L", *p] for p in points[1:]]
    _read_strokes(V.drawing({"objects": [{"type": "Path", "strokeWidth": width,
                                          "path": path}]}, SPEC))


def _png_url(data: bytes) -> str:
    return V.PNG_PREFIX + base64.b64encode(data).decode()


@FUZZ
@given(st.binary(max_size=2000) | st.sampled_from(list(hostile.seeds().values())),
       st.integers(0, 2**32 - 1))
def test_canvas_image_check_refuses_with_input_error(data, seed):
    data = hostile.mutate(data, np.random.default_rng(seed), 3) if data else data
    for url in (_png_url(data), data.decode("latin-1"), None):
        try:
            image = V.canvas_png(url, SPEC)
        except V.InputError:
            continue
        assert image is None or image.shape == (240, 720, 4)


def test_a_canvas_png_of_the_right_size_passes():
    from PIL import Image

    rgba = np.zeros((240, 720, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[100:140, 300:310, :3] = 255
    got = V.canvas_png(_png_url(hostile.encode(Image.fromarray(rgba, "RGBA"))), SPEC)
    np.testing.assert_array_equal(got, rgba)


arrays = st.one_of(
    st.builds(lambda h, w, c, seed: np.random.default_rng(seed).integers(
        0, 256, (h, w, c) if c else (h, w), dtype=np.uint8),
        st.integers(1, 60), st.integers(1, 60), st.sampled_from([0, 1, 3, 4]),
        st.integers(0, 2**32 - 1)),
    st.builds(lambda h, w, v: np.full((h, w), v, np.float32), st.integers(0, 40),
              st.integers(0, 40), st.floats(allow_nan=True, allow_infinity=True, width=32)),
    st.builds(lambda shape: np.zeros(shape, np.uint8),
              st.lists(st.integers(0, 5), max_size=4).map(tuple)),
)


@FUZZ
@given(arrays, st.sampled_from([None, True, False]), st.sampled_from(["canvas", "photo"]))
def test_preprocess_gives_a_result_or_preprocess_error(image, dark, medium):
    try:
        result = preprocess(image, dark, medium)
    except PreprocessError:
        return
    if result.ok:
        assert result.image.shape == (28, 28) and result.image.dtype == np.float32
        assert np.isfinite(result.image).all()
        assert result.image.min() >= 0 and result.image.max() <= 1
    else:
        assert result.reason.startswith("Nothing to read")


def _decoded_or_upload_error(data: bytes) -> None:
    try:
        got = up.decode(data)
    except up.UploadError as exc:
        assert str(exc)
        return
    assert got.image.dtype == np.uint8 and max(got.image.shape[:2]) <= up.WORK_SIDE
    assert got.image.ndim == 2 or got.image.shape[2] == 4
    up.photo_ink(got.image)


@FUZZ
@given(st.binary(max_size=3000))
def test_upload_decoder_on_random_bytes(data):
    _decoded_or_upload_error(data)


@FUZZ
@given(st.sampled_from(sorted(hostile.seeds())), st.integers(0, 2**32 - 1),
       st.integers(1, 12))
def test_upload_decoder_on_mutated_images(fmt, seed, n):
    data = hostile.mutate(hostile.seeds()[fmt], np.random.default_rng(seed), n)
    _decoded_or_upload_error(data)


@pytest.mark.parametrize("fmt", sorted(hostile.seeds()))
def test_seeded_byte_mutations_of_each_format(fmt):
    """Mutate a valid file over and over (seeded, so a failure reproduces) for a fifth of
    :data:`MUTATION_SECONDS` each: the decoder answers every one with an image or an
    UploadError. Mutated GIFs once raised IndexError and struct.error."""
    seed_file = hostile.seeds()[fmt]
    rng = np.random.default_rng(list(hostile.seeds()).index(fmt))
    deadline, tried = time.monotonic() + MUTATION_SECONDS / 5, 0
    while time.monotonic() < deadline:
        _decoded_or_upload_error(hostile.mutate(seed_file, rng, int(rng.integers(1, 16))))
        tried += 1
    assert tried > 50
