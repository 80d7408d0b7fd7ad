"""Helpers for the tests of accounts, the reporting cycle, tasks and spending through the importer
and the exports: the upload tests' small catalog plus a plan's tasks and spending, accounts of
every role, and the two command lines run as a person would run them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from queries.accounts.permissions import CAN_BO_XA, LANH_DAO, LOCAL_ADMIN, QUAN_TRI
from queries.accounts.places import Places
from queries.accounts.service import create_account
from queries.ingest.catalog import CatalogDatabase
from queries.store import Store
from tests.upload_data import make_data_dir

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-22T10:00:00+07:00"  # October is open (closes 30/11), September closed on 30/10
PASSWORD = "mat-khau-thu-nghiem-dai"

# Two plans of Định Tiến (2025 and 2026; the 2026 plan prints 8.4 twice, as Nghĩa Hành's does)
# and one of Đại Phước. Minh Đức has no task list.
TASKS = """commune_id,plan_year,seq,group_no,group_name,item,name,required_result,deadline_text,deadline,recurring,lead_unit,partner_units,indicators,source_doc,source_item,note
thanh-hoa/dinh-tien,2025,1,1,Nhận thức số,1.1,Thành lập Ban chỉ đạo chuyển đổi số,Quyết định thành lập,Tháng 9/2025,2025-09-30,false,Văn phòng HĐND-UBND,,,KH thử 2025,,
thanh-hoa/dinh-tien,2026,1,1,Nhận thức số,1.1,Kiện toàn Ban chỉ đạo chuyển đổi số,Quyết định kiện toàn,Quý I/2026,2026-03-31,false,Văn phòng HĐND-UBND,,,KH thử 2026,,
thanh-hoa/dinh-tien,2026,2,1,Nhận thức số,1.2,Tổ chức tập huấn kỹ năng số,01 lớp,Quý IV/2026,2026-12-31,false,Phòng Văn hóa - Xã hội,,,KH thử 2026,,
thanh-hoa/dinh-tien,2026,3,8,Xã hội số,8.4a,Chuyển đổi số trong chăm sóc sức khỏe,,Tháng 6/2026,2026-06-30,false,Trạm Y tế,,,KH thử 2026,,
thanh-hoa/dinh-tien,2026,4,8,Xã hội số,8.4b,Thanh niên với chuyển đổi số,,Thường xuyên,,true,Đoàn Thanh niên,,,KH thử 2026,,
dong-nai/dai-phuoc,2026,1,1,Nhận thức số,1.1,Tuyên truyền chuyển đổi số,,Tháng 10/2026,2026-10-31,false,Phòng Văn hóa - Xã hội,,,KH thử 2026,,
"""
SPENDING = """commune_id,year,item,planned,spent,source_doc,source_item,note
thanh-hoa/dinh-tien,2024,Chi tập huấn CĐS,,12000000,Báo cáo thử 2024,khoản 1,
thanh-hoa/dinh-tien,2024,Chi camera an ninh,400000000,350000000,Báo cáo thử 2024,khoản 2,
"""


def make_plan_data_dir(folder: Path) -> Path:
    """The upload tests' catalog (5 communes, 8 indicators, a few targets) with tasks and spending."""
    make_data_dir(folder)
    (folder / "tasks.csv").write_text(TASKS, encoding="utf-8")
    (folder / "spending.csv").write_text(SPENDING, encoding="utf-8")
    return folder


@dataclass
class World:
    data: Path
    store: Path

    def catalog(self) -> CatalogDatabase:
        return CatalogDatabase(self.store, include_demo=False, data_dir=self.data)

    def entries(self) -> list[dict]:
        return Store(self.store).entries()

    def env(self, now: str = NOW) -> dict:
        return {**os.environ, "DTI_DATA_DIR": str(self.data), "DTI_STORE": str(self.store), "DTI_NOW": now,
                "DTI_TEST_FAST_HASH": "1"}

    def run(self, module: str, *args, now: str = NOW) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=self.env(now),
                              capture_output=True, text=True, encoding="utf-8", timeout=180)
        assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done

    def ingest(self, *args, now: str = NOW) -> subprocess.CompletedProcess:
        return self.run("queries.ingest", *args, now=now)

    def ingest_json(self, *args, now: str = NOW) -> tuple[int, dict]:
        done = self.ingest(*args, "--json", now=now)
        return done.returncode, json.loads(done.stdout)


def make_world(tmp_path: Path, accounts: bool = True) -> World:
    """A catalog, an empty store and the accounts: an (Cán bộ xã of Định Tiến), binh (Cán bộ
    xã of Đại Phước), tinh (Quản trị of Thanh Hóa), lanhdao (Lãnh đạo of Thanh Hóa)."""
    world = World(make_plan_data_dir(tmp_path / "data"), tmp_path / "store")
    if accounts:
        places = Places.from_database(world.catalog())
        for username, role, scope in (
            ("an", CAN_BO_XA, {"communes": ["thanh-hoa/dinh-tien"]}),
            ("binh", CAN_BO_XA, {"communes": ["dong-nai/dai-phuoc"]}),
            ("tinh", QUAN_TRI, {"provinces": ["Thanh Hóa"]}),
            ("lanhdao", LANH_DAO, {"provinces": ["Thanh Hóa"]}),
        ):
            create_account(LOCAL_ADMIN, world.store, username=username, role=role, password=PASSWORD,
                           places=places, **scope)
    return world


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
