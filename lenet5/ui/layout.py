"""What every page lays out the same way."""

from __future__ import annotations

import streamlit as st

PLOT_CONFIG = {"displayModeBar": False}  # charts without Plotly's toolbar


def lazy_expander(title: str, key: str):
    """An expander whose content runs only while it is open (its ``.open``: True or False):
    experiments that cost time are computed only for those who look at them."""
    return st.expander(title, key=key, on_change="rerun", icon=":material/science:")


def on_a_phone() -> bool:
    """Whether the browser says it is a phone: its User-Agent has "Mobile" (phones' browsers
    send it, tablets' and desktops' do not). Read from the request headers Streamlit already
    keeps, so it costs nothing per run. The pages then lay out for a narrow screen."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")
