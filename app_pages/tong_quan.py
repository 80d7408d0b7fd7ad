"""Tổng quan: how is the province doing this month, where is it behind, who needs attention;
who sent this month's report on time, and how many targets are heading for a miss by December."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.cycle import calendar
from queries.db import previous_month
from queries.i18n import _
from queries.plans.projection import NOT_ENOUGH_DATA, PROJECTED_MET, PROJECTED_NOT_MET
from queries.text import format_date, format_number
from ui import charts, cycle, filters, maps, page, plan_charts
from ui import frameworks as fw
from ui.downloads import chart_downloads, pack_download, table_downloads
from ui.format import delta, format_score, format_share, in_sentence, per_row, vi_table
from ui.state import database, query

HEAT_ROWS = 30  # communes per page of the heat map

page.header(
    _("Tổng quan"),
    _("Tỉnh đang ở đâu tháng này: điểm trung bình, chỉ tiêu đã đạt, xã đã báo cáo; "
    "trụ cột nào còn yếu và xã nào cần quan tâm."),
)
slots = page.filter_row(3, [1, 1, 2])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
filters.keep_only(("tinh", "thang", filters.MAP_PARAM))
page.scope_line(scope.province_label, scope.month_label)
if scope.province:  # the meeting views are per province
    present, pack, _unused = st.columns([1, 1, 2], vertical_alignment="center")
    present.page_link("app_pages/trinh_chieu.py", label=_("Trình chiếu tháng này"), icon="🖥️",
                      query_params={**{k: st.query_params[k] for k in ("tinh", "thang") if k in st.query_params},
                              "muc": "muoi_hai_thang"})  # the page's part the link names
    with pack:
        pack_download(scope.province, scope.period)

ranking = query("ranking_by_month", period=scope.period, province=scope.province)
page.demo_notice(ranking["is_demo"])
scored = ranking.filter(pl.col("score").is_not_null())
if ranking.is_empty() or scored.is_empty():
    page.empty(page.no_targets_message(scope.province_label, scope.year), title=_("Chưa có chỉ tiêu"))
    st.stop()
framework = fw.for_month(scope.period)
GROUPS = framework.shown_groups
scored = fw.with_group_columns(scored, framework, scope.period, scope.province)

status = query("indicator_status", period=scope.period, province=scope.province, commune=None)
status = framework.group_of(status)
reporting = query("reporting_by_commune", period=scope.period, province=scope.province, commune=None)
history = query("scores_by_month", period_from=scope.period.replace(day=1, year=scope.period.year - 1),
                period_to=scope.period, province=scope.province, commune=None)
caption = " · ".join([scope.province_label, scope.month_label]
                     + ([_("Dữ liệu minh họa")] if ranking["is_demo"].any() else []))

# ---- headline figures ---------------------------------------------------------------------
monthly = (history.filter(pl.col("score").is_not_null()).group_by("period")
           .agg(pl.col("score").mean()).sort("period"))
average = scored["score"].mean()
before = monthly.filter(pl.col("period") == previous_month(scope.period))["score"]
change = average - before[0] if before.len() else None
n_targets = status.height
n_achieved = status.filter(pl.col("status") == "Đạt").height
n_on_track = status.filter(pl.col("status").is_in(["Đạt", "Đúng tiến độ"])).height
n_reported = int(reporting["reported_this_month"].sum())

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(_("Số xã"), format_number(ranking.height, 0), border=True, height="stretch",
          help=_("{height} xã có chỉ tiêu năm {year} được chấm điểm.").format(height=scored.height, year=scope.year))
m2.metric(_("Điểm trung bình"), format_score(average),
          **delta(change),
          border=True, help=_("Trung bình điểm tổng (0–100) của các xã có chỉ tiêu; mũi tên: thay đổi so với tháng trước."))
m3.metric(_("Chỉ tiêu đạt"), format_share(n_achieved, n_targets), border=True, height="stretch",
          help=_("{n_achieved} trên {n_targets} lượt chỉ tiêu (xã × chỉ tiêu) đã đạt mục tiêu năm.").format(
              n_achieved=format_number(n_achieved, 0),
              n_targets=format_number(n_targets, 0)))
m4.metric(_("Đạt + đúng tiến độ"), format_share(n_on_track, n_targets), border=True, height="stretch",
          help=_("Đã đạt, hoặc chưa đạt nhưng theo kịp lộ trình tới mục tiêu cuối năm."))
m5.metric(_("Xã đã báo cáo"), format_share(n_reported, ranking.height),
          delta=_("{n_reported}/{height} xã").format(n_reported=n_reported, height=ranking.height), delta_color="off",
              delta_arrow="off", border=True, height="stretch",
          help=_("Xã có ít nhất một kết quả mang kỳ báo cáo là tháng này."))
settings = database().settings
cycle.score_basis_caption(settings)

# ---- this month's report: on time, late, missing --------------------------------------------------
now = cycle.cycle_now()
month_reports = query("compliance_by_month", province=scope.province, commune=None, period_from=scope.period,
                      period_to=scope.period, now=now)
report_counts = {s: month_reports.filter(pl.col("status") == s).height for s in cycle.REPORT_ICONS}
deadline = calendar.deadline_date(scope.period, settings)
due = cycle.is_due(scope.period, now, settings)
st.markdown(_("**Báo cáo {month_label}** · hạn nộp: trước ngày {deadline}").format(
    month_label=in_sentence(scope.month_label),
    deadline=format_date(deadline))
            + ("" if due else _(" (chưa đến hạn)")))
r1, r2, r3, r4 = st.columns(4, vertical_alignment="center")
r1.metric(_("✅ Đúng hạn"), report_counts["dung_han"], border=True, height="stretch",
          help=_("Xã mà tỉnh nhận được báo cáo trước ngày {deadline} (giờ Việt Nam).").format(deadline=format_date(deadline)))
r2.metric(_("⏰ Trễ hạn"), report_counts["tre_han"], border=True, height="stretch", help=_("Nhận từ ngày hạn trở đi."))
if due:
    r3.metric(_("❌ Chưa nộp"), report_counts["chua_nop"], border=True, height="stretch",
              help=_("Đã qua hạn {deadline} mà chưa nhận được.").format(deadline=format_date(deadline)))
else:
    r3.metric(_("⏳ Chưa gửi"), report_counts["chua_den_han"], delta=_("chưa đến hạn"), delta_color="off",
              delta_arrow="off", border=True, height="stretch",
              help=_("Hạn nộp báo cáo tháng này chưa tới: chưa thể gọi là chưa nộp."))
cycle.page_link(r4, "app_pages/tinh_hinh_bao_cao.py", label=_("Tình hình báo cáo 12 tháng ›"), icon="📅",
                query_params={**{k: st.query_params[k] for k in ("tinh", "thang") if k in st.query_params},
                              "muc": "muoi_hai_thang"})  # the page's part the link names

if status.filter(pl.col("value").is_not_null()).is_empty():
    page.empty(page.no_values_message(scope.month_label), title=_("Chưa có số liệu tháng này"))
    st.stop()

# ---- statuses -----------------------------------------------------------------------------
page.section(_("Tình trạng các chỉ tiêu"),
             _("{n_targets} lượt chỉ tiêu (mỗi xã × mỗi chỉ tiêu được giao) theo tiến độ tới "
                 "mục tiêu năm {year}.").format(
                 n_targets=format_number(n_targets, 0),
                 year=scope.year))
counts = status.group_by("status").agg(pl.len().alias("n"))
strip = charts.status_strip(counts)
charts.show(strip, key="tq-status")
st.markdown(charts.status_counts_markdown(counts))
chart_downloads(strip, _("Tình trạng các chỉ tiêu"), "tq-status", caption=caption)
with st.expander(_("Các mức tình trạng nghĩa là gì?")):
    st.markdown(charts.status_legend_markdown())

# ---- projection to December ----------------------------------------------------------------------
projection = query("projection_by_indicator", period=scope.period, province=scope.province, commune=None)
projection = framework.group_of(projection)
page.section(_("Dự báo đến cuối năm"),
             _("Nếu giữ xu hướng từ đầu năm {year}, bao nhiêu lượt chỉ tiêu sẽ không đạt mục tiêu "
                 "vào tháng 12.").format(
                 year=scope.year))
by_pillar = (
    projection.group_by(pl.col("group_code").alias("pillar")).agg(
        pl.len().alias("n"),
        (pl.col("projected_status") == PROJECTED_NOT_MET).sum().alias("n_missed"),
        (pl.col("projected_status") == PROJECTED_MET).sum().alias("n_met"),
        (pl.col("projected_status") == NOT_ENOUGH_DATA).sum().alias("n_unknown"),
    )
    .join(pl.DataFrame({"pillar": framework.codes, "pillar_name": [n for _unused, n in GROUPS],
                        "order": list(range(len(GROUPS)))}), on="pillar")
    .sort("order")
)
by_pillar = by_pillar.with_columns(per_row(by_pillar, ["n", "n_missed", "n_unknown"],
                                           lambda r: format_share(r["n_missed"], r["n"] - r["n_unknown"]),
                                           name="share_missed"))
n_missed = int(by_pillar["n_missed"].sum()) if by_pillar.height else 0
n_projected = int((by_pillar["n"] - by_pillar["n_unknown"]).sum()) if by_pillar.height else 0
outlook_text, outlook_table = st.columns([1, 2], gap="medium")
with outlook_text:
    if n_projected == 0:
        page.empty(_("Chưa lượt chỉ tiêu nào có đủ 3 tháng số liệu trong năm {year} để dự báo.").format(year=scope.year))
    else:
        st.metric(_("{icon} Dự kiến không đạt").format(
            icon=plan_charts.PROJECTION_ICONS[PROJECTED_NOT_MET]), format_share(n_missed, n_projected),
                  delta=_("{n_missed}/{n_projected} lượt chỉ tiêu").format(n_missed=format_number(n_missed, 0),
                      n_projected=format_number(n_projected, 0)), delta_color="off",
                  delta_arrow="off", border=True,
                  help=_("Trong các lượt (xã × chỉ tiêu) đủ số liệu để dự báo; chưa đủ 3 tháng thì không tính."))
        unknown = int(by_pillar["n_unknown"].sum())
        if unknown:
            st.caption(_("{unknown} lượt chỉ tiêu chưa đủ 3 tháng số liệu nên chưa dự báo.").format(
                unknown=format_number(unknown, 0)))
    st.caption(_("Dự báo: đường thẳng khớp nhất qua các kết quả tháng trong năm, đọc ở tháng 12 và so với mục tiêu."))
    cycle.page_link(st, "app_pages/phuong_phap.py", label=_("Cách dự báo, có ví dụ (Phương pháp)"), icon="📐")
with outlook_table:
    if by_pillar.height:
        st.dataframe(
            by_pillar.select("pillar_name", "n_missed", "n_met", "n_unknown", "share_missed"),
            hide_index=True,
            column_config={
                "pillar_name": st.column_config.TextColumn(_(framework.word).capitalize(), width=160),
                "n_missed": st.column_config.NumberColumn(_("⚠️ Không đạt"), format="%d", width=90,
                                                          help=_("Lượt chỉ tiêu dự kiến không đạt")),
                "n_met": st.column_config.NumberColumn(_("✅ Đạt"), format="%d", width=60, help=_("Lượt dự kiến đạt")),
                "n_unknown": st.column_config.NumberColumn(_("❔ Chưa đủ"), format="%d", width=75,
                                                           help=_("Chưa đủ 3 tháng số liệu để dự báo")),
                "share_missed": st.column_config.TextColumn(
                    _("Tỷ lệ không đạt"), width=110, alignment="right",
                    help=_("Dự kiến không đạt ÷ các lượt đủ dữ liệu dự báo")),
            },
            key="tq-projection",
        )

# ---- distribution, pillars, months ------------------------------------------------------------
left, middle, right = st.columns(3, gap="medium")
with left:
    page.section(_("Phân bố điểm"), _("Số xã theo từng khoảng 5 điểm tổng."))
    histogram = charts.score_histogram(scored)
    charts.show(histogram, key="tq-hist")
    chart_downloads(histogram, _("Phân bố điểm các xã"), "tq-hist", caption=caption)
with middle:
    page.section(_("Điểm từng {word}").format(word=_(framework.word)),
        _("Trung bình các xã; {word} thấp là nơi cả tỉnh đang chậm.").format(word=_(framework.word)))
    pillar_frame = pl.DataFrame({
        "pillar_name": [name for _unused, name in GROUPS],
        "score": [scored[code].mean() for code in framework.codes],
        "order": list(range(len(GROUPS))),
    }).filter(pl.col("score").is_not_null())
    bars = charts.pillar_bars(pillar_frame)
    charts.show(bars, key="tq-pillars")
    chart_downloads(bars, _("Điểm trung bình từng {word}").format(word=_(framework.word)), "tq-pillars", caption=caption)
with right:
    page.section(_("Qua các tháng"), _("Điểm trung bình các xã, 12 tháng gần nhất."))
    if monthly.height > 1:
        months_chart = charts.average_trend(monthly)
        charts.show(months_chart, key="tq-months")
        chart_downloads(months_chart, _("Điểm trung bình qua các tháng"), "tq-months", caption=caption)
    else:
        page.empty(_("Chưa đủ hai tháng có điểm để vẽ diễn biến."))

# ---- communes most behind ------------------------------------------------------------------
page.section(_("Các xã cần quan tâm nhất"),
    _("Các xã điểm thấp nhất tháng này (tối đa mười xã), {word} yếu nhất của mỗi xã và số chỉ tiêu "
    "đang chậm. Bấm “Xem hồ sơ” để biết vì sao.").format(
    word=_(framework.word)))
behind_counts = (status.filter(pl.col("status").is_in(list(charts.BEHIND)))
                 .group_by("commune_id").agg(pl.len().alias("n_behind")))
pillar_names = framework.names
weakest = (
    scored.reverse().head(10)  # ranking order: rank, then name in Vietnamese order
    .join(behind_counts, on="commune_id", how="left")
    .join(reporting.select("commune_id", "reported_this_month"), on="commune_id", how="left")
    .with_columns(pl.col("n_behind").fill_null(0))
)
weak_rows = []
for row in weakest.iter_rows(named=True):
    present = [(row[c], c) for c in framework.codes if row[c] is not None]
    low = min(present) if present else None
    weak_rows.append(f"{pillar_names[low[1]]} ({format_score(low[0], 1)})" if low else "–")
weakest = weakest.with_columns(
    pl.Series("weakest_pillar", weak_rows, dtype=pl.Utf8),
    pl.when(pl.col("reported_this_month")).then(pl.lit(_("✅ Đã báo cáo")))
    .otherwise(pl.lit(_("⚠️ Chưa báo cáo"))).alias("reported"),
    # the profile's "Vì sao điểm này?": what the section above promises the link shows
    per_row(weakest, ["province", "commune_id"],
            lambda r: filters.profile_link(r["province"], scope.period, r["commune_id"], part="vi_sao"), name="link"),
)
table = weakest.select("rank", "commune_name", *(["province"] if scope.province is None else []), "score",
                       "score_change", "weakest_pillar", "n_behind", "reported", "link")
st.dataframe(
    vi_table(table, decimals={"score": 2, "score_change": 2}),
    hide_index=True,
    column_config={
        "rank": st.column_config.NumberColumn(_("Hạng"), format="%d", width="small"),
        "commune_name": st.column_config.TextColumn(_("Xã")),
        "province": st.column_config.TextColumn(_("Tỉnh")),
        "score": st.column_config.NumberColumn(_("Điểm"), help=_("Điểm tổng 0–100")),
        "score_change": st.column_config.NumberColumn(_("Thay đổi"), help=_("So với tháng trước (điểm)")),
        "weakest_pillar": st.column_config.TextColumn(_("{capitalize} yếu nhất").format(capitalize=_(framework.word).capitalize(
            ))),
        "n_behind": st.column_config.NumberColumn(_("Chỉ tiêu đang chậm"), format="%d",
                                                  help=_("Cần đẩy nhanh, chậm hoặc đi lùi")),
        "reported": st.column_config.TextColumn(_("Tháng này")),
        "link": st.column_config.LinkColumn(_("Hồ sơ"), display_text=_("Xem hồ sơ ›")),
    },
    key="tq-weakest",
)
table_downloads(
    table.drop("link"), _("Các xã cần quan tâm nhất"), "tq-weakest-dl",
    headings={"rank": _("Hạng"), "commune_name": _("Xã"), "province": _("Tỉnh"), "score": _("Điểm"),
              "score_change": _("Thay đổi điểm"),
                  "weakest_pillar": _("{capitalize} yếu nhất").format(capitalize=_(framework.word).capitalize()),
              "n_behind": _("Số chỉ tiêu đang chậm"), "reported": _("Báo cáo tháng này")},
    number_formats={"score": "0.00", "score_change": "0.00"},
    title=_("Các xã cần quan tâm nhất – {caption}").format(caption=caption),
)

# ---- map ------------------------------------------------------------------------------------
page.section(_("Bản đồ các xã"), _("Xã nào đang chậm, ở đâu: mỗi xã tô theo khoảng điểm tổng, hoặc theo tình hình báo cáo "
             "tháng này. Bấm vào chấm giữa một xã để mở hồ sơ xã."))
if filters.map_switch(st, "tq"):
    with page.loading(_("Đang vẽ bản đồ các xã…")):
        maps.commune_map("tq-map", scope.province, scope.period, reports=True)
else:
    st.caption(_("Bật để xem bản đồ các xã, của tỉnh hoặc cả nước."))

# ---- heat map -------------------------------------------------------------------------------
page.section(_("Điểm từng {word} của các xã").format(word=_(framework.word)),
             _("Mỗi hàng là một xã, xếp từ điểm tổng cao xuống thấp; ô màu cam là {word} còn yếu, "
                 "màu xanh là {word} tốt. Số trong ô là điểm (0–100).").format(
                 word=_(framework.word)))
# A page of rows at a time: a province's hundred communes (the nation's thousands) drawn at once
# were a third of this page's time in the browser, and more rows than a screen shows.
start, stop = page.pager(scored.height, HEAT_ROWS, key="tq-heat-page")
heat = charts.heatmap(scored.slice(start, stop - start), GROUPS,  # already in rank order
                      column_title=_(framework.word).capitalize())
charts.show(heat, key="tq-heat")
rows_shown = "" if stop - start == scored.height else " · " + _("Xã {first}–{last} / {n}").format(
    first=start + 1, last=stop, n=scored.height)
chart_downloads(heat, _("Điểm từng {word} của các xã").format(word=_(framework.word)), "tq-heat",
                caption=caption + rows_shown)
