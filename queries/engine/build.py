"""The tables every query reads, built from the files, and kept up to date change by change.

Base tables (what the files say):
    indicators, pillars, settings      the catalog and the method's settings
    frameworks, framework_groups,      the frameworks known (queries/frameworks), their groups and
    framework_members, year_frameworks member indicators, and the one in force each year
    uploads                            one row per upload of every store, with its journal seq
    <kind>_history                     every row ever loaded, where it came from, whether active
    reviews                            the province's appraisals of a commune's month
Derived tables (computed from the base tables, per commune):
    communes, targets, actuals         the rows in force: the newest active upload wins per key
    actuals_intervals, ...             the files of queries/sql/derived/, one macro each
    group_scores_cache                 group scores of every commune under every framework (and,
                                       as lists in each framework's order, whatif_cache), and
    commune_scores_cache               overall scores under the year's framework, for the months
                                       asked so far

A full build computes the derived tables for every commune. A change (an upload, an undo, a
review…) recomputes them for the communes it touched only, with the same SQL: the macros
read the communes to compute from table `refresh_scope`, so the two paths cannot disagree.
Everything runs on a cursor the caller gives, inside the caller's transaction.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from queries.data import SQL_DIR, typed_columns
from queries.frameworks import registry
from queries.plans.tasks import TASK_CASTS, TASK_COLUMNS
from queries.settings import PILLARS
from queries.store import ROW_SCHEMAS, Store

# How each kind of row is typed when it is read, whatever file it comes from (queries/sql/typed/).
CASTS = {kind: typed_columns(f"typed/{kind}") for kind in ("actuals", "targets", "communes", "spending", "tasks")}
# The key under which a newer row supersedes an older one.
# (Task updates have no rows "in force": tasks_status.sql reads their history as of a day.)
KEYS = {
    "actuals": "commune_id, indicator, period",
    "targets": "commune_id, indicator, year",
    "communes": "commune_id",
    "spending": "commune_id, year, item",
}
# Rows shipped in data/ (a folder may lack the optional ones: a test fixture, say).
SHIPPED_CSV = {"actuals": "actuals.csv", "targets": "targets.csv", "communes": "communes.csv",
               "spending": "spending.csv"}
# Shipped CSV writes months as 'YYYY-MM', which people read more easily than dates.
SHIPPED_REPLACE = {"actuals": "replace (period || '-01' as period)"}
HISTORY_EXTRA = """source VARCHAR, priority INTEGER, seq BIGINT, upload_id VARCHAR,
    row_number INTEGER, active BOOLEAN"""
UPLOAD_COLUMNS = """upload_id VARCHAR, seq BIGINT, kind VARCHAR, "user" VARCHAR,
    uploaded_at VARCHAR, received_at VARCHAR, file_name VARCHAR, sha256 VARCHAR,
    rows_total BIGINT, rows_accepted BIGINT, rows_rejected BIGINT, active BOOLEAN,
    reason VARCHAR, n_evidence BIGINT, source VARCHAR, priority INTEGER"""
EVIDENCE_COLUMNS = """upload_id VARCHAR, priority INTEGER, name VARCHAR, sha256 VARCHAR, kind VARCHAR,
    size BIGINT"""
REVIEW_COLUMNS = """seq BIGINT, source VARCHAR, commune_id VARCHAR, period DATE, status VARCHAR,
    comment VARCHAR, "user" VARCHAR, reviewed_at VARCHAR"""
# Derived tables after the rows in force, in the order they depend on each other.
DERIVED = tuple(path.stem.split("_", 1)[1] for path in sorted((SQL_DIR / "derived").glob("*.sql")))
SCORE_CACHE = "commune_scores_cache"
GROUP_CACHE = "group_scores_cache"
RANKING_CACHE = "ranking_cache"
WHATIF_CACHE = "whatif_cache"
# What macro group_scores answers (queries/sql/macros/01b_group_scores.sql): the cache of it must
# exist before macro commune_scores, which reads it, is created.
GROUP_CACHE_COLUMNS = """period DATE, commune_id VARCHAR, framework_key VARCHAR, group_code VARCHAR,
    group_weight DOUBLE, group_score DOUBLE, n_targets INTEGER, n_reported INTEGER, n_achieved INTEGER"""


def layout_files() -> list[Path]:
    """The SQL that decides what the built tables hold: a snapshot made with other SQL is not used."""
    return [path for folder in ("typed", "derived", "macros", "cache")
            for path in sorted((SQL_DIR / folder).glob("*.sql"))]


# ---- the base tables --------------------------------------------------------------------


def load_static(con: duckdb.DuckDBPyConnection, data_dir: Path, settings: dict) -> None:
    con.execute(
        """create or replace table indicators as
        select * from read_csv($path, header=true, all_varchar=true)""",
        {"path": str(data_dir / "indicators.csv")},
    )
    tasks = data_dir / "tasks.csv"
    source = "read_csv($path, header=true, all_varchar=true)" if tasks.exists() else \
        "(select " + ", ".join(f"null::VARCHAR as {c}" for c in TASK_COLUMNS) + " where false)"
    con.execute(f"create or replace table tasks as select {TASK_CASTS} from {source}",
                {"path": str(tasks)} if tasks.exists() else None)
    load_settings_tables(con, settings)


def load_settings_tables(con: duckdb.DuckDBPyConnection, settings: dict) -> None:
    weights = [(code, name, float(settings[f"weight_{code}"]), i) for i, (code, name) in enumerate(PILLARS)]
    con.execute("create or replace table pillars (code VARCHAR, name_vi VARCHAR, weight DOUBLE, sort_order INTEGER)")
    con.executemany("insert into pillars values (?, ?, ?, ?)", weights)
    con.execute("create or replace table settings (name VARCHAR, value VARCHAR)")
    con.executemany("insert into settings values (?, ?)", [(k, str(v)) for k, v in settings.items()])


def load_frameworks(con: duckdb.DuckDBPyConnection, data_dir: Path, store_root: Path, settings: dict) -> None:
    """The frameworks known (shipped and loaded), their groups and members, and the one in force
    each year. The default framework's first version takes its weights from the settings
    weight_<code> (they were the method's weights before frameworks were files)."""
    frameworks = registry.every_framework(data_dir, store_root)
    con.execute("""create or replace table frameworks (framework_key VARCHAR, framework_id VARCHAR,
        version INTEGER, name_vi VARCHAR, year_from INTEGER, year_to INTEGER, status VARCHAR, document VARCHAR,
        official BOOLEAN, shipped BOOLEAN, sort_order INTEGER)""")
    con.execute("""create or replace table framework_groups (framework_key VARCHAR, code VARCHAR, name_vi VARCHAR,
        name_en VARCHAR, weight DOUBLE, sort_order INTEGER)""")
    con.execute("""create or replace table framework_members (framework_key VARCHAR, group_code VARCHAR,
        indicator VARCHAR, weight DOUBLE)""")
    shipped = {f.key for f in registry.shipped(data_dir)}
    default_key = f"{registry.DEFAULT_ID}@1"
    for order, f in enumerate(frameworks):
        con.execute("insert into frameworks values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f.key, f.id, f.version, f.name, f.year_from, f.year_to, f.status, f.document, f.official,
                     f.key in shipped, order])
        for g_order, group in enumerate(f.groups):
            weight = group.weight
            if f.key == default_key and f"weight_{group.code}" in settings:
                weight = float(settings[f"weight_{group.code}"])
            con.execute("insert into framework_groups values (?, ?, ?, ?, ?, ?)",
                        [f.key, group.code, group.name, group.name_en or None, weight, g_order])
            con.executemany("insert into framework_members values (?, ?, ?, ?)",
                            [(f.key, group.code, code, w) for code, w in group.members])
    years = registry.in_force(data_dir, store_root)
    con.execute("create or replace table year_frameworks (year INTEGER primary key, framework_key VARCHAR)")
    con.executemany("insert into year_frameworks values (?, ?)", sorted(years.items()))
    con.execute("""create or replace table framework_loads (seq INTEGER, framework_key VARCHAR, loaded_at VARCHAR,
        loaded_by VARCHAR, file_name VARCHAR)""")
    done = [(i, load.key, load.loaded_at, load.loaded_by, load.file_name)
            for i, load in enumerate(registry.loads(store_root), start=1)]
    if done:
        con.executemany("insert into framework_loads values (?, ?, ?, ?, ?)", done)
    con.execute("create or replace table framework_state (state VARCHAR)")
    con.execute("insert into framework_state values (?)", [registry.state(data_dir, store_root)])


def frameworks_stale(con: duckdb.DuckDBPyConnection, data_dir: Path, store_root: Path) -> bool:
    """Whether a framework was loaded (or a shipped one changed) since the tables were built."""
    try:
        built = con.execute("select max(state) from framework_state").fetchone()[0]
    except duckdb.CatalogException:  # tables made before frameworks were files
        return True
    return built != registry.state(data_dir, store_root)


def _manifest_frame(sources: list[tuple[str, Store]]) -> pl.DataFrame:
    frames = []
    for priority, (name, store) in enumerate(sources, start=1):
        frames.append(store.manifest().with_columns(pl.lit(name).alias("source"),
                                                    pl.lit(priority, pl.Int32).alias("priority")))
    return pl.concat(frames, how="vertical")


def build_base(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: list[tuple[str, Store]]) -> None:
    """uploads, reviews and every <kind>_history, from the shipped CSV and the stores' live files."""
    con.execute(f"create or replace table uploads ({UPLOAD_COLUMNS})")
    manifest = _manifest_frame(sources)
    if manifest.height:
        con.register("manifest_frame", manifest)
        con.execute("insert into uploads by name select * from manifest_frame")
        con.unregister("manifest_frame")
    con.execute(f"create or replace table evidence ({EVIDENCE_COLUMNS})")
    for priority, (_name, store) in enumerate(sources, start=1):
        for entry in store.entries():
            insert_evidence(con, priority, entry)
    con.execute(f"create or replace table reviews ({REVIEW_COLUMNS})")
    for name, store in sources:
        for review in store.reviews():
            insert_review(con, name, review)
    for kind in CASTS:
        # The part every kind has, even with no file at all: no rows, the right columns.
        parts = [f"""select {CASTS[kind]}, 'plan' as source, 0 as priority, null::BIGINT as seq,
                null::VARCHAR as upload_id, null::INTEGER as row_number, true as active
            from (select {", ".join(f"null::VARCHAR as {c}" for c in ROW_SCHEMAS[kind])} where false)"""]
        params: dict[str, object] = {}
        shipped = data_dir / SHIPPED_CSV[kind] if kind in SHIPPED_CSV else None
        if shipped is not None and shipped.exists():
            params["shipped"] = str(shipped)
            parts.append(
                f"""select {CASTS[kind]}, 'plan' as source, 0 as priority, null::BIGINT as seq,
                    null::VARCHAR as upload_id, null::INTEGER as row_number, true as active
                from (select * {SHIPPED_REPLACE.get(kind, "")}
                      from read_csv($shipped, header=true, all_varchar=true))""")
        for priority, (_name, store) in enumerate(sources, start=1):
            files = [str(p) for p in store.data_files(kind)]
            if not files:
                continue
            params[f"files_{priority}"] = files
            parts.append(
                f"""select {CASTS[kind]}, u.source, u.priority, u.seq, d.upload_id,
                    d.row_number::INTEGER as row_number, u.active
                from read_parquet($files_{priority}, union_by_name=true) d
                join uploads u on u.upload_id = d.upload_id and u.priority = {priority}"""
            )
        con.execute(f"create or replace table {kind}_history as " + "\nunion all by name\n".join(parts), params or None)
    # Which communes each upload touched: who may undo it, whose history shows it.
    con.execute("create or replace table upload_communes as " + " union ".join(
        f"select distinct upload_id, priority, commune_id from {kind}_history where upload_id is not null"
        for kind in CASTS))


def insert_evidence(con: duckdb.DuckDBPyConnection, priority: int, entry: dict) -> None:
    """The evidence files an upload carried (kept by content in the store's blobs/)."""
    for item in entry.get("evidence") or ():
        con.execute("insert into evidence values ($u, $p, $name, $sha, $kind, $size)",
                    {"u": entry["upload_id"], "p": priority, "name": item.get("name"), "sha": item.get("sha256"),
                     "kind": item.get("type"), "size": item.get("size")})


def insert_review(con: duckdb.DuckDBPyConnection, source: str, review: dict) -> None:
    con.execute(
        """insert into reviews values ($seq, $source, $commune, ($period || '-01')::DATE, $status,
            $comment, $user, $at)""",
        {"seq": review["seq"], "source": source, "commune": review["commune_id"], "period": review["period"],
         "status": review["status"], "comment": review.get("comment"), "user": review.get("user"),
         "at": review.get("at")},
    )


# ---- the derived tables -------------------------------------------------------------------


def _current_in_scope(kind: str) -> str:
    return f"""select * exclude (active) from {kind}_history
        where active and commune_id in (select commune_id from refresh_scope)
        qualify row_number() over (
            partition by {KEYS[kind]}
            order by priority desc, seq desc nulls last, row_number desc nulls last) = 1"""


def set_refresh_scope(con: duckdb.DuckDBPyConnection, communes: list[str] | None) -> None:
    """The communes whose derived rows are (re)computed next; None: every commune known."""
    # A plain table, not a temporary one: the macros are shared by every cursor. Only the
    # refresh (one at a time, in its own transaction) ever fills it.
    con.execute("create table if not exists refresh_scope (commune_id VARCHAR primary key)")
    con.execute("delete from refresh_scope")
    if communes is None:
        con.execute("insert into refresh_scope " + " union ".join(
            f"select commune_id from {kind}_history where commune_id is not null" for kind in CASTS))
    elif communes:
        con.execute("insert into refresh_scope select distinct unnest($ids::VARCHAR[])", {"ids": list(communes)})


def build_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Every derived table, for every commune."""
    set_refresh_scope(con, None)
    for kind in KEYS:
        con.execute(f"create or replace table {kind} as {_current_in_scope(kind)} order by {KEYS[kind]}")
    # DuckDB binds a macro's tables when it is created: each step needs the one before.
    con.execute(f"create table if not exists {GROUP_CACHE} ({GROUP_CACHE_COLUMNS})")
    for path in sorted((SQL_DIR / "derived").glob("*.sql")):
        table = path.stem.split("_", 1)[1]
        con.execute(path.read_text(encoding="utf-8"))
        # Stored by commune: ids begin with the province, so a province's rows sit together
        # and a query for one province skips the row groups of the others.
        con.execute(f"create or replace table {table} as select * from {table}_in_scope() order by commune_id")
    _run_files(con, "macros")
    reset_score_cache(con)


def refresh_derived(con: duckdb.DuckDBPyConnection, communes: set[str]) -> None:
    """The derived tables of these communes only, by the same macros as a full build."""
    if not communes:
        return
    set_refresh_scope(con, sorted(communes))
    for kind in KEYS:
        con.execute(f"delete from {kind} where commune_id in (select commune_id from refresh_scope)")
        con.execute(f"insert into {kind} {_current_in_scope(kind)}")
    for table in DERIVED:
        con.execute(f"delete from {table} where commune_id in (select commune_id from refresh_scope)")
        con.execute(f"insert into {table} select * from {table}_in_scope()")
    months = [r[0] for r in con.execute(f"select period from {SCORE_CACHE}_months order by period").fetchall()]
    for table in (GROUP_CACHE, SCORE_CACHE, WHATIF_CACHE):
        con.execute(f"delete from {table} where commune_id in (select commune_id from refresh_scope)")
    if months:
        # One commune (an upload's usual change) by its id: the macros read it twice as fast
        # as the scope table (33 → 15 ms for its group scores at national scale).
        _score_months(con, months, next(iter(communes)) if len(communes) == 1 else "@refresh_scope")
        _rerank(con)


def _run_files(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    for path in sorted((SQL_DIR / folder).glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros of an existing set of tables (a snapshot opened by a new process)."""
    _run_files(con, "derived")
    _run_files(con, "macros")
    _run_files(con, "cache")


# ---- scores of whole months, computed once ------------------------------------------------------


def reset_score_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Forget every cached score and rank (the settings changed, or a full build)."""
    con.execute(f"create or replace table {SCORE_CACHE}_months (period DATE primary key)")
    con.execute(f"create or replace table {GROUP_CACHE} ({GROUP_CACHE_COLUMNS})")
    con.execute(
        f"create or replace table {SCORE_CACHE} as select * from commune_scores(null, null, null, null, true) limit 0"
    )
    con.execute(f"create or replace table {WHATIF_CACHE} as select * from whatif_lists(null, null, null) limit 0")
    _run_files(con, "cache")  # macros over the score cache, which must exist first
    con.execute(f"create or replace table {RANKING_CACHE} as select * from ranking_of_cached_months() limit 0")


def months_people_open(con: duckdb.DuckDBPyConnection, today) -> list:
    """The months the pages open on: the latest month with results (not after today) and
    this month, each with the month before (for the change in rank). Filled at build time,
    so a snapshot carries them and a new process ranks without computing."""
    this_month = today.replace(day=1)
    latest = con.execute("select max(period) from actuals where period <= $t", {"t": this_month}).fetchone()[0]
    months = {this_month, _month_before(this_month)}
    if latest is not None:
        months |= {latest, _month_before(latest)}
    return sorted(months)


def _month_after(month):
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def _month_before(month):
    return month.replace(year=month.year - 1, month=12) if month.month == 1 else month.replace(month=month.month - 1)


def _rerank(con: duckdb.DuckDBPyConnection) -> None:
    """Ranks depend on every commune's score: recompute them for all cached months (a few
    thousand rows a month) whenever a score or a name changed."""
    con.execute(f"delete from {RANKING_CACHE}")
    # Stored in the order it is read: a month and scope is one run of rows.
    con.execute(f"insert into {RANKING_CACHE} select * from ranking_of_cached_months() order by period, scope, position")



def _score_months(con: duckdb.DuckDBPyConnection, months: list, commune: str | None) -> None:
    """Scores of these months (sorted) into the caches: the group scores under every framework
    (scored once), then the overall scores summed from them."""
    params = {"first": months[0], "last": months[-1], "commune": commune, "months": months}
    con.execute(f"""insert into {GROUP_CACHE}
        select * from group_scores($first, $last, null, $commune, '@all')
        where period in (select unnest($months::DATE[]))
        order by period, framework_key, commune_id""", params)
    con.execute(f"""insert into {SCORE_CACHE}
        select * from commune_scores($first, $last, null, $commune, true)
        where period in (select unnest($months::DATE[]))""", params)
    _whatif_months(con, months, commune)


def _whatif_months(con: duckdb.DuckDBPyConnection, months: list, commune: str | None) -> None:
    con.execute(f"""insert into {WHATIF_CACHE}
        select * from whatif_lists($first, $last, $commune) where period in (select unnest($months::DATE[]))
        order by period, framework_key, commune_id""",
                {"first": months[0], "last": months[-1], "commune": commune, "months": months})


def cached_months(con: duckdb.DuckDBPyConnection) -> set:
    return {r[0] for r in con.execute(f"select period from {SCORE_CACHE}_months").fetchall()}


def fill_score_cache(con: duckdb.DuckDBPyConnection, months: list) -> None:
    """Scores of every commune for these months, computed by the scoring macro once and kept
    until a change touches a commune (refresh_derived recomputes that commune's rows)."""
    cached = {r[0] for r in con.execute(f"select period from {SCORE_CACHE}_months").fetchall()}
    missing = sorted(set(months) - cached)
    if not missing:
        return
    _score_months(con, missing, None)
    # A month already kept whose month before was not: its what-if lists now have a month before.
    after = sorted({_month_after(m) for m in missing} & (cached - set(missing)))
    if after:
        con.execute(f"delete from {WHATIF_CACHE} where period in (select unnest($months::DATE[]))", {"months": after})
        _whatif_months(con, after, None)
    con.executemany(f"insert into {SCORE_CACHE}_months values (?)", [(m,) for m in missing])
    _rerank(con)


# ---- applying a change ------------------------------------------------------------------------


def apply_changes(con: duckdb.DuckDBPyConnection, source: str, priority: int, store: Store,
                  entries: list[dict]) -> set[str]:
    """Apply committed journal entries of one store to the base tables; returns the communes
    whose derived rows must be recomputed."""
    touched: set[str] = set()
    for entry in entries:
        action = entry["action"]
        if action == "upload":
            touched |= _add_upload(con, source, priority, store, entry)
        elif action in ("undo", "redo"):
            active = action == "redo"
            con.execute("update uploads set active = $a where upload_id = $u and priority = $p",
                        {"a": active, "u": entry["upload_id"], "p": priority})
            for kind in CASTS:
                rows = con.execute(
                    f"""update {kind}_history set active = $a where upload_id = $u and priority = $p
                    returning commune_id""",
                    {"a": active, "u": entry["upload_id"], "p": priority},
                ).fetchall()
                touched |= {r[0] for r in rows}
        elif action == "review":
            insert_review(con, source, entry)
            touched.add(entry["commune_id"])
        # "compact" moves rows between files; what a reader sees does not change.
    return touched


# Kinds of rows that belong to one commune and change nothing of any other: an upload or an
# undo of these changes only its communes' provinces (a commune catalog can move a commune).
COMMUNE_KINDS = frozenset({"actuals", "targets", "spending", "tasks"})


def changed_kinds(con: duckdb.DuckDBPyConnection, priority: int, entries: list[dict]) -> set[str] | None:
    """The kinds of rows these journal entries change, when they change only rows of the
    communes they touch; None when they may change more (what Database.version_for relies on to
    keep other provinces' answers, and answers that read no results)."""
    kinds: set[str] = set()
    for entry in entries:
        action = entry["action"]
        if action == "compact":
            continue
        if action == "review":  # a review changes how a month's results count
            kinds.add("actuals")
            continue
        if action == "upload":
            kind = entry.get("kind")
        elif action in ("undo", "redo"):
            found = con.execute("select kind from uploads where upload_id = $u and priority = $p",
                                {"u": entry["upload_id"], "p": priority}).fetchone()
            kind = found[0] if found else None
        else:
            return None
        if kind not in COMMUNE_KINDS:
            return None
        kinds.add(kind)
    return kinds


def provinces_of(con: duckdb.DuckDBPyConnection, communes: set[str]) -> set[str]:
    if not communes:
        return set()
    rows = con.execute("select distinct province from communes where commune_id in (select unnest($ids::VARCHAR[]))",
                       {"ids": sorted(communes)}).fetchall()
    return {r[0] for r in rows if r[0] is not None}


def _add_upload(con: duckdb.DuckDBPyConnection, source: str, priority: int, store: Store, entry: dict) -> set[str]:
    row = {k: entry.get(k) for k in ("upload_id", "seq", "kind", "user", "uploaded_at", "file_name", "sha256",
                                     "rows_total", "rows_accepted", "rows_rejected", "reason")}
    row |= {"received_at": entry.get("received_at") or entry.get("uploaded_at"), "active": True,
            "n_evidence": len(entry.get("evidence") or ()), "source": source, "priority": priority}
    con.execute("""insert into uploads (upload_id, seq, kind, "user", uploaded_at, received_at, file_name,
                    sha256, rows_total, rows_accepted, rows_rejected, active, reason, n_evidence, source, priority)
                values ($upload_id, $seq, $kind, $user, $uploaded_at, $received_at, $file_name, $sha256,
                    $rows_total, $rows_accepted, $rows_rejected, $active, $reason, $n_evidence, $source, $priority)""",
                row)
    insert_evidence(con, priority, entry)
    kind = entry["kind"]
    if kind not in CASTS:
        return set()
    rows = store.upload_rows(entry["upload_id"])
    if rows.is_empty():
        return set()
    con.register("upload_frame", rows)
    try:
        con.execute(
            f"""insert into {kind}_history by name
            select {CASTS[kind]}, $source as source, $priority as priority, $seq::BIGINT as seq,
                upload_id, row_number::INTEGER as row_number, true as active
            from upload_frame""",
            {"source": source, "priority": priority, "seq": entry["seq"]},
        )
    finally:
        con.unregister("upload_frame")
    communes = set(rows["commune_id"].drop_nulls().unique().to_list())
    con.executemany("insert into upload_communes values (?, ?, ?)",
                    [(entry["upload_id"], priority, c) for c in sorted(communes)])
    return communes
