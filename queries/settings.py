"""Settings of the scoring method, the sign-in and the importer: one table holding each
setting's default, bounds and help text (like Datasette's), and the check of a new value
against it. The settings are one file for the whole installation, so they are country-wide.

Values can be overridden per store in `<store>/settings.json`; the method page shows this table.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.text import format_number

ROOT = Path(__file__).resolve().parent.parent
# DTI_DATA_DIR lets tests point the app at a tiny fixture instead of the shipped data.
DATA_DIR = Path(os.environ.get("DTI_DATA_DIR") or ROOT / "data").resolve()
DEMO_STORE = DATA_DIR / "demo"


@dataclass(frozen=True)
class Setting:
    """One setting. A number has both bounds (low ≤ value ≤ high) and is whole when its
    default is an int, unless `fractional`; a text setting with `choices` takes one of them."""

    name: str
    default: object
    help_vi: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    fractional: bool = False

    @property
    def help(self) -> str:
        """The help text in the interface's language (help_vi is its msgid)."""
        return _(self.help_vi)

    @property
    def kind(self) -> str:
        if self.choices:
            return "choice"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, int) and not self.fractional:
            return "whole"
        if isinstance(self.default, (int, float)):
            return "number"
        return "text"

    @property
    def bounds_text(self) -> str:
        """'từ 1 đến 50' (numbers only)."""
        if self.low is None:
            return ""
        return _("từ {low} đến {high}").format(low=_number_text(self.low), high=_number_text(self.high))


def _number_text(value: float | None) -> str:
    """Vietnamese digits: 1.000.000; 0,5."""
    if value is None:
        return ""
    return format_number(value, 0 if float(value).is_integer() else 2)


# Pillar weights: points, any non-negative number up to ten times the largest DTI weight.
WEIGHT = (0, 2000, (), True)

SETTINGS: tuple[Setting, ...] = (
    Setting("weight_HT", 100, N_("Trọng số trụ cột Hạ tầng số (điểm tối đa theo DTI)."), *WEIGHT),
    Setting("weight_NL", 100, N_("Trọng số trụ cột Nhân lực số."), *WEIGHT),
    Setting("weight_AT", 100, N_("Trọng số trụ cột An toàn thông tin mạng."), *WEIGHT),
    Setting("weight_CQ", 200, N_("Trọng số trụ cột Chính quyền số."), *WEIGHT),
    Setting("weight_KT", 150, N_("Trọng số trụ cột Kinh tế số."), *WEIGHT),
    Setting("weight_XH", 150, N_("Trọng số trụ cột Xã hội số."), *WEIGHT),
    Setting(
        "unreported_rule",
        "zero",
        N_("Chỉ tiêu có mục tiêu nhưng chưa có số liệu: 'zero' = tính 0 điểm (không có minh chứng, "
           "không có điểm, như bộ DTI chính thức); 'exclude' = bỏ khỏi trung bình."),
        choices=("zero", "exclude"),
    ),
    Setting("on_track_ratio", 0.95, N_("Tỷ lệ tiến độ từ mức này trở lên: Đúng tiến độ."), 0, 1),
    Setting("speed_up_ratio", 0.6, N_("Tỷ lệ tiến độ từ mức này đến dưới mức trên: Cần đẩy nhanh."), 0, 1),
    Setting(
        "score_basis",
        "all",
        N_("Số liệu được tính điểm: 'all' = mọi số liệu đã nhận; 'reviewed' = chỉ số liệu của các tháng "
           "đã được tỉnh thẩm định (số liệu tháng chưa thẩm định chờ, dùng số liệu đã thẩm định gần nhất)."),
        choices=("all", "reviewed"),
    ),
    # A day every month has.
    Setting("report_deadline_day", 20, N_("Báo cáo tháng M đúng hạn khi nhận được trước ngày này của tháng M+1 (giờ Việt Nam)."),
            1, 28),
    Setting(
        "lock_after_days",
        10,
        N_("Tháng M khóa sổ sau hạn báo cáo bấy nhiêu ngày (lúc 0 giờ): cán bộ xã không sửa được nữa, "
           "chỉ Quản trị tỉnh sửa được và phải ghi lý do."),
        0, 90,  # a quarter at most: later, a month would never close before the next one's deadline
    ),
    Setting("evidence_max_mb", 20, N_("Dung lượng tối đa của mỗi tệp minh chứng (MB)."), 1, 50),
    Setting("public_view", True, N_("Người chưa đăng nhập được xem các trang (chỉ xem); tắt: chỉ hiện màn hình đăng nhập.")),
    # A lock that needs more than 20 guesses, or lasts more than a day, no longer protects or
    # no longer lets people work.
    Setting("login_max_failures", 5, N_("Số lần đăng nhập sai liên tiếp từ một địa chỉ mạng thì tên đăng nhập bị tạm "
            "khóa với địa chỉ đó; sai gấp bốn lần số này (từ mọi địa chỉ cộng lại) thì bị tạm khóa với mọi địa chỉ."),
            1, 20),
    Setting("login_lock_minutes", 15, N_("Tên đăng nhập bị tạm khóa bấy nhiêu phút sau khi đăng nhập sai quá số lần trên."),
            1, 1440),
    Setting("login_address_free_failures", 20, N_("Số lần đăng nhập sai (với mọi tên đăng nhập) từ một địa chỉ mạng "
            "trong một giờ, trước khi địa chỉ đó phải chờ giữa hai lần thử (1 giây, rồi gấp đôi sau mỗi lần sai)."),
            5, 1000),
    Setting("login_address_max_wait_minutes", 15, N_("Thời gian chờ dài nhất (phút) giữa hai lần thử của một địa chỉ "
            "mạng đã đăng nhập sai nhiều lần."), 1, 1440),
    # A signed-in session (queries.accounts.sessions) ends after this long unused, and this long
    # after signing in whatever the use: a forgotten browser in a commune office stays open
    # for an hour at most, and nobody signs in more than once a working day.
    Setting("session_idle_minutes", 60, N_("Phiên đăng nhập kết thúc sau bấy nhiêu phút không dùng đến (không bấm, "
            "không mở trang nào); phải đăng nhập lại."), 5, 1440),
    Setting("session_max_hours", 12, N_("Phiên đăng nhập dài nhất (giờ) kể từ lúc đăng nhập: hết thời gian này phải "
            "đăng nhập lại, dù vẫn đang dùng."), 1, 168),
    Setting("include_demo", True, N_("Đọc kèm dữ liệu minh họa (Tỉnh Minh Họa) có sẵn trong data/demo.")),
    # What one server process (a replica) may take for its tables and queries (queries/db.py).
    # Below 128 MB a national page no longer fits without spilling everything to disk; a
    # replica shares its machine with others, so more than 64 GB is a typing mistake.
    Setting("duckdb_memory_mb", 512, N_("Bộ nhớ (MB) mà cơ sở dữ liệu bảng tính điểm của mỗi máy chủ được dùng; "
            "phép tính lớn hơn mức này ghi tạm ra đĩa (chậm hơn) thay vì dùng thêm RAM."), 128, 65_536),
    Setting("duckdb_threads", 2, N_("Số luồng CPU mà cơ sở dữ liệu bảng tính điểm của mỗi máy chủ dùng cho một truy "
            "vấn; nhiều luồng hơn thì trang cả nước nhanh hơn nhưng tốn thêm bộ nhớ."), 1, 64),
    # Bounds of the importer (queries/ingest): no real file comes near them (a province's month
    # is about 3,000 rows × 10 columns); they keep one hostile file from taking the server down.
    Setting("upload_max_mb", 20, N_("Dung lượng lớn nhất của một tệp tải lên (MB)."), 1, 50),
    Setting("upload_max_rows", 50_000, N_("Số dòng lớn nhất của một tệp tải lên (tính cả dòng tiêu đề)."), 1, 1_000_000),
    Setting("upload_max_columns", 200, N_("Số cột lớn nhất của một tệp tải lên."), 1, 1000),
    Setting("upload_max_cells", 1_000_000, N_("Số ô lớn nhất đọc từ một tệp tải lên (mọi trang cộng lại; một dòng tính đến "
            "ô cuối có số liệu)."), 1, 20_000_000),
    Setting("max_count", 10_000_000, N_("Giá trị lớn nhất hợp lý của một chỉ tiêu đếm số lượng, của tử số, "
            "mẫu số và dân số một xã; lớn hơn là gõ nhầm hoặc tệp hỏng, bị từ chối."), 1, 1_000_000_000),
    Setting("max_per_1000", 1000, N_("Giá trị lớn nhất hợp lý của một chỉ tiêu tính trên 1.000 dân."), 1, 1_000_000),
)

# (code, Vietnamese name); the name is a msgid: _(name) is the English one (Digital government…).
PILLARS: tuple[tuple[str, str], ...] = (
    ("HT", N_("Hạ tầng số")),
    ("NL", N_("Nhân lực số")),
    ("AT", N_("An toàn thông tin mạng")),
    ("CQ", N_("Chính quyền số")),
    ("KT", N_("Kinh tế số")),
    ("XH", N_("Xã hội số")),
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


SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


class InvalidSetting(UserFacingError):
    """A value a setting does not take; `message` is Vietnamese, naming the setting."""


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidSetting(_("{name}: phải là một số.").format(name=name))
    return value


def checked_value(name: str, value) -> object:
    """The value to store for the setting `name`, checked against its row of SETTINGS
    (kind, choices, bounds), or InvalidSetting."""
    setting = SETTINGS_BY_NAME.get(name)
    if setting is None:
        raise InvalidSetting(_("Không có cài đặt: {name}.").format(name=name))
    kind = setting.kind
    if kind == "choice":
        if value not in setting.choices:
            raise InvalidSetting(_("{name}: chọn một trong {choices}.").format(name=name, choices=", ".join(setting.choices)))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidSetting(_("{name}: phải là có (true) hoặc không (false).").format(name=name))
        return value
    if kind in ("whole", "number"):
        number = _number(name, value)
        if kind == "whole" and number != int(number):
            raise InvalidSetting(_("{name}: phải là số nguyên {bounds}.").format(name=name, bounds=setting.bounds_text))
        if not setting.low <= number <= setting.high:
            what = _("số nguyên") if kind == "whole" else _("số")
            raise InvalidSetting(_("{name}: phải là {what} {bounds}.").format(name=name, what=what,
                                                                               bounds=setting.bounds_text))
        return int(number) if kind == "whole" else value
    if not isinstance(value, str) or not value.strip():
        raise InvalidSetting(_("{name}: không được để trống.").format(name=name))
    return value


def checked_values(current: Mapping[str, object], new_values: Mapping[str, object]) -> dict[str, object]:
    """`current` with `new_values` checked and put in, or InvalidSetting for the first bad one:
    an unknown name, a value outside its row of SETTINGS, or a pair that breaks a rule between
    settings (the "on track" threshold must stay above the "speed up" one, or no indicator
    could be told to speed up)."""
    unknown = [name for name in new_values if name not in SETTINGS_BY_NAME]
    if unknown:
        raise InvalidSetting(_("Không có cài đặt: {name}.").format(name=", ".join(unknown)))
    merged = {**current, **{name: checked_value(name, value) for name, value in new_values.items()}}
    if not merged["on_track_ratio"] > merged["speed_up_ratio"]:
        raise InvalidSetting(_("on_track_ratio (mức Đúng tiến độ) phải lớn hơn speed_up_ratio (mức Cần đẩy nhanh)."))
    return merged
