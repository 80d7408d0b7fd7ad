"""A framework file: which groups a year's scores use, their weights, and the indicators in each.

One CSV line per member indicator, so changing a weight or moving an indicator is one line of
a diff. Columns (a blank cell repeats the value above it, within the framework or the group):

    framework_id      six-pillars                 the same on every line: one framework per file
    framework_name    Sáu trụ cột DTI
    version           1                           a whole number; a new version for new content
    year_from         2020                        the first year it scores
    year_to           (blank)                     the last year, blank: until another replaces it
    status            chính thức | chưa chính thức
    document          922/QĐ-BTTTT …              where the groups and weights come from
    group_code        HT                          on every line
    group_name        Hạ tầng số
    group_name_en     Digital infrastructure      optional: the group's name on English pages
    group_weight      100                         any positive number: only the ratios matter
    indicator         HT01                        on every line, a code of the catalog
    indicator_weight  1                           within the group; blank means 1

`parse_framework(data, catalog)` reads such a file and returns a `Framework`, or raises
`FrameworkFileError` whose `.problems` name the line and the reason in Vietnamese.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.text import clean_line, fold, format_number

COLUMNS = ("framework_id", "framework_name", "version", "year_from", "year_to", "status", "document",
           "group_code", "group_name", "group_weight", "indicator", "indicator_weight")
FRAMEWORK_FIELDS = COLUMNS[:7]
# Optional columns: a file without them is read (and written back) as before.
OPTIONAL_COLUMNS = ("group_name_en",)
# stored in the files as written; _(status) shows it in English
OFFICIAL, PROVISIONAL = N_("chính thức"), N_("chưa chính thức")
STATUSES = {fold(OFFICIAL): OFFICIAL, fold(PROVISIONAL): PROVISIONAL}
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A framework has tens of lines; anything near these is not one.
MAX_BYTES = 1_000_000
MAX_LINES = 2_000
MAX_WEIGHT = 1_000_000
MAX_PROBLEMS = 20
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
GROUP_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,5}")


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    weight: float
    members: tuple[tuple[str, float], ...]  # (indicator, weight within the group)
    name_en: str = ""  # the name on English pages; blank: the catalogue's translation of `name`, else `name`


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: int
    year_from: int
    year_to: int | None
    status: str
    document: str
    groups: tuple[Group, ...]

    @property
    def key(self) -> str:
        """'six-pillars@1': a framework and its version, as the tables name it."""
        return f"{self.id}@{self.version}"

    @property
    def official(self) -> bool:
        return self.status == OFFICIAL

    @property
    def years_text(self) -> str:
        return _("từ năm {year_from}").format(year_from=self.year_from) + (_(" đến năm {year_to}").format(
            year_to=self.year_to) if self.year_to else "")

    @property
    def label(self) -> str:
        """'Sáu trụ cột DTI (six-pillars, phiên bản 1)'."""
        return _("{name} ({id}, phiên bản {version})").format(name=self.name, id=self.id, version=self.version)

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)

    def percentages(self) -> dict[str, float]:
        """Each group's weight as a share of 100."""
        total = sum(g.weight for g in self.groups)
        return {g.code: 100 * g.weight / total for g in self.groups}

    def to_csv(self) -> bytes:
        """The file as this product writes it: the same framework always gives the same bytes."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        english = any(g.name_en for g in self.groups)  # without English names, the bytes of before
        writer.writerow([*COLUMNS, *OPTIONAL_COLUMNS] if english else COLUMNS)
        first = True
        for group in self.groups:
            for i, (indicator, weight) in enumerate(group.members):
                head = ([self.id, self.name, self.version, self.year_from, self.year_to or "", self.status,
                         self.document] if first else [self.id, "", "", "", "", "", ""])
                group_part = [group.code, group.name, _number(group.weight)] if i == 0 else [group.code, "", ""]
                tail = ([group.name_en if i == 0 else ""] if english else [])
                writer.writerow([*head, *group_part, indicator, _number(weight), *tail])
                first = False
        return out.getvalue().encode("utf-8")

    def content_hash(self) -> str:
        return hashlib.sha256(self.to_csv()).hexdigest()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class FrameworkFileError(UserFacingError):
    """A framework file that cannot be used; `.problems` lists each line's reason."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with its BOM, as Excel saves them; else
    Windows-1258 (Vietnamese Windows), whose letters arrive decomposed (nfc() joins them)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        raise FrameworkFileError(_("Tệp không phải văn bản CSV (không đọc được chữ): hãy lưu tệp dạng CSV UTF-8.")) from None


def _positive(text: str, what: str) -> float | str:
    """'12,5' or '12.5' -> 12.5; or the reason it is not a positive number."""
    cleaned = text.replace(" ", "")
    if re.fullmatch(r"\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return _("{what} “{text}” không phải là số").format(what=what, text=text)
    if not math.isfinite(value) or value <= 0:
        return _("{what} phải là số dương (lớn hơn 0), không phải “{text}”").format(what=what, text=text)
    if value > MAX_WEIGHT:
        return _("{what} {text} quá lớn (tối đa {limit})").format(what=what, text=text, limit=format_number(MAX_WEIGHT, 0))
    return value


def _year(text: str, what: str) -> int | str:
    if not re.fullmatch(r"\d{4}", text):
        return _("{what} “{text}” không phải là một năm (ví dụ 2026)").format(what=what, text=text)
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return _("{what} {year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}").format(
            what=what, year=year, FIRST_YEAR=FIRST_YEAR, LAST_YEAR=LAST_YEAR)
    return year


def parse_framework(data: bytes, catalog: Mapping[str, str] | None = None) -> Framework:
    """The framework a file holds. `catalog` maps each indicator code to its group in the
    catalog ('pillar' or 'innovation'); None skips the check of codes (the shipped files are
    checked against the shipped catalog by a test)."""
    if len(data) > MAX_BYTES:
        raise FrameworkFileError(_("Tệp quá lớn cho một bộ khung chỉ số (tối đa {limit} KB).").format(limit=MAX_BYTES // 1000))
    text = _decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FrameworkFileError(_("Tệp trống: không có dòng tiêu đề."))
    if len(lines) > MAX_LINES + 1:
        raise FrameworkFileError(_("Tệp có quá nhiều dòng cho một bộ khung chỉ số (tối đa {MAX_LINES}).").format(
            MAX_LINES=MAX_LINES))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [fold(clean_line(h)).replace(" ", "_") for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header and c not in ("year_to", "document", "indicator_weight")]
    if missing:
        raise FrameworkFileError(
            _("Dòng 1 (tiêu đề) thiếu cột: {missing}. Các cột cần có: {columns}.").format(
                missing=', '.join(missing), columns=', '.join(COLUMNS)))
    position = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    problems: list[str] = []
    head: dict[str, str] = {}
    groups: dict[str, dict] = {}
    seen: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        i = position.get(name)
        return clean_line(row[i]) if i is not None and i < len(row) else ""

    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = _("Dòng {number}").format(number=number)
        for name in FRAMEWORK_FIELDS:
            value = cell(row, name)
            if not value:
                continue
            if name not in head:
                head[name] = value
            elif value != head[name]:
                problems.append(_("{where}: {name} “{value}” khác dòng đầu (“{first}”); một tệp là một bộ khung").format(
                    where=where, name=name, value=value, first=head[name]))
        if "framework_id" not in head:
            problems.append(_("{where}: thiếu framework_id (mã bộ khung)").format(where=where))
            head["framework_id"] = ""
        code = cell(row, "group_code").upper()
        if not GROUP_PATTERN.fullmatch(code):
            problems.append(_("{where}: mã nhóm “{code}” không hợp lệ "
                              "(chữ in hoa và số, 1–6 ký tự, bắt đầu bằng chữ, ví dụ HT)").format(
                                  where=where, code=cell(row, 'group_code')))
            continue
        group = groups.setdefault(code, {"name": "", "name_en": "", "weight": None, "members": [], "line": number})
        name = cell(row, "group_name")
        if name and group["name"] and name != group["name"]:
            problems.append(_("{where}: tên nhóm {code} “{name}” khác dòng {line} (“{name2}”)").format(
                where=where, code=code, name=name, line=group['line'], name2=group['name']))
        group["name"] = group["name"] or name
        name_en = cell(row, "group_name_en")
        if name_en and group["name_en"] and name_en != group["name_en"]:
            problems.append(_("{where}: tên tiếng Anh của nhóm {code} “{name}” khác dòng {line} (“{first}”)").format(
                where=where, code=code, name=name_en, line=group["line"], first=group["name_en"]))
        group["name_en"] = group["name_en"] or name_en
        weight_text = cell(row, "group_weight")
        if weight_text:
            weight = _positive(weight_text, _("trọng số nhóm {code}").format(code=code))
            if isinstance(weight, str):
                problems.append(f"{where}: {weight}")
            elif group["weight"] is not None and weight != group["weight"]:
                problems.append(_("{where}: trọng số nhóm {code} ({weight}) khác dòng {line} ({first})").format(
                    where=where, code=code, weight=weight_text, line=group["line"], first=_number(group["weight"])))
            else:
                group["weight"] = weight
        indicator = cell(row, "indicator").upper()
        if not indicator:
            problems.append(_("{where}: thiếu mã chỉ tiêu (cột indicator)").format(where=where))
            continue
        if catalog is not None and indicator not in catalog:
            problems.append(_("{where}: không có chỉ tiêu mã “{indicator}” trong danh mục chỉ tiêu").format(
                where=where, indicator=indicator))
            continue
        if catalog is not None and catalog[indicator] == "innovation":
            problems.append(_("{where}: {indicator} là chỉ tiêu đổi mới sáng tạo, được theo dõi riêng và không tính "
                              "vào nhóm nào").format(where=where, indicator=indicator))
            continue
        if indicator in seen:
            problems.append(_("{where}: chỉ tiêu {indicator} đã có ở dòng {line}; mỗi chỉ tiêu chỉ thuộc "
                              "một nhóm").format(where=where, indicator=indicator, line=seen[indicator]))
            continue
        seen[indicator] = number
        member_weight = cell(row, "indicator_weight")
        weight = _positive(member_weight, _("trọng số chỉ tiêu {indicator}").format(
            indicator=indicator)) if member_weight else 1.0
        if isinstance(weight, str):
            problems.append(f"{where}: {weight}")
            continue
        group["members"].append((indicator, weight))

    fields = _framework_fields(head, problems)
    for code, group in groups.items():
        if not group["name"]:
            problems.append(_("Dòng {line}: nhóm {code} chưa có tên (cột group_name)").format(line=group['line'], code=code))
        if group["weight"] is None:
            problems.append(_("Dòng {line}: nhóm {code} chưa có trọng số (cột group_weight)").format(
                line=group['line'], code=code))
        if not group["members"]:
            problems.append(_("Dòng {line}: nhóm {code} không có chỉ tiêu nào hợp lệ").format(line=group['line'], code=code))
    if not groups and not problems:
        problems.append(_("Tệp không có dòng nào sau dòng tiêu đề"))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise FrameworkFileError(
            _("Tệp bộ khung có {count} lỗi, chưa nạp gì: ").format(count=len(problems)) + "; ".join(shown)
            + (_("; và {more} lỗi khác").format(more=more) if more else "") + ".",
            problems)
    return Framework(groups=tuple(Group(code, g["name"], g["weight"], tuple(g["members"]), g["name_en"])
                                  for code, g in groups.items()), **fields)


def _framework_fields(head: dict[str, str], problems: list[str]) -> dict:
    """The framework's own columns (first line), checked; a problem is recorded, not raised."""
    fid = head.get("framework_id", "")
    if fid and not ID_PATTERN.fullmatch(fid):
        problems.append(_("Dòng 2: mã bộ khung “{fid}” không hợp lệ (chữ thường không dấu, số và dấu gạch ngang, "
                          "2–40 ký tự, ví dụ six-pillars)").format(fid=fid))
    name = head.get("framework_name", "")
    if not name:
        problems.append(_("Dòng 2: thiếu tên bộ khung (cột framework_name)"))
    version_text = head.get("version", "")
    version = int(version_text) if re.fullmatch(r"[1-9]\d{0,5}", version_text) else 0
    if not version:
        problems.append(_("Dòng 2: phiên bản “{version_text}” phải là số nguyên dương (1, 2, …)").format(
            version_text=version_text))
    year_from = _year(head.get("year_from", ""), _("year_from (năm bắt đầu)"))
    if isinstance(year_from, str):
        problems.append(_("Dòng 2: {year_from}").format(year_from=year_from))
        year_from = FIRST_YEAR
    year_to = None
    if head.get("year_to"):
        year_to = _year(head["year_to"], _("year_to (năm kết thúc)"))
        if isinstance(year_to, str):
            problems.append(_("Dòng 2: {year_to}").format(year_to=year_to))
            year_to = None
        elif year_to < year_from:
            problems.append(_("Dòng 2: năm kết thúc {year_to} trước năm bắt đầu {year_from}").format(
                year_to=year_to, year_from=year_from))
    status = STATUSES.get(fold(head.get("status", "")))
    if status is None:
        problems.append(_("Dòng 2: trạng thái “{status}” phải là “{OFFICIAL}” hoặc “{PROVISIONAL}”").format(
            status=head.get("status", ""), OFFICIAL=OFFICIAL, PROVISIONAL=PROVISIONAL))
        status = PROVISIONAL
    return {"id": fid, "name": name, "version": version, "year_from": year_from, "year_to": year_to,
            "status": status, "document": head.get("document", "")}
