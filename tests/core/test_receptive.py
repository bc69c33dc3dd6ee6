"""Receptive fields (lenet5.core.receptive) from the committed architecture tables, checked by
perturbing the input: pixels outside a unit's field never change it, and each edge of the
field does change it for some input, so the field is neither too small nor too big."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet5.core import forward as F
from lenet5.core import receptive as R
from lenet5.core import weights as W
from lenet5.core.artifacts import CLASSIC, WEIGHTS_FILE, model_file, serving_path
from lenet5.core.predictor import Predictor


def table(folder: str) -> list[dict]:
    return json.loads(model_file("architecture.json", folder).read_text())


def test_field_sizes_of_both_nets():
    assert {n: R.field(table(""), n, 0, 0).side for n in R.layers(table(""))} == {
        "c1": 5, "s2": 6, "c3": 14, "s4": 16}
    assert {n: R.field(table(CLASSIC), n, 0, 0).side for n in R.layers(table(CLASSIC))} == {
        "c1": 5, "s2": 6, "c3": 14, "s4": 16, "c5": 32}


def test_fields_tile_the_input_with_the_layers_stride():
    a, b = R.field(table(""), "s4", 1, 2), R.field(table(""), "s4", 2, 2)
    assert (b.top - a.top, b.left - a.left) == (4, 0)  # S4's units are 4 input pixels apart
    c = R.field(table(CLASSIC), "c1", 0, 0)
    assert (c.top, c.left, c.bottom, c.right) == (-2, -2, 2, 2)  # padded to 32x32 first
    assert c.clipped() == (0, 0, 2, 2)


def test_layers_without_a_field_are_refused():
    with pytest.raises(ValueError, match="no receptive field"):
        R.field(table(""), "f5", 0, 0)


@pytest.fixture(scope="module", params=["", CLASSIC], ids=["modern", "classic"])
def net(request):
    w = W.load(model_file(WEIGHTS_FILE, request.param),
               Predictor(serving_path(request.param)).sha256)
    return table(request.param), w


def unit_value(w, image, layer, row, col, m):
    return F.forward(w, image)[layer][row, col, m]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_pixels_outside_the_field_never_change_the_unit(net, data):
    architecture, w = net
    layer = data.draw(st.sampled_from(R.layers(architecture)))
    size = F.forward(w, np.zeros((28, 28), np.float32))[layer].shape
    row, col = data.draw(st.integers(0, size[0] - 1)), data.draw(st.integers(0, size[1] - 1))
    m = data.draw(st.integers(0, size[2] - 1))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    top, left, bottom, right = R.field(architecture, layer, row, col).clipped()
    image = rng.uniform(0, 1, (28, 28)).astype(np.float32)
    other = rng.uniform(0, 1, (28, 28)).astype(np.float32)
    other[top:bottom + 1, left:right + 1] = image[top:bottom + 1, left:right + 1]
    assert unit_value(w, image, layer, row, col, m) == pytest.approx(
        unit_value(w, other, layer, row, col, m), abs=1e-5)


@pytest.mark.parametrize("layer", ["c1", "s2", "c3", "s4"])
def test_every_edge_of_the_field_can_change_the_unit(net, layer):
    architecture, w = net
    rng = np.random.default_rng(1)
    top, left, bottom, right = R.field(architecture, layer, 1, 1).clipped()
    for edge in ((slice(top, top + 1), slice(None)), (slice(bottom, bottom + 1), slice(None)),
                 (slice(None), slice(left, left + 1)), (slice(None), slice(right, right + 1))):
        moved = False
        for _ in range(30):
            image = rng.uniform(0, 1, (28, 28)).astype(np.float32)
            other = image.copy()
            other[edge] = rng.uniform(0, 1, other[edge].shape)
            a, b = F.forward(w, image)[layer][1, 1], F.forward(w, other)[layer][1, 1]
            moved = moved or bool(np.abs(a - b).max() > 1e-4)
        assert moved, (layer, edge)
