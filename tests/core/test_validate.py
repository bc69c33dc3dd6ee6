"""The canvas checks (lenet5.validate), and grouping in bounded memory, on crafted inputs."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lenet5.core import grouping as N
from lenet5.core import validate as V
from lenet5.eval.hostile import bomb_png, encode

ROOT = Path(__file__).resolve().parents[2]
DRAW = V.CanvasSpec((280, 280), (6, 40))


def url(data: bytes) -> str:
    return V.PNG_PREFIX + base64.b64encode(data).decode()


def stroke(*points, width=18, kind="Path") -> dict:
    return {"type": kind, "strokeWidth": width,
            "path": [["M", *points[0]]] + [["L", *p] for p in points[1:]]}


def test_what_the_canvas_sends_passes_unchanged():
    drawing = {"version": "7.4.0", "objects": [
        stroke((10, 10), (270, 270)),
        {"type": "Path", "strokeWidth": 6, "path": [["M", 5, 5], ["Q", 6, 6, 7, 7]]}]}
    assert V.drawing(drawing, DRAW) is drawing
    assert V.drawing(None, DRAW) is None and V.drawing({}, DRAW) == {}
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3], rgba[50:60, 50:200, :3] = 255, 255
    np.testing.assert_array_equal(V.canvas_png(url(encode(Image.fromarray(rgba))), DRAW), rgba)
    assert V.canvas_png(None, DRAW) is None


@pytest.mark.parametrize("drawing, words", [
    ("x", "cannot read"),
    ({"objects": "x"}, "strokes"),
    ({"objects": [stroke((0, 0), (1, 1))] * (V.MAX_STROKES + 1)}, "more than 300 strokes"),
    ({"objects": [stroke(*[(i % 280, 5)] * 1) for i in range(1)] * 2
      + [stroke(*[(1.0, 1.0)] * (V.MAX_POINTS + 1))]}, "more than 20,000 points"),
    ({"objects": [stroke((None, None), (5, 5))]}, "not a number"),
    ({"objects": [stroke(("10", "x"), (5, 5))]}, "not a number"),
    ({"objects": [stroke((float("nan"), 1), (5, 5))]}, "not a number"),
    ({"objects": [stroke((10**400, 1), (5, 5))]}, "not a number"),
    ({"objects": [stroke((True, 1), (5, 5))]}, "not a number"),
    ({"objects": [stroke((0, 0), (20000, 20000))]}, "outside the canvas"),
    ({"objects": [stroke((0, 0), (5, 5), width=40000)]}, "brush width of 40000"),
    ({"objects": [stroke((0, 0), (5, 5), width=None)]}, "brush width"),
    ({"objects": [stroke((0, 0), (5, 5), kind="rect")]}, "shape this page does not draw"),
    ({"objects": [{"type": "Path", "strokeWidth": 9, "path": []}]}, "without points"),
    ({"objects": [{"type": "Path", "strokeWidth": 9, "path": [["C", 1, 2, 3, 4, 5, 6]]}]},
     "does not draw"),
    ({"objects": [{"type": "Path", "strokeWidth": 9, "path": [["M", 1]]}]}, "does not draw"),
])
def test_tampered_strokes_are_refused_with_a_message(drawing, words):
    with pytest.raises(V.InputError, match=words) as exc:
        V.drawing(drawing, DRAW)
    assert "Reset the canvas" in str(exc.value)


def test_the_margin_and_the_slider_ends_are_allowed():
    edge = [(-V.MARGIN, -V.MARGIN), (280 + V.MARGIN, 280 + V.MARGIN)]
    V.drawing({"objects": [stroke(*edge, width=6), stroke(*edge, width=40)]}, DRAW)
    with pytest.raises(V.InputError):
        V.drawing({"objects": [stroke(*edge, width=5.9)]}, DRAW)


@pytest.mark.parametrize("data_url, words", [
    (url(bomb_png(20000)), "cannot be read"),
    (url(encode(Image.new("LA", (280, 280)))), "280×280 pixels in mode LA"),
    (url(encode(Image.new("RGBA", (281, 280)))), "281×280 pixels in mode RGBA"),
    (url(b"x" * 500), "cannot be read"),
    ("data:image/jpeg;base64," + base64.b64encode(encode(np.zeros((280, 280), np.uint8),
                                                         "JPEG")).decode(), "not a PNG"),
    (V.PNG_PREFIX + "%%%%", "not valid base64"),
    (V.PNG_PREFIX + "A" * (DRAW.max_png_bytes * 2), "larger than the canvas"),
    (12345, "not a PNG"),
    (url(encode(Image.new("RGBA", (280, 280)))[:-30]), "damaged"),
])
def test_tampered_canvas_images_are_refused_with_a_message(data_url, words):
    with pytest.raises(V.InputError, match=words):
        V.canvas_png(data_url, DRAW)


def test_a_bomb_is_refused_before_it_is_decoded():
    data = url(bomb_png(20000))
    with pytest.raises(V.InputError):  # how fast: python -m lenet5.bench --max-refusal-ms
        V.canvas_png(data, DRAW)


def brute_touching(a, b, reach):
    return min(np.hypot(*(p - q)) for p in a for q in b) <= reach


def test_touching_agrees_with_a_brute_force_distance():
    rng = np.random.default_rng(3)
    for _ in range(200):
        a = rng.uniform(0, 100, (int(rng.integers(1, 15)), 2))
        b = rng.uniform(0, 100, (int(rng.integers(1, 15)), 2)) + rng.uniform(0, 60)
        reach = float(rng.uniform(1, 20))
        assert N.touching(a, b, reach) == brute_touching(a, b, reach)


GROUP_LONG_STROKES = """
import resource, numpy as np
from lenet5.core import grouping as N
x = np.linspace(0, 700, 8000)
a = np.stack([x, 100 + 20 * np.sin(x / 9)], 1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert not N.touching(a, a + (0, 60), 14) and N.touching(a, a + (0, 10), 14)
assert N.group([a, a + (0, 60)], [14, 14]) == [[0, 1]]  # side by side in x: one digit
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_two_long_strokes_are_grouped_in_bounded_memory():
    """Two strokes of 8,000 points once took 1.5 GB (all 64 million distances at once)."""
    out = subprocess.run([sys.executable, "-c", GROUP_LONG_STROKES], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert int(out.stdout) < 50, out.stdout
