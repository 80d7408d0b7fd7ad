"""Targets: what one commune's plan sets for one indicator in one year (≥ 95%, ≤ 3…)."""
from __future__ import annotations

from queries.cells import ParseError, compact
from queries.i18n import N_, _
from queries.ingest.parse import parse_target
from queries.ingest.resolve import Context, RowProblem, check_range, key_fields, read_key, read_year

NAME = N_("chỉ tiêu (mục tiêu năm)")
# The columns a file of this kind cannot do without, each given as alternatives, with the
# page's choice (a key of `defaults`) that may stand in for a missing one, or None.
REQUIRED = ((("ma_chi_tieu", "ten_chi_tieu"), None), (("muc_tieu",), None),
            (("ten_xa", "ma_xa"), "commune"), (("nam",), "year"))
OPTIONAL = ("tinh", "don_vi_chu_tri", "don_vi_phoi_hop", "nguon", "ghi_chu")  # read when the file has them
KEY = ("commune_id", "indicator", "year")  # one stored target per key
SAME = ("comparator", "target")  # two rows of one key with these equal are one row written twice


def check_row(ctx: Context, row) -> dict:
    commune, indicator, year, problems = read_key(ctx, row, read_year)
    target = None
    cell = ctx.cell(row, "muc_tieu")
    if cell is None:
        problems.append(RowProblem("muc_tieu", ctx.at("muc_tieu", _("thiếu mục tiêu"))))
    elif indicator is not None:
        try:
            target = parse_target(cell.value, indicator.unit, direction=indicator.direction, percent_format=cell.percent_format)
            check_range(ctx, target.value, indicator, "muc_tieu")
        except ParseError as error:
            problems.append(RowProblem("muc_tieu", ctx.at("muc_tieu", str(error))))
        except RowProblem as problem:
            problems.append(problem)
    record = {
        **key_fields(ctx, row, commune, indicator),
        "year": year,
        "comparator": target.comparator if target else None,
        "target": target.value if target else None,
        "target_text": target.text if target else (ctx.text(row, "muc_tieu")),
        "lead_unit": ctx.text(row, "don_vi_chu_tri"),
        "partner_units": ctx.text(row, "don_vi_phoi_hop"),
        "source_doc": ctx.text(row, "nguon"),
        "source_item": None,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": []}


def describe_key(record: dict) -> str:
    return _("xã {commune}, chỉ tiêu {indicator}, năm {year}").format(
        commune=record["commune_name"], indicator=record["indicator"], year=record["year"])


def describe_value(record: dict) -> str:
    return f"{record['comparator']} {compact(record['target'])}"
