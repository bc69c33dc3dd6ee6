"""The output layer refitted to a person's digits (lenet5.core.adapt), checked against SciPy's
minimiser of the same objective, and the file of taught digits (lenet5.core.taught)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from support import require

from lenet5.core import adapt, taught
from lenet5.core.predictor import Reading
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import Report


def problem(n: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    base = adapt.trained(rng.normal(0, 0.3, (84, 10)), rng.normal(0, 0.1, 10))
    x = np.maximum(rng.normal(1, 2, (n, 84)), 0).astype(np.float32)  # ReLU-like, as F6
    return base, x, rng.integers(0, 10, n)


def test_fit_reaches_the_minimum_scipy_finds():
    optimize = require("scipy.optimize")
    base, x, y = problem()
    fitted = adapt.fit(base, x, y, steps=2000)

    def f(v):
        layer = adapt.OutputLayer(v[:840].reshape(84, 10).astype(np.float32),
                                  v[840:].astype(np.float32))
        return adapt.objective(layer, base, x, y)

    start = np.concatenate([base.kernel.ravel(), base.bias]).astype(np.float64)
    ref = optimize.minimize(f, start, method="L-BFGS-B",
                            options={"maxiter": 5000, "maxfun": 10**6})
    assert adapt.objective(fitted, base, x, y) <= ref.fun + 1e-4
    assert adapt.objective(fitted, base, x, y) < f(start) / 2  # it did move
    # the default number of steps gets within 1% of the minimum
    assert adapt.objective(adapt.fit(base, x, y), base, x, y) <= ref.fun * 1.01 + 1e-4


def test_decay_keeps_it_near_the_trained_weights():
    base, x, y = problem()
    near = [np.abs(adapt.fit(base, x, y, d).kernel - base.kernel).max() for d in (0.001, 0.1, 10)]
    assert near[0] > near[1] > near[2]


def test_no_digits_no_change_and_bad_labels_refused():
    base, x, _ = problem()
    assert adapt.fit(base, x[:0], []) is base
    with pytest.raises(ValueError):
        adapt.fit(base, x[:2], [3, 10])
    with pytest.raises(ValueError):
        adapt.fit(base, x[:2], [3])


def test_leave_one_out_never_reads_a_digit_with_itself():
    base, x, _ = problem(1)
    wrong = int((base.logits(x[0]).argmax() + 1) % 10)
    alone = adapt.fit(base, x, [wrong])
    assert alone.logits(x[0]).argmax() == wrong  # taught with itself, it would read it "right"
    result = adapt.leave_one_out(base, x, [wrong])
    assert result.after[0] == result.before[0] == base.logits(x[0]).argmax()
    assert result.accuracy("after") == 0.0 and not len(result.changed)


def test_reread_changes_only_the_prediction():
    base, x, y = problem()
    pre = preprocess(np.full((28, 28), 0, np.uint8) | np.eye(28, dtype=np.uint8) * 255)
    modern = Reading(probs=base.probabilities(x[0]), maps={"f6": x[0]})
    report = Report(pre, modern, modern)
    layer = adapt.fit(base, x, y)
    again = adapt.reread(report, layer)
    assert again.modern is modern and np.allclose(again.reading.probs, layer.probabilities(x[0]))
    assert abs(float(again.reading.probs.sum()) - 1) < 1e-5
    assert adapt.reread(Report(pre), layer).reading is None


def digit(rng, points: int = 400) -> taught.Digit:
    return taught.digit(rng.random((28, 28)), int(rng.integers(10)),
                        [rng.random((points, 2)) * 280], [18.0],
                        rng.random(84).astype(np.float32))


def test_a_full_session_holds_less_than_a_megabyte():
    rng = np.random.default_rng(0)
    digits = tuple(digit(rng, 5000) for _ in range(adapt.MAX_DIGITS))  # thinned to 400
    base, x, y = problem(adapt.MAX_DIGITS)
    kept = pickle.dumps((digits, adapt.fit(base, x, y)))
    assert len(kept) < 1_000_000
    assert all(sum(len(s) for s in d.strokes) <= taught.MAX_POINTS + 1 for d in digits)


def test_file_round_trip():
    rng = np.random.default_rng(1)
    digits = [digit(rng, 50) for _ in range(5)]
    back = taught.parse(taught.encode(digits))
    assert [d.label for d in back] == [d.label for d in digits]
    for a, b in zip(back, digits, strict=True):
        assert np.array_equal(a.image, b.image) and a.widths == b.widths
        assert np.allclose(a.strokes[0], b.strokes[0]) and a.f6.size == 0  # read anew


def test_too_many_digits_refused():
    rng = np.random.default_rng(2)
    data = taught.encode([digit(rng, 2)] * (adapt.MAX_DIGITS + 1))
    with pytest.raises(taught.TaughtFileError, match="at most"):
        taught.parse(data)


def edited(change) -> bytes:
    doc = json.loads(taught.encode([digit(np.random.default_rng(3), 3)]))
    change(doc["digits"][0])
    return json.dumps(doc).encode()


@pytest.mark.parametrize("change", [
    lambda d: d.update(label=10), lambda d: d.update(label=True), lambda d: d.update(label="4"),
    lambda d: d.update(input=d["input"][:-4]), lambda d: d.update(input="!" * len(d["input"])),
    lambda d: d.update(widths=[0.0]), lambda d: d.update(widths=[]),
    lambda d: d.update(strokes=[[[1e9, 0]]]), lambda d: d.update(strokes=[[[1, 2, 3]]]),
    lambda d: d.update(strokes=[[[10**400, 0]]]), lambda d: d.update(strokes=[[]]),
])
def test_malformed_digits_refused_with_a_sentence(change):
    with pytest.raises(taught.TaughtFileError):
        taught.parse(edited(change))


def test_pixels_outside_0_1_refused():
    import base64
    bad = base64.b64encode(np.full(784, 2, "<f4").tobytes()).decode()
    with pytest.raises(taught.TaughtFileError, match="outside 0 to 1"):
        taught.parse(edited(lambda d: d.update(input=bad)))


JSONISH = hs.recursive(hs.none() | hs.booleans() | hs.integers() | hs.floats() | hs.text(),
                       lambda c: hs.lists(c) | hs.dictionaries(hs.text(), c), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(hs.binary(max_size=2000) | JSONISH.map(lambda v: json.dumps(v).encode())
       | JSONISH.map(lambda v: json.dumps({"format": taught.FORMAT, "version": 1,
                                           "digits": [v]}).encode()))
def test_any_upload_is_digits_or_a_sentence(data):
    try:
        digits = taught.parse(data)
    except taught.TaughtFileError as exc:
        assert str(exc)
        return
    for d in digits:
        assert d.image.shape == (28, 28) and 0 <= d.label <= 9


@settings(max_examples=100, deadline=None)
@given(hs.lists(hs.tuples(hs.integers(0, 9), hs.lists(
    hs.tuples(hs.floats(-60, 340), hs.floats(-60, 340)), min_size=1, max_size=20)),
    max_size=5))
def test_what_is_written_is_read_back(rows):
    digits = [taught.digit(np.zeros((28, 28)), label, [np.array(p)], [12.0])
              for label, p in rows]
    back = taught.parse(taught.encode(digits))
    assert [d.label for d in back] == [label for label, _ in rows]
    for a, b in zip(back, digits, strict=True):
        assert np.allclose(a.strokes[0], b.strokes[0], atol=1e-3)


def test_a_deeply_nested_file_is_refused():
    with pytest.raises(taught.TaughtFileError):
        taught.parse(b"[" * 100_000)


def test_the_trained_layer_reads_as_the_served_net():
    from lenet5.core import weights
    from lenet5.core.artifacts import WEIGHTS_FILE, model_file
    from lenet5.core.predictor import Predictor
    from lenet5.core.strokes import render

    net = Predictor()
    w = weights.load(model_file(WEIGHTS_FILE), net.sha256)
    image = preprocess(render([np.array([[140.0, 40], [140, 240]])]), dark_background=True).image
    out = net.run_batch(image[None], keys=("f6", "output"))
    base = adapt.trained(w["output.kernel"], w["output.bias"])
    assert np.allclose(base.logits(out["f6"]), out["output"], atol=1e-4)
