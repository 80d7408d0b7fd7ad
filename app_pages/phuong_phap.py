"""Phương pháp: the scoring method in plain Vietnamese, the settings in force, the sources."""
import polars as pl
import streamlit as st

from queries.settings import PILLARS, SETTINGS
from queries.status import STATUS_ICONS, STATUS_ORDER
from ui.state import database, query

st.title("Phương pháp tính điểm")
st.caption(
    "Mọi con số trên bảng điều khiển được tính theo đúng các bước dưới đây, từ chỉ tiêu "
    "được giao và số liệu các xã báo cáo. Có thể tự tính lại bằng tay cho bất kỳ xã nào."
)

db = database()
db.ensure_fresh()  # settings.json may have been edited since the last query
settings = db.settings
weights = {code: float(settings[f"weight_{code}"]) for code, _ in PILLARS}
on_track = float(settings["on_track_ratio"])
speed_up = float(settings["speed_up_ratio"])
unreported_zero = settings["unreported_rule"] != "exclude"

st.header("1. Giá trị hiện tại của một chỉ tiêu")
st.markdown(
    "Giá trị của một chỉ tiêu tại tháng *p* là **số liệu báo cáo gần nhất có kỳ báo cáo "
    "không muộn hơn tháng *p*** (có thể từ năm trước). Số liệu của các tháng sau *p* không được "
    "dùng. Khi một xã tải lên số liệu mới cho cùng chỉ tiêu và cùng tháng, số mới thay số cũ; "
    "số cũ vẫn được lưu trong lịch sử và có thể khôi phục bằng cách hủy lần tải lên mới."
)

st.header("2. Điểm của một chỉ tiêu (0–100)")
st.markdown(
    "Mục tiêu là **chỉ tiêu được giao cho xã trong năm của tháng *p***.\n\n"
    "- Chỉ tiêu càng cao càng tốt: **điểm = 100 × min(giá trị ÷ mục tiêu; 1)**; "
    "mục tiêu bằng 0 thì được 100 điểm. Vượt mục tiêu không được cộng thêm.\n"
    + (
        "- Chỉ tiêu có mục tiêu nhưng **chưa có số liệu** đến tháng *p*: **0 điểm** "
        "(“không có minh chứng, không có điểm”, như bộ chỉ số DTI chính thức).\n"
        if unreported_zero else
        "- Chỉ tiêu có mục tiêu nhưng **chưa có số liệu**: không tính vào trung bình "
        "(cài đặt hiện hành khác mặc định).\n"
    )
    + "- Chỉ tiêu **Đạt** khi giá trị thỏa đúng dấu so sánh của mục tiêu: mục tiêu “> 80%” "
    "**chưa đạt** khi giá trị đúng bằng 80%, còn “≥ 80%” thì đạt. “100%” nghĩa là phải đạt 100%."
)

st.header("3. Điểm trụ cột và điểm tổng")
weight_table = pl.DataFrame({
    "Mã": [code for code, _ in PILLARS],
    "Trụ cột": [name for _, name in PILLARS],
    "Trọng số (điểm tối đa DTI)": [weights[code] for code, _ in PILLARS],
})
st.markdown(
    "- **Điểm trụ cột** = trung bình điểm các chỉ tiêu có mục tiêu của xã trong trụ cột đó.\n"
    "- **Điểm tổng** = trung bình có trọng số của điểm các trụ cột mà xã có chỉ tiêu; trụ cột "
    "xã không được giao chỉ tiêu nào thì không tính (không bị 0 điểm). Trọng số là điểm tối đa "
    "của từng trụ cột trong bộ DTI chính thức:"
)
st.dataframe(weight_table, hide_index=True, width="content")
st.markdown(
    "- Chỉ tiêu đổi mới sáng tạo (đề tài khoa học, sáng kiến, khởi nghiệp — nhóm **DM**) được "
    "theo dõi riêng, **không** tính vào trụ cột nào.\n"
    "- **Tỷ lệ có số liệu** = số chỉ tiêu có số liệu ÷ số chỉ tiêu có mục tiêu; luôn hiển thị "
    "bên cạnh điểm để biết điểm dựa trên bao nhiêu minh chứng."
)

st.subheader("Ví dụ tính tay")
st.markdown(
    "Xã A được giao 4 chỉ tiêu năm 2026; tháng 6/2026:\n\n"
    "| Chỉ tiêu | Trụ cột | Mục tiêu | Giá trị | Điểm |\n|---|---|---|---|---|\n"
    "| Hộ có cáp quang | HT | ≥ 80% | 40% | 100 × 40/80 = **50** |\n"
    "| Cán bộ được tập huấn | NL | > 80% | 80% | **100** (nhưng *chưa đạt* vì “>”) |\n"
    "| Thủ tục trực tuyến toàn trình | CQ | ≥ 50% | chưa báo cáo | **0** |\n"
    "| Sản phẩm OCOP lên sàn | KT | ≥ 2 | 5 | **100** (không cộng vượt) |\n\n"
    f"Điểm tổng = ({weights['HT']:g}×50 + {weights['NL']:g}×100 + {weights['CQ']:g}×0 + "
    f"{weights['KT']:g}×100) ÷ ({weights['HT']:g} + {weights['NL']:g} + {weights['CQ']:g} + "
    f"{weights['KT']:g}) = "
    f"**{(weights['HT'] * 50 + weights['NL'] * 100 + weights['KT'] * 100) / (weights['HT'] + weights['NL'] + weights['CQ'] + weights['KT']):.2f}**"
    .replace(".", ",")
    + " (AT và XH không có chỉ tiêu nên không tính); tỷ lệ có số liệu 3/4 = 75 %."
)

st.header("4. Xếp hạng")
st.markdown(
    "Điểm tổng được **làm tròn 2 chữ số thập phân rồi mới xếp hạng**. Các xã bằng điểm "
    "**cùng hạng** (ví dụ 1, 2, 2, 4) và được liệt kê theo thứ tự chữ cái tiếng Việt "
    "(D trước Đ, Đ trước E). Thay đổi hạng so với tháng trước: ▲ lên hạng, ▼ xuống hạng. "
    "Xã chưa được giao chỉ tiêu năm đó không được xếp hạng. Có thể xếp hạng trong một tỉnh "
    "hoặc chung tất cả các tỉnh."
)

st.header("5. Tình trạng tiến độ của từng chỉ tiêu")
st.markdown(
    "**Mốc xuất phát** là giá trị gần nhất trước ngày 1/1 của năm; nếu không có thì lấy giá trị "
    "đầu tiên trong năm. Nối mốc xuất phát với mục tiêu cuối năm (tháng 12) bằng một đường "
    "thẳng: đó là **mức cần đạt** của từng tháng. **Tỷ lệ tiến độ** R = (giá trị − mốc) ÷ "
    "(mức cần đạt − mốc)."
)
st.dataframe(
    pl.DataFrame({
        "Tình trạng": [f"{STATUS_ICONS[s]} {s}" for s in STATUS_ORDER],
        "Khi nào": [
            "Giá trị thỏa mục tiêu (đúng dấu so sánh)",
            f"Chưa đạt, R ≥ {on_track:g}".replace(".", ","),
            f"{speed_up:g} ≤ R < {on_track:g}".replace(".", ","),
            f"0 ≤ R < {speed_up:g}".replace(".", ","),
            "R < 0: giá trị thấp hơn mốc xuất phát",
            "Không vẽ được đường tiến độ (mới có một số liệu đầu năm, hoặc mốc đã vượt mục tiêu)",
            "Chưa có số liệu nào đến tháng đang xem",
        ],
    }),
    hide_index=True,
)

st.header("6. Nguồn số liệu")
st.markdown(
    "- **Chỉ tiêu** lấy từ kế hoạch chuyển đổi số đã ký của các xã (mỗi chỉ tiêu ghi văn bản "
    "và mục nguồn, cơ quan chủ trì) và từ các tệp chỉ tiêu được tải lên.\n"
    "- **Số liệu thực hiện** lấy từ báo cáo trong kế hoạch (kết quả năm 2024 của xã Định Tiến) "
    "và từ các tệp báo cáo tháng các xã tải lên; mỗi số liệu ghi lần tải lên và dòng của tệp.\n"
    "- **Dữ liệu minh họa**: tỉnh “Minh Họa” là tỉnh giả định, số liệu do máy sinh ra để "
    "trình diễn; luôn được ghi rõ “Dữ liệu minh họa” trên màn hình, không phải số liệu thật."
)
documents = query("plan_documents")
if documents.height:
    st.dataframe(
        documents.filter(~pl.col("is_demo")).drop("is_demo").rename({
            "source_doc": "Văn bản", "province": "Tỉnh", "communes": "Xã",
            "years": "Năm", "n_targets": "Số chỉ tiêu",
        }),
        hide_index=True,
    )

st.header("7. Cài đặt đang áp dụng")
st.markdown("Quản trị viên có thể đổi các giá trị này trong tệp `settings.json` của thư mục lưu trữ.")
st.dataframe(
    pl.DataFrame({
        "Tên": [s.name for s in SETTINGS],
        "Giá trị": [str(settings[s.name]) for s in SETTINGS],
        "Mặc định": [str(s.default) for s in SETTINGS],
        "Ý nghĩa": [s.help_vi for s in SETTINGS],
    }),
    hide_index=True,
)
