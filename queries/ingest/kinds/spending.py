"""Spending: the planned and spent amounts (whole đồng) of one item of a commune's year."""
from __future__ import annotations

from queries.cells import ParseError
from queries.i18n import N_, _
from queries.ingest.resolve import Context, RowProblem, commune_fields, read_year, resolved_commune
from queries.plans.spending import parse_amount
from queries.text import format_number

NAME = N_("kinh phí")
# The columns a file of this kind cannot do without, each given as alternatives, with the
# page's choice (a key of `defaults`) that may stand in for a missing one, or None.
REQUIRED = ((("khoan_chi",), None), (("da_chi", "du_toan"), None), (("ten_xa", "ma_xa"), "commune"),
            (("nam",), "year"))
OPTIONAL = ("tinh", "nguon", "ghi_chu")  # read when the file has them
KEY = ("commune_id", "year", "item")  # one item of spending per key
SAME = ("planned", "spent")  # two rows of one key with these equal are one row written twice
# The largest amount of one spending item: 10.000 tỷ đồng, far above a commune's yearly
# budget; a larger number is a typo or a broken file (and would not fit the stored integers).
MAX_AMOUNT = 10**13


def _amount(ctx: Context, row, column: str) -> int | None:
    cell = ctx.cell(row, column)
    if cell is None:
        return None
    try:
        amount = parse_amount(cell.value)
    except ParseError as error:
        raise RowProblem(column, ctx.at(column, str(error))) from None
    if amount > MAX_AMOUNT:
        raise RowProblem(column, ctx.at(column, _("số tiền {amount} đồng lớn hơn mức hợp lý {largest} đồng cho một khoản "
                                                  "chi của xã; hãy kiểm tra lại").format(
            amount=format_number(amount, 0), largest=format_number(MAX_AMOUNT, 0))))
    return amount


def check_row(ctx: Context, row) -> dict:
    """Planned and spent amounts (whole đồng) of one item of a commune's year."""
    problems: list[RowProblem] = []
    commune = resolved_commune(ctx, row, problems)
    year = None
    try:
        year = read_year(ctx, row)
    except RowProblem as problem:
        problems.append(problem)
    item = ctx.text(row, "khoan_chi")
    if not item:
        problems.append(RowProblem("khoan_chi", ctx.at("khoan_chi", _("thiếu tên khoản chi"))))
    amounts: dict[str, int | None] = {}
    for column in ("du_toan", "da_chi"):
        try:
            amounts[column] = _amount(ctx, row, column)
        except RowProblem as problem:
            problems.append(problem)
            amounts[column] = None
    if ctx.cell(row, "du_toan") is None and ctx.cell(row, "da_chi") is None:
        column = "da_chi" if "da_chi" in ctx.table.columns else "du_toan"
        problems.append(RowProblem(column, ctx.at(column, _("thiếu số tiền (ghi Dự toán hoặc Đã chi, bằng đồng)"))))
    record = {
        **commune_fields(ctx, row, commune),
        "year": year,
        "item": item,
        "planned": amounts["du_toan"],
        "spent": amounts["da_chi"],
        "source_doc": ctx.text(row, "nguon"),
        "source_item": None,
        "note": ctx.text(row, "ghi_chu"),
    }
    return {"record": record, "problems": problems, "warnings": []}


def describe_key(record: dict) -> str:
    return _("xã {commune}, khoản chi “{item}” năm {year}").format(
        commune=record["commune_name"], item=record["item"], year=record["year"])


def describe_value(record: dict) -> str:
    return " / ".join(amount_text(record.get(k)) or "–" for k in ("planned", "spent"))


def amount_text(amount: int | None) -> str:
    return "" if amount is None else format_number(amount, 0)
