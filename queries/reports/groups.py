"""The framework a month is scored with, for whoever reads the tables (pages, slides, the pack):
its groups in order, which group each indicator belongs to, one column per group beside a
ranking, and the words that say which framework and version a score uses.

`run` is any way to ask a query by name: a Database's or a reader's `run`, or the pages' cached
`ui.state.query`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from queries import i18n
from queries.i18n import _

SIX = ("HT", "NL", "AT", "CQ", "KT", "XH")  # the columns every ranking carries
Run = Callable[..., pl.DataFrame]


@dataclass(frozen=True)
class MonthFramework:
    key: str
    name: str
    version: int
    status: str
    official: bool
    groups: list[tuple[str, str]]        # (code, name) in order
    weights: dict[str, float]            # code -> share of 100
    points: dict[str, float]             # code -> weight as the file (or the settings) gives it
    members: dict[str, str]              # indicator -> group code
    names_en: dict[str, str] = field(default_factory=dict)  # code -> English name, when the file gives one

    @property
    def id(self) -> str:
        return self.key.split("@")[0]

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.groups]

    @property
    def names(self) -> dict[str, str]:
        return dict(self.groups)

    def group_name(self, code: str) -> str:
        """The group's name in the interface's language: the file's English name (group_name_en),
        else the catalogue's translation of the Vietnamese one (the six pillars), else as written."""
        return i18n.localized(self.names.get(code, code), self.names_en.get(code))

    @property
    def shown_groups(self) -> list[tuple[str, str]]:
        """`groups` with each name in the interface's language (`groups` stays Vietnamese: a key)."""
        return [(code, self.group_name(code)) for code, _name in self.groups]

    @property
    def label(self) -> str:
        """'Sáu trụ cột DTI (six-pillars, phiên bản 1; chính thức)'."""
        return _("{name} ({id}, phiên bản {version}; {status})").format(
            name=self.name, id=self.id, version=self.version, status=_(self.status))

    @property
    def only_six(self) -> bool:
        return set(self.codes) <= set(SIX)

    @property
    def word(self) -> str:
        """What a group is called in sentences: the six pillars stay 'trụ cột'."""
        return _("trụ cột") if self.only_six else _("nhóm")

    def group_of(self, frame: pl.DataFrame, column: str = "indicator") -> pl.DataFrame:
        """`frame` with its indicators' group (`group_code`), rows outside the framework left out
        (innovation targets, indicators the framework does not score)."""
        return (frame.with_columns(pl.col(column).replace_strict(self.members, default=None).alias("group_code"))
                .filter(pl.col("group_code").is_not_null()))


def for_month(run: Run, period: date, framework: str | None = None) -> MonthFramework:
    """The framework in force in the month's year, or the one named (its key)."""
    groups = run("framework_groups", framework=framework, period=period)
    members = run("framework_members", framework=framework, period=period)
    key = groups["framework_key"][0]
    info = run("frameworks").filter(pl.col("framework_key") == key).row(0, named=True)
    codes = groups["code"].to_list()
    return MonthFramework(
        key=key, name=info["name_vi"], version=info["version"], status=info["status"], official=info["official"],
        groups=list(zip(codes, groups["name_vi"].to_list())), weights=dict(zip(codes, groups["share"].to_list())),
        points=dict(zip(codes, groups["weight"].to_list())),
        members=dict(zip(members["indicator"].to_list(), members["group_code"].to_list())),
        names_en={code: name for code, name in zip(codes, groups["name_en"].to_list()) if name},
    )


def with_group_columns(run: Run, ranking: pl.DataFrame, framework: MonthFramework, period: date,
                       province: str | None, *, in_force: bool = True) -> pl.DataFrame:
    """A ranking (or any frame with commune_id) with one column per group of the framework: a
    ranking of the framework in force already has the six pillars' columns; other groups (or,
    `in_force` false, every group of another framework) come from group_scores_by_month."""
    if in_force and framework.only_six and all(c in ranking.columns for c in framework.codes):
        return ranking
    scores = run("group_scores_by_month", period=period, province=province, commune=None,
                 framework=None if in_force else framework.key)
    wide = (scores.select("commune_id", "group_code", "group_score")
            .pivot(on="group_code", index="commune_id", values="group_score"))
    missing = [c for c in framework.codes if c not in wide.columns]
    wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c) for c in missing).select("commune_id", *framework.codes)
    return ranking.drop([c for c in framework.codes if c in ranking.columns]).join(
        wide, on="commune_id", how="left", maintain_order="left")
