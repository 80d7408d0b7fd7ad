"""Small shared files that admins load (a framework and `frameworks/loads.json`, a province's
boundaries): written here, read by the modules that own them as files of the store folder.

With the file store they are simply files under the folder, written atomically. On PostgreSQL
(DTI_DATABASE_URL) the `documents` table holds them, by their path under the folder; each
machine writes its own copy into its folder as it writes them, and copies the others' changes
before its next page view (PgStore.version calls `pull`). So the code that reads them never
asks which store it is on.
"""
from __future__ import annotations

import contextlib
from pathlib import Path, PurePosixPath

from queries.store.files import atomic_write, locked, make_directory
from queries.store.postgres import connection, database_url


def _checked(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"not a document name: {name!r}")
    return path.as_posix()


@contextlib.contextmanager
def changing(root: str | Path, name: str):
    """Yields a one-item list holding the document's bytes (None when absent), under a lock
    every machine shares; what the block leaves in it is written (None: left as it was)."""
    name = _checked(name)
    path = Path(root) / name
    make_directory(path.parent)
    url = database_url()
    if url is None:
        with locked(path.parent / f".{path.name}.lock"):
            holder = [path.read_bytes() if path.exists() else None]
            before = holder[0]
            yield holder
            if holder[0] is not None and holder[0] != before:
                atomic_write(path, holder[0])
        return
    with connection(url) as conn:
        conn.execute("insert into documents (name, content) values (%s, '') on conflict (name) do nothing", (name,))
        current = bytes(conn.execute("select content from documents where name = %s for update",
                                     (name,)).fetchone()[0])
        holder = [current or None]
        yield holder
        if holder[0] is not None and holder[0] != current:
            conn.execute("update documents set content = %s, changed = nextval('document_changes') where name = %s",
                         (holder[0], name))
    if holder[0] is not None:
        atomic_write(path, holder[0])  # this machine sees it at once


def write(root: str | Path, name: str, content: bytes) -> None:
    with changing(root, name) as holder:
        holder[0] = content


def pull(conn, root: Path, after: int) -> int:
    """Copy the documents changed after `after` into `root`; returns the newest change seen."""
    rows = conn.execute("select name, content, changed from documents where changed > %s", (after,)).fetchall()
    newest = after
    for name, content, changed in rows:
        newest = max(newest, changed)  # an empty row (a lock taken, nothing written) counts as seen
        if not content:
            continue
        path = root / _checked(name)
        make_directory(path.parent)
        atomic_write(path, bytes(content))
    return newest
