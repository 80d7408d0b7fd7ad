"""The choices every leaders' page shares (province, month, commune, pillar, ...), kept in
the URL so a copied link opens the same view, and kept across pages within a session.

URL keys: ?tinh=Minh Họa&thang=2026-11&xa=<commune_id>&tru_cot=HT&chi_tieu=HT02
          &so_sanh=<id>,<id>&don_vi=<lead unit>
          &trong_so=HT:20,NL:10,…&bo_khung=<framework id>   (what-if weights, ui/whatif.py)
          &ban_do=1   (the map of communes is shown: map_switch)
A value comes from, in order: the URL, the choice made earlier in this session (switching
pages drops the URL's query), the default. A value that is not valid here (a commune of
another province, a month without data) is ignored and the next source is used.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from queries import clock
from queries.accounts.permissions import visible_provinces
from queries.db import month_start
from queries.i18n import _
from queries.settings import PILLARS
from queries.text import fold, format_month, province_key
from ui.auth import current_account
from ui.format import in_sentence
from ui.markdown import literal
from ui.state import query, reader

ALL_PROVINCES = "tat-ca"
PARAMS = ("tinh", "thang", "xa", "tru_cot", "chi_tieu", "so_sanh", "don_vi", "trong_so", "bo_khung", "ban_do")
MAP_PARAM = "ban_do"
_PERSIST = "_dti_{}"
_WIDGET = "dti_{}"


def today() -> date:
    return clock.today()


def month_param(period: date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def page_url(page: str, **params: str | None) -> str:
    """A link to another page with its view in the query: 'ho_so_xa?tinh=...&xa=...'."""
    query_string = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{page}?{query_string}" if query_string else page


def profile_link(province: str, period: date, commune_id: str, part: str | None = None) -> str:
    """A link to a commune's profile; `part` opens one of its parts (app_pages/ho_so_xa.py, ?muc=)."""
    return page_url("ho_so_xa", tinh=province, thang=month_param(period), xa=commune_id, muc=part)


def _url_value(param: str) -> str | None:
    value = st.query_params.get(param)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _resolve(param: str, options: Sequence[str], default: str | None,
             match: Callable[[str], str | None] | None = None) -> str | None:
    """URL, then this session's earlier choice, then the default; each only if valid."""
    valid = set(options)
    url = _url_value(param)
    if url is not None:
        candidate = match(url) if match else url
        if candidate in valid:
            return candidate
    remembered = st.session_state.get(_PERSIST.format(param))
    if remembered in valid:
        return remembered
    return default if default in valid else (options[0] if options else None)


def _refuse_url(param: str, unknown: Callable[[str], bool], refusal: Callable[[str], str | None]) -> None:
    """An address asking for a province or commune outside the person's scope says so (the
    page then shows what the person may read, never the one asked for)."""
    url = _url_value(param)
    if url is None or not unknown(url):
        return
    message = refusal(url)
    if message:
        st.warning(message, icon="🔒")


def _remember(param: str, value: str | None) -> None:
    st.session_state[_PERSIST.format(param)] = value
    if value is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def _on_change(param: str, also_forget: tuple[str, ...] = ()) -> None:
    value = st.session_state.get(_WIDGET.format(param))
    _remember(param, value)
    for other in also_forget:
        st.session_state.pop(_PERSIST.format(other), None)
        if other in st.query_params:
            del st.query_params[other]


def _select(container, label: str, param: str, options: list[str], labels: dict[str, str],
            default: str | None, *, match: Callable[[str], str | None] | None = None,
            forget: tuple[str, ...] = (), help: str | None = None) -> str | None:
    if not options:
        return None
    value = _resolve(param, options, default, match)
    key = _WIDGET.format(param)
    st.session_state[key] = value
    chosen = container.selectbox(
        label, options, key=key, format_func=lambda v: labels.get(v, v), help=help,
        on_change=_on_change, args=(param, forget),
    )
    _remember(param, chosen)
    return chosen


def map_switch(container, page: str) -> bool:
    """The switch that shows a page's map of communes, off by default: the map is the one chart
    drawn with plotly.js, a script the browser takes seconds to compile, so a page draws it only
    when asked. On is kept in the URL (?ban_do=1: a link or a reload keeps the map) and, for this
    page (`page`), across pages within the session; off leaves the URL without the key."""
    memory, key = _PERSIST.format(f"{MAP_PARAM}_{page}"), _WIDGET.format(f"{MAP_PARAM}_{page}")
    url = _url_value(MAP_PARAM)
    on = url == "1" if url is not None else bool(st.session_state.get(memory))

    def remember(value: bool) -> None:
        st.session_state[memory] = value
        if value and st.query_params.get(MAP_PARAM) != "1":
            st.query_params[MAP_PARAM] = "1"
        elif not value and MAP_PARAM in st.query_params:
            del st.query_params[MAP_PARAM]

    st.session_state[key] = on
    chosen = container.toggle(_("🗺️ Hiện bản đồ"), key=key,
                              on_change=lambda: remember(bool(st.session_state.get(key))),
                              help=_("Vẽ bản đồ các xã (mất vài giây); bấm vào một xã để mở hồ sơ xã."))
    remember(chosen)
    return chosen


def keep_only(params: Sequence[str]) -> None:
    """Drop from the URL the shared keys this page does not use (they stay remembered)."""
    for param in PARAMS:
        if param not in params and param in st.query_params:
            del st.query_params[param]


# ---- province and month -----------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    province: str | None          # None: every province
    period: date
    provinces: pl.DataFrame       # province_activity
    months: pl.DataFrame          # months_in_scope of the province

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def province_label(self) -> str:
        return _("Tất cả các tỉnh") if self.province is None else _("Tỉnh {province}").format(province=self.province)

    @property
    def month_label(self) -> str:
        return format_month(self.period)

    def has_targets(self) -> bool:
        row = self.months.filter(pl.col("period") == self.period)
        return bool(row["has_targets"][0]) if row.height else False

    def n_reporting(self) -> int:
        row = self.months.filter(pl.col("period") == self.period)
        return int(row["n_reporting"][0]) if row.height else 0


def default_province(provinces: pl.DataFrame) -> str | None:
    """The province with the most communes reporting in its latest month (real data first on
    a tie), else the one with the most communes."""
    if provinces.is_empty():
        return None
    ranked = provinces.sort(
        ["n_reporting_latest", "is_demo", "n_communes"], descending=[True, False, True]
    )
    return ranked["province"][0]


def default_month(months: pl.DataFrame) -> date:
    """The latest month (not after today) in a year with targets and with results; failing
    that, the latest month in a year with targets; the latest with results; this month."""
    for condition in (
        pl.col("has_targets") & (pl.col("n_reporting") > 0),
        pl.col("has_targets"),
        pl.col("n_reporting") > 0,
    ):
        hits = months.filter(condition)
        if hits.height:
            return hits["period"].max()
    return month_start(today())


def scope_filters(columns: Sequence, *, allow_all: bool = False) -> Scope | None:
    """Province and month selectors in the two given containers; None when no commune exists."""
    provinces = query("province_activity", today=today())
    # A leader or admin of some provinces sees those; "all provinces" is for the country-wide.
    account = current_account()
    provinces = provinces.filter(pl.col("province").is_in(visible_provinces(account, provinces["province"].to_list())))
    allow_all = allow_all and (account is None or account.country_wide)
    if provinces.is_empty():
        return None
    names = provinces["province"].to_list()
    labels = {
        row["province"]: _("{province} (dữ liệu minh họa)").format(
            province=row['province']) if row["is_demo"] else row["province"]
        for row in provinces.iter_rows(named=True)
    }
    options = list(names)
    if allow_all:
        options = [ALL_PROVINCES, *options]
        labels[ALL_PROVINCES] = _("Tất cả các tỉnh")
    by_key = {province_key(n): n for n in names}

    def match(url: str) -> str | None:
        if url in options:
            return url
        if fold(url) in ("tat ca", "tat-ca", "tat ca cac tinh"):
            return ALL_PROVINCES if allow_all else None
        return by_key.get(province_key(url))

    _refuse_url("tinh", lambda url: match(url) is None, reader().province_refusal)
    chosen = _select(columns[0], _("Tỉnh"), "tinh", options, labels, default_province(provinces),
                     match=match, forget=("thang", "xa", "so_sanh"))
    province = None if chosen == ALL_PROVINCES else chosen

    months = query("months_in_scope", province=province, today=today())
    periods = months["period"].to_list() or [month_start(today())]
    month_options = [month_param(p) for p in periods]
    month_labels = {month_param(p): format_month(p) for p in periods}

    def match_month(url: str) -> str | None:
        try:
            return month_param(month_start(url))
        except (ValueError, IndexError):
            return None

    chosen_month = _select(columns[1], _("Tháng"), "thang", month_options, month_labels,
                           month_param(default_month(months)), match=match_month)
    return Scope(province=province, period=month_start(chosen_month), provinces=provinces, months=months)


# ---- commune, pillar, indicator, unit ---------------------------------------------------------
def commune_filter(container, communes: pl.DataFrame, *, search_container=None,
                   default: str | None = None, label: str | None = None) -> str | None:
    """Choose one commune; the search box ignores diacritics and case ('dinh tien' finds
    'Xã Định Tiến'). communes: commune_id, commune_name in display order."""
    label = label or _("Xã")
    if communes.is_empty():
        return None
    ids = communes["commune_id"].to_list()
    names = dict(zip(ids, communes["commune_name"].to_list()))
    options = ids
    if search_container is not None:
        text = search_container.text_input(
            _("Tìm xã"), key="dti_tim_xa", placeholder=_("Gõ tên xã, có dấu hay không dấu đều được"),
        )
        if text and text.strip():
            needle = fold(text)
            found = [i for i in ids if needle in fold(names[i])]
            if found:
                options = found
            else:
                search_container.caption(_("Không có xã nào khớp “{text}”.").format(text=literal(text.strip())))
    _refuse_url("xa", lambda url: url not in names, reader().commune_refusal)
    return _select(container, label, "xa", options, names, default if default in options else options[0])


def pillar_filter(container, *, allow_all: bool = False, default: str | None = None,
                  groups: Sequence[tuple[str, str]] = PILLARS, label: str | None = None) -> str | None:
    """One pillar, or one group of the month's framework (`groups`: (code, name) in order); with
    `allow_all`, also every one of them ("tat-ca", the default unless `default` says another)."""
    label = label or _("Trụ cột")
    options = [code for code, _unused in groups]
    labels = {code: _(name) for code, name in groups}  # the six pillars by their Vietnamese names: shown translated
    if allow_all:
        options = ["tat-ca", *options]
        labels["tat-ca"] = _("Tất cả {label}").format(label=in_sentence(label))
        default = default or "tat-ca"
    default = default or "HT"
    chosen = _select(container, label, "tru_cot", options, labels, default,
                     match=lambda v: v.upper() if v.upper() in labels else (v if v in labels else None),
                     forget=("chi_tieu",))
    return None if chosen == "tat-ca" else chosen


def indicator_filter(container, indicators: pl.DataFrame, default: str | None = None) -> str | None:
    """indicators: indicator, indicator_name in display order."""
    if indicators.is_empty():
        return None
    codes = indicators["indicator"].to_list()
    labels = {c: f"{c} · {n}" for c, n in zip(codes, indicators["indicator_name"].to_list())}
    return _select(container, _("Chỉ tiêu"), "chi_tieu", codes, labels, default or codes[0],
                   match=lambda v: v.upper())


def unit_filter(container, units: list[str], default: str | None = None) -> str | None:
    if not units:
        return None
    by_fold = {fold(u): u for u in units}
    return _select(container, _("Đơn vị chủ trì"), "don_vi", units, {}, default or units[0],
                   match=lambda v: by_fold.get(fold(v)))


def compare_filter(container, communes: pl.DataFrame, default: list[str], *, max_selections: int = 4
                   ) -> list[str]:
    """Two to four communes. communes: commune_id, commune_name, province in display order."""
    ids = communes["commune_id"].to_list()
    labels = {
        row["commune_id"]: f"{row['commune_name']} ({row['province']})"
        for row in communes.iter_rows(named=True)
    }
    valid = set(ids)
    url = _url_value("so_sanh")
    chosen: list[str] = []
    if url is not None:
        chosen = [c for c in url.split(",") if c in valid]
        scoped = reader()
        refusals = [scoped.commune_refusal(c) for c in url.split(",") if c and c not in valid]
        for message in dict.fromkeys(m for m in refusals if m):
            st.warning(message, icon="🔒")
    if not chosen:
        remembered = st.session_state.get(_PERSIST.format("so_sanh")) or []
        chosen = [c for c in remembered if c in valid]
    if not chosen:
        chosen = [c for c in default if c in valid]
    chosen = list(dict.fromkeys(chosen))[:max_selections]
    key = _WIDGET.format("so_sanh")
    st.session_state[key] = chosen

    def changed() -> None:
        values = st.session_state.get(key) or []
        st.session_state[_PERSIST.format("so_sanh")] = list(values)
        st.query_params["so_sanh"] = ",".join(values)

    values = container.multiselect(
        _("Các xã so sánh (2–4 xã)"), ids, key=key, format_func=lambda v: labels.get(v, v),
        max_selections=max_selections, on_change=changed,
        placeholder=_("Chọn xã…"),
    )
    st.session_state[_PERSIST.format("so_sanh")] = list(values)
    joined = ",".join(values)
    if values and st.query_params.get("so_sanh") != joined:
        st.query_params["so_sanh"] = joined
    elif not values and "so_sanh" in st.query_params:
        del st.query_params["so_sanh"]
    return list(values)
