"""Helpers for the upload tests: a small catalog written in the test's own folder, and real
files as Vietnamese offices make them (Windows-1258 bytes, UTF-16, .xlsx with formats)."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from queries.db import Database
from queries.ingest.readers import encode_windows_1258

INDICATORS = """code,pillar,name_vi,name_en,unit,direction,seen_in,group
HT01,HT,Tỷ lệ hộ gia đình có khả năng tiếp cận Internet cáp quang băng rộng,Fibre,percent,up,t,pillar
HT07,HT,Có ứng dụng AI phục vụ người dân/doanh nghiệp/cơ quan,AI,yes_no,up,t,pillar
NL01,NL,Tỷ lệ cán bộ được tập huấn kỹ năng số,Trained,percent,up,t,pillar
KT02,KT,Số doanh nghiệp công nghệ số trên 1.000 dân,Firms per 1000,per_1000,up,t,pillar
KT08,KT,Số sản phẩm OCOP lên sàn thương mại điện tử,OCOP,count,up,t,pillar
XH01,XH,Tỷ lệ dân số trưởng thành có chữ ký số,Signatures,percent,up,t,pillar
XH02,XH,Tỷ lệ người dân từ 15 tuổi trở lên có tài khoản thanh toán,Accounts,percent,up,t,pillar
XH05,XH,Tỷ lệ người dân trưởng thành có điện thoại thông minh,Smartphones,percent,up,t,pillar
"""
COMMUNES = """commune_id,commune_code,commune_name,province,adult_population,population_15plus,working_age_population,is_demo,source
thanh-hoa/dinh-tien,,Xã Định Tiến,Thanh Hóa,5219,5469,4164,false,t
dong-nai/dai-phuoc,26080,Xã Đại Phước,Đồng Nai,,,,false,t
dong-nai/minh-duc,,Xã Minh Đức,Đồng Nai,,,,false,t
thanh-hoa/phu-my,,Xã Phú Mỹ,Thanh Hóa,,,,false,t
dong-nai/phu-my,,Xã Phú Mỹ,Đồng Nai,,,,false,t
"""
TARGETS = """commune_id,indicator,year,comparator,target,target_text,unit,lead_unit,partner_units,source_doc,source_item,note
thanh-hoa/dinh-tien,XH05,2026,>=,90,≥ 90%,percent,Phòng Văn hóa - Xã hội,,KH thử,1,
thanh-hoa/dinh-tien,XH02,2026,>=,85,≥ 85%,percent,Phòng Kinh tế,,KH thử,2,
dong-nai/dai-phuoc,XH05,2026,>=,80,≥ 80%,percent,Phòng Văn hóa - Xã hội,,KH thử,1,
dong-nai/minh-duc,XH05,2026,>=,80,≥ 80%,percent,Phòng Văn hóa - Xã hội,,KH thử,1,
"""
ACTUALS = """commune_id,period,indicator,value,numerator,denominator,note,source_doc,source_item
thanh-hoa/dinh-tien,2024-12,XH05,81,4227,5219,,KH thử,
"""
TODAY = date(2026, 11, 22)


def make_data_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("indicators.csv", INDICATORS), ("communes.csv", COMMUNES),
                       ("targets.csv", TARGETS), ("actuals.csv", ACTUALS)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_database(tmp_path: Path) -> Database:
    return Database(store=tmp_path / "store", include_demo=False, data_dir=make_data_dir(tmp_path / "data"))


def cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does (precomposed base letters, the tone as a separate
    combining byte): the importer's own encoder, checked by test_readers."""
    return encode_windows_1258(text)


def xlsx(rows: list[list], formats: dict[str, str] | None = None, title: str | None = None,
         sheet_name: str = "Sheet1", extra_sheets: dict[str, list[list]] | None = None, active: int = 0) -> bytes:
    """An .xlsx written with openpyxl: `rows` start at row 1 (after the title row, when
    there is one, merged across the columns); `formats` maps a cell ('F4') to a number format."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    for row in rows:
        sheet.append(row)
    if title:
        sheet.insert_rows(1)
        sheet["A1"] = title
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    for name, other_rows in (extra_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(row)
    workbook.active = active
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
