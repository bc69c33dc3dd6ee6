"""How much teaching the net a writer's own digits helps it read that writer's other digits.

    python -m lenet5.eval.adapt --pendigits PATH --shots 3 [--pen-fold 0] [--repeats 5]

For each writer of the fold (default: the writers the committed net never trained on,
``metrics.json["pen"]["held_out_fold"]``), every digit is drawn on the canvas as the page
takes a drawing (:func:`lenet5.train.pen.canvas_inputs`); ``--shots`` of them per class are
taught (:func:`lenet5.core.adapt.fit`) and the rest are read before and after. Prints one
JSON object: ``before``, ``after`` (over all remaining digits), ``per_writer``
(``{writer: {"before", "after", "n"}}``), ``shots``, and the fit's cost. ``--choose`` instead
compares refitting the output layer with class prototypes in F6 over a small grid, each
writer's figure with the setting chosen on the other writers only (docs/adapt.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lenet5.core import adapt
from lenet5.core import weights as wt
from lenet5.core.artifacts import WEIGHTS_FILE, serving_model_path
from lenet5.core.predictor import Predictor
from lenet5.train import writers
from lenet5.train.data import read_jsonl
from lenet5.train.pen import canvas_inputs

# What --choose compares: (name, method, setting); "fit": decay, "prototypes": their weight
GRID = [(f"fit decay={d}", "fit", d) for d in (0.001, 0.01, 0.1, 1.0)] + [
    (f"prototypes weight={a}", "prototypes", a) for a in (0.5, 1.0, 2.0, 4.0)]


class Writer:
    """One writer's digits drawn on the canvas: ``f6`` ``(n, 84) float32`` (zeros where the
    drawing was unreadable), ``labels`` ``(n,) int``, ``ok`` ``(n,) bool`` readable."""

    def __init__(self, predictor: Predictor, records: list[dict], seed: int):
        x, self.ok = canvas_inputs(records, seed)
        self.f6 = predictor.run_batch(x, keys=(adapt.LAYER,))[adapt.LAYER]
        self.labels = np.array([r["label"] for r in records], np.int64)

    def split(self, shots: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Indices taught (``shots`` readable digits of each class, fewer if the writer wrote
        fewer, always leaving one to read) and the rest."""
        taught = []
        for c in range(10):
            mine = np.flatnonzero((self.labels == c) & self.ok)
            taught += list(rng.permutation(mine)[: min(shots, max(len(mine) - 1, 0))])
        rest = np.setdiff1d(np.arange(len(self.labels)), taught)
        return np.array(taught, np.int64), rest


def prototypes(base: adapt.OutputLayer, x: np.ndarray, y: np.ndarray, weight: float
               ) -> Callable[[np.ndarray], np.ndarray]:
    """The alternative: the net's logits plus ``weight`` times minus the squared F6 distance to
    each taught class' mean (in units of the taught digits' mean squared distance to their
    overall mean); classes not taught get the nearest prototype's term."""
    means = np.stack([x[y == c].mean(0) if (y == c).any() else np.full(x.shape[1], np.nan)
                      for c in range(10)])
    spread = max(float(((x - x.mean(0)) ** 2).sum(1).mean()), 1e-6)

    def digits(f: np.ndarray) -> np.ndarray:
        d = ((f[:, None, :] - means[None]) ** 2).sum(2) / spread
        d = np.where(np.isnan(d), np.nanmin(d, 1, keepdims=True), d)
        return (base.logits(f) - weight * d).argmax(1)

    return digits


def reader_of(method: str, base: adapt.OutputLayer, x: np.ndarray, y: np.ndarray,
              setting: float, steps: int) -> Callable[[np.ndarray], np.ndarray]:
    """How the taught net reads ``(N, 84)`` features: digits ``(N,) int``."""
    if method == "prototypes":
        return prototypes(base, x, y, setting)
    layer = adapt.fit(base, x, y, setting, steps)
    return lambda f: layer.logits(f).argmax(1)


def measure(people: dict[int, Writer], base: adapt.OutputLayer, shots: int, repeats: int,
            seed: int, method: str = "fit", setting: float = adapt.DECAY,
            steps: int = adapt.STEPS) -> dict:
    """Before/after per writer, each writer taught ``repeats`` times with other digits."""
    per, fit_ms = {}, []
    for w, p in people.items():
        rng = np.random.default_rng([seed, w])
        right = np.zeros(2)
        n = 0
        for _ in range(repeats):
            taught, rest = p.split(shots, rng)
            start = time.perf_counter()
            read = reader_of(method, base, p.f6[taught], p.labels[taught], setting, steps)
            fit_ms.append((time.perf_counter() - start) * 1e3)
            truth, ok = p.labels[rest], p.ok[rest]
            right += [((base.logits(p.f6[rest]).argmax(1) == truth) & ok).sum(),
                      ((read(p.f6[rest]) == truth) & ok).sum()]
            n += len(rest)
        per[str(w)] = {"before": round(right[0] / n, 6), "after": round(right[1] / n, 6), "n": n}
    total = sum(v["n"] for v in per.values())
    mean = {k: round(sum(v[k] * v["n"] for v in per.values()) / total, 6)
            for k in ("before", "after")}
    return {**mean, "per_writer": per, "fit_ms_median": round(float(np.median(fit_ms)), 3),
            "fit_ms_max": round(float(np.max(fit_ms)), 3)}


def choose(people: dict[int, Writer], base: adapt.OutputLayer, shots: int, repeats: int,
           seed: int, steps: int) -> dict:
    """Every :data:`GRID` setting measured, and each writer's figure with the setting that did
    best on the other writers (their worst writer after first, then their mean after): a
    choice never made on the writer it is measured on."""
    runs = {name: measure(people, base, shots, repeats, seed, method, setting, steps)
            for name, method, setting in GRID}
    nested = {}
    for w in map(str, people):
        def score(name: str, w: str = w) -> tuple[float, float]:
            others = [v for k, v in runs[name]["per_writer"].items() if k != w]
            drop = min(v["after"] - v["before"] for v in others)
            return (min(drop, 0.0), sum(v["after"] * v["n"] for v in others))
        best = max(runs, key=score)
        nested[w] = {"chosen": best, **runs[best]["per_writer"][w]}
    return {"shots": shots, "repeats": repeats, "nested": nested,
            "grid": {k: {"before": v["before"], "after": v["after"],
                         "worst_after": min(p["after"] for p in v["per_writer"].values()),
                         "worst_drop": round(min(p["after"] - p["before"]
                                                 for p in v["per_writer"].values()), 6)}
                     for k, v in runs.items()}}


def cost(base: adapt.OutputLayer, people: dict[int, Writer], steps: int) -> dict:
    """Server time of teaching :data:`adapt.MAX_DIGITS` digits and of reading one drawing
    with the taught output layer (ms, best of 20), and the taught layer's size."""
    f6 = np.concatenate([p.f6 for p in people.values()])[: adapt.MAX_DIGITS]
    y = np.concatenate([p.labels for p in people.values()])[: adapt.MAX_DIGITS]
    layer = adapt.fit(base, f6, y, steps=steps)

    def best(call) -> float:
        times = []
        for _ in range(20):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return round(min(times) * 1e3, 4)

    return {"fit_max_digits_ms": best(lambda: adapt.fit(base, f6, y, steps=steps)),
            "reread_ms": best(lambda: layer.probabilities(f6[0])),
            "layer_bytes": layer.nbytes, "max_digits": adapt.MAX_DIGITS}


def default_fold(model: Path) -> int:
    """The fold of writers the model never trained on (its metrics.json)."""
    try:
        fold = json.loads((model.parent / "metrics.json").read_text())["pen"]["held_out_fold"]
    except (OSError, ValueError, KeyError, TypeError):
        fold = None
    if fold is None:
        sys.exit(f"{model.parent}/metrics.json names no held-out fold: give --pen-fold")
    return int(fold)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lenet5.eval.adapt",
                                description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", required=True, help="pen-drawn digits (.jsonl or .jsonl.gz)")
    p.add_argument("--shots", type=int, default=3, help="digits taught per class")
    writers.add_arguments(p)
    p.add_argument("--model", help="LiteRT serving model (default: the app's); its folder "
                   f"holds {WEIGHTS_FILE} and metrics.json")
    p.add_argument("--writers", type=int, nargs="*", help="only these writers (of the fold)")
    p.add_argument("--repeats", type=int, default=1, help="teach each writer this many times, "
                   "each with other digits")
    p.add_argument("--seed", type=int, default=0, help="placement on the canvas, digits taught")
    p.add_argument("--decay", type=float, default=adapt.DECAY, help="weight decay")
    p.add_argument("--steps", type=int, default=adapt.STEPS, help="gradient steps")
    p.add_argument("--choose", action="store_true",
                   help="compare the fit with class prototypes (nested over writers)")
    a = p.parse_args(argv)
    if a.shots < 1 or a.repeats < 1 or a.steps < 1:
        p.error("--shots, --repeats and --steps must be at least 1")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    model = serving_model_path(a.model)
    predictor = Predictor(model)
    w = wt.load(model.parent / WEIGHTS_FILE, predictor.sha256)
    if w is None:
        sys.exit(f"{model.parent / WEIGHTS_FILE} is missing or made for another model: "
                 "python -m lenet5.train.export --weights DIR")
    base = adapt.trained(w["output.kernel"], w["output.bias"])
    fold = a.pen_fold if a.pen_fold is not None else default_fold(model)
    records = writers.held_out(read_jsonl(a.pendigits), fold, a.pen_folds)
    ids = sorted({int(r["writer"]) for r in records} & set(a.writers or range(10**6)))
    people = {i: Writer(predictor, [r for r in records if int(r["writer"]) == i], a.seed)
              for i in ids}
    if not people:
        sys.exit("no writers to measure")
    if a.choose:
        result = choose(people, base, a.shots, a.repeats, a.seed, a.steps)
    else:
        result = {**measure(people, base, a.shots, a.repeats, a.seed, "fit", a.decay, a.steps),
                  "shots": a.shots, "repeats": a.repeats, "decay": a.decay, "steps": a.steps,
                  **cost(base, people, a.steps)}
    result.update(fold=fold, writers=ids, model=str(model))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
