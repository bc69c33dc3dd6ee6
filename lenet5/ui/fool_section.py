"""Draw page: "Fool it". The smallest change to the network's input that makes it read another
digit (:mod:`lenet5.core.fool`), how far the drawing is from its nearest other reading, and
whether the 1998 net is fooled by the same image. Computed only while its expander is open,
once per drawing and target (a bounded cache shared by sessions: the same pixels give the
same answer)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core import fool
from lenet5.core.artifacts import CLASSIC
from lenet5.core.reader import Report
from lenet5.ui import state
from lenet5.ui.layout import PLOT_CONFIG, lazy_expander
from lenet5.ui.plots import fast_figure
from lenet5.ui.resources import reader, weights

DIGITS = list(range(10))
SCALE = 6  # screen pixels per input pixel
CACHED = 64  # attacks kept (about 7 KB each)
MUTED, ACCENT = "#9aa0a6", "#e8710a"

WORDS = (
    "**Adversarial examples.** The network does not see a digit: it sees 784 numbers, one per "
    "pixel, and draws borders between the digits in a space of 784 dimensions. Your drawing "
    "lies inside the region of its digit, but in so many dimensions a border is close in some "
    "direction, even when it is far in every direction a person would think of (thicker, "
    "slanted, longer). The gradient says which way each pixel pushes the target's score; "
    "following it, step by step, finds that direction. Each pixel changes a little, yet the "
    "network adds up its inputs with weights, so many small nudges all in the direction it is "
    "most sensitive to add up to a large change of its scores. To you the changed input is "
    "still your digit. Such inputs are called adversarial examples (Szegedy et al., 2014); the "
    "1998 net, trained on the same digits, has other borders, so the same change seldom fools "
    "it too.")


@st.cache_data(max_entries=CACHED, show_spinner=False)
def _attack(pixels: bytes, target: int, modern_sha: str, classic_sha: str | None
            ) -> fool.Attack | None:
    """The attack on the modern net of one ``(28, 28) float32`` input (its bytes) for
    ``target`` (None when the modern net's weights file is missing or stale)."""
    image = np.frombuffer(pixels, np.float32).reshape(28, 28)
    modern = weights("", modern_sha)
    if modern is None:
        return None
    classic = weights(CLASSIC, classic_sha) if classic_sha else None
    return fool.fool(modern, image, target, classic)


def attack(report: Report, target: int) -> fool.Attack | None:
    r = reader()
    classic = r.classic.sha256 if r.classic is not None else None
    return _attack(np.ascontiguousarray(report.pre.image, np.float32).tobytes(), target,
                   r.sha256, classic)


def signed(change: np.ndarray, scale: int = SCALE) -> tuple[np.ndarray, float]:
    """``(28, 28)`` change in [-1, 1] -> ``(28*scale, 28*scale, 3) uint8``: white where
    nothing changed, red where ink was added, blue where it was taken away, full colour at the
    largest change (returned too: the scale)."""
    peak = float(np.abs(change).max()) or 1.0
    a = np.clip(change / peak, -1, 1)
    rgb = np.stack([1 - np.clip(-a, 0, 1), 1 - np.abs(a), 1 - np.clip(a, 0, 1)], -1)
    return np.kron((rgb * 255).astype(np.uint8), np.ones((scale, scale, 1), np.uint8)), peak


def grey(image: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """``(28, 28)`` in [0, 1] -> ``(28*scale, 28*scale, 3) uint8``, as the network sees it."""
    g = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return np.repeat(np.kron(g, np.ones((scale, scale), np.uint8))[..., None], 3, -1)


def _chart(before: np.ndarray, after: np.ndarray, target: int):
    x = [str(k) for k in DIGITS]
    bars = [dict(type="bar", x=x, y=np.asarray(p).tolist(), name=name, marker=dict(color=c),
                 hovertemplate=f"{name}, digit %{{x}}: %{{y:.1%}}<extra></extra>")
            for p, name, c in ((before, "your drawing", MUTED),
                               (after, f"changed to read {target}", ACCENT))]
    return fast_figure(bars, height=240, margin=dict(l=40, r=10, t=30, b=40), barmode="group",
                       legend=dict(orientation="h", y=1.15),
                       yaxis=dict(range=[0, 1.05], tickformat=".0%"),
                       xaxis=dict(title=dict(text="digit"), type="category"))


def chosen_target(default: int) -> int | None:
    """The digit the person picked (``default``, the runner-up, until they pick one), or
    None after saying why a kept value could not be used (it is then forgotten)."""
    present, kept = state.stored(state.FOOL_TARGET)
    if present and kept is not None:
        try:
            fool.check_target(kept)
        except ValueError:
            state.reset(state.FOOL_TARGET)
            st.warning("The target sent was not a digit from 0 to 9; it is back at the "
                       "runner-up.")
    picked = st.pills("Make it read", DIGITS, key=state.FOOL_TARGET, selection_mode="single",
                      help="The digit the change should make the network read. None picked: "
                           "the runner-up, its second likeliest digit.")
    if picked is None:
        return default
    try:
        return fool.check_target(picked)
    except ValueError:
        st.warning("The target must be a digit from 0 to 9.")
        return None


def distance_words(report: Report, nearest: fool.Attack) -> str:
    """"Draw to fool it": how far the drawing is from its nearest other reading."""
    own = float(np.linalg.norm(report.pre.image))
    if not nearest.fooled:
        return (f"No change found within {fool.STEPS} steps made it read {nearest.target}: "
                "your drawing is far from any other reading.")
    return (f"**Draw to fool it.** Your drawing is **{nearest.l2:.2f}** away from reading "
            f"{nearest.target}, its runner-up (the size of the smallest change found; the "
            f"input itself measures {own:.1f}). Draw a digit halfway to another one and watch "
            "this number shrink.")


def size_words(a: fool.Attack) -> str:
    return (f"Size of the change: {a.l2:.2f} (L2, the square root of the sum of squared pixel "
            f"changes); the largest change of one pixel is {a.linf:.2f} (on a scale of 0 to 1).")


def verdict_words(a: fool.Attack, drawn: int) -> str:
    """What both nets read in the changed input (``drawn``: what it read in the drawing)."""
    modern = int(a.probs.argmax())
    words = f"The network now reads **{modern}** ({a.probs[modern]:.0%}"
    words += (f"; {drawn}: {a.probs[drawn]:.0%}): the smallest change leaves it just past the "
              "border." if modern != drawn else ").")
    if a.classic_probs is None:
        return words + " (The 1998 net is not installed.)"
    old = int(a.classic_probs.argmax())
    fooled = "is fooled too" if a.classic_fooled else "is not fooled"
    return words + (f" The 1998 net {fooled}: it reads **{old}** ({a.classic_probs[old]:.0%}; "
                    f"{a.target}: {a.classic_probs[a.target]:.0%}).")


def fool_section(report: Report, phone: bool = False) -> None:
    """The smallest change that makes the network read another digit (default: the
    runner-up), the change itself, its size, the new readings of both nets, and why."""
    box = lazy_expander("Fool it: the smallest change that flips the answer", state.FOOL)
    with box:
        if not box.open:
            return
        digit, runner_up = report.modern.digit, report.modern.runner_up
        nearest = attack(report, runner_up)
        if nearest is None:
            st.caption("models/weights.npz is missing or was made for another model: "
                       "python -m lenet5.train.export --weights writes it.")
            return
        st.markdown(distance_words(report, nearest))
        target = chosen_target(runner_up)
        if target is None:
            return
        if target == digit:
            st.caption(f"It reads {digit} already: pick another digit to make it read.")
            return
        a = nearest if target == runner_up else attack(report, target)
        _show(report, a, phone)
        st.caption(WORDS)


def _show(report: Report, a: fool.Attack, phone: bool) -> None:
    change, peak = signed(a.change)
    gap = np.full((change.shape[0], 8, 3), 128, np.uint8)
    st.image(np.concatenate([grey(report.pre.image), gap, grey(a.image), gap, change], 1),
             caption=f"what the network is given · changed to read {a.target} · the change "
                     f"(red: ink added, blue: taken away; full colour ±{peak:.2f})",
             width="stretch" if phone else 3 * 28 * SCALE + 16)
    if not a.fooled:
        st.caption(f"No change within {fool.STEPS} steps made it read {a.target}; this is the "
                   "nearest it got.")
    st.markdown(verdict_words(a, report.modern.digit))
    st.caption(size_words(a))
    st.plotly_chart(_chart(report.modern.probs, a.probs, a.target), config=PLOT_CONFIG,
                    key="fool_chart")
