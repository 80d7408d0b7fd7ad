"""The audit log as people read it: who did what, when, and who may see which of it.

Two sources, merged for reading:

- changes to the data (upload, undo, redo, review) are the store's journal
  (queries.store.journal), where they are already committed one line each;
- everything else (sign-in, failed sign-in, sign-out, accounts, passwords, settings) is
  appended by queries.accounts.audit_log to `<store>/audit/<YYYY-MM>.jsonl` (month of the
  UTC time), one JSON line each: {"time": ISO UTC, "user", "action": code, "details": {...}}.

On PostgreSQL (DTI_DATABASE_URL) those lines are the `audit` table's rows, in the order written.
A line cut short by a crash is skipped. Only accounts allowed to see the log read it, each as
far as its scope goes (audit_frame); the accounts service is asked who that is, and never
asks back: it writes through audit_log.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from queries import clock
from queries.accounts.audit_log import ACTION_LABELS, AUDIT_FOLDER, JOURNAL_ACTIONS, action_label, parse_utc  # noqa: F401 (ACTION_LABELS: read from here)
from queries.accounts.permissions import (
    Account,
    kind_label,
    may_see_audit,
    province_in_scope,
    role_label,
)
from queries.accounts.pg_storage import read_audit_lines
from queries.accounts.service import PermissionDenied, fresh_actor, manageable_usernames
from queries.data import DataSource
from queries.i18n import N_, _
from queries.store.journal import Journal
from queries.store.postgres import database_url
from queries.store.sources import open_store
from queries.store.uploads import legacy_journal
from queries.text import format_month

log = logging.getLogger(__name__)

# Marked for the catalogue, translated where shown: the log keeps the codes.
LOGIN_FAILURE_REASONS = {
    "wrong_password": N_("sai mật khẩu"),
    "unknown_user": N_("không có tài khoản này"),
    "locked": N_("tài khoản đang tạm khóa"),
    "locked_now": N_("sai quá số lần cho phép, tài khoản bị tạm khóa"),
    "disabled": N_("tài khoản đã bị vô hiệu hóa"),
    "no_account_for_email": N_("không có tài khoản nào gắn với email này"),
    "email_not_verified": N_("nhà cung cấp SSO chưa xác nhận email này"),
    "sso_incomplete": N_("thông tin SSO thiếu email hoặc mã định danh"),
    "sso_identity_mismatch": N_("tài khoản đã liên kết với một danh tính SSO khác"),
}
REVIEW_STATUS_LABELS = {"da_tham_dinh": N_("đã thẩm định"), "cho_tham_dinh": N_("chờ thẩm định")}
# A field's change as the details read it: one sentence each, so that a short word ("tỉnh")
# is not asked of the catalogue alone (it means other things elsewhere).
FIELD_CHANGES = {"name": N_("họ tên: {old} → {new}"), "role": N_("vai trò: {old} → {new}"),
                 "provinces": N_("tỉnh: {old} → {new}"), "communes": N_("xã: {old} → {new}"),
                 "email": N_("email: {old} → {new}")}
# What audit_log.typed_username keeps of a name that could be no account's (in Vietnamese).
_TYPED = re.compile(r"\(không hợp lệ: (hơn )?(\d+) ký tự, mã ([0-9a-f]+)\)")
_YEARS = re.compile(r"từ năm (\d{4})(?: đến năm (\d{4}))?")


# ---- reading -----------------------------------------------------------------------------


def _month_files(store_root: Path, since: date | None) -> list[Path]:
    folder = store_root / AUDIT_FOLDER
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.jsonl"))
    if since is None:
        return files
    # Files are named by UTC month; a Vietnam day starts 7 hours earlier in UTC.
    first = (since - timedelta(days=1)).strftime("%Y-%m")
    return [f for f in files if f.stem >= first]


def audit_lines(store_root: str | os.PathLike, since: date | None = None) -> list[dict]:
    """The lines of the audit files (or table), in the order written. `since` (a day in Vietnam)
    may leave out lines before it; the table's are left out exactly."""
    url = database_url()
    if url:
        return read_audit_lines(url, None if since is None else datetime.combine(since, time.min, tzinfo=clock.VIETNAM))
    return file_audit_lines(store_root, since)


def file_audit_lines(store_root: str | os.PathLike, since: date | None = None) -> list[dict]:
    """The lines of a file store's audit files, whatever store this process uses (migration)."""
    lines = []
    for path in _month_files(Path(store_root), since):
        data = path.read_bytes()
        for raw in data[: data.rfind(b"\n") + 1].splitlines():
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                log.warning("skipping an unreadable line in %s", path.name)
                continue
            lines.append(line)
    return lines


def journal_events(store_root: str | os.PathLike) -> list[dict]:
    """Uploads, undo, redo and reviews from the store's journal, as audit events."""
    root = Path(store_root)
    journal = Journal(root)
    if database_url():
        entries, _unused = open_store(root).changes(0)
    elif journal.exists():
        entries, _unused = journal.read(0)
    elif (root / "manifest").is_dir():
        entries = legacy_journal(root)  # a store from before the journal
    else:
        entries = []
    uploads: dict[str, dict] = {}
    events = []
    for entry in entries:
        action = entry.get("action")
        if action not in JOURNAL_ACTIONS:
            continue
        if action == "upload":
            uploads[entry["upload_id"]] = entry
            details = {k: entry.get(k) for k in ("upload_id", "kind", "file_name", "rows_accepted",
                                                 "rows_rejected", "received_at", "reason", "periods")}
        elif action in ("undo", "redo"):
            upload = uploads.get(entry.get("upload_id"), {})
            details = {"upload_id": entry.get("upload_id"), "reason": entry.get("reason"),
                       "kind": upload.get("kind"), "file_name": upload.get("file_name")}
        else:
            details = {k: entry.get(k) for k in ("commune_id", "period", "status", "comment")}
        events.append({"time": entry.get("at") or "", "user": entry.get("user") or "",
                       "action": action, "details": details})
    return events


def audit_events(store_root: str | os.PathLike, since: date | None = None) -> list[dict]:
    """Every recorded action, oldest first: {"time": ISO 8601 UTC, "user", "action", "details"}.
    `since` is a day in Vietnam: events from its first moment on."""
    sources = [journal_events(store_root), audit_lines(store_root, since)]
    keyed = []
    for source, events in enumerate(sources):
        for position, event in enumerate(events):
            moment = parse_utc(event.get("time"))
            if moment is None:
                continue  # a journal line without a time (adopted compaction): not a person's act
            if since is not None and moment.astimezone(clock.VIETNAM).date() < since:
                continue
            keyed.append(((moment, source, position), moment, event))
    keyed.sort(key=lambda item: item[0])
    return [{"time": moment.astimezone(UTC).isoformat(timespec="seconds"),
             "user": event.get("user") or "", "action": event.get("action") or "",
             "details": event.get("details") or {}}
            for _unused, moment, event in keyed]


# ---- for the admin page ----------------------------------------------------------------------


def upload_communes(db: DataSource, upload_id: str | None = None) -> dict[str, dict[str, str | None]]:
    """upload_id -> {commune_id: province} for every upload the Database holds (or just one):
    what `permissions.may_undo` needs, and what filters the audit log by commune."""
    rows = db.run("upload_communes", upload=upload_id)
    found: dict[str, dict[str, str | None]] = {}
    for upload, commune_id, province in rows.iter_rows():
        found.setdefault(upload, {})[commune_id] = province
    return found


def _yes_no(value) -> str:
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return "–" if value is None or value == "" else str(value)


def _list_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "–"
    return _yes_no(value)


def shown_user(text: str | None) -> str:
    """A user name as the log shows it: what audit_log.typed_username kept of a name that could
    be no account's ('(không hợp lệ: 12 ký tự, mã 1a2b3c4d)', stored in Vietnamese) in the
    interface's language; any other name as it is."""
    found = _TYPED.fullmatch(text or "")
    if found is None:
        return text or ""
    more, length, key = found.groups()
    length = _("hơn {count}").format(count=length) if more else length
    return _("(không hợp lệ: {length} ký tự, mã {key})").format(length=length, key=key)


def _years_text(text: str) -> str:
    """A framework's years as the log keeps them ('từ năm 2027 đến năm 2030'), in the language."""
    found = _YEARS.fullmatch(text or "")
    if found is None:
        return text or ""
    first, last = found.groups()
    return _("từ năm {year_from}").format(year_from=first) + (
        _(" đến năm {year_to}").format(year_to=last) if last else "")


def _reason(d: Mapping) -> str:
    return _("; lý do: {reason}").format(reason=d["reason"]) if d.get("reason") else ""


def details_text(event: Mapping, commune_names: Mapping[str, str] | None = None) -> str:
    """The details of one event as a sentence for the audit table, in the interface's language
    (the event itself, as stored, is the same in every language)."""
    d = event.get("details") or {}
    names = commune_names or {}
    action = event.get("action")
    if action == "login":
        if d.get("method") == "sso":
            if d.get("email"):
                return _("Đăng nhập bằng SSO ({email})").format(email=d["email"])
            return _("Đăng nhập bằng SSO")
        return _("Đăng nhập bằng mật khẩu")
    if action == "login_failed":
        code = d.get("reason")
        reason = _(LOGIN_FAILURE_REASONS[code]) if code in LOGIN_FAILURE_REASONS else (code or "")
        if d.get("username"):
            return _("Tên đăng nhập “{username}”: {reason}").format(username=shown_user(d["username"]), reason=reason)
        return _("Email “{email}”: {reason}").format(email=d.get("email", ""), reason=reason)
    if action == "logout":
        return ""
    if action == "upload":
        text = _("Tệp “{file}” ({kind}): {accepted} dòng hợp lệ, {rejected} dòng lỗi").format(
            file=d.get("file_name") or "", kind=kind_label(d.get("kind")), accepted=d.get("rows_accepted") or 0,
            rejected=d.get("rows_rejected") or 0)
        if d.get("periods"):
            text += _("; kỳ {periods}").format(periods=", ".join(format_month(p) for p in d["periods"]))
        return text + _reason(d)
    if action in ("undo", "redo"):
        if d.get("file_name"):
            text = _("Lần tải lên {upload_id} (tệp “{file}”)").format(upload_id=d.get("upload_id"), file=d["file_name"])
        else:
            text = _("Lần tải lên {upload_id}").format(upload_id=d.get("upload_id"))
        return text + _reason(d)
    if action == "review":
        commune = names.get(d.get("commune_id"), d.get("commune_id") or "")
        month = format_month(d["period"]) if d.get("period") else ""
        status = d.get("status")
        text = f"{commune}, {month}: " + (_(REVIEW_STATUS_LABELS[status]) if status in REVIEW_STATUS_LABELS
                                          else status or "")
        return text + (_("; ý kiến: {comment}").format(comment=d["comment"]) if d.get("comment") else "")
    target = d.get("target", "")
    if action == "account_created":
        scope = ", ".join(d.get("commune_names") or d.get("provinces") or []) or _("toàn quốc")
        return _("Tài khoản {target} ({role}, {scope})").format(target=target, role=role_label(d.get("role")),
                                                               scope=scope)
    if action == "account_changed":
        parts = []
        changes = dict(d.get("changes") or {})
        if "commune_names" in changes:  # names read better than ids
            changes["communes"] = changes.pop("commune_names")
        for field, (old, new) in changes.items():
            if field == "role":
                old, new = role_label(old), role_label(new)
            if field in FIELD_CHANGES:
                parts.append(_(FIELD_CHANGES[field]).format(old=_list_text(old), new=_list_text(new)))
            else:
                parts.append(f"{field}: {_list_text(old)} → {_list_text(new)}")
        return _("Tài khoản {target}: {changes}").format(target=target, changes="; ".join(parts))
    if action in ("account_disabled", "account_enabled", "password_set"):
        return _("Tài khoản {target}").format(target=target)
    if action == "password_changed":
        return _("Tự đổi mật khẩu của mình")
    if action == "language_changed":
        names = {"vi": _("Tiếng Việt"), "en": "English"}
        return _("Ngôn ngữ giao diện: {get} → {get2}").format(
            get=names.get(d.get('old'), d.get('old')),
            get2=names.get(d.get('new'), d.get('new')))
    if action == "settings_changed":
        return "; ".join(f"{c['name']}: {_yes_no(c.get('old'))} → {_yes_no(c.get('new'))}"
                         for c in d.get("changes") or [])
    if action == "framework_loaded":
        status = d.get("status") or ""
        return _("Bộ khung “{name}” ({framework}), {years}, {status}; tệp “{file}”; nhóm: {groups}").format(
            name=d.get("name") or "", framework=d.get("framework") or "", years=_years_text(d.get("years") or ""),
            status=_(status) if status else "–", file=d.get("file_name") or "", groups=d.get("groups") or "–")
    if action == "boundaries_loaded":
        return _("Tỉnh {province}: tệp “{file}”, {matched} xã khớp ranh giới, {unmatched} đối tượng không khớp, "
                 "{missing} xã chưa có ranh giới").format(
            province=d.get("province") or "", file=d.get("file_name") or "", matched=d.get("matched") or 0,
            unmatched=len(d.get("unmatched") or []), missing=d.get("missing") or 0)
    return json.dumps(d, ensure_ascii=False, default=str)



def _event_communes(event: Mapping, uploads: Mapping[str, Mapping[str, str | None]]) -> list[str]:
    d = event.get("details") or {}
    if event.get("action") == "review" and d.get("commune_id"):
        return [d["commune_id"]]
    if d.get("upload_id") in uploads:
        return sorted(uploads[d["upload_id"]])
    return []


AUDIT_SCHEMA = {
    "time": pl.Datetime("us"), "month": pl.Utf8, "user": pl.Utf8, "action": pl.Utf8,
    "action_label": pl.Utf8, "details": pl.Utf8, "target": pl.Utf8, "upload_id": pl.Utf8,
    "communes": pl.List(pl.Utf8),
}


def audit_frame(
    store_root: str | os.PathLike,
    since: date | None = None,
    *,
    viewer: Account,
    places=None,
    upload_communes: Mapping[str, Mapping[str, str | None]] | None = None,
) -> pl.DataFrame:
    """The audit log as a table for the admin page, newest first, as `viewer` may see it.

    Columns: time (Vietnam time, naive datetime), month ('YYYY-MM', Vietnam), user, action
    (code), action_label and details (text in the interface's language), target (the account an account event
    concerns), upload_id, communes (the commune ids an upload or a review touched).

    The viewer must be allowed to see the log (else PermissionDenied). A country-wide admin
    (or LOCAL_ADMIN) sees everything; a province admin sees its own acts, the acts of and on
    the accounts it manages, and the uploads and reviews of its provinces' communes.
    `places` (queries.accounts.places.Places) names the communes; `upload_communes` (from
    `upload_communes(db)`) ties uploads to their communes.
    """
    viewer = fresh_actor(store_root, viewer)  # as stored now, not as the page remembers it
    if not may_see_audit(viewer):
        raise PermissionDenied(_("Chỉ Quản trị tỉnh được xem nhật ký hoạt động."))
    uploads = upload_communes or {}
    communes_catalog = places.communes if places is not None else []
    names = {c.commune_id: c.name for c in communes_catalog}
    provinces = {c.commune_id: c.province for c in communes_catalog}
    people = set() if viewer.country_wide else manageable_usernames(store_root, viewer) | {viewer.username}

    def visible(event: dict, communes: list[str]) -> bool:
        details = event.get("details") or {}
        if viewer.country_wide or event["user"] in people or details.get("target") in people:
            return True
        touched = uploads.get(details.get("upload_id"), {})
        provinces_of = [touched.get(c) or provinces.get(c) for c in communes]
        return bool(provinces_of) and all(p and province_in_scope(viewer, p) for p in provinces_of)

    rows = []
    for event in audit_events(store_root, since):
        communes = _event_communes(event, uploads)
        if not visible(event, communes):
            continue
        moment = datetime.fromisoformat(event["time"]).astimezone(clock.VIETNAM)
        details = event.get("details") or {}
        rows.append({
            "time": moment.replace(tzinfo=None),
            "month": moment.strftime("%Y-%m"),
            "user": shown_user(event["user"]),
            "action": event["action"],
            "action_label": action_label(event["action"]),
            "details": details_text(event, names),
            "target": details.get("target"),
            "upload_id": details.get("upload_id"),
            "communes": communes,
        })
    rows.reverse()
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA, orient="row")
