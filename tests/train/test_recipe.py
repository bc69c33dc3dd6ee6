"""The training flags without TensorFlow: --epochs bounds every stage, --smoke bounds the whole
run, and the output folder is the app's models folder as it is when the command runs."""

import subprocess
import sys
from dataclasses import replace

from support import ROOT

from lenet5.core.artifacts import MODELS_ENV
from lenet5.train import recipe
from lenet5.train.recipe import TrainConfig


def parse(argv: list[str]) -> TrainConfig:
    return recipe.configs(recipe.parser().parse_args(argv))[0]


def test_default_recipe_is_the_committed_one():
    assert parse([]) == TrainConfig()  # the committed nets were trained with these
    assert TrainConfig().epochs == 40 and TrainConfig().style_epochs == 4


def test_epochs_bound_the_later_stage_unless_it_is_given():
    assert parse(["--epochs", "1"]).style_epochs == 1
    assert parse(["--epochs", "3"]).style_epochs == 3
    assert parse(["--epochs", "10"]).style_epochs == 4  # the default, fewer than --epochs
    assert parse(["--epochs", "1", "--style-epochs", "3"]).style_epochs == 3
    assert parse(["--epochs", "1", "--style-epochs", "0"]).style_epochs == 0


def test_simulated_writers_are_flags_and_off_unless_given():
    for name in ("pen_variety", "pen_tails", "pen_loops"):
        flag = "--" + name.replace("_", "-")
        assert getattr(parse([]), name) == 0.0 and getattr(parse([flag, "0.5"]), name) == 0.5


def test_smoke_bounds_every_stage_and_every_set():
    cfg = parse(["--smoke", "--flag-ones", "4000", "--crossed-sevens", "3000", "--pen-renders",
                 "8"])
    assert (cfg.epochs, cfg.style_epochs, cfg.limit) == (1, 1, recipe.SMOKE_LIMIT)
    assert cfg.pen_renders == 1 and cfg.flag_ones == cfg.crossed_sevens == recipe.SMOKE_STYLE_DIGITS
    assert cfg.curled_nines == 0  # a style not asked for stays out
    assert parse(["--smoke", "--limit", "500"]).limit == 500  # a smaller limit is kept
    assert parse(["--smoke", "--style-epochs", "0"]).style_epochs == 0  # one stage stays one
    rest = {"epochs", "style_epochs", "limit", "pen_renders", *recipe.STYLES}
    assert replace(parse(["--smoke"]), **{k: getattr(TrainConfig(), k) for k in rest}) == (
        TrainConfig())  # nothing else changes: the smoke run is the recipe, only smaller


def test_out_is_the_models_folder_when_the_command_runs(monkeypatch, tmp_path):
    monkeypatch.delenv(MODELS_ENV, raising=False)
    plain = recipe.parser().parse_args([])
    assert recipe.out_dir(plain) == ROOT / "models"
    classic = recipe.parser().parse_args(["--variant", "classic"])
    assert recipe.out_dir(classic) == ROOT / "models" / "classic"
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))  # after parsing: read when it runs
    assert recipe.out_dir(plain) == tmp_path.resolve()
    assert recipe.out_dir(classic) == tmp_path.resolve() / "classic"
    given = recipe.parser().parse_args(["--out", "runs/x"])
    monkeypatch.chdir(tmp_path)
    assert recipe.out_dir(given) == tmp_path.resolve() / "runs" / "x"


def test_the_flags_load_without_tensorflow():
    code = ("import sys; from lenet5.train import recipe; recipe.parser().parse_args([]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
