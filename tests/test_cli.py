"""The command lines: export and the demo generator."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from queries.db import Database
from queries.demo import generate as demo

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env_store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DTI_STORE": str(env_store), "HOME": str(env_store)})


def test_export_ranking_json_shape(tmp_path):
    result = run("-m", "queries.export", "ranking", "--format", "json", "--province", "minh hoa",
                 "--period", "2026-11", env_store=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    rows = json.loads(result.stdout)
    assert len(rows) == 100
    first = rows[0]
    assert set(first) >= {"rank", "commune_name", "province", "score", "pillars", "coverage", "rank_change"}
    assert first["rank"] == 1 and first["province"] == "Minh Họa"
    assert set(first["pillars"]) == {"HT", "NL", "AT", "CQ", "KT", "XH"}
    assert 0 <= first["score"] <= 100 and 0 <= first["coverage"] <= 1
    scores = [r["score"] for r in rows if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)  # best first


def test_export_all_provinces_and_formats(tmp_path):
    result = run("-m", "queries.export", "ranking", "--format", "csv", "--period", "2026-11", env_store=tmp_path)
    assert result.returncode == 0
    text = result.stdout.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Hạng,Xã,Tỉnh")
    assert "Đồng Nai" in text and "Minh Họa" in text  # all provinces ranked together
    out = tmp_path / "tien-do.xlsx"
    result = run("-m", "queries.export", "progress", "--format", "xlsx", "--province", "Đồng Nai",
                 "--period", "2026-11", "--out", str(out), env_store=tmp_path)
    assert result.returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet["A3"].value == "Xã" and sheet.freeze_panes == "A4"


def test_export_unknown_province_is_a_clear_message(tmp_path):
    result = run("-m", "queries.export", "ranking", "--province", "Hà Nội", env_store=tmp_path)
    assert result.returncode == 2
    assert "Không có tỉnh “Hà Nội”" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_demo_generator_is_deterministic_and_fictional():
    first = demo.generate(provinces=2, communes=10, months=14, seed=3, end=date(2026, 11, 1))
    again = demo.generate(provinces=2, communes=10, months=14, seed=3, end=date(2026, 11, 1))
    for kind in first:
        assert first[kind].equals(again[kind])
    communes = first["communes"]
    assert communes.height == 10 and communes["is_demo"].all()
    assert set(communes["province"]) == {"Minh Họa 01", "Minh Họa 02"}
    actuals = first["actuals"]
    assert actuals["period"].min() == date(2025, 10, 1) and actuals["period"].max() == date(2026, 11, 1)
    assert set(first["targets"]["year"]) == {2025, 2026}


def test_demo_cli_writes_a_store_the_app_reads(tmp_path):
    store = tmp_path / "demo"
    result = run("-m", "queries.demo", "--provinces", "1", "--communes", "12", "--months", "6",
                 "--end", "2026-11", "--store", str(store), "--seed", "5", env_store=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    db = Database(store=store, include_demo=False)
    ranking = db.run_query("ranking_by_month", period=date(2026, 11, 1), province="Minh Họa")
    assert ranking.height == 12 and ranking["is_demo"].all()
    assert ranking["rank"].null_count() == 0


def test_shipped_demo_is_labelled_and_current():
    db = Database(store=Path("/nonexistent-store-for-test"), include_demo=True)
    provinces = db.run_query("provinces").to_dicts()
    demo_rows = [p for p in provinces if p["is_demo"]]
    assert [p["province"] for p in demo_rows] == ["Minh Họa"]
    assert demo_rows[0]["n_communes"] == 100
    span = db.sql("""select min(a.period) as first, max(a.period) as last from actuals a
                      join communes c using (commune_id) where c.is_demo""").row(0, named=True)
    assert span == {"first": date(2025, 1, 1), "last": date(2026, 11, 1)}
