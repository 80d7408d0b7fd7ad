"""One small entry point for every caller: `run_query(name, **params) -> polars.DataFrame`.

A Database holds a DuckDB connection whose tables are built (queries/engine/build.py) from
the shipped files in `data/`, the shipped demo store `data/demo/` and the user store
(DTI_STORE). It keeps them up to date change by change: each query first checks the stores'
journals (a file size) and applies what was committed since, recomputing only the communes
the changes touched. Readers never wait for that: the tables they query are the last
complete version, and a refresh in progress is committed as one transaction.

- `Database(background=False)` (command line, tests): a query applies pending changes first,
  so what was just stored is seen.
- `Database(background=True)` (the app): a query answers from the current version at once
  and, when the stores have moved on, starts the refresh in a background thread; the
  session that stored something asks `ensure_fresh(wait=True)`. A watcher thread also looks
  at the journals' sizes every WATCH_SECONDS and refreshes as soon as another process
  (another replica, the command line) commits, so the next page view there already shows it.

A new process opens the last snapshot of the built tables kept beside the store
(queries/engine/snapshot.py) and applies only the changes since; it builds from the files
only when there is none. Each query runs on its own cursor: Streamlit sessions are
threads, and one DuckDB connection refuses concurrent use.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
import weakref
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from queries import clock
from queries.data import frame, sql_header, sql_text
from queries.engine import build, scratch, snapshot
from queries.frameworks import registry as frameworks
from queries.settings import DATA_DIR, load_settings, store_dir
from queries.store import open_sources
from queries.text import province_key

log = logging.getLogger(__name__)

# A build that took at least this long is saved as a snapshot for the next process.
SNAPSHOT_AFTER_BUILD_SECONDS = 1.5
# A snapshot is written again when the journals grew this much, or this much time with
# changes passed, since the last one (so a new process has little to catch up on).
SNAPSHOT_EVERY_BYTES = 512 * 1024
SNAPSHOT_EVERY_SECONDS = 600

# Settings of the scoring method: changing one recomputes every derived table. Others (the
# deadline day, login rules, public view…) are read by queries as they run.
SCORING_SETTINGS = ("weight_HT", "weight_NL", "weight_AT", "weight_CQ", "weight_KT", "weight_XH",
                    "unreported_rule", "score_basis")


# How often a background-mode Database looks at the journals' sizes (one stat per store).
WATCH_SECONDS = 0.25

SPILL_PREFIX = "dti-spill-"  # DuckDB's spill folder of a process, in the temporary folder

# Settings of the DuckDB engine itself (rows of queries.settings.SETTINGS): a change applies
# to the open connection at once and changes no table.
ENGINE_SETTINGS = ("duckdb_memory_mb", "duckdb_threads")


class Database:
    def __init__(
        self,
        store: str | Path | None = None,
        include_demo: bool | None = None,
        data_dir: str | Path = DATA_DIR,
        *,
        background: bool = False,
        snapshots: bool = True,
    ):
        self.data_dir = Path(data_dir)
        self.store, self.settings, self.sources = open_sources(store, include_demo)
        self.background = background
        self.snapshots = snapshots
        self._con: duckdb.DuckDBPyConnection | None = None
        self._private_dir: Path | None = None
        self._spill_dir: Path | None = None  # where DuckDB writes what exceeds its memory limit
        self._read_only_snapshot: Path | None = None  # the snapshot file, while opened as it is
        self._lock = threading.Lock()  # one refresh at a time; readers never take it
        self._refresher: threading.Thread | None = None
        self._watcher: threading.Thread | None = None
        self._local = threading.local()  # each thread's cursor (see _cursor)
        self._version: tuple | None = None
        # What version_for keys answers by, one tuple replaced whole: an epoch that moves with any
        # change beyond some communes' own rows (settings, frameworks, a commune catalog, a
        # build), the count of refreshes, and the last refresh that touched each province (by
        # province_key) and each kind of rows (targets, actuals…).
        self._epochs: tuple[int, int, dict[str, int], dict[str, int]] = (0, 0, {}, {})
        self._commune_provinces: tuple[int, dict[str, str]] = (-1, {})
        self._offsets: dict[str, int] = {}
        self._settings_stamp = None
        self._snapshot_offsets: dict[str, int] = {}
        self._cached_months: set = set()  # months in the score cache of the current tables
        self._snapshot_saved_at = 0.0
        self.load_seconds = 0.0
        self.last_refresh_seconds = 0.0
        self.opened_from = ""  # "snapshot" or "files": how the tables were first made
        self.builds_from_files = 0  # full builds so far; a refresh that had to fall back adds one

    # ---- versions ------------------------------------------------------------------------
    def _settings_version(self):
        """settings.json and the frameworks loaded (queries/frameworks): both change the method."""
        try:
            settings = os.stat(self.store.root / "settings.json").st_mtime_ns
        except FileNotFoundError:
            settings = 0
        return settings, frameworks.stamp(self.store.root)

    def store_version(self) -> tuple:
        """What the stores hold now: changes with any commit and any edit of settings.json."""
        return (*(s.version() for _, s in self.sources), self._settings_version())

    def version(self) -> tuple:
        """The version of the tables queries see now (a cache key for their results)."""
        self.ensure_fresh()
        return self._version

    def version_for(self, name: str, params: dict) -> tuple:
        """The version a query's answer depends on (its cache key): what its file's `reads:`
        line allows. An answer about one province stays valid while other provinces upload;
        reference answers while anything but the settings and frameworks changes; every other
        answer (all provinces, the journal…) with any change."""
        version = self.version()
        epoch, _, stamps, kinds = self._epochs
        reads = sql_header(name).get("reads")
        if reads == "reference":
            return ("reference", epoch)
        if reads == "targets":
            return ("targets", epoch, kinds.get("targets", 0))
        if reads != "province":
            return version
        provinces = set()
        if params.get("province") is not None:
            provinces.add(province_key(str(params["province"])))
        if params.get("commune") is not None:
            province = self._province_of_commune(str(params["commune"]), epoch)
            if province is None:  # not in the catalog: no province to key by
                return version
            provinces.add(province)
        if not provinces:  # every province
            return version
        return ("province", epoch, tuple(sorted((p, stamps.get(p, 0)) for p in provinces)))

    def _province_of_commune(self, commune: str, epoch: int) -> str | None:
        known_at, provinces = self._commune_provinces
        if known_at != epoch:  # the commune catalog changes only with the epoch
            rows = frame(self._cursor().sql("select commune_id, province from communes"))
            provinces = {c: province_key(p) for c, p in rows.iter_rows() if p is not None}
            self._commune_provinces = (epoch, provinces)
        return provinces.get(commune)

    def _moved(self, provinces: set[str] | None, kinds: set[str] | None = None) -> None:
        """After a commit: the provinces and the kinds of rows whose answers changed (provinces
        None: possibly everything)."""
        epoch, refreshes, stamps, kind_stamps = self._epochs
        step = refreshes + 1
        if provinces is None or kinds is None:
            self._epochs = (epoch + 1, step, {}, {})
        else:
            self._epochs = (epoch, step, {**stamps, **{province_key(p): step for p in provinces}},
                            {**kind_stamps, **{kind: step for kind in kinds}})

    # ---- keeping the tables fresh ----------------------------------------------------------
    def ensure_fresh(self, wait: bool | None = None) -> None:
        if self._con is None:
            with self._lock:
                if self._con is None:
                    self._open()
                    self._start_watching()
        if self.store_version() == self._version:
            return
        if wait or (wait is None and not self.background):
            with self._lock:
                self._refresh()
        else:
            self._refresh_in_background()

    def _start_watching(self) -> None:
        if self.background and self._watcher is None:
            self._watcher = threading.Thread(target=_watch, args=(weakref.ref(self),), name="dti-watch", daemon=True)
            self._watcher.start()

    def _refresh_in_background(self) -> None:
        if self._refresher is not None and self._refresher.is_alive():
            return

        def run():
            try:
                with self._lock:
                    self._refresh()
            except Exception:  # the next query tries again; readers keep the last version
                log.exception("background refresh failed")

        self._refresher = threading.Thread(target=run, name="dti-refresh", daemon=True)
        self._refresher.start()

    def _open(self) -> None:
        """First tables of this process: the snapshot if there is a usable one, else a build."""
        started = time.perf_counter()
        self.opened_from = "files"
        if self.snapshots and self._open_snapshot():
            self.opened_from = "snapshot"
            self._refresh()
        else:
            self._build()
        self.load_seconds = time.perf_counter() - started

    def _snapshot_path(self) -> Path:
        key = snapshot.fingerprint(self.data_dir, [(n, s.root) for n, s in self.sources])
        return snapshot.snapshot_path(self.store.root, key)

    def _open_snapshot(self) -> bool:
        """Open the snapshot as it is, read-only: several processes can, and nothing is
        copied until something must be written (_make_writable)."""
        path = self._snapshot_path()
        if not path.exists():
            return False
        try:
            con = self._configured(duckdb.connect(str(path), read_only=True))
        except duckdb.Error as problem:
            log.info("snapshot not opened: %s", problem)
            return False
        try:
            offsets, settings = snapshot.read_meta(con)
            if any(offsets.get(name, 0) > store.version() for name, store in self.sources):
                raise ValueError("snapshot is ahead of the store")  # the store was replaced
            cached = build.cached_months(con)
        except (duckdb.Error, KeyError, ValueError) as problem:
            log.info("snapshot not used: %s", problem)
            con.close()
            return False
        self._adopt(con, None)
        self._read_only_snapshot = path
        self._cached_months = cached
        self._offsets = offsets
        self._snapshot_offsets = dict(offsets)
        self._snapshot_saved_at = time.time()
        self.settings = settings
        return True

    def _make_writable(self) -> None:
        """Before the first change to tables opened read-only from a snapshot: work on a
        private copy from now on (the snapshot itself is never edited)."""
        if self._read_only_snapshot is None:
            return
        opened = snapshot.open_private_copy(self._read_only_snapshot) or snapshot.private_copy_of(self._con)
        if opened is None:
            raise duckdb.IOException("the snapshot could not be copied")
        self._adopt(self._configured(opened[0]), opened[1])
        self._read_only_snapshot = None

    def _configured(self, con: duckdb.DuckDBPyConnection, settings: dict | None = None) -> duckdb.DuckDBPyConnection:
        """`con` with the memory and threads the settings give DuckDB, spilling to a folder of
        this process: by default DuckDB takes 80 % of the machine's memory, as many threads as
        it has cores, and spills beside the database file (the snapshot's folder, which every
        replica shares) or into the working directory."""
        settings = settings or load_settings(self.store.root)
        if self._spill_dir is None:
            self._spill_dir = scratch.make(SPILL_PREFIX)
        cursor = con.cursor()
        try:
            try:
                cursor.execute(f"set temp_directory = '{self._spill_dir}'")  # a folder we made
            except duckdb.Error:
                pass  # another Database of this process opened the same file first and has spilled
            cursor.execute(f"set memory_limit = '{int(settings['duckdb_memory_mb'])}MiB'")
            cursor.execute(f"set threads = {int(settings['duckdb_threads'])}")
            # Memory a query freed goes back to the system within seconds, not at the next
            # large query: without this a replica kept its largest page's peak for good.
            cursor.execute("set allocator_background_threads = true")
        finally:
            cursor.close()
        return con

    def _adopt(self, con: duckdb.DuckDBPyConnection, private_dir: Path | None) -> None:
        old_dir = self._private_dir
        self._con, self._private_dir = con, private_dir
        if old_dir is not None:
            # Readers still holding the old connection keep its open file; the folder goes.
            scratch.remove(old_dir)

    def _build(self) -> None:
        """Every table from the files, on a new connection that replaces the old one whole."""
        started = time.perf_counter()
        for attempt in range(3):
            versions = self.store_version()
            offsets = {name: store.version() for name, store in self.sources}
            settings = load_settings(self.store.root)
            con = self._configured(duckdb.connect(), settings)
            try:
                cursor = con.cursor()
                cursor.execute("begin transaction")
                build.load_static(cursor, self.data_dir, settings)
                build.load_frameworks(cursor, self.data_dir, self.store.root, settings)
                build.build_base(cursor, self.data_dir, self.sources)
                build.build_derived(cursor)
                build.fill_score_cache(cursor, build.months_people_open(cursor, clock.today()))
                snapshot.write_meta(cursor, offsets, settings)
                cached = build.cached_months(cursor)
                cursor.execute("commit")
                break
            except (duckdb.IOException, FileNotFoundError):
                # A compaction removed a file between listing and reading: list again.
                con.close()
                if attempt == 2:
                    raise
                time.sleep(0.05)
        self._adopt(con, None)
        self._cached_months = cached
        self.builds_from_files += 1
        self.settings, self._offsets = settings, offsets
        self._settings_stamp = versions[-1]
        self._moved(None)
        self._version = versions
        self.last_refresh_seconds = time.perf_counter() - started
        if self.snapshots and self.last_refresh_seconds >= SNAPSHOT_AFTER_BUILD_SECONDS:
            self._save_snapshot()

    def _refresh(self) -> None:
        """Apply what was committed since the tables' version (caller holds the lock)."""
        target = self.store_version()
        if target == self._version:
            return
        started = time.perf_counter()
        settings = load_settings(self.store.root)
        if any(settings[name] != self.settings.get(name) for name in ENGINE_SETTINGS):
            self._configured(self._con, settings)
        settings_changed = any(value != self.settings.get(name) for name, value in settings.items()
                               if name not in ENGINE_SETTINGS)
        method_changed = any(settings[name] != self.settings.get(name) for name in SCORING_SETTINGS)
        # A store whose version is the tables' offset has nothing new: not reading its journal
        # spares a new process parsing every line of it (tens of ms at national scale).
        changes = {name: store.changes(self._offsets.get(name, 0)) if version != self._offsets.get(name, 0)
                   else ([], version)
                   for (name, store), version in zip(self.sources, target)}
        # loads.json's stamp is in the version: look in the tables only when it moved (or at first)
        frameworks_changed = self._version is None or target[-1][1] != self._version[-1][1]
        if frameworks_changed:
            reader = self._con.cursor()
            try:
                frameworks_changed = build.frameworks_stale(reader, self.data_dir, self.store.root)
            finally:
                reader.close()
        if not settings_changed and not frameworks_changed and not any(entries for entries, _ in changes.values()):
            # Nothing that changes a table (the first look at a snapshot, an engine setting).
            self.settings, self._version = settings, target
            return
        try:
            self._make_writable()
        except duckdb.Error:
            self._build()
            return
        cursor = self._con.cursor()
        try:
            cursor.execute("begin transaction")
            touched: set[str] = set()
            offsets = dict(self._offsets)
            kinds: set[str] | None = None if settings_changed or frameworks_changed else set()
            for priority, (name, store) in enumerate(self.sources, start=1):
                entries, offsets[name] = changes[name]
                touched |= build.apply_changes(cursor, name, priority, store, entries)
                changed = build.changed_kinds(cursor, priority, entries)
                kinds = None if kinds is None or changed is None else kinds | changed
            if settings_changed:
                build.load_settings_tables(cursor, settings)
            if settings_changed or frameworks_changed:
                build.load_frameworks(cursor, self.data_dir, self.store.root, settings)
            if method_changed or frameworks_changed:
                build.build_derived(cursor)  # every score depends on these
                self._cached_months = set()  # before the commit empties the cache for readers
            else:
                build.refresh_derived(cursor, touched)
            snapshot.write_meta(cursor, offsets, settings)
            cached = build.cached_months(cursor)
            moved = build.provinces_of(cursor, touched) if kinds is not None else None
            cursor.execute("commit")
        except (duckdb.Error, FileNotFoundError, KeyError) as problem:
            # A file the journal names is gone (a long-delayed reader after a compaction's
            # grace period), or the tables disagree with the journal: build again from files.
            log.warning("incremental refresh failed (%s); building from the files", problem)
            try:
                cursor.execute("rollback")
            except duckdb.Error:
                pass
            self._build()
            return
        finally:
            cursor.close()
        self.settings, self._offsets = settings, offsets
        self._cached_months = cached
        self._settings_stamp = target[-1]
        self._moved(moved, kinds)
        self._version = target
        self.last_refresh_seconds = time.perf_counter() - started
        if self.snapshots and self._snapshot_due():
            self._save_snapshot()

    def _snapshot_due(self) -> bool:
        """Where a snapshot is kept (a store big enough to need one), write it again when the
        journals grew by SNAPSHOT_EVERY_BYTES since, or after SNAPSHOT_EVERY_SECONDS with changes."""
        if not self._snapshot_saved_at:
            return False
        grown = sum(self._offsets.get(n, 0) - self._snapshot_offsets.get(n, 0) for n, _ in self.sources)
        return grown > 0 and (grown >= SNAPSHOT_EVERY_BYTES
                              or time.time() - self._snapshot_saved_at > SNAPSHOT_EVERY_SECONDS)

    def _save_snapshot(self) -> None:
        path = self._snapshot_path()
        try:
            snapshot.save(self._con, path)
        except (OSError, duckdb.Error):
            log.exception("could not save a snapshot of the tables")
            return
        try:
            for stale in snapshot.remove_stale(path):
                log.info("removed a snapshot of another layout, not written for a day: %s", stale.name)
        except OSError:
            log.warning("could not remove old snapshots", exc_info=True)
        self._snapshot_offsets = dict(self._offsets)
        self._snapshot_saved_at = time.time()

    # ---- querying ------------------------------------------------------------------------
    def _prepare(self, name: str, params: dict) -> None:
        """Fill the score cache for the months a query reads from it (its `-- needs:` line)."""
        needed = score_months_needed(name, params)
        if not needed:
            return
        if self._cached_months.issuperset(needed):  # known without asking the database
            return
        with self._lock:
            self._make_writable()
            cursor = self._con.cursor()
            try:
                cursor.execute("begin transaction")
                build.fill_score_cache(cursor, needed)
                cached = build.cached_months(cursor)
                cursor.execute("commit")
            except duckdb.Error:
                cursor.execute("rollback")
                raise
            finally:
                cursor.close()
            self._cached_months = cached

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the current tables. A new cursor costs a few milliseconds
        on its first query; a thread (a Streamlit session, the command line) keeps its own,
        since one cursor must not serve two threads at once."""
        local = self._local
        if getattr(local, "con", None) is not self._con:
            local.cursor, local.con = self._con.cursor(), self._con
        return local.cursor

    def run_query(self, name: str, **params) -> pl.DataFrame:
        self.ensure_fresh()
        self._prepare(name, params)
        return frame(self._cursor().sql(sql_text(name), params=params or None))

    run = run_query

    def first_target_year(self) -> int | None:
        first = self.run("first_target_year")["first"][0]
        return int(first) if first is not None else None

    def sql(self, query: str, **params) -> pl.DataFrame:
        """For tests and tools only: ad-hoc SQL over the same tables (values still bound). The
        app's code asks by name (`run`), which tests/test_sql_columns.py checks."""
        self.ensure_fresh()
        return frame(self._cursor().sql(query, params=params or None))


def _watch(database: weakref.ref) -> None:
    """Background mode: refresh when the stores move on, without waiting for a reader. Holds its
    Database weakly and ends when it is gone: a served replica keeps one for its life, a test
    suite makes hundreds, whose watchers would otherwise poll forever."""
    while True:
        time.sleep(WATCH_SECONDS)
        db = database()
        if db is None:
            return
        try:
            if db.store_version() != db._version:  # started once the tables exist
                db._refresh_in_background()
        except Exception:  # a store being replaced, a file in the middle of a move: next turn
            log.debug("store watch failed", exc_info=True)
        del db


_databases: dict[tuple, Database] = {}
_databases_lock = threading.Lock()


def get_database(store: str | Path | None = None, include_demo: bool | None = None,
                 *, background: bool = False) -> Database:
    # One Database per store for the whole process; `background` only decides how a new one
    # refreshes (tests put a synchronous one here before the pages ask).
    key = (str(store_dir(store)), include_demo)
    with _databases_lock:
        if key not in _databases:
            _databases[key] = Database(store, include_demo, background=background)
        return _databases[key]


def run_query(name: str, *, store: str | Path | None = None, **params) -> pl.DataFrame:
    return get_database(store).run_query(name, **params)


def score_months_needed(name: str, params: dict) -> list[date]:
    """The months of the score cache a query reads. Its file says `-- needs: score_cache(p)`:
    the month in parameter p, and the month before (for the change in rank)."""
    need = sql_header(name).get("needs")
    if need is None:
        return []
    found = re.fullmatch(r"score_cache\((\w+)\)", need)
    if found is None:
        raise ValueError(f"{name}.sql: unknown need {need!r}")
    month = month_start(params[found[1]])
    return [previous_month(month), month]


def month_start(value: date | str) -> date:
    """'2026-03', '2026-03-15' or a date -> date(2026, 3, 1)."""
    if isinstance(value, str):
        year, month = value[:7].split("-")
        return date(int(year), int(month), 1)
    return date(value.year, value.month, 1)


def previous_month(value: date) -> date:
    return date(value.year - 1, 12, 1) if value.month == 1 else date(value.year, value.month - 1, 1)
