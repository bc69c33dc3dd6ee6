"""The page's sentence about how sure the network is (no model needed)."""

import numpy as np
import pytest

from lenet5.core.analysis import Analysis
from lenet5.core.predictor import Reading
from lenet5.core.preprocess import Preprocessed


def verdict(probs) -> str:
    p = np.asarray(probs, np.float32)
    pre = Preprocessed(np.zeros((28, 28), np.float32))
    return Analysis(pre, Reading(p / p.sum(), {})).verdict()


@pytest.mark.parametrize("probs, expected", [
    ([0, 0, 0, 0, 0.9, 0, 0, 0, 0, 0.1], "Reads a 4 (90% sure)."),
    ([0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.4], "Not sure: 4 or 9?"),
    ([0.1, 0.1, 0.1, 0.1, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1],
     "That does not look like any digit to the network (best guess 4, 25%)."),
])
def test_verdict(probs, expected):
    assert verdict(probs) == expected
