"""Fictional boundaries ("minh họa") for the demo provinces, through the same checks, matching
and simplification as a province's upload.

    python -m queries.demo.boundaries --out data/boundaries      the shipped demo province's file
    python -m queries.demo.boundaries --store /tmp/national      every demo province of that store,
                                                                  into <store>/boundaries/
    python -m queries.demo.boundaries --store S --raw DIR        the GeoJSON files a province would
                                                                  upload (for tests), not stored
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from queries import clock
from queries.maps import boundaries
from queries.maps.demo import fictional_boundaries, province_origin
from queries.maps.geojson import read_features
from queries.settings import DEMO_STORE
from queries.store import Store
from queries.text import slug

GENERATOR = "queries.demo.boundaries (minh họa)"
SINGLE_ORIGIN = (111.6, 16.0)


def demo_communes(store_root: Path) -> pl.DataFrame:
    """commune_id, commune_code, commune_name, province of the demo communes in a store."""
    files = Store(store_root, read_only=True).data_files("communes")
    frame = pl.read_parquet(files).unique("commune_id", keep="last", maintain_order=True)
    return (frame.filter(pl.col("province").str.starts_with("Minh Họa"))
            .select("commune_id", "commune_code", "commune_name", "province").sort("commune_id"))


def raw_files(communes: pl.DataFrame, seed: int = 7) -> dict[str, dict]:
    """{province: GeoJSON as it would be uploaded}."""
    files = {}
    for index, (province, rows) in enumerate(communes.group_by("province", maintain_order=True)):
        name = province[0] if isinstance(province, tuple) else province
        single = communes["province"].n_unique() == 1
        cell = 0.05 if single else 0.13
        # the shipped demo province sits apart from the blocks of a national demo (both can be read together)
        origin = SINGLE_ORIGIN if single else province_origin(index)
        pairs = list(zip(rows["commune_name"].to_list(), rows["commune_code"].to_list()))
        files[name] = fictional_boundaries(pairs, origin, cell, seed + index)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.demo.boundaries")
    parser.add_argument("--store", type=Path, default=DEMO_STORE, help="the store whose demo communes get boundaries")
    parser.add_argument("--out", type=Path, help="folder for the stored files (default: <store>/boundaries)")
    parser.add_argument("--raw", type=Path, help="write the files as uploaded, not stored")
    args = parser.parse_args(argv)
    communes = demo_communes(args.store)
    moment = clock.now().isoformat(timespec="seconds")
    for province, document in raw_files(communes).items():
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if args.raw:
            args.raw.mkdir(parents=True, exist_ok=True)
            (args.raw / f"{slug(province)}.geojson").write_bytes(data)
            continue
        prepared = boundaries.prepare(read_features(data), communes.filter(pl.col("province") == province), province)
        out = args.out or args.store
        folder_root = out.parent if args.out else out  # write() adds the boundaries/ folder
        boundaries.write(folder_root, prepared, illustrative=True, source_file="minh họa (sinh bằng phần mềm)",
                         loaded_at=moment, loaded_by=GENERATOR)
    print(f"{communes['province'].n_unique()} tỉnh minh họa, {communes.height} xã", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
