"""Which stores the tables are built from: the shipped demo (read-only) when included, then
the user store. One answer for the Database and the importer's catalog."""
from __future__ import annotations

from pathlib import Path

from queries.settings import DEMO_STORE, load_settings, store_dir
from queries.store.postgres import database_url
from queries.store.uploads import Store, StoreReading


def open_store(root: str | Path | None = None) -> StoreReading:
    """The user store: on PostgreSQL when DTI_DATABASE_URL is set (the folder then holds only
    this process's cache), else the embedded file store in the folder."""
    url = database_url()
    if url:
        from queries.store.pg_store import PgStore  # the driver loads only for a database

        return PgStore(store_dir(root), url)
    return Store(store_dir(root))


def open_sources(store: str | Path | None, include_demo: bool | None) -> tuple[Store, dict, list[tuple[str, Store]]]:
    """(the user store, its settings, [(name, store), ...]); `include_demo` None follows the
    setting include_demo."""
    user = open_store(store)
    if user.identity:
        user.version()  # on PostgreSQL, brings the shared settings into the local settings.json
    settings = load_settings(user.root)
    if include_demo is None:
        include_demo = bool(settings["include_demo"])
    sources: list[tuple[str, Store]] = []
    if include_demo and DEMO_STORE.exists():
        sources.append(("demo", Store(DEMO_STORE, read_only=True)))
    sources.append(("upload", user))
    return user, settings, sources
