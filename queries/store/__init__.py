"""The store of everything users add ($DTI_STORE): append-only, committed by a journal.

    uploads.py   Store: uploads, undo/redo, reviews, evidence blobs, compaction, cleanup
    journal.py   journal.jsonl, the ordered list of committed changes
    files.py     atomic writes and the advisory lock every writer shares
    pg_store.py  the same store on PostgreSQL (DTI_DATABASE_URL), shared by any number of machines
    postgres.py  the connection pool, the schema and its migrations
    sources.py   which stores the tables are built from (demo, then the user store)
"""
from queries.store.sources import open_sources, open_store
from queries.store.uploads import (
    COMPACT_AFTER_FILES,
    KINDS,
    ROW_SCHEMAS,
    Receipt,
    Store,
    StoreState,
    content_hash,
)

__all__ = ["COMPACT_AFTER_FILES", "KINDS", "ROW_SCHEMAS", "Receipt", "Store", "StoreState", "content_hash", "open_sources",
           "open_store"]
