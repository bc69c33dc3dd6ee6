"""Baseline for the latency benchmark: the same canvas and one st.metric, no model at all."""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

result = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000",
                   fill_color="#FFFFFF", width=280, height=280, drawing_mode="freedraw",
                   return_image_data=True, key="canvas")
image = result.image_data
if image is not None and (result.json_data or {}).get("objects"):
    st.metric("Prediction", int(image[..., 0].max()))
else:
    st.info("Draw a digit (0–9)")
