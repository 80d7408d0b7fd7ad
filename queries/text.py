"""Vietnamese text helpers: normalising names, folding diacritics, formatting numbers."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

_SPACES = re.compile(r"\s+")
# "Xã Định Tiến", "X. Định Tiến", "TT. Quán Lào": the prefix is optional when matching
_COMMUNE_PREFIX = re.compile(r"^((xa|phuong|thi tran|dac khu)\s+|(x|p|tt)\.\s*)")
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")
# Control characters other than tab and newline (C0, DEL, C1), the two non-characters and
# lone surrogates: no meaning in a name or a note, and .xlsx (XML) cannot hold them at all.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def nfc(text: str) -> str:
    """NFC with runs of white space folded: Windows-1258 text arrives decomposed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def clean_text(text: str) -> str:
    """Text with its control characters removed (tab and newline stay): a stray \\x01 or NUL
    pasted into a cell would otherwise be stored and break every .xlsx export after it."""
    return _UNPRINTABLE.sub("", text)


def fold(text: str) -> str:
    """Lower-case ASCII form for matching: 'Xã  Định Tiến' -> 'xa dinh tien'."""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def commune_key(name: str) -> str:
    """Match key for a commune name: folded, without 'Xã'/'Phường' prefix."""
    return _COMMUNE_PREFIX.sub("", fold(name))


def province_key(name: str) -> str:
    return _PROVINCE_PREFIX.sub("", fold(name))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def make_commune_id(province: str, commune_name: str) -> str:
    """Stable internal id for a commune that has no official code: 'thanh-hoa/dinh-tien'."""
    return f"{slug(province_key(province))}/{slug(commune_key(commune_name))}"


def format_number(value: float | None, decimals: int = 1) -> str:
    """Vietnamese number format: 1.250,5 (dot for thousands, comma for decimals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def format_percent(value: float | None, decimals: int = 1) -> str:
    """80.44 -> '80,4 %' (value already on a 0–100 scale)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{format_number(value, decimals)} %"


def format_month(period: date | str) -> str:
    """date(2026, 11, 1) or '2026-11' -> 'Tháng 11/2026'."""
    if isinstance(period, str):
        year, month = period[:7].split("-")
        return f"Tháng {int(month)}/{year}"
    return f"Tháng {period.month}/{period.year}"


def format_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
