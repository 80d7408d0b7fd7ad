"""The upload templates: an .xlsx with drop-down lists and an instructions sheet, and a CSV
(UTF-8 with BOM, which Excel on Vietnamese Windows opens with its accents intact).

The headings are the canonical column names the importer reads first (ma_xa, ten_xa, …);
each heading cell carries a Vietnamese comment, and the "Hướng dẫn" sheet explains them.
Every cell is written by `queries.spreadsheet.write_cell`, like every other spreadsheet
the product makes: a commune named "=HYPERLINK(…)" stays text in the file sent to every
office, never a live formula.

Kinds: monthly results (actuals), targets, communes, task statuses (tasks: commune, item
"1.1", status, completion date; the "Danh mục" sheet lists the plans' tasks) and spending
(commune, year, item, planned and spent in đồng). The columns and help of the last two are
those of queries/plans/tasks.py and queries/plans/spending.py.

From the command line: `python -m queries.export template --format xlsx|csv
[--kind actuals|targets|communes|tasks|spending] [--province P] [--out FILE]`.
"""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from queries import clock, i18n
from queries.i18n import N_, _
from queries.ingest.readers import label
from queries.plans.spending import SPENDING_COLUMN_HELP, SPENDING_REQUIRED_COLUMNS, SPENDING_UPLOAD_COLUMNS
from queries.plans.tasks import (
    STATUS_LABELS as TASK_STATUS_LABELS,
)
from queries.plans.tasks import (
    TASK_COLUMN_HELP,
    TASK_REQUIRED_COLUMNS,
    TASK_UPLOAD_COLUMNS,
)
from queries.spreadsheet import write_cell

TEMPLATE_COLUMNS = {
    "actuals": ("ma_xa", "ten_xa", "tinh", "ky_bao_cao", "ma_chi_tieu", "gia_tri", "tu_so", "mau_so", "ghi_chu"),
    "targets": ("ma_xa", "ten_xa", "tinh", "nam", "ma_chi_tieu", "muc_tieu", "don_vi_chu_tri",
                "don_vi_phoi_hop", "nguon", "ghi_chu"),
    "communes": ("ma_xa", "ten_xa", "tinh", "dan_so", "dan_so_15", "dan_so_lao_dong"),
    "tasks": TASK_UPLOAD_COLUMNS,
    "spending": (*SPENDING_UPLOAD_COLUMNS[:-1], "nguon", SPENDING_UPLOAD_COLUMNS[-1]),
}
TEMPLATE_NAMES = {"actuals": "mau_ket_qua_thang", "targets": "mau_chi_tieu_nam", "communes": "mau_danh_sach_xa",
                  "tasks": "mau_trang_thai_nhiem_vu", "spending": "mau_kinh_phi"}

# What each column means, for the heading comments and the instructions sheet.
COLUMN_HELP = {
    "ma_xa": N_("Mã xã (không bắt buộc). Nếu có mã thì xã được tìm theo mã."),
    "ten_xa": N_("Tên xã, có dấu hoặc không dấu, có hoặc không có chữ “Xã”: Xã Định Tiến, dinh tien."),
    "tinh": N_("Tỉnh của xã. Cần khi hai tỉnh có xã trùng tên."),
    "ky_bao_cao": N_("Tháng báo cáo: 03/2026, T3/2026, Tháng 3/2026 hoặc một ô ngày của Excel. "
                     "Không ghi tháng sau tháng hiện tại."),
    "ma_chi_tieu": N_("Mã chỉ tiêu trong danh mục (trang “Danh mục”), ví dụ XH05."),
    "gia_tri": N_("Kết quả: tỷ lệ ghi 80,44 hoặc 80,44% hoặc 4227/5219; số lượng ghi 1.000; Có/Không ghi Có hoặc Không."),
    "tu_so": N_("Tử số (không bắt buộc), ví dụ 4227. Nếu để trống Giá trị, giá trị = tử số / mẫu số."),
    "mau_so": N_("Mẫu số (không bắt buộc), ví dụ 5219. Không được bằng 0."),
    "ghi_chu": N_("Ghi chú (không bắt buộc)."),
    "nam": N_("Năm của chỉ tiêu, ví dụ 2026."),
    "muc_tieu": N_("Mục tiêu kèm dấu so sánh: ≥ 95%, > 80, 100% (nghĩa là đạt 100%), ≥ 01; Có cho chỉ tiêu Có/Không."),
    "don_vi_chu_tri": N_("Đơn vị chủ trì (không bắt buộc), ví dụ Phòng Văn hóa - Xã hội."),
    "don_vi_phoi_hop": N_("Đơn vị phối hợp (không bắt buộc); nhiều đơn vị cách nhau bằng dấu chấm phẩy."),
    "nguon": N_("Văn bản giao chỉ tiêu (không bắt buộc), ví dụ Kế hoạch số 138/KH-UBND."),
    "dan_so": N_("Dân số trưởng thành (từ 18 tuổi) — mẫu số của các tỷ lệ theo dân số trưởng thành."),
    "dan_so_15": N_("Dân số từ 15 tuổi trở lên (không bắt buộc)."),
    "dan_so_lao_dong": N_("Dân số trong độ tuổi lao động (không bắt buộc)."),
    **{k: v for k, v in TASK_COLUMN_HELP.items() if k != "nam"},
    **{k: v for k, v in SPENDING_COLUMN_HELP.items()},
}
# Where a column means something else in one kind of file.
KIND_COLUMN_HELP = {
    "tasks": {"nam": TASK_COLUMN_HELP["nam"]},
    "spending": {"nam": N_("Năm của khoản chi, ví dụ 2024."),
                 "nguon": N_("Văn bản báo cáo kinh phí (không bắt buộc), ví dụ Báo cáo số 12/BC-UBND.")},
}
REQUIRED_COLUMNS = {
    "actuals": {"ten_xa", "ky_bao_cao", "ma_chi_tieu", "gia_tri"},
    "targets": {"ten_xa", "nam", "ma_chi_tieu", "muc_tieu"},
    "communes": {"ten_xa", "tinh"},
    "tasks": set(TASK_REQUIRED_COLUMNS),
    "spending": set(SPENDING_REQUIRED_COLUMNS),
}
# What one row of each kind is, for the instructions sheet.
ROW_MEANING = {
    "actuals": N_("mỗi dòng một xã, một chỉ tiêu, một tháng"),
    "targets": N_("mỗi dòng một xã, một chỉ tiêu, một năm"),
    "communes": N_("mỗi dòng một xã"),
    "tasks": N_("mỗi dòng một nhiệm vụ của kế hoạch (theo số mục trong phụ lục kế hoạch)"),
    "spending": N_("mỗi dòng một khoản chi của một xã trong một năm"),
}


def column_help(kind: str, column: str) -> str:
    return _(KIND_COLUMN_HELP.get(kind, {}).get(column) or COLUMN_HELP[column])


# The sheets' names, in the language of the run: _(DATA_SHEET)…
DATA_SHEET, HELP_SHEET, LISTS_SHEET = N_("Số liệu"), N_("Hướng dẫn"), N_("Danh mục")
TEMPLATE_ROWS = 2000  # rows that get the drop-down lists
HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")


def csv_template(kind: str = "actuals") -> bytes:
    """Heading line only, UTF-8 with BOM and CRLF, as Excel writes CSV."""
    return ("\ufeff" + ",".join(TEMPLATE_COLUMNS[kind]) + "\r\n").encode("utf-8")


def recent_months(today: date, count: int = 24) -> list[str]:
    """'11/2026', '10/2026', … newest first, never a month after today's."""
    months, year, month = [], today.year, today.month
    for _step in range(count):
        months.append(f"{month:02d}/{year}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def _lists(db, kind: str, today: date, province: str | None = None) -> dict[str, list]:
    """The drop-down lists; with `province`, only that province's communes (and their tasks)."""
    communes = db.run("catalog/template_communes", province=province)
    indicators = db.run("catalog/template_indicators")
    unit_names = {"percent": "%", "count": _("số lượng"), "yes_no": _("Có/Không"), "per_1000": _("trên 1.000 dân")}
    # Headings are msgids (the sheet shows them translated): they start with 'DS' ('List:' in
    # English) so the importer never mistakes this sheet for data.
    lists = {
        N_("DS xã"): communes["commune_name"].to_list(),
        N_("DS tỉnh của xã"): communes["province"].to_list(),
        N_("DS tỉnh"): list(dict.fromkeys(communes["province"].to_list())),
    }
    if kind == "tasks":
        tasks = db.run("catalog/template_tasks", province=province)
        return lists | {
            N_("DS trạng thái"): [_(label) for label in TASK_STATUS_LABELS.values()],
            N_("DS năm"): [str(y) for y in range(today.year - 2, today.year + 2)],
            N_("DS xã của nhiệm vụ"): tasks["commune_name"].to_list(),
            N_("DS năm kế hoạch"): [str(y) for y in tasks["plan_year"].to_list()],
            N_("DS mục"): tasks["item"].to_list(),
            N_("DS tên nhiệm vụ"): tasks["name"].to_list(),
            N_("DS thời hạn"): tasks["deadline_text"].to_list(),
        }
    if kind == "spending":
        return lists | {N_("DS năm"): [str(y) for y in range(today.year - 3, today.year + 2)]}
    names = indicators["name_en"] if i18n.current() == "en" else indicators["name_vi"]
    return lists | {
        N_("DS mã chỉ tiêu"): indicators["code"].to_list(),
        N_("DS tên chỉ tiêu"): names.to_list(),
        N_("DS đơn vị tính"): [unit_names.get(u, u) for u in indicators["unit"].to_list()],
        N_("DS kỳ báo cáo"): recent_months(today),
        N_("DS năm"): [str(y) for y in range(today.year - 1, today.year + 6)],
    }


def _write_lists(sheet, lists: dict[str, list]) -> dict[str, str]:
    """One list per column; returns heading -> absolute range for the drop-downs.
    The headings start with 'DS' so the importer never mistakes this sheet for data."""
    ranges = {}
    for index, (heading, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        write_cell(sheet.cell(row=1, column=index), _(heading))
        sheet.cell(row=1, column=index).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            write_cell(sheet.cell(row=row, column=index), value)
        sheet.column_dimensions[letter].width = 60 if heading in ("DS tên chỉ tiêu", "DS tên nhiệm vụ") else 22
        last = max(len(values) + 1, 2)
        ranges[heading] = f"'{_(LISTS_SHEET)}'!${letter}$2:${letter}${last}"
    return ranges


def _drop_down(sheet, column_index: int, source: str, *, strict: bool, prompt: str) -> None:
    validation = DataValidation(type="list", formula1=source, allow_blank=True)
    # A new commune or an unusual month may be typed by hand: warn, do not block.
    validation.errorStyle = "stop" if strict else "warning"
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = _("Giá trị không có trong danh sách")
    validation.error = _("Hãy chọn trong danh sách (trang “Danh mục”).")
    validation.prompt = prompt[:255]
    letter = get_column_letter(column_index)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def _write_data_sheet(sheet, kind: str, ranges: dict[str, str]) -> None:
    columns = TEMPLATE_COLUMNS[kind]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        write_cell(cell, column)
        cell.font = Font(bold=True)
        cell.fill = HEADING_FILL
        cell.comment = Comment(f"{label(column)}: {column_help(kind, column)}", _("Mẫu tải lên"))
        wide = ("ten_xa", "ghi_chu", "nguon", "ten_nhiem_vu", "khoan_chi")
        sheet.column_dimensions[get_column_letter(index)].width = 26 if column in wide else 16
    sheet.freeze_panes = "A2"
    drop_downs = {
        "ten_xa": (N_("DS xã"), kind != "communes"),
        "tinh": (N_("DS tỉnh"), False),
        "ma_chi_tieu": (N_("DS mã chỉ tiêu"), True),
        "ky_bao_cao": (N_("DS kỳ báo cáo"), False),
        "nam": (N_("DS năm"), False),
        "trang_thai": (N_("DS trạng thái"), True),
    }
    for index, column in enumerate(columns, start=1):
        if column in drop_downs and not (kind == "communes" and column == "ten_xa"):
            heading, strict = drop_downs[column]
            _drop_down(sheet, index, ranges[heading], strict=strict, prompt=column_help(kind, column))
        if column in ("ky_bao_cao", "ma_xa", "muc", "ngay_hoan_thanh"):
            # Text, so Excel keeps "03/2026", leading zeros of codes, item "1.10" and "15/10/2025"
            # as typed rather than turning them into numbers or dates of its own.
            # A column style, not 2,000 formatted cells, so the sheet stays one row long.
            sheet.column_dimensions[get_column_letter(index)].number_format = "@"


PICKED = {
    "actuals": N_("tên xã, mã chỉ tiêu và kỳ báo cáo"),
    "targets": N_("tên xã, mã chỉ tiêu và năm"),
    "communes": N_("tỉnh"),
    "tasks": N_("tên xã và trạng thái (số mục xem ở trang “Danh mục”)"),
    "spending": N_("tên xã và năm"),
}
REPLACED = {
    "actuals": N_("cùng xã, chỉ tiêu và tháng"),
    "targets": N_("cùng xã, chỉ tiêu và năm"),
    "communes": N_("cùng xã"),
    "tasks": N_("cùng nhiệm vụ (trạng thái mới nhất được dùng)"),
    "spending": N_("cùng xã, năm và khoản chi"),
}
HOW_TO_WRITE = {
    "actuals": [
        (N_("Tỷ lệ"), N_("80,44 hoặc 80.44 hoặc 80,44% hoặc ô Excel định dạng phần trăm; "
                         "phân số 4227/5219 được tính thành 80,99.")),
        (N_("Số lượng"), N_("1.000 là một nghìn; 1.234,5 là một nghìn hai trăm ba mươi tư phẩy năm.")),
        (N_("Có/Không"), N_("Có hoặc Không (lưu là 1 và 0).")),
        (N_("Tháng"), N_("03/2026, 3/2026, T3/2026, Tháng 3/2026, 2026-03, 01/03/2026 (ngày trước tháng) "
                         "hoặc ô ngày của Excel.")),
    ],
    "tasks": [
        (N_("Trạng thái"), N_("Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành. “Quá hạn” được tính tự động từ thời hạn của "
                       "nhiệm vụ, không ghi vào tệp.")),
        (N_("Ngày"), N_("15/10/2025 (ngày trước tháng), 2025-10-15 hoặc ô ngày của Excel; không ghi ngày sau hôm nay.")),
    ],
    "spending": [
        (N_("Số tiền"), N_("Bằng đồng, số nguyên: 12.000.000 hoặc 12.000.000 đồng hoặc 12 triệu hoặc 1,2 tỷ "
                    "(dấu chấm ngăn cách hàng nghìn, dấu phẩy là phần thập phân).")),
    ],
}


def _write_help_sheet(sheet, kind: str) -> None:
    lines = [
        (_("Cách dùng mẫu này"), None),
        (_("1. Điền số liệu vào trang “Số liệu”, {rows}.").format(rows=_(ROW_MEANING[kind])), None),
        (_("2. Giữ nguyên dòng tiêu đề (dòng 1). Có thể thêm dòng tiêu đề lớn phía trên nếu cần."), None),
        (_("3. Chọn {columns} trong danh sách thả xuống, hoặc gõ trực tiếp.").format(columns=_(PICKED[kind])), None),
        (_("4. Lưu tệp (.xlsx hoặc CSV) rồi tải lên ở trang “Tải lên số liệu”. Trang sẽ hiện bản xem trước "
           "và chỉ rõ dòng nào sai, sai ở đâu, trước khi lưu."), None),
        (_("5. Gửi lại số liệu của {same} sẽ thay số cũ; số cũ vẫn được giữ trong lịch sử "
           "và có thể hoàn tác.").format(same=_(REPLACED[kind])), None),
        ("", None),
        (_("Cột"), _("Ý nghĩa")),
    ]
    for column in TEMPLATE_COLUMNS[kind]:
        required = _(" (bắt buộc)") if column in REQUIRED_COLUMNS[kind] else ""
        lines.append((column, f"{label(column)}{required}: {column_help(kind, column)}"))
    if HOW_TO_WRITE.get(kind):
        lines += [("", None), (_("Cách ghi"), None), *((_(what), _(how)) for what, how in HOW_TO_WRITE[kind])]
    for row, (first, second) in enumerate(lines, start=1):
        write_cell(sheet.cell(row=row, column=1), first)
        if second is not None:
            write_cell(sheet.cell(row=row, column=2), second)
            sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if second is None and first and not first[0].isdigit():
            sheet.cell(row=row, column=1).font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100


def xlsx_template(db, kind: str = "actuals", today: date | None = None, province: str | None = None) -> bytes:
    """The workbook: 'Số liệu' (active, headings and drop-downs), 'Hướng dẫn', 'Danh mục'
    (with `province`, that province's communes only)."""
    today = today or clock.today()
    workbook = Workbook()
    data = workbook.active
    data.title = _(DATA_SHEET)
    help_sheet = workbook.create_sheet(_(HELP_SHEET))
    lists_sheet = workbook.create_sheet(_(LISTS_SHEET))
    ranges = _write_lists(lists_sheet, _lists(db, kind, today, province))
    _write_data_sheet(data, kind, ranges)
    _write_help_sheet(help_sheet, kind)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
