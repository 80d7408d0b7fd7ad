"""Vietnamese formatting for what the leaders' pages show: values with their units, score
changes, rank changes, dates, lead units; and tables whose numbers read the Vietnamese way
(80,4; 1.250) while still sorting as numbers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

import pandas as pd
import polars as pl

from queries import i18n
from queries.i18n import N_, _
from queries.text import fold, format_date, format_month, format_number, nfc

UNIT_SUFFIX = {"percent": " %", "count": "", "yes_no": "", "per_1000": N_(" /1.000 dân")}


def per_row(frame: pl.DataFrame, columns: str | Sequence[str], function: Callable, *, name: str,
            dtype: pl.DataType = pl.Utf8, skip_nulls: bool = True) -> pl.Series:
    """`function` of each row's `columns` (one column: its value, a null giving null unless
    `skip_nulls` is off; several: a dict of them, nulls included), as a Series named `name` for
    `with_columns`. It runs here, on the script's own thread (in the
    run's language), never as a Polars `map_elements`: Polars runs those on its worker threads,
    which must take the GIL while another session's thread may hold it waiting for those same
    workers, and a whole replica froze that way (pola-rs/polars#10970, #24448).
    tests/test_polars_threads.py keeps Python functions out of Polars expressions."""
    if isinstance(columns, str):
        values = [None if value is None and skip_nulls else function(value) for value in frame[columns].to_list()]
    else:
        values = [function(row) for row in frame.select(columns).iter_rows(named=True)]
    return pl.Series(name, values, dtype=dtype)


def in_sentence(text: str) -> str:
    """A label inside a sentence: 'Tháng 11/2026' -> 'tháng 11/2026' in Vietnamese; English keeps
    its capitals ('November 2026', a pillar's name)."""
    return text.lower() if i18n.current() == i18n.DEFAULT else text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: str | None) -> str:
    """A result in its unit: 80,4 %, 3, Có, 1,2 /1.000 dân; '–' when there is none."""
    if _missing(value):
        return "–"
    if unit == "yes_no":
        return _("Có") if value >= 1 else _("Chưa")
    decimals = 0 if float(value).is_integer() else (1 if unit == "percent" else 2)
    return f"{format_number(value, decimals)}{_(UNIT_SUFFIX.get(unit or '', ''))}"


def value_text(frame: pl.DataFrame, column: str, alias: str) -> pl.Series:
    """`column` of `frame` written in its row's unit by format_value."""
    return per_row(frame, [column, "unit"], lambda r: format_value(r[column], r["unit"]), name=alias)


def format_score(value: float | None, decimals: int = 2) -> str:
    return "–" if _missing(value) else format_number(value, decimals)


def format_signed(value: float | None, decimals: int = 2) -> str:
    """+0,42 / −1,30 / 0,00 (a true minus sign reads better; st.metric needs '-')."""
    if _missing(value):
        return "–"
    text = format_number(abs(value), decimals)
    if round(value, decimals) > 0:
        return f"+{text}"
    if round(value, decimals) < 0:
        return f"-{text}"
    return text


def delta(change: float | None, decimals: int = 2, unit: str = "") -> dict:
    """st.metric arguments for a change: '+0,42' up, '-1,30' down, '0,00' with no arrow."""
    if _missing(change):
        return {"delta": None}
    text = format_signed(change, decimals) + unit
    if round(change, decimals) == 0:
        return {"delta": text, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text}


def format_rank_change(change: float | None, previous_rank: float | None = None) -> str:
    """▲ 3 (moved up three places), ▼ 2, = (same place), 'mới' (not ranked last month)."""
    if _missing(change):
        return _("mới") if _missing(previous_rank) else "–"
    change = int(change)
    if change > 0:
        return f"▲ {change}"
    if change < 0:
        return f"▼ {-change}"
    return "="


def format_period(value: date | None) -> str:
    return "–" if value is None else format_month(value)


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value)


def format_share(part: int, whole: int) -> str:
    """'80,4 %' of part/whole, '–' when whole is 0."""
    if not whole:
        return "–"
    return f"{format_number(100 * part / whole, 1)} %"


# ---- lead units ------------------------------------------------------------------------------
# Plans write the same office many ways ("Phòng VH-XH", "Phòng Văn hoá - Xã hội"); leaders ask
# "which office", so variants are grouped under one name. Keys are folded (no diacritics).
_UNIT_ALIASES = {
    "phong van hoa-xa hoi": "Phòng Văn hóa - Xã hội",
    "phong van hoa xa hoi": "Phòng Văn hóa - Xã hội",
    "phong vh-xh": "Phòng Văn hóa - Xã hội",
    "van phong hdnd-ubnd": "Văn phòng HĐND-UBND",
    "van phong hdnd&ubnd": "Văn phòng HĐND-UBND",
    "van phong ubnd&hdnd": "Văn phòng HĐND-UBND",
    "van phong ubnd-hdnd": "Văn phòng HĐND-UBND",
    "van phong hdnd va ubnd": "Văn phòng HĐND-UBND",
    "trung tam phuc vu hanh chinh cong": "Trung tâm Phục vụ hành chính công",
    "trung tam phuc vu hcc": "Trung tâm Phục vụ hành chính công",
    "trung tam hanh chinh cong": "Trung tâm Phục vụ hành chính công",
    "trung tam hcc": "Trung tâm Phục vụ hành chính công",
    "tram y te": "Trạm Y tế",
    "cong an": "Công an xã",
    "phong kinh te": "Phòng Kinh tế",
}
NO_LEAD_UNIT = N_("(Chưa giao đơn vị chủ trì)")


def unit_key(name: str) -> str:
    """Folded, no spaces around '-' and '&', without a trailing 'xã': 'Phòng VH - XH' ->
    'phong vh-xh'; 'Văn phòng HĐND&UBND xã' -> 'van phong hdnd&ubnd'."""
    key = re.sub(r"\s*([-&])\s*", r"\1", fold(name)).strip(" .;,")
    return re.sub(r"\s+xa$", "", key)


def canonical_unit(name: str | None) -> str:
    """One display name per office: 'Phòng VH-XH' -> 'Phòng Văn hóa - Xã hội'."""
    if name is None or not nfc(name):
        return NO_LEAD_UNIT
    return _UNIT_ALIASES.get(unit_key(name), nfc(name))


def split_units(lead_unit: str | None) -> list[str]:
    """'Công an xã; Văn phòng UBND&HĐND' -> two offices, each under its canonical name."""
    if lead_unit is None or not nfc(lead_unit):
        return [NO_LEAD_UNIT]
    parts = [p for p in (nfc(x) for x in lead_unit.split(";")) if p]
    seen: list[str] = []
    for part in parts:
        unit = canonical_unit(part)
        if unit not in seen:
            seen.append(unit)
    return seen or [NO_LEAD_UNIT]


# ---- tables ------------------------------------------------------------------------------------
def vi_table(frame: pl.DataFrame, decimals: dict[str, int] | None = None,
             percent: dict[str, int] | None = None, months: tuple[str, ...] = (),
             days: tuple[str, ...] = (), styles: dict[str, Callable[[object], str]] | None = None):
    """A pandas Styler for st.dataframe: numbers shown the Vietnamese way (decimals: column ->
    digits; percent: 0–1 column -> digits, shown as 80,4 %), months as 'Tháng 11/2026',
    days as 22/11/2026. The cells keep their numbers, so columns still sort as numbers.
    styles: column -> function of the cell giving its CSS (colour that repeats what the text
    already says, e.g. ▲ in blue)."""
    table = frame.to_pandas(use_pyarrow_extension_array=False)
    formatters: dict[str, Callable[[object], str]] = {}
    for column, digits in (decimals or {}).items():
        if column in table.columns:
            formatters[column] = (lambda d: lambda v: "–" if _missing(v) else format_number(v, d))(digits)
    for column, digits in (percent or {}).items():
        if column in table.columns:
            formatters[column] = (lambda d: lambda v: "–" if _missing(v) else f"{format_number(100 * v, d)} %")(digits)
    for column in months:
        if column in table.columns:
            formatters[column] = lambda v: "–" if v is None or pd.isna(v) else format_month(pd.Timestamp(v).date())
    for column in days:
        if column in table.columns:
            formatters[column] = lambda v: "–" if v is None or pd.isna(v) else format_date(pd.Timestamp(v).date())
    styler = table.style.format(formatters, na_rep="–")
    for column, style in (styles or {}).items():
        if column in table.columns:
            styler = styler.map(style, subset=[column])
    return styler


def change_style(text: object) -> str:
    """▲ in blue, ▼ in vermillion (the arrow already says it; colour only repeats it)."""
    if isinstance(text, str) and text.startswith("▲"):
        return "color: #0072B2; font-weight: 600"
    if isinstance(text, str) and text.startswith("▼"):
        return "color: #D55E00; font-weight: 600"
    return ""


# ---- moments and money (reporting cycle, tasks, spending) ---------------------------------------
def format_moment(value: datetime | str | None) -> str:
    """A moment in Vietnam time as '20/11/2026 07:00' (an ISO text with its offset is read as
    written, e.g. '2026-11-20T07:00:00+07:00')."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{format_date(value.date())} {value:%H:%M}"


def format_dong(amount: float | None) -> str:
    """481179000 -> '481.179.000 đ' (whole đồng, dots between thousands); '–' when unknown."""
    if _missing(amount):
        return "–"
    return _("{amount} đ").format(amount=format_number(amount, 0))


# Spellings met in the shipped plans since the table above was written (seed 002's task table
# writes "PhòngVH-XH", "Phòng VH&XH", "Trung tâm PVHCC", "Đoàn TNCSHCM xã", "TT Cung ứng DVC").
_UNIT_ALIASES.update({
    "phongvh-xh": "Phòng Văn hóa - Xã hội",
    "phong vh&xh": "Phòng Văn hóa - Xã hội",
    "trung tam pvhcc": "Trung tâm Phục vụ hành chính công",
    "tt pvhcc": "Trung tâm Phục vụ hành chính công",
    "doan tncshcm": "Đoàn Thanh niên xã",
    "doan thanh nien": "Đoàn Thanh niên xã",
    "tt cung ung dvc": "Trung tâm Cung ứng DVC",
    "trung tam cung ung dvc": "Trung tâm Cung ứng DVC",
})
