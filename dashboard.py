"""Entry point: `streamlit run dashboard.py`. Lists the pages; each page is its own file."""
import streamlit as st

st.set_page_config(page_title="Chuyển đổi số cấp xã", page_icon="📊", layout="wide")

pages = {
    "Theo dõi": [
        st.Page("pages/tong_quan.py", title="Tổng quan", icon="🏠", default=True),
        st.Page("pages/xep_hang.py", title="Xếp hạng", icon="🏆"),
    ],
    "Thông tin": [
        st.Page("pages/phuong_phap.py", title="Phương pháp", icon="📐"),
    ],
}
st.navigation(pages).run()
