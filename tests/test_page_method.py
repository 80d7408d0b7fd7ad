"""The method page states the method with the settings in force."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_store(tmp_path, monkeypatch, seed_tables):
    import queries.db
    import ui.state

    seed_tables(tmp_path)
    monkeypatch.setenv("DTI_STORE", str(tmp_path))
    queries.db._databases.clear()
    ui.state.database.clear()
    yield tmp_path
    queries.db._databases.clear()
    ui.state.database.clear()


def test_method_page_explains_the_scoring(fresh_store):
    at = AppTest.from_file(str(ROOT / "app_pages" / "phuong_phap.py"), default_timeout=30).run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "100 × min(giá trị ÷ mục tiêu; 1)" in text
    assert "**0 điểm**" in text
    assert "**54,55**" in text  # the worked example, with the default weights
    weights = at.dataframe[0].value
    assert weights["Trọng số (điểm tối đa DTI)"].tolist() == [100, 100, 100, 200, 150, 150]
    statuses = at.dataframe[1].value["Tình trạng"].tolist()
    assert [s.split(" ", 1)[1] for s in statuses] == [
        "Đạt", "Đúng tiến độ", "Cần đẩy nhanh", "Chậm", "Đi lùi", "Chưa đủ dữ liệu", "Chưa có số liệu"]
    documents = at.dataframe[2].value
    assert documents["Tỉnh"].tolist().count("Đồng Nai") >= 1


def test_method_page_follows_changed_settings(fresh_store):
    (fresh_store / "settings.json").write_text(json.dumps({"weight_CQ": 100, "unreported_rule": "exclude"}))
    at = AppTest.from_file(str(ROOT / "app_pages" / "phuong_phap.py"), default_timeout=30).run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "không tính vào trung bình" in text
    assert at.dataframe[0].value["Trọng số (điểm tối đa DTI)"].tolist()[3] == 100
