"""What the database knows that checking a file needs: the indicators and communes, indexed for
matching the names people type, the plans' tasks, the first target year and the bounds of a
plausible value. `Catalog.from_database` reads them once per file, from a queries.db.Database
(the page) or a queries.ingest.catalog.CatalogDatabase (the command line), through the
questions of queries/sql/catalog/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from queries.cells import is_blank
from queries.data import DataSource
from queries.ingest.parse import ValueLimits
from queries.text import commune_key, fold, nfc, province_key


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    direction: str
    name: str


@dataclass(frozen=True)
class Commune:
    commune_id: str
    code: str | None
    name: str
    province: str
    extra: tuple  # adult_population, population_15plus, working_age_population, is_demo


DEFAULT_LIMITS = ValueLimits()  # frozen: one instance serves every catalog that is given none


class Catalog:
    """Indicators and communes from the Database, indexed for matching typed names."""

    def __init__(self, indicators: pl.DataFrame, communes: pl.DataFrame, *,
                 first_target_year: int | None = None, limits: ValueLimits = DEFAULT_LIMITS,
                 tasks: pl.DataFrame | None = None):
        # The plausibility rules of `check_range` and `read_period`, looked up once per file.
        self.first_target_year = first_target_year
        self.limits = limits
        # The plans' tasks: commune_id -> plan year -> {item: name}, for task-status files.
        self.tasks: dict[str, dict[int, dict[str, str]]] = {}
        for r in (tasks.iter_rows(named=True) if tasks is not None else ()):
            self.tasks.setdefault(r["commune_id"], {}).setdefault(int(r["plan_year"]), {})[r["item"]] = r["name"] or ""
        self.indicators = {
            r["code"]: Indicator(r["code"], r["unit"], r["direction"] or "up", r["name_vi"] or "")
            for r in indicators.iter_rows(named=True)
        }
        self.indicator_by_name = {fold(i.name): i.code for i in self.indicators.values() if i.name}
        for r in indicators.iter_rows(named=True):  # the English name, from an English template's list
            if r.get("name_en"):
                self.indicator_by_name.setdefault(fold(r["name_en"]), r["code"])
        self.communes = [
            Commune(
                r["commune_id"], code_text(r["commune_code"]), r["commune_name"], r["province"],
                (r["adult_population"], r["population_15plus"], r["working_age_population"], r["is_demo"]),
            )
            for r in communes.iter_rows(named=True)
        ]
        self.by_id = {c.commune_id: c for c in self.communes}
        self.by_code = {c.code: c for c in self.communes if c.code}
        self.by_name: dict[str, list[Commune]] = {}
        self.suggestions: dict[tuple[str, str | None, str], str] = {}  # (name, province, language)
        self.provinces: dict[str, str] = {}
        for commune in self.communes:
            self.by_name.setdefault(commune_key(commune.name), []).append(commune)
            self.provinces.setdefault(province_key(commune.province), commune.province)

    @classmethod
    def from_database(cls, db: DataSource) -> Catalog:
        """From a queries.db.Database (the page) or a CatalogDatabase (the command line): both
        answer the questions of queries/sql/catalog/ and first_target_year()."""
        indicators = db.run("catalog/indicators")
        communes = db.run("catalog/communes")
        first_year = db.first_target_year()
        tasks = db.run("catalog/tasks")
        return cls(indicators, communes, first_target_year=int(first_year) if first_year is not None else None,
                   limits=ValueLimits.from_settings(getattr(db, "settings", None)), tasks=tasks)

    def in_province(self, province: str) -> list[Commune]:
        key = province_key(province)
        return [c for c in self.communes if province_key(c.province) == key]


def code_text(value: object) -> str | None:
    """Commune codes as text: Excel turns '16279' into the number 16279."""
    if value is None or is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


_INDICATOR_CODE = re.compile(r"^([A-Za-z]{2})\s*[-_.]?\s*(\d{1,2})(?=$|[\s\-–—:.,)])")


def find_indicator(catalog: Catalog, cell: object) -> Indicator | None:
    """'XH05', 'xh05', 'XH-05', 'XH5', 'XH05 - Tỷ lệ…' or the indicator's full name."""
    text = nfc(str(cell))
    found = _INDICATOR_CODE.match(text)
    if found:
        code = f"{found.group(1).upper()}{int(found.group(2)):02d}"
        if code in catalog.indicators:
            return catalog.indicators[code]
    code = catalog.indicator_by_name.get(fold(text))
    return catalog.indicators.get(code) if code else None
