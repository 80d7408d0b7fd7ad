"""Streamlit-side helpers shared by the pages (state, filters in the URL, formatting)."""
