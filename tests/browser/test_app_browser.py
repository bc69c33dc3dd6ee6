"""The real app in headless Chromium: real strokes on the canvas, the real model.

Strokes come from real pen-drawn digits shipped in tests/support/data (see its README.md).
Screenshots of every page land in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import ARTIFACTS, app_in_chromium

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]
HERE = Path(__file__).resolve().parent
SAMPLES = B.pen_samples()
PAGES = {"number": "Number", "inside": "Inside the network", "training": "Training",
         "about": "About", "draw": "Draw"}


@pytest.fixture(scope="module")
def app():
    with app_in_chromium() as (url, _, _, context):
        yield url, context


@pytest.fixture
def page(app):
    url, context = app
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    yield page, reruns, box
    page.close()


def draw_sample(page, reruns, box, sample) -> str | None:
    t_up = B.draw(page, B.to_canvas(sample["strokes"], box))
    reruns.wait(page, t_up)
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    return B.metric(page)


def test_empty_canvas_shows_hint_and_no_prediction(page):
    pg, _, _ = page
    assert B.metric(pg) is None
    assert pg.get_by_text("Draw a digit (0–9)").is_visible()


def test_reads_pen_drawn_digits(page):
    pg, reruns, box = page
    got = {}
    for sample in SAMPLES[::2]:  # one of each digit
        got[sample["label"]] = draw_sample(pg, reruns, box, sample)
        assert pg.locator(B.EXCEPTION).count() == 0
        if sample["label"] == 4:
            pg.screenshot(path=str(ARTIFACTS / "draw-4.png"), full_page=True)
        B.reset(pg, reruns)
    assert got == {d: str(d) for d in range(10)}


def test_reset_clears_prediction(page):
    pg, reruns, box = page
    assert draw_sample(pg, reruns, box, SAMPLES[1]) == str(SAMPLES[1]["label"])
    B.reset(pg, reruns)
    pg.locator(B.METRIC_VALUE).wait_for(state="detached", timeout=5000)
    assert B.metric(pg) is None


def test_every_page_renders_and_drawing_carries_over(page):
    pg, reruns, box = page
    sample = SAMPLES[7]
    assert draw_sample(pg, reruns, box, sample) == str(sample["label"])
    for path, title in PAGES.items():
        pg.get_by_role("link", name=title).click()
        pg.wait_for_url("**/" if path == "draw" else f"**/{path}")  # Draw is the default: /
        pg.wait_for_selector(B.IDLE, timeout=20_000)
        pg.wait_for_timeout(500)
        assert pg.locator(B.EXCEPTION).count() == 0, path
        pg.screenshot(path=str(ARTIFACTS / f"page-{path}.png"), full_page=True)
        if path == "inside":
            assert pg.get_by_text("Showing your current drawing").is_visible()
        if path == "training":  # what the committed net learned from, and its unseen writers
            assert pg.get_by_text("What it learned from").is_visible()
            assert pg.get_by_text("Writers it never saw", exact=True).is_visible()
        if path == "number":  # its own canvas, empty: a hint, no number
            assert pg.get_by_text("Write a number, digits left to right").is_visible()
            assert B.metric(pg) is None
    # back on Draw, the drawing and its prediction are still there
    pg.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(pg) == str(sample["label"])


def test_dark_theme_draw_page(app):
    """The dark theme: the page renders, the canvas toolbar shows on hover, a digit is read."""
    _, context = app
    with B.serve(options=["--theme.base", "dark"]) as (url, _):
        pg = context.new_page()
        reruns = B.Reruns(pg)
        box = B.open_app(pg, url)
        assert draw_sample(pg, reruns, box, SAMPLES[4]) == str(SAMPLES[4]["label"])
        pg.locator(B.CANVAS).hover()
        toolbar = pg.locator(B.RESET)
        toolbar.wait_for(state="visible")
        pg.wait_for_timeout(400)  # the toolbar fades in
        pg.screenshot(path=str(ARTIFACTS / "dark-draw.png"))
        assert pg.locator(B.EXCEPTION).count() == 0
        pg.close()


def on_canvas(box, points) -> np.ndarray:
    """Canvas pixel coordinates (0-280) -> page coordinates."""
    scale = box["width"] / 280
    return np.asarray(points, float) * scale + (box["x"], box["y"])


def zigzag_over_canvas() -> list[list[tuple[float, float]]]:
    """Back-and-forth strokes 14 px apart covering the whole canvas (brush 18: solid ink)."""
    return [[(4, y), (276, y)] for y in range(4, 280, 14)]


BAD = {  # name -> (strokes in canvas pixels, a word of the message the page must show)
    "dot": ([[(140, 140), (141, 140)]], "dot"),
    "scribbled": (zigzag_over_canvas(), "mostly ink"),
    "side by side": ([[(60, 60), (60, 220)], [(150 + 40 * np.cos(t), 140 + 80 * np.sin(t))
                                               for t in np.linspace(0, 2 * np.pi, 30)]],
                     "more than one digit"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_drawings_get_a_message_and_the_page_keeps_working(page, name):
    pg, reruns, box = page
    strokes, word = BAD[name]
    t_up = B.draw(pg, [on_canvas(box, s) for s in strokes])
    reruns.wait(pg, t_up)
    pg.get_by_text(word).first.wait_for(timeout=10_000)
    assert B.metric(pg) is None and pg.locator(B.EXCEPTION).count() == 0
    B.reset(pg, reruns)
    sample = SAMPLES[5]
    assert draw_sample(pg, reruns, box, sample) == str(sample["label"])


def test_stroke_along_the_edge_is_read_without_error(page):
    pg, reruns, box = page
    edge = [(3, 3), (277, 3), (277, 277), (3, 277), (3, 150)]
    t_up = B.draw(pg, [on_canvas(box, edge)])
    reruns.wait(pg, t_up)
    pg.wait_for_timeout(300)
    assert pg.locator(B.EXCEPTION).count() == 0


def upload(pg, name: str, data: bytes, mime: str = "image/png") -> None:
    pg.get_by_text("…or read a photo").click()
    pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_uploaded_photo_is_read_and_bad_files_get_a_message(page):
    from support.photos import encode, photo

    pg, reruns, box = page
    sample = SAMPLES[9]
    upload(pg, "digit.jpg", encode(photo(sample), "JPEG"), "image/jpeg")
    pg.locator(B.METRIC_VALUE).first.wait_for(timeout=15_000)
    pg.wait_for_selector(B.IDLE, timeout=15_000)
    assert B.metric(pg) == str(sample["label"])
    pg.screenshot(path=str(ARTIFACTS / "upload-photo.png"), full_page=True)
    # a text file named .png replaces it: a message, no prediction, no traceback
    pg.locator('[data-testid="stFileChipDeleteBtn"] button').first.click()
    pg.locator(B.METRIC_VALUE).wait_for(state="detached", timeout=10_000)
    pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture\n" * 9}])
    pg.get_by_text("Could not read that file").wait_for(timeout=15_000)
    assert B.metric(pg) is None and pg.locator(B.EXCEPTION).count() == 0
    pg.screenshot(path=str(ARTIFACTS / "upload-bad-file.png"))
    # removed: the canvas is read again
    pg.locator('[data-testid="stFileChipDeleteBtn"] button').first.click()
    pg.get_by_text("Draw a digit (0–9)").wait_for(timeout=10_000)
    other = SAMPLES[2]
    assert draw_sample(pg, reruns, box, other) == str(other["label"])


def test_session_state_does_not_grow_with_drawings(app, tmp_path, monkeypatch):
    """Session state after each reset, drawing 3 vs drawing 15: same keys, same size."""
    _, context = app
    log = tmp_path / "state.jsonl"
    monkeypatch.setenv("LENET5_STATE_LOG", str(log))
    with B.serve() as (url, _):
        pg = context.new_page()
        reruns = B.Reruns(pg)
        box = B.open_app(pg, url)
        after_reset = []
        for i in range(15):
            assert draw_sample(pg, reruns, box, SAMPLES[i % len(SAMPLES)]) is not None
            B.reset(pg, reruns)
            pg.wait_for_timeout(100)
            after_reset.append(B.last_state(log))
        pg.close()
    assert after_reset[2]["keys"] == after_reset[-1]["keys"]
    assert after_reset[-1]["bytes"] > 0
    assert abs(after_reset[-1]["bytes"] - after_reset[2]["bytes"]) <= 64, after_reset


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
                       "like Gecko) Chrome/131.0 Mobile Safari/537.36"}


def test_finger_drawing_on_a_phone_sized_screen(app):
    """390 px wide, mobile emulation, real touch events: the canvas fits, a digit is read."""
    url, context = app
    phone = context.browser.new_context(**PHONE)
    pg = phone.new_page()
    reruns = B.Reruns(pg)
    box = B.open_app(pg, url)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    got = {}
    for sample in SAMPLES[1:6:2]:
        pg.locator(B.CANVAS).scroll_into_view_if_needed()
        box = pg.locator(B.CANVAS).bounding_box()
        t_up = B.touch_draw(pg, B.to_canvas(sample["strokes"], box))
        reruns.wait(pg, t_up)
        pg.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
        got[sample["label"]] = B.metric(pg)
        if len(got) == 1:
            pg.screenshot(path=str(ARTIFACTS / "phone-draw.png"), full_page=True)
        B.reset(pg, reruns)
    assert got == {s["label"]: str(s["label"]) for s in SAMPLES[1:6:2]}
    assert pg.locator(B.EXCEPTION).count() == 0
    phone.close()


def test_a_letter_is_said_not_to_look_like_a_digit(page):
    from lenet5.eval.scribbles import SHAPES

    pg, reruns, box = page
    dense = [np.concatenate([np.linspace(a, b, 12) for a, b in zip(s[:-1], s[1:], strict=True)])
             for s in map(np.asarray, SHAPES["W"])]  # the mouse follows the straight lines
    t_up = B.draw(pg, B.to_canvas(dense, box, flip_y=False))
    reruns.wait(pg, t_up)
    pg.get_by_text("does not look much like the digits").wait_for(timeout=10_000)
    pg.screenshot(path=str(ARTIFACTS / "draw-letter.png"), full_page=True)
    assert pg.locator(B.EXCEPTION).count() == 0


def test_photo_survives_a_visit_to_another_page_until_something_is_drawn(page):
    from support.photos import encode, photo

    pg, reruns, box = page
    sample = SAMPLES[11]
    upload(pg, "digit.png", encode(photo(sample)))
    pg.locator(B.METRIC_VALUE).first.wait_for(timeout=15_000)
    pg.get_by_role("link", name="Inside the network").click()
    pg.wait_for_url("**/inside")
    pg.get_by_text("Showing your current drawing").wait_for(timeout=10_000)
    pg.get_by_role("link", name="Draw").click()
    pg.get_by_text("Your last photo").wait_for(timeout=10_000)
    pg.wait_for_selector(B.IDLE, timeout=10_000)
    pg.wait_for_timeout(500)  # the canvas reports itself: the photo must stay
    assert B.metric(pg) == str(sample["label"]) and pg.get_by_text("Your last photo").count()
    other = SAMPLES[4]
    box = pg.locator(B.CANVAS).bounding_box()
    assert draw_sample(pg, reruns, box, other) == str(other["label"])
    assert pg.get_by_text("Your last photo").count() == 0


def test_nearest_mnist_digits_are_shown_for_a_drawing(page):
    pg, reruns, box = page
    sample = SAMPLES[7]
    assert draw_sample(pg, reruns, box, sample) == str(sample["label"])
    caption = pg.get_by_text("Their labels, nearest first:")
    caption.wait_for(timeout=10_000)
    labels = caption.inner_text().split(":", 1)[1].split(".")[0].split("·")
    assert len(labels) == 8
    assert sum(int(s) == sample["label"] for s in labels) >= 6
    caption.scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "draw-neighbours.png"))


def write_number(pg, reruns, box, records, seed=0) -> str | None:
    """Write pen-drawn digits left to right on the Number page's wide canvas."""
    return B.write_number(pg, reruns, box, records, np.random.default_rng(seed))


def test_whole_numbers_are_read_on_the_number_page(app):
    url, context = app
    pg = context.new_page()
    reruns = B.Reruns(pg)
    box = B.open_app(pg, url, "number")
    assert box["width"] > 2 * box["height"] and B.metric(pg) is None
    one_each = {s["label"]: s for s in SAMPLES[::2]}
    for k, number in enumerate(("2026", "7431", "958")):
        got = write_number(pg, reruns, box, [one_each[int(d)] for d in number], seed=k)
        assert got == number and pg.locator(B.EXCEPTION).count() == 0
        assert pg.get_by_text("Each box is one digit").is_visible()
        if k == 0:
            pg.screenshot(path=str(ARTIFACTS / "number-2026.png"), full_page=True)
        B.reset(pg, reruns)
        pg.locator(B.METRIC_VALUE).wait_for(state="detached", timeout=5000)
    write_number(pg, reruns, box, [one_each[4], one_each[2]])
    pg.get_by_role("link", name="Draw").click()  # away and back: the number is kept
    pg.locator(B.CANVAS).wait_for(timeout=10_000)
    pg.get_by_role("link", name="Number").click()
    pg.get_by_text("Write a number").wait_for(timeout=10_000)
    pg.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(pg) == "42"
    pg.close()


def test_both_networks_read_the_drawing_and_the_1998_maps_are_shown(page):
    pg, reruns, box = page
    sample = SAMPLES[9]
    assert draw_sample(pg, reruns, box, sample) == str(sample["label"])
    table = pg.locator("table").filter(has_text="The 1998 LeNet-5")
    table.wait_for(timeout=10_000)
    assert "The 1998 LeNet-5" in table.locator("th").nth(1).inner_text()
    assert f"reads {sample['label']}," in table.locator("td").nth(1).inner_text()
    pg.get_by_role("link", name="Inside the network").click()
    pg.get_by_text("The 1998 LeNet-5", exact=True).click()
    pg.get_by_text("Table I").first.wait_for(timeout=10_000)  # C3's caption for the 1998 net
    pg.wait_for_selector(B.IDLE, timeout=20_000)
    assert pg.locator(B.EXCEPTION).count() == 0
    assert pg.locator(B.METRIC_VALUE).first.inner_text() == str(sample["label"])
    pg.screenshot(path=str(ARTIFACTS / "page-inside-1998.png"), full_page=True)


def models_without_the_1998_net(tmp_path, monkeypatch) -> Path:
    """A copy of models/ without classic/, served by the next app started ($LENET5_MODELS)."""
    import shutil

    models = tmp_path / "models"
    shutil.copytree(B.ROOT / "models", models, ignore=shutil.ignore_patterns("classic"))
    monkeypatch.setenv("LENET5_MODELS", str(models))
    return models


@pytest.mark.parametrize("fault", ["missing", "truncated"])
def test_a_broken_model_gets_a_message_with_the_fix(app, tmp_path, monkeypatch, fault):
    """The app run on a copy of models/ whose serving model is broken (and without the 1998
    net): the canvas works, a drawing gets a message naming the file and the train command."""
    serving = models_without_the_1998_net(tmp_path, monkeypatch) / "lenet5.tflite"
    if fault == "missing":
        serving.unlink()
    else:
        serving.write_bytes(serving.read_bytes()[:4000])
    _, context = app
    with B.serve() as (url, _):
        pg = context.new_page()
        reruns = B.Reruns(pg)
        box = B.open_app(pg, url)
        t_up = B.draw(pg, B.to_canvas(SAMPLES[0]["strokes"], box))
        reruns.wait(pg, t_up)
        message = pg.get_by_text("The model could not be loaded")
        message.wait_for(timeout=10_000)
        assert "python -m lenet5.train" in message.inner_text()
        assert ("missing" if fault == "missing" else "not a valid") in message.inner_text()
        assert pg.locator(B.EXCEPTION).count() == 0 and B.metric(pg) is None
        pg.get_by_role("link", name="About").click()  # pages without the model still work
        pg.get_by_text("The 1998 net is not installed").wait_for(timeout=10_000)
        assert pg.locator(B.EXCEPTION).count() == 0
        pg.close()


def test_without_the_1998_net_the_draw_page_shows_the_modern_one_alone(app, tmp_path,
                                                                       monkeypatch):
    models_without_the_1998_net(tmp_path, monkeypatch)
    _, context = app
    with B.serve() as (url, _):
        pg = context.new_page()
        reruns = B.Reruns(pg)
        box = B.open_app(pg, url)
        assert draw_sample(pg, reruns, box, SAMPLES[2]) == str(SAMPLES[2]["label"])
        assert pg.get_by_text("The 1998 LeNet-5").count() == 0
        pg.get_by_role("link", name="Inside the network").click()
        pg.get_by_text("Showing your current drawing").wait_for(timeout=10_000)
        assert pg.locator(B.EXCEPTION).count() == 0
        assert pg.get_by_text("The 1998 LeNet-5", exact=True).count() == 0  # no selector
        pg.close()


def test_a_number_written_with_a_finger_on_a_phone(app):
    """On a phone the Number page starts with its narrow canvas, which fits 390 px."""
    url, context = app
    phone = context.browser.new_context(**PHONE)
    pg = phone.new_page()
    reruns = B.Reruns(pg)
    box = B.open_app(pg, url, "number")
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.locator(B.CANVAS).scroll_into_view_if_needed()
    box = pg.locator(B.CANVAS).bounding_box()
    from lenet5.eval.whole_numbers import layout

    one_each = {s["label"]: s for s in SAMPLES[::2]}
    strokes = layout([one_each[4], one_each[2]], np.random.default_rng(0),
                     (int(box["width"]), int(box["height"])))
    t_up = B.touch_draw(pg, [s + (box["x"], box["y"]) for s in strokes])
    reruns.wait(pg, t_up)
    pg.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(pg) == "42" and pg.locator(B.EXCEPTION).count() == 0
    pg.screenshot(path=str(ARTIFACTS / "phone-number.png"), full_page=True)
    phone.close()
