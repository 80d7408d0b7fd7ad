"""Entry point: `streamlit run dashboard.py`. Lists the pages; each page is its own file."""
import streamlit as st

st.set_page_config(page_title="Chuyển đổi số cấp xã", page_icon="📊", layout="wide")

pages = {
    "Theo dõi": [
        st.Page("app_pages/tong_quan.py", title="Tổng quan", icon="🏠", default=True),
        st.Page("app_pages/tru_cot.py", title="Trụ cột", icon="🧱"),
        st.Page("app_pages/xep_hang.py", title="Xếp hạng", icon="🏆"),
        st.Page("app_pages/ho_so_xa.py", title="Hồ sơ xã", icon="📋"),
        st.Page("app_pages/so_sanh.py", title="So sánh", icon="⚖️"),
        st.Page("app_pages/don_vi_chu_tri.py", title="Đơn vị chủ trì", icon="🏢"),
    ],
    "Nhập liệu": [
        st.Page("app_pages/tai_len.py", title="Tải lên số liệu", icon="📤"),
    ],
    "Họp giao ban": [
        st.Page("app_pages/trinh_chieu.py", title="Trình chiếu", icon="🖥️"),
    ],
    "Thông tin": [
        st.Page("app_pages/phuong_phap.py", title="Phương pháp", icon="📐"),
    ],
}
current = st.navigation(pages)
# ?trinh_chieu=1 on any page opens the presentation (keeping province and month).
if st.query_params.get("trinh_chieu") == "1" and not current.url_path.startswith("trinh_chieu"):
    st.switch_page("app_pages/trinh_chieu.py", query_params=st.query_params.to_dict())
current.run()
