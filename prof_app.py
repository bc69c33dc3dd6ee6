import cProfile, pstats, time, sys
import streamlit as st
from lenet5.ui import draw
n0 = st.session_state.setdefault("_n", [0])
if n0[0] == 3:
    st.session_state["_prof"] = cProfile.Profile()
prof = st.session_state.setdefault("_prof", cProfile.Profile())
t = time.perf_counter()
prof.enable()
draw.page()
prof.disable()
n = st.session_state.setdefault("_n", [0]); n[0] += 1
if n[0] % 10 == 0:
    pstats.Stats(prof).sort_stats("cumulative").dump_stats("/tmp/prof.out")
