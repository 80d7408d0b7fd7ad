"""The yardstick for bench.browser_pages: the least a Streamlit page does (a title, a metric
and a 3-row table), served the same way as the dashboard."""
import polars as pl
import streamlit as st

st.title("Trang đối chứng")
st.metric("Số xã", 3)
st.dataframe(pl.DataFrame({"Xã": ["Một", "Hai", "Ba"], "Điểm": [1.0, 2.0, 3.0]}), hide_index=True)
