"""The second doubt check (lenet5.core.doubt): the corners of a Z, the class distance, its file,
and the committed bank doubting drawn letters but not the digits of writers the nets never saw."""

import numpy as np
import pytest
from support.pages import pen_digit

from lenet5.core import doubt
from lenet5.core.reader import Reader
from lenet5.core.strokes import BRUSH, CANVAS, render
from lenet5.eval import scribbles


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
    one = doubt.ClassBank(bank.codes, bank.labels, 2.0, 2.0, k=1)
    d_own = one.distance(feats[:10], np.zeros(10, int))
    d_other = one.distance(feats[:10], np.ones(10, int))
    assert np.all(d_own < 1e-3) and np.all(d_other > 0.3)
    assert np.all(bank.distance(feats[:2], np.array([9, 9])) == 2)  # empty class



def test_the_file_is_refused_for_other_models(tmp_path):
    bank = doubt.ClassBank.of(np.eye(84, dtype=np.float32)[:20], np.arange(20) % 10, 0.3, 0.25)
    doubt.save(bank, tmp_path / "d.npz", "m" * 64, "c" * 64)
    again = doubt.load(tmp_path / "d.npz", "m" * 64, "c" * 64)
    assert again.threshold == pytest.approx(0.3) and again.s4_threshold == pytest.approx(0.25)
    np.testing.assert_array_equal(again.codes, bank.codes)
    assert doubt.load(tmp_path / "d.npz", "x" * 64, "c" * 64) is None  # modern net retrained
    assert doubt.load(tmp_path / "d.npz", "m" * 64, "x" * 64) is None  # 1998 net retrained
    assert doubt.load(tmp_path / "missing.npz", "m" * 64, "c" * 64) is None


@pytest.fixture(scope="module")
def reader():
    r = Reader.load()
    assert r.doubt is not None, "models/doubt.npz is missing or stale: python -m " \
        "lenet5.train.doubt_bank --data PATH --pen PATH"
    return r


LETTERS = {"Z": [np.array([[70, 60], [210, 60], [70, 220], [210, 220]], float)],
           "L": [np.array([[90, 50], [90, 220], [200, 220]], float)]}


@pytest.mark.parametrize("name", LETTERS)
def test_a_drawn_letter_read_as_a_digit_is_doubted(reader, name):
    strokes = LETTERS[name]
    report = reader.read(render(strokes, CANVAS, BRUSH), strokes, [BRUSH])
    assert report.ok and report.doubtful and report.atypical
    assert not Reader(reader.modern, reader.classic, reader.typicality).read(
        render(strokes, CANVAS, BRUSH), strokes, [BRUSH]).atypical  # the S4 check alone: not


def test_digits_of_unseen_writers_are_not_doubted(reader):
    doubted = []
    for label in range(10):
        for nth in range(2):
            strokes = pen_digit(label, nth=nth)
            report = reader.read(render(strokes, CANVAS, BRUSH), strokes, [BRUSH] * len(strokes))
            doubted.append(report.atypical)
    assert sum(doubted) <= 1  # 20 digits; on 2,998 drawings 0.53% (docs/doubt.md)
