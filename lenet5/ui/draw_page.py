"""Draw page: the canvas, the prediction, the preprocessing steps and the attribution."""

from __future__ import annotations

import functools

import streamlit as st

from lenet5.core.attribution import overlay
from lenet5.core.grouping import strokes_from_json
from lenet5.core.photo import EXTENSIONS
from lenet5.core.preprocess import BOX, SIZE
from lenet5.core.reader import Report
from lenet5.core.strokes import BRUSH, CANVAS
from lenet5.core.validate import CanvasSpec
from lenet5.ui import state, teaching
from lenet5.ui.canvas import Canvas, canvas
from lenet5.ui.draw_experiments import fool_section, prefixes_section, sweeps_section
from lenet5.ui.layout import on_a_phone
from lenet5.ui.plots import probability_png, square, strip
from lenet5.ui.resources import read_drawing, read_upload, reader

HINT = "Draw a digit (0–9) on the black canvas with your mouse or finger."
STEP_PX = 140
NEIGHBOUR_PX = 84
BRUSHES = (6, 40)  # the brush slider's range
SPEC = CanvasSpec((CANVAS, CANVAS), BRUSHES)


def canvas_section(restore: dict | None) -> Canvas:
    """The drawing canvas (280×280 px: it fits a phone's screen too), its state checked,
    showing the drawing ``restore`` (this session's, when it comes back from another page)."""
    st.space("small")  # room for the canvas' floating toolbar (undo, redo, reset)
    return canvas(SPEC, state.CANVAS, state.value(state.BRUSH, BRUSH), restore)


def brush_section() -> None:
    st.slider("Brush width", *BRUSHES, BRUSH, key=state.BRUSH,
              help="Any width works: the preprocessing scales the digit to MNIST's size.")


def upload_section():
    """An optional photo or scan of a handwritten digit; while there is one, it is read."""
    with st.expander("…or read a photo of a handwritten digit", icon=":material/photo_camera:"):
        file = st.file_uploader(
            "A photo or scan of one digit, dark on light or light on dark",
            type=EXTENSIONS, key=state.UPLOAD,
            help="Crop it close to the digit. Nothing is stored: the file stays in memory "
                 "while it is shown.")
        if file is not None:  # never handed to st.image: the file is untrusted until decoded
            st.caption("Reading your photo. Remove it (✕) to read the canvas again.")
    return file


def drawing_report(result: Canvas, restored: bool) -> Report | None:
    """The drawing's report, None for an empty canvas; keeps the drawing in session state.
    ``restored``: the canvas was given this session's drawing back."""
    objects = (result.drawing or {}).get("objects") or []
    if result.image is None:  # the canvas has not reported yet (first load, or restored)
        return state.report() if restored else None
    if not objects:
        state.keep_drawing(None)
        return None
    state.keep_drawing(result.drawing)
    return read_drawing(result.image, *strokes_from_json(result.drawing, BRUSH))


def strokes_in(drawing: dict | None) -> int:
    return len((drawing or {}).get("objects") or [])


def photo_kept(result: Canvas, returning: bool) -> bool:
    """Whether to keep showing the last photo although the uploader is empty: it was emptied
    by going to another page and back (Streamlit clears it), not by the user's ✕, and nothing
    has been drawn since."""
    how = state.photo()  # "file": shown with its file; "kept": without
    drawn = (result.image is not None
             and strokes_in(result.drawing) != strokes_in(state.drawing()))
    keep = how == "kept" and not drawn or how == "file" and returning
    state.set_photo("kept" if keep else None)
    return keep


def upload_report(file) -> Report | None:
    """The uploaded file's report; a message instead when it cannot be read."""
    report, note = read_upload(file.getvalue(), file.file_id)
    if report is None:
        st.error(f"Could not read that file. {note}", icon=":material/broken_image:")
    elif not report.ok:
        st.caption("Photos read best cropped close to one digit on plain, evenly lit paper.")
    if note and report is not None:
        st.caption(note)
    return report


def reading_section(report: Report | None, hint: str = HINT, compact: bool = False) -> None:
    """The Prediction metric, how sure the network is and, when in doubt, why; a hint or the
    reason instead when there is nothing to read. ``compact`` (a phone, right under the
    canvas): the metric and the rest side by side, so that all of it fits above the fold."""
    if report is None:
        if hint:
            st.info(hint, icon=":material/draw:")
        return
    if not report.ok:
        st.info(report.pre.reason, icon=":material/info:")
        return
    metric = functools.partial(st.metric, "Prediction", str(report.reading.digit),
                               help="The digit with the highest probability.")
    if not compact:
        metric()
        confidence_section(report)
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        metric(width="content")
        with st.container():
            confidence_section(report, compact=True)


def confidence_section(report: Report, compact: bool = False) -> None:
    """The winner's probability as a bar and, when in doubt, the page's verdict: in a box, or
    in small print when ``compact`` (a box's padding would push it below a phone's fold)."""
    r = report.reading
    sure = f"{r.confidence:.0%} confident"
    if report.atypical:
        sure = f"{r.confidence:.0%} by its softmax" + (
            "" if compact else ", which is sure of almost anything")  # compact: the note says
    st.progress(r.confidence, text=sure)
    if report.doubtful and compact:
        st.caption(f":orange[:material/warning: {report.verdict()}]")
    elif report.doubtful:
        st.warning(report.verdict())


def chart_section(report: Report | None) -> None:
    """The ten probabilities and the 1998 net's reading beside this one's."""
    if report is None or not report.ok:
        return
    st.image(probability_png(report.reading.probs), width="stretch",
             caption="The ten probabilities: how likely the network finds each digit.")
    both_nets_section(report)


def both_nets_section(report: Report) -> None:
    """The modern net's reading beside the 1998 LeNet-5's, for the same 28x28 input (one
    element: each one on this page costs the browser time on every stroke)."""
    modern, old = report.modern, report.classic
    if old is None:
        return
    note = "" if old.digit == modern.digit else " (they disagree: a drawing near a border)"
    st.markdown("| This LeNet-5 (ReLU, max-pooling) | The 1998 LeNet-5 (tanh, trainable "
                f"subsampling) |\n|---|---|\n| reads **{modern.digit}**, "
                f"{modern.confidence:.0%} | reads **{old.digit}**, {old.confidence:.0%}{note} |")


def steps_section(report: Report) -> None:
    st.subheader("What the network is given")
    st.caption(f"As MNIST was made: crop to the ink, scale the longer side to {BOX} px, then "
               f"place it in {SIZE}×{SIZE} with its centre of mass in the middle. That is why a "
               "digit drawn "
               "anywhere, at any size or brush width, looks like the digits the network learned "
               "from.")
    s = report.pre.steps
    h, w = s["scaled"].shape
    names = ["drawn", "cropped", "scaled", "centred"]
    st.image(strip([square(s[name], STEP_PX) for name in names]),
             caption=f"1. what you drew → 2. cropped to the ink → 3. scaled to {w}×{h} → "
                     f"4. centred in {SIZE}×{SIZE}")


def attribution_section(report: Report) -> None:
    st.subheader("Why it decided")
    digit, r = report.modern.digit, reader()
    col, text = st.columns([1, 2])
    col.image(overlay(report.pre.image, report.attribution, scale=8),
              caption=f"red: ink that makes it a {digit}; blue: ink against it")
    text.markdown(
        f"**Occlusion sensitivity.** The network re-reads your digit {r.occlusions} times, "
        f"each time with a {r.patch}×{r.patch} patch blacked out. Where hiding the ink lowers "
        f"the probability of **{digit}** "
        "the pixel turns red; where hiding it *raises* that probability it turns blue. "
        "The strongest pixel is fully saturated."
    )


def neighbours_section(report: Report) -> None:
    st.subheader("What it reminds the network of")
    near = report.look_alikes
    if near is None:
        st.caption("Not available: models/neighbours.npz is missing or belongs to another model. "
                   "Make it with: python -m lenet5.train.lookups --data PATH/TO/mnist.npz")
        return
    labels = " · ".join(str(label) for label in near.labels)
    st.image(strip([square(image / 255, NEIGHBOUR_PX) for image in near.images]),
             caption=f"Their labels, nearest first: {labels}. These are the {len(labels)} of "
                     f"{near.searched:,} MNIST training digits whose F6 activations (the "
                     f"{report.modern.maps['f6'].size} "
                     "numbers the network computes last, before it decides) are closest to "
                     "your drawing's. When it misreads a digit, they often show why.")


def source_section(result: Canvas, file, returning: bool,
                   restored: bool) -> tuple[Report | None, str]:
    """What to read (the photo while there is one, else the canvas) and the messages about it:
    ``(report or None, the hint to show when there is none)``."""
    if file is not None:
        state.set_photo("file")
        return upload_report(file), ""
    if result.error:
        st.warning(result.error, icon=":material/gpp_maybe:")
        return None, ""
    if photo_kept(result, returning):
        st.caption("Your last photo. Draw on the canvas, or upload another one.")
        return state.report(), ""
    return drawing_report(result, restored), HINT


def page() -> None:
    st.title("Draw a digit")
    returning = state.arrive("draw")
    restore = state.drawing_to_restore(returning)
    phone = on_a_phone()
    if phone:  # one column: the reading right under the canvas, where the finger is
        result = canvas_section(restore)
        reading = st.container()
        brush_section()
        file = upload_section()
        details = st.container()
    else:  # the canvas on the left, everything it reads on the right
        left, reading = st.columns([3, 2], gap="large")
        with left:
            result = canvas_section(restore)
            brush_section()
            file = upload_section()
        details = reading
    with reading:
        report, hint = source_section(result, file, returning, bool(restore))
        shown = teaching.taught_report(report)  # the Prediction: taught by you, if you did
        reading_section(shown, hint, compact=phone)
        taught_section(report, shown)
    with details:
        chart_section(shown)
    if report is not None and report.ok:
        steps_section(report)
        attribution_section(report)
        neighbours_section(report)
        experiments_section(report, phone)


def taught_section(report: Report | None, shown: Report | None) -> None:
    """Once the net is taught (Teach page): a toggle showing both readings of the drawing."""
    if shown is report or report is None or not report.ok:
        return
    both = st.toggle("Show both readings", key=state.BOTH_READINGS,
                     help="The Prediction is read by the net taught with your digits (Teach "
                          "page); this shows the net's own reading beside it.")
    if both:
        net, mine = report.reading, shown.reading
        st.markdown(f"{teaching.NET.capitalize()}: **{net.digit}** ({net.confidence:.0%}) · "
                    f"{teaching.TAUGHT}: **{mine.digit}** ({mine.confidence:.0%})")
    else:
        st.caption(f"Read by {teaching.TAUGHT} ({len(state.taught())} of your digits).")


def experiments_section(report: Report, phone: bool) -> None:
    """Experiments on the drawing (its strokes, in the report; a photo has none)."""
    st.subheader("Poke the network")
    prefixes_section(report, phone)
    sweeps_section(report, phone)
    fool_section(report, phone)
