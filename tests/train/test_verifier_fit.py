"""Fitting the verifier (lenet5.train.verifier): its gradients against finite differences, its
labels against the layout's truth, and the command run with its defaults on a copy of models/."""

import json
import shutil

import numpy as np
import pytest
from support import PEN_SAMPLE

from lenet5.core import verifier as vf
from lenet5.core.artifacts import models_dir
from lenet5.core.grouping import WIDE_BRUSH
from lenet5.core.reader import Reader
from lenet5.core.segment import candidates
from lenet5.eval.browser import pen_samples
from lenet5.train import verifier as tv
from lenet5.train.layouts import lay_out_owned
from lenet5.train.path_fit import L2, candidate_gradients


def loss(params, z, y):
    w1, b1, w2, b2 = params
    logit = np.maximum(z @ w1 + b1, 0) @ w2 + b2
    return np.mean(np.logaddexp(0, -logit) * y + np.logaddexp(0, logit) * (1 - y)) + \
        L2 / 2 * ((w1**2).sum() + (w2**2).sum())


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(7, 4)), rng.integers(0, 2, 7).astype(float)
    params = [rng.normal(size=(4, vf.HIDDEN)), rng.normal(size=vf.HIDDEN),
              rng.normal(size=vf.HIDDEN), np.array(0.2)]
    for q, g in zip(params, candidate_gradients(params, z, y), strict=True):
        for idx in [np.unravel_index(k, q.shape) for k in range(0, max(q.size, 1), 17)]:
            old = q[idx].copy()
            q[idx] = old + 1e-6
            up = loss(params, z, y)
            q[idx] = old - 1e-6
            down = loss(params, z, y)
            q[idx] = old
            assert g[idx] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-7)


def test_fit_learns_a_rule_the_features_hold():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20000, 6)) * [1, 5, 1, 1, 1, 100]
    y = (x[:, 1] + 5 * x[:, 0] ** 2 > 5).astype(float)  # not linear in the raw features
    v = tv.fit(x, y, "c" * 64)
    assert ((v.log_odds(x) > 0) == y).mean() > 0.95


@pytest.fixture(scope="module")
def reader():
    return Reader.load(models_dir())


@pytest.mark.parametrize("how", ["apart", "joined"])
def test_layout_owners_and_labels_follow_the_truth(reader, how):
    number = pen_samples()[:3]
    strokes, owners = lay_out_owned(number, np.random.default_rng(4), how=how)
    assert [len(o) for o in owners] == [len(s) for s in strokes]
    assert set(np.concatenate(owners)) - {-1} == {0, 1, 2}
    assert (-1 in np.concatenate(owners)) == (how == "joined")  # only the ligatures are no one's
    c = candidates(strokes, [WIDE_BRUSH] * len(strokes), reader)
    got = tv.labels(c, strokes, owners, len(number))
    assert len(got) == len(c.probs)
    whole_groups = [g.first + g.spans.index((0, len(g.pieces))) for g in c.plans]
    if how == "apart":  # each group is one digit, whole
        assert len(c.plans) == 3 and got[whole_groups].all()
    else:  # one path through three digits is no one digit, yet each digit is somewhere in it
        assert len(c.plans) == 1 and not got[whole_groups].any()
        assert got.sum() >= 3
    truth = [int(r["label"]) for r in number]
    right = tv.labels(c, strokes, owners, len(number), truth)
    assert not (right & ~got).any()  # read right is whole too
    reads = np.nan_to_num(c.probs, nan=-1).argmax(1)
    if how == "apart":
        assert right[whole_groups].tolist() == [reads[r] == t for r, t in
                                                zip(whole_groups, truth, strict=True)]
        shifted = [(t + 1) % 10 for t in truth]  # a whole digit read as another is not right
        assert not tv.labels(c, strokes, owners, 3, shifted)[whole_groups][
            [reads[r] == t for r, t in zip(whole_groups, truth, strict=True)]].any()


def test_command_fits_and_saves_a_verifier_the_reader_loads(tmp_path, capsys, pendigits_path):
    root = tmp_path / "models"
    shutil.copytree(models_dir(), root)
    (root / vf.FILE).unlink()
    tv.main(["--pendigits", str(pendigits_path), "--numbers", "4", "--models", str(root)])
    out = json.loads(capsys.readouterr().out)
    assert out["candidates"] > out["one_digit"] > 0 and 0.5 < out["fit_accuracy"] <= 1
    assert out["pen_fold_left_out"] == tv.held_out_fold(models_dir())
    assert Reader.load(root).verifier is not None


def test_command_says_when_no_writer_is_left_to_fit_on(capsys):
    # the sample's writers are all in the held-out fold 0
    with pytest.raises(SystemExit) as exit_:
        tv.main(["--pendigits", str(PEN_SAMPLE), "--pen-fold", "0"])
    assert exit_.value.code == 2 and "no digits by writers outside" in capsys.readouterr().err
