"""govplat dashboard entry point: every page declared once with st.navigation."""
import streamlit as st

st.set_page_config(page_title="govplat", layout="wide")
st.title("govplat")
st.write("The dashboard pages are being built; use `govplat query --list` meanwhile.")
