"""Streamlit pages. Layout only: every number shown is computed in the lenet5 package."""
