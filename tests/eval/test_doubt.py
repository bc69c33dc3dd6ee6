"""The doubt measurement (lenet5.eval.doubt): its pieces, and the command on small data."""

import json

import numpy as np

from lenet5.core.artifacts import load_mnist_sample
from lenet5.eval import doubt, scribbles
from tests.conftest import ROOT


def test_sharp_corners_count_a_zed_but_not_an_ell_or_a_curve():
    assert doubt.sharp_corners(scribbles.LETTERS["Z"]) == 2
    assert doubt.sharp_corners(scribbles.LETTERS["L"]) == 0  # 90 degrees is no sharp turn
    assert doubt.sharp_corners(scribbles.LETTERS["S"]) == 0
    two = [[[0, 0.3], [0.2, 0.05], [0.5, 0], [0.8, 0.05], [0.9, 0.3], [0, 1], [1, 1]]]
    assert doubt.sharp_corners(two) == 1  # a 2's top is curved: only its foot is sharp
    tablet = [[[x * 40 + 7, 500 - y * 40] for x, y in s] for s in scribbles.LETTERS["Z"]]
    assert doubt.sharp_corners(tablet) == 2  # any units, y either way
    assert doubt.sharp_corners([]) == 0 and doubt.sharp_corners([[[0, 0]]]) == 0


def test_class_distance_looks_only_at_the_class_asked():
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(40, 84)).astype(np.float32)
    bank = doubt.ClassBank.of(feats, np.repeat(np.arange(4), 10))
    assert bank.codes.dtype == np.int8 and bank.codes.min() >= -127
    d_own = doubt.class_distance(bank, feats[:10], np.zeros(10, int), k=1)
    d_other = doubt.class_distance(bank, feats[:10], np.ones(10, int), k=1)
    assert np.all(d_own < 1e-3) and np.all(d_other > 0.3)
    assert np.all(doubt.class_distance(bank, feats[:2], np.array([9, 9])) == 2)  # empty class


def test_the_command_prints_every_rule_on_small_data(tmp_path, capsys):
    x, y, _ = load_mnist_sample()
    mnist = tmp_path / "mnist.npz"
    np.savez(mnist, x_train=x[:800], y_train=y[:800], x_test=x[800:], y_test=y[800:])
    pendigits = ROOT / "tests" / "support" / "data" / "pendigits_sample.jsonl"
    assert doubt.main(["--mnist", str(mnist), "--pendigits", str(pendigits), "--per-shape", "2",
                       "--val-size", "200", "--bank", "500"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rule"]["f6_bank"] == 500  # the sample's writers are all held out: MNIST only
    assert out["mnist_test"]["n"] == 250 and out["pen_held_out"]["writers"] == [1, 6, 11, 16,
                                                                                  21, 26]
    kinds = {**scribbles.SHAPES, **scribbles.LETTERS}
    for rule in doubt.RULES:
        assert 0 <= out["mnist_test"][rule]["flagged"] <= 1
        assert set(out["pen_held_out"][rule]["per_writer"]) == {"1", "6", "11", "16", "21", "26"}
        assert set(out["shapes"][rule]["per_kind"]) == set(kinds)
    corners = out["shapes"]["recommended_corners"]["per_kind"]
    assert all(corners[k] >= out["shapes"]["recommended"]["per_kind"][k] for k in kinds)
