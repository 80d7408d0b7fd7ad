"""Hồ sơ xã: one commune — its pillars against the province, every targeted indicator with
where its number came from, each indicator's path through the year, and why it scores what
it scores; its month's report and the province's review of it, the evidence of each value,
its tasks, its spending and where each indicator is heading by December.

The page is the flow in main(): each section is a function given what it shows. Below the
headline the parts are tabs and only the open one is drawn (?muc= in the URL): every chart and
table of the profile at once took the browser a second more to draw."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from queries.accounts.service import display_names
from queries.i18n import _
from queries.plans.projection import NOT_ENOUGH_DATA, PROJECTED_NOT_MET, PROJECTED_STATUSES
from queries.settings import PILLARS, store_dir
from queries.text import format_date
from ui import charts, cycle, filters, page, plan_charts, plans
from ui import frameworks as fw
from ui.downloads import chart_downloads, table_downloads
from ui.filters import Scope
from ui.format import (
    UNIT_SUFFIX,
    delta,
    format_day,
    format_dong,
    format_moment,
    format_period,
    format_score,
    format_share,
    format_value,
    in_sentence,
    per_row,
    vi_table,
)
from ui.frameworks import MonthFramework
from ui.markdown import literal
from ui.scoring import explain_score, wrap
from ui.state import database, query

PILLAR_CODES = [code for code, _unused in PILLARS]
INNOVATION = _("Đổi mới sáng tạo (không tính điểm)")


@dataclass(frozen=True)
class Profile:
    """The commune shown, and what every section names it by."""
    scope: Scope
    commune: str  # commune_id
    name: str
    caption: str  # under each downloaded chart and table: commune, province, month (and demo)
    framework: MonthFramework  # the framework the month is scored with: its groups


def choose_commune() -> Profile:
    """The header and the filters; stops the page when there is no commune to show."""
    page.header(
        _("Hồ sơ xã"),
        _("Một xã: sáu trụ cột so với trung vị của tỉnh, từng chỉ tiêu được giao với số liệu và nguồn, "
        "diễn biến trong năm, và vì sao xã được số điểm này."),
    )
    slots = page.filter_row(4, [1, 1, 1.2, 1.4])
    scope = filters.scope_filters(slots)
    if scope is None:
        page.empty(_(page.NO_COMMUNES))
        st.stop()
    communes = query("communes_in_province", province=scope.province)
    commune = filters.commune_filter(slots[3], communes, search_container=slots[2])
    filters.keep_only(("tinh", "thang", "xa", "tru_cot"))
    if commune is None:
        page.empty(_("{province_label} chưa có xã nào.").format(province_label=scope.province_label))
        st.stop()
    info = communes.filter(pl.col("commune_id") == commune).row(0, named=True)
    name = info["commune_name"]
    page.scope_line(name, scope.province_label, scope.month_label)
    page.demo_notice(bool(info["is_demo"]))
    caption = " · ".join([name, scope.province_label, scope.month_label]
                         + ([_("Dữ liệu minh họa")] if info["is_demo"] else []))
    return Profile(scope, commune, name, caption, fw.for_month(scope.period))


def plan_sections(profile: Profile) -> None:
    """The commune's tasks (as they stood at the end of the month, or today) and its spending."""
    scope, commune, name = profile.scope, profile.commune, profile.name
    as_of = plans.as_of_month(scope.period)
    tasks = query("tasks_status", as_of=as_of, province=None, commune=commune)
    spending = query("spending_by_commune", province=None, commune=commune)
    if tasks.is_empty() and spending.is_empty():
        page.section(_("Nhiệm vụ và kinh phí"))
        st.caption(_("Chưa có bảng nhiệm vụ hay số liệu kinh phí nào của {name} trong dữ liệu (chúng được "
            "tải lên cùng kế hoạch của xã).").format(
            name=name))
        return
    if tasks.height:
        page.section(_("Nhiệm vụ của xã"),
                     _("Các nhiệm vụ trong kế hoạch, tình hình đến ngày {as_of}: quá hạn ở trên "
                         "cùng. “Quá hạn” được tính từ thời hạn của kế hoạch, không ai ghi tay.").format(
                         as_of=format_date(as_of)))
        plans.task_metrics(tasks, as_of)
        plans.show_tasks(plans.task_rows(tasks), "hs-tasks", with_commune=False, name=_("{name} – nhiệm vụ").format(name=name),
                         title=_("Nhiệm vụ – {name} – đến ngày {as_of}").format(name=name, as_of=format_date(as_of)))
        cycle.page_link(st, "app_pages/nhiem_vu.py", label=_("Cập nhật trạng thái ở trang Nhiệm vụ"), icon="📝",
                        query_params={"tinh": scope.province, "xa": commune})
    if spending.height:
        totals = plans.spending_totals(spending)
        page.section(_("Kinh phí"), _("Dự toán và đã chi theo từng khoản, bằng đồng, như kế hoạch hoặc tệp của xã ghi."))
        st.markdown(" · ".join(
            _("**Năm {year}**: {n_items} khoản, đã chi **{spent}**").format(
                year=row['year'],
                n_items=row['n_items'],
                spent=format_dong(row['spent']))
            + (_(" trên dự toán {planned}").format(planned=format_dong(row['planned'])) if row["planned"] is not None else "")
            for row in totals.sort("year", descending=True).iter_rows(named=True)))
        plans.show_spending_lines(spending.sort("year", descending=True, maintain_order=True), "hs-spending",
                                  with_commune=False, name=_("{name} – kinh phí").format(name=name),
                                      title=_("Kinh phí – {name}").format(name=name))


def month_report(profile: Profile) -> None:
    """This month's report and the province's review (also in a year without targets)."""
    scope, commune = profile.scope, profile.commune
    report = query("compliance_by_month", province=None, commune=commune, period_from=scope.period,
                   period_to=scope.period, now=cycle.cycle_now())
    review = query("month_review_states", province=None, commune=commune, period_from=scope.period,
                   period_to=scope.period)
    if report.height:
        row = report.row(0, named=True)
        month_review = review.row(0, named=True) if review.height else {}
        sent = row["status"] in ("dung_han", "tre_han")
        st.markdown(
            _("**Báo cáo {month_label}:** {report_text}").format(
                month_label=in_sentence(scope.month_label),
                report_text=cycle.report_text(row['status'], row['days_late']))
            + (_(" (nhận lúc {received_at_vn})").format(received_at_vn=format_moment(row['received_at_vn'])) if sent else
               _(" (hạn: trước ngày {deadline_date})").format(deadline_date=format_date(row['deadline_date'])))
            + _(" · **Thẩm định của tỉnh:** {review_text}").format(
                review_text=cycle.review_text(month_review.get('review_status'), sent))
        )
        if month_review.get("review_status") == "yeu_cau_bo_sung":
            reviewer = display_names(store_dir(), [month_review["reviewer"]]).get(month_review["reviewer"])
            st.warning(_("**Tỉnh yêu cầu bổ sung số liệu {month_label}:** {comment}\n\n— {reviewer}, "
                "{reviewed_at_vn}").format(
                month_label=in_sentence(scope.month_label),
                comment=literal(month_review['comment'] or ''),
                reviewer=literal(reviewer or _('Quản trị tỉnh')),
                reviewed_at_vn=format_moment(month_review['reviewed_at_vn'])),
                       icon="📝")


def headline(profile: Profile, indicators: pl.DataFrame, ranking: pl.DataFrame, me: dict) -> bool:
    """Score, rank, targets met and reported; whether any value was reported at all."""
    scope, name = profile.scope, profile.name
    scored_pillars = indicators.filter(pl.col("pillar").is_in(profile.framework.codes))
    n_ranked = ranking.filter(pl.col("rank").is_not_null()).height
    latest = indicators.filter(pl.col("value_period").is_not_null())
    last_period = latest["value_period"].max() if latest.height else None
    last_received = latest["value_received"].max() if latest.height else None
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Điểm tổng"), format_score(me.get("score")), **delta(me.get("score_change")),
              border=True, height="stretch",
              help=_("0–100: trung bình có trọng số của các {word}; mũi tên: thay đổi so với tháng trước.").format(
                  word=_(profile.framework.word)))
    rank_change = me.get("rank_change")
    m2.metric(_("Hạng trong tỉnh"), f"{me['rank']}/{n_ranked}" if me.get("rank") else "–",
              **(delta(rank_change, 0, _(" bậc")) if rank_change else
                 {"delta": _("giữ hạng"), "delta_color": "off", "delta_arrow": "off"} if rank_change == 0 else {}),
              border=True, height="stretch",
              help=_("Xếp theo điểm tổng trong tỉnh; + là lên hạng so với tháng trước."))
    n_achieved = scored_pillars.filter(pl.col("achieved")).height
    m3.metric(_("Chỉ tiêu đã đạt"), f"{n_achieved}/{scored_pillars.height}", border=True, height="stretch",
              help=_("Chỉ tiêu thuộc các {word} đã đạt mục tiêu năm.").format(word=_(profile.framework.word)))
    m4.metric(_("Có số liệu"), format_share(scored_pillars.filter(pl.col("value").is_not_null()).height,
                                         scored_pillars.height), border=True, height="stretch",
              help=_("Tỷ lệ chỉ tiêu được giao đã có số liệu (chỉ tiêu chưa có số liệu tính 0 điểm)."))
    if last_period is None:
        page.empty(_("{name} chưa báo cáo số liệu nào cho các chỉ tiêu năm {year}, nên mọi chỉ tiêu đang "
            "tính 0 điểm. Bảng dưới đây là các chỉ tiêu xã được giao, đơn vị chủ trì và văn bản "
            "giao.").format(
            name=name,
            year=scope.year),
                   title=_("Chưa có số liệu"))
    else:
        st.caption(_("Số liệu gần nhất: **{last_period}**").format(last_period=format_period(last_period))
                   + (_(", nhận ngày {last_received}.").format(
                       last_received=format_day(last_received)) if last_received is not None else "."))
    has_values = last_period is not None
    cycle.score_basis_caption(database().settings)
    return has_values


def pillars_and_months(profile: Profile, ranking: pl.DataFrame, history: pl.DataFrame, me: dict) -> None:
    """The pillars against the province, and the score over time."""
    commune, name, caption, framework = profile.commune, profile.name, profile.caption, profile.framework
    groups_title = _("Sáu trụ cột") if framework.codes == PILLAR_CODES else _("{codes} nhóm chỉ số").format(codes=len(
        framework.codes))
    left, right = st.columns(2, gap="large")
    with left:
        page.section(groups_title, _("Điểm của xã (thanh) và trung vị các xã trong tỉnh (hình thoi)."))
        scored_ranking = ranking.filter(pl.col("score").is_not_null())
        pillars_frame = pl.DataFrame({
            "pillar_name": [framework.group_name(c) for c in framework.codes],
            "score": [me.get(c) for c in framework.codes],
            "median": [scored_ranking[c].median() for c in framework.codes],
        }, schema={"pillar_name": pl.Utf8, "score": pl.Float64, "median": pl.Float64})
        pillars_chart = charts.pillars_vs_median(pillars_frame, name)
        charts.show(pillars_chart, key="hs-pillars")
        chart_downloads(pillars_chart, f"{name} – {in_sentence(groups_title)}", "hs-pillars",
                        title=_("{name}: {groups_title} so với trung vị của tỉnh").format(
                            name=name,
                            groups_title=in_sentence(groups_title)), caption=caption)
    with right:
        page.section(_("Điểm tổng qua các tháng"), _("Của xã và trung vị các xã trong tỉnh."))
        own = history.filter((pl.col("commune_id") == commune) & pl.col("score").is_not_null())
        if own.is_empty():
            page.empty(_("Chưa có điểm tháng nào trong 12 tháng qua."))
            return
        median = (history.filter(pl.col("score").is_not_null()).group_by("period")
                  .agg(pl.col("score").median()).sort("period"))
        lines = pl.concat([
            own.select("period", pl.lit(name).alias("series"), "score"),
            median.select("period", pl.lit(_("Trung vị của tỉnh")).alias("series"), "score"),
        ])
        score_chart = charts.score_lines(lines, height=300, series_title=" ")
        charts.show(score_chart, key="hs-score")
        chart_downloads(score_chart, _("{name} – điểm tổng").format(name=name), "hs-score",
                        title=_("{name}: điểm tổng qua các tháng").format(name=name), caption=caption)



def why_this_score(profile: Profile, indicators: pl.DataFrame, weights: pl.DataFrame, has_values: bool,
                   members: pl.DataFrame) -> None:
    name, caption = profile.name, profile.caption
    page.section(_("Vì sao điểm này?"))
    explanation = explain_score(indicators, weights, dict(zip(members["indicator"], members["weight"])))
    if explanation.score is None:
        page.empty(_("Xã chưa có chỉ tiêu nào thuộc các {word} của bộ khung năm này, nên chưa có điểm.").format(
            word=_(profile.framework.word)))
    else:
        st.markdown(explanation.text)
        if has_values:
            why_left, why_right = st.columns([5, 6], gap="medium")
            with why_left:
                waterfall = charts.score_waterfall(explanation.pillars.select("pillar_name", "lost"), explanation.score)
                charts.show(waterfall, key="hs-waterfall")
                chart_downloads(waterfall, _("{name} – vì sao điểm này").format(name=name), "hs-waterfall",
                                title=_("{name}: từ 100 điểm tối đa đến điểm đạt được").format(name=name), caption=caption)
        else:
            why_right = st.container()
        with why_right:
            st.dataframe(
                vi_table(explanation.pillars.select("pillar_name", "weight", "pillar_score", "contribution", "lost"),
                         decimals={"weight": 0, "pillar_score": 2, "contribution": 2, "lost": 2}),
                hide_index=True,
                column_config={
                    "pillar_name": st.column_config.TextColumn(_("Trụ cột")),
                    "weight": st.column_config.NumberColumn(_("Trọng số"), width=70),
                    "pillar_score": st.column_config.NumberColumn(
                        _("Điểm trụ cột"), width=85,
                        help=_("Trung bình điểm các chỉ tiêu của trụ cột, theo trọng số từng chỉ tiêu")),
                    "contribution": st.column_config.NumberColumn(_("Đóng góp"), width=75,
                                                                  help=_("Trọng số ÷ tổng trọng số × điểm trụ cột")),
                    "lost": st.column_config.NumberColumn(_("Còn thiếu"), width=75,
                                                          help=_("Trọng số ÷ tổng trọng số × (100 − điểm trụ cột)")),
                },
                key="hs-why-pillars",
            )
        st.markdown(_("**Từng chỉ tiêu** · mất nhiều điểm nhất ở trên cùng"))
        why = explanation.indicators.sort(["lost", "pillar_order", "indicator"], descending=[True, False, False])
        why_shown = why.select("indicator", "indicator_name", "target_text", "value_text",
                               "points", "share", "contribution", "lost")
        st.dataframe(
            vi_table(why_shown, decimals={"points": 1, "contribution": 2, "lost": 2}, percent={"share": 2}),
            hide_index=True,
            column_config={
                "indicator": st.column_config.TextColumn(_("Mã"), width=55),
                "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=300),
                "target_text": st.column_config.TextColumn(_("Mục tiêu"), width=80),
                "value_text": st.column_config.TextColumn(_("Giá trị"), width=80),
                "points": st.column_config.NumberColumn(_("Điểm"), width=60, help=_("0–100: phần mục tiêu đã đạt")),
                "share": st.column_config.NumberColumn(_("Tỷ trọng"), width=75,
                                                       help=_("Tỷ trọng trụ cột chia cho các chỉ tiêu có điểm theo trọng số của "
                                                              "chúng (đều nhau khi bộ khung không đặt khác)")),
                "contribution": st.column_config.NumberColumn(_("Đóng góp"), width=75, help=_("Tỷ trọng × điểm chỉ tiêu")),
                "lost": st.column_config.NumberColumn(_("Còn thiếu"), width=75, help=_("Tỷ trọng × (100 − điểm chỉ tiêu)")),
            },
            key="hs-why-indicators",
        )
        table_downloads(
            why.select("pillar_name", "indicator", "indicator_name", "target_text", "value", "points", "share",
                       "contribution", "lost"),
            _("{name} – vì sao điểm này").format(name=name), "hs-why-dl",
            headings={"pillar_name": _("Trụ cột"), "indicator": _("Mã"), "indicator_name": _("Chỉ tiêu"),
                      "target_text": _("Mục tiêu"), "value": _("Giá trị"), "points": _("Điểm chỉ tiêu"),
                      "share": _("Tỷ trọng trong điểm tổng"), "contribution": _("Đóng góp"), "lost": _("Còn thiếu")},
            number_formats={"points": "0.0", "share": "0.00%", "contribution": "0.00", "lost": "0.00"},
            title=_("Vì sao điểm này – {caption}").format(caption=caption),
        )


def indicator_table(profile: Profile, indicators: pl.DataFrame, has_values: bool) -> None:
    """Every targeted indicator, who uploaded its value and with what evidence."""
    scope, commune, name, caption = profile.scope, profile.commune, profile.name, profile.caption
    page.section(_("Các chỉ tiêu được giao"),
                 _("Mục tiêu, số liệu mới nhất và tình trạng; đơn vị chủ trì; kỳ số liệu, ngày nhận và văn bản giao chỉ tiêu."))
    table = indicators.with_columns(
        pl.when(pl.col("pillar_name").is_null()).then(pl.lit(INNOVATION)).otherwise(pl.col("pillar_name")).alias("group"),
        per_row(indicators, ["value", "unit", "numerator", "denominator"],
                lambda r: format_value(r["value"], r["unit"]) + (
                    f" ({format_score(r['numerator'], 0)}/{format_score(r['denominator'], 0)})"
                    if r["numerator"] is not None and r["denominator"] is not None else ""), name="value_text"),
        per_row(indicators, "status", charts.status_label, name="status_text"),
        pl.concat_str([pl.col("source_doc"), pl.col("source_item")], separator=", ", ignore_nulls=True).alias("source"),
        pl.col("lead_unit").fill_null(_("(chưa giao)")),
    ).sort(["pillar_order", "indicator"])
    # who uploaded each value in force (the account, not a typed name) and its evidence files
    provenance = query("value_provenance", period=scope.period, commune=commune)
    # People's names, never their user names: anyone may read this page, and a user name is half
    # of what signing in asks for.
    uploaders = display_names(store_dir(), provenance["uploader"].to_list())
    table = table.join(provenance.select("indicator", "value_source", "uploader", "n_evidence", "evidence"),
                       on="indicator", how="left").with_columns(
        pl.when(pl.col("value").is_null()).then(pl.lit("–"))
        .when(pl.col("value_source") == "plan").then(pl.lit(_("(kế hoạch đã ký)")))
        .otherwise(pl.col("uploader").replace_strict(uploaders, default="–", return_dtype=pl.Utf8))
        .alias("uploader_text"),
        pl.when(pl.col("value").is_null()).then(pl.lit("–"))
        .when(pl.col("n_evidence") > 0).then(pl.format(_("📎 {} tệp"), pl.col("n_evidence")))
        .otherwise(pl.lit(_("Không có"))).alias("evidence_text"),
    )
    indicator_columns = ["group", "indicator", "indicator_name", "target_text", "value_text", "evidence_text", "status_text",
                         "points", "lead_unit", "value_period", "value_received", "uploader_text", "source"]
    st.dataframe(
        vi_table(table.select(indicator_columns), decimals={"points": 1}, months=("value_period",),
                 days=("value_received",)),
        hide_index=True,
        column_config={
            "group": st.column_config.TextColumn(_("Trụ cột"), width=110),
            "indicator": st.column_config.TextColumn(_("Mã"), width=55),
            "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=260),
            "target_text": st.column_config.TextColumn(_("Mục tiêu"), width=80),
            "value_text": st.column_config.TextColumn(_("Giá trị mới nhất")),
            "status_text": st.column_config.TextColumn(_("Tình trạng")),
            "points": st.column_config.NumberColumn(_("Điểm"), width=55, help="0–100"),
            "lead_unit": st.column_config.TextColumn(_("Đơn vị chủ trì")),
            "value_period": st.column_config.TextColumn(_("Kỳ số liệu")),
            "value_received": st.column_config.TextColumn(_("Ngày nhận")),
            "uploader_text": st.column_config.TextColumn(_("Người tải lên"), help=_("Người đã tải lên số liệu đang dùng")),
            "evidence_text": st.column_config.TextColumn(_("Minh chứng"), width=90,
                                                         help=_("Tệp minh chứng kèm lần tải lên của số liệu đang dùng")),
            "source": st.column_config.TextColumn(_("Văn bản giao chỉ tiêu"), width="large"),
        },
        key="hs-indicators",
    )
    evidence = (table.filter(pl.col("n_evidence") > 0).select("indicator", "indicator_name", "evidence")
                .explode("evidence").unnest("evidence"))
    if evidence.height:
        with st.expander(_("📎 Tải tệp minh chứng của các số liệu đang dùng ({n_unique} tệp)").format(
            n_unique=evidence['sha256'].n_unique())):
            db = database()
            for i, row in enumerate(evidence.iter_rows(named=True)):
                line = st.container(horizontal=True, vertical_alignment="center")
                line.markdown(f"**{row['indicator']}** {row['indicator_name']}")
                cycle.evidence_button(line, db, row, key=f"hs-evidence-{i}")
    elif has_values:
        st.caption(_("Chưa số liệu nào đang dùng có tệp minh chứng kèm theo."))
    table_downloads(
        table.select("group", "indicator", "indicator_name", "target_text", "target", "value", "numerator",
                     "denominator", "status", "points", "lead_unit", "partner_units", "value_period",
                     "value_received", "uploader_text", "n_evidence", "source_doc", "source_item"),
        _("{name} – các chỉ tiêu").format(name=name), "hs-indicators-dl",
        headings={"group": _("Trụ cột"), "indicator": _("Mã"), "indicator_name": _("Chỉ tiêu"), "target_text": _("Mục tiêu"),
                  "target": _("Mục tiêu (số)"), "value": _("Giá trị mới nhất"), "numerator": _("Tử số"),
                  "denominator": _("Mẫu số"), "status": _("Tình trạng"), "points": _("Điểm"), "lead_unit": _("Đơn vị chủ trì"),
                  "partner_units": _("Đơn vị phối hợp"), "value_period": _("Kỳ số liệu"), "value_received": _("Ngày nhận"),
                  "uploader_text": _("Người tải lên"), "n_evidence": _("Số tệp minh chứng"),
                  "source_doc": _("Văn bản giao chỉ tiêu"), "source_item": _("Mục")},
        number_formats={"points": "0.0"},
        title=_("Các chỉ tiêu – {caption}").format(caption=caption),
    )
    with st.expander(_("Các mức tình trạng nghĩa là gì?")):
        st.markdown(charts.status_legend_markdown())


def trends(profile: Profile) -> None:
    """Each indicator's path through the year."""
    scope, commune, name, caption = profile.scope, profile.commune, profile.name, profile.caption
    page.section(_("Diễn biến từng chỉ tiêu trong năm"),
                 _("Giá trị từng tháng (xanh), mục tiêu năm {year} (chấm đen) và lộ trình cần đạt "
                     "(cam, nét đứt) từ kết quả đầu năm tới mục tiêu tháng 12.").format(
                     year=scope.year))
    pick, _rest = st.columns([1, 2])
    framework = profile.framework
    # One group's panels at first: about 20 for all six were the page's largest drawing in the browser
    pillar = filters.pillar_filter(pick, allow_all=True, default=framework.shown_groups[0][0], groups=framework.shown_groups,
                                   label=_(framework.word).capitalize())
    trend = fw.regroup(query("indicator_trend", period=scope.period, province=scope.province, commune=commune,
                             pillar=None, indicator=None), framework)
    if pillar:
        trend = trend.filter(pl.col("pillar") == pillar)
    if trend.filter(pl.col("value").is_not_null()).is_empty():
        page.empty(_("Chưa có số liệu nào trong năm {year}").format(year=scope.year)
                   + (_(" cho {word} {name}.").format(word=_(framework.word), name=framework.group_name(
                       pillar)) if pillar else "."),
                   title=_("Chưa có số liệu"))
    else:
        panels = trend.with_columns(
            per_row(trend, ["indicator", "indicator_name"],
                    lambda r: wrap(f"{r['indicator']} · {r['indicator_name']}", 38).replace("<br>", "\n"), name="panel_title"),
            per_row(trend, "target_text", lambda text: _("Mục tiêu: {target_text}").format(target_text=text),
                    name="panel_subtitle"),
            pl.col("unit").replace_strict({k: _(v) for k, v in UNIT_SUFFIX.items()}, default="").alias("unit_suffix"),
        ).sort(["pillar_order", "indicator", "period"])
        with page.loading(_("Đang vẽ diễn biến từng chỉ tiêu…")):
            multiples = charts.trend_small_multiples(panels)
        # the grid of panels keeps its width (3 × 240 px): narrower than that (a phone), it scrolls
        # sideways inside its own frame rather than being cut
        st.html('<style>.st-key-hs-trends-frame [data-testid="stVegaLiteChart"] { overflow-x: auto !important; }</style>')
        with st.container(key="hs-trends-frame"):
            charts.show(multiples, key="hs-trends")
        chart_downloads(multiples, _("{name} – diễn biến chỉ tiêu").format(name=name), "hs-trends",
                        title=_("{name}: diễn biến từng chỉ tiêu năm {year}").format(name=name, year=scope.year), caption=caption)


def year_end_outlook(profile: Profile) -> None:
    """Where each indicator is heading by December."""
    scope, commune, name, caption = profile.scope, profile.commune, profile.name, profile.caption
    page.section(_("Dự báo đến cuối năm"),
                 _("Đường thẳng khớp nhất qua các kết quả tháng của năm {year} (đến "
                     "{month_label}), kéo dài tới tháng 12 rồi so với mục tiêu năm; cần ít nhất 3 "
                     "tháng có số liệu. Dự báo chỉ nối dài xu hướng đã qua, không thay cho kết quả "
                     "thực tế.").format(
                     year=scope.year,
                     month_label=in_sentence(scope.month_label)))
    projection = query("projection_by_indicator", period=scope.period, province=None, commune=commune)
    drawn = projection.filter(pl.col("slope").is_not_null())
    if drawn.is_empty():
        page.empty(_("Chưa chỉ tiêu nào của {name} có đủ 3 tháng số liệu trong năm {year} để dự báo.").format(
            name=name,
            year=scope.year),
                   title=NOT_ENOUGH_DATA)
    else:
        status_order = {s: i for i, s in enumerate((PROJECTED_NOT_MET, *[s for s in PROJECTED_STATUSES
                                                                        if s != PROJECTED_NOT_MET]))}
        outlook = projection.with_columns(
            pl.col("projected_status").replace_strict(status_order, default=9).alias("status_order"),
            pl.when(pl.col("pillar_name").is_null()).then(pl.lit(INNOVATION)).otherwise(pl.col("pillar_name")).alias("group"),
            per_row(projection, ["projected_year_end", "unit"], lambda r: format_value(r["projected_year_end"], r["unit"]),
                    name="projected_text"),
            per_row(projection, "projected_status", plan_charts.projection_label, name="status_text"),
        ).sort(["status_order", "pillar_order", "indicator"])
        n_missed = outlook.filter(pl.col("projected_status") == PROJECTED_NOT_MET).height
        st.markdown(_("**{n_missed}/{height} chỉ tiêu** dự kiến không đạt mục tiêu năm {year} nếu giữ xu "
            "hướng hiện nay; {value} chỉ tiêu chưa đủ số liệu để dự báo.").format(
            n_missed=n_missed,
            height=outlook.height,
            year=scope.year,
            value=outlook.height - drawn.height))
        shown = outlook.select("indicator", "indicator_name", "target_text", "projected_text", "status_text",
                               "n_values", "group")
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                "indicator": st.column_config.TextColumn(_("Mã"), width=55),
                "indicator_name": st.column_config.TextColumn(_("Chỉ tiêu"), width=300),
                "target_text": st.column_config.TextColumn(_("Mục tiêu"), width=80),
                "projected_text": st.column_config.TextColumn(_("Dự báo tháng 12"), width=110),
                "status_text": st.column_config.TextColumn(_("Dự báo"), width=170),
                "n_values": st.column_config.NumberColumn(_("Số tháng"), format="%d", width=75,
                                                          help=_("Số tháng có số liệu trong năm (cần ít nhất 3)")),
                "group": st.column_config.TextColumn(_("Trụ cột"), width=150),
            },
            key="hs-projection-table",
        )
        table_downloads(
            outlook.select("group", "indicator", "indicator_name", "comparator", "target", "target_text", "n_values",
                           "slope", "intercept", "projected_year_end", "projected_status"),
            _("{name} – dự báo cuối năm {year}").format(name=name, year=scope.year), "hs-projection-dl",
            headings={"group": _("Trụ cột"), "indicator": _("Mã"), "indicator_name": _("Chỉ tiêu"),
                "comparator": _("Dấu so sánh"),
                      "target": _("Mục tiêu (số)"), "target_text": _("Mục tiêu"), "n_values": _("Số tháng có số liệu"),
                      "slope": _("Độ dốc (mỗi tháng)"), "intercept": _("Hệ số chặn"), "projected_year_end": _("Dự báo tháng 12"),
                      "projected_status": _("Dự báo")},
            number_formats={"slope": "0.000", "intercept": "0.00", "projected_year_end": "0.00"},
            title=_("Dự báo cuối năm {year} – {caption}").format(year=scope.year, caption=caption),
        )
        options = drawn.join(outlook.select("indicator", "status_order"), on="indicator").sort(
            ["status_order", "pillar_order", "indicator"])["indicator"].to_list()
        labels = {r["indicator"]: f"{r['indicator']} · {r['indicator_name']} — {r['status_text']}"
                  for r in outlook.iter_rows(named=True)}
        pick, _rest = st.columns([2, 1])
        chosen = pick.selectbox(_("Xem đường dự báo của chỉ tiêu"), options, format_func=labels.get, key="hs_du_bao")
        row = outlook.filter(pl.col("indicator") == chosen).row(0, named=True)
        projection_chart = plan_charts.projection_chart(
            query("projection_points", period=scope.period, commune=commune).filter(pl.col("indicator") == chosen),
            row, _(UNIT_SUFFIX.get(row["unit"], "")))
        charts.show(projection_chart, key="hs-projection")
        chart_downloads(projection_chart, _("{name} – dự báo {chosen}").format(name=name, chosen=chosen), "hs-projection",
                        title=_("{name}: {chosen} · {indicator_name} – dự báo đến tháng 12/{year}").format(
                            name=name,
                            chosen=chosen,
                            indicator_name=row['indicator_name'],
                            year=scope.year),
                        caption=caption)
        cycle.page_link(st, "app_pages/phuong_phap.py", label=_("Cách dự báo, có ví dụ tính tay (Phương pháp)"), icon="📐")


PART_PARAM = "muc"  # ?muc=chi_tieu: the part of the profile open (page.tabs)


def parts() -> list[tuple[str, str]]:
    return [("diem", _("Điểm theo trụ cột")), ("vi_sao", _("Vì sao điểm này?")), ("chi_tieu", _("Các chỉ tiêu")),
            ("dien_bien", _("Diễn biến trong năm")), ("du_bao", _("Dự báo đến cuối năm")),
            ("ke_hoach", _("Nhiệm vụ và kinh phí"))]


def main() -> None:
    profile = choose_commune()
    month_report(profile)
    scope, commune = profile.scope, profile.commune
    indicators = fw.regroup(query("commune_indicators", period=scope.period, commune=commune), profile.framework)
    if indicators.is_empty():
        page.empty(_("{name} chưa có chỉ tiêu nào cho năm {year}, nên chưa có điểm. Hãy chọn một tháng của "
            "năm có kế hoạch, hoặc tải chỉ tiêu năm này lên.").format(
            name=profile.name,
            year=scope.year), title=_("Chưa có chỉ tiêu"))
        plan_sections(profile)
        st.stop()
    ranking = fw.with_group_columns(query("ranking_by_month", period=scope.period, province=scope.province),
                                    profile.framework, scope.period, scope.province)
    mine = ranking.filter(pl.col("commune_id") == commune)
    me = mine.row(0, named=True) if mine.height else {}
    has_values = headline(profile, indicators, ranking, me)
    part, container = page.tabs(PART_PARAM, parts())
    with container:
        if part == "diem":
            if has_values:
                history = query("scores_by_month", period_from=scope.period.replace(year=scope.period.year - 1),
                                period_to=scope.period, province=scope.province, commune=None)
                pillars_and_months(profile, ranking, history, me)
            else:  # with nothing reported every score is 0: no charts of zeros
                st.caption(_("Chưa có số liệu nào, nên chưa có biểu đồ điểm: xem các chỉ tiêu được giao ở phần "
                             "**Các chỉ tiêu**."))
        elif part == "vi_sao":
            weights = query("framework_groups", framework=profile.framework.key, period=None)
            members = query("framework_members", framework=profile.framework.key, period=None)
            why_this_score(profile, indicators, weights, has_values, members)
        elif part == "chi_tieu":
            indicator_table(profile, indicators, has_values)
        elif part == "dien_bien":
            trends(profile)
        elif part == "du_bao":
            year_end_outlook(profile)
        else:
            plan_sections(profile)


main()
