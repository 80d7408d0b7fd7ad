"""Đơn vị chủ trì: which offices carry the indicators that are behind."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.i18n import _
from queries.status import STATUS_ICONS
from queries.text import format_date, format_number
from ui import charts, filters, page, plans
from ui import frameworks as fw
from ui.downloads import chart_downloads, table_downloads
from ui.format import format_share, per_row, split_units, value_text, vi_table
from ui.state import query

page.header(
    _("Đơn vị chủ trì"),
    _("Ai đang chậm, không chỉ cái gì chậm: mỗi đơn vị chủ trì bao nhiêu chỉ tiêu, bao nhiêu đã đạt, "
    "bao nhiêu đang chậm hay chưa báo cáo, và chậm ở xã nào."),
)
slots = page.filter_row(3, [1, 1, 2])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()

status = query("indicator_status", period=scope.period, province=scope.province, commune=None)
page.scope_line(scope.province_label, scope.month_label)
page.demo_notice(status["is_demo"])
if status.is_empty():
    filters.keep_only(("tinh", "thang"))
    page.empty(page.no_targets_message(scope.province_label, scope.year), title=_("Chưa có chỉ tiêu"))
    st.stop()
caption = " · ".join([scope.province_label, scope.month_label]
                     + ([_("Dữ liệu minh họa")] if status["is_demo"].any() else []))

# one row per (commune, indicator, office): an indicator led by two offices counts for each
rows = status.with_columns(
    per_row(status, "lead_unit", split_units, name="office", dtype=pl.List(pl.Utf8), skip_nulls=False)
).explode("office")
summary = (
    rows.group_by("office").agg(
        pl.len().alias("n"),
        pl.col("commune_id").n_unique().alias("n_communes"),
        (pl.col("status") == "Đạt").sum().alias("n_achieved"),
        (pl.col("status") == "Đúng tiến độ").sum().alias("n_on_track"),
        pl.col("status").is_in(list(charts.BEHIND)).sum().alias("n_behind"),
        (pl.col("status") == "Chưa có số liệu").sum().alias("n_missing"),
    )
    .with_columns((pl.col("n_behind") / pl.col("n")).alias("share_behind"))
    # ties by name: the same order (and the same unit on top) on every reload
    .sort(["n_behind", "n_missing", "n", "office"], descending=[True, True, True, False])
)
units = summary["office"].to_list()

top = summary.row(0, named=True)
m1, m2, m3 = st.columns(3)
m1.metric(_("Số đơn vị chủ trì"), len(units), border=True,
          help=_("Các cách viết khác nhau của cùng một đơn vị (vd. “Phòng VH-XH”) được gộp làm một."))
m2.metric(_("Lượt chỉ tiêu đang chậm"), format_number(int(summary['n_behind'].sum()), 0),
          delta=_("trên {sum} lượt").format(sum=format_number(int(summary['n'].sum()), 0)), delta_color="off",
              delta_arrow="off",
          border=True, help=_("Cần đẩy nhanh, chậm hoặc đi lùi; mỗi xã × chỉ tiêu × đơn vị là một lượt."))
m3.metric(_("Đơn vị nhiều chỉ tiêu chậm nhất"), top["office"] if top["n_behind"] else "–",
          delta=_("{n_behind} lượt đang chậm").format(n_behind=top['n_behind']) if top["n_behind"] else None, delta_color="off",
          delta_arrow="off", border=True)

page.section(_("Tình trạng chỉ tiêu theo đơn vị chủ trì"),
             _("Đơn vị nhiều chỉ tiêu đang chậm nhất ở trên cùng."))
counts = rows.group_by("office", "status").agg(pl.len().alias("n"))
bars = charts.status_by_category(counts, "office", _("Đơn vị chủ trì"), sort=units)
charts.show(bars, key="dv-status")
chart_downloads(bars, _("Tình trạng chỉ tiêu theo đơn vị chủ trì"), "dv-status", caption=caption)

st.dataframe(
    vi_table(summary.select("office", "n", "n_communes", "n_achieved", "n_on_track", "n_behind", "n_missing",
                            "share_behind"), percent={"share_behind": 1}),
    hide_index=True,
    column_config={
        "office": st.column_config.TextColumn(_("Đơn vị chủ trì"), width=240),
        "n": st.column_config.NumberColumn(_("Lượt chỉ tiêu"), format="%d", help=_("Xã × chỉ tiêu")),
        "n_communes": st.column_config.NumberColumn(_("Số xã"), format="%d"),
        "n_achieved": st.column_config.NumberColumn(_("{icon} Đạt").format(icon=STATUS_ICONS['Đạt']), format="%d"),
        "n_on_track": st.column_config.NumberColumn(_("{icon} Đúng tiến độ").format(
            icon=STATUS_ICONS['Đúng tiến độ']), format="%d"),
        "n_behind": st.column_config.NumberColumn(_("{icon} Đang chậm").format(icon=STATUS_ICONS['Chậm']), format="%d"),
        "n_missing": st.column_config.NumberColumn(_("{icon} Chưa có số liệu").format(
            icon=STATUS_ICONS['Chưa có số liệu']), format="%d"),
        "share_behind": st.column_config.NumberColumn(_("Tỷ lệ đang chậm")),
    },
    key="dv-summary",
)
table_downloads(
    summary, _("Tình trạng theo đơn vị chủ trì"), "dv-summary-dl",
    headings={"office": _("Đơn vị chủ trì"), "n": _("Lượt chỉ tiêu"), "n_communes": _("Số xã"), "n_achieved": _("Đạt"),
              "n_on_track": _("Đúng tiến độ"), "n_behind": _("Đang chậm"), "n_missing": _("Chưa có số liệu"),
              "share_behind": _("Tỷ lệ đang chậm")},
    number_formats={"share_behind": "0.0%"},
    title=_("Tình trạng chỉ tiêu theo đơn vị chủ trì – {caption}").format(caption=caption),
)

# ---- one office ------------------------------------------------------------------------------
page.section(_("Một đơn vị: chậm ở chỉ tiêu nào, xã nào"))
pick, _unused = st.columns([2, 1])
unit = filters.unit_filter(pick, units)
filters.keep_only(("tinh", "thang", "don_vi"))
mine = rows.filter(pl.col("office") == unit)
by_indicator = (
    mine.group_by("indicator").agg(
        pl.col("indicator_name").first(), pl.col("pillar").first(), pl.len().alias("n"),
        pl.col("status").is_in(list(charts.BEHIND)).sum().alias("n_behind"),
        (pl.col("status") == "Chưa có số liệu").sum().alias("n_missing"),
        (pl.col("status") == "Đạt").sum().alias("n_achieved"),
    )
    .pipe(fw.regroup, fw.for_month(scope.period))  # the groups this month is scored with
    .with_columns(pl.col("pillar_name").fill_null(_("Đổi mới sáng tạo")))
    .sort(["n_behind", "n_missing", "indicator"], descending=[True, True, False])
)
st.markdown(_("**{unit}** chủ trì {height} chỉ tiêu ở {n_unique} xã; {sum} số lượt đang chậm.").format(
    unit=unit,
    height=by_indicator.height,
    n_unique=mine['commune_id'].n_unique(),
    sum=format_share(int(mine['status'].is_in(list(charts.BEHIND)).sum()), mine.height)))
st.dataframe(
    by_indicator.select("pillar_name", "indicator", "indicator_name", "n", "n_achieved", "n_behind", "n_missing"),
    hide_index=True,
    column_config={
        "pillar_name": st.column_config.TextColumn(_(fw.for_month(scope.period).word).capitalize(), width=100),
        "indicator": st.column_config.TextColumn(_("Mã"), width=55),
        "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=250),
        "n": st.column_config.NumberColumn(_("Số xã"), format="%d", help=_("Số xã được giao chỉ tiêu này")),
        "n_achieved": st.column_config.NumberColumn(_("{icon} Đạt").format(icon=STATUS_ICONS['Đạt']), format="%d"),
        "n_behind": st.column_config.NumberColumn(_("{icon} Đang chậm").format(icon=STATUS_ICONS['Chậm']), format="%d"),
        "n_missing": st.column_config.NumberColumn(_("{icon} Chưa có số liệu").format(
            icon=STATUS_ICONS['Chưa có số liệu']), format="%d"),
    },
    key="dv-indicators",
)
severity = {s: i for i, s in enumerate(["Đi lùi", "Chậm", "Chưa có số liệu", "Cần đẩy nhanh"])}
behind = mine.filter(pl.col("status").is_in([*charts.BEHIND, "Chưa có số liệu"]))
behind = (
    behind.with_columns(
        pl.col("status").replace_strict(severity, default=9).alias("severity"),
        per_row(behind, "status", charts.status_label, name="status_text"),
        value_text(behind, "value", "value_text"),
        value_text(behind, "expected_value", "expected_text"),
        per_row(behind, ["province", "commune_id"],
                lambda r: filters.profile_link(r["province"], scope.period, r["commune_id"]), name="link"),
    )
    .sort(["severity", "progress_ratio", "indicator"], nulls_last=True)
)
st.markdown(_("**Các lượt đang chậm hoặc chưa báo cáo** ({height}), nặng nhất ở trên cùng").format(height=behind.height))
if behind.is_empty():
    page.empty(_("{unit} không có chỉ tiêu nào đang chậm hay chưa báo cáo tháng này.").format(unit=unit))
else:
    behind_shown = behind.select("commune_name", "status_text", "indicator", "indicator_name", "target_text",
                                 "value_text", "expected_text", "link")
    st.dataframe(
        behind_shown,
        hide_index=True,
        column_config={
            "commune_name": st.column_config.TextColumn(_("Xã"), width=110),
            "status_text": st.column_config.TextColumn(_("Tình trạng"), width=120),
            "indicator": st.column_config.TextColumn(_("Mã"), width=55),
            "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=250),
            "target_text": st.column_config.TextColumn(_("Mục tiêu năm")),
            "value_text": st.column_config.TextColumn(_("Giá trị")),
            "expected_text": st.column_config.TextColumn(_("Lẽ ra phải đạt"), help=_("Theo lộ trình tới mục tiêu")),
            "link": st.column_config.LinkColumn(_("Hồ sơ"), display_text="Xem ›", width="small"),
        },
        key="dv-behind",
    )
    table_downloads(
        behind.select("commune_name", "indicator", "indicator_name", "target_text", "value", "expected_value",
                      "status"),
        _("{unit} – chỉ tiêu đang chậm").format(unit=unit), "dv-behind-dl",
        headings={"commune_name": _("Xã"), "indicator": _("Mã"), "indicator_name": _("Chỉ tiêu"),
                  "target_text": _("Mục tiêu năm"), "value": _("Giá trị"), "expected_value": _("Lẽ ra phải đạt"),
                  "status": _("Tình trạng")},
        number_formats={"value": "0.0", "expected_value": "0.0"},
        title=_("{unit} – chỉ tiêu đang chậm – {caption}").format(unit=unit, caption=caption),
    )

# ---- the offices' tasks ------------------------------------------------------------------------
as_of = plans.as_of_month(scope.period)
tasks = query("tasks_status", as_of=as_of, province=scope.province, commune=None)
page.section(_("Nhiệm vụ của các đơn vị"),
             _("Nhiệm vụ trong kế hoạch các xã mà mỗi đơn vị chủ trì, tình hình đến ngày {as_of}; "
                 "đơn vị nhiều nhiệm vụ quá hạn nhất ở trên cùng.").format(
                 as_of=format_date(as_of)))
if tasks.is_empty():
    page.empty(_("Các xã của {province_label} chưa có bảng nhiệm vụ trong dữ liệu.").format(province_label=scope.province_label))
else:
    task_rows = plans.task_rows(tasks)
    task_rows = task_rows.with_columns(
        per_row(task_rows, "lead_unit", split_units, name="office", dtype=pl.List(pl.Utf8), skip_nulls=False)
    ).explode("office")
    task_summary = task_rows.group_by("office").agg(
        pl.len().alias("n"),
        *[(pl.col("status_label") == label).sum().alias(f"n_{i}") for i, label in enumerate(plans.TASK_ORDER)],
    ).sort(["n_0", "n", "office"], descending=[True, True, False])
    st.dataframe(
        task_summary,
        hide_index=True,
        column_config={
            "office": st.column_config.TextColumn(_("Đơn vị chủ trì"), width=240),
            "n": st.column_config.NumberColumn(_("Nhiệm vụ"), format="%d"),
            **{f"n_{i}": st.column_config.NumberColumn(f"{plans.TASK_ICONS[label]} {label}", format="%d")
               for i, label in enumerate(plans.TASK_ORDER)},
        },
        key="dv-tasks",
    )
    table_downloads(task_summary, _("Nhiệm vụ theo đơn vị chủ trì"), "dv-tasks-dl",
                    headings={"office": _("Đơn vị chủ trì"), "n": _("Số nhiệm vụ"),
                              **{f"n_{i}": label for i, label in enumerate(plans.TASK_ORDER)}},
                    title=_("Nhiệm vụ theo đơn vị chủ trì – {caption} – đến ngày {as_of}").format(
                        caption=caption,
                        as_of=format_date(as_of)))
    unit_tasks = task_rows.filter(pl.col("office") == unit)
    if unit_tasks.is_empty():
        st.caption(_("{unit} không chủ trì nhiệm vụ nào trong kế hoạch các xã của {province_label}.").format(
            unit=unit,
            province_label=scope.province_label))
    else:
        n_overdue = unit_tasks.filter(pl.col("status_label") == plans.OVERDUE_LABEL).height
        st.markdown(_("**{unit}** chủ trì {height} nhiệm vụ, **{n_overdue} quá hạn**:").format(
            unit=unit,
            height=unit_tasks.height,
            n_overdue=n_overdue))
        plans.show_tasks(unit_tasks, "dv-unit-tasks", with_commune=True, name=_("{unit} – nhiệm vụ").format(unit=unit),
                         title=_("Nhiệm vụ do {unit} chủ trì – {caption} – đến ngày {as_of}").format(
                             unit=unit,
                             caption=caption,
                             as_of=format_date(as_of)))
