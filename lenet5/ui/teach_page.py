"""Teach page: a person writes a few of their own digits, says what each is, and the net reads
them better (its output layer refitted to them, :mod:`lenet5.ui.teaching`); the honest
before/after on their own digits; their digits as a file to take away and bring back."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from lenet5.core.adapt import MAX_DIGITS, LeftOut
from lenet5.core.grouping import strokes_from_json
from lenet5.core.strokes import BRUSH
from lenet5.core.taught import MAX_FILE_BYTES, TaughtFileError, encode
from lenet5.ui import state, teaching
from lenet5.ui.canvas import canvas
from lenet5.ui.draw_page import SPEC
from lenet5.ui.layout import lazy_expander, on_a_phone
from lenet5.ui.plots import square, strip

ROUNDS = 3  # times each digit is asked for
THUMB_PX = 56
INTRO = (f"Write the digit asked for, a few times each ({ROUNDS} of every digit make one round; "
         "skip any). The net then reads your handwriting on the Draw and Number pages too, "
         f"for this session only: at most {MAX_DIGITS} digits, kept in this session and gone "
         "when it ends; nothing is stored on the server.")


def counts() -> Counter:
    return Counter(d.label for d in state.taught())


def after_teaching() -> int:
    """The digit to ask for next: the one asked until it has :data:`ROUNDS`, then the next one
    with fewer (the next digit when all have as many)."""
    have, asked = counts(), state.asked()
    if have[asked] < ROUNDS:
        return asked
    later = [(asked + k) % 10 for k in range(1, 11)]
    return next((d for d in later if have[d] < ROUNDS), (asked + 1) % 10)


def prompt_section(phone: bool) -> None:
    """The canvas, the digit asked for, what the net reads, and the buttons."""
    step, asked = state.teach_step(), state.asked()
    if len(state.taught()) >= MAX_DIGITS:
        st.info(f"You have taught it {MAX_DIGITS} digits, as many as a session keeps. Forget "
                "them below to start again.", icon=":material/check_circle:")
        return
    left, right = (st.container(), st.container()) if phone else st.columns([3, 2], gap="large")
    with right:
        st.subheader(f"Write a {asked}")
        st.caption(f"{counts()[asked]} of {ROUNDS} taught so far.")
    with left:
        st.space("small")  # room for the canvas' toolbar
        result = canvas(SPEC, state.teach_canvas(step), BRUSH)
    with right:
        # pills wrap onto a second row where ten segments would be cut off
        label = st.pills("This is a", list(range(10)), selection_mode="single", default=asked,
                         key=state.teach_label(step), help="Wrote another digit? Say which.")
        reading = drawn_section(result)
        buttons_section(result, reading, asked if label is None else int(label))


def drawn_section(result):
    """What the net (and the taught net) reads of the drawing: ``(pre, reading)`` or None."""
    if result.error:
        st.warning(result.error, icon=":material/gpp_maybe:")
        return None
    if result.image is None or not (result.drawing or {}).get("objects"):
        st.info("Draw it on the black canvas.", icon=":material/draw:")
        return None
    pre, reading = teaching.read(result.image)
    if reading is None:
        st.info(pre.reason, icon=":material/info:")
        return None
    text = f"{teaching.NET.capitalize()} reads **{reading.digit}** ({reading.confidence:.0%})"
    fitted = teaching.layer()
    if fitted is not None:
        mine = fitted.probabilities(reading.maps["f6"])
        text += f"; {teaching.TAUGHT}: **{int(mine.argmax())}** ({float(mine.max()):.0%})"
    st.markdown(text + ".")
    return pre, reading


def buttons_section(result, read, label: int) -> None:
    with st.container(horizontal=True):
        add = st.button(f"Teach it: this is a {label}", key=state.TEACH_ADD, type="primary",
                        disabled=read is None, icon=":material/school:")
        skip = st.button("Skip", key=state.TEACH_SKIP, icon=":material/skip_next:")
    if add and read is not None:
        teaching.add(*read, label, *strokes_from_json(result.drawing, BRUSH))
        state.next_prompt(after_teaching())
        st.rerun()
    if skip:
        state.next_prompt(state.asked() + 1)
        st.rerun()


def digits_section() -> None:
    """The taught digits, by label, each with what the net reads of it."""
    digits = state.taught()
    st.subheader(f"Your digits ({len(digits)} of at most {MAX_DIGITS})")
    if not digits:
        st.caption("None yet.")
        return
    base = teaching.base_layer()
    for label in sorted({d.label for d in digits}):
        mine = [d for d in digits if d.label == label]
        reads = [] if base is None else [int(base.logits(d.f6).argmax()) for d in mine]
        misread = sum(r != label for r in reads)
        st.image(strip([square(d.image, THUMB_PX) for d in mine]),
                 caption=f"Your {label}s: {teaching.NET} reads " + ", ".join(map(str, reads))
                 + (f" ({misread} misread)" if misread else ""))


def helped_section() -> None:
    """The honest before/after: each digit read by a net taught with all the others."""
    with lazy_expander("How much it helped, measured on your digits", state.TEACH_HELPED) as ex:
        if not ex.open:
            return
        result = teaching.left_out()
        if result is None:
            st.caption("Teach it at least two digits first.")
            return
        helped_text(result, state.taught())


def helped_text(result: LeftOut, digits) -> None:
    st.markdown(f"Each of your {result.n} digits read by a net taught with all your *other* "
                "digits (never with itself: a figure on the digits it was taught would say "
                "nothing): **{:.0%}** read right before teaching, **{:.0%}** after."
                .format(result.accuracy("before"), result.accuracy("after")))
    changed = result.changed
    if not len(changed):
        st.caption("Teaching changed the reading of none of them.")
        return
    st.image(strip([square(digits[i].image, THUMB_PX) for i in changed]),
             caption="Read differently once taught: " + "; ".join(
                 f"your {result.labels[i]}: {result.before[i]} → {result.after[i]}"
                 for i in changed))


def file_section() -> None:
    """Download the digits as one file; upload one (checked) to pick up where you left off."""
    st.subheader("Take them with you")
    digits = state.taught()
    st.download_button("Download your digits", encode(digits) if digits else b"",
                       file_name="my-digits.json", mime="application/json",
                       key=state.TEACH_DOWNLOAD, disabled=not digits,
                       icon=":material/download:",
                       help="Their 28×28 inputs, strokes and labels, as one file.")
    file = st.file_uploader("Upload a file of your digits (it replaces these)", type=["json"],
                            key=state.TEACH_UPLOAD,
                            help="Read in memory, never stored.")
    if file is not None and file.file_id != state.uploaded():
        state.set_uploaded(file.file_id)
        upload(file)
    if st.button("Forget my digits", key=state.TEACH_FORGET, disabled=not digits,
                 icon=":material/delete:"):
        state.set_taught(())
        st.rerun()


def upload(file) -> None:
    if file.size > MAX_FILE_BYTES:
        st.error(f"Could not read that file: it is larger than {MAX_FILE_BYTES // 1_000_000} "
                 "MB.", icon=":material/broken_image:")
        return
    try:
        n = teaching.load(file.getvalue())
    except TaughtFileError as exc:
        st.error(f"Could not read that file. {exc}", icon=":material/broken_image:")
        return
    st.toast(f"Read {n} digits from your file.", icon=":material/upload:")
    st.rerun()  # the digits shown above are the file's now


def page() -> None:
    st.title("Teach it your handwriting")
    state.arrive("teach")
    st.caption(INTRO)
    if teaching.base_layer() is None:
        st.warning("Teaching needs the net's weights (models/weights.npz), which are missing "
                   "or belong to another model. Make them with: python -m lenet5.train.export "
                   "--weights models", icon=":material/warning:")
        return
    prompt_section(on_a_phone())
    digits_section()
    helped_section()
    file_section()
