"""ui.markdown.literal in Streamlit's real renderer: text people typed, put into st.markdown, the
alerts, captions and button labels through it, shows as typed, with no link and no image. The
AppTest tests check the Markdown source; this checks what Chromium draws, where remark-gfm also
turns bare addresses (http://…, www.…, name@host) into links after undoing escapes."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.conftest import ROOT, _free_port, wait_for_app

HOSTILE = [
    "[x](http://evil.example)",
    "![](http://evil.example/i.png)",
    "<http://evil.example/a>",
    "http://evil.example/b và HTTPS://evil.example/c",
    "www.evil.example",
    "a@evil.example",
    "<img src=x>",
    ":red[đỏ] **đậm** $x^2$",
]
APP = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from ui.markdown import literal

for i, text in enumerate({HOSTILE!r}):
    st.markdown("**Tệp:** " + literal(text))
    st.warning("Nhận xét: " + literal(text))
    st.caption(literal(text))
    st.button("⬇ " + literal(text), key=f"b{{i}}")
"""


@pytest.fixture
def literal_app(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(APP, encoding="utf-8")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("streamlit did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_typed_text_is_drawn_as_text_with_no_link_or_image(page, literal_app):
    page.goto(literal_app)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    main.get_by_test_id("stButton").nth(len(HOSTILE) - 1).wait_for()
    assert main.locator("a").count() == 0
    assert main.locator("img").count() == 0
    drawn = main.inner_text().replace("\u2060", "")
    for text in HOSTILE:
        assert f"Tệp: {text}" in drawn and f"Nhận xét: {text}" in drawn
