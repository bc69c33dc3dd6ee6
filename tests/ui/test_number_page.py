"""The Number page (AppTest) with digits that touch: read, cut where they meet, an alternative
reading when one is close, and the limits said on the page."""

import numpy as np
from support.pages import draw, no_error, run

from lenet5.core.grouping import WIDE, WIDE_BRUSH
from lenet5.core.segment import MAX_DIGITS
from lenet5.eval import whole_numbers as EN
from lenet5.eval.browser import pen_samples
from lenet5.ui import state


def on_the_page(strokes):
    return draw(run("number"), strokes, WIDE_BRUSH, state.number_canvas(WIDE[0]), WIDE)


def touching(digits: str, seed: int = 0, how: str = "touching"):
    one_each = {s["label"]: s for s in pen_samples()[::2]}
    return EN.layout([one_each[int(d)] for d in digits], np.random.default_rng(seed), how=how)


def test_a_touching_number_is_read_and_its_cuts_are_drawn():
    at = on_the_page(touching("2026"))
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Number": "2026"}
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert any("cut the ink at the dots" in c for c in captions), captions


def test_the_chosen_cuts_are_dots_and_the_others_rings():
    from lenet5.core.segment import Number
    from lenet5.ui import number_page

    rgb = np.zeros((240, 720, 3), np.uint8)
    number_page.with_cuts(rgb, Number([], cuts=[(100.0, 50.0)], candidates=[(300.0, 80.0)]))
    assert tuple(rgb[50, 100]) == number_page.CUT  # filled
    assert tuple(rgb[80, 300]) == (0, 0, 0) and rgb[80, 296:305].max() > 0  # a ring


def test_a_close_other_segmentation_is_named_with_how_much_less_likely():
    from lenet5.core.artifacts import models_dir
    from lenet5.core.reader import Reader
    from lenet5.core.segment import read_segmented

    strokes = touching("4711", how="joined")  # read as the page reads: the net and the verifier
    reader = Reader.load(models_dir())
    other, times = read_segmented(strokes, [WIDE_BRUSH] * len(strokes), reader).alternative
    assert other != "4711" and times < 3  # a close call: 4911 (the 7 and its tail a 9?)
    at = on_the_page(strokes)
    no_error(at)
    notes = [c.value for c in at.caption if "Cut another way" in c.value]
    assert len(notes) == 1 and f"**{other}**" in notes[0] and f"{times:.1f}×" in notes[0]


def test_more_digits_than_the_page_reads_are_cut_off_with_a_note():
    ones = [np.array([[x, 60.0], [x, 180.0]]) for x in range(20, 700, 40)]  # 17 ones apart
    at = on_the_page(ones)
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Number": "1" * MAX_DIGITS}
    assert any(f"at most {MAX_DIGITS} digits" in i.value for i in at.info)


def test_a_scribble_of_300_strokes_gets_an_answer_not_a_traceback():
    rng = np.random.default_rng(4)
    strokes = [np.clip(np.cumsum(rng.normal(0, 20, (60, 2)), 0) + (rng.uniform(40, 680),
                       rng.uniform(40, 200)), 0, [719, 239]) for _ in range(300)]
    at = on_the_page(strokes)
    no_error(at)
    assert at.metric or at.info
