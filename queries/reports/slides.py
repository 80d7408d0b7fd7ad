"""The meeting's slide sequence as data, shared by the presentation page and the meeting pack.

`build_deck(run, province, period)` asks `run(name, **params)` (the page's cached query or
`Database.run_query`) for the month's ranking, the month before, every indicator's status and
who sent the month's report on time (queries/cycle/calendar.py), and returns a Deck: title,
overview, ranking, one slide per pillar, the communes most behind, what improved and the
method note. Each slide holds its heading, a few big facts,
the frame behind its chart (drawn by `slide_figure`) or its table, and short bullets. No
slide carries personal data: no uploader, no note, nothing but commune-level aggregates.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import plotly.graph_objects as go
import polars as pl

from queries import clock, i18n
from queries.cycle import calendar
from queries.db import previous_month
from queries.i18n import N_, _
from queries.reports import figures
from queries.reports import groups as frameworks
from queries.reports.names import with_indicator_names
from queries.settings import PILLAR_NAMES, PILLARS, load_settings
from queries.text import format_month, format_number, format_percent

PILLAR_CODES = [code for code, _ in PILLARS]
BEHIND_STATUSES = ("Chậm", "Đi lùi")
TOP = 10
MAX_INDICATORS = 5  # bars on one pillar slide: more would not be readable from the back of the room

Runner = Callable[..., pl.DataFrame]
NOT_SCORED = N_("Chưa có xã nào được chấm điểm trong tháng này: các xã chưa được giao chỉ tiêu "
                "cho năm của tháng đang xem.")


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    note: str = ""


@dataclass
class Slide:
    key: str  # stable id, used in file names and tests: tieu-de, tong-quan, xep-hang, tru-cot-HT, …
    kind: str  # title | overview | ranking | pillar | behind | improved | method
    title: str
    facts: list[Fact] = field(default_factory=list)
    chart: str | None = None  # a factory of queries.reports.figures
    chart_title: str = ""
    chart_args: dict = field(default_factory=dict)
    frame: pl.DataFrame | None = None  # the data behind the chart
    table: pl.DataFrame | None = None  # rows to show as a table (display text, Vietnamese headings)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Deck:
    province: str
    period: date
    is_demo: bool
    slides: list[Slide]
    ranking: pl.DataFrame  # the full ranking of the month, for the pack's appendix and downloads
    indicators: pl.DataFrame  # every indicator's status, for downloads (no notes, no uploaders)
    groups: tuple[tuple[str, str], ...] = tuple(PILLARS)  # the framework's groups the scores use
    framework: str = ""  # which framework and version: 'Sáu trụ cột DTI (six-pillars, phiên bản 1; chính thức)'

    @property
    def caption(self) -> str:
        text = f"{self.province} · {format_month(self.period)}"
        return text + " · " + _("Dữ liệu minh họa") if self.is_demo else text

    def slide(self, key: str) -> Slide:
        return next(s for s in self.slides if s.key == key)


def slide_figure(slide: Slide, deck: Deck, presentation: bool = True) -> go.Figure | None:
    """The slide's chart, with title and the deck's caption as subtitle."""
    if not slide.chart or slide.frame is None:
        return None
    factory = figures.FACTORIES[slide.chart]
    return factory(slide.frame, title=slide.chart_title, subtitle=deck.caption,
                   presentation=presentation, **slide.chart_args)


# ---- the method note ---------------------------------------------------------------------------
def method_note(settings: dict | None = None, framework: frameworks.MonthFramework | None = None,
                period: date | None = None) -> list[str]:
    """A short summary of the scoring method (in the interface's language), with the framework and weights in force."""
    settings = settings or load_settings()
    if framework is None:
        weights = ", ".join(f"{code} {format_number(float(settings[f'weight_{code}']), 0)}" for code in PILLAR_CODES)
    else:
        weights = ", ".join(f"{code} {format_number(w, 0)}" for code, w in framework.points.items())
    word = framework.word if framework else _("trụ cột")
    which = ([_("Điểm {month} tính theo bộ khung {framework}; điểm các năm trước giữ bộ khung đã dùng để tính năm "
                "đó.").format(month=month_in_sentence(period), framework=framework.label)] if framework and period else [])
    on_track = format_number(float(settings["on_track_ratio"]), 2)
    speed_up = format_number(float(settings["speed_up_ratio"]), 2)
    unreported = (_("0 điểm khi chưa có số liệu (không có minh chứng, không có điểm)")
                  if settings["unreported_rule"] != "exclude" else
                  _("chỉ tiêu chưa có số liệu không tính vào trung bình"))
    return [
        *which,
        _("Giá trị hiện tại của một chỉ tiêu = số liệu báo cáo gần nhất có kỳ báo cáo không muộn hơn "
          "tháng đang xem."),
        _("Điểm chỉ tiêu = 100 × min(giá trị ÷ mục tiêu; 1), vượt mục tiêu không cộng thêm; {unreported}.").format(
            unreported=unreported),
        _("Điểm {word} = trung bình điểm các chỉ tiêu có mục tiêu của xã trong {word}.").format(word=word),
        _("Điểm tổng = trung bình có trọng số của điểm các {word}; trọng số: {weights}.").format(word=word, weights=weights),
        _("Xếp hạng theo điểm tổng làm tròn 2 chữ số thập phân; các xã bằng điểm cùng hạng."),
        _("Tình trạng chỉ tiêu: so tỷ lệ tiến độ với đường thẳng từ mốc xuất phát đến mục tiêu cuối năm — "
          "từ {on_track} trở lên: Đúng tiến độ; {speed_up}–{on_track}: Cần đẩy nhanh; 0–{speed_up}: Chậm; "
          "dưới 0: Đi lùi; đạt mục tiêu: Đạt.").format(on_track=on_track, speed_up=speed_up),
        _("Chỉ tiêu đổi mới sáng tạo (nhóm DM) được theo dõi riêng, không tính vào trụ cột nào."),
    ]


def month_in_sentence(period: date) -> str:
    """'tháng 11/2026' inside a Vietnamese sentence; 'November 2026' in English."""
    return format_month(period).lower() if i18n.current() == "vi" else format_month(period)


# ---- building the deck -------------------------------------------------------------------------
def _mean(series: pl.Series) -> float | None:
    series = series.drop_nulls()
    return float(series.mean()) if len(series) else None


def _change_note(now: float | None, before: float | None, unit: str | None = None, what: str = "") -> str:
    if now is None or before is None:
        return _("chưa có tháng trước để so sánh")
    delta = now - before
    if abs(delta) < 0.05:
        return _("= không đổi so với {what}").format(what=what).strip()
    arrow = "▲" if delta > 0 else "▼"
    return _("{arrow} {change} {unit} so với {what}").format(
        arrow=arrow, change=figures.signed(delta), unit=unit or _("điểm"), what=what).strip()


def _rank_label(rank: int | None, name: str) -> str:
    return f"{rank}. {name}" if rank is not None else name


def report_fact(run: Runner, province: str, period: date, settings: dict, now: datetime) -> Fact:
    """The month's report: how many communes sent it on time, late, not at all; before its
    deadline, how many have sent it so far (the rest are not late yet)."""
    rows = run("compliance_by_month", province=province, commune=None, period_from=period, period_to=period,
               now=now)
    counts = {status: rows.filter(pl.col("status") == status).height
              for status in ("dung_han", "tre_han", "chua_nop", "chua_den_han")}
    # short: one line on a slide; the rule is on the method slide
    label = _("Báo cáo {month}").format(month=month_in_sentence(period))
    count = {status: format_number(n, 0) for status, n in counts.items()}
    if calendar.deadline_moment(period, settings) > now:
        return Fact(label, _("{count} xã đã nộp").format(count=count["dung_han"]),
                    _("chưa đến hạn · {count} xã chưa gửi").format(count=count["chua_den_han"]))
    return Fact(label, _("{count} đúng hạn").format(count=count["dung_han"]),
                _("{late} trễ hạn · {missing} chưa nộp").format(late=count["tre_han"], missing=count["chua_nop"]))


def build_deck(run: Runner, province: str, period: date, settings: dict | None = None,
               top: int = TOP, now: datetime | None = None) -> Deck:
    settings = settings or load_settings()
    now = now or clock.now()
    before = previous_month(period)
    month, month_before = format_month(period), format_month(before)
    before_in_text = month_in_sentence(before)  # inside a sentence
    framework = frameworks.for_month(run, period)
    groups = framework.shown_groups
    ranking = frameworks.with_group_columns(run, run("ranking_by_month", period=period, province=province),
                                            framework, period, province)
    ranking_before = run("ranking_by_month", period=before, province=province)
    if frameworks.for_month(run, before).key == framework.key:  # groups compare only within one framework
        ranking_before = frameworks.with_group_columns(run, ranking_before, framework, before, province)
    else:
        ranking_before = ranking_before.drop([c for c in framework.codes if c in ranking_before.columns])
    status = run("indicator_status", period=period, province=province, commune=None)
    # each indicator under its group in this framework (the column keeps its name, pillar)
    status = framework.group_of(status).with_columns(pl.col("group_code").alias("pillar")).drop("group_code")
    status = with_indicator_names(status, run)  # English names on an English deck; communes and units as written
    is_demo = bool(ranking["is_demo"].any()) if ranking.height else False
    scored = ranking.filter(pl.col("score").is_not_null())
    has_before = ranking_before.filter(pl.col("n_reported") > 0).height > 0

    slides = [
        _title_slide(province, period, ranking, status, is_demo),
        _overview_slide(scored, ranking_before if has_before else None, status, month, month_before,
                        before_in_text, report_fact(run, province, period, settings, now), groups),
        _ranking_slide(scored, top),
    ]
    for code, name in groups:
        slides.append(_pillar_slide(code, scored, ranking_before if has_before else None, status, before_in_text,
                                    name))
    slides.append(_behind_slide(scored, status, top, groups))
    slides.append(_improved_slide(scored, ranking_before if has_before else None, before_in_text, top, groups))
    slides.append(Slide(key="phuong-phap", kind="method", title=_("Cách tính điểm"),
                        bullets=method_note(settings, framework, period)))
    indicators = status.select(
        "commune_name", "pillar", "indicator", "indicator_name", "unit", "target_text", "target",
        "value", "value_period", "points", "status", "lead_unit",
    )
    return Deck(province=province, period=period, is_demo=is_demo, slides=slides,
                ranking=ranking, indicators=indicators, groups=tuple(groups), framework=framework.label)


def _title_slide(province: str, period: date, ranking: pl.DataFrame, status: pl.DataFrame,
                 is_demo: bool) -> Slide:
    reporting = status.filter(pl.col("value_period") == period)["commune_id"].n_unique()
    facts = [
        Fact(_("Tỉnh"), province),
        Fact(_("Kỳ báo cáo"), format_month(period)),
        Fact(_("Số xã"), format_number(ranking.height, 0)),
        Fact(_("Xã có báo cáo trong tháng"), f"{format_number(reporting, 0)}/{format_number(ranking.height, 0)}"),
    ]
    bullets = [_("Dữ liệu minh họa — số liệu do máy sinh ra để trình diễn, không phải số liệu thật.")] if is_demo else []
    return Slide(key="tieu-de", kind="title", title=_("Tiến độ chuyển đổi số cấp xã"), facts=facts, bullets=bullets)


def _overview_slide(scored: pl.DataFrame, before: pl.DataFrame | None, status: pl.DataFrame,
                    month: str, month_before: str, before_in_text: str, report: Fact,
                    groups: list[tuple[str, str]] = PILLARS) -> Slide:
    average = _mean(scored["score"])
    average_before = _mean(before["score"]) if before is not None else None
    rows = []
    for code, name in groups:
        rows.append({
            "code": code, "label": name, "score": _mean(scored[code]),
            "previous": _mean(before[code]) if before is not None and code in before.columns else None,
        })
    frame = pl.DataFrame(rows, schema={"code": pl.Utf8, "label": pl.Utf8, "score": pl.Float64,
                                       "previous": pl.Float64})
    n_targets = status.height
    n_achieved = status.filter(pl.col("status") == "Đạt").height
    facts = [
        Fact(_("Điểm trung bình toàn tỉnh"), format_number(average, 1) if average is not None else "–",
             _change_note(average, average_before, what=before_in_text)),
        Fact(_("Chỉ tiêu đã đạt"), format_percent(100 * n_achieved / n_targets) if n_targets else "–",
             _("{achieved}/{targets} chỉ tiêu của các xã").format(achieved=format_number(n_achieved, 0),
                                                                  targets=format_number(n_targets, 0))),
        report,
    ]
    with_scores = frame.filter(pl.col("score").is_not_null())
    if with_scores.height:
        weakest = with_scores.sort("score").row(0, named=True)
        strongest = with_scores.sort("score", descending=True).row(0, named=True)
        facts.append(Fact(_("Trụ cột thấp nhất"), weakest["label"], _points(weakest["score"], 1)))
        if strongest["score"] > weakest["score"]:
            facts.append(Fact(_("Trụ cột cao nhất"), strongest["label"], _points(strongest["score"], 1)))
    return Slide(
        key="tong-quan", kind="overview", title=_("Tổng quan toàn tỉnh"), facts=facts,
        chart="pillar_averages", chart_title=_("Điểm trung bình các xã theo trụ cột"),
        chart_args={"current_label": month, "previous_label": month_before if before is not None else None},
        frame=frame,
    )


def _ranking_slide(scored: pl.DataFrame, top: int) -> Slide:
    leaders = scored.sort("rank", "commune_name").head(top)
    # the labels made here, not in a Polars map_elements (its worker threads need the GIL: ui/format.py per_row)
    labels = [_rank_label(rank, name) for rank, name in leaders.select("rank", "commune_name").iter_rows()]
    frame = leaders.select(pl.Series("label", labels, dtype=pl.Utf8), "rank", "commune_name", "score", "rank_change")
    facts = []
    if leaders.height:
        first = leaders.row(0, named=True)
        facts.append(Fact(_("Dẫn đầu"), first["commune_name"], _points(first["score"], 2)))
        climbers = scored.filter(pl.col("rank_change") > 0).sort("rank_change", "score", descending=True)
        if climbers.height:
            c = climbers.row(0, named=True)
            facts.append(Fact(_("Lên hạng nhiều nhất"), c["commune_name"],
                              _("▲ {steps} bậc, nay hạng {rank}").format(steps=c["rank_change"], rank=c["rank"])))
        facts.append(Fact(_("Số xã được xếp hạng"), format_number(scored.height, 0)))
    if scored.height > top:
        title = _("Xếp hạng: {top} xã dẫn đầu").format(top=top)
        chart_title = _("{top} xã có điểm tổng cao nhất").format(top=top)
    else:
        title, chart_title = _("Xếp hạng các xã"), _("Điểm tổng của các xã")
    bullets = [] if scored.height else [_(NOT_SCORED)]
    return Slide(key="xep-hang", kind="ranking", title=title, facts=facts, chart="score_bars",
                 chart_title=chart_title, frame=frame, bullets=bullets)


def _pillar_slide(code: str, scored: pl.DataFrame, before: pl.DataFrame | None, status: pl.DataFrame,
                  month_before: str, name: str | None = None) -> Slide:
    """Where the pillar (the group) stands, which communes are lowest, and the indicators with the
    most communes behind (at most MAX_INDICATORS, most behind first), with who leads the worst."""
    name = name or _(PILLAR_NAMES[code])
    if before is not None and code not in before.columns:
        before = None
    rows = status.filter(pl.col("pillar") == code)
    per_indicator = (
        rows.group_by("indicator")
        .agg(pl.col("indicator_name").first(), pl.col("points").mean().alias("mean"),
             pl.col("status").is_in(BEHIND_STATUSES).sum().alias("n_behind"),
             pl.col("status").is_in(("Đạt", "Đúng tiến độ")).sum().alias("n_good"))
        .sort(["n_behind", "mean", "indicator"], descending=[True, False, False], nulls_last=True)
    )
    shown = per_indicator.head(MAX_INDICATORS)
    order = {code_: i for i, code_ in enumerate(shown["indicator"].to_list())}
    frame = (
        rows.filter(pl.col("indicator").is_in(list(order)))
        .group_by("indicator", "status").agg(pl.len().cast(pl.Int64).alias("n"))
        .join(shown.select("indicator", pl.col("indicator_name").alias("label")), on="indicator")
        .with_columns(pl.col("indicator").replace_strict(order, return_dtype=pl.Int64).alias("order"))
        .sort("order", "status")
        .select("indicator", "label", "status", "n")
    )
    average = _mean(scored[code]) if scored.height else None
    average_before = _mean(before[code]) if before is not None else None
    facts = [Fact(_("Điểm trung bình trụ cột"), format_number(average, 1) if average is not None else "–",
                  _change_note(average, average_before, what=month_before))]
    n_communes = rows["commune_id"].n_unique()
    if n_communes:
        behind = rows.filter(pl.col("status").is_in(BEHIND_STATUSES))["commune_id"].n_unique()
        facts.append(Fact(_("Xã có chỉ tiêu Chậm hoặc Đi lùi"),
                          f"{format_number(behind, 0)}/{format_number(n_communes, 0)}", _("trong trụ cột này")))
    lowest = scored.filter(pl.col(code).is_not_null()).sort(code, "commune_name").head(3)
    if lowest.height:
        first = lowest.row(0, named=True)
        others = ", ".join(f"{r['commune_name']} ({format_number(r[code], 1)})"
                           for r in lowest.slice(1).iter_rows(named=True))
        facts.append(Fact(_("Điểm trụ cột thấp nhất"), first["commune_name"],
                          _points(first[code], 1) + (_("; tiếp theo: {others}").format(others=others) if others else "")))
    bullets = []
    if rows.height and rows["value"].is_null().all():
        bullets.append(_("Chưa xã nào báo cáo số liệu cho các chỉ tiêu của trụ cột này (tính 0 điểm)."))
    elif per_indicator.height and per_indicator.row(0, named=True)["n_behind"] == 0:
        bullets.append(_("Không có chỉ tiêu nào Chậm hoặc Đi lùi trong trụ cột này."))
    elif per_indicator.height:
        worst = per_indicator.row(0, named=True)
        leads = (rows.filter((pl.col("indicator") == worst["indicator"]) & pl.col("lead_unit").is_not_null())
                 ["lead_unit"].value_counts(sort=True))
        lead = _(" do {unit} chủ trì").format(unit=leads.row(0)[0]) if leads.height else ""
        bullets.append(_("Chỉ tiêu nhiều xã chậm nhất (đầu biểu đồ){lead}: {count} xã Chậm hoặc Đi lùi.").format(
            lead=lead, count=format_number(worst["n_behind"], 0)))
    chart_title = _("Số xã theo tình trạng của từng chỉ tiêu")
    if per_indicator.height > MAX_INDICATORS:
        chart_title += _(" ({shown}/{count} chỉ tiêu có nhiều xã chậm nhất)").format(shown=MAX_INDICATORS,
                                                                                      count=per_indicator.height)
    return Slide(key=f"tru-cot-{code}", kind="pillar", title=f"{name} ({code})", facts=facts,
                 chart="status_stack", chart_title=chart_title, frame=frame, bullets=bullets)


def _behind_slide(scored: pl.DataFrame, status: pl.DataFrame, top: int,
                  groups: list[tuple[str, str]] = PILLARS) -> Slide:
    names = dict(groups)
    behind_counts = (status.filter(pl.col("status").is_in(BEHIND_STATUSES))
                     .group_by("commune_id").agg(pl.len().alias("n_behind")))
    tail = scored.sort(["rank", "commune_name"], descending=[True, False]).head(top)
    tail = tail.join(behind_counts, on="commune_id", how="left").with_columns(pl.col("n_behind").fill_null(0))
    weakest = []
    for row in tail.iter_rows(named=True):
        pillars = [(row[c], c) for c in names if row[c] is not None]
        weakest.append(min(pillars) if pillars else (None, None))
    frame = tail.select("rank", "commune_name", "score", "coverage", "n_behind", "n_targets").with_columns(
        pl.Series("weakest_pillar", [names.get(c) if c else None for _, c in weakest], dtype=pl.Utf8),
        pl.Series("weakest_score", [s for s, _ in weakest], dtype=pl.Float64),
    )
    headings = [_("Hạng"), _("Xã"), _("Điểm tổng"), _("Trụ cột thấp nhất"), _("Chỉ tiêu chậm, đi lùi"), _("Có số liệu")]
    table = pl.DataFrame(dict(zip(headings, [
        [str(r) for r in frame["rank"].to_list()],
        frame["commune_name"].to_list(),
        [format_number(v, 1) for v in frame["score"].to_list()],
        [f"{p} ({format_number(s, 1)})" if p else "–"
         for p, s in zip(frame["weakest_pillar"].to_list(), frame["weakest_score"].to_list())],
        [f"{n}/{t}" for n, t in zip(frame["n_behind"].to_list(), frame["n_targets"].to_list())],
        [format_percent(100 * v, 0) if v is not None else "–" for v in frame["coverage"].to_list()],
    ])), schema={k: pl.Utf8 for k in headings})
    bullets = [] if scored.height else [_(NOT_SCORED)]
    low_coverage = scored.filter(pl.col("coverage") < 0.5).height
    if low_coverage:
        bullets.append(_("{count} xã mới có số liệu cho dưới một nửa số chỉ tiêu: điểm thấp một phần vì thiếu báo "
                         "cáo.").format(count=format_number(low_coverage, 0)))
    title = _("{top} xã cần hỗ trợ nhất").format(top=top) if scored.height > top else _("Các xã, điểm thấp nhất trước")
    return Slide(key="xa-cham", kind="behind", title=title,
                 facts=[], frame=frame, table=table, bullets=bullets)


def _improved_slide(scored: pl.DataFrame, before: pl.DataFrame | None, month_before: str, top: int,
                    groups: list[tuple[str, str]] = PILLARS) -> Slide:
    title = _("Tiến bộ so với {month}").format(month=month_before)  # month_before is written "tháng 10/2026"
    if before is None:
        return Slide(key="tien-bo", kind="improved", title=title, chart="change_bars",
                     chart_title=_("Xã tăng điểm nhiều nhất"),
                     frame=pl.DataFrame(schema={"label": pl.Utf8, "change": pl.Float64}),
                     bullets=[_("Chưa có số liệu {month} để so sánh.").format(month=month_before)])
    gains = scored.filter(pl.col("score_change") > 0).sort(["score_change", "commune_name"], descending=[True, False])
    frame = gains.head(top).select(
        pl.col("commune_name").alias("label"), pl.col("score_change").alias("change"), "rank", "rank_change")
    changes = []
    for code, name in groups:
        if code not in before.columns:
            continue
        now, then = _mean(scored[code]), _mean(before[code])
        if now is not None and then is not None:
            changes.append((now - then, name))
    facts = [Fact(_("Xã tăng điểm"), f"{format_number(gains.height, 0)}/{format_number(scored.height, 0)}",
                  _("so với tháng trước"))]
    if changes:
        best = max(changes)
        facts.append(Fact(_("Trụ cột tiến bộ nhất"), best[1],
                          _("{change} điểm trung bình").format(change=figures.signed(best[0]))))
    achieved_now = int(scored["n_achieved"].sum())
    achieved_then = int(before.filter(pl.col("commune_id").is_in(scored["commune_id"].implode()))["n_achieved"].sum())
    facts.append(Fact(_("Chỉ tiêu đã đạt (mọi xã cộng lại)"), format_number(achieved_now, 0),
                      _("{change} so với tháng trước").format(change=figures.signed(achieved_now - achieved_then, 0))))
    bullets = [] if gains.height else [_("Chưa xã nào tăng điểm so với tháng trước.")]
    return Slide(key="tien-bo", kind="improved", title=title, facts=facts, chart="change_bars",
                 chart_title=_("{count} xã tăng điểm nhiều nhất").format(count=min(top, gains.height)), frame=frame,
                 bullets=bullets)


def _points(value: float, decimals: int) -> str:
    """'72,5 điểm' ('72.5 points')."""
    return _("{value} điểm").format(value=format_number(value, decimals))
