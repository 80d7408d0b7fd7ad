"""Projection of each targeted indicator to the year's end.

The rule itself is SQL (queries/sql/macros/03_projection.sql, table macro
`indicator_projection(p_period, scope_province, scope_commune)`); this module holds what the
pages need to show about it: the statuses and the rule in Vietnamese for the "Phương pháp"
page. The worked example below is a golden test in tests/test_projection.py.
"""
from __future__ import annotations

from queries.i18n import N_

PROJECTED_MET = N_("Dự kiến đạt")  # msgids too: status_name() in queries/status.py
PROJECTED_NOT_MET = N_("Dự kiến không đạt")
NOT_ENOUGH_DATA = N_("Chưa đủ dữ liệu dự báo")
PROJECTED_STATUSES = (PROJECTED_MET, PROJECTED_NOT_MET, NOT_ENOUGH_DATA)
MIN_VALUES = 3  # months with a value in the year before a line is drawn

METHOD_TEXT_VI = """\
**Dự báo đến cuối năm.** Với mỗi xã và mỗi chỉ tiêu có mục tiêu trong năm, bảng điều khiển
kẻ đường thẳng khớp nhất (phương pháp bình phương nhỏ nhất) qua các kết quả hằng tháng mà xã
đã báo cáo trong năm đó, tính đến tháng đang xem, rồi đọc giá trị của đường thẳng ở tháng 12.
Chỉ dự báo khi năm đó có ít nhất 3 tháng có số liệu; nếu chưa đủ, bảng ghi
“Chưa đủ dữ liệu dự báo”. Số liệu của năm trước và của các tháng sau tháng đang xem không
được dùng. Giá trị dự báo được giữ trong khoảng hợp lệ của chỉ tiêu (tỷ lệ từ 0 đến 100 %,
Có/Không từ 0 đến 1, số lượng không âm), làm tròn 2 chữ số thập phân, rồi so với mục tiêu theo
đúng dấu so sánh của kế hoạch (≥, >, ≤, <): thỏa thì ghi “Dự kiến đạt”, không thỏa thì
“Dự kiến không đạt”. Dự báo chỉ nối dài xu hướng của các tháng đã qua; nó không thay cho kết
quả thực tế.

*Ví dụ.* Một xã báo cáo tỷ lệ người dân có chữ ký số: tháng 1 là 52 %, tháng 2 là 55 %,
tháng 4 là 61 % (tháng 3 không báo cáo). Đường thẳng khớp nhất qua ba điểm (1; 52), (2; 55),
(4; 61) tăng 3 điểm phần trăm mỗi tháng và đi qua 49 % ở “tháng 0”, nên dự báo tháng 12 là
49 + 12 × 3 = 85 %. Với mục tiêu ≥ 80 %: **Dự kiến đạt**. Với mục tiêu “trên 85 %”: 85 % chưa
vượt 85 %, nên **Dự kiến không đạt**. Nếu xã chỉ mới báo cáo tháng 1 và tháng 2: **Chưa đủ dữ
liệu dự báo**.
"""
