"""So sánh: two to four communes side by side — scores, pillars, months, indicators."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.i18n import _
from queries.text import fold
from ui import charts, filters, page
from ui import frameworks as fw
from ui.downloads import chart_downloads, table_downloads
from ui.format import delta, format_score, format_share, format_value, per_row
from ui.state import query

page.header(
    _("So sánh"),
    _("Đặt hai đến bốn xã cạnh nhau: điểm tổng, các trụ cột (nhóm chỉ số), diễn biến các tháng và từng chỉ tiêu. "
      "Có thể chọn xã ở các tỉnh khác nhau."),
)
slots = page.filter_row(3, [1, 1, 2])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
search = slots[2].text_input(_("Tìm xã để thêm"), key="ss_tim",
                             placeholder=_("Gõ tên xã, có dấu hay không đều được"))
all_communes = query("communes_in_province", province=None)
ranking = query("ranking_by_month", period=scope.period, province=scope.province)
ranked = ranking.filter(pl.col("rank").is_not_null())
remembered_commune = st.session_state.get("_dti_xa")
default = [c for c in [remembered_commune] if c in ranking["commune_id"].to_list()]
if ranked.height:
    default += [ranked["commune_id"][0], ranked["commune_id"][-1]]
default = list(dict.fromkeys(default))[:3]
options = all_communes
if search and search.strip():
    needle = fold(search)
    keep = set(st.session_state.get("_dti_so_sanh") or [])
    options = all_communes.filter(
        per_row(all_communes, "commune_name", lambda n: needle in fold(n), name="found", dtype=pl.Boolean)
        | pl.col("commune_id").is_in(list(keep))
    )
chosen = filters.compare_filter(st, options, default)
filters.keep_only(("tinh", "thang", "so_sanh"))
page.scope_line(scope.month_label, _("{chosen} xã").format(chosen=len(chosen)))
if len(chosen) < 2:
    page.empty(_("Chọn từ 2 đến 4 xã để so sánh (ô “Các xã so sánh” ở trên)."), title=_("Chưa đủ xã để so sánh"))
    st.stop()

info = all_communes.filter(pl.col("commune_id").is_in(chosen))
order = {c: i for i, c in enumerate(chosen)}
info = info.with_columns(pl.col("commune_id").replace_strict(order).alias("order")).sort("order")
page.demo_notice(info["is_demo"])
names = dict(zip(info["commune_id"].to_list(), info["commune_name"].to_list()))
# two communes of the same name in different provinces: add the province
if len(set(names.values())) < len(names):
    names = {row["commune_id"]: f"{row['commune_name']} ({row['province']})" for row in info.iter_rows(named=True)}
caption = " · ".join([scope.month_label, ", ".join(names.values())]
                     + ([_("Dữ liệu minh họa")] if info["is_demo"].any() else []))

# rank of each within its own province
provinces = info["province"].unique(maintain_order=True).to_list()
framework = fw.for_month(scope.period)  # the groups this month is scored with
rankings = pl.concat([fw.with_group_columns(query("ranking_by_month", period=scope.period, province=p), framework,
                                            scope.period, p) for p in provinces], how="vertical")
rows = rankings.filter(pl.col("commune_id").is_in(chosen))
n_by_province = rankings.filter(pl.col("rank").is_not_null()).group_by("province").agg(pl.len().alias("n_ranked"))
rows = rows.join(n_by_province, on="province", how="left")
by_id = {row["commune_id"]: row for row in rows.iter_rows(named=True)}

# ---- cards ----------------------------------------------------------------------------------
cards = st.columns(len(chosen))
for column, commune in zip(cards, chosen):
    row = by_id.get(commune, {})
    box = column.container(border=True)
    box.markdown(f"**{names[commune]}**  \n{row.get('province', '')}")
    box.metric(_("Điểm tổng"), format_score(row.get("score")),
               **delta(row.get("score_change")))
    box.markdown(
        _("Hạng trong tỉnh: **{rank}/{n_ranked}**").format(rank=row['rank'],
            n_ranked=row['n_ranked']) if row.get("rank") else _("Chưa xếp hạng")
    )
    box.markdown(_("Chỉ tiêu đạt: **{get}/{get2}** · Có số liệu: **{get3}**").format(
        get=row.get('n_achieved', 0),
        get2=row.get('n_targets', 0),
        get3=format_share(row.get('n_reported', 0), row.get('n_targets', 0))))
    if row.get("province"):
        box.markdown(_("[📋 Xem hồ sơ xã ›]({profile_link})").format(
            profile_link=filters.profile_link(row['province'], scope.period, commune)))

if rows.filter(pl.col("score").is_not_null()).is_empty():
    page.empty(_("Các xã đã chọn chưa có chỉ tiêu năm {year}, nên chưa có điểm để so sánh.").format(year=scope.year),
               title=_("Chưa có điểm"))
    st.stop()

# ---- pillars and months -----------------------------------------------------------------------
def pillars_and_months(scope: filters.Scope, chosen: list[str], names: dict[str, str], by_id: dict[str, dict],
                       caption: str, framework: fw.MonthFramework) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        title = _("Sáu trụ cột") if framework.only_six else _("{n} nhóm chỉ số").format(n=len(framework.groups))
        page.section(title)
        long = pl.DataFrame([
            {"commune_name": names[c], "pillar_name": name, "order": i, "score": by_id.get(c, {}).get(code)}
            for c in chosen for i, (code, name) in enumerate(framework.shown_groups)
        ], schema={"commune_name": pl.Utf8, "pillar_name": pl.Utf8, "order": pl.Int64, "score": pl.Float64}
        ).filter(pl.col("score").is_not_null())
        grouped = charts.grouped_pillars(long)
        charts.show(grouped, key="ss-pillars")
        chart_downloads(grouped, _("So sánh: {what}").format(what=title), "ss-pillars", caption=caption)
    with right:
        page.section(_("Điểm tổng qua các tháng"))
        history = pl.concat([
            query("scores_by_month", period_from=scope.period.replace(year=scope.period.year - 1),
                  period_to=scope.period, province=None, commune=c)
            for c in chosen
        ], how="vertical").filter(pl.col("score").is_not_null())
        if history.is_empty():
            page.empty(_("Chưa có điểm tháng nào trong 12 tháng qua."))
            return
        lines = history.select("period", pl.col("commune_id").replace_strict(names).alias("series"), "score")
        score_chart = charts.score_lines(lines, height=300)
        charts.show(score_chart, key="ss-score")
        chart_downloads(score_chart, _("So sánh điểm tổng qua các tháng"), "ss-score", caption=caption)


if rows.filter(pl.col("n_reported") > 0).is_empty():  # every score 0: no charts of zeros
    page.empty(_("Các xã đã chọn chưa báo cáo số liệu nào năm này: mọi chỉ tiêu đang tính 0 điểm. "
               "Bảng dưới đây là các chỉ tiêu từng xã được giao."), title=_("Chưa có số liệu"))
else:
    pillars_and_months(scope, chosen, names, by_id, caption, framework)

# ---- indicators side by side ------------------------------------------------------------------
page.section(_("Từng chỉ tiêu"), _("Giá trị mới nhất / mục tiêu của từng xã, với tình trạng; ô trống: xã không được "
             "giao chỉ tiêu đó năm này."))
status = pl.concat([
    query("indicator_status", period=scope.period, province=None, commune=c) for c in chosen
], how="vertical")
if status.is_empty():
    page.empty(_("Các xã đã chọn chưa có chỉ tiêu nào năm này."))
    st.stop()
cells = status.with_columns(
    per_row(status, ["value", "unit", "target_text", "status"],
            lambda r: f"{charts.STATUS_ICONS.get(r['status'], '')} {format_value(r['value'], r['unit'])} / "
                      f"{r['target_text'] or '–'}", name="cell"),
    pl.col("commune_id").replace_strict(names).alias("commune_label"),
)
wide = (
    fw.regroup(cells.pivot(on="commune_label", index=["pillar", "indicator", "indicator_name"], values="cell",
                           aggregate_function="first"), framework)
    .with_columns(pl.col("pillar_name").fill_null(_("Đổi mới sáng tạo")))
    .sort(["pillar_order", "indicator"])
)
commune_columns = [names[c] for c in chosen if names[c] in wide.columns]
shown = wide.select("pillar_name", "indicator", "indicator_name", *commune_columns)
st.dataframe(
    shown,
    hide_index=True,
    column_config={
        "pillar_name": st.column_config.TextColumn(_(framework.word).capitalize()),
        "indicator": st.column_config.TextColumn(_("Mã"), width=55),
        "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=250),
        **{c: st.column_config.TextColumn(c) for c in commune_columns},
    },
    key="ss-indicators",
)
table_downloads(shown, _("So sánh từng chỉ tiêu"), "ss-indicators-dl",
                headings={"pillar_name": _(framework.word).capitalize(), "indicator": _("Mã"), "indicator_name": _("Chỉ tiêu")},
                title=_("So sánh từng chỉ tiêu – {caption}").format(caption=caption))
with st.expander(_("Các mức tình trạng nghĩa là gì?")):
    st.markdown(charts.status_legend_markdown())
