"""The province's commune list: names, codes and populations of its communes."""
from __future__ import annotations

from queries.cells import ParseError, parse_number, show
from queries.i18n import N_, _
from queries.ingest.known import Catalog, Commune, code_text
from queries.ingest.resolve import Context, RowProblem
from queries.text import commune_key, make_commune_id, province_key

NAME = N_("danh sách xã")
# The columns a file of this kind cannot do without, each given as alternatives, with the
# page's choice (a key of `defaults`) that may stand in for a missing one, or None.
REQUIRED = ((("ten_xa",), None), (("tinh",), "province"))
OPTIONAL = ("ma_xa", "dan_so", "dan_so_15", "dan_so_lao_dong")  # read when the file has them
KEY = ("commune_id",)  # one commune per key
# Two rows of one key with these equal are one row written twice.
SAME = ("commune_name", "province", "adult_population", "population_15plus", "working_age_population")


_POPULATION_COLUMNS = (("dan_so", "adult_population"), ("dan_so_15", "population_15plus"),
                       ("dan_so_lao_dong", "working_age_population"))


def check_row(ctx: Context, row) -> dict:
    """A row of the province's commune list. An existing commune (same code, or same name
    within the province) keeps its id, and what the row leaves blank keeps its old value."""
    problems: list[RowProblem] = []
    code_cell = ctx.cell(row, "ma_xa")
    code = code_text(code_cell.value) if code_cell else None
    name = ctx.text(row, "ten_xa")
    province = ctx.text(row, "tinh") or ctx.defaults.get("province")
    if not name:
        problems.append(RowProblem("ten_xa", ctx.at("ten_xa", _("thiếu tên xã"))))
    if not province:
        problems.append(RowProblem("tinh", ctx.at("tinh", _("thiếu tỉnh"))))
    populations: dict[str, float | None] = {}
    for column, field_name in _POPULATION_COLUMNS:
        cell = ctx.cell(row, column)
        if cell is None:
            continue
        try:
            amount = parse_number(cell.value, thousands_hint=True)
            if amount < 0:
                raise ParseError(_("dân số không được âm ({value})").format(value=show(cell.value)))
            populations[field_name] = amount
        except ParseError as error:
            problems.append(RowProblem(column, ctx.at(column, str(error))))
    existing = None
    if name and province:
        province = ctx.catalog.provinces.get(province_key(province), province)
        existing = _existing_commune(ctx.catalog, code, name, province)
    if existing is not None:
        commune_id = existing.commune_id
        old = dict(zip(("adult_population", "population_15plus", "working_age_population"), existing.extra[:3]))
        is_demo = bool(existing.extra[3])
        code = code or existing.code
    else:
        commune_id = code or (make_commune_id(province, name) if name and province else None)
        old, is_demo = {}, False
    record = {
        "row_number": row.number,
        "commune_id": commune_id,
        "commune_code": code,
        "commune_name": name,
        "province": province,
        **{f: populations.get(f, old.get(f)) for _, f in _POPULATION_COLUMNS},
        "is_demo": is_demo,
    }
    return {"record": record, "problems": problems, "warnings": []}


def _existing_commune(catalog: Catalog, code: str | None, name: str, province: str) -> Commune | None:
    if code and (code in catalog.by_code or code in catalog.by_id):
        return catalog.by_code.get(code) or catalog.by_id[code]
    key = province_key(province)
    same = [c for c in catalog.by_name.get(commune_key(name), []) if province_key(c.province) == key]
    return same[0] if len(same) == 1 else None


def describe_key(record: dict) -> str:
    return _("xã {commune} ({province})").format(commune=record["commune_name"], province=record["province"])


def describe_value(record: dict) -> str:
    return record.get("commune_name") or ""
