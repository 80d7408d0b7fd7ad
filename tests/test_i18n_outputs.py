"""The importer, the exports and the meeting pack in English (`--lang en`, DTI_LANG=en): the
same files, codes and JSON keys as in Vietnamese, the words a person reads in English. Names
of communes, provinces, units and documents stay as the plans write them, so the check for
Vietnamese letters first takes out every name and every value quoted “…” from the file."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from queries import i18n
from queries.reports import export
from queries.reports.pack import build_pack_result
from tests.test_hostile_files import HEADINGS, actuals_row, sheet_xlsx
from tests.test_ingest import PROBLEMS
from tests.upload_data import TODAY, make_data_dir

ROOT = Path(__file__).resolve().parent.parent
# Letters only Vietnamese writes (English text has none of them).
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]")
QUOTED = re.compile(r"“[^”]*”")


def without_names(text: str, names: set[str]) -> str:
    """The text with every quoted value (a cell, a file name) and every name taken out (a name
    the PDF wrapped over two lines too)."""
    text = QUOTED.sub("", " ".join(text.split()))
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def vietnamese_words(text: str, names: set[str]) -> list[str]:
    return [w for w in without_names(text, names).split() if VIETNAMESE.search(w)]


# ---- the importer on the command line --------------------------------------------------------


def bad_files(folder: Path) -> list[Path]:
    """Files that go wrong in every way the importer names: row errors and warnings, an
    unreadable workbook, a cell too long, too many columns, a PDF, an empty file."""
    files = {
        "loi.csv": PROBLEMS.encode("utf-8"),
        "hong.xlsx": sheet_xlsx(actuals_row(2, "<v>5</v>"))[:400],
        "o_dai.csv": (HEADINGS + "Xã Định Tiến,03/2026,KT08,5,,," + "y" * 200_000 + "\n").encode(),
        "nhieu_cot.csv": ("Tên xã,Giá trị," + ",".join(["x"] * 300) + "\n").encode(),
        "van_ban.pdf": b"%PDF-1.7\n" + b"0" * 100,
        "rong.csv": b"",
        "thieu_cot.csv": "Tên xã,Ghi chú\nXã Định Tiến,a\n".encode(),
    }
    paths = []
    for name, content in files.items():
        (folder / name).write_bytes(content)
        paths.append(folder / name)
    return paths


def run_ingest(tmp_path: Path, *args, lang_env: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DTI_DATA_DIR": str(make_data_dir(tmp_path / "data")), "DTI_STORE": str(tmp_path / "store"),
           "DTI_NOW": TODAY.isoformat()}
    env.pop("DTI_LANG", None)
    if lang_env:
        env["DTI_LANG"] = lang_env
    done = subprocess.run([sys.executable, "-m", "queries.ingest", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stderr + done.stdout
    return done


def catalog_names() -> set[str]:
    """Communes and provinces of the test catalog, as the messages write them."""
    data = make_data_dir(Path("/tmp") / f"dti-i18n-names-{os.getpid()}")
    communes = pl.read_csv(data / "communes.csv", infer_schema_length=0)
    names = set(communes["commune_name"].to_list()) | set(communes["province"].to_list())
    return names | {n.removeprefix("Xã ") for n in names}


def shape(value):
    """The JSON with every text replaced by its type: what must not change with the language."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def messages_of(output: dict) -> list[str]:
    return [m["message"] for m in output["errors"] + output["warnings"]]


@pytest.fixture(scope="module")
def both_languages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    paths = bad_files(folder)
    runs = {}
    for lang, extra, env in (("vi", [], None), ("en", ["--lang", "en"], None), ("env", [], "en")):
        done = run_ingest(folder / lang, *paths, "--json", "--dry-run", *extra, lang_env=env)
        runs[lang] = (done.returncode, [json.loads(line) for line in done.stdout.splitlines()])
    text_vi = run_ingest(folder / "text-vi", *paths, "--dry-run")
    text_en = run_ingest(folder / "text-en", *paths, "--dry-run", "--lang", "en")
    return {"runs": runs, "paths": paths, "text": {"vi": text_vi, "en": text_en}}


def test_json_keys_and_values_are_the_same_in_both_languages(both_languages):
    (code_vi, vi), (code_en, en) = both_languages["runs"]["vi"], both_languages["runs"]["en"]
    assert code_vi == code_en == 2
    assert len(vi) == len(en) == len(both_languages["paths"])
    for one, other in zip(vi, en):
        assert list(one) == list(other) == ["file", "kind", "rows", "accepted", "errors", "warnings", "duplicates"]
        assert shape(one) == shape(other)
        for key in ("file", "kind", "rows", "accepted", "duplicates"):
            assert one[key] == other[key], key
        assert [(e["row"], e["column"]) for e in one["errors"]] == [(e["row"], e["column"]) for e in other["errors"]]


def test_messages_are_vietnamese_by_default_and_english_with_lang_en(both_languages):
    names = catalog_names()
    vi, en = both_languages["runs"]["vi"][1], both_languages["runs"]["en"][1]
    for one, other in zip(vi, en):
        assert messages_of(one) and len(messages_of(one)) == len(messages_of(other))
        for message_vi, message_en in zip(messages_of(one), messages_of(other)):
            assert message_vi != message_en
            assert VIETNAMESE.search(message_vi), message_vi
            assert not vietnamese_words(message_en, names), message_en


def test_dti_lang_in_the_environment_is_the_same_as_lang_en(both_languages):
    assert both_languages["runs"]["env"] == both_languages["runs"]["en"]


def test_the_english_messages_read_as_english(both_languages):
    by_file = {Path(o["file"]).name: messages_of(o) for o in both_languages["runs"]["en"][1]}
    problems = by_file["loi.csv"]
    assert "Row 3, column ten_xa: commune “Dinh Tienn” was not found in province Thanh Hóa — did you mean " \
           "“Xã Định Tiến”?" in problems
    assert "Row 5, column gia_tri: “abc” is not a number" in problems
    assert "Row 6, column gia_tri: rate 120 % is outside 0–100" in problems
    assert "Row 9, column ky_bao_cao: reporting period December 2026 is in the future (today is 22/11/2026)" \
           in problems
    assert "Row 13: repeats row 2, stored once" in problems
    assert by_file["rong.csv"] == ["The file is empty: it has no rows"]
    assert by_file["van_ban.pdf"] == ["A PDF file is not a data table: please send an Excel (.xlsx) or CSV file"]
    assert by_file["nhieu_cot.csv"][0].startswith("Row 1 of the file has data in column 302, beyond the limit")
    assert by_file["o_dai.csv"][0].startswith("The CSV file has a cell longer than 131,072 characters")
    assert by_file["thieu_cot.csv"][0].startswith("The kind of file could not be recognised from the heading row")


def test_the_terminal_summary_follows_the_language(both_languages):
    names = catalog_names()
    vi, en = both_languages["text"]["vi"], both_languages["text"]["en"]
    assert vi.returncode == en.returncode == 2
    assert "Tệp: " in vi.stdout and "Đọc được: CSV, mã UTF-8, phân cách bằng dấu phẩy" in vi.stdout
    assert "Chạy thử (--dry-run): chưa lưu gì" in vi.stdout
    assert "Read as: CSV, encoding UTF-8, separated by commas; the heading is row 1" in en.stdout
    assert "Kind: monthly results — 16 rows: 2 valid, 13 with errors, 1 repeated" in en.stdout
    assert "Dry run (--dry-run): nothing stored yet" in en.stdout
    assert not vietnamese_words(en.stdout, names | {"Tên", "xã", "Giá", "trị", "Ghi", "chú"}), en.stdout


def test_the_command_line_refuses_in_the_language_asked(tmp_path):
    vi = run_ingest(tmp_path / "vi", "--bogus")
    en = run_ingest(tmp_path / "en", "--bogus", "--lang", "en")
    assert vi.returncode == en.returncode == 2
    assert vi.stderr.strip() == "Lỗi: không hiểu tham số: --bogus. Xem: python -m queries.ingest --help"
    assert en.stderr.strip() == "Error: unrecognised arguments: --bogus. See: python -m queries.ingest --help"
    missing = run_ingest(tmp_path / "missing", tmp_path / "khong_co.csv", "--json", "--lang", "en")
    output = json.loads(missing.stdout)
    assert list(output) == ["file", "kind", "rows", "accepted", "errors", "warnings", "duplicates"]
    assert output["errors"][0]["message"].endswith(": there is no such file")


# ---- exports ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(shipped_db):
    return shipped_db


def exported(argv: list[str], capsysbinary) -> bytes:
    assert export.main(argv) == 0
    return capsysbinary.readouterr().out


def test_export_headers_follow_the_language_and_json_does_not(db, capsysbinary):
    base = ["ranking", "--province", "Minh Họa", "--period", "2026-11"]
    vi = exported([*base, "--format", "csv"], capsysbinary).decode("utf-8-sig")
    en = exported([*base, "--format", "csv", "--lang", "en"], capsysbinary).decode("utf-8-sig")
    assert vi.splitlines()[0].startswith("Hạng,Xã,Tỉnh,Điểm tổng (0–100),Hạ tầng số (HT)")
    assert en.splitlines()[0].startswith("Rank,Commune,Province,Overall score (0–100),Digital infrastructure (HT)")
    assert not VIETNAMESE.search(en.splitlines()[0])
    assert vi.splitlines()[1:] == en.splitlines()[1:]  # the rows: names and numbers as they are
    json_vi = exported([*base, "--format", "json"], capsysbinary)
    json_en = exported([*base, "--format", "json", "--lang", "en"], capsysbinary)
    assert json_vi == json_en
    assert i18n.current() == "vi"  # main() leaves the caller's language as it found it


def test_english_progress_names_indicators_and_statuses_in_english(db, capsysbinary):
    text = exported(["progress", "--province", "Minh Họa", "--period", "2026-11", "--format", "csv", "--lang", "en"],
                    capsysbinary).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:5] == ["Commune", "Province", "Pillar", "Indicator code", "Indicator"]
    catalog = pl.read_csv(ROOT / "data" / "indicators.csv", infer_schema_length=0)
    english = dict(zip(catalog["code"].to_list(), catalog["name_en"].to_list()))
    assert all(r["Indicator"] == english[r["Indicator code"]] for r in rows)
    assert {r["Status"] for r in rows} <= {"Achieved", "On track", "Needs to speed up", "Slow", "Going backwards",
                                           "Not enough data", "No data yet"}
    assert {r["Projection"] for r in rows} <= {"Projected to achieve", "Projected to fall short",
                                               "Not enough data to project", ""}


def test_other_exports_have_english_headings(db, capsysbinary):
    for what, first in (("compliance", "Commune,Province,Report status,Received at (Vietnam time),Days late"),
                        ("tasks", "Commune,Province,Plan year,Item,Group,Task,Deadline"),
                        ("spending", "Commune,Province,Year,Expense item,Planned (VND),Spent (VND),Source"),
                        ("frameworks", "Framework code,Version,Name,Status,From,To,Group code,Group,Weight")):
        argv = [what, "--format", "csv", "--lang", "en"] + (["--period", "2026-11"] if what == "compliance" else [])
        text = exported(argv, capsysbinary).decode("utf-8-sig")
        assert text.splitlines()[0].startswith(first), (what, text.splitlines()[0])


def test_the_english_template_explains_in_english(db, tmp_path):
    out = tmp_path / "template.xlsx"
    assert export.main(["template", "--lang", "en", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Data", "Instructions", "Lists"]
    assert [c.value for c in book["Data"][1]][:4] == ["ma_xa", "ten_xa", "tinh", "ky_bao_cao"]  # the file's format
    instructions = [c.value for c in book["Instructions"]["A"] if c.value]
    assert instructions[:2] == ["How to use this template",
                                "1. Enter the data in the sheet “Data”, one row per commune, indicator and month."]
    lists = [c.value for c in book["Lists"][1]]
    assert "List: indicator names" in lists
    names = [c.value for c in book["Lists"]["E"][1:4]]
    assert all(n and not VIETNAMESE.search(n) for n in names), names


# ---- the meeting pack --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def english_pack(db):
    with i18n.use_language("en"):
        result = build_pack_result("Minh Họa", __import__("datetime").date(2026, 11, 1), db=db, charts=False)
    reader = PdfReader(io.BytesIO(result.content))
    return {"reader": reader, "texts": [page.extract_text() for page in reader.pages]}


def pack_names(db) -> set[str]:
    """What the pack may write in Vietnamese: names of communes, provinces, units, frameworks."""
    ranking = db.run("ranking_by_month", period=__import__("datetime").date(2026, 11, 1), province="Minh Họa")
    status = db.run("indicator_status", period=__import__("datetime").date(2026, 11, 1), province="Minh Họa",
                    commune=None)
    frameworks = db.run("frameworks")
    names = set(ranking["commune_name"].to_list()) | {"Minh Họa"} | set(frameworks["name_vi"].to_list())
    names |= {u for u in status["lead_unit"].to_list() if u}
    return names | {n.removeprefix("Xã ") for n in names}


def test_the_english_pack_has_english_headings(english_pack):
    texts = english_pack["texts"]
    assert english_pack["reader"].metadata.title == "Digital transformation meeting pack – Minh Họa – November 2026"
    for text in ("Monthly review meeting pack", "Commune digital transformation progress", "November 2026",
                 "DEMONSTRATION DATA", "Communes"):
        assert text in texts[0], text
    joined = "\n".join(texts)
    for heading in ("Province overview", "Digital infrastructure (HT)", "Digital government (CQ)",
                    "How scores are computed", "Appendix: full ranking", "Page 2/"):
        assert heading in joined, heading
    assert "Tháng" not in joined and "Trang " not in joined


def test_the_english_pack_has_no_vietnamese_words_outside_names(english_pack, db):
    names = pack_names(db)
    for number, text in enumerate(english_pack["texts"], start=1):
        assert not vietnamese_words(text, names), (number, vietnamese_words(text, names))


def test_the_pack_command_takes_lang_en(db, tmp_path, capsys):
    out = tmp_path / "pack-en.pdf"
    assert export.main(["pack", "--province", "minh hoa", "--period", "2026-11", "--out", str(out), "--lang", "en"]) == 0
    assert capsys.readouterr().err.startswith(f"Wrote {out} (")
    assert PdfReader(out).metadata.title == "Digital transformation meeting pack – Minh Họa – November 2026"
    assert export.main(["pack", "--period", "2026-11", "--lang", "en"]) == 2
    assert "The meeting pack is made for one province: add --province" in capsys.readouterr().err


# ---- names a page shows ------------------------------------------------------------------------


def test_indicator_names_follow_the_language_and_nothing_else_does(db):
    from queries.reports.names import indicator_name, with_indicator_names

    catalog = pl.read_csv(ROOT / "data" / "indicators.csv", infer_schema_length=0).row(0, named=True)
    assert indicator_name(catalog["code"], db.run) == catalog["name_vi"]
    frame = pl.DataFrame({"indicator": [catalog["code"], "ZZ99"], "indicator_name": [catalog["name_vi"], "khác"],
                          "commune_name": ["Xã Định Tiến", "Xã Định Tiến"]})
    assert with_indicator_names(frame, db.run).equals(frame)  # Vietnamese: as the queries give it
    with i18n.use_language("en"):
        assert indicator_name(catalog["code"], db.run) == catalog["name_en"]
        english = with_indicator_names(frame, db.run)
    assert english["indicator_name"].to_list() == [catalog["name_en"], "khác"]  # unknown code: kept
    assert english["commune_name"].to_list() == frame["commune_name"].to_list()


def test_framework_groups_have_english_names_and_files_without_them_still_load():
    from queries.frameworks.model import parse_framework
    from queries.reports.groups import MonthFramework

    shipped = parse_framework((ROOT / "data" / "frameworks" / "six-pillars.csv").read_bytes())
    assert {g.code: g.name_en for g in shipped.groups}["CQ"] == "Digital government"
    old = b"".join(line.rsplit(b",", 1)[0] + b"\n" for line in shipped.to_csv().splitlines())  # no group_name_en
    plain = parse_framework(old)
    assert [g.name for g in plain.groups] == [g.name for g in shipped.groups]
    assert all(g.name_en == "" for g in plain.groups) and plain.to_csv() == old
    month = MonthFramework(key="x@1", name="X", version=1, status="chính thức", official=True,
                           groups=[("HT", "Hạ tầng số"), ("NT", "Nhận thức số"), ("ZZ", "Nhóm riêng")],
                           weights={}, points={}, members={}, names_en={"NT": "Digital awareness"})
    assert month.shown_groups == month.groups
    with i18n.use_language("en"):
        # the file's English name, else the catalogue's (the six pillars), else the name as written
        assert month.shown_groups == [("HT", "Digital infrastructure"), ("NT", "Digital awareness"), ("ZZ", "Nhóm riêng")]
        assert month.label == "X (x, version 1; official)"


def test_an_english_file_is_read_like_a_vietnamese_one(tmp_path):
    """English headings, the English indicator name and English task statuses (what an English
    template's lists offer) are read as their Vietnamese counterparts, in either language."""
    from queries.ingest.pipeline import check_file
    from tests.upload_data import make_database

    db = make_database(tmp_path)
    content = (b"Commune name,Province,Period,Indicator name,Value\n"
               b"Dinh Tien,Thanh Hoa,03/2026,Smartphones,81\n")
    for language in ("vi", "en"):
        with i18n.use_language(language):
            result = check_file(content, "english.csv", db=db, today=TODAY)
        assert [r.record["indicator"] for r in result.accepted] == ["XH05"], result.errors
    from queries.plans.tasks import STATUS_LABELS, parse_task_status

    with i18n.use_language("en"):
        english = {code: i18n.gettext(label) for code, label in STATUS_LABELS.items()}
    assert english == {"chua_bat_dau": "Not started", "dang_thuc_hien": "In progress", "hoan_thanh": "Completed"}
    assert {code: parse_task_status(label) for code, label in english.items()} == {c: c for c in english}
