"""The MNIST test sample shipped with the app (``assets/mnist_sample.npz``).

    python -m lenet5.train.sample --mnist PATH/TO/mnist.npz

It holds ``x`` ``(N, 28, 28) uint8``, ``y`` ``(N,) uint8``, ``index`` ``(N,) int64`` (positions
in the MNIST test set) and ``random`` ``(N,) bool`` (True for the uniformly drawn digits; the
others were added because the committed model gets them wrong). The app reads it with
:func:`lenet5.core.artifacts.load_mnist_sample`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import mnist_sample_path, model_file
from lenet5.train.data import read_npz


def make_mnist_sample(mnist: str | Path, out: str | Path, n: int = 1000,
                      extra: np.ndarray | None = None, seed: int = 0) -> None:
    """Write ``n`` random test digits plus the test indices in ``extra`` (e.g. the mistakes)."""
    arrays = read_npz(mnist)
    rng = np.random.default_rng(seed)
    drawn = np.sort(rng.choice(len(arrays["x_test"]), n, replace=False))
    index = drawn if extra is None else np.union1d(drawn, np.asarray(extra, np.int64))
    np.savez_compressed(out, x=arrays["x_test"][index], y=arrays["y_test"][index], index=index,
                        random=np.isin(index, drawn))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.train.sample",
                                description=make_mnist_sample.__doc__)
    p.add_argument("--mnist", required=True, help="mnist.npz")
    p.add_argument("--metrics", type=Path, help="include the digits this model misclassifies "
                   "(default: the metrics.json of the net the app reads, $LENET5_MODELS or "
                   "models/)")
    p.add_argument("--out", type=Path, help="default: assets/mnist_sample.npz")
    a = p.parse_args(argv)
    metrics = a.metrics or model_file("metrics.json")  # resolved now: the env counts
    wrong = json.loads(metrics.read_text())["test"]["misclassified"]
    out = (a.out or mnist_sample_path()).resolve()
    make_mnist_sample(a.mnist, out, extra=np.array([w["index"] for w in wrong], np.int64))
    print(json.dumps({"out": str(out), "metrics": str(metrics.resolve())}))


if __name__ == "__main__":
    main()
