"""Small data shipped with the app: an MNIST test sample and a few pen-drawn digits.

``assets/mnist_sample.npz`` holds ``x`` ``(N, 28, 28) uint8``, ``y`` ``(N,) uint8`` and ``index``
``(N,) int64`` (positions in the MNIST test set) and ``random`` ``(N,) bool`` (True for the
uniformly drawn digits; the others were added because the committed model gets them wrong), made
by ``python -m lenet5.samples``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lenet5.data import read_npz

ASSETS = Path(__file__).resolve().parent.parent / "assets"
MNIST_SAMPLE = ASSETS / "mnist_sample.npz"


def load_mnist_sample(
    path: str | Path = MNIST_SAMPLE, random_only: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, index)``: ``(N, 28, 28) uint8`` digits, labels, and their MNIST test indices.

    ``random_only`` keeps the uniformly drawn digits (an unbiased sample for accuracy).
    """
    with np.load(path, allow_pickle=False) as npz:
        keep = npz["random"] if random_only else slice(None)
        return npz["x"][keep], npz["y"][keep], npz["index"][keep]


def make_mnist_sample(mnist: str | Path, out: str | Path = MNIST_SAMPLE, n: int = 1000,
                      extra: np.ndarray | None = None, seed: int = 0) -> None:
    """Write ``n`` random test digits plus the test indices in ``extra`` (e.g. the mistakes)."""
    arrays = read_npz(mnist)
    rng = np.random.default_rng(seed)
    drawn = np.sort(rng.choice(len(arrays["x_test"]), n, replace=False))
    index = drawn if extra is None else np.union1d(drawn, np.asarray(extra, np.int64))
    np.savez_compressed(out, x=arrays["x_test"][index], y=arrays["y_test"][index], index=index,
                        random=np.isin(index, drawn))


def main() -> None:
    import json

    p = argparse.ArgumentParser(prog="python -m lenet5.samples",
                                description=make_mnist_sample.__doc__)
    p.add_argument("--mnist", required=True, help="mnist.npz")
    p.add_argument("--metrics", default=str(ASSETS.parent / "models" / "metrics.json"),
                   help="include the digits this model misclassifies")
    p.add_argument("--out", default=str(MNIST_SAMPLE))
    a = p.parse_args()
    wrong = json.loads(Path(a.metrics).read_text())["test"]["misclassified"]
    make_mnist_sample(a.mnist, a.out, extra=np.array([w["index"] for w in wrong], np.int64))


if __name__ == "__main__":
    main()
