"""The package's layout is its architecture: which code may import which, checked from the source.

- ``lenet5.core`` (what the Streamlit process runs) imports nothing else of lenet5, and of the
  world only numpy, OpenCV, Pillow and LiteRT;
- ``lenet5.ui`` (the pages) imports only ``core``;
- ``lenet5.train`` imports only ``core``; ``lenet5.eval`` only ``core`` and ``train``;
- ``lenet5.eval`` (the measuring layer the tests and benchmarks share) never imports ``ui``,
  and no module of the package imports tests/ or benchmarks/;
- no import cycles between modules, counting imports inside functions too;
- the tests import of this repository only the package and ``support`` (tests/support), the
  benchmarks only the package: nothing a test or a benchmark needs lives in a benchmark, and
  no file adds a folder to ``sys.path`` to reach one;
- the app, run as Streamlit runs it, loads neither TensorFlow nor Keras.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lenet5"
ALLOWED = {  # layer -> the lenet5 layers it may import
    "core": {"core"},
    "ui": {"ui", "core"},
    "train": {"train", "core"},
    "eval": {"eval", "train", "core"},
    "": {"eval", "train"},  # the command-line forwarders: lenet5.evaluate, .number, .bench
}
CORE_THIRD_PARTY = {"numpy", "cv2", "PIL", "ai_edge_litert"}
OURS = {"lenet5", "support", "benchmarks", "tests", "app"}  # this repository's top-level names
MAY_IMPORT = {"tests": {"lenet5", "support"}, "benchmarks": {"lenet5"}}  # folder -> ours allowed


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions (``from a import b`` gives
    ``a.b`` when that is a module of ours, else ``a``)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
    return out


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: {m for m in imports(p) if m in MODULES and m != name} for name, p in MODULES.items()}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else ""


def test_the_four_layers_exist_and_hold_every_module():
    assert {layer(m) for m in MODULES if m.count(".") >= 1} == set(ALLOWED)
    top = sorted(m for m in MODULES if m.count(".") == 1 and layer(m) == "")
    assert top == ["lenet5.bench", "lenet5.evaluate", "lenet5.number"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_what_its_layer_may(module):
    used = {layer(m) for m in GRAPH[module]}
    assert used <= ALLOWED[layer(module)], f"{module} imports {sorted(GRAPH[module])}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == "core"))
def test_core_needs_only_numpy_opencv_pillow_and_litert(module):
    outside = {m.split(".")[0] for m in imports(MODULES[module])} - {"lenet5", "__future__"}
    third_party = {m for m in outside if m not in sys.stdlib_module_names}
    assert third_party <= CORE_THIRD_PARTY, f"{module} imports {sorted(third_party)}"


def cycle() -> list[str] | None:
    """One import cycle among our modules, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        for nxt in sorted(GRAPH[node]):
            found = visit(nxt, path + [node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(GRAPH):
        found = visit(start, [])
        if found:
            return found
    return None


def imported(path: Path) -> set[str]:
    """Every name ``path`` imports, in full (``from a import b`` gives ``a.b``), at the top or
    inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out |= {f"{node.module}.{alias.name}" for alias in node.names}
    return out


def foreign(path: Path, may: set[str]) -> list[str]:
    """What ``path`` imports of this repository outside the top-level names ``may``."""
    return sorted(n for n in imported(path) if n.split(".")[0] in OURS - may)


def edits_sys_path(path: Path) -> bool:
    """Whether ``path``'s code touches ``sys.path`` (how a benchmark once reached tests/)."""
    return any(isinstance(node, ast.Attribute) and node.attr == "path"
               and isinstance(node.value, ast.Name) and node.value.id == "sys"
               for node in ast.walk(ast.parse(path.read_text(), str(path))))


def files_of(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", [p for f in MAY_IMPORT for p in files_of(f)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_tests_import_the_package_and_support_and_benchmarks_only_the_package(path):
    folder = path.relative_to(ROOT).parts[0]
    assert foreign(path, MAY_IMPORT[folder]) == [], (
        f"{folder} may import only the package" + (" and support" if folder == "tests" else ""))
    assert not edits_sys_path(path), "a folder added to sys.path to import from it"


def test_the_import_rule_finds_what_it_forbids(tmp_path):
    """Negative control: the benchmarks' old imports of each other and of tests/support fail
    the rule, in a benchmark and in a test; the package and support in a test pass."""
    bench = tmp_path / "bench.py"
    bench.write_text("import numpy\nfrom benchmarks import latency as L\n"
                     "import benchmarks.compare\nfrom support.pages import run\n"
                     "from tests import conftest\nfrom lenet5.eval import browser\n"
                     "from benchmarks.browser import serve\n")
    assert foreign(bench, MAY_IMPORT["benchmarks"]) == [
        "benchmarks.browser.serve", "benchmarks.compare", "benchmarks.latency",
        "support.pages.run", "tests.conftest"]
    assert foreign(bench, MAY_IMPORT["tests"]) == [
        "benchmarks.browser.serve", "benchmarks.compare", "benchmarks.latency", "tests.conftest"]
    inner = tmp_path / "inner.py"  # imports inside a function count too
    inner.write_text("import sys\ndef f():\n    from benchmarks.number_page import write\n"
                     "    sys.path.insert(0, 'tests')\n")
    assert foreign(inner, MAY_IMPORT["tests"]) == ["benchmarks.number_page.write"]
    assert edits_sys_path(inner) and not edits_sys_path(bench)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_package_imports_nothing_from_tests_or_benchmarks(module):
    assert foreign(MODULES[module], {"lenet5"}) == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == "eval"))
def test_the_measuring_layer_never_imports_the_pages(module):
    assert not {m for m in GRAPH[module] if layer(m) == "ui"}, sorted(GRAPH[module])


def test_the_measuring_layer_check_finds_a_page_import():
    GRAPH["lenet5.eval.browser"].add("lenet5.ui.state")
    try:
        with pytest.raises(AssertionError):
            test_the_measuring_layer_never_imports_the_pages("lenet5.eval.browser")
        with pytest.raises(AssertionError):
            test_each_module_imports_only_what_its_layer_may("lenet5.eval.browser")
    finally:
        GRAPH["lenet5.eval.browser"].discard("lenet5.ui.state")


def test_no_import_cycles():
    assert cycle() is None, " -> ".join(cycle() or [])


def test_the_cycle_check_finds_a_cycle():
    GRAPH["lenet5.core.strokes"].add("lenet5.core.preprocess")
    GRAPH["lenet5.core.preprocess"].add("lenet5.core.strokes")
    try:
        assert cycle() is not None
    finally:
        GRAPH["lenet5.core.strokes"].discard("lenet5.core.preprocess")
        GRAPH["lenet5.core.preprocess"].discard("lenet5.core.strokes")


def test_models_folder_is_not_fixed_at_import(tmp_path, monkeypatch):
    from lenet5.core import artifacts

    monkeypatch.setenv(artifacts.MODELS_ENV, str(tmp_path))
    assert artifacts.serving_path() == tmp_path.resolve() / "lenet5.tflite"
    monkeypatch.delenv(artifacts.MODELS_ENV)
    assert artifacts.serving_path() == ROOT / "models" / "lenet5.tflite"


APP_RUN = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception, at.exception
assert [t.value for t in at.title] == ["Draw a digit"] and "lenet5.core.predictor" in sys.modules
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
print("HEAVY", heavy)
"""


def test_the_app_loads_neither_tensorflow_nor_keras():
    out = subprocess.run([sys.executable, "-c", APP_RUN], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY []" in out.stdout, out.stdout[-2000:]


def test_only_the_state_module_touches_the_session_state():
    touching = sorted(m for m, p in MODULES.items() if "session_state" in p.read_text())
    assert touching == ["lenet5.ui.state"]
    assert "session_state" not in (ROOT / "app.py").read_text()
