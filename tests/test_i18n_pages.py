"""Every page of the dashboard through AppTest in both languages: nothing a person reads on an
English page is left in Vietnamese (outside the names of communes, provinces, units and other
values of the data), and none of the catalogue's English shows on a Vietnamese page.

What is read: every string of every element's protobuf (titles, markdown, captions, help texts,
labels, options, placeholders, metric values, column headings and their help), every cell of
every table, and of the charts their titles, axes, legends, trace names, hover texts and the
data fields their encodings draw. Values of the data (every text of the database's tables) are
taken out before looking, so a commune's name never counts as a leak.
"""
from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries import i18n
from queries.accounts.permissions import LOCAL_ADMIN
from queries.accounts.places import Places
from queries.db import Database
from tests.page_parts import OTHER_PARTS
from tests.test_pages import DEMO, MONTH, _reset_caches, spec_with_data, store  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py") if p.stem != "__init__")
SIGNED_OUT_ONLY = {"dang_nhap"}
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýãõĩũ]", re.IGNORECASE)
# Fields of an element that are not text a person reads.
NOT_TEXT = {"id", "form_id", "key", "icon", "type", "data", "arrow_data", "spec", "columns", "url", "page_script_hash",
            "page", "mime", "file_id", "deprecation", "selections", "theme", "script_hash", "default_value", "styler",
            "uuid", "css_styles", "display_values", "format", "widget_id", "fragment_id", "column_order", "body",
            "file_name", "element_type", "accessibility_label", "autocomplete", "selection_mode"}


@pytest.fixture
def admin(store):  # noqa: F811 (the store fixture of tests/test_pages.py)
    """A country-wide administrator: every page, the admin pages too, opens."""
    from queries.accounts import service

    database = Database(store=store)
    return service.create_account(LOCAL_ADMIN, store, username="quantri.i18n", role="quan_tri", name="Quản trị thử",
                                  password=secrets.token_urlsafe(12), places=Places.from_database(database))


@pytest.fixture
def data_values(store) -> list[str]:  # noqa: F811
    """Every text value of the data (names of communes, provinces, units, indicators; plans'
    words: task names, target texts, documents), longest first."""
    database = Database(store=store)
    columns = database.sql(
        "select table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_name in "
        "(select table_name from information_schema.tables where table_type = 'BASE TABLE')")
    values: set[str] = set()
    for table, column in columns.iter_rows():
        found = database.sql(f'select distinct "{column}" as v from "{table}" where "{column}" is not null limit 20000')
        values.update(v for v in found["v"].to_list() if isinstance(v, str) and VIETNAMESE.search(v))
    # the parts of a value too ("Phòng VH-XH; Công an xã" is written as two units)
    for value in list(values):
        values.update(part.strip() for part in re.split(r"[;\n]", value) if VIETNAMESE.search(part))
    # Indicators have an English name (data/indicators.csv name_en): an English page shows it,
    # so their Vietnamese names are not data to overlook there.
    catalog = database.run_query("indicator_catalog")
    values -= {name for name, english in zip(catalog["name_vi"].to_list(), catalog["name_en"].to_list()) if english}
    values.add("Quản trị thử")  # the test administrator's own name
    return sorted(values, key=len, reverse=True)


def open_page(page: str, language: str, account=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if account is not None:
        at.session_state["dti_account"] = account
    at.query_params.update({"tinh": DEMO, "thang": MONTH, "lang": language})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "tong_quan":
        at.query_params.update({"tinh": DEMO, "thang": MONTH, "lang": language})
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _proto_strings(message, out: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name in NOT_TEXT:
            continue
        if field.type not in (field.TYPE_MESSAGE, field.TYPE_STRING):
            continue
        items = [value] if isinstance(value, str) or hasattr(value, "ListFields") else list(value)
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                _proto_strings(item, out)
        elif field.type == field.TYPE_STRING:
            out.extend(items)


def _plotly_strings(spec: dict, out: list[str]) -> None:
    layout = spec.get("layout", {})
    for value in layout.values():
        if isinstance(value, dict):
            title = value.get("title")
            out.append(json.dumps(title, ensure_ascii=False) if title else "")
            out.extend(str(t) for t in value.get("ticktext") or [])
    out.append(json.dumps(layout.get("title"), ensure_ascii=False))
    for trace in spec.get("data", []):
        for key in ("name", "hovertemplate", "text", "customdata", "hovertext"):
            value = trace.get(key)
            out.append(json.dumps(value, ensure_ascii=False) if value is not None else "")


def _vega_strings(spec: dict, out: list[str]) -> None:
    fields: set[str] = set()

    def walk(node, in_data: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("datasets", "data"):
                    continue
                if key == "field" and isinstance(value, str):
                    fields.add(value.split(":")[0])
                elif key in ("title", "text", "labelExpr") and not in_data:
                    out.append(json.dumps(value, ensure_ascii=False))
                elif key == "domain" and isinstance(value, list):
                    out.extend(str(v) for v in value)
                walk(value, in_data)
        elif isinstance(node, list):
            for item in node:
                walk(item, in_data)

    walk(spec, False)
    for rows in (spec.get("datasets") or {}).values():
        for row in rows:
            out.extend(str(row[f]) for f in fields if isinstance(row.get(f), str))


def visible_text(at: AppTest) -> list[str]:
    """What the page shows, as a list of strings."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _proto_strings(proto, out)
            if node.type in ("arrow_data_frame", "dataframe"):
                frame = node.value
                out.extend(str(c) for c in frame.columns)
                for column in frame.columns:
                    out.extend(v for v in frame[column].tolist() if isinstance(v, str))
                if getattr(proto, "columns", ""):
                    config = json.loads(proto.columns)
                    out.extend(json.dumps({k: v for k, v in c.items() if k in ("label", "help")}, ensure_ascii=False)
                               for c in config.values() if isinstance(c, dict))
            spec = getattr(proto, "spec", "")
            if spec:
                parsed = json.loads(spec)
                if "layout" not in parsed:
                    parsed = spec_with_data(proto)  # the chart's data too: words in tooltips and cells
                (_plotly_strings if "data" in parsed and "layout" in parsed else _vega_strings)(parsed, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [s for s in out if s]


# The language switch names each language in itself: "Tiếng Việt" on every page.
ALWAYS_SHOWN = (i18n.LANGUAGE_NAMES["vi"],)


def vietnamese_left(texts: list[str], names: list[str]) -> list[str]:
    """The strings that still hold Vietnamese once every data value is taken out."""
    left = []
    for text in texts:
        stripped = text
        for word in ALWAYS_SHOWN:
            stripped = stripped.replace(word, "·")
        if VIETNAMESE.search(stripped):
            for name in names:
                if name in stripped:
                    stripped = stripped.replace(name, "·")
                    if not VIETNAMESE.search(stripped):
                        break
        if VIETNAMESE.search(stripped):
            left.append(stripped)
    return sorted(set(left))


def english_phrases() -> list[str]:
    """The catalogue's English of more than three words (placeholders cut out)."""
    phrases = []
    for message in i18n.catalogue("en").values():
        for part in re.split(r"\{[^{}]*\}|%\{[^{}]*\}|<[^<>]*>|\*\*|\n", message):
            part = part.strip(" .,:;·—–()“”\"'")
            if len(part.split()) > 3:
                phrases.append(part)
    return sorted(set(phrases))


def account_for(page: str, admin):
    return None if page in SIGNED_OUT_ONLY else admin




def every_part(at, page: str) -> list[str]:
    """What the page shows, and what each of its other parts shows."""
    texts = visible_text(at)
    for part in OTHER_PARTS.get(page, ()):
        at.query_params["muc"] = part
        at.run()
        assert not at.exception, part
        texts += visible_text(at)
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_english_page_has_no_vietnamese_outside_names(page, admin, data_values):
    at = open_page(page, "en", account_for(page, admin))
    texts = every_part(at, page)
    assert len(texts) > 5, "the page showed almost nothing"
    left = vietnamese_left(texts, data_values)
    assert not left, f"{page}: Vietnamese on the English page:\n" + "\n".join(s[:200] for s in left)


@pytest.mark.parametrize("page", PAGES)
def test_vietnamese_page_has_none_of_the_catalogues_english(page, admin):
    at = open_page(page, "vi", account_for(page, admin))
    shown = "\n".join(every_part(at, page))
    assert VIETNAMESE.search(shown)
    found = [phrase for phrase in english_phrases() if phrase in shown]
    assert not found, f"{page}: the catalogue's English on the Vietnamese page: {found[:10]}"


def test_navigation_titles_and_groups_follow_the_language(admin):
    from ui.navigation import page_list

    with i18n.use_language("en"):
        listed = page_list(admin, public_view=True)
    words = [*listed, *(title for items in listed.values() for _file, title, _icon, _default in items)]
    assert "Monitoring" in listed and "Ranking" in words
    assert not [w for w in words if VIETNAMESE.search(w)], words
    assert "Theo dõi" in page_list(admin, public_view=True)


def test_language_is_kept_across_pages_and_in_the_account(admin, store):  # noqa: F811
    from queries.accounts import service

    at = open_page("xep_hang", "en", admin)
    assert at.title[0].value == "Ranking"
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"
    # a page switch drops the address's questions: the language comes back from the session
    at.query_params.clear()
    at.switch_page("app_pages/ho_so_xa.py").run()
    assert at.title[0].value == "Commune profile"
    # the switch saves the choice to a signed-in account, audited
    switch = at.get("button_group")[0]
    switch.set_value("vi").run()
    assert not at.exception
    assert at.title[0].value == "Hồ sơ xã"
    assert service.get_account(store, admin.username).language == "vi"
    switch = at.get("button_group")[0]
    switch.set_value("en").run()
    assert service.get_account(store, admin.username).language == "en"
    # a new browser session of this person opens in English without ?lang=
    fresh = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    fresh.session_state["dti_account"] = service.get_account(store, admin.username)
    fresh.run()
    assert fresh.title[0].value == "Overview"
    _reset_caches()


def test_an_upload_previewed_in_english(admin):
    """The upload page checks a file in English: headings, statuses and the row's problem."""
    from tests.test_page_upload import MONTHLY

    at = open_page("tai_len", "en", admin)
    at.file_uploader[0].set_value(("thang3.csv", MONTHLY, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    preview = next(d.value for d in at.dataframe if "Status" in d.value.columns and "Row" in d.value.columns)
    assert len(preview) == 3 and preview["Status"].str.startswith(("✅", "❌")).all()
    assert not any(VIETNAMESE.search(text) for text in [*preview.columns, *preview["Status"]])
