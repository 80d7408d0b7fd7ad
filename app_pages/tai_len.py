"""Tải lên số liệu: commune staff send their monthly file as Excel made it, with its evidence,
see what was understood row by row, store the good rows, and can undo their uploads.

The person is the signed-in account: the checker turns rows outside its communes and rows
of closed months into row errors, and queries.changes checks again when storing, undoing or
redoing (a province admin changing a closed month must give a reason).

All the work is in queries.ingest (pipeline: checking, storing; preview: the rows shown; template);
this page only shows it. No exception reaches the user: each section catches and says, in
Vietnamese, what went wrong.
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import polars as pl
import streamlit as st

from queries import changes, clock
from queries.accounts.audit import upload_communes
from queries.accounts.permissions import describe, may_redo, may_see_upload, may_undo, may_upload
from queries.cycle.evidence import check_evidence
from queries.errors import UserFacingError
from queries.i18n import _
from queries.ingest import template
from queries.ingest.kinds import KIND_NAMES
from queries.ingest.pipeline import check_file
from queries.ingest.preview import preview_frame
from queries.ingest.readers import label
from queries.ingest.results import STATUS_DUPLICATE, STATUS_NAMES, CheckResult
from queries.spreadsheet import to_csv_bytes
from queries.store import content_hash
from queries.text import format_month
from ui import page
from ui.auth import current_account
from ui.markdown import literal
from ui.state import database

log = logging.getLogger(__name__)

KIND_CHOICES = {"auto": _("Tự nhận biết theo cột"), **{k: _(v).capitalize() for k, v in KIND_NAMES.items()}}
EVIDENCE_TYPES_TEXT = _("PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx)")
HISTORY_LIMIT = 30
STATUS_ICONS = {name: icon for name, icon in zip(STATUS_NAMES.values(), ("✅", "❌", "↩️"))}
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show_time(iso: str | None) -> str:
    """'2026-11-22T15:04:05+00:00' -> '22/11/2026 22:04' in Vietnam time."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.VIETNAM).strftime("%d/%m/%Y %H:%M")


def section(title: str, render, *args) -> None:
    """Run one part of the page; a failure is a Vietnamese message, never a traceback."""
    try:
        render(*args)
    except Exception:
        log.exception("upload page: %s failed", title)
        st.error(_("Không hiển thị được phần “{title}” do lỗi hệ thống. Hãy tải lại trang; nếu vẫn lỗi, "
            "báo cho quản trị viên (lỗi đã được ghi lại).").format(
            title=title))


# ---- templates -------------------------------------------------------------------------------


@st.cache_data(ttl=3600, show_spinner=False, max_entries=12)
def _xlsx_template(kind: str, version: tuple, today: date) -> bytes:
    return template.xlsx_template(database(), kind, today)


def render_templates() -> None:
    st.subheader(_("Tệp mẫu"))
    st.caption(_("Mẫu Excel có danh sách thả xuống cho xã, chỉ tiêu và kỳ báo cáo, kèm trang hướng dẫn. "
               "Mẫu CSV mở đúng dấu tiếng Việt trong Excel."))
    db = database()
    version, today = db.version(), clock.today()

    def buttons(kind: str, key: str) -> None:
        left, right, _unused = st.columns([1, 1, 2])
        name = template.TEMPLATE_NAMES[kind]
        left.download_button(_("Tải mẫu Excel (.xlsx)"), _xlsx_template(kind, version, today), f"{name}.xlsx",
                             MIME_XLSX, key=f"template-xlsx-{key}", on_click="ignore", icon="📥")
        right.download_button(_("Tải mẫu CSV"), template.csv_template(kind), f"{name}.csv", "text/csv",
                              key=f"template-csv-{key}", on_click="ignore", icon="📄")

    buttons("actuals", "actuals")
    with st.expander(_("Mẫu chỉ tiêu năm và mẫu danh sách xã (dành cho cán bộ tỉnh)")):
        st.markdown(_("**Chỉ tiêu năm** (mục tiêu của từng xã)"))
        buttons("targets", "targets")
        st.markdown(_("**Danh sách xã** (khi xã sáp nhập, chia tách)"))
        buttons("communes", "communes")


# ---- checking a file -------------------------------------------------------------------------


def _communes() -> pl.DataFrame:
    """The communes this account may send results for (all, for a country-wide admin)."""
    account = current_account()
    frame = database().run("communes_in_province", province=None).select("commune_id", "commune_name", "province")
    from queries.accounts.permissions import commune_in_scope

    keep = [commune_in_scope(account, r["commune_id"], r["province"]) for r in frame.iter_rows(named=True)]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean)) if frame.height else frame


def _defaults_inputs() -> dict:
    with st.expander(_("Xã và kỳ báo cáo cho cả tệp (khi tệp không có cột Xã hoặc Kỳ báo cáo)")):
        st.caption(_("Chỉ dùng cho các dòng để trống ô xã hoặc kỳ báo cáo; ô đã ghi trong tệp được giữ nguyên."))
        communes = _communes()
        labels = {r["commune_id"]: f"{r['commune_name']} — {r['province']}" for r in communes.iter_rows(named=True)}
        left, right = st.columns(2)
        commune = left.selectbox(_("Xã"), [None, *labels], format_func=lambda c: _("(lấy trong tệp)") if c is None else labels[c],
                                 key="default_commune")
        months = template.recent_months(clock.today())
        period = right.selectbox(_("Kỳ báo cáo"), [None, *months],
                                 format_func=lambda m: _("(lấy trong tệp)") if m is None else format_month(f"{m[3:]}-{m[:2]}"),
                                 key="default_period")
    return {k: v for k, v in (("commune", commune), ("period", period)) if v}


def _checked(content: bytes, file_name: str, kind: str | None, defaults: dict) -> CheckResult:
    """Check once per file, choice and store version; reruns (clicks) reuse the result."""
    db = database()
    account = current_account()
    key = (content_hash(content), file_name, kind, tuple(sorted(defaults.items())), db.version(), clock.today(),
           account)
    cached = st.session_state.get("upload_check")
    if cached and cached[0] == key:
        return cached[1]
    with st.spinner(_("Đang đọc và kiểm tra tệp…")):
        result = check_file(content, file_name, kind=kind, db=db, defaults=defaults, actor=account)
    st.session_state["upload_check"] = (key, result)
    return result


def render_upload() -> None:
    st.subheader(_("Tải tệp lên"))
    account = current_account()
    kinds = [k for k in KIND_CHOICES if k == "auto" or may_upload(account, k)]
    left, right = st.columns([2, 1])
    kind = left.selectbox(_("Loại tệp"), kinds, format_func=KIND_CHOICES.get, key="upload_kind")
    right.markdown(_("**Người gửi:** {describe}").format(describe=literal(describe(account))))
    defaults = _defaults_inputs()
    # No `type=` filter: Streamlit would refuse other files with an English message; the
    # importer says in Vietnamese why a PDF or a picture is not a table.
    # A new key after each store empties the picker, so a stored file is not shown as pending.
    round_number = st.session_state.setdefault("upload_round", 0)
    uploaded = st.file_uploader(_("Chọn tệp số liệu (.xlsx hoặc .csv)"), key=f"upload_file_{round_number}",
                                help=_("Tệp Excel hoặc CSV như Excel đã lưu; không cần sửa lại."))
    evidence_files = st.file_uploader(
        _("Tài liệu kiểm chứng (minh chứng), nếu có"), accept_multiple_files=True, key=f"upload_evidence_{round_number}",
        help=_("{EVIDENCE_TYPES_TEXT}; mỗi tệp tối đa {evidence_max_mb} MB. Tệp được nhận biết theo "
            "nội dung, và tên phải có đúng đuôi của loại đó (tệp PDF: .pdf).").format(
            EVIDENCE_TYPES_TEXT=EVIDENCE_TYPES_TEXT,
            evidence_max_mb=database().settings['evidence_max_mb']))
    show_receipt()
    if uploaded is None:
        return
    result = _checked(uploaded.getvalue(), uploaded.name, None if kind == "auto" else kind, defaults)
    render_result(result, evidence_files or [])


def _evidence(files) -> tuple[list, list[str]]:
    """The evidence files as accepted, and the message for each refused one."""
    accepted, problems = [], []
    limit = float(database().settings["evidence_max_mb"])
    for item in files:
        try:
            accepted.append(check_evidence(item.name, item.getvalue(), limit))
        except UserFacingError as error:
            problems.append(error.message)
    return accepted, problems


def render_understood(result: CheckResult) -> None:

    parts = [_("**Tệp:** {file_name}").format(file_name=literal(result.file_name)),
        _("**Đọc được:** {source}").format(source=literal(result.source)),
             _("**Dòng tiêu đề:** dòng {header_row}").format(header_row=result.header_row)]
    if result.kind:
        parts.append(_("**Loại:** {KIND_NAMES}").format(KIND_NAMES=_(KIND_NAMES[result.kind])))
    columns = ", ".join(f"{label(name)} ← “{literal(heading)}”" for name, heading in result.columns.items() if name != "stt")
    if columns:
        parts.append(_("**Cột:** {columns}").format(columns=columns))
    if result.defaults_used:
        parts.append(_("**Lấy từ trang:** {chosen_text}").format(chosen_text=literal(_chosen_text(result.defaults_used))))
    st.info("  \n".join(parts))


def _chosen_text(chosen: dict[str, str]) -> str:
    """{'commune': 'thanh-hoa/dinh-tien', 'period': '2026-03-01'} -> 'xã Xã Định Tiến (Thanh Hóa), Tháng 3/2026'."""
    parts = []
    if "commune" in chosen:
        names = {r["commune_id"]: f"{r['commune_name']} ({r['province']})" for r in _communes().iter_rows(named=True)}
        parts.append(_("xã {get}").format(get=names.get(chosen['commune'], chosen['commune'])))
    if "period" in chosen:
        parts.append(format_month(chosen["period"]))
    return ", ".join(parts)


def render_result(result: CheckResult, evidence_files: list) -> None:
    st.markdown(_("#### Xem trước"))
    if not result.readable:
        if result.source:
            render_understood(result)
        for issue in result.file_errors:
            st.error(literal(issue.message))  # messages quote the file's cells
        return
    render_understood(result)
    duplicates = sum(1 for r in result.rows if r.status == STATUS_DUPLICATE)
    cols = st.columns(4)
    cols[0].metric(_("Số dòng"), len(result.rows))
    cols[1].metric(_("Hợp lệ"), len(result.accepted))
    cols[2].metric(_("Lỗi"), len(result.rejected))
    cols[3].metric(_("Trùng, bỏ qua"), duplicates)
    # headings and statuses already in the page's language (preview_frame translates them)
    preview = preview_frame(result).with_columns(
        pl.col(_("Trạng thái")).replace({_(name): f"{icon} {_(name)}" for name, icon in STATUS_ICONS.items()}))
    st.dataframe(preview, hide_index=True, key="upload_preview",
                 column_config={_("Dòng"): st.column_config.NumberColumn(width="small", format="%d"),
                                _("Vấn đề"): st.column_config.TextColumn(width="large")})
    errors = result.errors
    if errors:
        st.markdown(_("#### Lỗi cần sửa ({errors})").format(errors=len(errors)))
        frame = pl.DataFrame({_("Dòng"): [e.row for e in errors],
                              _("Cột"): [_heading(result, e.column) for e in errors],
                              _("Nội dung"): [e.message for e in errors]})
        st.dataframe(frame, hide_index=True, key="upload_errors")
        st.download_button(_("Tải danh sách lỗi (.csv)"), _errors_csv(frame), "loi_tai_len.csv", "text/csv",
                           key="errors_csv", on_click="ignore")
    warnings = result.warnings
    if warnings:
        with st.expander(_("Lưu ý ({warnings}) — không chặn việc lưu").format(warnings=len(warnings))):
            for warning in warnings:
                st.markdown(f"- {literal(warning.message)}")
    accepted = len(result.accepted)
    label_text = _("Lưu {accepted} dòng hợp lệ").format(accepted=accepted) if accepted else _("Không có dòng hợp lệ để lưu")
    if result.rejected and accepted:
        st.warning(_("{rejected} dòng lỗi sẽ không được lưu. Có thể sửa tệp rồi tải lên lại; các dòng đã lưu "
            "sẽ được thay bằng số mới.").format(
            rejected=len(result.rejected)))
    evidence, refused = _evidence(evidence_files)
    for message in refused:
        st.error(literal(message), icon="📎")
    if evidence:
        st.caption(_("Minh chứng kèm theo: ") + ", ".join(f"{literal(e.name)}" for e in evidence))
    reason = None
    months = {r.record.get("period") for r in result.accepted if r.record.get("period")}
    closed = changes.closed_months(months, database()) if result.kind == "actuals" else []
    if closed and changes.is_admin(current_account()):
        st.warning(_("Tệp có số liệu của tháng đã khóa sổ ({join}). Quản trị tỉnh vẫn lưu được, kèm lý do "
            "(ghi vào nhật ký và hiện cạnh số liệu).").format(
            join=', '.join(format_month(m) for m in closed)), icon="🔒")
        reason = st.text_area(_("Lý do thay đổi tháng đã khóa sổ"), key="closed_reason")
    blocked = bool(refused) or (bool(closed) and changes.is_admin(current_account()) and not (reason or "").strip())
    if st.button(label_text, type="primary", disabled=not accepted or blocked, key="store_button", icon="💾"):
        store(result, evidence, reason)


def _heading(result: CheckResult, column: str | None) -> str:

    if column is None:
        return ""
    return result.columns.get(column) or label(column)


def _errors_csv(frame: pl.DataFrame) -> bytes:
    """As every CSV the product writes: UTF-8 with BOM for Excel, and the messages, which
    quote the file's cells, never run as formulas."""
    return to_csv_bytes(frame)


def store(result: CheckResult, evidence: list, reason: str | None) -> None:
    try:
        receipt = changes.store_upload(database(), result, current_account(), evidence=evidence, reason=reason)
    except UserFacingError as refused:
        st.session_state["upload_receipt"] = ("warning", refused.message)
    except Exception:
        log.exception("storing %s failed", result.file_name)
        st.session_state["upload_receipt"] = (
            "error", _("Không lưu được tệp do lỗi hệ thống; dữ liệu đã lưu trước đó không bị ảnh hưởng. Hãy thử lại."))
    else:
        database().ensure_fresh(wait=True)  # the person who stored it sees it on the next page
        if receipt.duplicate:
            st.session_state["upload_receipt"] = (
                "info", _("Tệp “{file_name}” đã được lưu trước đó (mã {upload_id}): không có gì thay đổi.").format(
                    file_name=result.file_name,
                    upload_id=receipt.upload_id))
        else:
            with_evidence = _(", kèm {evidence} tệp minh chứng").format(evidence=len(evidence)) if evidence else ""
            st.session_state["upload_receipt"] = (
                "success", _("Đã lưu {accepted} dòng từ tệp “{file_name}”{with_evidence} (mã {upload_id}). "
                    "Số liệu mới đã có trên các trang theo dõi.").format(
                    accepted=len(result.accepted),
                    file_name=result.file_name,
                    with_evidence=with_evidence,
                    upload_id=receipt.upload_id))
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.rerun()


def show_receipt() -> None:
    receipt = st.session_state.pop("upload_receipt", None)
    if receipt:
        kind, message = receipt
        getattr(st, kind)(literal(message))  # names the file as it was sent


# ---- history -------------------------------------------------------------------------------


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)  # one version of the tables in use at a time
def _upload_communes(version: tuple) -> dict:
    return upload_communes(database())


def render_history() -> None:
    st.subheader(_("Lịch sử tải lên"))
    db = database()
    account = current_account()
    communes = _upload_communes(db.version())
    entries = [e for e in sorted(db.store.entries(), key=lambda e: e["seq"], reverse=True)
               if may_see_upload(account, e, communes.get(e["upload_id"], {}))]
    if not entries:
        st.caption(_("Chưa có tệp nào được tải lên."))
        return
    st.caption(_("Hoàn tác một lần tải lên sẽ trả lại đúng số liệu trước đó; không có gì bị xóa, "
               "có thể khôi phục lại bất cứ lúc nào. ")
               + (_("Bạn thấy các lần tải lên của chính mình.") if account.role == "can_bo_xa" else ""))
    frame = pl.DataFrame({
        _("Thời gian"): [show_time(e.get("uploaded_at")) for e in entries],
        _("Loại"): [_(KIND_NAMES.get(e["kind"], e["kind"])) for e in entries],
        _("Tệp"): [e.get("file_name") or "" for e in entries],
        _("Người gửi"): [e.get("user") or "" for e in entries],
        _("Dòng hợp lệ"): [e.get("rows_accepted") for e in entries],
        _("Dòng lỗi"): [e.get("rows_rejected") for e in entries],
        _("Minh chứng"): [len(e.get("evidence") or ()) for e in entries],
        _("Trạng thái"): [_("Đang dùng") if e["active"] else _("Đã hoàn tác") for e in entries],
        _("Lý do"): [e.get("reason") or "" for e in entries],
        _("Mã"): [e["upload_id"] for e in entries],
    })
    st.dataframe(frame, hide_index=True, key="upload_history")
    mine = [e for e in entries if (may_undo if e["active"] else may_redo)(account, e, communes.get(e["upload_id"], {}))]
    if not mine:
        return
    st.markdown(_("**Hoàn tác hoặc khôi phục**"))
    for entry in mine[:HISTORY_LIMIT]:
        history_row(entry)
    if len(mine) > HISTORY_LIMIT:
        st.caption(_("Chỉ hiện nút cho {HISTORY_LIMIT} lần tải lên gần nhất; bảng trên có đủ {entries} lần.").format(
            HISTORY_LIMIT=HISTORY_LIMIT,
            entries=len(entries)))


def history_row(entry: dict) -> None:
    upload_id = entry["upload_id"]
    text, reason_box, button = st.columns([4, 2, 1], vertical_alignment="center")
    state = _("đang dùng") if entry["active"] else _("đã hoàn tác")
    text.markdown(_("{show_time} · {get} · {get2} dòng · *{state}*").format(
        show_time=show_time(entry.get('uploaded_at')),
        get=literal(entry.get('file_name') or ''),
        get2=entry.get('rows_accepted'),
        state=state))
    months = [date(int(p[:4]), int(p[5:7]), 1) for p in entry.get("periods") or ()]
    reason = None
    if entry["kind"] == "actuals" and changes.closed_months(months, database()):
        if changes.is_admin(current_account()):
            reason = reason_box.text_input(_("Lý do (tháng đã khóa sổ)"), key=f"reason-{upload_id}",
                                           label_visibility="collapsed", placeholder=_("Lý do (tháng đã khóa sổ)"))
        else:
            reason_box.caption(_("🔒 Tháng đã khóa sổ"))
    if entry["active"]:
        if button.button(_("Hoàn tác"), key=f"undo-{upload_id}", icon="↩️"):
            change(upload_id, "undo", entry, reason)
    elif button.button(_("Khôi phục"), key=f"redo-{upload_id}", icon="↪️"):
        change(upload_id, "redo", entry, reason)


def change(upload_id: str, action: str, entry: dict, reason: str | None) -> None:
    try:
        getattr(changes, action)(database(), upload_id, current_account(), reason=reason)
    except UserFacingError as refused:
        st.session_state["upload_receipt"] = ("warning", refused.message)
    except Exception:
        log.exception("%s of %s failed", action, upload_id)
        st.session_state["upload_receipt"] = ("error",
            _("Không thực hiện được thao tác do lỗi hệ thống; dữ liệu không thay đổi."))
    else:
        database().ensure_fresh(wait=True)
        done = _("Đã hoàn tác") if action == "undo" else _("Đã khôi phục")
        st.session_state["upload_receipt"] = (
            "success", _("{done} lần tải lên tệp “{get}” ({show_time}).").format(
                done=done,
                get=entry.get('file_name'),
                show_time=show_time(entry.get('uploaded_at'))))
    st.rerun()


# ---- what the province asked for ------------------------------------------------------------


def render_reviews() -> None:
    """The province's requests for more (Yêu cầu bổ sung) on this account's communes' months."""
    db = database()
    account = current_account()
    asked = db.run("review_requests")
    from queries.accounts.permissions import commune_in_scope

    rows = [r for r in asked.iter_rows(named=True) if commune_in_scope(account, r["commune_id"], r["province"])]
    if not rows:
        return
    st.subheader(_("Tỉnh yêu cầu bổ sung"))
    for row in rows[:20]:
        st.warning(_("**{commune_name} · {period}** — {comment} (thẩm định bởi {reviewer}). Hãy tải lên số "
            "liệu hoặc minh chứng bổ sung.").format(
            commune_name=literal(row['commune_name']),
            period=format_month(row['period']),
            comment=literal(row['comment'] or ''),
            reviewer=literal(row['reviewer'] or '')),
                   icon="📝")


# ---- the page ------------------------------------------------------------------------------

page.header(
    _("Tải lên số liệu"),
    _("Gửi tệp kết quả hằng tháng đúng như Excel đã lưu (.xlsx hoặc .csv). Trang cho xem trước "
    "từng dòng, chỉ rõ dòng nào sai và vì sao, rồi mới lưu các dòng hợp lệ."),
)
account = current_account()
if account is None:
    st.info(_("Hãy đăng nhập bằng tài khoản Cán bộ xã hoặc Quản trị tỉnh để tải số liệu lên."), icon="🔑")
    st.stop()
if not any(may_upload(account, k) for k in KIND_NAMES):
    st.info(_("Tài khoản {role_label} chỉ xem số liệu, không tải lên. Việc tải lên dành cho Cán bộ xã và "
        "Quản trị tỉnh.").format(
        role_label=literal(_(account.role_label))), icon="🔒")
    st.stop()
section(_("Tỉnh yêu cầu bổ sung"), render_reviews)
section(_("Tải tệp lên"), render_upload)
section(_("Lịch sử tải lên"), render_history)
section(_("Tệp mẫu"), render_templates)
