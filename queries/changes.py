"""Every change to the data goes through here: who may make it, and what the month allows.

The upload page, the review page and the command line call these functions with the account
acting (`queries.accounts.LOCAL_ADMIN` on the command line without `--as`); each checks the
account's permission itself (queries/accounts/permissions.py holds the rules) and the
reporting calendar (queries/cycle/calendar.py), then hands the change to the store, whose
journal records it with the account's username. Hiding a button is never the protection.

    store_upload(db, result, actor, evidence=(), received_at=None, reason=None) -> Receipt
    undo(db, upload_id, actor, reason=None) / redo(...)
    review_month(db, actor, commune_id, period, status, comment=None)

A refusal raises `Refused` with one Vietnamese sentence for the person.
"""
from __future__ import annotations

from datetime import date, datetime

from queries import clock, i18n
from queries.accounts import permissions
from queries.accounts.audit import upload_communes
from queries.accounts.permissions import Account
from queries.cycle import calendar
from queries.cycle.evidence import Evidence
from queries.data import DataSource
from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.store import Receipt, content_hash
from queries.text import clean_text, format_month

# The words are msgids: _(REVIEW_STATUSES[status]) where shown.
REVIEW_STATUSES = {"da_tham_dinh": N_("Đã thẩm định"), "yeu_cau_bo_sung": N_("Yêu cầu bổ sung")}
AWAITING_REVIEW = ("cho_tham_dinh", N_("Chờ thẩm định"))
REASON_NEEDED = N_("Tháng này đã khóa sổ: hãy ghi lý do thay đổi (lý do được lưu trong nhật ký).")


class Refused(UserFacingError):
    """A change this account may not make, or the month does not allow."""


class NothingToStore(UserFacingError):
    """A file without one row worth storing."""


def is_admin(actor: Account | None) -> bool:
    return actor is not None and actor.active and actor.role == permissions.QUAN_TRI


def closed_months(months, db: DataSource, now: datetime | None = None) -> list[date]:
    now = now or clock.now()
    return sorted({m for m in months if calendar.is_closed(m, now, db.settings)})


def _typed(text: str | None) -> str | None:
    """Text a person typed (a reason, a comment, a note), as kept: cleaned, or None when empty."""
    return clean_text(text or "").strip() or None


def _check_closed(months, db: DataSource, actor: Account, reason: str | None) -> str | None:
    """Commune staff cannot change a closed month; an admin can, with a reason."""
    reason = _typed(reason)
    closed = closed_months(months, db)
    if not closed:
        return None
    if not is_admin(actor):
        raise Refused(_("Không thay đổi được: {reason}.").format(reason=calendar.closed_message(closed[0], db.settings)))
    if not reason:
        raise Refused(_(REASON_NEEDED))
    return reason


def store_upload(db: DataSource, result, actor: Account, *, evidence: list[Evidence] | tuple = (),
                 received_at: datetime | None = None, reason: str | None = None) -> Receipt:
    """Store the accepted rows of a checked file (queries.ingest.results.CheckResult) as one
    upload by `actor`, with its evidence. The checker has already turned rows outside the
    account's communes and rows of closed months into row errors; this checks again."""
    if not result.readable or result.kind is None:
        raise NothingToStore(_("Tệp không đọc được: không có gì để lưu"))
    refusal = permissions.upload_refusal(actor, result.kind)
    if refusal:
        raise Refused(refusal)
    if not result.accepted:
        raise NothingToStore(_("Không có dòng hợp lệ nào để lưu"))
    refusal = _outside_scope(db, result, actor)
    if refusal:
        raise Refused(refusal)
    if received_at is not None and not is_admin(actor):
        raise Refused(_("Chỉ Quản trị tỉnh được ghi ngày nhận báo cáo (--received-at)."))
    # What identifies this upload: the file as understood, and what came with it (the same
    # file sent again with new evidence, or a stated time of receipt, is a new upload).
    hashes = sorted(content_hash(item.content) for item in evidence)
    identity = result.store_content()
    if hashes or received_at is not None:
        identity += ("\n#dti-with " + ",".join(hashes) + f" {received_at.isoformat() if received_at else ''}").encode()
    existing = db.store.state().active_duplicate(result.kind, content_hash(identity))
    if existing is not None:
        return Receipt(existing, duplicate=True)  # already stored: no reason or evidence needed
    months = {r.record["period"] for r in result.accepted if r.record.get("period")}
    reason = _check_closed(months, db, actor, reason) if result.kind == "actuals" else _typed(reason)
    blobs = [{"name": item.name, "sha256": db.store.put_blob(item.content), "type": item.kind,
              "size": len(item.content)} for item in evidence]
    return db.store.add_upload(
        result.kind, result.frame(), file_name=result.file_name, content=identity,
        original=result.content, user=actor.username, rows_total=len(result.rows),
        rows_rejected=len(result.rejected), received_at=received_at, evidence=blobs, reason=reason,
    )


def current_provinces(db: DataSource, commune_ids) -> dict[str, str]:
    """{commune_id: the province it belongs to now}, for the communes the tables know."""
    ids = sorted({c for c in commune_ids if c})
    if not ids:
        return {}
    found = db.run("commune_provinces", communes=ids)
    return dict(found.iter_rows())


def _outside_scope(db: DataSource, result, actor: Account) -> str | None:
    """The first accepted row the account may not store, as 'Dòng 5: …'. A commune's scope
    is its province as the tables hold it now, never the province the row writes (a file,
    or a result put together by a program, could write any)."""
    rows = [row for row in result.accepted if row.record.get("commune_id")]
    current = current_provinces(db, (row.record["commune_id"] for row in rows))
    for row in rows:
        record = row.record
        commune_id = record["commune_id"]
        name = record.get("commune_name") or commune_id
        if result.kind == "communes":
            message = permissions.commune_row_refusal(actor, name, current.get(commune_id), record.get("province"))
        else:
            province = current.get(commune_id, record.get("province"))
            message = (None if permissions.commune_in_scope(actor, commune_id, province)
                       else permissions.row_refusal(actor, name, province))
        if message:
            return _("Dòng {row}: {message}").format(row=row.row, message=message)
    return None


def _months_of(entry: dict) -> list[date]:
    return [date(int(p[:4]), int(p[5:7]), 1) for p in entry.get("periods") or ()]


def _state_change(db: DataSource, upload_id: str, actor: Account, action: str, reason: str | None) -> bool:
    try:
        entry = db.store.upload(upload_id)
    except KeyError:
        raise Refused(_("Không có lần tải lên mã “{upload}”.").format(upload=upload_id)) from None
    communes = upload_communes(db, upload_id).get(upload_id, {})
    refusal = (permissions.redo_refusal if action == "redo" else permissions.undo_refusal)(actor, entry, communes)
    if refusal:
        raise Refused(refusal)
    reason = _check_closed(_months_of(entry), db, actor, reason) if entry["kind"] == "actuals" else _typed(reason)
    return getattr(db.store, action)(upload_id, user=actor.username, reason=reason)


def undo(db: DataSource, upload_id: str, actor: Account, reason: str | None = None) -> bool:
    """Hide an upload (its values give way to the ones before). False when already undone."""
    return _state_change(db, upload_id, actor, "undo", reason)


def redo(db: DataSource, upload_id: str, actor: Account, reason: str | None = None) -> bool:
    return _state_change(db, upload_id, actor, "redo", reason)


def review_month(db: DataSource, actor: Account, commune_id: str, period: date, status: str,
                 comment: str | None = None) -> dict:
    """The province's appraisal of one commune's month: 'da_tham_dinh' or 'yeu_cau_bo_sung'
    (with a comment the commune sees)."""
    if status not in REVIEW_STATUSES:
        raise Refused(_("Trạng thái thẩm định “{status}” không có.").format(status=status))
    commune = db.run("commune_name_province", commune=commune_id)
    if commune.is_empty():
        raise Refused(_("Không có xã mã “{code}”.").format(code=commune_id))
    name, province = commune.row(0)
    refusal = permissions.review_refusal(actor, province)
    if refusal:
        raise Refused(refusal)
    comment = _typed(comment)
    if status == "yeu_cau_bo_sung" and not comment:
        raise Refused(_("Hãy ghi rõ {commune} cần bổ sung gì cho {month}.").format(
            commune=name, month=format_month(period).lower() if i18n.current() == "vi" else format_month(period)))
    return db.store.add_review(commune_id, period, status, user=actor.username, comment=comment)


def set_task_status(db: DataSource, actor: Account, commune_id: str, plan_year: int, item: str, status: str,
                    completed_on: date | None = None, note: str | None = None) -> Receipt:
    """A task's status set on the page: stored as a one-row upload of kind 'tasks', so it has
    the same permissions, history, undo and audit as a file of task statuses."""
    import polars as pl

    from queries.plans.tasks import STATUS_LABELS
    from queries.store import ROW_SCHEMAS

    task = db.run("plan_task", commune=commune_id, plan_year=plan_year, item=item)
    if task.is_empty():
        raise Refused(_("Không có nhiệm vụ mục {item} trong kế hoạch năm {year} của xã này.").format(
            item=item, year=plan_year))
    name, commune_name, province = task.row(0)
    refusal = permissions.upload_refusal(actor, "tasks")
    if refusal:
        raise Refused(refusal)
    if not permissions.commune_in_scope(actor, commune_id, province):
        raise Refused(permissions.row_refusal(actor, commune_name, province))
    if status not in STATUS_LABELS:
        raise Refused(_("Trạng thái “{status}” không có.").format(status=status))
    if status == "hoan_thanh" and completed_on is None:
        raise Refused(_("Hãy ghi ngày hoàn thành."))
    if status != "hoan_thanh":
        completed_on = None
    note = _typed(note)
    if completed_on is not None and completed_on > clock.today():
        raise Refused(_("Ngày hoàn thành không được ở tương lai."))
    row = pl.DataFrame([{"row_number": 1, "commune_id": commune_id, "plan_year": plan_year, "item": item,
                         "status": status, "completed_on": completed_on, "note": note}],
                       schema=ROW_SCHEMAS["tasks"], orient="row")
    moment = clock.now()
    # The moment is part of the content: setting the same status again later is a new report.
    content = f"task {commune_id} {plan_year} {item} {status} {completed_on} {note} {moment.isoformat()}".encode()
    return db.store.add_upload("tasks", row, file_name=f"Trang Nhiệm vụ: mục {item}", content=content,
                               user=actor.username, rows_total=1)
