"""The Draw page's "Fool it" section in AppTest: nothing is computed while it is closed; opened,
it says how far the drawing is from its runner-up and shows the change for the target picked,
with the numbers lenet5.core.fool gives for the same input; a target that is no digit gives a
message and the runner-up, never a traceback."""

from __future__ import annotations

import pytest
from support.pages import SEVEN, draw, no_error, run

from lenet5.ui import state


def seven(**widgets):
    """The Draw page with a 7 drawn in two strokes, and ``widgets`` set."""
    return draw(run("draw", **widgets), SEVEN)


def expected(target: int | None = None):
    """The attack on the 7's network input, computed apart from the page."""
    from lenet5.core import fool
    from lenet5.core import weights as W
    from lenet5.core.artifacts import CLASSIC, WEIGHTS_FILE, model_file
    from lenet5.core.reader import Reader
    from lenet5.core.strokes import BRUSH, CANVAS, render

    reader = Reader.load()
    report = reader.read(render(SEVEN, CANVAS, BRUSH))
    modern = W.load(model_file(WEIGHTS_FILE), reader.sha256)
    classic = W.load(model_file(WEIGHTS_FILE, CLASSIC), reader.classic.sha256)
    target = report.modern.runner_up if target is None else target
    return report, fool.fool(modern, report.pre.image, target, classic)


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs])


def test_closed_it_computes_nothing(monkeypatch):
    def fail(*_args, **_kwargs):
        raise AssertionError("computed while closed")

    monkeypatch.setattr("lenet5.core.fool.fool", fail)
    at = seven()
    no_error(at)
    assert "Fool it: the smallest change that flips the answer" in [e.label for e in at.expander]
    assert "Draw to fool it" not in texts(at)


def test_open_it_shows_the_runner_up_and_how_far_it_is():
    report, a = expected()
    at = seven(**{state.FOOL: True})
    no_error(at)
    words = texts(at)
    assert f"Your drawing is **{a.l2:.2f}** away from reading {a.target}" in words
    assert f"changed to read {a.target}" in words
    assert f"Size of the change: {a.l2:.2f}" in words and f"{a.linf:.2f}" in words
    modern = int(a.probs.argmax())
    assert f"The network now reads **{modern}**" in words and modern == a.target
    old = "is fooled too" if a.classic_fooled else "is not fooled"
    assert f"The 1998 net {old}" in words
    assert "Adversarial examples" in words
    assert any("changed to read" in c.proto.spec for c in at.get("plotly_chart"))


def test_a_picked_target_is_the_one_shown():
    report, _ = expected()
    target = next(d for d in range(10) if d not in (report.modern.digit,
                                                      report.modern.runner_up))
    _, a = expected(target)
    at = seven(**{state.FOOL: True, state.FOOL_TARGET: target})
    no_error(at)
    words = texts(at)
    assert f"changed to read {target}" in words and f"Size of the change: {a.l2:.2f}" in words
    assert f"away from reading {report.modern.runner_up}" in words  # the distance stays


def test_the_digit_it_reads_already_needs_no_change():
    report, _ = expected()
    at = seven(**{state.FOOL: True, state.FOOL_TARGET: report.modern.digit})
    no_error(at)
    assert f"It reads {report.modern.digit} already" in texts(at)


@pytest.mark.parametrize("hostile", ["x", 11, -1, 3.5, [3], {"a": 1}, True, "7"])
def test_a_target_that_is_no_digit_gives_a_message_and_the_runner_up(hostile):
    report, a = expected()
    at = seven(**{state.FOOL: True, state.FOOL_TARGET: hostile})
    no_error(at)
    assert [w.value for w in at.warning] == [
        "The target sent was not a digit from 0 to 9; it is back at the runner-up."]
    assert f"changed to read {a.target}" in texts(at)
    assert at.session_state[state.FOOL_TARGET] is None  # forgotten: the next run is clean
