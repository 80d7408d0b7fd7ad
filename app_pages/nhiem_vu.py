"""Nhiệm vụ: the tasks of the communes' plans — what is to be done, by whom, by when, and how far
it has got; overdue first. Commune staff and province admins set a task's status here."""
from __future__ import annotations

import polars as pl
import streamlit as st

from queries import clock
from queries.accounts.permissions import may_upload_row
from queries.changes import set_task_status
from queries.errors import UserFacingError
from queries.i18n import _
from queries.plans.tasks import DONE, STATUS_LABELS
from queries.text import format_date
from ui import charts, cycle, filters, page, plan_charts, plans
from ui.auth import current_account
from ui.downloads import chart_downloads, table_downloads
from ui.format import in_sentence, per_row, split_units
from ui.state import database, query

ALL = "tat-ca"
FLASH = "nv_flash"

page.header(
    _("Nhiệm vụ"),
    _("Các nhiệm vụ trong kế hoạch chuyển đổi số của xã: việc gì, đơn vị nào chủ trì, hạn khi nào và đã làm "
    "đến đâu. Nhiệm vụ quá hạn ở trên cùng."),
)
slots = page.filter_row(3, [1, 1.4, 1.6])
province, provinces = plans.province_filter(slots[0])
if province is None:
    page.empty(_(page.NO_COMMUNES))
    st.stop()
today = clock.today()
everywhere = query("tasks_status", as_of=today, province=None, commune=None)
in_province = everywhere.filter(pl.col("province") == province)
with_tasks = in_province.select("commune_id", "commune_name").unique(maintain_order=True)
choices = pl.concat([pl.DataFrame({"commune_id": [ALL], "commune_name": [_("Tất cả các xã")]}), with_tasks])
commune = filters.commune_filter(slots[1], choices, default=ALL, label=_("Xã (có nhiệm vụ)"))
filters.keep_only(("tinh", "xa"))
commune = None if commune in (None, ALL) else commune
tasks = in_province if commune is None else in_province.filter(pl.col("commune_id") == commune)
name = (with_tasks.filter(pl.col("commune_id") == commune)["commune_name"][0] if commune else _("Tỉnh {province}").format(
    province=province))
page.scope_line(name, _("tình hình đến ngày {today}").format(today=format_date(today)))
page.demo_notice(bool(provinces.filter(pl.col("province") == province)["is_demo"].any()))
st.caption(_("Thời hạn lấy từ cột “Thời gian thực hiện” của kế hoạch theo một quy tắc duy nhất (tháng → ngày cuối "
           "tháng, quý → ngày cuối quý, “trước …” → ngày liền trước). Nhiệm vụ **quá hạn** khi đã qua hạn mà chưa "
           "hoàn thành; “Quá hạn” được tính tự động, không ai ghi tay. Nhiệm vụ thường xuyên không bao giờ quá hạn."))
cycle.page_link(st, "app_pages/phuong_phap.py", label=_("Quy tắc đọc thời hạn (Phương pháp)"), icon="📐")
if tasks.is_empty():
    others = sorted(everywhere["province"].unique().to_list())
    page.empty(_("Tỉnh {province} chưa có kế hoạch nhiệm vụ nào trong dữ liệu.").format(province=province)
               + (_(" Tỉnh có nhiệm vụ: {join}.").format(join=', '.join(others)) if others else "")
               + _(" Nhiệm vụ được tải lên cùng kế hoạch của xã."), title=_("Chưa có nhiệm vụ"))
    st.stop()

plans.task_metrics(tasks, today)

# ---- by lead unit --------------------------------------------------------------------------------
rows = plans.task_rows(tasks)
by_unit = rows.with_columns(
    per_row(rows, "lead_unit", split_units, name="office", dtype=pl.List(pl.Utf8), skip_nulls=False)
).explode("office")
summary = (
    by_unit.group_by("office").agg(
        pl.len().alias("n"),
        *[(pl.col("status_label") == label).sum().alias(f"n_{i}") for i, label in enumerate(plans.TASK_ORDER)],
    ).sort(["n_0", "n", "office"], descending=[True, True, False])  # ties by name: the same order every time
)
page.section(_("Theo đơn vị chủ trì"), _("Đơn vị nhiều nhiệm vụ quá hạn nhất ở trên cùng; nhiệm vụ có hai đơn vị "
             "chủ trì được tính cho cả hai."))
bars = plan_charts.task_status_bars(by_unit.group_by("office", "status_label").agg(pl.len().alias("n")),
                               order=summary["office"].to_list())
charts.show(bars, key="nv-units-chart")
chart_downloads(bars, _("Nhiệm vụ theo đơn vị chủ trì – {name}").format(name=name), "nv-units-chart",
                caption=_("{name} · đến ngày {today}").format(name=name, today=format_date(today)))
st.dataframe(
    summary,
    hide_index=True,
    column_config={
        "office": st.column_config.TextColumn(_("Đơn vị chủ trì"), width=260),
        "n": st.column_config.NumberColumn(_("Nhiệm vụ"), format="%d", width=80),
        **{f"n_{i}": st.column_config.NumberColumn(f"{plans.TASK_ICONS[label]} {label}", format="%d", width=120)
           for i, label in enumerate(plans.TASK_ORDER)},
    },
    key="nv-units",
)
table_downloads(summary, _("Nhiệm vụ theo đơn vị chủ trì – {name}").format(name=name), "nv-units-dl",
                headings={"office": _("Đơn vị chủ trì"), "n": _("Số nhiệm vụ"),
                          **{f"n_{i}": label for i, label in enumerate(plans.TASK_ORDER)}},
                title=_("Nhiệm vụ theo đơn vị chủ trì – {name} – đến ngày {today}").format(name=name, today=format_date(today)))

# ---- every task ----------------------------------------------------------------------------------
page.section(_("Từng nhiệm vụ"),
             _("{height} nhiệm vụ; quá hạn lâu nhất ở trên, rồi theo hạn gần nhất, nhiệm vụ đã hoàn thành ở cuối.").format(
    height=rows.height))
plans.show_tasks(rows, "nv-tasks", with_commune=commune is None, name=_("Nhiệm vụ – {name}").format(name=name),
                 title=_("Nhiệm vụ – {name} – đến ngày {today}").format(name=name, today=format_date(today)))

# ---- setting a status ------------------------------------------------------------------------------
page.section(_("Cập nhật trạng thái"))
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon="✅")
account = current_account()
mine = rows.filter(per_row(rows, ["commune_id", "province"],
                           lambda r: may_upload_row(account, "tasks", r["commune_id"], r["province"]), name="mine",
                           dtype=pl.Boolean))
if mine.is_empty():
    st.caption(_("Cán bộ xã (cho xã của mình) và Quản trị tỉnh cập nhật trạng thái nhiệm vụ; tài khoản của bạn chỉ "
               "xem được.") if account else
               _("Đăng nhập bằng tài khoản cán bộ xã hoặc Quản trị tỉnh để cập nhật trạng thái nhiệm vụ."))
    st.stop()

db = database()
keys = [f"{r['commune_id']}|{r['plan_year']}|{r['item']}" for r in mine.iter_rows(named=True)]
by_key = dict(zip(keys, mine.iter_rows(named=True)))
several = mine["commune_id"].n_unique() > 1
choice = st.selectbox(
    _("Nhiệm vụ"), keys, key="nv_task",
    format_func=lambda k: (f"{by_key[k]['commune_name']} · " if several else "")
    + _("Mục {item}: {name}{value} ").format(
        item=by_key[k]['item'],
        name=by_key[k]['name'][:90],
        value='…' if len(by_key[k]['name']) > 90 else '')
    + f"({in_sentence(by_key[k]['status_label'])})",
)
task = by_key[choice]
left, middle, right = st.columns([1, 1, 2])
status = left.selectbox(_("Trạng thái"), list(STATUS_LABELS), format_func=lambda s: _(STATUS_LABELS[s]),
                        index=list(STATUS_LABELS).index(task["status"]), key=f"nv_status_{choice}",
                        help=_("“Quá hạn” không chọn được: nó được tính từ thời hạn."))
completed_on = None
if status == DONE:
    completed_on = middle.date_input(_("Ngày hoàn thành"), value=task["completed_on"] or today, max_value=today,
                                     format="DD/MM/YYYY", key=f"nv_done_{choice}")
note = right.text_input(_("Ghi chú (không bắt buộc)"), key=f"nv_note_{choice}", max_chars=300)
if st.button(_("Lưu trạng thái"), key="nv_save", type="primary"):
    try:
        set_task_status(db, account, task["commune_id"], task["plan_year"], task["item"], status,
                        completed_on, note.strip() or None)
    except UserFacingError as refusal:
        st.error(refusal.message, icon="🚫")
    else:
        db.ensure_fresh(wait=True)
        st.session_state[FLASH] = (_("Đã ghi “{STATUS_LABELS}” cho mục {item} ({commune_name}).").format(
            STATUS_LABELS=_(STATUS_LABELS[status]),
            item=task['item'],
            commune_name=task['commune_name']))
        st.rerun()
st.caption(_("Mỗi lần cập nhật được lưu như một lần tải lên (có nhật ký, hoàn tác được ở trang Tải lên số liệu)."))
