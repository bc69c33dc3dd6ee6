"""python -m lenet5.number --read FILE.json (lenet5.eval.number_file): the file is untrusted;
good files are read number by number, anything else gets a sentence and exit code 2."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenet5.core import grouping as G
from lenet5.eval import number_file as F
from lenet5.eval import whole_numbers as EN
from lenet5.eval.browser import pen_samples

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["strokes", "width", "canvas", "x"]), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_any_json_is_parsed_or_refused_with_a_sentence(value):
    try:
        raw = json.dumps(value).encode()
    except ValueError:  # NaN is not JSON: write it as Python's json would read it anyway
        return
    try:
        numbers = F.parse(raw)
    except F.NumberFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for strokes, widths in numbers:
        assert len(strokes) == len(widths)
        assert all(s.dtype == np.float64 and s.ndim == 2 and s.shape[1] == 2 for s in strokes)
        assert all(np.isfinite(s).all() for s in strokes)


points = st.lists(st.tuples(st.floats(0, 720), st.floats(0, 240)), min_size=1, max_size=20)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(points, max_size=5), max_size=4), st.floats(1, 100))
def test_numbers_written_out_read_back_exactly(numbers, width):
    data = [{"strokes": [[list(p) for p in s] for s in strokes], "width": width,
             "canvas": [720, 240]} for strokes in numbers]
    parsed = F.parse(json.dumps(data).encode())
    assert len(parsed) == len(numbers)
    for (strokes, widths), want in zip(parsed, numbers, strict=True):
        assert widths == [width] * len(want)
        assert all(np.array_equal(s, np.array(w, float)) for s, w in zip(strokes, want,
                                                                         strict=True))


@pytest.mark.parametrize("raw, says", [
    (b"{", "not JSON"), (b"\xff\xfe", "not JSON"), (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    (b'{"strokes": []}', "list of numbers"), (b"[1]", "number 1"),
    (b'[{"strokes": [[[1, 2]]], "width": true}]', "width"),
    (b'[{"strokes": [[[1, 2]]], "width": 1e999}]', "width"),
    (b'[{"strokes": [[[1, 2]]], "canvas": [0, 10]}]', "canvas"),
    (b'[{"strokes": [[[1, 2, 3]]]}]', "stroke 1"),
    (b'[{"strokes": [[]]}]', "stroke 1"),
    (b'[{"strokes": [[[1e300, 2]]]}]', "off the 720x240 canvas"),
    (b'[{"strokes": [[[' + b"9" * 400 + b', 2]]]}]', "finite"),
    (json.dumps([{"strokes": [[[1, 1]]] * 301}]).encode(), "300 strokes"),
    (json.dumps([{"strokes": [[[1, 1]] * 20_001]}]).encode(), "20,000 points"),
    (json.dumps([{"strokes": []}] * 2_001).encode(), "2,000 numbers"),
    (b" " * (F.MAX_BYTES + 1), "larger than"),
])
def test_bad_files_are_refused_with_where_and_why(raw, says):
    with pytest.raises(F.NumberFileError, match=says):
        F.parse(raw)


def test_command_reads_each_number_in_order(tmp_path, capsys):
    one_each = {s["label"]: s for s in pen_samples()[::2]}
    rng = np.random.default_rng(0)
    numbers = []
    for digits in ("2026", "7431"):  # as in tests/core/test_segment.py (same layouts)
        strokes = EN.layout([one_each[int(d)] for d in digits], rng, how="touching")
        numbers.append({"strokes": [s.tolist() for s in strokes], "width": 14,
                        "canvas": [720, 240]})
    numbers.append({"strokes": []})
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(numbers))
    assert EN.main(["--read", str(path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["2026", "7431", ""]
    first = lines[0]["digits"]
    assert len(first) == 4 and all(0.0 <= d["probability"] <= 1.0 for d in first)
    assert [d["digit"] for d in first] == [2, 0, 2, 6]
    assert all(abs(sum(d["probabilities"]) - 1) < 1e-3 for d in first)
    assert [d["box"][0] for d in first] == sorted(d["box"][0] for d in first)


def test_command_refuses_a_bad_file_with_exit_code_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('[{"strokes": [[["x", 1]]]}]')
    assert EN.main(["--read", str(path)]) == 2
    err = capsys.readouterr().err
    assert "number 1, stroke 1" in err and "Traceback" not in err
    assert EN.main(["--read", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        EN.main([])
    assert stop.value.code == 2


def test_a_dot_reads_as_a_question_mark():
    from lenet5.core.predictor import Predictor

    strokes, widths = F.parse(b'[{"strokes": [[[100, 40], [100, 180]], [[200, 170]]]}]')[0]
    out = F.read_one(strokes, widths, Predictor())
    assert out["text"] == "1?" and out["digits"][1]["probability"] is None
    assert widths[0] == G.WIDE_BRUSH  # the page's brush when the file gives none
