"""Text people typed, shown inside Markdown as written.

Streamlit renders Markdown in st.markdown, st.caption, the alerts (st.info, st.warning…) and
button labels. A file name, a review comment, an account's name or a message quoting a cell
put there as is could become a link or an image (`[x](http://…)`, `![](http://…/i.png)`), or
change the look of the page; `literal()` makes it plain text.
"""
from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets each be escaped, and each may start a
# construct somewhere (links, images, emphasis, code, HTML, tables, lists, headings, Streamlit's
# :colour[...] directives, $LaTeX$).
_MARKDOWN_SIGNIFICANT = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown (remark-gfm) turns bare http://…, www.… and name@host into links after
# parsing, on the text with its escapes already undone; an invisible word joiner breaks them.
_AUTOLINK_STARTS = re.compile(r"(?i)(https?(?=\\:)|www(?=\\\.)|(?=\\@))")
_WORD_JOINER = "\u2060"


def literal(text: object) -> str:
    """Text a person typed (a file name, a comment, a name, a message quoting a cell) to put
    inside Markdown so that it shows exactly as written: never a link, an image, emphasis or
    HTML. Line breaks stay line breaks."""
    lines = [_MARKDOWN_SIGNIFICANT.sub(r"\\\1", line.strip()) for line in str(text).splitlines()] or [""]
    return "  \n".join(_AUTOLINK_STARTS.sub(lambda m: m.group(1) + _WORD_JOINER, line) for line in lines)
