"""The reader (lenet5.core.reader): the page's sentence about how sure the network is, and one
report of a drawing holding everything the page shows, computed from the same forward pass."""

import numpy as np
import pytest

from lenet5.core.predictor import Reading
from lenet5.core.preprocess import Preprocessed
from lenet5.core.reader import Report


def verdict(probs) -> str:
    p = np.asarray(probs, np.float32)
    pre = Preprocessed(np.zeros((28, 28), np.float32))
    return Report(pre, Reading(p / p.sum(), {})).verdict()


@pytest.mark.parametrize("probs, expected", [
    ([0, 0, 0, 0, 0.9, 0, 0, 0, 0, 0.1], "Reads a 4 (90% sure)."),
    ([0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.4], "Not sure: 4 or 9?"),
    ([0.1, 0.1, 0.1, 0.1, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1],
     "That does not look like any digit to the network (best guess 4, 25%)."),
])
def test_verdict(probs, expected):
    assert verdict(probs) == expected


@pytest.fixture(scope="module")
def reader():
    from lenet5.core.reader import Reader

    return Reader.load()


def three():
    from support import PEN_SAMPLE

    from lenet5.core.strokes import BRUSH, CANVAS, fit_strokes, render
    from lenet5.train.data import read_jsonl

    sample = next(s for s in read_jsonl(PEN_SAMPLE) if s["label"] == 3)
    strokes = fit_strokes(sample["strokes"], 160, 60, 60)
    return render(strokes, CANVAS, BRUSH), strokes


def test_one_report_holds_both_nets_attribution_typicality_and_look_alikes(reader):
    from lenet5.core.attribution import occlusion

    image, strokes = three()
    report = reader.read(image, strokes, [18.0] * len(strokes))
    assert report.ok and report.reading.digit == 3 and report.classic.digit == 3
    assert reader.PREDICTION == "modern" and report.reading is report.modern  # the Prediction
    np.testing.assert_allclose(report.modern.probs, reader.modern(report.pre.image).probs)
    np.testing.assert_allclose(report.classic.probs, reader.classic(report.pre.image).probs)
    # attribution from the pass already made equals attribution that scores the digit again
    again = occlusion(report.pre.image, reader.modern.probabilities, 3)
    np.testing.assert_allclose(report.attribution, again, atol=1e-6)
    assert report.look_alikes.labels.shape == (8,) and report.look_alikes.searched == 10_000
    assert (report.look_alikes.labels == 3).sum() >= 6
    assert not report.atypical
    assert len(report.strokes) == len(strokes) and report.widths == (18.0,) * len(strokes)


def test_attribution_scores_the_drawing_once(reader, monkeypatch):
    """The unoccluded digit is not read again: one batch of occluded copies only."""
    batches = []
    real = reader.modern.run_batch

    def counting(images, *args, **kwargs):
        batches.append(len(images))
        return real(images, *args, **kwargs)

    monkeypatch.setattr(reader.modern, "run_batch", counting)
    reader.read(three()[0])
    assert batches == [reader.occlusions]


def test_nothing_to_read_gives_the_reason_and_no_reading(reader):
    report = reader.read(np.zeros((280, 280, 4), np.uint8))
    assert not report.ok and report.modern is None and report.attribution is None
    assert "empty" in report.pre.reason


def test_a_reader_without_the_lookups_still_reads(reader):
    from lenet5.core.reader import Reader

    bare = Reader(reader.modern)
    report = bare.read(three()[0])
    assert report.ok and report.classic is None and report.look_alikes is None


def test_every_page_reads_digits_with_the_predictions_probabilities(reader, monkeypatch):
    """read_all (the Number page, the experiments) reads through Reader.probabilities, which
    is the modern net's (docs/recognition.md: averaging in the 1998 net misses the 99.5% on
    MNIST a combined reading needs)."""
    from lenet5.core.reader import Reader, read_all, readings

    image, _ = three()
    _, probs = read_all([image, np.zeros((280, 280, 4), np.uint8)], reader)
    np.testing.assert_allclose(probs[0], reader.modern(reader.read(image).pre.image).probs,
                               atol=1e-6)
    assert readings(probs) == [3, None]
    monkeypatch.setattr(Reader, "probabilities",
                        lambda self, x: np.eye(10, dtype=np.float32)[np.full(len(x), 7)])
    assert readings(read_all([image], reader)[1]) == [7]
