"""Draw page: the canvas, the prediction, the preprocessing steps and the attribution."""

from __future__ import annotations

import functools

import streamlit as st

from lenet5.core.analysis import Analysis
from lenet5.core.attribution import overlay
from lenet5.core.photo import EXTENSIONS
from lenet5.core.strokes import BRUSH, CANVAS
from lenet5.core.validate import CanvasSpec
from lenet5.ui import state
from lenet5.ui.draw_experiments import prefixes_section, sweeps_section
from lenet5.ui.guard import Canvas, canvas
from lenet5.ui.layout import on_a_phone
from lenet5.ui.plots import probability_png, square, strip
from lenet5.ui.resources import (
    classic_predictor,
    neighbours,
    predictor_or_stop,
    read_drawing,
    read_upload,
)

HINT = "Draw a digit (0–9) on the black canvas with your mouse or finger."
STEP_PX = 140
NEIGHBOUR_PX = 84
BRUSHES = (6, 40)  # the brush slider's range
SPEC = CanvasSpec((CANVAS, CANVAS), BRUSHES)


def canvas_section(restore: dict | None) -> Canvas:
    """The drawing canvas (280×280 px: it fits a phone's screen too), its state checked,
    showing the drawing ``restore`` (this session's, when it comes back from another page)."""
    st.space("small")  # room for the canvas' floating toolbar (undo, redo, reset)
    return canvas(
        SPEC, state.CANVAS, stroke_width=state.value(state.BRUSH, BRUSH),
        stroke_color="#FFFFFF", background_color="#000000", fill_color="#FFFFFF",
        drawing_mode="freedraw", initial_drawing=restore,
    )


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


def analysis_of(result: Canvas, restored: bool) -> Analysis | None:
    """The drawing's analysis, None for an empty canvas; keeps the drawing in session state.
    ``restored``: the canvas was given this session's drawing back."""
    objects = (result.drawing or {}).get("objects") or []
    image = result.image
    if image is None:  # the canvas has not reported yet (first load, or restored drawing)
        return state.analysis() if restored else None
    if not objects:
        state.keep_drawing(None)
        return None
    state.keep_drawing(result.drawing)
    return read_drawing(image)


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


def upload_analysis(file) -> Analysis | None:
    """The uploaded file's analysis; a message instead when it cannot be read."""
    analysis, note = read_upload(file.getvalue(), file.file_id)
    if analysis is None:
        st.error(f"Could not read that file. {note}", icon=":material/broken_image:")
    elif not analysis.ok:
        st.caption("Photos read best cropped close to one digit on plain, evenly lit paper.")
    if note and analysis is not None:
        st.caption(note)
    return analysis


def reading_section(analysis: Analysis | None, hint: str = HINT, compact: bool = False) -> None:
    """The Prediction metric, how sure the network is and, when in doubt, why; a hint or the
    reason instead when there is nothing to read. ``compact`` (a phone, right under the
    canvas): the metric and the rest side by side, so that all of it fits above the fold."""
    if analysis is None:
        if hint:
            st.info(hint, icon=":material/draw:")
        return
    if not analysis.ok:
        st.info(analysis.pre.reason, icon=":material/info:")
        return
    metric = functools.partial(st.metric, "Prediction", str(analysis.reading.digit),
                               help="The digit with the highest probability.")
    if not compact:
        metric()
        confidence_section(analysis)
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        metric(width="content")
        with st.container():
            confidence_section(analysis, compact=True)


def confidence_section(analysis: Analysis, compact: bool = False) -> None:
    """The winner's probability as a bar and, when in doubt, the page's verdict: in a box, or
    in small print when ``compact`` (a box's padding would push it below a phone's fold)."""
    r = analysis.reading
    sure = f"{r.confidence:.0%} confident"
    if analysis.atypical:
        sure = f"{r.confidence:.0%} by its softmax" + (
            "" if compact else ", which is sure of almost anything")  # compact: the note says
    st.progress(r.confidence, text=sure)
    if analysis.doubtful and compact:
        st.caption(f":orange[:material/warning: {analysis.verdict()}]")
    elif analysis.doubtful:
        st.warning(analysis.verdict())


def chart_section(analysis: Analysis | None) -> None:
    """The ten probabilities and the 1998 net's reading beside this one's."""
    if analysis is None or not analysis.ok:
        return
    st.image(probability_png(analysis.reading.probs), width="stretch",
             caption="The ten probabilities: how likely the network finds each digit.")
    both_nets_section(analysis)


def both_nets_section(analysis: Analysis) -> None:
    """The modern net's reading beside the 1998 LeNet-5's, for the same 28x28 input (one
    element: each one on this page costs the browser time on every stroke)."""
    classic = classic_predictor()
    if classic is None:
        return
    modern, old = analysis.reading, classic(analysis.pre.image)
    note = "" if old.digit == modern.digit else " (they disagree: a drawing near a border)"
    st.markdown("| This LeNet-5 (ReLU, max-pooling) | The 1998 LeNet-5 (tanh, trainable "
                f"subsampling) |\n|---|---|\n| reads **{modern.digit}**, "
                f"{modern.confidence:.0%} | reads **{old.digit}**, {old.confidence:.0%}{note} |")


def steps_section(analysis: Analysis) -> None:
    st.subheader("What the network is given")
    st.caption("As MNIST was made: crop to the ink, scale the longer side to 20 px, then place "
               "it in 28×28 with its centre of mass in the middle. That is why a digit drawn "
               "anywhere, at any size or brush width, looks like the digits the network learned "
               "from.")
    s = analysis.pre.steps
    h, w = s["scaled"].shape
    names = ["drawn", "cropped", "scaled", "centred"]
    st.image(strip([square(s[name], STEP_PX) for name in names]),
             caption=f"1. what you drew → 2. cropped to the ink → 3. scaled to {w}×{h} → "
                     "4. centred in 28×28")


def attribution_section(analysis: Analysis) -> None:
    st.subheader("Why it decided")
    digit = analysis.reading.digit
    col, text = st.columns([1, 2])
    col.image(overlay(analysis.pre.image, analysis.attribution, scale=8),
              caption=f"red: ink that makes it a {digit}; blue: ink against it")
    text.markdown(
        "**Occlusion sensitivity.** The network re-reads your digit 169 times, each time with "
        f"a 4×4 patch blacked out. Where hiding the ink lowers the probability of **{digit}** "
        "the pixel turns red; where hiding it *raises* that probability it turns blue. "
        "The strongest pixel is fully saturated."
    )


def neighbours_section(analysis: Analysis) -> None:
    st.subheader("What it reminds the network of")
    nb = neighbours(predictor_or_stop().sha256)
    if nb is None:
        st.caption("Not available: models/neighbours.npz is missing or belongs to another model. "
                   "Make it with: python -m lenet5.train.lookups --data PATH/TO/mnist.npz")
        return
    rows, _ = nb.nearest(analysis.reading.maps["f6"])
    labels = " · ".join(str(nb.labels[r]) for r in rows)
    st.image(strip([square(nb.images[r] / 255, NEIGHBOUR_PX) for r in rows]),
             caption=f"Their labels, nearest first: {labels}. These are the {len(rows)} of "
                     f"{len(nb.labels):,} MNIST training digits whose F6 activations (the 84 "
                     "numbers the network computes last, before it decides) are closest to "
                     "your drawing's. When it misreads a digit, they often show why.")


def source_section(result: Canvas, file, returning: bool,
                   restored: bool) -> tuple[Analysis | None, str]:
    """What to read (the photo while there is one, else the canvas) and the messages about it:
    ``(analysis or None, the hint to show when there is none)``."""
    if file is not None:
        state.set_photo("file")
        return upload_analysis(file), ""
    if result.error:
        st.warning(result.error, icon=":material/gpp_maybe:")
        return None, ""
    if photo_kept(result, returning):
        st.caption("Your last photo. Draw on the canvas, or upload another one.")
        return state.analysis(), ""
    return analysis_of(result, restored), HINT


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
        analysis, hint = source_section(result, file, returning, bool(restore))
        reading_section(analysis, hint, compact=phone)
    with details:
        chart_section(analysis)
    if analysis is not None and analysis.ok:
        steps_section(analysis)
        attribution_section(analysis)
        neighbours_section(analysis)
        experiments_section(analysis, None if file is not None or state.photo() else
                            state.drawing(), phone)


def experiments_section(analysis: Analysis, json_data: dict | None, phone: bool) -> None:
    """Experiments on the drawing (``json_data``: the canvas' strokes, None for a photo)."""
    st.subheader("Poke the network")
    prefixes_section(json_data, phone)
    sweeps_section(analysis, phone)
