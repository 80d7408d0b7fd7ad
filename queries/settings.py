"""Settings of the scoring method: one table with defaults and help text (like Datasette's).

Values can be overridden per store in `<store>/settings.json`; the method page shows this table.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# DTI_DATA_DIR lets tests point the app at a tiny fixture instead of the shipped data.
DATA_DIR = Path(os.environ.get("DTI_DATA_DIR") or ROOT / "data").resolve()
DEMO_STORE = DATA_DIR / "demo"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help_vi: str


SETTINGS: tuple[Setting, ...] = (
    Setting("weight_HT", 100, "Trọng số trụ cột Hạ tầng số (điểm tối đa theo DTI)."),
    Setting("weight_NL", 100, "Trọng số trụ cột Nhân lực số."),
    Setting("weight_AT", 100, "Trọng số trụ cột An toàn thông tin mạng."),
    Setting("weight_CQ", 200, "Trọng số trụ cột Chính quyền số."),
    Setting("weight_KT", 150, "Trọng số trụ cột Kinh tế số."),
    Setting("weight_XH", 150, "Trọng số trụ cột Xã hội số."),
    Setting(
        "unreported_rule",
        "zero",
        "Chỉ tiêu có mục tiêu nhưng chưa có số liệu: 'zero' = tính 0 điểm (không có minh chứng, "
        "không có điểm, như bộ DTI chính thức); 'exclude' = bỏ khỏi trung bình.",
    ),
    Setting("on_track_ratio", 0.95, "Tỷ lệ tiến độ từ mức này trở lên: Đúng tiến độ."),
    Setting("speed_up_ratio", 0.6, "Tỷ lệ tiến độ từ mức này đến dưới mức trên: Cần đẩy nhanh."),
    Setting(
        "score_basis",
        "all",
        "Số liệu được tính điểm: 'all' = mọi số liệu đã nhận; 'reviewed' = chỉ số liệu của các tháng "
        "đã được tỉnh thẩm định (số liệu tháng chưa thẩm định chờ, dùng số liệu đã thẩm định gần nhất).",
    ),
    Setting("report_deadline_day", 20, "Báo cáo tháng M đúng hạn khi nhận được trước ngày này của tháng M+1 (giờ Việt Nam)."),
    Setting(
        "lock_after_days",
        10,
        "Tháng M khóa sổ sau hạn báo cáo bấy nhiêu ngày (lúc 0 giờ): cán bộ xã không sửa được nữa, "
        "chỉ Quản trị tỉnh sửa được và phải ghi lý do.",
    ),
    Setting("evidence_max_mb", 20, "Dung lượng tối đa của mỗi tệp minh chứng (MB)."),
    Setting("public_view", True, "Người chưa đăng nhập được xem các trang (chỉ xem); tắt: chỉ hiện màn hình đăng nhập."),
    Setting("login_max_failures", 5, "Số lần đăng nhập sai liên tiếp thì tài khoản bị tạm khóa."),
    Setting("login_lock_minutes", 15, "Tài khoản bị tạm khóa bấy nhiêu phút sau khi đăng nhập sai quá số lần trên."),
    Setting("include_demo", True, "Đọc kèm dữ liệu minh họa (Tỉnh Minh Họa) có sẵn trong data/demo."),
    # Bounds of the importer (queries/ingest): no real file comes near them (a province's month
    # is about 3,000 rows × 10 columns); they keep one hostile file from taking the server down.
    Setting("upload_max_mb", 20, "Dung lượng lớn nhất của một tệp tải lên (MB)."),
    Setting("upload_max_rows", 50_000, "Số dòng lớn nhất của một tệp tải lên (tính cả dòng tiêu đề)."),
    Setting("upload_max_columns", 200, "Số cột lớn nhất của một tệp tải lên."),
    Setting("upload_max_cells", 1_000_000, "Số ô lớn nhất đọc từ một tệp tải lên (mọi trang cộng lại; một dòng tính đến ô cuối có số liệu)."),
    Setting("max_count", 10_000_000, "Giá trị lớn nhất hợp lý của một chỉ tiêu đếm số lượng, của tử số, "
            "mẫu số và dân số một xã; lớn hơn là gõ nhầm hoặc tệp hỏng, bị từ chối."),
    Setting("max_per_1000", 1000, "Giá trị lớn nhất hợp lý của một chỉ tiêu tính trên 1.000 dân."),
)

PILLARS: tuple[tuple[str, str], ...] = (
    ("HT", "Hạ tầng số"),
    ("NL", "Nhân lực số"),
    ("AT", "An toàn thông tin mạng"),
    ("CQ", "Chính quyền số"),
    ("KT", "Kinh tế số"),
    ("XH", "Xã hội số"),
)
PILLAR_NAMES = dict(PILLARS)


def store_dir(override: str | os.PathLike | None = None) -> Path:
    """The directory for everything users add: DTI_STORE, default ./store (never data/)."""
    return Path(override or os.environ.get("DTI_STORE") or ROOT / "store").resolve()


def load_settings(store: Path | None = None) -> dict[str, object]:
    values = {s.name: s.default for s in SETTINGS}
    path = (store or store_dir()) / "settings.json"
    if path.exists():
        overrides = json.loads(path.read_text(encoding="utf-8"))
        values.update({k: v for k, v in overrides.items() if k in values})
    return values
