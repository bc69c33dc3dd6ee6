"""Recipes side by side (python -m lenet5.eval.recipes): writer by writer, and how much choosing
the best of them flatters it, on reports made up so that the answers are known."""

import json

import pytest

from lenet5.eval import recipes

FOLDS = [[1, 2], [3, 4], [5, 6]]


def report(accs: dict[int, float], numbers: float | None = None) -> dict:
    per_writer = {str(w): {"accuracy": a, "n": 100} for w, a in accs.items()}
    worst = min(per_writer, key=lambda w: per_writer[w]["accuracy"])
    summary = {"per_writer": per_writer, "writer_mean": sum(accs.values()) / len(accs),
               "worst_writer": {"writer": int(worst), **per_writer[worst]}, "writer_p10": 0.9,
               "worst_class": "4", "per_class_mean": {"4": 0.95},
               "mnist_test_accuracy": {"mean": 0.994, "min": 0.993}}
    if numbers is not None:
        summary["number_accuracy_joined"] = {"mean": numbers}
    return {"summary": summary,
            "folds": {str(k): {"writers": f} for k, f in enumerate(FOLDS)}}


BASE = {1: 0.99, 2: 0.98, 3: 0.97, 4: 0.99, 5: 0.90, 6: 1.0}


def test_paired_counts_writers_read_better_and_worse():
    other = BASE | {1: 1.0, 5: 0.95, 6: 0.99}
    p = recipes.paired(recipes.table(report(BASE)), recipes.table(report(other)))
    assert (p["better"], p["worse"], p["same"]) == (2, 1, 3)
    assert p["largest_gain"] == pytest.approx(0.05) and p["largest_loss"] == pytest.approx(-0.01)
    assert p["mean_change"] == pytest.approx((0.01 + 0.05 - 0.01) / 6, abs=1e-6)


def test_a_recipe_best_on_every_fold_costs_nothing_to_choose():
    better = {w: a + 0.005 for w, a in BASE.items()}
    tables = {"base": BASE, "better": better}
    tables = {n: {str(w): a for w, a in t.items()} for n, t in tables.items()}
    c = recipes.choice_optimism(tables, [[str(w) for w in f] for f in FOLDS])
    assert c["optimism"] == pytest.approx(0) and c["picked"] == {"base": 0, "better": 3}


def test_choosing_between_recipes_that_take_turns_is_optimistic():
    # a reads folds 0 and 1 a little better, b reads fold 2 much better
    a = {"1": 0.99, "2": 0.99, "3": 0.99, "4": 0.99, "5": 0.90, "6": 0.90}
    b = {"1": 0.98, "2": 0.98, "3": 0.98, "4": 0.98, "5": 0.99, "6": 0.99}
    c = recipes.choice_optimism({"a": a, "b": b}, [[str(w) for w in f] for f in FOLDS])
    # fold 0: rest = folds 1, 2 -> a 0.945, b 0.985 -> b, scores 0.98 (best 0.99)
    # fold 1: same -> b, 0.98 (best 0.99); fold 2: rest = folds 0, 1 -> a, 0.90 (best 0.99)
    assert c["picked"] == {"a": 1, "b": 2}
    assert c["chosen_on_other_folds"] == pytest.approx((0.98 + 0.98 + 0.90) / 3)
    assert c["optimism"] == pytest.approx(0.99 - (0.98 + 0.98 + 0.90) / 3, abs=1e-6)
    worst = recipes.choice_optimism({"a": a, "b": b}, [[str(w) for w in f] for f in FOLDS],
                                    "worst")
    assert worst["by"] == "worst" and worst["picked"] == {"a": 1, "b": 2}


def test_the_command_compares_reports_and_refuses_other_folds(tmp_path, capsys):
    (tmp_path / "a.json").write_text(json.dumps(report(BASE, 0.6)))
    (tmp_path / "b.json").write_text(json.dumps(report(BASE | {5: 0.96}, 0.7)))
    assert recipes.main([f"plain={tmp_path / 'a.json'}", f"varied={tmp_path / 'b.json'}"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recipes"]["varied"]["numbers_joined"] == 0.7
    assert out["recipes"]["plain"]["worst_writer"] == {"writer": 5, "accuracy": 0.90, "n": 100}
    assert out["against_plain"]["varied"]["better"] == 1
    assert [c["by"] for c in out["choice"]] == ["mean", "worst"]
    other = report(BASE)
    other["folds"] = {"0": {"writers": [1, 2, 3]}, "1": {"writers": [4, 5, 6]}}
    (tmp_path / "c.json").write_text(json.dumps(other))
    assert recipes.main([str(tmp_path / "a.json"), str(tmp_path / "c.json")]) == 2
    assert "other writers or folds" in capsys.readouterr().err
    assert recipes.main([str(tmp_path / "missing.json")]) == 2
