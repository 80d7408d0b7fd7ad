"""The PostgreSQL server that several machines share: the address, a pool of connections per
process, the schema (created and migrated at start) and what a lost connection means to a user.

    DTI_DATABASE_URL=postgresql://user@host:5432/dti   (or --database-url on every command)

Without it the embedded file store stays the default. With it, every shared thing lives in the
database (the journal of changes, the uploads' values and originals, evidence, accounts,
sign-in sessions, the audit log, settings) and each process keeps only a local cache it can
rebuild (queries.store.pg_store).

psycopg 3 with psycopg_pool: the maintained driver and its pool; every value is bound, never
formatted into SQL text. The schema is the numbered files in `queries/store/schema/`, applied in
order inside one transaction under an advisory lock, recorded in `schema_version`: two processes
starting at once migrate once, and a failed migration leaves the schema as it was.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from queries.errors import UserFacingError
from queries.i18n import N_, _

log = logging.getLogger(__name__)
# The pool reports each failed reconnection with a traceback: those belong in the app's log
# when it has one, never on a person's terminal (Python's last-resort handler).
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())

ENV_NAME = "DTI_DATABASE_URL"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
# Any two processes migrating at once take this lock (a number only this app uses).
MIGRATION_LOCK = 0x44_54_49_01  # "DTI" 1
# Every change to the journal takes this one, so sequence numbers are given in commit order.
JOURNAL_LOCK = 0x44_54_49_02
CONNECT_SECONDS = 10.0
RECONNECTING = N_("Đang kết nối lại cơ sở dữ liệu…")  # a msgid: _(RECONNECTING) where shown


class DatabaseUnavailable(UserFacingError):
    """The PostgreSQL server cannot be reached (or stopped answering); the message is Vietnamese
    and names the server without its password."""


def database_url() -> str | None:
    """The shared database's address, or None for the embedded file store."""
    url = (os.environ.get(ENV_NAME) or "").strip()
    return url or None


def use_database_url(url: str | None) -> None:
    """`--database-url` of a command: the same as setting DTI_DATABASE_URL for this process."""
    if url:
        os.environ[ENV_NAME] = url


def server_name(url: str) -> str:
    """host:port/database, for messages and logs: never the user's password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return _("(địa chỉ không hợp lệ)")
    database = parts.path.lstrip("/") or ""
    return f"{host}:{port}/{database}" if database else f"{host}:{port}"


def unavailable(url: str, error: BaseException | None = None) -> DatabaseUnavailable:
    detail = ""
    if error is not None:
        # libpq's first line says why (refused, timeout, authentication); strip anything that
        # could carry the address's password.
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        detail = ": " + re.sub(r"password=\S+|://[^@\s]*@", "://…@", first)[:200]
    return DatabaseUnavailable(_("Không kết nối được cơ sở dữ liệu PostgreSQL {server}{detail}. Hãy kiểm tra máy chủ cơ "
                                 "sở dữ liệu và DTI_DATABASE_URL.").format(server=server_name(url), detail=detail))


_pools: dict[str, object] = {}
_pools_lock = threading.Lock()
_migrated: set[str] = set()


def pool(url: str):
    """This process's pool for `url`, opened (and the schema migrated) on first use."""
    with _pools_lock:
        existing = _pools.get(url)
        if existing is not None:
            return existing
    import psycopg  # only a process on PostgreSQL pays for the driver
    from psycopg_pool import ConnectionPool

    try:  # one direct try first: an unreachable server is said at once, in one sentence
        psycopg.connect(url, connect_timeout=int(CONNECT_SECONDS)).close()
    except psycopg.Error as error:
        raise unavailable(url, error) from None
    created = ConnectionPool(url, min_size=1, max_size=int(os.environ.get("DTI_DATABASE_POOL", "8")),
                             open=False, check=ConnectionPool.check_connection,
                             kwargs={"autocommit": False, "connect_timeout": int(CONNECT_SECONDS)},
                             reconnect_timeout=300, name="dti")
    try:
        created.open(wait=True, timeout=CONNECT_SECONDS)
    except Exception as error:  # PoolTimeout, OperationalError: the server is not there
        created.close()
        raise unavailable(url, getattr(error, "__cause__", None) or error) from None
    # Migrated before it is handed to anyone: another thread asking meanwhile must not get a
    # pool whose schema is not there yet (two first uses at once each migrate, under the lock).
    if url not in _migrated:
        try:
            with created.connection() as conn:
                migrate(conn)
        except BaseException:
            created.close()
            raise
        _migrated.add(url)
    with _pools_lock:
        if url in _pools:  # another thread won the race
            created.close()
            return _pools[url]
        _pools[url] = created
    return created


def close_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
        _migrated.clear()
    for each in pools:
        each.close()


def is_connection_error(error: BaseException) -> bool:
    import psycopg
    from psycopg_pool import PoolTimeout

    return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)) and not isinstance(
        error, psycopg.errors.QueryCanceled)


@contextlib.contextmanager
def connection(url: str):
    """A pooled connection; the block is one transaction (committed when it ends normally).
    A lost server becomes DatabaseUnavailable, which pages show as "reconnecting"."""
    the_pool = pool(url)
    try:
        with the_pool.connection(timeout=CONNECT_SECONDS) as conn:
            yield conn
    except Exception as error:
        if is_connection_error(error):
            raise unavailable(url, error) from error
        raise


def retrying(url: str, work, *, attempts: int = 30, pause: float = 0.5):
    """Run `work(conn)` in one transaction, again on a fresh connection while the server is
    restarting (up to `attempts` tries, each waiting up to CONNECT_SECONDS for a
    connection). `work` must be safe to run again: a transaction that
    failed did nothing, and one whose commit was cut off is recognised by `work` itself."""
    for attempt in range(attempts):
        try:
            with connection(url) as conn:
                return work(conn)
        except DatabaseUnavailable:
            if attempt == attempts - 1:
                raise
            log.warning("PostgreSQL %s unreachable; trying again (%d)", server_name(url), attempt + 1)
            time.sleep(pause)


# ---- the schema -------------------------------------------------------------------------------

def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every schema file, in order."""
    found = []
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        number = re.match(r"(\d+)_", path.name)
        if number:
            found.append((int(number.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    assert versions == list(range(1, len(found) + 1)), f"schema files must be numbered 1..n: {versions}"
    return found


def migrate(conn) -> list[int]:
    """Bring the schema up to the newest version; returns the versions applied now."""
    applied_now = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("""create table if not exists schema_version (
                            version integer primary key,
                            name text not null,
                            applied_at timestamptz not null default now())""")
        done = {row[0] for row in conn.execute("select version from schema_version")}
        for version, name, sql in migrations():
            if version in done:
                continue
            conn.execute(sql)
            conn.execute("insert into schema_version (version, name) values (%s, %s)", (version, name))
            applied_now.append(version)
            log.info("schema: applied %s", name)
    newest = max((v for v, _, _ in migrations()), default=0)
    with conn.transaction():
        known = conn.execute("select max(version) from schema_version").fetchone()[0] or 0
    if known > newest:
        raise DatabaseUnavailable(
            _("Cơ sở dữ liệu đang ở phiên bản lược đồ {known}, mới hơn phiên bản {newest} mà bản ứng dụng này biết. "
              "Hãy cập nhật ứng dụng trên máy này.").format(known=known, newest=newest))
    return applied_now


def schema_version(url: str) -> int:
    with connection(url) as conn:
        return conn.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0]


def reachable(url: str) -> bool:
    """Whether the server answers now (a page waiting to reconnect asks this)."""
    try:
        with connection(url) as conn:
            conn.execute("select 1")
        return True
    except DatabaseUnavailable:
        return False
