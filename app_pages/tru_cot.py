"""Trụ cột: one pillar (one group of the month's framework), indicator by indicator — who is
behind on what, where, and is the province on the path to its targets."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.db import previous_month
from queries.status import STATUS_ICONS
from ui import charts, filters, maps, page
from ui import frameworks as fw
from ui.downloads import chart_downloads, table_downloads
from ui.format import UNIT_SUFFIX, delta, format_score, format_share, value_text
from ui.state import query

SHOW_BEHIND = 30

page.header(
    "Trụ cột",
    "Một trụ cột, từng chỉ tiêu: mỗi xã đang ở đâu so với mục tiêu, bao nhiêu xã đạt hay chậm, "
    "và cả tỉnh có đi đúng lộ trình tới mục tiêu cuối năm không.",
)
slots = page.filter_row(3, [1, 1, 1.5])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(page.NO_COMMUNES)
    st.stop()
framework = fw.for_month(scope.period)
word = framework.word.capitalize()
pillar = filters.pillar_filter(slots[2], groups=framework.groups, label=word)
filters.keep_only(("tinh", "thang", "tru_cot", "chi_tieu"))
pillar_name = framework.names[pillar]
page.scope_line(scope.province_label, scope.month_label, f"{word} {pillar_name}")

status = query("indicator_status", period=scope.period, province=scope.province, commune=None)
page.demo_notice(status["is_demo"])
status = framework.group_of(status).filter(pl.col("group_code") == pillar)
if status.is_empty():
    page.empty(
        f"Không xã nào của {scope.province_label.lower().replace('tỉnh', 'tỉnh', 1)} có chỉ tiêu thuộc "
        f"{framework.word} {pillar_name} năm {scope.year}. Hãy chọn {framework.word} khác hoặc một tháng của năm "
        "có kế hoạch.",
        title="Chưa có chỉ tiêu",
    )
    st.stop()

caption = " · ".join([scope.province_label, scope.month_label, f"{word} {pillar_name}"]
                     + (["Dữ liệu minh họa"] if status["is_demo"].any() else []))
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
m1.metric(f"Điểm {pillar_name.lower()} trung bình", format_score(now),
          **delta(now - before if now is not None and before is not None else None),
          border=True, height="stretch",
          help=f"Trung bình điểm {framework.word} (0–100) của các xã có chỉ tiêu thuộc {framework.word} này; mũi tên: so "
               "với tháng trước.")
m2.metric("Trọng số trong điểm tổng",
          format_share(float(weight[0]), float(total_weight)) if weight.len() else "–",
          delta=f"{format_score(weight[0], 0)}/{format_score(total_weight, 0)}" if weight.len() else None,
          delta_color="off", delta_arrow="off", border=True, height="stretch")
m3.metric("Chỉ tiêu đã đạt", format_share(n_achieved, n), border=True, height="stretch",
          help=f"{n_achieved} trên {n} lượt chỉ tiêu (xã × chỉ tiêu).")
m4.metric("Đạt hoặc đúng tiến độ", format_share(n_on_track, n),
          delta=f"{n_missing} lượt chưa có số liệu" if n_missing else None, delta_color="off",
          delta_arrow="off", border=True, height="stretch")

# ---- statuses by indicator ------------------------------------------------------------------
indicators = (status.group_by("indicator", maintain_order=True)
              .agg(pl.col("indicator_name").first(), pl.col("unit").first(), pl.len().alias("n"))
              .sort("indicator"))
labels = {row["indicator"]: f"{row['indicator']} · {row['indicator_name']}" for row in indicators.iter_rows(named=True)}
page.section("Tình trạng từng chỉ tiêu",
             "Mỗi thanh là một chỉ tiêu; độ dài từng màu là số xã ở tình trạng đó.")
counts = (status.group_by("indicator", "status").agg(pl.len().alias("n"))
          .with_columns(pl.col("indicator").replace_strict(labels).alias("indicator_label")))
by_indicator = charts.status_by_category(counts, "indicator_label", "Chỉ tiêu",
                                         sort=[labels[c] for c in indicators["indicator"].to_list()])
charts.show(by_indicator, key="tc-status")
chart_downloads(by_indicator, f"Tình trạng chỉ tiêu {framework.word} {pillar_name}", "tc-status", caption=caption)

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
    .with_columns(
        value_text("mean_value", "mean_value_text"),
        value_text("mean_target", "mean_target_text"),
    )
)
summary_shown = summary.select("indicator", "indicator_name", "n", "n_achieved", "n_on_track", "n_behind",
                               "n_missing", "mean_value_text", "mean_target_text")
st.dataframe(
    summary_shown,
    hide_index=True,
    column_config={
        "indicator": st.column_config.TextColumn("Mã", width=55),
        "indicator_name": st.column_config.TextColumn("Chỉ tiêu", width=330),
        "n": st.column_config.NumberColumn("Số xã", format="%d", help="Số xã được giao chỉ tiêu này"),
        "n_achieved": st.column_config.NumberColumn(f"{STATUS_ICONS['Đạt']} Đạt", format="%d"),
        "n_on_track": st.column_config.NumberColumn(f"{STATUS_ICONS['Đúng tiến độ']} Kịp", format="%d", help="Đúng tiến độ"),
        "n_behind": st.column_config.NumberColumn(f"{STATUS_ICONS['Chậm']} Chậm", format="%d",
                                                  help="Cần đẩy nhanh, chậm hoặc đi lùi"),
        "n_missing": st.column_config.NumberColumn(f"{STATUS_ICONS['Chưa có số liệu']} Chưa báo cáo", format="%d",
                                                   help="Chưa có số liệu"),
        "mean_value_text": st.column_config.TextColumn("TB giá trị", help="Giá trị trung bình các xã"),
        "mean_target_text": st.column_config.TextColumn("TB mục tiêu", help="Mục tiêu trung bình các xã"),
    },
    key="tc-summary",
)
table_downloads(
    summary.select("indicator", "indicator_name", "n", "n_achieved", "n_on_track", "n_behind", "n_missing",
                   "mean_value", "mean_target"),
    f"Chỉ tiêu {framework.word} {pillar_name}", "tc-summary-dl",
    headings={"indicator": "Mã", "indicator_name": "Chỉ tiêu", "n": "Số xã được giao", "n_achieved": "Đạt",
              "n_on_track": "Đúng tiến độ", "n_behind": "Đang chậm", "n_missing": "Chưa có số liệu",
              "mean_value": "Giá trị trung bình", "mean_target": "Mục tiêu trung bình"},
    number_formats={"mean_value": "0.0", "mean_target": "0.0"},
    title=f"Chỉ tiêu {framework.word} {pillar_name} – {caption}",
)

# ---- where: the map ---------------------------------------------------------------------------
page.section(f"Bản đồ điểm {pillar_name.lower()}", f"Mỗi xã tô theo khoảng điểm {framework.word} này; xã xám chưa có "
             "điểm. Bấm vào chấm giữa một xã để mở hồ sơ xã.")
with page.loading("Đang vẽ bản đồ các xã…"):
    maps.commune_map("tc-map", scope.province, scope.period, group=(pillar, pillar_name))

# ---- one indicator: trend and communes ------------------------------------------------------
page.section("Từng chỉ tiêu: diễn biến và từng xã")
pick, toggle = st.columns([3, 1], vertical_alignment="bottom")
indicator = filters.indicator_filter(pick, indicators.select("indicator", "indicator_name"))
row = indicators.filter(pl.col("indicator") == indicator).row(0, named=True)
suffix = UNIT_SUFFIX.get(row["unit"] or "", "")

trend = query("indicator_trend", period=scope.period, province=scope.province, commune=None,
              pillar=None, indicator=indicator)
st.markdown(f"**Trung bình các xã được giao: giá trị, mục tiêu năm {scope.year} và lộ trình cần đạt**")
if trend.filter(pl.col("value").is_not_null()).is_empty():
    page.empty(f"Chưa có số liệu của chỉ tiêu {indicator} trong năm {scope.year}.")
else:
    trend_chart = charts.trend_with_target(trend, suffix, value_title="Giá trị trung bình")
    charts.show(trend_chart, key="tc-trend")
    chart_downloads(trend_chart, f"Diễn biến {indicator}", "tc-trend",
                    title=f"{labels[indicator]}: trung bình các xã", caption=caption)
    st.caption("Lộ trình cần đạt: đường thẳng từ kết quả đầu năm (tháng 12 năm trước) tới mục tiêu "
               "tháng 12, trung bình các xã; giá trị dưới lộ trình là đang chậm.")

one = status.filter(pl.col("indicator") == indicator).with_columns(
    pl.col("status").replace_strict({s: i for i, s in enumerate(charts.STATUSES)}, default=99).alias("status_order")
)
# the most behind first: no report, then lowest points (share of the target reached)
one = one.sort(["points", "status_order"], descending=[False, True], nulls_last=False)
only_behind = toggle.toggle(f"Chỉ {SHOW_BEHIND} xã chậm nhất", value=one.height > SHOW_BEHIND,
                            key="tc-chi-cham", disabled=one.height <= SHOW_BEHIND)
shown = one.head(SHOW_BEHIND) if only_behind else one
st.markdown(f"**Từng xã so với mục tiêu** · {shown.height} trên {one.height} xã, xã chậm nhất ở trên cùng")
if one.filter(pl.col("value").is_not_null()).is_empty():
    page.empty(f"Chưa xã nào báo cáo số liệu chỉ tiêu {indicator} ({scope.month_label.lower()}): "
               f"{one.height} xã được giao, tất cả đang tính 0 điểm.", title="Chưa có số liệu")
    st.stop()
dots = charts.dot_target(shown, suffix)
charts.show(dots, key="tc-dots")
chart_downloads(dots, f"Từng xã so với mục tiêu {indicator}", "tc-dots",
                title=f"{labels[indicator]}: từng xã so với mục tiêu", caption=caption)
st.caption("Chấm: giá trị tháng này (màu và hình theo tình trạng); vạch đen: mục tiêu năm của xã; "
           "đường xám: khoảng cách còn lại. Xã chưa có số liệu đặt ở 0 với chấm rỗng.")
