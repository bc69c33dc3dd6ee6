"""lenet5-draw: draw a digit and watch LeNet-5 read it.  Run: streamlit run app.py"""

import streamlit as st

from lenet5.ui import about, draw, inside, number, state, training
from lenet5.ui.guard import guarded
from lenet5.ui.resources import preload, warm_up


def main() -> None:
    st.set_page_config(page_title="LeNet-5: draw a digit", page_icon=":material/draw:",
                       layout="wide")
    warm_up()
    pages = [
        st.Page(guarded(draw.page), title="Draw", icon=":material/draw:", url_path="draw",
                default=True),
        st.Page(guarded(number.page), title="Number", icon=":material/pin:", url_path="number"),
        st.Page(guarded(inside.page), title="Inside the network", icon=":material/layers:",
                url_path="inside"),
        st.Page(guarded(training.page), title="Training", icon=":material/monitoring:",
                url_path="training"),
        st.Page(guarded(about.page), title="About", icon=":material/info:", url_path="about"),
    ]
    st.navigation(pages, position="top").run()
    state.record()
    preload()


main()
