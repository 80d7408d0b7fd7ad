"""The HTTP side of the dashboard that Streamlit scripts cannot be: routes served beside it (serve.py)."""
