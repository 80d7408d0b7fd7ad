"""Monthly results (actuals): the value one commune reached on one indicator in one month."""
from __future__ import annotations

from queries.cells import compact
from queries.i18n import N_, _
from queries.ingest.resolve import Context, RowProblem, key_fields, read_key, read_measure, read_period
from queries.text import format_month

NAME = N_("kết quả hằng tháng")
# The columns a file of this kind cannot do without, each given as alternatives, with the
# page's choice (a key of `defaults`) that may stand in for a missing one, or None.
REQUIRED = ((("ma_chi_tieu", "ten_chi_tieu"), None), (("gia_tri", "tu_so"), None),
            (("ten_xa", "ma_xa"), "commune"), (("ky_bao_cao",), "period"))
OPTIONAL = ("tinh", "nam", "mau_so", "ghi_chu")  # read when the file has them
KEY = ("commune_id", "indicator", "period")  # one stored value per key
SAME = ("value",)  # two rows of one key with these equal are one row written twice


def check_row(ctx: Context, row) -> dict:
    commune, indicator, period, problems = read_key(ctx, row, read_period)
    reading = None
    if indicator is not None:
        try:
            reading = read_measure(ctx, row, indicator)
        except RowProblem as problem:
            problems.append(problem)
    record = {
        **key_fields(ctx, row, commune, indicator),
        "period": period,
        "value": reading.value if reading else None,
        "numerator": reading.numerator if reading else None,
        "denominator": reading.denominator if reading else None,
        "note": ctx.text(row, "ghi_chu"),
    }
    if indicator is not None:
        record["unit"] = indicator.unit
    warnings = []
    if reading and reading.warning:
        warnings.append(("gia_tri", ctx.at("gia_tri", reading.warning)))
    return {"record": record, "problems": problems, "warnings": warnings}


def describe_key(record: dict) -> str:
    return _("xã {commune}, chỉ tiêu {indicator}, {month}").format(
        commune=record["commune_name"], indicator=record["indicator"], month=format_month(record["period"]))


def describe_value(record: dict) -> str:
    return compact(record["value"])
