"""The framework a month is scored with, as the pages read it (through this session's cached,
scoped queries): queries/reports/groups.py does the work."""
from __future__ import annotations

from datetime import date

import polars as pl

from queries.reports import groups
from queries.reports.groups import MonthFramework
from ui.state import query

__all__ = ["MonthFramework", "every_framework", "for_month", "with_group_columns"]


def for_month(period: date, framework: str | None = None) -> MonthFramework:
    return groups.for_month(query, period, framework)


def every_framework() -> pl.DataFrame:
    return query("frameworks")


def with_group_columns(ranking: pl.DataFrame, framework: MonthFramework, period: date,
                       province: str | None) -> pl.DataFrame:
    return groups.with_group_columns(query, ranking, framework, period, province)


def regroup(frame: pl.DataFrame, framework: MonthFramework) -> pl.DataFrame:
    """Rows of indicators (commune_indicators, indicator_trend…) with `pillar`, `pillar_name` and
    `pillar_order` of the framework's groups; an indicator outside the framework (innovation)
    keeps its catalog pillar and has no group name."""
    order = {code: i for i, code in enumerate(framework.codes)}
    grouped = frame.with_columns(pl.col("indicator").replace_strict(framework.members, default=None).alias("_group"))
    return grouped.with_columns(
        pl.coalesce("_group", "pillar").alias("pillar"),
        pl.col("_group").replace_strict({code: framework.group_name(code) for code in framework.codes}, default=None)
        .alias("pillar_name"),
        pl.col("_group").replace_strict(order, default=99).alias("pillar_order"),
    ).drop("_group")
