"""What every page lays out the same way."""

from __future__ import annotations

from pathlib import Path

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


def icon() -> Path:
    """The page's icon, ``assets/icon.png``: shipped, so that no visitor's browser fetches an
    icon from a font server (a ``:material/...:`` page icon is fetched from one)."""
    return Path(__file__).resolve().parents[2] / "assets" / "icon.png"


def phone_menu(pages: list) -> None:
    """On a phone, the pages' names as links in a row: Streamlit's top navigation folds into a
    bare » button on a narrow screen, which does not say there are other pages. Each link is
    its page's first word ("Inside", not "Inside the network"), so that all fit in one row."""
    with st.container(horizontal=True, gap=None):
        for p in pages:
            st.page_link(p, label=p.title.split()[0])
