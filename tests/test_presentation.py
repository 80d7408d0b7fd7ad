"""The presentation page (Trình chiếu) under AppTest: the slide sequence, next/previous, the
timer, ?trinh_chieu=1 from any page, hidden chrome, and no personal data on screen."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import queries.db as qdb
import ui.state
from queries.settings import PILLARS
from queries.store import Store

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "trinh_chieu.py")
SECRET_USER = "Nguyễn Thị Bí Mật"
SECRET_NOTE = "Ghi chú riêng: gọi chị Tư 0912 345 678"
SECRET_FILE = "bao-cao-rieng-tu.xlsx"
TITLES = ["Tiến độ chuyển đổi số cấp xã", "Tổng quan toàn tỉnh", "Xếp hạng: 10 xã dẫn đầu",
          *[f"{name} ({code})" for code, name in PILLARS], "10 xã cần hỗ trợ nhất",
          "Tiến bộ so với tháng 10/2026", "Cách tính điểm"]


@pytest.fixture
def store(tmp_path, monkeypatch, seed_tables):
    """A fresh store holding one upload with an uploader's name and a note in it (the shipped
    data from the session's snapshot, the upload applied on top)."""
    seed_tables(tmp_path)
    monkeypatch.setenv("DTI_STORE", str(tmp_path))
    rows = pl.DataFrame({
        "row_number": [2], "commune_id": ["minh-hoa/thinh-vinh"], "indicator": ["HT02"],
        "period": [date(2026, 11, 1)], "value": [99.0], "numerator": [None], "denominator": [None],
        "note": [SECRET_NOTE],
    }, schema={"row_number": pl.Int32, "commune_id": pl.Utf8, "indicator": pl.Utf8, "period": pl.Date,
               "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64, "note": pl.Utf8})
    Store(tmp_path).add_upload("actuals", rows, file_name=SECRET_FILE, content=b"secret-upload", user=SECRET_USER)
    _clear()
    yield tmp_path
    _clear()


def _clear() -> None:
    ui.state.database.clear()
    st.cache_data.clear()
    qdb._databases.clear()


def _app(**params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["tinh"] = "Minh Họa"
    at.query_params["thang"] = "2026-11"
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _html(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _counter(at: AppTest) -> str:
    block = next(m.value for m in at.markdown if m.value.startswith('<div class="tc-counter">'))
    return block.replace("<b>", "").replace("</b>", "").split(">", 1)[1].split("<", 1)[0].strip()


def _screen_text(at: AppTest) -> str:
    """Everything drawn: markdown, captions, buttons, widgets and the charts' specs."""
    parts = [_html(at)]
    parts += [c.value for c in at.caption]
    parts += [b.label for b in at.button]
    parts += [str(w.value) for w in at.selectbox]
    parts += [el.proto.spec for el in at.get("plotly_chart")]
    return "\n".join(parts)


def test_slides_in_order_with_next_and_previous_and_nothing_personal(store):
    # the upload is really there: its note is in the data the slides are made from
    db = qdb.get_database()
    assert db.sql("select count(*) as n from actuals where note = $n", n=SECRET_NOTE)["n"][0] == 1
    at = _app()
    assert not at.exception
    assert _counter(at) == f"1 / {len(TITLES)}"
    assert at.button(key="tc-prev").disabled
    seen = []
    for number in range(1, len(TITLES) + 1):
        html = _html(at)
        seen.append(next(t for t in TITLES if f">{t}<" in html))
        assert _counter(at) == f"{number} / {len(TITLES)}"
        screen = _screen_text(at)
        for secret in (SECRET_USER, SECRET_NOTE, SECRET_FILE, "Ghi chú", "Người tải"):
            assert secret not in screen, (number, secret)
        if number < len(TITLES):
            at.button(key="tc-next").click().run()
            assert not at.exception
    assert seen == TITLES
    assert at.button(key="tc-next").disabled
    at.button(key="tc-prev").click().run()
    assert _counter(at) == f"{len(TITLES) - 1} / {len(TITLES)}"
    assert at.query_params["trang"] == str(len(TITLES) - 1)


def test_title_slide_names_province_month_and_demo_label(store):
    html = _html(_app())
    assert "Minh Họa" in html and "Tháng 11/2026" in html and "DỮ LIỆU MINH HỌA" in html


def test_chrome_hidden_and_keys_bound(store):
    at = _app()
    css = at.markdown[0].value
    for test_id in ("stSidebar", "stHeader", "stToolbar"):
        assert f'[data-testid="{test_id}"]' in css
    assert "display: none" in css
    shortcuts = {b.key: b.proto.shortcut for b in at.button}
    assert shortcuts["tc-next"].lower() in ("arrowright", "right")
    assert shortcuts["tc-prev"].lower() in ("arrowleft", "left")
    assert shortcuts["tc-pgdn"].lower() == "pagedown"


def test_chart_slides_use_large_type(store):
    at = _app(trang="4")  # Hạ tầng số
    (chart,) = at.get("plotly_chart")
    layout = json.loads(chart.proto.spec)["layout"]
    assert layout["font"]["size"] >= 20 and layout["title"]["font"]["size"] >= 20
    assert layout["legend"]["font"]["size"] >= 20 and layout["xaxis"]["tickfont"]["size"] >= 20


def test_open_on_a_given_slide(store):
    at = _app(trang="10")
    assert ">10 xã cần hỗ trợ nhất<" in _html(at)
    assert "<table" in _html(at)


def test_timer_advances_and_wraps(store):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["tinh"] = "Minh Họa"
    at.query_params["thang"] = "2026-11"
    at.session_state["tc_auto"] = True
    at.session_state["tc_slide"] = len(TITLES) - 1
    at.session_state["tc_changed_at"] = 0.0  # the last change was long ago
    at.run()
    assert not at.exception
    assert _counter(at) == f"1 / {len(TITLES)}"  # wrapped round to the title
    at.run()
    assert _counter(at) == f"1 / {len(TITLES)}"  # and waits its interval before the next


def test_timer_is_off_by_default(store):
    at = _app()
    assert at.toggle(key="tc_auto").value is False


def test_query_flag_opens_presentation_from_any_page(store):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["trinh_chieu"] = "1"
    at.query_params["tinh"] = "Minh Họa"
    at.query_params["thang"] = "2026-11"
    at.run()
    assert not at.exception
    assert 'class="tc-cover"' in _html(at)
    assert at.query_params["tinh"] == "Minh Họa"


def test_province_without_results_still_presents(store):
    at = _app(tinh="Đồng Nai")
    assert not at.exception
    assert "Đồng Nai" in _html(at) and "DỮ LIỆU MINH HỌA" not in _html(at)
    for _ in range(len(TITLES) - 1):
        at.button(key="tc-next").click().run()
        assert not at.exception
