"""Two independent "peer" implementations of the national ranking, to put the DuckDB engine's
speed in context, and `agree()`, the check that all three rankings are the same.

- `pandas_ranking(store_dir, data_dir, period, settings)`: what a competent analyst would
  write in pandas: read the shipped CSVs and the store's files on every call, then rank.
- `load_frames(store_dir, data_dir)` once, then `polars_ranking(frames, period, settings)`:
  polars over frames already in memory (current rows already resolved), timed alone.

Both follow the method of queries/sql/macros/01_indicator_scores.sql,
02_commune_scores.sql and queries/sql/ranking_by_month.sql, without sharing any code with it,
so a mistake in one shows up as a disagreement. Statuses, baselines and the previous month
are left out: they do not change rank, score or pillar scores.

Store contract read here (`$STORE/journal.jsonl`, one committed JSON object per line):
uploads are active unless their last upload/undo/redo line is "undo"; the live files of a
kind are the uploaded and compacted files minus those a later "compact" line replaces; the
current row per key is the one from the active upload with the highest seq, then the
highest row_number, and any store row beats the shipped CSV.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from queries.settings import PILLARS, load_settings

PILLAR_CODES = [code for code, _name in PILLARS]
SHOWN = ["score", *PILLAR_CODES]  # rounded to cents, as the ranking page shows them
RANKING_COLUMNS = ["rank", "commune_id", "commune_name", "province", *SHOWN,
                   *[f"{c}_unrounded" for c in SHOWN]]
# The key under which a newer row supersedes an older one (as in the engine).
KEYS = {
    "actuals": ["commune_id", "indicator", "period"],
    "targets": ["commune_id", "indicator", "year"],
    "communes": ["commune_id"],
}
# Only what the ranking needs is read: fewer columns, less work for both peers.
COLUMNS = {
    "actuals": ["commune_id", "indicator", "period", "value"],
    "targets": ["commune_id", "indicator", "year", "target"],
    "communes": ["commune_id", "commune_name", "province"],
}
SHIPPED_CSV = {"actuals": "actuals.csv", "targets": "targets.csv", "communes": "communes.csv"}
# Shipped rows lose to every store row: they sort before any journal seq.
SHIPPED_SEQ = -1


def month_start(value: date | str) -> date:
    """'2026-11', '2026-11-15' or a date -> date(2026, 11, 1)."""
    if isinstance(value, str):
        year, month = value[:7].split("-")
        return date(int(year), int(month), 1)
    return date(value.year, value.month, 1)


# ---- the store's journal -------------------------------------------------------------------
@dataclass(frozen=True)
class Journal:
    active_seq: dict[str, int] = field(default_factory=dict)  # active upload_id -> its seq
    live_files: dict[str, list[Path]] = field(default_factory=dict)  # kind -> files to read


def read_journal(store_dir: str | Path) -> Journal:
    """Which uploads count and which files hold them, from `journal.jsonl`."""
    root = Path(store_dir)
    path = root / "journal.jsonl"
    if not path.exists():
        return Journal()
    content = path.read_bytes()
    # A last line without its newline is a write in progress, not a committed line. Split on
    # b"\n" only: str.splitlines would also split on U+2028 inside a JSON string.
    committed = content[: content.rfind(b"\n") + 1]
    lines = [json.loads(line) for line in committed.split(b"\n") if line.strip()]
    lines.sort(key=lambda line: line["seq"])

    upload_seq: dict[str, int] = {}
    last_action: dict[str, str] = {}
    live: dict[str, dict[str, None]] = {}  # an ordered set per kind
    for line in lines:
        action = line.get("action")
        if action == "upload":
            upload_seq[line["upload_id"]] = line["seq"]
            last_action[line["upload_id"]] = action
            live.setdefault(line["kind"], {})[line["file"]] = None
        elif action in ("undo", "redo"):
            last_action[line["upload_id"]] = action
        elif action == "compact":
            files = live.setdefault(line["kind"], {})
            for replaced in line.get("replaces", []):
                files.pop(replaced, None)
            files[line["file"]] = None
    active = {uid: seq for uid, seq in upload_seq.items() if last_action.get(uid) != "undo"}
    return Journal(active, {kind: [root / f for f in files] for kind, files in live.items()})


def pillar_weights(settings: dict) -> dict[str, float]:
    return {code: float(settings[f"weight_{code}"]) for code in PILLAR_CODES}


def excludes_unreported(settings: dict) -> bool:
    return settings.get("unreported_rule") == "exclude"


# ---- rounding, the same in both peers ------------------------------------------------------
# DuckDB's round(x, d) on a DOUBLE is round(x·10^d) half away from zero, then /10^d; both peers
# do exactly that. Before rounding to cents, a score is first snapped to 9 decimals: an
# average like (99.16 + 96.82 + 99.34 + 99.86) / 4 = 98.795 comes out as 98.79499999999999,
# 98.795 or 98.79500000000002 depending on the order of the additions, and the cent would
# follow that order. Snapped, it is 98.80 whatever the order (see BOUNDARY in `agree`).
SNAP_DIGITS = 9


def round_half_away(values, digits: int):
    scale = 10.0 ** digits
    scaled = np.asarray(values, dtype="float64") * scale
    whole = np.trunc(scaled)
    whole = whole + np.where(np.abs(scaled - whole) >= 0.5, np.sign(scaled), 0.0)
    rounded = whole / scale
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(rounded, index=values.index, columns=values.columns)
    return pd.Series(rounded, index=values.index) if isinstance(values, pd.Series) else rounded


def _pl_round_half_away(expr: pl.Expr, digits: int) -> pl.Expr:
    # Not (expr * scale).round() / scale: polars divides by a constant by multiplying with
    # its inverse, so 5455 / 100 gives 54.550000000000004 there. Its own round is DuckDB's.
    return expr.round(digits, mode="half_away_from_zero")


# ---- pandas: reads every file on every call ------------------------------------------------
def _pd_shipped(kind: str, data_dir: Path) -> pd.DataFrame:
    # As the engine reads CSV: every field text, only an empty field is missing ("NA" is a name).
    frame = pd.read_csv(data_dir / SHIPPED_CSV[kind], dtype=str, usecols=COLUMNS[kind],
                        keep_default_na=False, na_values=[""])
    if kind == "actuals":
        frame["period"] = pd.to_datetime(frame["period"] + "-01", format="%Y-%m-%d")
        frame["value"] = pd.to_numeric(frame["value"])
    elif kind == "targets":
        frame["year"] = pd.to_numeric(frame["year"]).astype("Int64")
        frame["target"] = pd.to_numeric(frame["target"])
    frame["seq"] = SHIPPED_SEQ
    frame["row_number"] = -1
    return frame


def _pd_rows(kind: str, store: Journal, data_dir: Path, month: date | None = None) -> pd.DataFrame:
    """Shipped rows and the active store rows of one kind, each with its seq and row_number."""
    filters = [("period", "<=", month)] if kind == "actuals" and month else None
    parts = [_pd_shipped(kind, data_dir)]
    for path in store.live_files.get(kind, []):
        # upload_id read as a category: a handful of uploads over millions of rows, so the
        # seq lookup maps the categories, not every row.
        part = pd.read_parquet(path, columns=[*COLUMNS[kind], "upload_id", "row_number"],
                               filters=filters, read_dictionary=["upload_id"])
        part["seq"] = part.pop("upload_id").map(store.active_seq)  # NaN: upload not active
        parts.append(part.dropna(subset=["seq"]).astype({"seq": "int64"}))
    rows = pd.concat(parts, ignore_index=True)
    if kind == "actuals":
        rows["period"] = pd.to_datetime(rows["period"])
        if month:  # the shipped rows were not filtered by the reader
            rows = rows[rows["period"] <= pd.Timestamp(month)]
    if kind == "targets":
        rows["year"] = rows["year"].astype("Int64")
    return rows


def pandas_ranking(store_dir: str | Path, data_dir: str | Path, period: date | str,
                   settings: dict | None = None) -> pd.DataFrame:
    """Rank every commune for `period`, reading the journal, the store's files and the
    shipped CSVs afresh. Columns: rank, commune_id, commune_name, province, score, HT..XH
    (rounded to cents, as the app shows them), then the same unrounded (`score_unrounded`...)."""
    store_dir, data_dir, month = Path(store_dir), Path(data_dir), month_start(period)
    settings = settings or load_settings(store_dir)
    store = read_journal(store_dir)

    indicators = pd.read_csv(data_dir / "indicators.csv", dtype=str,
                             usecols=["code", "pillar", "direction"],
                             keep_default_na=False, na_values=[""])
    communes = (_pd_rows("communes", store, data_dir)
                .sort_values(["seq", "row_number"], kind="stable")
                .drop_duplicates(subset=KEYS["communes"], keep="last"))
    targets = _pd_rows("targets", store, data_dir)
    targets = (targets[targets["year"] == month.year]
               .sort_values(["seq", "row_number"], kind="stable")
               .drop_duplicates(subset=KEYS["targets"], keep="last"))
    # Sorted by period, then seq and row number, the last row of a commune × indicator is
    # both the newest month <= `month` and, within that month, the row in force.
    latest = (_pd_rows("actuals", store, data_dir, month)
              .sort_values(["period", "seq", "row_number"], kind="stable")
              .drop_duplicates(subset=["commune_id", "indicator"], keep="last"))

    # Only the weighted pillars count: innovation indicators (group DM) drop out here.
    indicators = indicators[indicators["pillar"].isin(PILLAR_CODES)]
    scored = (targets[["commune_id", "indicator", "target"]]
              .merge(communes[["commune_id"]], on="commune_id")
              .merge(indicators, left_on="indicator", right_on="code")
              .merge(latest[["commune_id", "indicator", "value"]],
                     on=["commune_id", "indicator"], how="left"))

    value = scored["value"].to_numpy(dtype="float64", na_value=np.nan)
    target = scored["target"].to_numpy(dtype="float64", na_value=np.nan)
    down = (scored["direction"] == "down").fillna(False).to_numpy(dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        # np.fmax/np.fmin skip a missing operand, as SQL greatest/least skip NULL.
        down_points = np.where(value <= target, 100.0, 100.0 * np.fmax(target, 0.0) / value)
        up_points = np.where(target <= 0, 100.0, 100.0 * np.fmin(np.fmax(value, 0.0) / target, 1.0))
    unreported = np.nan if excludes_unreported(settings) else 0.0
    scored["points"] = np.where(np.isnan(value), unreported, np.where(down, down_points, up_points))

    # Pillar score: the mean of its indicators' points (a missing point is left out); the
    # score: the weighted mean of the pillars that have one.
    by_pillar = (scored.groupby(["commune_id", "pillar"], sort=False)["points"].mean()
                 .unstack("pillar").reindex(columns=PILLAR_CODES))
    by_pillar = round_half_away(by_pillar, SNAP_DIGITS)
    weights = pd.Series(pillar_weights(settings))[PILLAR_CODES]
    weighted_sum = by_pillar.mul(weights, axis=1).sum(axis=1, min_count=1)
    weight_sum = by_pillar.notna().mul(weights, axis=1).sum(axis=1)
    by_pillar["score"] = round_half_away(weighted_sum / weight_sum.where(weight_sum != 0), SNAP_DIGITS)

    ranking = communes[["commune_id", "commune_name", "province"]].merge(
        by_pillar.reset_index(), on="commune_id", how="left")
    for column in ["score", *PILLAR_CODES]:
        ranking[f"{column}_unrounded"] = ranking[column].astype("float64")
        ranking[column] = round_half_away(ranking[f"{column}_unrounded"], 2)
    # Ties share a rank and the next rank is skipped (1, 2, 2, 4); no score, no rank.
    ranking["rank"] = ranking["score"].rank(method="min", ascending=False).astype("Int64")
    ranking = ranking.sort_values(["rank", "commune_id"], na_position="last", ignore_index=True)
    return ranking[RANKING_COLUMNS]


# ---- polars: frames read once, ranking timed alone ----------------------------------------
def _pl_shipped(kind: str, data_dir: Path) -> pl.DataFrame:
    # Every field text, only an empty field missing, as the engine reads CSV.
    frame = pl.read_csv(data_dir / SHIPPED_CSV[kind], infer_schema=False, columns=COLUMNS[kind])
    casts = {
        "actuals": [(pl.col("period") + "-01").str.to_date("%Y-%m-%d"),
                    pl.col("value").cast(pl.Float64)],
        "targets": [pl.col("year").cast(pl.Int32), pl.col("target").cast(pl.Float64)],
        "communes": [],
    }[kind]
    return frame.with_columns(*casts, seq=pl.lit(SHIPPED_SEQ, pl.Int64),
                              row_number=pl.lit(-1, pl.Int32))


def _pl_current(kind: str, store: Journal, data_dir: Path) -> pl.DataFrame:
    """The row in force per key (shipped rows first, then active store rows by seq and row
    number), sorted by key."""
    parts = [_pl_shipped(kind, data_dir)]
    for path in store.live_files.get(kind, []):
        rows = pl.read_parquet(path, columns=[*COLUMNS[kind], "upload_id", "row_number"])
        parts.append(rows.with_columns(seq=pl.col("upload_id").replace_strict(
            store.active_seq, default=None, return_dtype=pl.Int64))
            .drop("upload_id").drop_nulls("seq"))  # null seq: the upload is not active
    rows = pl.concat(parts, how="diagonal_relaxed")
    # One sort brings the rows of a key together, oldest first, and the last one is in force.
    # Text keys sort by category code: only the grouping matters, and it is 3x faster.
    key = KEYS[kind]
    rows = rows.sort(*[pl.col(c).cast(pl.Categorical).to_physical() if rows.schema[c] == pl.String
                       else pl.col(c) for c in key], "seq", "row_number")
    last_of_key = pl.any_horizontal(*[pl.col(c).ne_missing(pl.col(c).shift(-1)) for c in key])
    is_last_row = pl.int_range(pl.len()) == pl.len() - 1
    return rows.filter(last_of_key | is_last_row).drop("seq", "row_number")


def load_frames(store_dir: str | Path, data_dir: str | Path) -> dict[str, pl.DataFrame]:
    """Everything the ranking reads, once, as polars frames of current rows. Each actual
    also gets `valid_to`, the period of the next value of its commune × indicator (null for
    the newest), so the value in force in a month is a filter rather than a search; the
    engine prepares the same once per store version (build/01_actuals_intervals.sql)."""
    store, data_dir = read_journal(store_dir), Path(data_dir)
    indicators = pl.read_csv(data_dir / "indicators.csv", infer_schema=False,
                             columns=["code", "pillar", "direction"])
    # Sorted by commune, indicator, period: the next row of the same pair is the successor.
    same_pair_next = (pl.col("commune_id").eq_missing(pl.col("commune_id").shift(-1))
                      & pl.col("indicator").eq_missing(pl.col("indicator").shift(-1)))
    actuals = (_pl_current("actuals", store, data_dir)
               .with_columns(valid_to=pl.when(same_pair_next).then(pl.col("period").shift(-1))))
    return {
        "indicators": indicators,
        "communes": _pl_current("communes", store, data_dir),
        "targets": _pl_current("targets", store, data_dir),
        "actuals": actuals,
    }


def polars_ranking(frames: dict[str, pl.DataFrame], period: date | str,
                   settings: dict) -> pl.DataFrame:
    """Rank every commune for `period` from `load_frames()` output; same columns as
    `pandas_ranking`."""
    month = month_start(period)
    weights = pillar_weights(settings)
    weight_frame = pl.DataFrame({"pillar": PILLAR_CODES, "weight": [weights[c] for c in PILLAR_CODES]})
    # The value in force: the latest reported with period <= the month, any year.
    in_force = (frames["actuals"].lazy()
                .filter(pl.col("period") <= month,
                        pl.col("valid_to").is_null() | (pl.col("valid_to") > month))
                .select("commune_id", "indicator", "value"))
    targets = (frames["targets"].lazy()
               .filter(pl.col("year") == month.year)
               .join(frames["communes"].lazy().select("commune_id"), on="commune_id", how="semi")
               .join(frames["indicators"].lazy(), left_on="indicator", right_on="code")
               # only the weighted pillars count: innovation indicators (DM) drop out here
               .join(weight_frame.lazy(), on="pillar")
               .join(in_force, on=["commune_id", "indicator"], how="left"))

    value, target = pl.col("value"), pl.col("target")
    unreported = None if excludes_unreported(settings) else 0.0
    # As the SQL CASE: a null condition falls through to the next branch, and
    # max_horizontal/min_horizontal skip nulls as greatest/least do.
    points = (pl.when(value.is_null()).then(pl.lit(unreported, pl.Float64))
              .when(pl.col("direction") == "down")
              .then(pl.when(value <= target).then(100.0)
                    .otherwise(100.0 * pl.max_horizontal(target, 0.0) / value))
              .when(target <= 0).then(100.0)
              .otherwise(100.0 * pl.min_horizontal(pl.max_horizontal(value, 0.0) / target, 1.0)))

    pillar_score = pl.col("pillar_score")
    weight_sum = pl.col("weight").filter(pillar_score.is_not_null()).sum()
    score = (pl.when(pillar_score.is_not_null().any() & (weight_sum != 0))
             .then((pl.col("weight") * pillar_score).sum() / weight_sum))
    by_commune = (targets.with_columns(points=points)
                  .group_by("commune_id", "pillar")
                  .agg(_pl_round_half_away(pl.col("points").mean(), SNAP_DIGITS).alias("pillar_score"),
                       pl.col("weight").first())
                  .group_by("commune_id")
                  .agg(_pl_round_half_away(score, SNAP_DIGITS).alias("score"),
                       *[pillar_score.filter(pl.col("pillar") == c).first().alias(c)
                         for c in PILLAR_CODES]))

    return (frames["communes"].lazy().select("commune_id", "commune_name", "province")
            .join(by_commune, on="commune_id", how="left")
            .with_columns(pl.col(c).alias(f"{c}_unrounded") for c in SHOWN)
            .with_columns(_pl_round_half_away(pl.col(c), 2) for c in SHOWN)
            # ties share a rank and the next rank is skipped (1, 2, 2, 4); no score, no rank
            .with_columns(rank=pl.col("score").rank(method="min", descending=True).cast(pl.Int64))
            .sort("rank", "commune_id", nulls_last=True)
            .select(RANKING_COLUMNS)
            .collect())


# ---- agreement -----------------------------------------------------------------------------
class RankingsDisagree(AssertionError):
    """The rankings differ; the message lists the first differences."""


@dataclass(frozen=True)
class Agreement:
    communes: int
    # Values one cent apart because the unrounded value sits on a half cent (BOUNDARY).
    boundary: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.communes:,} communes agree"
        if self.boundary:
            text += f" ({len(self.boundary)} values a cent apart on a half-cent boundary)"
        return text


# A rounded value may differ by one cent from a peer's when the peer's unrounded value is a
# half cent (to 1e-9): the engine averages in whatever order its threads produce rows, so its
# cent at 98.795 is 98.79 or 98.80 from one build to the next.
BOUNDARY = 1e-9


def _as_polars(ranking) -> pl.DataFrame:
    frame = pl.from_pandas(ranking) if isinstance(ranking, pd.DataFrame) else ranking
    unrounded = [pl.col(f"{c}_unrounded").cast(pl.Float64) if f"{c}_unrounded" in frame.columns
                 else pl.lit(None, pl.Float64).alias(f"{c}_unrounded") for c in SHOWN]
    return frame.select(pl.col("commune_id").cast(pl.String), pl.col("rank").cast(pl.Int64),
                        *[pl.col(c).cast(pl.Float64) for c in SHOWN], *unrounded)


def _rank_errors(frame: pl.DataFrame, name: str) -> list[str]:
    """Ranks that are not the competition rank of the frame's own scores."""
    expected = frame.with_columns(
        expected=pl.col("score").rank(method="min", descending=True).cast(pl.Int64))
    wrong = expected.filter(pl.col("rank").ne_missing(pl.col("expected")))
    return [f"{name}: {r['commune_id']} has rank {r['rank']} for score {r['score']}, "
            f"expected {r['expected']}" for r in wrong.iter_rows(named=True)]


def _pair_differences(left: pl.DataFrame, right: pl.DataFrame, names: tuple[str, str],
                      tolerance: float) -> tuple[list[str], list[str]]:
    found: list[str] = []
    boundary: list[str] = []
    ranks: list[str] = []
    joined = left.join(right, on="commune_id", how="full", suffix="_b", coalesce=False)
    for row in joined.iter_rows(named=True):
        commune = row["commune_id"] or row["commune_id_b"]
        if row["commune_id"] is None or row["commune_id_b"] is None:
            found.append(f"{commune}: missing from {names[0] if row['commune_id'] is None else names[1]}")
            continue
        for column in SHOWN:
            x, y = row[column], row[f"{column}_b"]
            if (x is None and y is None) or (
                    x is not None and y is not None and abs(x - y) <= tolerance):
                continue
            unrounded = [u for u in (row[f"{column}_unrounded"], row[f"{column}_unrounded_b"])
                         if u is not None]
            if (x is not None and y is not None and abs(abs(x - y) - 0.01) <= tolerance
                    and any(abs(u - (x + y) / 2) <= BOUNDARY for u in unrounded)):
                boundary.append(f"{commune}: {column} {names[0]}={x} {names[1]}={y}")
            else:
                found.append(f"{commune}: {column} {names[0]}={x} {names[1]}={y}")
        if row["rank"] != row["rank_b"]:
            ranks.append(f"{commune}: rank {names[0]}={row['rank']} {names[1]}={row['rank_b']}")
    # A score on a boundary moves the ranks of the communes it passes, too. Then the ranks
    # can differ; each frame's ranks are checked against its own scores in any case.
    if not any(": score " in b for b in boundary):
        found += ranks
    return found, boundary


def agree(a, b, c, names: tuple[str, str, str] = ("duckdb", "pandas", "polars"),
          tolerance: float = 1e-9, show: int = 10) -> Agreement:
    """Check that three rankings (polars or pandas frames with commune_id, rank, score and
    HT..XH; unrounded `<column>_unrounded` where a peer gives them) are the same: same
    communes, scores within `tolerance`, ranks the competition ranks of the scores. Raises
    RankingsDisagree naming the first `show` differences; returns an Agreement."""
    frames = [_as_polars(frame) for frame in (a, b, c)]
    found: list[str] = []
    for frame, name in zip(frames, names):
        repeated = frame.filter(pl.col("commune_id").is_duplicated())["commune_id"].unique().sort()
        found += [f"{name}: commune {commune} appears more than once" for commune in repeated]
        found += _rank_errors(frame, name)
    boundary: list[str] = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        pair_found, pair_boundary = _pair_differences(frames[i], frames[j], (names[i], names[j]),
                                                      tolerance)
        found += pair_found
        boundary += pair_boundary
    if found:
        more = f"\n... and {len(found) - show} more" if len(found) > show else ""
        raise RankingsDisagree(f"{len(found)} differences:\n" + "\n".join(found[:show]) + more)
    return Agreement(len(frames[0]), tuple(boundary))
