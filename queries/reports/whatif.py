"""The frameworks and the what-if ranking, for the command line and the ranking page's download.

    python -m queries.export frameworks --format json
    python -m queries.export ranking --framework ID --weights HT=20,NL=10,… --format json

`choose(data_dir, store_root, period, framework, weights)` reads what was typed before any
table is built (an unknown framework, weights that do not sum to 100 are one Vietnamese
sentence); `whatif_ranking(db, …)` asks queries/sql/whatif_ranking.sql, which ranks from the
group scores already kept: nothing stored changes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from queries import i18n
from queries.data import DataSource
from queries.errors import UserFacingError
from queries.frameworks import registry
from queries.frameworks.model import Framework
from queries.frameworks.whatif import parse_weights, weights_label
from queries.i18n import N_, _
from queries.reports.tables import to_xlsx_bytes
from queries.spreadsheet import to_csv_bytes
from queries.text import format_month

WHATIF = N_("trọng số giả định")  # a msgid: _(WHATIF) where shown


class UnknownFramework(UserFacingError):
    """--framework names no framework."""


@dataclass(frozen=True)
class Choice:
    framework: Framework
    weights: dict[str, float]   # percent, every group of the framework
    official: bool              # the framework in force that year, at its own weights: the stored ranking


def find_framework(known: list[Framework], text: str) -> Framework:
    """'six-pillars' (its newest version) or 'six-pillars@1'."""
    wanted = text.strip()
    exact = [f for f in known if f.key == wanted]
    if exact:
        return exact[0]
    same_id = [f for f in known if f.id == wanted]
    if same_id:
        return max(same_id, key=lambda f: f.version)
    names = ", ".join(sorted({f.id for f in known}))
    raise UnknownFramework(_("Không có bộ khung “{wanted}”. Các bộ khung có: {names}.").format(wanted=wanted, names=names))


def choose(data_dir: Path, store_root: Path, period: date, framework: str | None, weights: str | None,
           settings: dict) -> Choice:
    known = registry.every_framework(data_dir, store_root)
    in_force_key = registry.in_force(data_dir, store_root)[period.year]
    chosen = find_framework(known, framework) if framework else next(f for f in known if f.key == in_force_key)
    official = _official_weights(chosen, settings)
    if weights is None:
        return Choice(chosen, official, chosen.key == in_force_key)
    return Choice(chosen, parse_weights(weights, chosen), False)


def _official_weights(framework: Framework, settings: dict) -> dict[str, float]:
    """The framework's own weights in percent (the default framework's first version reads the
    settings weight_<code>, as the tables do)."""
    points = {g.code: g.weight for g in framework.groups}
    if framework.key == f"{registry.DEFAULT_ID}@1":
        points = {code: float(settings.get(f"weight_{code}", w)) for code, w in points.items()}
    total = sum(points.values())
    return {code: 100 * w / total for code, w in points.items()}


def whatif_ranking(db: DataSource, period: date, province: str | None, choice: Choice) -> pl.DataFrame:
    """The what-if ranking with one column per group of the chosen framework (the group scores,
    which the weights do not change)."""
    frame = db.run("whatif_ranking", period=period, province=province, framework=choice.framework.key,
                   weights=[choice.weights[g.code] for g in choice.framework.groups])
    scores = db.run("group_scores_by_month", period=period, province=province, commune=None,
                    framework=choice.framework.key)
    codes = [g.code for g in choice.framework.groups]
    wide = scores.select("commune_id", "group_code", "group_score").pivot(
        on="group_code", index="commune_id", values="group_score")
    wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c) for c in codes if c not in wide.columns)
    return frame.join(wide.select("commune_id", *codes), on="commune_id", how="left", maintain_order="left")


def whatif_json(frame: pl.DataFrame, choice: Choice) -> list[dict]:
    """Today's fields of a ranking row, plus the framework and the weights used and the official rank."""
    return [
        {
            "rank": row["rank"], "commune_id": row["commune_id"], "commune_name": row["commune_name"],
            "province": row["province"], "score": row["score"],
            "pillars": {g.code: row[g.code] for g in choice.framework.groups},
            "coverage": row["coverage"], "rank_change": row["rank_change"], "is_demo": row["is_demo"],
            "framework": choice.framework.key, "weights": choice.weights,
            "official_rank": row["official_rank"], "official_score": row["official_score"],
            "rank_change_official": row["rank_change_official"],
        }
        for row in frame.iter_rows(named=True)
    ]


def whatif_headings(framework: Framework) -> dict[str, str]:
    """The what-if ranking's headings in the interface's language."""
    return {
        "rank": _("Hạng (trọng số giả định)"), "commune_name": _("Xã"), "province": _("Tỉnh"),
        "score": _("Điểm tổng theo trọng số giả định (0–100)"),
        **{g.code: f"{i18n.localized(g.name, g.name_en)} ({g.code})" for g in framework.groups},
        "coverage": _("Tỷ lệ chỉ tiêu có số liệu"), "official_rank": _("Hạng chính thức"),
        "official_score": _("Điểm chính thức"), "rank_change_official": _("Thay đổi hạng so với chính thức"),
        "n_targets": _("Số chỉ tiêu"), "n_reported": _("Số chỉ tiêu có số liệu"), "is_demo": _("Dữ liệu minh họa"),
    }


def whatif_title(choice: Choice, scope: str, period: date) -> str:
    return _("Xếp hạng theo {whatif} ({weights}) – bộ khung {framework} – {scope} – {month}").format(
        whatif=_(WHATIF), weights=weights_label(choice.weights), framework=choice.framework.label, scope=scope,
        month=format_month(period))


def render_whatif(frame: pl.DataFrame, choice: Choice, fmt: str, title: str) -> bytes:
    if fmt == "json":
        return (json.dumps(whatif_json(frame, choice), ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
    headings = whatif_headings(choice.framework)
    codes = [g.code for g in choice.framework.groups]
    table = frame.select(list(headings))
    if frame["is_demo"].any():
        title += _(" (có dữ liệu minh họa)")
    if fmt == "csv":
        return to_csv_bytes(table, headings)
    return to_xlsx_bytes({_("Trọng số giả định"): table}, headings=headings, title=title,
                         number_formats={"coverage": "0.0%", "score": "0.00", "official_score": "0.00",
                                         **{c: "0.00" for c in codes}})


def frameworks_rows(db: DataSource) -> list[dict]:
    """Every framework known, with its groups (weights, their share, member indicators)."""
    rows = []
    for f in db.run("frameworks").iter_rows(named=True):
        groups = db.run("framework_groups", framework=f["framework_key"], period=None)
        members = db.run("framework_members", framework=f["framework_key"], period=None)
        rows.append({
            "id": f["framework_id"], "key": f["framework_key"], "version": f["version"], "name": f["name_vi"],
            "year_from": f["year_from"], "year_to": f["year_to"], "status": f["status"], "official": f["official"],
            "document": f["document"], "shipped": f["shipped"], "in_force": f["in_force"] or [],
            "groups": [
                {"code": g["code"], "name": g["name_vi"], "weight": g["weight"], "share": round(g["share"], 4),
                 "indicators": members.filter(pl.col("group_code") == g["code"])["indicator"].to_list()}
                for g in groups.iter_rows(named=True)
            ],
        })
    return rows


FRAMEWORK_HEADINGS = {"id": N_("Mã bộ khung"), "version": N_("Phiên bản"), "name": N_("Tên"), "status": N_("Trạng thái"),
                      "year_from": N_("Từ năm"), "year_to": N_("Đến năm"), "code": N_("Mã nhóm"), "group": N_("Nhóm"),
                      "weight": N_("Trọng số"), "share": N_("Tỷ trọng (%)"), "indicators": N_("Chỉ tiêu")}


def render_frameworks(rows: list[dict], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    flat = pl.DataFrame([
        {"id": r["id"], "version": r["version"], "name": r["name"], "status": i18n.localized(r["status"]),
         "year_from": r["year_from"],
         "year_to": r["year_to"], "code": g["code"], "group": i18n.localized(g["name"]), "weight": g["weight"],
         "share": g["share"],
         "indicators": ", ".join(g["indicators"])}
        for r in rows for g in r["groups"]
    ])
    headings = {key: _(text) for key, text in FRAMEWORK_HEADINGS.items()}
    if fmt == "csv":
        return to_csv_bytes(flat, headings)
    return to_xlsx_bytes({_("Bộ khung"): flat}, headings=headings, title=_("Các bộ khung chỉ số"),
                         number_formats={"share": "0.00"})
