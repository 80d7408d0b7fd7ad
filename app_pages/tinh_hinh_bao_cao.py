"""Tình hình báo cáo: which communes sent their monthly report on time, late or not at all over
the last twelve months, whom to call this month (and which offices), and the province's review
(thẩm định) of each commune's month — done here by a province admin. The three parts are tabs,
only the open one drawn, named in the URL (?muc=thang, muoi_hai_thang, tham_dinh)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
import streamlit as st

from queries.accounts.permissions import may_review
from queries.accounts.service import display_names
from queries.changes import REVIEW_STATUSES, review_month
from queries.cycle import calendar
from queries.errors import UserFacingError
from queries.i18n import _
from queries.settings import store_dir
from queries.text import format_date, format_month
from ui import charts, cycle, filters, page, plan_charts
from ui.auth import current_account
from ui.downloads import chart_downloads, table_downloads
from ui.format import format_moment, format_share, format_value, in_sentence, per_row, split_units, vi_table
from ui.markdown import literal
from ui.state import database, query

FLASH = "bc_flash"
SAVED = "bc_review_saved"  # the commune just reviewed, for the next run
PER_PAGE = 50  # communes per page of the grid and its table: one province, never the nation's grid


@dataclass(frozen=True)
class Reports:
    """What the parts of the page show: the province's months of reports and reviews."""
    scope: filters.Scope
    province: str
    month: date
    now: datetime
    settings: dict
    caption: str
    first_month: date
    grid: pl.DataFrame  # compliance_by_month with each month's review, first_month..month
    reviews: pl.DataFrame
    rates: pl.DataFrame  # cycle.on_time_rates
    this: pl.DataFrame  # the grid's rows of the chosen month
    periods: list  # the months of the grid, in order
    columns: dict  # month -> its column label ("11/2026")
    n_communes: int


page.header(
    _("Tình hình báo cáo"),
    _("Xã nào nộp báo cáo tháng đúng hạn, xã nào trễ hay chưa nộp trong 12 tháng qua; xã nào cần nhắc "
    "ngay và đơn vị nào chủ trì; tỉnh đã thẩm định số liệu của từng tháng chưa."),
)
slots = page.filter_row(3, [1, 1, 2])
scope = filters.scope_filters(slots)
if scope is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
filters.keep_only(("tinh", "thang"))
province, month = scope.province, scope.period
now = cycle.cycle_now()

# twelve months up to the chosen one, not before the province's first month
first_month = max(cycle.month_before(month, 11), scope.months["period"].min() or month)
grid = query("compliance_by_month", province=province, commune=None, period_from=first_month,
             period_to=month, now=now)
settings = database().settings
page.scope_line(scope.province_label, scope.month_label)
page.demo_notice(grid["is_demo"])
st.caption(cycle.rule_text(settings))
if grid.is_empty():
    page.empty(_("{province_label} chưa có xã nào.").format(province_label=scope.province_label))
    st.stop()
caption = " · ".join([scope.province_label, scope.month_label]
                     + ([_("Dữ liệu minh họa")] if grid["is_demo"].any() else []))

reviews = query("month_review_states", province=province, commune=None, period_from=first_month, period_to=month)
grid = grid.join(reviews.select("commune_id", "period", "review_status", "comment"),
                 on=["commune_id", "period"], how="left")
grid = grid.with_columns(
    per_row(grid, ["review_status", "status"],
            lambda r: cycle.review_text(r["review_status"], r["status"] in ("dung_han", "tre_han")), name="review_text"),
    per_row(grid, ["status", "days_late"], lambda r: cycle.report_text(r["status"], r["days_late"]), name="report_text"),
)
rates = cycle.on_time_rates(grid)
n_communes = grid["commune_id"].n_unique()

this = grid.filter(pl.col("period") == month)
periods = sorted(grid["period"].unique().to_list())
columns = {p: f"{p.month:02d}/{p.year}" for p in periods}


def months_title(reports: Reports) -> str:
    return _("{periods} tháng qua").format(periods=len(reports.periods)) if len(reports.periods) < 12 else _("Mười hai tháng qua")


def this_month(reports: Reports) -> None:
    """The chosen month's reports, and whom to call."""
    deadline = calendar.deadline_date(reports.month, reports.settings)
    due = cycle.is_due(reports.month, reports.now, reports.settings)
    counts = {s: reports.this.filter(pl.col("status") == s).height for s in cycle.REPORT_ICONS}
    awaiting = reports.this.filter(pl.col("review_text").str.starts_with(cycle.REVIEW_ICONS["cho_tham_dinh"])).height
    page.section(_("Báo cáo {month_label}").format(month_label=in_sentence(reports.scope.month_label)),
                 _("Hạn nộp: trước ngày {deadline}").format(deadline=format_date(deadline))
                 + ("" if due else _(" — chưa đến hạn, số xã chưa nộp còn có thể giảm")) + ".")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("✅ Đúng hạn"), f"{counts['dung_han']}/{reports.n_communes}" if due else counts["dung_han"], border=True,
              height="stretch", help=_("Xã mà tỉnh nhận được báo cáo trước hạn."))
    m2.metric(_("⏰ Trễ hạn"), counts["tre_han"], border=True, height="stretch", help=_("Xã nộp sau hạn (vẫn tính là đã nộp)."))
    if due:
        m3.metric(_("❌ Chưa nộp"), counts["chua_nop"], border=True, height="stretch",
                  help=_("Đã qua hạn mà tỉnh chưa nhận được báo cáo."))
    else:
        m3.metric(_("⏳ Chưa gửi"), counts["chua_den_han"], delta=_("chưa đến hạn"), delta_color="off", delta_arrow="off",
                  border=True, height="stretch",
                      help=_("Hạn là ngày {deadline}; chưa thể gọi là chưa nộp.").format(deadline=format_date(deadline)))
    m4.metric(_("🕓 Chờ thẩm định"), awaiting, border=True, height="stretch",
              help=_("Xã đã gửi số liệu tháng này mà tỉnh chưa thẩm định (hoặc gửi thêm sau khi thẩm định)."))

    # whom to call
    focus = cycle.focus_month(reports.month, reports.now, reports.settings)
    focus_label = in_sentence(format_month(focus))
    page.section(_("Xã cần nhắc"),
                 _("Xã chưa nộp hoặc nộp trễ báo cáo {focus_label} (tháng gần nhất đã qua hạn").format(focus_label=focus_label)
                 + (_(", hạn {deadline_date}").format(deadline_date=format_date(calendar.deadline_date(focus,
                     reports.settings))) if focus >= reports.first_month else "")
                 + _("), cùng các đơn vị chủ trì chỉ tiêu của xã. Chưa nộp ở trên, trễ nhiều ngày trước."))
    to_call = reports.grid.filter((pl.col("period") == focus) & pl.col("status").is_in(["chua_nop", "tre_han"]))
    if focus < reports.first_month:
        page.empty(_("Chưa có tháng nào của {province_label} đã qua hạn nộp báo cáo.").format(
            province_label=reports.scope.province_label))
    elif to_call.is_empty():
        st.success(_("Mọi xã của {province_label} đã nộp đúng hạn báo cáo {focus_label}.").format(
            province_label=reports.scope.province_label,
            focus_label=focus_label), icon="✅")
    else:
        units = query("commune_lead_units", province=reports.province, year=focus.year)
        unit_names = (units.with_columns(per_row(units, "lead_unit", split_units, name="lead_unit", dtype=pl.List(pl.Utf8)))
                      .explode("lead_unit").unique(["commune_id", "lead_unit"], maintain_order=True)
                      .group_by("commune_id", maintain_order=True).agg(pl.col("lead_unit").str.join("; ").alias("units")))
        calls = to_call.join(unit_names, on="commune_id", how="left").join(reports.rates, on="commune_id", how="left")
        calls = (
            calls.with_columns(
                pl.col("units").fill_null(_("(chưa giao đơn vị chủ trì)")),
                (pl.col("status") == "tre_han").alias("late_first"),
                per_row(calls, ["province", "commune_id"],
                        lambda r: filters.profile_link(r["province"], reports.month, r["commune_id"]),
                        name="link"),
            )
            .with_row_index("name_order")
            .sort(["late_first", "days_late", "name_order"], descending=[False, True, False], nulls_last=True)
        )
        n_missing = calls.filter(pl.col("status") == "chua_nop").height
        st.markdown(_("**{height} xã** cần nhắc: {n_missing} chưa nộp, {value} nộp trễ.").format(
            height=calls.height,
            n_missing=n_missing,
            value=calls.height - n_missing))
        shown = calls.select("commune_name", "report_text", "on_time_rate", "n_missing", "link", "units")
        st.dataframe(
            vi_table(shown, percent={"on_time_rate": 0}, styles={"report_text": cycle.report_style}),
            hide_index=True,
            column_config={
                "commune_name": st.column_config.TextColumn(_("Xã"), width=140),
                "report_text": st.column_config.TextColumn(format_month(focus), width=130),
                "units": st.column_config.TextColumn(_("Đơn vị chủ trì chỉ tiêu"), width=520),
                "on_time_rate": st.column_config.NumberColumn(_("Đúng hạn 12 tháng"), width=120,
                                                              help=_("Tỷ lệ tháng nộp đúng hạn, không kể tháng chưa đến hạn")),
                "n_missing": st.column_config.NumberColumn(_("Số tháng chưa nộp"), format="%d", width=120),
                "link": st.column_config.LinkColumn(_("Hồ sơ"), display_text="Xem ›", width="small"),
            },
            key="bc-call",
        )
        table_downloads(
            calls.select("commune_name", "status", "days_late", "units", "on_time_rate", "n_missing"),
            _("Xã cần nhắc báo cáo {focus_label}").format(focus_label=focus_label), "bc-call-dl",
            headings={"commune_name": _("Xã"), "status": _("Tình trạng"), "days_late": _("Số ngày trễ"),
                      "units": _("Đơn vị chủ trì chỉ tiêu"), "on_time_rate": _("Tỷ lệ đúng hạn 12 tháng"),
                      "n_missing": _("Số tháng chưa nộp")},
            number_formats={"on_time_rate": "0%"},
            title=_("Xã cần nhắc báo cáo {focus_label} – {caption}").format(focus_label=focus_label, caption=reports.caption),
        )


def twelve_months(reports: Reports) -> None:
    """Each commune's reports month by month, a page of communes at a time."""
    this_column = reports.columns[reports.month]
    names = reports.grid.select("commune_id", "commune_name").unique(maintain_order=True).with_row_index("name_order")
    order = (reports.rates.join(names, on="commune_id")
             .sort(["on_time_rate", "n_missing", "name_order"], descending=[False, True, False], nulls_last=True))
    n_behind = reports.rates.filter(pl.col("n_due") > pl.col("n_on_time")).height
    page.section(months_title(reports),
                 _("Mỗi hàng một xã, mỗi cột một tháng; xã ít tháng đúng hạn nhất ở trên cùng. Rê chuột vào một ô để "
                 "xem ngày nhận."))
    st.markdown(_("**{n_behind}/{n_communes} xã** có ít nhất một tháng trễ hoặc chưa nộp trong {periods} tháng; "
        "tỷ lệ đúng hạn chung **{sum}** (không kể tháng chưa đến hạn).").format(
        n_behind=n_behind,
        n_communes=reports.n_communes,
        periods=len(reports.periods),
        sum=format_share(int(reports.rates['n_on_time'].sum()), int(reports.rates['n_due'].sum()))))
    start, stop = page.pager(order.height, PER_PAGE, key="bc-page")
    cells = (reports.grid.join(order.select("commune_id", pl.int_range(pl.len()).alias("row_order")), on="commune_id")
             .sort(["row_order", "period"]))
    cells = cells.with_columns(
        pl.col("period").replace_strict(reports.columns, return_dtype=pl.Utf8).alias("month_label"),
        per_row(cells, ["report_text", "received_at_vn"],
                lambda r: r["report_text"] + (_(" · nhận {received_at_vn}").format(received_at_vn=format_moment(
                    r['received_at_vn'])) if r["received_at_vn"] else ""), name="detail"),
    )
    with page.loading(_("Đang vẽ bảng báo cáo các xã…")):
        grid_chart = plan_charts.report_grid(cells.filter(pl.col("row_order").is_between(start, stop - 1))
                                             .select("commune_name", "month_label", "status", "days_late", "detail"))
    charts.show(grid_chart, key="bc-grid-chart")
    chart_downloads(grid_chart, _("Tình hình báo cáo {province_label}").format(province_label=reports.scope.province_label),
                    "bc-grid-chart",
                    title=_("Tình hình nộp báo cáo tháng – {province_label}").format(province_label=reports.scope.province_label),
                    caption=reports.caption)

    page.section(_("Từng xã"),
                 _("Số tháng đúng hạn, trễ, chưa nộp trong {periods} tháng; báo cáo và thẩm định {month_label}.").format(
        periods=len(reports.periods),
        month_label=in_sentence(reports.scope.month_label)))
    wide = (
        cells.pivot(on="month_label", index=["commune_id", "commune_name"], values="report_text")
        .join(order.select("commune_id", "n_due", "n_on_time", "n_late", "n_missing", "on_time_rate",
                           pl.int_range(pl.len()).alias("row_order")), on="commune_id")
        .join(reports.this.select("commune_id", "province", "review_text"), on="commune_id", how="left")
        .sort("row_order")
    )
    wide = wide.with_columns(per_row(wide, ["province", "commune_id"],
                                     lambda r: filters.profile_link(r["province"], reports.month, r["commune_id"]), name="link"))
    month_columns = [reports.columns[p] for p in reports.periods]
    st.dataframe(
        vi_table(wide.slice(start, stop - start).select("commune_name", "on_time_rate", "n_on_time", "n_late",
                                                        "n_missing", this_column, "review_text", "link"),
                 percent={"on_time_rate": 0}, styles={this_column: cycle.report_style}),
        hide_index=True,
        height=min(38 + 35 * (stop - start), 560),
        column_config={
            "commune_name": st.column_config.TextColumn(_("Xã"), width=140),
            "on_time_rate": st.column_config.NumberColumn(_("Tỷ lệ đúng hạn"), width=95,
                                                          help=_("Số tháng đúng hạn ÷ số tháng đã đến hạn")),
            "n_on_time": st.column_config.NumberColumn(_("✅ Đúng hạn"), format=_("%d tháng"), width=95),
            "n_late": st.column_config.NumberColumn(_("⏰ Trễ"), format=_("%d tháng"), width=85),
            "n_missing": st.column_config.NumberColumn(_("❌ Chưa nộp"), format=_("%d tháng"), width=95),
            this_column: st.column_config.TextColumn(_("Báo cáo {columns}").format(columns=this_column), width=135),
            "review_text": st.column_config.TextColumn(_("Thẩm định {columns}").format(columns=this_column), width=150),
            "link": st.column_config.LinkColumn(_("Hồ sơ"), display_text="Xem ›", width="small"),
        },
        key="bc-communes",
    )
    table_downloads(
        wide.select("commune_name", "on_time_rate", "n_on_time", "n_late", "n_missing", *month_columns, "review_text"),
        _("Tình hình báo cáo {province_label}").format(province_label=reports.scope.province_label), "bc-grid-dl",
        headings={"commune_name": _("Xã"), "on_time_rate": _("Tỷ lệ đúng hạn"), "n_on_time": _("Số tháng đúng hạn"),
                  "n_late": _("Số tháng trễ"), "n_missing": _("Số tháng chưa nộp"),
                  **{c: _("Tháng {c}").format(c=c) for c in month_columns},
                      "review_text": _("Thẩm định tháng {columns}").format(columns=this_column)},
        number_formats={"on_time_rate": "0%"},
        title=_("Tình hình nộp báo cáo tháng – {caption}").format(caption=reports.caption),
    )


def review(reports: Reports) -> None:
    """The province's review of a commune's month (a province admin's form), or what was asked."""
    account = current_account()
    page.section(_("Thẩm định số liệu"),
                 _("Quản trị tỉnh xem số liệu xã đã khai trong tháng và tệp minh chứng, rồi ghi “Đã thẩm định” "
                 "hoặc “Yêu cầu bổ sung” (kèm nhận xét xã nhìn thấy trên hồ sơ). Xã gửi thêm số liệu sau khi "
                 "thẩm định thì tháng đó trở lại “Chờ thẩm định”."))
    if FLASH in st.session_state:
        st.success(st.session_state.pop(FLASH), icon="✅")

    if not may_review(account, reports.province):
        asked = reports.grid.filter(pl.col("review_status") == "yeu_cau_bo_sung").sort("period", descending=True)
        st.caption(_("Chỉ tài khoản Quản trị tỉnh của tỉnh này thẩm định được; trang này chỉ hiện kết quả thẩm định.")
                   + ("" if account else _(" Đăng nhập để thẩm định nếu bạn là Quản trị tỉnh.")))
        if asked.is_empty():
            page.empty(_("Chưa có tháng nào của các xã bị yêu cầu bổ sung trong {periods} tháng qua.").format(
                periods=len(reports.periods)))
        else:
            st.markdown(_("**Các tháng tỉnh yêu cầu bổ sung**"))
            st.dataframe(
                vi_table(asked.select("commune_name", "period", "comment"), months=("period",)),
                hide_index=True,
                column_config={"commune_name": st.column_config.TextColumn(_("Xã"), width=140),
                               "period": st.column_config.TextColumn(_("Tháng"), width=110),
                               "comment": st.column_config.TextColumn(_("Nhận xét của tỉnh"), width="large")},
                key="bc-asked",
            )
        return

    db = database()
    ids = reports.grid.select("commune_id", "commune_name").unique(maintain_order=True)
    names = dict(zip(ids["commune_id"].to_list(), ids["commune_name"].to_list()))
    state_of = {(r["commune_id"], r["period"]): r for r in reports.grid.iter_rows(named=True)}
    if SAVED in st.session_state:
        # Set before the widgets exist: an empty comment box, and the commune chosen again so the
        # browser redraws its label with the new review state (it keeps the old text otherwise).
        st.session_state["bc_review_commune"] = st.session_state.pop(SAVED)
        st.session_state["bc_review_comment"] = ""
    left, right = st.columns(2)
    # Opens on the page's month; keyed by it, so choosing another month above moves this one too.
    month_choice = left.selectbox(_("Tháng"), list(reversed(reports.periods)), format_func=format_month,
                                  key=f"bc_review_month_{reports.month.isoformat()}")
    review_labels = {c: f"{names[c]} — {state_of[(c, month_choice)]['review_text']}" for c in names}
    # communes awaiting review first: that is the admin's work list
    position = {c: i for i, c in enumerate(names)}
    order = sorted(names, key=lambda c: (not state_of[(c, month_choice)]["review_text"].startswith(
        cycle.REVIEW_ICONS["cho_tham_dinh"]), position[c]))
    commune = right.selectbox(_("Xã"), order, format_func=review_labels.get, key="bc_review_commune")
    row = state_of[(commune, month_choice)]
    received = row["received_at_vn"]
    st.markdown(
        _("**{names} · {month_choice}** — báo cáo: {report_text}").format(
            names=names[commune],
            month_choice=format_month(month_choice),
            report_text=row['report_text'])
        + (_(" (nhận lúc {received})").format(received=format_moment(received)) if received else "")
        + _(" · thẩm định: **{review_text}**").format(review_text=row['review_text'])
    )
    reviewed = reports.reviews.filter((pl.col("commune_id") == commune) & (pl.col("period") == month_choice))
    if reviewed.height:
        last = reviewed.row(0, named=True)
        # People's names, never their user names: a visitor may read this page too.
        reviewer = display_names(store_dir(), [last["reviewer"]]).get(last["reviewer"]) if last["reviewer"] else None
        st.caption(_("Lần thẩm định gần nhất: {REVIEW_NAMES}, bởi {reviewer}, {reviewed_at_vn}").format(
            REVIEW_NAMES=cycle.review_name(last['last_review_status']),
            reviewer=literal(reviewer or '–'),
            reviewed_at_vn=format_moment(last['reviewed_at_vn']))
                   + (_(" — nhận xét: “{comment}”").format(comment=literal(last['comment'])) if last["comment"] else "") + ".")

    declared = query("month_declared_values", commune=commune, period=month_choice)
    if declared.is_empty():
        page.empty(_("{names} chưa gửi số liệu nào cho {month_choice}. Có thể ghi “Yêu cầu bổ sung” để nhắc xã.").format(
            names=names[commune],
            month_choice=in_sentence(format_month(month_choice))))
    else:
        shown = declared.with_columns(
            per_row(declared, ["value", "unit"], lambda r: format_value(r["value"], r["unit"]), name="value_text"),
            pl.col("uploader").replace_strict(display_names(store_dir(), declared["uploader"].to_list()),
                                              default=None, return_dtype=pl.Utf8).fill_null(_("(kế hoạch đã ký)")),
            pl.col("target_text").fill_null(_("chưa giao")),  # an indicator without a target this year
            per_row(declared, "received_at_vn", format_moment, name="received_at_vn"),
        ).select("indicator", "indicator_name", "value_text", "target_text", "uploader", "received_at_vn", "n_evidence")
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                "indicator": st.column_config.TextColumn(_("Mã"), width=55),
                "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=230),
                "value_text": st.column_config.TextColumn(_("Giá trị khai"), width=85),
                "target_text": st.column_config.TextColumn(_("Mục tiêu năm"), width=90),
                "uploader": st.column_config.TextColumn(_("Người tải lên"), width=130),
                "received_at_vn": st.column_config.TextColumn(_("Nhận lúc"), width=120),
                "n_evidence": st.column_config.NumberColumn(_("Minh chứng"), format=_("%d tệp"), width=85),
            },
            key="bc-declared",
        )
    files = query("month_evidence", commune=commune, period=month_choice)
    if files.is_empty():
        st.caption(_("Không có tệp minh chứng nào kèm các lần tải lên của tháng này."))
    else:
        st.markdown(_("**Tệp minh chứng** ({height})").format(height=files.height))
        buttons = st.container(horizontal=True, gap="small")
        for i, file in enumerate(files.iter_rows(named=True)):
            cycle.evidence_button(buttons, db, file, key=f"bc-evidence-{i}")

    status = st.radio(_("Kết quả thẩm định"), list(REVIEW_STATUSES), format_func=lambda s: _(REVIEW_STATUSES[s]), horizontal=True,
                      key="bc_review_status")
    comment = st.text_area(_("Nhận xét gửi xã"), key="bc_review_comment", max_chars=1000,
                           placeholder=_("Bắt buộc khi yêu cầu bổ sung: ghi rõ cần bổ sung số liệu hay minh chứng nào."))
    if st.button(_("Lưu thẩm định"), key="bc_review_save", type="primary"):
        try:
            review_month(db, account, commune, month_choice, status, comment)
        except UserFacingError as refusal:
            st.error(refusal.message, icon="🚫")
        else:
            db.ensure_fresh(wait=True)
            st.session_state[FLASH] = (_("Đã ghi “{REVIEW_STATUSES}” cho {names}, {month_choice}.").format(
                REVIEW_STATUSES=_(REVIEW_STATUSES[status]),
                names=names[commune],
                month_choice=in_sentence(format_month(month_choice))))
            st.session_state[SAVED] = commune
            st.rerun()


# The parts are tabs, only the open one drawn (?muc=): all three at once took the browser
# 2.59 s against 1.92 s for the first alone.
reports = Reports(scope, province, month, now, settings, caption, first_month, grid, reviews, rates, this, periods,
                  columns, n_communes)
part, container = page.tabs("muc", [("thang", _("Báo cáo tháng")), ("muoi_hai_thang", months_title(reports)),
                                    ("tham_dinh", _("Thẩm định số liệu"))])
with container:
    {"thang": this_month, "muoi_hai_thang": twelve_months, "tham_dinh": review}[part](reports)
