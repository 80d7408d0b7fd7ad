"""The seven statuses of the scoring method, in one place for the pages, the slides and the
meeting pack: order (best first), Okabe–Ito colours that colour-blind readers can tell
apart, an icon so a status is never told by colour alone, and a plain-words meaning.

Two icon sets with the same meaning: emoji on screen, and DejaVu Sans symbols where emoji
cannot be drawn (PDF pages and exported images).
"""
from __future__ import annotations

STATUS_ORDER: tuple[str, ...] = (
    "Đạt", "Đúng tiến độ", "Cần đẩy nhanh", "Chậm", "Đi lùi", "Chưa đủ dữ liệu", "Chưa có số liệu",
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
STATUS_HELP: dict[str, str] = {
    "Đạt": "đã đạt mục tiêu năm",
    "Đúng tiến độ": "chưa đạt nhưng theo kịp lộ trình tới mục tiêu",
    "Cần đẩy nhanh": "đi được 60–95 % quãng đường lẽ ra phải đi",
    "Chậm": "đi được dưới 60 % quãng đường lẽ ra phải đi",
    "Đi lùi": "kết quả thấp hơn mức đầu năm",
    "Chưa đủ dữ liệu": "có số liệu nhưng chưa vẽ được lộ trình để tính tiến độ",
    "Chưa có số liệu": "chưa báo cáo (tính 0 điểm)",
}
BEHIND: tuple[str, ...] = ("Cần đẩy nhanh", "Chậm", "Đi lùi")
