"""'Vì sao điểm này?': the overall score of one commune taken apart, pillar by pillar and
indicator by indicator, from the points the scoring macro gave each indicator.

The macro scores each indicator 0–100; a pillar's (a group's) score is the average of its
indicators' points, weighted by each indicator's weight in the framework (1 each in the
shipped frameworks); the overall score is the weighted average of the pillars that have
targets. So an indicator's share of the overall score is (its pillar's weight / the weights of
the pillars with targets) × (its weight / the weights of the scored indicators in its pillar);
its contribution is share × points, and the points it still lacks are share × (100 − points).
The contributions add up to the score. Nothing is re-scored here: points, weights and the
unreported rule come from the database.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from queries.i18n import _
from queries.text import format_number
from ui.format import in_sentence, value_text


@dataclass(frozen=True)
class Explanation:
    score: float | None
    pillars: pl.DataFrame      # pillar, pillar_name, weight, share, n_indicators, pillar_score, contribution, lost
    indicators: pl.DataFrame   # the commune_indicators rows of pillar indicators + share, contribution, lost, value_text
    text: str


def explain_score(indicators: pl.DataFrame, weights: pl.DataFrame,
                  indicator_weights: dict[str, float] | None = None) -> Explanation:
    """indicators: rows of the `commune_indicators` query (their `pillar` the group of the month's
    framework: ui.frameworks.regroup); weights: `pillar_weights` or `framework_groups` (code,
    name_vi, weight, sort_order); indicator_weights: each member's weight within its group
    (`framework_members`), 1 where not given."""
    rows = indicators.filter(pl.col("pillar").is_in(weights["code"].to_list())).with_columns(
        pl.col("indicator").replace_strict(indicator_weights or {}, default=1.0, return_dtype=pl.Float64)
        .alias("indicator_weight"))
    equal = rows["indicator_weight"].n_unique() <= 1
    rule = indicators["unreported_rule"][0] if indicators.height and "unreported_rule" in indicators.columns else "zero"
    if rows.is_empty():
        return Explanation(None, pl.DataFrame(), pl.DataFrame(), "")
    pillars = (
        rows.filter(pl.col("points").is_not_null())
        .group_by("pillar").agg(
            pl.len().alias("n_indicators"), pl.col("indicator_weight").sum().alias("member_weights"),
            ((pl.col("points") * pl.col("indicator_weight")).sum() / pl.col("indicator_weight").sum())
            .alias("pillar_score"))
        .join(weights.select(pl.col("code").alias("pillar"), pl.col("name_vi").alias("pillar_name"), "weight",
                             "sort_order"), on="pillar", how="inner")
        .sort("sort_order")
    )
    if pillars.is_empty():
        return Explanation(None, pl.DataFrame(), pl.DataFrame(), "")
    total_weight = float(pillars["weight"].sum())
    pillars = pillars.with_columns((pl.col("weight") / total_weight).alias("share")).with_columns(
        (pl.col("share") * pl.col("pillar_score")).alias("contribution"),
        (pl.col("share") * (100 - pl.col("pillar_score"))).alias("lost"),
    )
    score = float(pillars["contribution"].sum())
    per_pillar = pillars.select("pillar", (pl.col("share") / pl.col("member_weights")).alias("share"))
    detail = (
        rows.join(per_pillar, on="pillar", how="left")
        .with_columns(
            pl.when(pl.col("points").is_null()).then(0.0)
            .otherwise(pl.col("share") * pl.col("indicator_weight")).alias("share"),
        )
        .with_columns(
            (pl.col("share") * pl.col("points").fill_null(0)).alias("contribution"),
            pl.when(pl.col("points").is_null()).then(0.0)
            .otherwise(pl.col("share") * (100 - pl.col("points"))).alias("lost"),
        )
    )
    detail = detail.with_columns(value_text(detail, "value", "value_text"))
    parts = " + ".join(
        f"{row['pillar_name']} {format_number(row['pillar_score'], 2)} × {format_number(row['weight'], 0)}"
        for row in pillars.iter_rows(named=True)
    )
    missing_pillars = [name for code, name in zip(weights["code"], weights["name_vi"])
                       if code not in pillars["pillar"].to_list()]
    biggest = detail.filter(pl.col("lost") > 0).sort("lost", descending=True).head(3)
    unreported = rows.filter(pl.col("value").is_null()).height
    lines = [
        _("**Điểm tổng {score}** là trung bình có trọng số của điểm các trụ cột có chỉ tiêu: "
            "({parts}) ÷ {total_weight}.").format(
            score=format_number(score, 2),
            parts=parts,
            total_weight=format_number(total_weight, 0)),
        (_("Điểm một trụ cột là trung bình điểm các chỉ tiêu của trụ cột đó.") if equal else
         _("Điểm một trụ cột là trung bình có trọng số của điểm các chỉ tiêu của trụ cột đó (trọng số từng chỉ tiêu "
           "theo bộ khung)."))
        + " " + _("Mỗi chỉ tiêu được tối đa 100 điểm, bằng phần trăm mục tiêu đã đạt (chỉ tiêu càng thấp càng tốt thì "
                  "tính ngược lại)."),
    ]
    if unreported:
        lines.append(
            _("{unreported} chỉ tiêu chưa có số liệu ").format(unreported=unreported)
            + (_("được tính 0 điểm (không có minh chứng thì không có điểm).") if rule != "exclude"
               else _("không được tính vào trung bình (theo cài đặt hiện hành)."))
        )
    if missing_pillars:
        lines.append(_("Trụ cột không có chỉ tiêu nào năm này nên không tính: ") + ", ".join(missing_pillars) + ".")
    if biggest.height:
        lines.append(_("Mất nhiều điểm nhất: ") + "; ".join(
            _("{indicator} {value} (−{lost} điểm)").format(
                indicator=row['indicator'],
                value=in_sentence(row['indicator_name']) if row['indicator_name'] else '',
                lost=format_number(row['lost'], 2)) for row in biggest.iter_rows(named=True)) + ".")
    return Explanation(score, pillars, detail, "\n\n".join(lines))


def wrap(text: str, width: int, max_lines: int = 2) -> str:
    """Break a long title into at most `max_lines` lines (Plotly <br>), with … if cut."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "<br>".join(lines)
