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
