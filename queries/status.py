"""The seven statuses of the scoring method, in one place for the pages, the slides and the
meeting pack: order (best first), Okabe–Ito colours that colour-blind readers can tell
apart, an icon so a status is never told by colour alone, and a plain-words meaning.
Below them, the colours of the other statuses the pages show: the monthly report's, the
plans' tasks' and the year-end projection's. Every status colour is declared here, once.

Two icon sets with the same meaning: emoji on screen, and DejaVu Sans symbols where emoji
cannot be drawn (PDF pages and exported images).
"""
from __future__ import annotations

from queries.i18n import N_, _

# The statuses are values of the queries (Vietnamese, the same in every language) and the
# msgids of their labels: status_name("Chậm") is "Slow" in English.
STATUS_ORDER: tuple[str, ...] = (
    N_("Đạt"), N_("Đúng tiến độ"), N_("Cần đẩy nhanh"), N_("Chậm"), N_("Đi lùi"), N_("Chưa đủ dữ liệu"),
    N_("Chưa có số liệu"),
)
STATUS_COLORS: dict[str, str] = {
    "Đạt": "#009E73",              # bluish green
    "Đúng tiến độ": "#56B4E9",     # sky blue
    "Cần đẩy nhanh": "#F0E442",    # yellow
    "Chậm": "#E69F00",             # orange
    "Đi lùi": "#D55E00",           # vermillion
    "Chưa đủ dữ liệu": "#8E99A4",  # mid grey
    "Chưa có số liệu": "#CDD4DB",  # light grey
}
STATUS_ICONS: dict[str, str] = {
    "Đạt": "✅", "Đúng tiến độ": "🔵", "Cần đẩy nhanh": "🟡", "Chậm": "🟠", "Đi lùi": "🔻",
    "Chưa đủ dữ liệu": "❔", "Chưa có số liệu": "⬜",
}
STATUS_PRINT_ICONS: dict[str, str] = {
    "Đạt": "✔", "Đúng tiến độ": "↗", "Cần đẩy nhanh": "→", "Chậm": "↘", "Đi lùi": "↓",
    "Chưa đủ dữ liệu": "?", "Chưa có số liệu": "∅",
}
STATUS_HELP: dict[str, str] = {  # msgids: status_help(status) in the interface's language
    "Đạt": N_("đã đạt mục tiêu năm"),
    "Đúng tiến độ": N_("chưa đạt nhưng theo kịp lộ trình tới mục tiêu"),
    "Cần đẩy nhanh": N_("đi được 60–95 % quãng đường lẽ ra phải đi"),
    "Chậm": N_("đi được dưới 60 % quãng đường lẽ ra phải đi"),
    "Đi lùi": N_("kết quả thấp hơn mức đầu năm"),
    "Chưa đủ dữ liệu": N_("có số liệu nhưng chưa vẽ được lộ trình để tính tiến độ"),
    "Chưa có số liệu": N_("chưa báo cáo (tính 0 điểm)"),
}
BEHIND: tuple[str, ...] = ("Cần đẩy nhanh", "Chậm", "Đi lùi")

# ---- the monthly report (codes of queries/cycle/calendar.py) ----------------------------------
# One tint per status for the grid and the tables alike: tints of Okabe–Ito green, orange,
# vermillion and grey, light enough for dark text on a projector, far enough apart that late
# and missing are told apart; the icon and the words say the same thing.
REPORT_COLORS: dict[str, str] = {
    "dung_han": "#BFE6D6",      # on time
    "tre_han": "#F5C46E",       # late
    "chua_nop": "#EC9A72",      # missing
    "chua_den_han": "#E4E8EC",  # not due yet
}
TINT_TEXT = "#1B2631"  # the text on a tinted cell

# ---- the plans' tasks (codes of queries/plans/tasks.py; "qua_han", overdue, is derived) --------
TASK_COLORS: dict[str, str] = {
    "qua_han": "#D55E00",         # vermillion, as Đi lùi
    "chua_bat_dau": "#CDD4DB",    # light grey, as Chưa có số liệu
    "dang_thuc_hien": "#56B4E9",  # sky blue, as Đúng tiến độ
    "hoan_thanh": "#009E73",      # bluish green, as Đạt
}
# A task's table cell: only overdue and done are tinted, as a missing and an on-time report.
TASK_TINTS: dict[str, str] = {"qua_han": REPORT_COLORS["chua_nop"], "hoan_thanh": REPORT_COLORS["dung_han"]}

# ---- the year-end projection (projected_status of the projection queries) ------------------------
PROJECTION_COLORS: dict[str, str] = {
    N_("Dự kiến đạt"): "#009E73", N_("Dự kiến không đạt"): "#D55E00", N_("Chưa đủ dữ liệu dự báo"): "#8E99A4",
}


def status_name(status: str | None) -> str:
    """A status of the scoring method or of the projection, as the reader's language names it
    (the status itself stays the key of every colour and icon table above)."""
    return _(status) if status else ""


def status_help(status: str) -> str:
    return _(STATUS_HELP.get(status, ""))
