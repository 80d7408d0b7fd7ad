"""Kinh phí: what the communes planned and spent on digital transformation, per year and item,
in đồng; totals per commune."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.text import format_percent
from ui import filters, page, plans
from ui.downloads import table_downloads
from ui.format import format_dong
from ui.state import query

ALL_YEARS = "tat-ca"

page.header(
    "Kinh phí",
    "Kinh phí chuyển đổi số của các xã: dự toán và đã chi theo từng khoản, từng năm, bằng đồng; "
    "tổng của mỗi xã.",
)
slots = page.filter_row(3, [1, 1, 2])
province, provinces = plans.province_filter(slots[0])
if province is None:
    page.empty(page.NO_COMMUNES)
    st.stop()
everywhere = query("spending_by_commune", province=None, commune=None)
spending = everywhere.filter(pl.col("province") == province)
years = sorted(spending["year"].unique().to_list(), reverse=True)
year = slots[1].selectbox("Năm", [ALL_YEARS, *years], key="kp_nam",
                          format_func=lambda y: "Tất cả các năm" if y == ALL_YEARS else f"Năm {y}")
filters.keep_only(("tinh",))
if year != ALL_YEARS:
    spending = spending.filter(pl.col("year") == year)
page.scope_line(f"Tỉnh {province}", "Tất cả các năm" if year == ALL_YEARS else f"Năm {year}")
page.demo_notice(bool(provinces.filter(pl.col("province") == province)["is_demo"].any()))
if spending.is_empty():
    others = sorted(everywhere["province"].unique().to_list())
    page.empty(f"Tỉnh {province} chưa có số liệu kinh phí nào."
               + (f" Tỉnh có số liệu kinh phí: {', '.join(others)}." if others else "")
               + " Kinh phí lấy từ báo cáo trong kế hoạch của xã hoặc từ tệp kinh phí xã tải lên "
               "(khoản chi, dự toán, đã chi, bằng đồng).", title="Chưa có số liệu kinh phí")
    st.stop()
caption = " · ".join([f"Tỉnh {province}", "Tất cả các năm" if year == ALL_YEARS else f"Năm {year}"])

totals = plans.spending_totals(spending)
planned = spending["planned"].sum() if spending["planned"].is_not_null().any() else None
m1, m2, m3, m4 = st.columns([2, 2, 1, 1])
m1.metric("Đã chi", format_dong(spending["spent"].sum()), border=True, help="Tổng các khoản đã chi, bằng đồng.")
m2.metric("Dự toán", format_dong(planned), border=True,
          help="Tổng dự toán của các khoản có ghi dự toán; “–” khi báo cáo không ghi dự toán.")
m3.metric("Số xã có số liệu", spending["commune_id"].n_unique(), border=True)
m4.metric("Số khoản chi", spending.height, border=True)

page.section("Tổng của từng xã", "Mỗi xã, mỗi năm: số khoản chi, dự toán, đã chi và tỷ lệ đã chi so với dự toán.")
st.dataframe(
    plans.with_dong_text(totals, "planned", "spent").with_columns(
        pl.col("spent_share").map_elements(lambda v: format_percent(100 * v), return_dtype=pl.Utf8)
        .fill_null("–").alias("share_text"))
    .select("commune_name", "year", "n_items", "planned_text", "spent_text", "share_text"),
    hide_index=True,
    column_config={
        "commune_name": st.column_config.TextColumn("Xã", width=150),
        "year": st.column_config.NumberColumn("Năm", format="%d", width=60),
        "n_items": st.column_config.NumberColumn("Số khoản", format="%d", width=70),
        "planned_text": plans.dong_column("Dự toán (đồng)", 140),
        "spent_text": plans.dong_column("Đã chi (đồng)", 140),
        "share_text": st.column_config.TextColumn("Đã chi / dự toán", width=110, alignment="right",
                                                  help="Chỉ tính khi có dự toán"),
    },
    key="kp-totals",
)
table_downloads(
    totals.select("commune_name", "year", "n_items", "planned", "spent", "spent_share"),
    f"Kinh phí từng xã – {caption}", "kp-totals-dl",
    headings={"commune_name": "Xã", "year": "Năm", "n_items": "Số khoản", "planned": "Dự toán (đồng)",
              "spent": "Đã chi (đồng)", "spent_share": "Đã chi / dự toán"},
    number_formats={**plans.DONG_FORMATS, "spent_share": "0.0%"},
    title=f"Kinh phí chuyển đổi số từng xã – {caption}",
)

page.section("Từng khoản chi", "Như kế hoạch hoặc tệp của xã ghi, với văn bản báo cáo.")
plans.show_spending_lines(spending, "kp-lines", with_commune=True, name=f"Khoản chi – {caption}",
                          title=f"Kinh phí chuyển đổi số theo khoản chi – {caption}")
