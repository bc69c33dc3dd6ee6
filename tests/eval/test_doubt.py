"""The doubt measurement (lenet5.eval.doubt): its pieces, and the command on small data."""

import json

import numpy as np
from support import ROOT

from lenet5.core.artifacts import load_mnist_sample
from lenet5.eval import doubt, scribbles


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
