"""The accounts' side of moving a file store into PostgreSQL (queries.migrate): accounts, the
sign-in throttle's state, the key of keyed hashes (so the audit log's marks keep meaning the
same texts) and the audit log, inside the caller's transaction. Sessions are not copied."""
from __future__ import annotations

import json
from pathlib import Path

from queries.accounts.audit import file_audit_lines
from queries.accounts.audit_log import parse_utc
from queries.accounts.storage import ACCOUNTS_FILE, FOLDER, KEY_FILE, LOGINS_FILE


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _accounts(root: Path) -> dict:
    return _read_json(root / FOLDER / ACCOUNTS_FILE).get("accounts", {})


def _audit(root: Path) -> list[dict]:
    return [line for line in file_audit_lines(root) if parse_utc(line.get("time")) is not None]


def accounts_file_counts(root) -> dict[str, float]:
    root = Path(root)
    return {"tài khoản": len(_accounts(root)), "dòng nhật ký hoạt động": len(_audit(root))}


def accounts_database_counts(conn) -> dict[str, float]:
    return {"tài khoản": conn.execute("select count(*) from accounts").fetchone()[0],
            "dòng nhật ký hoạt động": conn.execute("select count(*) from audit").fetchone()[0]}


def _value(conn, name: str, value) -> None:
    conn.execute("""insert into shared_values (name, value) values (%s, %s::jsonb)
                    on conflict (name) do update set value = excluded.value, version = shared_values.version + 1""",
                 (name, json.dumps(value, ensure_ascii=False)))


def copy_accounts(root, conn) -> None:
    root = Path(root)
    for username, record in sorted(_accounts(root).items()):
        conn.execute("insert into accounts (username, record) values (%s, %s::jsonb)",
                     (username, json.dumps(record, ensure_ascii=False)))
    logins = _read_json(root / FOLDER / LOGINS_FILE)
    if logins:
        _value(conn, "logins", logins)
    key = root / FOLDER / KEY_FILE
    if key.exists():
        _value(conn, "secret_key", key.read_bytes().hex())
    for line in _audit(root):
        conn.execute("""insert into audit (time, "user", action, line) values (%s, %s, %s, %s::jsonb)""",
                     (parse_utc(line["time"]), line.get("user") or "", line.get("action") or "",
                      json.dumps(line, ensure_ascii=False, default=str)))
