"""Bad uploads and a tampered browser against the real app: a message or a reading for each,
and never a traceback at any moment (a MutationObserver counts every stException from page
load on, not only those present when the test looks)."""

from __future__ import annotations

import pytest
from support import ARTIFACTS, app_in_chromium

from lenet5.eval import browser as B
from lenet5.eval import hostile
from lenet5.eval import tamper as R

pytestmark = [pytest.mark.slow, pytest.mark.browser]
UPLOADS = ["empty file", "PDF named .png", "truncated PNG", "PNG bomb 20000x20000, 1-bit",
           "mutated GIF #0", "mutated GIF #1", "PNG 16-bit 4898x4898", "fully transparent PNG",
           "solid black JPEG", "a digit photo (sanity check: read)"]
CHANGES = ["PNG bomb 20000x20000 as the canvas image", "LA-mode PNG as the canvas image",
           "drawing is a string", "null coordinates", "stroke width 40,000",
           "two strokes of 8,000 points"]


@pytest.fixture(scope="module")
def app():
    with app_in_chromium() as (url, proc, _, context):
        context.add_init_script(R.WATCH)
        page = context.new_page()
        tamper, reruns = R.Tamper(page), B.Reruns(page)
        B.open_app(page, url)
        yield url, proc, page, tamper, reruns


def answered(result: dict) -> bool:
    return bool(result["alerts"] or result["metric"])


def test_bad_uploads_get_a_message_and_never_a_traceback(app):
    url, proc, page, _, reruns = app
    files = hostile.uploads_by_name(UPLOADS)
    results = R.upload_each(page, reruns, files, proc.pid)
    by_name = {r["input"]: r for r in results}
    assert all(r["exceptions"] == 0 and answered(r) for r in results), results
    assert "is empty" in " ".join(by_name["empty file"]["alerts"])
    assert "too many pixels" in " ".join(by_name["PNG bomb 20000x20000, 1-bit"]["alerts"])
    assert "damaged" in " ".join(by_name["mutated GIF #0"]["alerts"])
    assert "photo" in " ".join(by_name["fully transparent PNG"]["alerts"])
    assert "canvas" not in " ".join(by_name["solid black JPEG"]["alerts"])
    assert by_name["a digit photo (sanity check: read)"]["metric"] == "1"
    page.screenshot(path=str(ARTIFACTS / "robustness-upload.png"), full_page=True)
    assert B.rss_mb(proc.pid, "VmHWM") < 600


def test_tampered_canvas_states_get_a_message_on_both_pages(app):
    url, proc, page, tamper, reruns = app
    changes = [c for c in hostile.canvas_changes() if c[0] in CHANGES]
    assert {where for _, where, _ in changes} == {"draw", "number"}
    results = R.tamper_each(page, reruns, tamper, url, changes, proc.pid)
    assert all(r["tampered"] and r["exceptions"] == 0 and answered(r) for r in results), results
    refused = {r["input"]: " ".join(r["alerts"]) for r in results}
    assert "280×280 pixels in mode LA" in refused["LA-mode PNG as the canvas image"]
    assert "brush width of 40000" in refused["stroke width 40,000"]
    assert "not a number" in refused["null coordinates"]
    assert "Reset the canvas" in refused["drawing is a string"]
    page.screenshot(path=str(ARTIFACTS / "robustness-canvas.png"), full_page=True)
    # after a refused state, a real drawing is read again
    box = B.open_app(page, url)
    t = B.draw(page, B.to_canvas(B.pen_samples()[1]["strokes"], box))
    reruns.wait(page, t)
    R.settle(page, reruns)
    assert B.metric(page) == str(B.pen_samples()[1]["label"])
    assert page.evaluate("window.__exceptions") == 0


def test_tampered_widget_values_are_answered_and_the_next_stroke_is_read(app, tmp_path):
    """A browser that rewrites widget values (lenet5.eval.widget_tamper): the Number page's
    narrow switch sent as True, which the browser's own switch does not show (its next
    message used to undo it and throw the narrow canvas' drawing away), then as a string,
    and the brush slider as NaN: never an error page, each next stroke read."""
    from lenet5.eval import widget_tamper as W

    url, proc, page, _, _ = app
    s = W.Session(page.context.new_page(), url)  # its own websocket route; WATCH is set
    number = next(p for p in W.PAGES if p.name == "number")
    number = W.Page(number.name, number.path, ["number_narrow", "number_brush_720"],
                    number.prepare, stroke=True)
    log = tmp_path / "server.log"  # not this server's output: its lines are not counted
    log.write_text("")
    results = W.tamper_pages(s, ["bool", "string", "[NaN]"], log, proc.pid, [number])
    s.page.close()
    assert len(results) == 6 and not any(r.get("skipped") for r in results), results
    assert all(not r["error_page"] and r["next_rerun_works"] for r in results), results
    by = {(r["widget"], r["value"]): r for r in results}
    assert any("narrow-canvas switch" in a for a in by["number_narrow", "string"]["alerts"])
    assert any("brush slider" in a for a in by["number_brush_720", "[NaN]"]["alerts"])
