"""Vietnamese text helpers: normalising names, folding diacritics, formatting numbers (in the
interface's language: queries/i18n.py)."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from queries import i18n

MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")

_SPACES = re.compile(r"\s+")
# "Xã Định Tiến", "X. Định Tiến", "TT. Quán Lào": the prefix is optional when matching
_COMMUNE_PREFIX = re.compile(r"^((xa|phuong|thi tran|dac khu)\s+|(x|p|tt)\.\s*)")
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")
# Control characters other than tab and newline (C0, DEL, C1), the two non-characters and
# lone surrogates: no meaning in a name or a note, and .xlsx (XML) cannot hold them at all.
# Also Unicode's format characters (category Cf: bidi overrides and isolates, zero-width
# spaces and joiners, the BOM, soft hyphen, tags): invisible, they let a name read other than
# it is ("bien-ban-\u202efdp.cmd" shows as "bien-ban-dmc.pdf"). Listed by range, not by asking
# unicodedata per character, because every cell of every upload passes here; a test checks
# the list against the running Python's Unicode tables.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def nfc(text: str) -> str:
    """NFC with runs of white space folded: Windows-1258 text arrives decomposed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def clean_text(text: str) -> str:
    """Text with its control and format characters removed (tab and newline stay): a stray
    \\x01 or NUL pasted into a cell would otherwise be stored and break every .xlsx export
    after it, and a bidi override would make a name lie. The one cleaning of everything a
    person sends: cells, file names, comments, reasons, names of accounts."""
    return _UNPRINTABLE.sub("", text)


def clean_line(text: str | None) -> str:
    """Typed text for one line (a name, a reason, a comment): cleaned, NFC, spaces folded."""
    return nfc(clean_text(text or ""))


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
    """Vietnamese number format: 1.250,5 (dot for thousands, comma for decimals); in English
    1,250.5."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if i18n.current() == "en":
        return text
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def format_percent(value: float | None, decimals: int = 1) -> str:
    """80.44 -> '80,4 %' (value already on a 0–100 scale)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{format_number(value, decimals)} %"


def format_month(period: date | str) -> str:
    """date(2026, 11, 1) or '2026-11' -> 'Tháng 11/2026' ('November 2026' in English)."""
    if isinstance(period, str):
        year, month = (int(part) for part in period[:7].split("-"))
    else:
        year, month = period.year, period.month
    if i18n.current() == "en":
        return f"{MONTH_NAMES_EN[month - 1]} {year}"
    return f"Tháng {month}/{year}"


def format_date(day: date) -> str:
    """22/11/2026 in both languages."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
