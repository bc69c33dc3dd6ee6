"""lenet5-draw: draw a digit and watch LeNet-5 read it.  Run: streamlit run app.py"""

import streamlit as st

from lenet5.ui import (
    about_page,
    draw_page,
    inside_page,
    layout,
    memory,
    number_page,
    state,
    teach_page,
    training_page,
    widget_check,
)
from lenet5.ui.guard import guarded
from lenet5.ui.resources import preload, warm_up


def main() -> None:
    notes = widget_check.check_widgets()  # before any widget: a refused value is reset
    st.set_page_config(page_title="LeNet-5: draw a digit", page_icon=str(layout.icon()),
                       layout="wide")
    for note in notes:
        st.warning(note, icon=":material/gpp_maybe:")
    warm_up()
    pages = [
        st.Page(guarded(draw_page.page), title="Draw", icon=":material/draw:", url_path="draw",
                default=True),
        st.Page(guarded(number_page.page), title="Number", icon=":material/pin:",
                url_path="number"),
        st.Page(guarded(teach_page.page), title="Teach it", icon=":material/school:",
                url_path="teach"),
        st.Page(guarded(inside_page.page), title="Inside the network", icon=":material/layers:",
                url_path="inside"),
        st.Page(guarded(training_page.page), title="Training", icon=":material/monitoring:",
                url_path="training"),
        st.Page(guarded(about_page.page), title="About", icon=":material/info:", url_path="about"),
    ]
    phone = layout.on_a_phone()
    navigation = st.navigation(pages, position="hidden" if phone else "top")
    if phone:
        layout.phone_menu(pages)
    try:
        navigation.run()
        state.record()
        preload()
    finally:  # a run that stops or reruns early frees memory too
        memory.hand_back_soon()  # handed back to the system by a thread (ui/memory.py)


main()
