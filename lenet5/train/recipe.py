"""The training recipe: its configuration, and the command-line flags of ``python -m
lenet5.train`` (shared with ``python -m lenet5.eval.crossval``) that set it.

No TensorFlow here: ``--help`` and a wrong flag answer at once, before it is loaded.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from lenet5.core.artifacts import CLASSIC, models_dir
from lenet5.train import writers
from lenet5.train.styles import STYLES

ALPHA = 0.1  # distillation: weight of the label on an MNIST digit; the rest goes to the teacher
# --smoke: enough to run every stage and write every artifact in about a minute, learning little
SMOKE_LIMIT, SMOKE_EPOCHS, SMOKE_STYLE_DIGITS = 2000, 1, 100


@dataclass(frozen=True)
class AugmentConfig:
    """Training-time augmentation (:class:`lenet5.train.augment.Augment`)."""

    rotation_deg: float = 8.0
    zoom: float = 0.08
    translate_px: float = 2.0
    shear: float = 0.1
    thicker: float = 0.5  # max blend towards the 3x3 dilation
    thinner: float = 0.3  # max blend towards the 3x3 erosion
    elastic: float = 0.0  # RandomElasticTransform scale (0: off)
    prob: float = 0.7  # fraction of images that get augmented at all

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 40
    batch_size: int = 64
    seed: int = 0
    lr: float = 2e-3
    schedule: str = "cosine"  # cosine | constant | step
    warmup_epochs: float = 1.0
    augment: bool = True
    val_size: int = 5000
    limit: int = 0  # train on the first N training digits only (0: all); for smoke runs
    flag_ones: int = 0  # synthesised European 1s (flag from the top) added to training
    crossed_sevens: int = 0  # synthesised 7s with a bar across the stem
    curled_nines: int = 0  # synthesised 9s with a tail curling left
    style_epochs: int = 4  # >0: first MNIST alone, then this many epochs with the styles added
    style_lr: float = 3e-4  # peak learning rate of those epochs (cosine decay)
    style_soup: bool = True  # and a run training only HEAD; serve both runs' mean weights
    style_alpha: float = ALPHA  # an MNIST digit's label's weight there (rest: KD)
    pen_renders: int = 8  # with --pen: canvas drawings of each pen-drawn digit added (pen.py)
    pen_variety: float = 0.0  # strength of the simulated new writers in them (variety.py)
    pen_tails: float = 0.0  # share of them with a lead-in, and a lead-out (variety.add_tails)
    pen_loops: float = 0.0  # strength of their loops' resizing (variety.resize_loops)
    pen_holdout_fold: int = 0  # with --pen: this fold's writers are never trained on (-1: none)
    pen_folds: int = writers.FOLDS


# The flags of outlier exposure, an experiment that was not kept (docs/recognition.md): still
# accepted, so that command lines written for it get a clear answer.
REMOVED = ("outliers", "outlier-weight", "outlier-loss", "outlier-cap", "outlier-simple",
           "no-outlier-simple")


OUT_HELP = ("folder for the artifacts (default: where the app reads the net: $LENET5_MODELS, "
            "else models/; its classic/ for --variant classic)")


def parser(prog: str = "python -m lenet5.train", description: str = "",
           out_help: str = OUT_HELP) -> argparse.ArgumentParser:
    """The training flags (shared with :mod:`lenet5.eval.crossval`, whose ``--out`` differs)."""
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog=prog, description=description or "Train LeNet-5 and write the app's artifacts.")
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--out", type=Path, help=out_help)
    p.add_argument("--variant", choices=["modern", "classic"], default="modern",
                   help="modern: ReLU, max-pooling; classic: the 1998 network as published")
    p.add_argument("--epochs", type=int, default=d.epochs,
                   help="epochs of the first stage; also the most of any later stage unless "
                        "--style-epochs is given")
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--lr", type=float, default=d.lr, help="peak learning rate")
    p.add_argument("--schedule", choices=["cosine", "constant", "step"], default=d.schedule)
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=d.augment)
    p.add_argument("--val-size", type=int, default=d.val_size)
    p.add_argument("--limit", type=int, default=0, help="use only N training digits (smoke runs)")
    for style in STYLES:
        p.add_argument(f"--{style.replace('_', '-')}", type=int, default=getattr(d, style),
                       help="add N synthesised digits in this writing style "
                            "(lenet5/train/styles.py)")
    p.add_argument("--style-epochs", type=int,
                   help="N > 0: train on MNIST alone first, then N more epochs with the styles "
                        "added at --style-lr (0: the styles from the start; default: "
                        f"{d.style_epochs}, or --epochs if fewer)")
    p.add_argument("--style-lr", type=float, default=d.style_lr)
    p.add_argument("--style-alpha", type=float, default=d.style_alpha,
                   help="weight of an MNIST digit's label while learning the styles; the rest "
                        "goes to the net's own earlier answer")
    p.add_argument("--style-soup", action=argparse.BooleanOptionalAction, default=d.style_soup,
                   help="also run the styles stage training only the last two layers on plain "
                        "labels, and serve the mean of both runs' weights")
    p.add_argument("--pen", metavar="PATH", help="also train on these pen-drawn digits "
                   "(.jsonl.gz, e.g. UCI pendigits), except the writers of --pen-holdout-fold")
    p.add_argument("--pen-renders", type=int, default=d.pen_renders,
                   help="canvas drawings made of each pen-drawn digit")
    p.add_argument("--pen-variety", type=float, default=d.pen_variety,
                   help="strength of the simulated new writers' changes to the pen strokes "
                        "before they are drawn (lenet5/train/variety.py; 0: none)")
    p.add_argument("--pen-tails", type=float, default=d.pen_tails,
                   help="probability that a pen drawing gets a lead-in, and a lead-out: pieces "
                        "of the curves that join digits in a number (0: none)")
    p.add_argument("--pen-loops", type=float, default=d.pen_loops,
                   help="strength of the resizing of each loop of the pen strokes (0: none)")
    p.add_argument("--pen-holdout-fold", type=int, default=d.pen_holdout_fold,
                   help="never train on the writers of this fold (-1: train on all writers)")
    p.add_argument("--pen-folds", type=int, default=d.pen_folds,
                   help="how many folds the writers are split into (lenet5/train/writers.py)")
    p.add_argument("--smoke", action="store_true",
                   help=f"a quick run that checks the whole pipeline, not a usable net: at most "
                        f"{SMOKE_LIMIT} MNIST digits, {SMOKE_EPOCHS} epoch in every stage, one "
                        f"drawing per pen digit, {SMOKE_STYLE_DIGITS} digits per style")
    for flag in REMOVED:
        p.add_argument(f"--{flag}", nargs="?", const="", help=argparse.SUPPRESS)
    for name, value in AugmentConfig().to_dict().items():
        p.add_argument(f"--aug-{name}", type=float, default=value, help="augmentation setting")
    return p


def configs(a: argparse.Namespace) -> tuple[TrainConfig, AugmentConfig]:
    """The training and augmentation configuration given by parsed command-line flags."""
    if a.outliers not in (None, "0"):  # the others never did anything without it
        raise SystemExit("--outliers: outlier exposure was removed from training (what it "
                         "did: docs/recognition.md)")
    values = {k: getattr(a, k) for k in TrainConfig().__dict__ if k != "warmup_epochs"}
    if values["style_epochs"] is None:  # so that --epochs 1 means one epoch in every stage
        values["style_epochs"] = min(TrainConfig().style_epochs, a.epochs)
    cfg = TrainConfig(**values)
    aug = AugmentConfig(**{k: getattr(a, f"aug_{k}") for k in AugmentConfig().to_dict()})
    return (smoke(cfg) if a.smoke else cfg), aug


def smoke(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` cut to the budget of ``--smoke``: every stage still runs (a second stage stays a
    second stage), each on a few digits for one epoch."""
    return replace(cfg, limit=min(cfg.limit or SMOKE_LIMIT, SMOKE_LIMIT), epochs=SMOKE_EPOCHS,
                   style_epochs=min(cfg.style_epochs, SMOKE_EPOCHS),
                   pen_renders=min(cfg.pen_renders, 1),
                   **{s: min(getattr(cfg, s), SMOKE_STYLE_DIGITS) for s in STYLES})


def out_dir(a: argparse.Namespace) -> Path:
    """Where a run writes: ``--out``, else the models folder the app reads *now*
    (:func:`lenet5.core.artifacts.models_dir`, which follows ``$LENET5_MODELS``), or its
    ``classic/`` for the 1998 net; absolute."""
    if a.out is not None:
        return Path(a.out).resolve()
    return models_dir() / (CLASSIC if a.variant == "classic" else "")


