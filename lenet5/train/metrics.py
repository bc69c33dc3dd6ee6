"""Classification metrics in plain numpy: what training records about its net, and evaluation."""

from __future__ import annotations

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """``(classes, classes) int64``; row = true label, column = predicted label."""
    y_true = np.asarray(y_true, np.int64)
    y_pred = np.asarray(y_pred, np.int64)
    return np.bincount(y_true * classes + y_pred, minlength=classes * classes).reshape(
        classes, classes
    )


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """Recall of each class, ``(classes,) float64 in [0, 1]`` (NaN for a class with no samples)."""
    totals = cm.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(cm) / totals


def summary(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> dict:
    """JSON-ready accuracy, per-class accuracy, confusion matrix and misclassified indices."""
    cm = confusion_matrix(y_true, y_pred, classes)
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))
    return {
        "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
        "n": int(cm.sum()),
        "per_class": {str(k): round(float(v), 6) for k, v in enumerate(per_class_accuracy(cm))},
        "confusion_matrix": cm.tolist(),
        "misclassified": [
            {"index": int(i), "true": int(y_true[i]), "pred": int(y_pred[i])} for i in wrong
        ],
    }
