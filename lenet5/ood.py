"""Does a drawing look like the digits the network learned from?

The softmax alone is confident about almost anything (letters, shapes: see
:mod:`lenet5.scribbles`). Following Sun et al., "Out-of-Distribution Detection with Deep
Nearest Neighbors" (ICML 2022), a drawing's S4 features (256, scaled to unit length) are
compared with those of 20,000 MNIST training digits: if even its ``K``-th most similar digit is
far (cosine distance), the drawing is *atypical*. The threshold is a quantile of the distances
of held-out MNIST digits, so by construction ~1% of real digits are flagged. The classifier is
unchanged: the page still shows its answer, and says the drawing does not look like the digits
it learned from. (Measured on the same letters and shapes: one Gaussian per digit on these
features, Lee et al. 2018, still let 55% through as confident digits; this lets ~22% through.)

    python -m lenet5.ood --data PATH/TO/mnist.npz      # writes models/ood.npz
    python -m lenet5.ood --check --data PATH/TO/mnist.npz --pendigits PATH/TO/pendigits.jsonl.gz

The file records the serving model's sha256; a stale file (model retrained) is not used.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet5.data import load_mnist
from lenet5.inference import (
    MODELS_DIR,
    SERVING_PATH,
    Predictor,
    load_for_model,
    save_for_model,
)

LAYER = "flatten"  # S4's 256 features: separate non-digits best of the layers (measured)
METHOD = "knn"
K = 5  # the K-th nearest training digit decides
BANK = 20_000  # training digits kept (int8 in the file: ~2 MB; all 55,000 gain ~1 point)
QUANTILE = 0.99
OOD_PATH = MODELS_DIR / "ood.npz"


def unit(features: np.ndarray) -> np.ndarray:
    """``(N, ...)`` features -> ``(N, D) float32`` rows of unit length (zero rows stay zero)."""
    f = np.asarray(features, np.float32).reshape(len(features), -1)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Typicality:
    """``codes``: ``(M, D) int8`` quantised features of training digits (as stored); the
    distance ``threshold``, ``k`` and the sha256 of the serving model the features came from.
    ``bank`` is ``codes`` as ``float32`` rows of unit length."""

    codes: np.ndarray
    threshold: float
    model_sha256: str
    k: int = K
    bank: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank", unit(self.codes))

    def distance(self, features: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """``(N, ...)`` features -> ``(N,) float32`` cosine distance (``1 - cos``, in [0, 2])
        to the ``k``-th most similar digit of the bank."""
        f = unit(features)
        out = [np.partition(f[i:i + chunk] @ self.bank.T, -self.k, axis=1)[:, -self.k]
               for i in range(0, len(f), chunk)]
        return (1 - np.concatenate(out)).astype(np.float32)

    def atypical(self, features: np.ndarray) -> np.ndarray:
        """``(N,) bool``: farther from the digits than all but ``1 - QUANTILE`` of MNIST's."""
        return self.distance(features) > self.threshold


def quantise(features: np.ndarray) -> np.ndarray:
    """Unit-length features (ReLU, so >= 0) -> ``int8`` in [0, 127], as stored."""
    return np.clip(np.rint(unit(features) * 127), 0, 127).astype(np.int8)


def fit(features: np.ndarray, held_out: np.ndarray, model_sha256: str, k: int = K,
        size: int = BANK, quantile: float = QUANTILE, seed: int = 0) -> Typicality:
    """A bank of ``size`` random rows of ``(N, D)`` training ``features`` (int8-quantised, as
    saved); the threshold at ``quantile`` of the ``held_out`` digits' distances."""
    rows = np.random.default_rng(seed).permutation(len(features))[:size]
    t = Typicality(quantise(features[rows]), 0.0, model_sha256, k)
    threshold = float(np.quantile(t.distance(held_out), quantile))
    return Typicality(t.codes, threshold, model_sha256, k)


def save(t: Typicality, path: Path) -> None:
    save_for_model(path, t.model_sha256, codes=t.codes, threshold=np.float32(t.threshold),
                   k=np.int32(t.k), layer=np.array(LAYER), method=np.array(METHOD))


def load(path: Path, model_sha256: str) -> Typicality | None:
    """The saved bank, or None if missing, unreadable, of another kind or made for another
    model."""
    z = load_for_model(path, model_sha256, ("codes", "threshold", "k"), layer=LAYER,
                       method=METHOD)
    return None if z is None else Typicality(z["codes"], float(z["threshold"]), model_sha256,
                                             int(z["k"]))


def features_of(predictor: Predictor, images: np.ndarray) -> np.ndarray:
    """``(N, 28, 28) uint8`` digits -> ``(N, D) float32`` features of :data:`LAYER`."""
    out = predictor.run_batch(images.astype(np.float32) / 255)[LAYER]
    return out.reshape(len(images), -1)


def typicality_for(predictor: Predictor, x_train: np.ndarray,
                   x_val: np.ndarray) -> Typicality:
    """The bank for ``predictor``'s serving model from ``(N, 28, 28) uint8`` training digits;
    the threshold from held-out ``x_val``."""
    return fit(features_of(predictor, x_train), features_of(predictor, x_val), predictor.sha256)


def build(data_path: str | None, model: Path = SERVING_PATH, seed: int = 0,
          pen_path: str | None = None, fold: int = 0, folds: int = 5) -> Typicality:
    """:func:`typicality_for` MNIST's training digits plus, with ``pen_path``, one canvas
    drawing of each pen-drawn digit by the writers outside ``fold`` (as training adds them);
    the threshold from the MNIST validation digits held out by training with ``seed``."""
    data = load_mnist(data_path, val_size=5000, seed=seed)
    x = data.x_train
    if pen_path:  # here, not at the top: the app imports this module, never training code
        from lenet5.pen import digits, first_drawings

        x = np.concatenate([x, first_drawings(digits(pen_path, 1, fold, folds, seed))])
    return typicality_for(Predictor(model), x, data.x_val)


def check(t: Typicality, predictor: Predictor, data_path: str | None,
          pendigits: str | None, fold: int | None = None, folds: int = 5) -> dict:
    """How often the page says "does not look like a digit" or "not sure": for MNIST's test
    digits and pen-drawn digits (false alarms; only fold ``fold``'s writers if given) and for
    letters and shapes (wanted)."""
    # imported here: they import lenet5.pipeline, which imports this module
    from lenet5.evaluate import canvas_inputs
    from lenet5.scribbles import confident_rate
    from lenet5.strokes import read_jsonl
    from lenet5.writers import held_out

    def atypical(x: np.ndarray) -> float:
        return float(t.atypical(predictor.run_batch(x, keys=(LAYER,))[LAYER]).mean())

    data = load_mnist(data_path, val_size=5000)
    result = {"mnist_test_atypical": atypical(data.x_test.astype(np.float32) / 255)}
    if pendigits:
        x, ok = canvas_inputs(held_out(read_jsonl(pendigits), fold, folds))
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
    p.add_argument("--pen-fold", type=int, help="with --pendigits: only this fold's writers")
    p.add_argument("--pen", help="also count one drawing of each of these pen-drawn digits as "
                   "typical, as training does (writers outside --pen-holdout-fold)")
    p.add_argument("--pen-holdout-fold", type=int, default=0)
    p.add_argument("--pen-folds", type=int, default=5)
    a = p.parse_args(argv)
    if a.check:
        predictor = Predictor(a.model)
        t = load(a.out, predictor.sha256)
        if t is None:
            raise SystemExit(f"{a.out} is missing or was made for another model: rebuild it "
                             f"with python -m lenet5.ood --data PATH/TO/mnist.npz")
        print(json.dumps(check(t, predictor, a.data, a.pendigits, a.pen_fold, a.pen_folds)))
        return
    t = build(a.data, a.model, pen_path=a.pen, fold=a.pen_holdout_fold, folds=a.pen_folds)
    save(t, a.out)
    print(json.dumps({"out": str(a.out), "layer": LAYER, "method": METHOD, "k": t.k,
                      "bank": len(t.bank), "quantile": QUANTILE,
                      "threshold": round(t.threshold, 4), "model_sha256": t.model_sha256,
                      "bytes": a.out.stat().st_size}))


if __name__ == "__main__":
    main()
