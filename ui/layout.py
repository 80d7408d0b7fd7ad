"""The dashboard's own CSS, in one place, injected once per script run (dashboard.py):

- phones (390 px wide): columns stack, the page never scrolls sideways, wide tables and charts
  scroll inside their own frame, the filter row wraps;
- the words Streamlit's file uploader writes in English ("Upload", "200MB per file • CSV,
  XLSX", "Drag and drop a file here") read in the page's language. Streamlit 1.67 has no setting
  for them: the built-in text is hidden (font-size 0) and the translation drawn in its place with
  CSS `::after`, from the catalogue. The hidden words stay in the DOM for screen readers of an
  English page only; on a Vietnamese page the uploader's aria-label (our own label) is what they read.
"""
from __future__ import annotations

import streamlit as st

from queries import i18n
from queries.i18n import _

PHONE = "(max-width: 640px)"


def _css_text(text: str) -> str:
    """A string for CSS `content:`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _phone_css() -> str:
    return f"""
@media {PHONE} {{
  /* nothing wider than the screen: the page itself never scrolls sideways */
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
    overflow-x: hidden !important; max-width: 100vw;
  }}
  [data-testid="stMainBlockContainer"] {{
    padding-left: 0.75rem !important; padding-right: 0.75rem !important; padding-top: 3rem !important;
    max-width: 100vw !important; min-width: 0 !important;
  }}
  /* st.columns stack, one under the other, full width */
  [data-testid="stHorizontalBlock"] {{ flex-direction: column !important; flex-wrap: nowrap !important;
    gap: 0.5rem !important; }}
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    width: 100% !important; flex: 1 1 100% !important; min-width: 0 !important;
  }}
  /* tables, charts and maps: within the screen; wide ones scroll inside their own frame */
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stPlotlyChart"],
  [data-testid="stVegaLiteChart"], [data-testid="stElementContainer"], [data-testid="stMarkdownContainer"] {{
    max-width: 100% !important; min-width: 0 !important;
  }}
  [data-testid="stTable"], [data-testid="stMarkdownContainer"] table {{ display: block; overflow-x: auto; }}
  [data-testid="stMarkdownContainer"] pre {{ overflow-x: auto; }}
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
  [data-testid="stCaptionContainer"] {{ overflow-wrap: anywhere; }}
  h1 {{ font-size: 1.6rem !important; }}
  /* the chart's tool bar covered its legend on a narrow chart; downloads stay under each chart */
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.6rem !important; }}
  /* segmented controls and button rows wrap instead of running off the screen */
  [data-testid="stButtonGroup"] > div {{ flex-wrap: wrap !important; }}
  /* what a leader looks for first comes first: key figures and filters two to a row, so the
     score, the rank and the table are on the first screen instead of four screens down */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]),
  .st-key-dti_filters [data-testid="stHorizontalBlock"] {{
    flex-direction: row !important; flex-wrap: wrap !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) > [data-testid="stColumn"],
  .st-key-dti_filters [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    width: calc(50% - 0.25rem) !important; flex: 1 1 calc(50% - 0.25rem) !important;
  }}
  [data-testid="stMetric"] {{ padding: 0.5rem !important; }}
  [data-testid="stMetricLabel"] p {{ font-size: 0.8rem !important; }}
  /* the presentation's cover and tables on a small screen */
  html body .tc-cover-facts {{ flex-wrap: wrap !important; gap: 0.6rem !important; }}
  html body .tc-cover-fact {{ min-width: 0 !important; flex: 1 1 40% !important; padding: 0.4rem 0.6rem !important; }}
  html body table.tc-table {{ display: block; overflow-x: auto; font-size: 15px !important; }}
  html body [data-testid="stMainBlockContainer"] {{ padding-left: 0.75rem !important; padding-right: 0.75rem !important; }}
}}
"""


def _uploader_css() -> str:
    """Streamlit's uploader words in the page's language (see the module's docstring)."""
    upload = _css_text(_("Chọn tệp"))
    limit = _css_text(_("Tối đa {size} MB mỗi tệp").format(size=int(st.get_option("server.maxUploadSize"))))
    drop = _css_text(_("Thả tệp vào đây"))
    return f"""
[data-testid="stFileUploaderDropzone"] button p,
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{
  font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{
  content: {upload}; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {limit}; font-size: 0.8rem; }}
/* while a file is dragged over it: the only child of the drop zone without a test id */
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) * {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > *::after {{
  content: {drop}; font-size: 1rem; }}
"""


def style() -> None:
    """The dashboard's CSS for this run's language."""
    css = _phone_css()
    if i18n.current() != "en":
        css += _uploader_css()
    st.html(f"<style>{css}</style>")
