"""What a Markdown element shows, for tests of text people typed: its links and images, and its
text. AppTest gives an element's Markdown source; this parses it as CommonMark with GFM
tables and strikethrough (markdown-it-py, which Streamlit's own dependency rich brings), then
applies remark-gfm's autolink rule the way Streamlit's frontend does: to the text after its
escapes are undone (www.…, http(s)://… and name@host become links there)."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# remark-gfm's (mdast-util-gfm-autolink-literal) patterns, as in Streamlit's bundle
_BARE_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
_BARE_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
_WORD_JOINER = "\u2060"


def _inline_tokens(markdown: str):
    for token in _PARSER.parse(markdown):
        if token.type == "html_block":
            yield token
        yield from token.children or ()


def links(markdown: str) -> list[str]:
    """Every link, image or raw HTML the Markdown would render (empty for plain text)."""
    found = []
    for token in _inline_tokens(markdown):
        if token.type == "link_open":
            found.append(f"link {token.attrGet('href')}")
        elif token.type == "image":
            found.append(f"image {token.attrGet('src')}")
        elif token.type in ("html_inline", "html_block"):
            found.append(f"html {token.content}")
        elif token.type == "text":
            found += [f"autolink {m.group(0)}" for m in _BARE_URL.finditer(token.content)]
            found += [f"autolink {m.group(0)}" for m in _BARE_EMAIL.finditer(token.content)]
    return found


def shown(markdown: str) -> str:
    """The text a reader sees (formatting dropped, line breaks and blocks as newlines,
    invisible word joiners removed)."""
    parts = []
    for block in _PARSER.parse(markdown):
        if block.type.endswith("_close") and block.block:
            parts.append("\n")
        for token in block.children or ():
            if token.type in ("text", "code_inline"):
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append("\n")
    return "".join(parts).replace(_WORD_JOINER, "").strip()
