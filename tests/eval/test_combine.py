"""The page's reading compared (python -m lenet5.eval.combine): both committed nets alone and
combined on the writers both never saw, and how much choosing among them flatters."""

import json

import numpy as np
import pytest
from support import PEN_SAMPLE

from lenet5.eval import combine, evaluate


def test_geometric_mean_is_the_normalised_root_of_the_product():
    a = np.array([[0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]], np.float32)
    b = np.array([[0.125, 0.5, 0.375, 0, 0, 0, 0, 0, 0, 0]], np.float32)
    roots = np.array([np.sqrt(0.0625), 0.5, 0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(combine.geometric_mean(a, b)[0], roots / roots.sum(), atol=1e-6)
    assert combine.geometric_mean(a, b).argmax() == 1 and (a + b).argmax() == 1


def test_choosing_on_one_half_of_the_writers_and_scoring_on_the_other():
    # X reads writers 1 and 2, Y writers 3 and 4: on a split {1, 2} | {3, 4} the choice made on
    # one half is wrong on the other; on the four mixed splits both score 0.5 everywhere
    ids = np.array([1, 2, 3, 4])
    right = {"X": np.array([1, 1, 0, 0], bool), "Y": np.array([0, 0, 1, 1], bool)}
    c = combine.choice_optimism(right, ids)
    assert c["splits"] == 6 and c["k"] == 2 and c["spread"] == 0
    assert c["chosen_on_other_half"] == pytest.approx(1 / 3, abs=1e-6)
    assert c["best_on_same_half"] == pytest.approx(2 / 3, abs=1e-6)
    assert c["optimism"] == pytest.approx(1 / 3, abs=1e-6)
    dominant = combine.choice_optimism({"X": np.ones(4, bool), "Y": right["Y"]}, ids)
    assert dominant["optimism"] == 0 and dominant["picked"] == {"X": 6, "Y": 0}


def test_each_reading_as_lenet5_evaluate_reads_it():
    """The sample's 20 digits are all by fold 0's writers: each reading must score what
    ``python -m lenet5.evaluate`` gives with the same nets (drawn the same way)."""
    from lenet5.core.artifacts import models_dir
    from lenet5.core.predictor import Predictor

    out = combine.measure(models_dir(), PEN_SAMPLE)
    assert out["held_out_writers"] == [1, 6, 11, 16, 21, 26] and out["n"] == 20
    modern, classic = Predictor(), Predictor(models_dir() / "classic" / "lenet5.tflite")
    for name, predictor in [("modern", modern), ("1998", classic),
                            ("mean", evaluate.Average(modern, classic))]:
        ref = evaluate.pendigits_accuracy(predictor, PEN_SAMPLE)
        got = out["readings"][name]
        assert got["pendigits_accuracy"] == pytest.approx(ref["pendigits_accuracy"], abs=1e-6)
        assert got["per_writer"] == ref["per_writer"] and got["per_class"] == ref["per_class"]
    assert out["choice"]["k"] == len(combine.COMBINATIONS)
    json.dumps(out)


def test_nets_that_held_out_different_writers_are_refused(tmp_path, capsys):
    for sub, held in (("", [1, 6]), ("classic", [2, 7])):
        (tmp_path / sub).mkdir(exist_ok=True)
        (tmp_path / sub / "metrics.json").write_text(json.dumps({"pen": {
            "held_out_writers": held}}))
    assert combine.main(["--pendigits", str(PEN_SAMPLE), "--models", str(tmp_path)]) == 2
    assert "held out different writers" in capsys.readouterr().err
