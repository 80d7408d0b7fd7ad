"""Trụ cột: one pillar (one group of the month's framework), indicator by indicator — who is
behind on what, where, and is the province on the path to its targets."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.db import previous_month
from queries.i18n import _
from queries.status import STATUS_ICONS
from ui import charts, filters, maps, page
from ui import frameworks as fw
from ui.downloads import chart_downloads, table_downloads
from ui.format import UNIT_SUFFIX, delta, format_score, format_share, in_sentence, value_text
from ui.state import query

SHOW_BEHIND = 30

page.header(
    _("Trụ cột"),
    _("Một trụ cột, từng chỉ tiêu: mỗi xã đang ở đâu so với mục tiêu, bao nhiêu xã đạt hay chậm, "
    "và cả tỉnh có đi đúng lộ trình tới mục tiêu cuối năm không."),
)
slots = page.filter_row(3, [1, 1, 1.5])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
framework = fw.for_month(scope.period)
word = _(framework.word).capitalize()
pillar = filters.pillar_filter(slots[2], groups=framework.shown_groups, label=word)
filters.keep_only(("tinh", "thang", "tru_cot", "chi_tieu", filters.MAP_PARAM))
pillar_name = framework.group_name(pillar)
page.scope_line(scope.province_label, scope.month_label, f"{word} {pillar_name}")

status = query("indicator_status", period=scope.period, province=scope.province, commune=None)
page.demo_notice(status["is_demo"])
status = framework.group_of(status).filter(pl.col("group_code") == pillar)
if status.is_empty():
    page.empty(
        _("Không xã nào của {replace} có chỉ tiêu thuộc {word} {pillar_name} năm {year}. Hãy chọn "
            "{word} khác hoặc một tháng của năm có kế hoạch.").format(
            replace=scope.province_label,
            word=_(framework.word),
            pillar_name=pillar_name,
            year=scope.year),
        title=_("Chưa có chỉ tiêu"),
    )
    st.stop()

caption = " · ".join([scope.province_label, scope.month_label, f"{word} {pillar_name}"]
                     + ([_("Dữ liệu minh họa")] if status["is_demo"].any() else []))
weights = query("framework_groups", framework=framework.key, period=None)
if framework.only_six:
    history = query("scores_by_month", period_from=previous_month(scope.period), period_to=scope.period,
                    province=scope.province, commune=None)
    now = history.filter(pl.col("period") == scope.period)[pillar].mean()
    before = history.filter(pl.col("period") == previous_month(scope.period))[pillar].mean()
else:  # a group the six pillars' columns do not hold: the month's kept group scores
    group_scores = [query("group_scores_by_month", period=month, province=scope.province, commune=None,
                           framework=None)
                    .filter(pl.col("group_code") == pillar)["group_score"].mean()
                    for month in (scope.period, previous_month(scope.period))]
    now, before = group_scores
    if framework.key != fw.for_month(previous_month(scope.period)).key:
        before = None  # last month was scored under another framework: no like-for-like change

# ---- headline -----------------------------------------------------------------------------
weight = weights.filter(pl.col("code") == pillar)["weight"]
total_weight = weights["weight"].sum()
n = status.height
n_achieved = status.filter(pl.col("status") == "Đạt").height
n_on_track = status.filter(pl.col("status").is_in(["Đạt", "Đúng tiến độ"])).height
n_missing = status.filter(pl.col("status") == "Chưa có số liệu").height

m1, m2, m3, m4 = st.columns(4)
m1.metric(_("Điểm {pillar_name} trung bình").format(pillar_name=in_sentence(pillar_name)), format_score(now),
          **delta(now - before if now is not None and before is not None else None),
          border=True, height="stretch",
          help=_("Trung bình điểm {word} (0–100) của các xã có chỉ tiêu thuộc {word} này; mũi tên: so "
              "với tháng trước.").format(
              word=_(framework.word)))
m2.metric(_("Trọng số trong điểm tổng"),
          format_share(float(weight[0]), float(total_weight)) if weight.len() else "–",
          delta=f"{format_score(weight[0], 0)}/{format_score(total_weight, 0)}" if weight.len() else None,
          delta_color="off", delta_arrow="off", border=True, height="stretch")
m3.metric(_("Chỉ tiêu đã đạt"), format_share(n_achieved, n), border=True, height="stretch",
          help=_("{n_achieved} trên {n} lượt chỉ tiêu (xã × chỉ tiêu).").format(n_achieved=n_achieved, n=n))
m4.metric(_("Đạt hoặc đúng tiến độ"), format_share(n_on_track, n),
          delta=_("{n_missing} lượt chưa có số liệu").format(n_missing=n_missing) if n_missing else None, delta_color="off",
          delta_arrow="off", border=True, height="stretch")

# ---- statuses by indicator ------------------------------------------------------------------
indicators = (status.group_by("indicator", maintain_order=True)
              .agg(pl.col("indicator_name").first(), pl.col("unit").first(), pl.len().alias("n"))
              .sort("indicator"))
labels = {row["indicator"]: f"{row['indicator']} · {row['indicator_name']}" for row in indicators.iter_rows(named=True)}
page.section(_("Tình trạng từng chỉ tiêu"),
             _("Mỗi thanh là một chỉ tiêu; độ dài từng màu là số xã ở tình trạng đó."))
counts = (status.group_by("indicator", "status").agg(pl.len().alias("n"))
          .with_columns(pl.col("indicator").replace_strict(labels).alias("indicator_label")))
by_indicator = charts.status_by_category(counts, "indicator_label", _("Chỉ tiêu"),
                                         sort=[labels[c] for c in indicators["indicator"].to_list()])
charts.show(by_indicator, key="tc-status")
chart_downloads(by_indicator, _("Tình trạng chỉ tiêu {word} {pillar_name}").format(word=_(framework.word),
    pillar_name=pillar_name), "tc-status", caption=caption)

summary = (
    status.group_by("indicator").agg(
        pl.col("indicator_name").first(),
        pl.col("unit").first(),
        pl.len().alias("n"),
        (pl.col("status") == "Đạt").sum().alias("n_achieved"),
        (pl.col("status") == "Đúng tiến độ").sum().alias("n_on_track"),
        pl.col("status").is_in(list(charts.BEHIND)).sum().alias("n_behind"),
        (pl.col("status") == "Chưa có số liệu").sum().alias("n_missing"),
        pl.col("value").mean().alias("mean_value"),
        pl.col("target").mean().alias("mean_target"),
    ).sort("indicator")
)
summary = summary.with_columns(value_text(summary, "mean_value", "mean_value_text"),
                               value_text(summary, "mean_target", "mean_target_text"))
summary_shown = summary.select("indicator", "indicator_name", "n", "n_achieved", "n_on_track", "n_behind",
                               "n_missing", "mean_value_text", "mean_target_text")
st.dataframe(
    summary_shown,
    hide_index=True,
    column_config={
        "indicator": st.column_config.TextColumn(_("Mã"), width=55),
        "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=330),
        "n": st.column_config.NumberColumn(_("Số xã"), format="%d", help=_("Số xã được giao chỉ tiêu này")),
        "n_achieved": st.column_config.NumberColumn(_("{icon} Đạt").format(icon=STATUS_ICONS['Đạt']), format="%d"),
        "n_on_track": st.column_config.NumberColumn(_("{icon} Kịp").format(icon=STATUS_ICONS['Đúng tiến độ']),
            format="%d", help=_("Đúng tiến độ")),
        "n_behind": st.column_config.NumberColumn(_("{icon} Chậm").format(icon=STATUS_ICONS['Chậm']), format="%d",
                                                  help=_("Cần đẩy nhanh, chậm hoặc đi lùi")),
        "n_missing": st.column_config.NumberColumn(_("{icon} Chưa báo cáo").format(
            icon=STATUS_ICONS['Chưa có số liệu']), format="%d",
                                                   help=_("Chưa có số liệu")),
        "mean_value_text": st.column_config.TextColumn(_("TB giá trị"), help=_("Giá trị trung bình các xã")),
        "mean_target_text": st.column_config.TextColumn(_("TB mục tiêu"), help=_("Mục tiêu trung bình các xã")),
    },
    key="tc-summary",
)
table_downloads(
    summary.select("indicator", "indicator_name", "n", "n_achieved", "n_on_track", "n_behind", "n_missing",
                   "mean_value", "mean_target"),
    _("Chỉ tiêu {word} {pillar_name}").format(word=_(framework.word), pillar_name=pillar_name), "tc-summary-dl",
    headings={"indicator": _("Mã"), "indicator_name": _("Chỉ tiêu"), "n": _("Số xã được giao"), "n_achieved": _("Đạt"),
              "n_on_track": _("Đúng tiến độ"), "n_behind": _("Đang chậm"), "n_missing": _("Chưa có số liệu"),
              "mean_value": _("Giá trị trung bình"), "mean_target": _("Mục tiêu trung bình")},
    number_formats={"mean_value": "0.0", "mean_target": "0.0"},
    title=_("Chỉ tiêu {word} {pillar_name} – {caption}").format(word=_(framework.word), pillar_name=pillar_name, caption=caption),
)

# ---- where: the map ---------------------------------------------------------------------------
page.section(_("Bản đồ điểm {pillar_name}").format(pillar_name=in_sentence(pillar_name)),
             _("Mỗi xã tô theo khoảng điểm {word} này; xã xám chưa có điểm. Bấm vào chấm giữa một xã để mở hồ "
               "sơ xã.").format(word=_(framework.word)))
if filters.map_switch(st, "tc"):
    with page.loading(_("Đang vẽ bản đồ các xã…")):
        maps.commune_map("tc-map", scope.province, scope.period, group=(pillar, pillar_name))
else:
    st.caption(_("Bật để xem bản đồ các xã, của tỉnh hoặc cả nước."))

# ---- one indicator: trend and communes ------------------------------------------------------
page.section(_("Từng chỉ tiêu: diễn biến và từng xã"))
pick, toggle = st.columns([3, 1], vertical_alignment="bottom")
indicator = filters.indicator_filter(pick, indicators.select("indicator", "indicator_name"))
row = indicators.filter(pl.col("indicator") == indicator).row(0, named=True)
suffix = _(UNIT_SUFFIX.get(row["unit"] or "", ""))

trend = query("indicator_trend", period=scope.period, province=scope.province, commune=None,
              pillar=None, indicator=indicator)
st.markdown(_("**Trung bình các xã được giao: giá trị, mục tiêu năm {year} và lộ trình cần đạt**").format(year=scope.year))
if trend.filter(pl.col("value").is_not_null()).is_empty():
    page.empty(_("Chưa có số liệu của chỉ tiêu {indicator} trong năm {year}.").format(indicator=indicator, year=scope.year))
else:
    trend_chart = charts.trend_with_target(trend, suffix, value_title=_("Giá trị trung bình"))
    charts.show(trend_chart, key="tc-trend")
    chart_downloads(trend_chart, _("Diễn biến {indicator}").format(indicator=indicator), "tc-trend",
                    title=_("{labels}: trung bình các xã").format(labels=labels[indicator]), caption=caption)
    st.caption(_("Lộ trình cần đạt: đường thẳng từ kết quả đầu năm (tháng 12 năm trước) tới mục tiêu "
               "tháng 12, trung bình các xã; giá trị dưới lộ trình là đang chậm."))

one = status.filter(pl.col("indicator") == indicator).with_columns(
    pl.col("status").replace_strict({s: i for i, s in enumerate(charts.STATUSES)}, default=99).alias("status_order")
)
# the most behind first: no report, then lowest points (share of the target reached)
one = one.sort(["points", "status_order"], descending=[False, True], nulls_last=False)
only_behind = toggle.toggle(_("Chỉ {SHOW_BEHIND} xã chậm nhất").format(SHOW_BEHIND=SHOW_BEHIND), value=one.height > SHOW_BEHIND,
                            key="tc-chi-cham", disabled=one.height <= SHOW_BEHIND)
shown = one.head(SHOW_BEHIND) if only_behind else one
st.markdown(_("**Từng xã so với mục tiêu** · {height} trên {height2} xã, xã chậm nhất ở trên cùng").format(
    height=shown.height,
    height2=one.height))
if one.filter(pl.col("value").is_not_null()).is_empty():
    page.empty(_("Chưa xã nào báo cáo số liệu chỉ tiêu {indicator} ({month_label}): {height} xã được giao, "
        "tất cả đang tính 0 điểm.").format(
        indicator=indicator,
        month_label=in_sentence(scope.month_label),
        height=one.height), title=_("Chưa có số liệu"))
    st.stop()
dots = charts.dot_target(shown, suffix)
charts.show(dots, key="tc-dots")
chart_downloads(dots, _("Từng xã so với mục tiêu {indicator}").format(indicator=indicator), "tc-dots",
                title=_("{labels}: từng xã so với mục tiêu").format(labels=labels[indicator]), caption=caption)
st.caption(_("Chấm: giá trị tháng này (màu và hình theo tình trạng); vạch đen: mục tiêu năm của xã; "
           "đường xám: khoảng cách còn lại. Xã chưa có số liệu đặt ở 0 với chấm rỗng."))
