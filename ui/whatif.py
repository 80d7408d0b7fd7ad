"""What-if weights on the ranking page: one slider per group, the others moving so the sum stays
100 %, kept in the address (?trong_so=HT:20,NL:10,…&bo_khung=…) so a presenter can share the
view. Nothing stored changes: the ranking weighs the group scores already kept
(queries/sql/whatif_base.sql, cached per month like every query; rank_under weighs them)."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries.errors import UserFacingError
from queries.frameworks import registry
from queries.frameworks.whatif import STEP, parse_weights, rank_under, rebalance, snap, weights_label, weights_text
from queries.i18n import _
from queries.reports import groups as frameworks
from queries.reports.whatif import WHATIF, whatif_headings
from queries.settings import DATA_DIR, store_dir
from queries.text import format_number
from ui import filters
from ui.downloads import table_downloads
from ui.format import change_style, format_rank_change, per_row, vi_table
from ui.frameworks import MonthFramework
from ui.markdown import literal
from ui.state import query

URL_WEIGHTS, URL_FRAMEWORK = "trong_so", "bo_khung"
_STATE = "_dti_whatif"


STEPS = [i * STEP for i in range(round(100 / STEP) + 1)]


def _percent_label(value: float) -> str:
    """12.5 -> '12,5 %', 100 -> '100 %' (in the interface's language)."""
    text = format_number(value, 2)
    return f"{text.rstrip('0').rstrip(',.') if text[-3] in ',.' else text} %"


def _slider_key(code: str) -> str:
    return f"xh_w_{code}"


def _framework_object(key: str):
    return next(f for f in registry.every_framework(DATA_DIR, store_dir()) if f.key == key)


def _store(framework_key: str, weights: dict[str, float], official: dict[str, float]) -> None:
    st.session_state[_STATE] = {"framework": framework_key, "weights": dict(weights)}
    if any(abs(weights[c] - official[c]) > 1e-9 for c in weights):
        st.query_params[URL_WEIGHTS] = weights_text(weights, ":")
    elif URL_WEIGHTS in st.query_params:
        del st.query_params[URL_WEIGHTS]


def _moved(code: str, framework_key: str, official: dict[str, float]) -> None:
    current = dict(st.session_state[_STATE]["weights"])
    weights = rebalance(current, code, float(st.session_state[_slider_key(code)]))
    for other, value in weights.items():
        st.session_state[_slider_key(other)] = value
    _store(framework_key, weights, official)


def _reset(framework_key: str, official: dict[str, float]) -> None:
    for code, value in official.items():
        st.session_state[_slider_key(code)] = value
    _store(framework_key, official, official)


def active() -> bool:
    return URL_WEIGHTS in st.query_params or URL_FRAMEWORK in st.query_params


def choose_framework(container, month: MonthFramework, frameworks) -> str:
    """The framework to rank under: the month's by default; another one from the address or the box."""
    keys = frameworks["framework_key"].to_list()
    labels = dict(zip(keys, [_("{n} ({split}, phiên bản {split2})").format(n=n, split=k.split('@')[0], split2=k.split('@')[1])
                             for k, n in zip(keys, frameworks["name_vi"].to_list())]))
    wanted = st.query_params.get(URL_FRAMEWORK)
    by_id = {k.split("@")[0]: k for k in keys}
    default = wanted if wanted in keys else by_id.get(wanted or "", month.key)
    chosen = container.selectbox(_("Bộ khung"), keys, index=keys.index(default), format_func=labels.get, key="xh_bo_khung",
                                 help=_("Bộ khung đang dùng để tính điểm tháng này, hoặc bộ khung khác để xem thử."))
    if chosen != month.key:
        st.query_params[URL_FRAMEWORK] = chosen.split("@")[0] if by_id.get(chosen.split("@")[0]) == chosen else chosen
    elif URL_FRAMEWORK in st.query_params:
        del st.query_params[URL_FRAMEWORK]
    return chosen


def sliders(container, framework_key: str, groups: list[tuple[str, str]], official: dict[str, float]) -> dict[str, float]:
    """The sliders, their values from (in order) this session, the address, the official weights."""
    remembered = st.session_state.get(_STATE)
    weights = dict(official)
    problem = None
    if remembered and remembered["framework"] == framework_key:
        weights = dict(remembered["weights"])
    elif remembered:  # another framework was chosen here: its own weights to start from
        st.query_params.pop(URL_WEIGHTS, None)
    elif st.query_params.get(URL_WEIGHTS):
        try:
            weights = snap(parse_weights(st.query_params[URL_WEIGHTS], _framework_object(framework_key)))
        except UserFacingError as error:
            problem = error.message
    if problem:
        container.warning(_("Trọng số trong địa chỉ không dùng được ({problem}); đang dùng trọng số chính thức.").format(
            problem=problem),
                          icon="⚠️")
    for code, value in weights.items():
        st.session_state[_slider_key(code)] = value
    _store(framework_key, weights, official)
    columns = container.columns(min(4, len(groups)))
    # a framework's own shares (a third, say) are stops too, so its official view is exact
    options = sorted(set(STEPS) | set(official.values()))
    for i, (code, name) in enumerate(groups):
        # a select slider, not st.slider: its labels are Python's (12,5 %), st.slider's are
        # sprintf's, with a decimal point
        columns[i % len(columns)].select_slider(
            f"{name} ({code})", options=options, format_func=_percent_label,
            key=_slider_key(code), on_change=_moved, args=(code, framework_key, official),
            help=_("Trọng số chính thức: {official}. Kéo một thanh, các nhóm khác tự điều chỉnh "
                   "theo tỷ lệ để tổng luôn là 100 %.").format(official=_percent_label(official[code])))
    container.button(_("Về trọng số chính thức"), icon=":material/restart_alt:", key="xh_w_reset", on_click=_reset,
                     args=(framework_key, official))
    return dict(st.session_state[_STATE]["weights"])


def ranking(scope, chosen: MonthFramework, weights: dict[str, float]) -> pl.DataFrame:
    """The what-if ranking: the rows the weights do not change come from the page's cache (one
    query per month and framework), so a slider's move only weighs and ranks them."""
    base = query("whatif_base", period=scope.period, province=scope.province, framework=chosen.key)
    return rank_under(base, [weights[code] for code in chosen.codes])


def comparison(frame: pl.DataFrame, chosen: MonthFramework, weights: dict[str, float], scope,
               month: MonthFramework) -> None:
    """The official ranking and the what-if one side by side, the change of each commune's rank
    between them, and the download (which says "trọng số giả định")."""
    ranked = frame.filter(pl.col("rank").is_not_null())
    moved = ranked.filter(pl.col("rank_change_official").fill_null(0) != 0)
    label = weights_label(weights)
    under = "" if chosen.key == month.key else _(" theo bộ khung {label}").format(label=literal(chosen.label))
    st.info(_("**Trọng số giả định**{under}: {label}. Đây là xếp hạng thử, không thay đổi số liệu hay xếp "
        "hạng chính thức nào. {height} trên {height2} xã đổi hạng so với xếp hạng chính thức.").format(
        under=under,
        label=label,
        height=moved.height,
        height2=ranked.height), icon="🧮")
    if moved.height:
        up = moved.sort("rank_change_official", descending=True).row(0, named=True)
        down = moved.sort("rank_change_official").row(0, named=True)
        st.markdown(_("Lên nhiều nhất: **{commune_name}** ({rank_change_official}, hạng {official_rank} → "
            "{rank}) · Xuống nhiều nhất: **{commune_name2}** ({rank_change_official2}, hạng "
            "{official_rank2} → {rank2})").format(
            commune_name=literal(up['commune_name']),
            rank_change_official=format_rank_change(up['rank_change_official']),
            official_rank=up['official_rank'],
            rank=up['rank'],
            commune_name2=literal(down['commune_name']),
            rank_change_official2=format_rank_change(down['rank_change_official']),
            official_rank2=down['official_rank'],
            rank2=down['rank']))
    table = frameworks.with_group_columns(query, frame, chosen, scope.period, scope.province,
                                          in_force=chosen.key == month.key)
    table = table.with_columns(
        per_row(table, ["rank_change_official", "official_rank"],
                lambda r: format_rank_change(r["rank_change_official"], r["official_rank"]), name="change"),
        per_row(table, ["province", "commune_id", "commune_name"],
                lambda r: filters.profile_link(r["province"], scope.period, r["commune_id"]) + "#" + r["commune_name"],
                name="link"),
    )
    height = min(36 + 35 * table.height, 740)
    official, assumed = st.columns([2, 3], gap="medium")
    with official:
        st.markdown(_("**Xếp hạng chính thức**"))
        shown = table.sort("official_rank", nulls_last=True).select("official_rank", "commune_name", "official_score")
        st.dataframe(vi_table(shown, decimals={"official_score": 2}), hide_index=True, height=height, key="xh-chinh-thuc",
                     column_config={
                         "official_rank": st.column_config.NumberColumn(_("Hạng"), format="%d", width=48),
                         "commune_name": st.column_config.TextColumn(_("Xã"), width=130),
                         "official_score": st.column_config.NumberColumn(_("Điểm"), width=60)})
    with assumed:
        st.markdown(_("**Theo trọng số giả định**"))
        shown = table.select("rank", "change", "link", "score", *chosen.codes)
        st.dataframe(
            vi_table(shown, decimals={"score": 2, **dict.fromkeys(chosen.codes, 1)}, styles={"change": change_style}),
            hide_index=True, height=height, key="xh-gia-dinh-bang",
            column_config={
                "rank": st.column_config.NumberColumn(_("Hạng"), format="%d", width=48),
                "change": st.column_config.TextColumn(_("Đổi hạng"), width=70,
                                                      help=_("So với hạng chính thức cùng tháng: ▲ lên, ▼ xuống, = giữ")),
                "link": st.column_config.LinkColumn(_("Xã"), display_text=r"#(.+)$", width=130,
                                                    help=_("Bấm tên xã để mở hồ sơ xã")),
                "score": st.column_config.NumberColumn(_("Điểm"), width=60, help=_("Điểm tổng theo trọng số giả định")),
                **{code: st.column_config.NumberColumn(code, help=_("Điểm nhóm {name}").format(name=name), width=52)
                   for code, name in chosen.shown_groups},
            })
    export = table.select("rank", "commune_name", "province", "score", *chosen.codes, "official_rank", "official_score",
                          "rank_change_official", "coverage")
    headings = whatif_headings(_framework_object(chosen.key))
    table_downloads(export, _("Xếp hạng trọng số giả định {province_label} {month_label}").format(
        province_label=scope.province_label,
        month_label=scope.month_label), "xh-gia-dinh-dl",
                    headings=headings,
                    number_formats={"score": "0.00", "official_score": "0.00", "coverage": "0.0%",
                                    **dict.fromkeys(chosen.codes, "0.00")},
                    title=_("Xếp hạng theo {WHATIF} ({label}) – {province_label} – {month_label} – bộ "
                        "khung {label2}").format(
                        WHATIF=_(WHATIF),
                        label=label,
                        province_label=scope.province_label,
                        month_label=scope.month_label,
                        label2=chosen.label) + (_(" (dữ liệu minh họa)") if frame["is_demo"].any() else ""))
