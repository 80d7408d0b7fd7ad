"""The meeting pack's file name, apart from the pack (queries/reports/pack.py): a page shows the
download button's name without loading the PDF library, which only the click needs."""
from __future__ import annotations

from datetime import date

from queries.text import slug


def pack_file_name(province: str, period: date) -> str:
    return f"tai-lieu-hop-{slug(province) or 'tinh'}-{period:%Y-%m}.pdf"
