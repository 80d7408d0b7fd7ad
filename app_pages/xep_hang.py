"""Xếp hạng: who leads and who lags, in one province or across all of them; and what the ranking
would be under other group weights (what-if), beside the official one."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.i18n import _
from queries.text import fold
from ui import filters, page, whatif
from ui import frameworks as fw
from ui.cycle import score_basis_caption
from ui.downloads import table_downloads
from ui.format import change_style, format_rank_change, in_sentence, per_row, vi_table
from ui.markdown import literal
from ui.state import database, query

SHORT = {"HT": _("Hạ tầng"), "NL": _("Nhân lực"), "AT": "ATTT", "CQ": _("Chính quyền"), "KT": _("Kinh tế"), "XH": _("Xã hội"),
         "NT": _("Nhận thức"), "TC": _("Thể chế")}
SORTS = {
    "hang": _("Hạng (cao xuống thấp)"),
    "ten": _("Tên xã (A → Z)"),
    "tien_bo": _("Tiến bộ nhiều nhất so với tháng trước"),
    "tut": _("Tụt nhiều nhất so với tháng trước"),
}

page.header(
    _("Xếp hạng"),
    _("Xã nào dẫn đầu, xã nào đứng cuối: điểm tổng, điểm từng nhóm chỉ số, tỷ lệ chỉ tiêu có số liệu, "
    "thay đổi hạng so với tháng trước và diễn biến 12 tháng; thử trọng số khác để xem xếp hạng thay đổi ra sao."),
)
slots = page.filter_row(4, [1, 1, 1.2, 1.2])
scope = filters.scope_filters(slots, allow_all=True)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
framework = fw.for_month(scope.period)
group_codes = framework.codes
sorts = {**SORTS, **{code: _("Điểm {name}").format(name=in_sentence(name)) for code, name in framework.shown_groups}}
search = slots[2].text_input(_("Tìm xã"), key="xh_tim", placeholder=_("Gõ tên xã, có dấu hay không đều được"))
sort = slots[3].selectbox(_("Sắp xếp theo"), list(sorts), format_func=sorts.get, key="xh_sap_xep")
filters.keep_only(("tinh", "thang", whatif.URL_WEIGHTS, whatif.URL_FRAMEWORK))
page.scope_line(scope.province_label, scope.month_label)

ranking = query("ranking_by_month", period=scope.period, province=scope.province)
page.demo_notice(ranking["is_demo"])
if ranking.filter(pl.col("score").is_not_null()).is_empty():
    page.empty(page.no_targets_message(scope.province_label, scope.year), title=_("Chưa có xếp hạng"))
    st.stop()
ranking = fw.with_group_columns(ranking, framework, scope.period, scope.province)
st.caption(_("Điểm tháng này tính theo bộ khung **{label}**.").format(label=literal(framework.label)))

# ---- what-if weights --------------------------------------------------------------------------
if st.toggle(_("Thử trọng số giả định"), value=whatif.active(), key="xh_gia_dinh",
             help=_("Kéo trọng số các nhóm để xem xếp hạng thay đổi ra sao. Không thay đổi số liệu nào đã lưu; "
                  "địa chỉ trang giữ các trọng số để gửi cho người khác.")):
    panel = st.container(border=True)
    chosen_key = whatif.choose_framework(panel, framework, fw.every_framework())
    chosen = framework if chosen_key == framework.key else fw.for_month(scope.period, chosen_key)
    weights = whatif.sliders(panel, chosen.key, chosen.shown_groups, chosen.weights)
    what_if = whatif.ranking(scope, chosen, weights)
    whatif.comparison(what_if, chosen, weights, scope, framework)
    st.stop()

history = query("scores_by_month", period_from=scope.period.replace(year=scope.period.year - 1),
                period_to=scope.period, province=scope.province, commune=None)
trends = (history.sort("period").group_by("commune_id", maintain_order=True)
          .agg(pl.col("score").alias("trend")))
names_order = query("communes_in_province", province=scope.province).with_row_index("name_order")

table = (ranking.join(trends, on="commune_id", how="left")
         .join(names_order.select("commune_id", "name_order"), on="commune_id", how="left"))
table = table.with_columns(
    per_row(table, ["rank_change", "previous_rank"], lambda r: format_rank_change(r["rank_change"], r["previous_rank"]),
            name="change"),
    pl.col("trend").list.eval(pl.element().fill_null(0.0)),
    # the name is the link to the commune's profile; it is shown from the URL's end
    per_row(table, ["province", "commune_id", "commune_name"],
            lambda r: filters.profile_link(r["province"], scope.period, r["commune_id"]) + "#" + r["commune_name"],
            name="link"),
)
if search and search.strip():
    needle = fold(search)
    table = table.filter(per_row(table, "commune_name", lambda n: needle in fold(n), name="found", dtype=pl.Boolean))
if sort == "ten":
    table = table.sort("name_order")
elif sort == "tien_bo":
    table = table.sort(["rank_change", "rank"], descending=[True, False], nulls_last=True)
elif sort == "tut":
    table = table.sort(["rank_change", "rank"], descending=[False, False], nulls_last=True)
elif sort in group_codes:
    table = table.sort([sort, "rank"], descending=[True, False], nulls_last=True)

if ranking.filter(pl.col("n_reported") > 0).is_empty():
    page.empty(page.no_values_message(scope.month_label) + _(" Thứ hạng chỉ có nghĩa khi các xã đã báo cáo."),
               title=_("Chưa có số liệu tháng này"))
n_ranked = ranking.filter(pl.col("rank").is_not_null()).height
unranked = ranking.height - n_ranked
st.caption(
    _("{n_ranked} xã được xếp hạng").format(n_ranked=n_ranked)
    + (_("; {unranked} xã chưa có chỉ tiêu năm {year} nên không xếp hạng (cuối bảng).").format(
        unranked=unranked,
        year=scope.year) if unranked else ".")
    + _(" Bấm tên xã để mở hồ sơ; bấm tiêu đề cột để sắp xếp. ▲ lên hạng, ▼ xuống hạng, = giữ hạng so với tháng trước.")
)
score_basis_caption(database().settings)
if table.is_empty():
    page.empty(_("Không có xã nào khớp “{search}”.").format(search=search.strip()))
    st.stop()

columns = ["rank", "change", "link", *(["province"] if scope.province is None else []), "score",
           *group_codes, "coverage", "trend"]
shown = table.select(columns)
pillar_config = {
    code: st.column_config.NumberColumn(SHORT.get(code, code), help=_("Điểm nhóm {name} (0–100)").format(name=name), width=68)
    for code, name in framework.shown_groups
}
st.dataframe(
    vi_table(shown, decimals={"score": 2, **{c: 1 for c in group_codes}}, percent={"coverage": 0},
             styles={"change": change_style}),
    hide_index=True,
    height=min(36 + 35 * shown.height, 740),
    column_config={
        "rank": st.column_config.NumberColumn(_("Hạng"), format="%d", width=48),
        "change": st.column_config.TextColumn(_("Thay đổi"), width=62,
                                              help=_("So với hạng tháng trước: ▲ lên, ▼ xuống, = giữ nguyên")),
        "link": st.column_config.LinkColumn(_("Xã"), display_text=r"#(.+)$", width=118,
                                            help=_("Bấm tên xã để mở hồ sơ xã")),
        "province": st.column_config.TextColumn(_("Tỉnh"), width=90),
        "score": st.column_config.NumberColumn(_("Điểm tổng"), width=64, help=_("Điểm tổng 0–100: trung bình có "
                                               "trọng số của các nhóm chỉ số")),
        **pillar_config,
        "coverage": st.column_config.NumberColumn(_("Có số liệu"), width=70,
                                                  help=_("Tỷ lệ chỉ tiêu được giao đã có số liệu")),
        "trend": st.column_config.LineChartColumn(_("12 tháng qua"), width=90, y_min=40, y_max=100,
                                                  help=_("Điểm tổng từng tháng trong 12 tháng gần nhất")),
    },
    key="xh-bang",
)
export = table.select("rank", "commune_name", "province", "score", *group_codes, "coverage",
                      "rank_change", "score_change", "n_targets", "n_reported", "n_achieved")
table_downloads(
    export, _("Xếp hạng {province_label} {month_label}").format(province_label=scope.province_label,
        month_label=scope.month_label), "xh-bang-dl",
    headings={"rank": _("Hạng"), "commune_name": _("Xã"), "province": _("Tỉnh"), "score": _("Điểm tổng (0–100)"),
              **dict(framework.shown_groups), "coverage": _("Tỷ lệ chỉ tiêu có số liệu"),
              "rank_change": _("Thay đổi hạng"), "score_change": _("Thay đổi điểm"), "n_targets": _("Số chỉ tiêu"),
              "n_reported": _("Số chỉ tiêu có số liệu"), "n_achieved": _("Số chỉ tiêu đạt")},
    number_formats={"score": "0.00", **{c: "0.00" for c in group_codes}, "coverage": "0.0%",
                    "score_change": "0.00"},
    title=_("Xếp hạng chuyển đổi số cấp xã – {province_label} – {month_label} – bộ khung {label}").format(
        province_label=scope.province_label,
        month_label=scope.month_label,
        label=framework.label)
          + (_(" (dữ liệu minh họa)") if ranking["is_demo"].any() else ""),
)
