"""Inside page: two experiments on single units and maps. What one unit of a layer sees of the
input, and what the network reads with some of C1's or C3's maps switched off. Each runs only
while its expander is open."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core import receptive
from lenet5.core.forward import SWITCHABLE, forward
from lenet5.core.predictor import Reading, softmax
from lenet5.ui import state
from lenet5.ui.experiment_plots import compare_bars, outlined
from lenet5.ui.layout import PLOT_CONFIG, lazy_expander, on_a_phone
from lenet5.ui.plots import heatmap_grid
from lenet5.ui.resources import kernels, load_json, weights

POOLING = ("MaxPooling2D", "Subsampling")
LAYER_SHOWN = str.upper  # how the layer switch shows a layer (and the browser sends it back)
UNIT_WORDS = (
    "A unit of a convolution layer looks at a small patch of the layer below; a unit of the "
    "next layer looks at a patch of those, so deeper units see more of your drawing. Outlined: "
    "every input pixel that can change this unit's value (its receptive field), worked out "
    "from the layers' kernels and strides. Only the pixels inside can move it.")
SWITCH_WORDS = (
    "Each map is one learned feature detector. Switching it off sets its output to zero "
    "everywhere, as if it never fired, and the rest of the network reads your drawing without "
    "it (a NumPy copy of the network computes this, from the trained weights). Some maps hardly "
    "matter for a given drawing; others change the answer on their own.")


def _kernel_layer(architecture: list[dict], layer: str) -> str | None:
    """The convolution whose kernels make ``layer``'s maps (itself, or the one it pools)."""
    names = [row["layer"] for row in architecture]
    row = architecture[names.index(layer)]
    if row["type"] in POOLING:
        return _kernel_layer(architecture, receptive.layers(architecture)[
            receptive.layers(architecture).index(layer) - 1])
    return layer if layer in SWITCHABLE else None


def unit_section(image: np.ndarray, reading: Reading, folder: str) -> None:
    """Choose a layer, a map and a position: the input pixels that unit sees, its activation
    and the kernels that make its map."""
    box = lazy_expander("What one unit sees", state.UNIT)
    with box:
        if not box.open:
            return
        architecture = load_json("architecture.json", folder)
        if not architecture:
            st.caption("models/architecture.json is missing; retrain to recreate it.")
            return
        names = receptive.layers(architecture)
        layer = st.segmented_control("Layer", names, default=names[0], key=state.UNIT_LAYER,
                                     format_func=LAYER_SHOWN, required=True) or names[0]
        maps = reading.maps[layer]
        h, w, c = maps.shape
        cols = st.columns(3)
        m = cols[0].slider("Map", 1, c, 1, key=state.unit(layer, "map"))
        # each map first shown at its most active unit: there is something to see
        r0, c0 = np.unravel_index(int(maps[..., m - 1].argmax()), (h, w))
        row = _position(cols[1], "Row", h, int(r0), state.unit(layer, f"row{m}"))
        col = _position(cols[2], "Column", w, int(c0), state.unit(layer, f"col{m}"))
        st.caption(UNIT_WORDS)
        _unit_view(image, maps[..., m - 1], receptive.field(architecture, layer, row, col),
                   (row, col))
        _kernels_view(architecture, layer, m, folder)


def _position(where, label: str, size: int, default: int, key: str) -> int:
    """A slider over ``size`` positions; none for a map of one unit (the 1998 net's C5)."""
    if size == 1:
        where.caption(f"{label}: 0 (this map is a single unit)")
        return 0
    return where.slider(label, 0, size - 1, default, key=key)


def _unit_view(image: np.ndarray, plane: np.ndarray, f: receptive.Field,
               at: tuple[int, int]) -> None:
    where = st.container() if on_a_phone() else None
    left, mid, right = [where] * 3 if where else st.columns([2, 2, 1])
    top, lft, bottom, rgt = f.clipped()
    rows, cols = f.side - (bottom - top + 1), f.side - (rgt - lft + 1)
    padding = " and ".join(f"{n} {what}" for n, what in ((rows, "rows"), (cols, "columns")) if n)
    left.image(outlined(image, f.clipped()), caption=f"the {f.side}×{f.side} input pixels "
               f"{f.layer.upper()} unit ({at[0]}, {at[1]}) sees" + (
                   f" ({padding} of them are padding around the drawing)" if padding else ""))
    span = float(np.ptp(plane)) or 1.0
    mid.image(outlined((plane - plane.min()) / span, (*at, *at)),
              caption=f"its map ({plane.shape[0]}×{plane.shape[1]}), the unit outlined")
    right.metric("Its activation", f"{plane[at]:.3f}",
                 help="The unit's output for your drawing; the map's brightest unit "
                      f"has {plane.max():.3f}.")


def _kernels_view(architecture: list[dict], layer: str, m: int, folder: str) -> None:
    source = _kernel_layer(architecture, layer)
    k = kernels(folder)
    if source is None or k is None:
        st.caption(f"The kernels of {layer.upper()} are not shown here.")
        return
    w = k[source][..., m - 1]  # (5, 5, inputs)
    blank = not np.abs(w).reshape(-1, w.shape[2]).max(0).all()  # the 1998 net's partial C3
    title = (f"the {w.shape[2]} kernel{'s' if w.shape[2] > 1 else ''} of {source.upper()} map "
             f"{m}" + (", one per S2 map" if w.shape[2] > 1 else "")
             + (" (blank: that S2 map is not connected)" if blank else ""))
    st.plotly_chart(heatmap_grid(w, w.shape[2], title, "RdBu_r", symmetric=True, height=200),
                    config=PLOT_CONFIG, key="unit_kernels")


def _chosen(layer: str, maps: int) -> list[int]:
    """The maps (1-based) of ``layer`` the user switched off."""
    return st.pills(f"{layer.upper()} maps to switch off", list(range(1, maps + 1)),
                    selection_mode="multi", key=state.off(layer)) or []


def switch_section(image: np.ndarray, reading: Reading, model_sha256: str, folder: str) -> None:
    """Switch any of C1's and C3's maps off and read the drawing again at once."""
    box = lazy_expander("Switch maps off", state.SWITCH)
    with box:
        if not box.open:
            return
        w = weights(folder, model_sha256)
        if w is None:
            st.caption("The weights file (weights.npz) is missing or belongs to another model: "
                       "python -m lenet5.train.export")
            return
        st.caption(SWITCH_WORDS)
        off = {layer: {m - 1 for m in _chosen(layer, reading.maps[layer].shape[-1])}
               for layer in SWITCHABLE}
        after = softmax(forward(w, image, off)["output"])
        digit, before = int(after.argmax()), reading.digit
        change = "as with" if digit == before else "not"
        st.metric("It reads now", str(digit), delta=f"{after.max():.0%}, {change} {before}",
                  delta_color="off" if digit == before else "red", delta_arrow="off")
        st.plotly_chart(compare_bars(reading.probs, after), config=PLOT_CONFIG, key="switch_bars")
