"""Kinh phí: what the communes planned and spent on digital transformation, per year and item,
in đồng; totals per commune."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.i18n import _
from queries.text import format_percent
from ui import filters, page, plans
from ui.downloads import table_downloads
from ui.format import format_dong, per_row
from ui.state import query

ALL_YEARS = "tat-ca"

page.header(
    _("Kinh phí"),
    _("Kinh phí chuyển đổi số của các xã: dự toán và đã chi theo từng khoản, từng năm, bằng đồng; "
    "tổng của mỗi xã."),
)
slots = page.filter_row(3, [1, 1, 2])
province, provinces = plans.province_filter(slots[0])
if province is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
everywhere = query("spending_by_commune", province=None, commune=None)
spending = everywhere.filter(pl.col("province") == province)
years = sorted(spending["year"].unique().to_list(), reverse=True)
year = slots[1].selectbox(_("Năm"), [ALL_YEARS, *years], key="kp_nam",
                          format_func=lambda y: _("Tất cả các năm") if y == ALL_YEARS else _("Năm {y}").format(y=y))
filters.keep_only(("tinh",))
if year != ALL_YEARS:
    spending = spending.filter(pl.col("year") == year)
page.scope_line(_("Tỉnh {province}").format(province=province),
    _("Tất cả các năm") if year == ALL_YEARS else _("Năm {year}").format(year=year))
page.demo_notice(bool(provinces.filter(pl.col("province") == province)["is_demo"].any()))
if spending.is_empty():
    others = sorted(everywhere["province"].unique().to_list())
    page.empty(_("Tỉnh {province} chưa có số liệu kinh phí nào.").format(province=province)
               + (_(" Tỉnh có số liệu kinh phí: {join}.").format(join=', '.join(others)) if others else "")
               + _(" Kinh phí lấy từ báo cáo trong kế hoạch của xã hoặc từ tệp kinh phí xã tải lên "
               "(khoản chi, dự toán, đã chi, bằng đồng)."), title=_("Chưa có số liệu kinh phí"))
    st.stop()
caption = " · ".join([_("Tỉnh {province}").format(province=province),
    _("Tất cả các năm") if year == ALL_YEARS else _("Năm {year}").format(year=year)])

totals = plans.spending_totals(spending)
planned = spending["planned"].sum() if spending["planned"].is_not_null().any() else None
m1, m2, m3, m4 = st.columns([2, 2, 1, 1])
m1.metric(_("Đã chi"), format_dong(spending["spent"].sum()), border=True, help=_("Tổng các khoản đã chi, bằng đồng."))
m2.metric(_("Dự toán"), format_dong(planned), border=True,
          help=_("Tổng dự toán của các khoản có ghi dự toán; “–” khi báo cáo không ghi dự toán."))
m3.metric(_("Số xã có số liệu"), spending["commune_id"].n_unique(), border=True)
m4.metric(_("Số khoản chi"), spending.height, border=True)

page.section(_("Tổng của từng xã"), _("Mỗi xã, mỗi năm: số khoản chi, dự toán, đã chi và tỷ lệ đã chi so với dự toán."))
st.dataframe(
    plans.with_dong_text(totals, "planned", "spent").with_columns(
        per_row(totals, "spent_share", lambda v: format_percent(100 * v), name="share_text").fill_null("–"))
    .select("commune_name", "year", "n_items", "planned_text", "spent_text", "share_text"),
    hide_index=True,
    column_config={
        "commune_name": st.column_config.TextColumn(_("Xã"), width=150),
        "year": st.column_config.NumberColumn(_("Năm"), format="%d", width=60),
        "n_items": st.column_config.NumberColumn(_("Số khoản"), format="%d", width=70),
        "planned_text": plans.dong_column(_("Dự toán (đồng)"), 140),
        "spent_text": plans.dong_column(_("Đã chi (đồng)"), 140),
        "share_text": st.column_config.TextColumn(_("Đã chi / dự toán"), width=110, alignment="right",
                                                  help=_("Chỉ tính khi có dự toán")),
    },
    key="kp-totals",
)
table_downloads(
    totals.select("commune_name", "year", "n_items", "planned", "spent", "spent_share"),
    _("Kinh phí từng xã – {caption}").format(caption=caption), "kp-totals-dl",
    headings={"commune_name": _("Xã"), "year": _("Năm"), "n_items": _("Số khoản"), "planned": _("Dự toán (đồng)"),
              "spent": _("Đã chi (đồng)"), "spent_share": _("Đã chi / dự toán")},
    number_formats={**plans.DONG_FORMATS, "spent_share": "0.0%"},
    title=_("Kinh phí chuyển đổi số từng xã – {caption}").format(caption=caption),
)

page.section(_("Từng khoản chi"), _("Như kế hoạch hoặc tệp của xã ghi, với văn bản báo cáo."))
plans.show_spending_lines(spending, "kp-lines", with_commune=True, name=_("Khoản chi – {caption}").format(caption=caption),
                          title=_("Kinh phí chuyển đổi số theo khoản chi – {caption}").format(caption=caption))
