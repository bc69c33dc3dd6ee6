"""Writer folds: every writer in exactly one fold, and a split never puts one writer's digits
on both sides."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lenet5.train import writers
from lenet5.train.data import read_jsonl

records_st = st.lists(st.fixed_dictionaries({"writer": st.integers(1, 44),
                                             "label": st.integers(0, 9)}), max_size=60)


def test_five_folds_of_six_writers():
    folds = {k: [w for w in range(1, 31) if writers.fold_of(w) == k] for k in range(5)}
    assert folds[0] == [1, 6, 11, 16, 21, 26]  # as the module's docstring says
    assert all(len(v) == 6 for v in folds.values())
    assert sorted(w for v in folds.values() for w in v) == list(range(1, 31))


@given(records_st, st.integers(1, 8), st.data())
def test_split_is_a_partition_by_writer(records, folds, data):
    fold = data.draw(st.integers(0, folds - 1))
    train, held = writers.split(records, fold, folds)
    assert len(train) + len(held) == len(records)
    assert {r["writer"] for r in train}.isdisjoint({r["writer"] for r in held})
    assert all((r["writer"] - 1) % folds == fold for r in held)  # the stated rule, by hand
    assert sorted(map(json.dumps, train + held)) == sorted(map(json.dumps, records))
    assert writers.held_out(records, fold, folds) == held
    assert writers.held_out(records, None, folds) == records


@pytest.mark.parametrize(("fold", "folds"), [(-1, 5), (5, 5), (0, 0)])
def test_bad_folds_are_refused(fold, folds):
    with pytest.raises(ValueError):
        writers.split([{"writer": 1}], fold, folds)


def test_held_out_fold_of_the_real_file(pendigits_path):
    held = writers.held_out(read_jsonl(pendigits_path), 0)
    assert {r["writer"] for r in held} == {1, 6, 11, 16, 21, 26}
    assert 1400 < len(held) < 1600  # about a fifth of 7,494
