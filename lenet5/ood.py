"""Does a drawing look like the digits the network learned from?

The softmax alone is confident about almost anything (letters, shapes: see
:mod:`lenet5.scribbles`). Following Lee et al., "A Simple Unified Framework for Detecting
Out-of-Distribution Samples and Adversarial Attacks" (NeurIPS 2018), the network's features
of the training digits are modelled as one Gaussian per digit with a shared covariance; a
drawing whose features are far (squared Mahalanobis distance) from every digit's mean is
*atypical*. The threshold is a quantile of the distances of held-out MNIST digits, so by
construction ~1% of real digits are flagged. The classifier is unchanged: the page still shows
its answer, and says the drawing does not look like the digits it learned from.

    python -m lenet5.ood --data PATH/TO/mnist.npz      # writes models/ood.npz
    python -m lenet5.ood --check --data PATH/TO/mnist.npz --pendigits PATH/TO/pendigits.jsonl.gz

The file records the serving model's sha256; a stale file (model retrained) is not used.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lenet5.data import load_mnist
from lenet5.inference import MODELS_DIR, SERVING_PATH, Predictor

LAYER = "flatten"  # S4's 256 features: separates non-digits best of the layers (measured)
QUANTILE = 0.99
OOD_PATH = MODELS_DIR / "ood.npz"


@dataclass(frozen=True)
class Typicality:
    """Class means ``(10, D) float32``, shared precision ``(D, D) float32``, the distance
    ``threshold`` and the sha256 of the serving model the features came from."""

    means: np.ndarray
    precision: np.ndarray
    threshold: float
    model_sha256: str

    def distance(self, features: np.ndarray) -> np.ndarray:
        """``(N, D)`` features -> ``(N,) float32``: squared Mahalanobis distance to the
        nearest digit's mean."""
        f = np.asarray(features, np.float32).reshape(len(features), -1)
        d2 = [np.einsum("nd,de,ne->n", f - m, self.precision, f - m) for m in self.means]
        return np.min(d2, axis=0).astype(np.float32)

    def atypical(self, features: np.ndarray) -> np.ndarray:
        """``(N,) bool``: farther from every digit than all but ``1 - QUANTILE`` of MNIST's."""
        return self.distance(features) > self.threshold


def fit(features: np.ndarray, labels: np.ndarray, held_out: np.ndarray, model_sha256: str,
        quantile: float = QUANTILE, ridge: float = 1e-3) -> Typicality:
    """Gaussian per class with a shared covariance (``ridge`` added to its diagonal) from
    ``(N, D)`` training features; threshold at ``quantile`` of the ``held_out`` distances."""
    f = np.asarray(features, np.float64)
    means = np.stack([f[labels == k].mean(0) for k in range(10)])
    centred = f - means[labels]
    cov = centred.T @ centred / len(f) + ridge * np.eye(f.shape[1])
    t = Typicality(means.astype(np.float32), np.linalg.inv(cov).astype(np.float32), 0.0,
                   model_sha256)
    threshold = float(np.quantile(t.distance(held_out), quantile))
    return Typicality(t.means, t.precision, threshold, model_sha256)


def save(t: Typicality, path: Path) -> None:
    np.savez_compressed(path, means=t.means, precision=t.precision,
                        threshold=np.float32(t.threshold), model_sha256=np.array(t.model_sha256),
                        layer=np.array(LAYER))


def load(path: Path, model_sha256: str) -> Typicality | None:
    """The saved statistics, or None if missing, unreadable or made for another model."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["model_sha256"]) != model_sha256 or str(z["layer"]) != LAYER:
                return None
            return Typicality(z["means"], z["precision"], float(z["threshold"]),
                              model_sha256)
    except (OSError, ValueError, KeyError):
        return None


def features_of(predictor: Predictor, images: np.ndarray) -> np.ndarray:
    """``(N, 28, 28) uint8`` digits -> ``(N, D) float32`` features of :data:`LAYER`."""
    out = predictor.run_batch(images.astype(np.float32) / 255)[LAYER]
    return out.reshape(len(images), -1)


def typicality_for(model: Path, x_train: np.ndarray, y_train: np.ndarray,
                   x_val: np.ndarray) -> Typicality:
    """Statistics for the serving model ``model`` from ``(N, 28, 28) uint8`` training digits
    and labels; the threshold from held-out ``x_val``."""
    predictor = Predictor(model)
    return fit(features_of(predictor, x_train), y_train, features_of(predictor, x_val),
               predictor.sha256)


def build(data_path: str | None, model: Path = SERVING_PATH, seed: int = 0) -> Typicality:
    """:func:`typicality_for` MNIST's training digits, the threshold from the validation
    digits held out by training with ``seed``."""
    data = load_mnist(data_path, val_size=5000, seed=seed)
    return typicality_for(model, data.x_train, data.y_train, data.x_val)


def check(t: Typicality, predictor: Predictor, data_path: str | None,
          pendigits: str | None) -> dict:
    """How often the page says "does not look like a digit" or "not sure": for MNIST's test
    digits and pen-drawn digits (false alarms) and for letters and shapes (wanted)."""
    # imported here: they import lenet5.pipeline, which imports this module
    from lenet5.evaluate import canvas_inputs
    from lenet5.scribbles import confident_rate
    from lenet5.strokes import read_jsonl

    def atypical(x: np.ndarray) -> float:
        return float(t.atypical(predictor.run_batch(x, keys=(LAYER,))[LAYER]).mean())

    data = load_mnist(data_path, val_size=5000)
    result = {"mnist_test_atypical": atypical(data.x_test.astype(np.float32) / 255)}
    if pendigits:
        x, ok = canvas_inputs(list(read_jsonl(pendigits)))
        result["pendigits_atypical"] = atypical(x[ok])
    scribbles = confident_rate(predictor, typicality=t)
    result.update(scribbles_atypical=scribbles["atypical"],
                  scribbles_still_confident=scribbles["confident"])
    return {k: round(v, 4) for k, v in result.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.ood", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--model", type=Path, default=SERVING_PATH)
    p.add_argument("--out", type=Path, default=OOD_PATH)
    p.add_argument("--check", action="store_true", help="measure the saved file instead")
    p.add_argument("--pendigits", help="with --check: pen-drawn digits (.jsonl.gz)")
    a = p.parse_args(argv)
    if a.check:
        predictor = Predictor(a.model)
        t = load(a.out, predictor.sha256)
        if t is None:
            raise SystemExit(f"{a.out} is missing or was made for another model: rebuild it "
                             f"with python -m lenet5.ood --data PATH/TO/mnist.npz")
        print(json.dumps(check(t, predictor, a.data, a.pendigits)))
        return
    t = build(a.data, a.model)
    save(t, a.out)
    print(json.dumps({"out": str(a.out), "layer": LAYER, "quantile": QUANTILE,
                      "threshold": round(t.threshold, 2), "model_sha256": t.model_sha256,
                      "bytes": a.out.stat().st_size}))


if __name__ == "__main__":
    main()
