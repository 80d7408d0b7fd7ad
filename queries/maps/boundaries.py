"""A province's commune boundaries: matched to its communes, simplified, kept one file a province.

    prepare(features, communes, province) -> Prepared   match by code, then by folded name; simplify
    write(store_root, prepared, ...)                       <store>/boundaries/<province>.geojson, atomically
    read(store_root, province) -> FeatureCollection | None the store's file, else a shipped one
                                                           (data/boundaries/: the demo's, "minh họa")

The file kept is GeoJSON whose features carry `commune_id`, `commune_name` and `province`, the
geometry simplified for a province on screen, and a foreign member `overview` (RFC 7946 §6.1)
simplified further for the whole country: both are done once, on upload, so no page view
simplifies anything.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from queries.i18n import _
from queries.maps.geojson import Feature
from queries.maps.simplify import DETAIL_TOLERANCE, OVERVIEW_TOLERANCE, simplify_polygons
from queries.settings import ROOT
from queries.store import documents
from queries.text import commune_key, nfc, province_key, slug

FOLDER = "boundaries"
SHIPPED = ROOT / "data" / FOLDER


@dataclass
class Prepared:
    province: str
    features: list[dict]                                       # GeoJSON features, matched and simplified
    unmatched: list[str] = field(default_factory=list)         # labels of the file's features no commune took
    missing: list[str] = field(default_factory=list)           # communes of the province without a boundary
    vertices_before: int = 0
    vertices_after: int = 0


def _code_key(code: str | None) -> str | None:
    """'07243', '7243' and ' 07243 ' are one code."""
    if not code:
        return None
    text = nfc(code).upper()
    return text.lstrip("0") or "0"


def _geometry(polygons: list) -> dict:
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in polygons[0]]}
    return {"type": "MultiPolygon", "coordinates": [[[list(p) for p in ring] for ring in polygon] for polygon in polygons]}


def prepare(features: list[Feature], communes: pl.DataFrame, province: str) -> Prepared:
    """Match each feature to a commune of `communes` (commune_id, commune_code, commune_name):
    by code when both have one, else by name without diacritics, case or 'Xã'. A commune two
    features claim keeps the first; a name two communes share matches neither (give codes)."""
    by_code = {}
    by_name: dict[str, list[dict]] = {}
    for row in communes.iter_rows(named=True):
        if _code_key(row.get("commune_code")):
            by_code[_code_key(row["commune_code"])] = row
        by_name.setdefault(commune_key(row["commune_name"]), []).append(row)
    taken: dict[str, int] = {}
    result = Prepared(province=province, features=[])
    for feature in features:
        row = by_code.get(_code_key(feature.code)) if feature.code else None
        if row is None and feature.name:
            candidates = by_name.get(commune_key(feature.name), [])
            row = candidates[0] if len(candidates) == 1 else None
        if row is None:
            result.unmatched.append(feature.label)
            continue
        if row["commune_id"] in taken:
            result.unmatched.append(_("{feature}: trùng xã với đối tượng thứ {number}").format(
                feature=feature.label, number=taken[row["commune_id"]]))
            continue
        taken[row["commune_id"]] = feature.number
        detail = simplify_polygons(feature.polygons, DETAIL_TOLERANCE)
        overview = simplify_polygons(feature.polygons, OVERVIEW_TOLERANCE)
        result.vertices_before += feature.n_vertices
        result.vertices_after += sum(len(ring) for polygon in detail for ring in polygon)
        result.features.append({
            "type": "Feature",
            "properties": {"commune_id": row["commune_id"], "commune_name": row["commune_name"], "province": province,
                           "source_number": feature.number},
            "geometry": _geometry(detail),
            "overview": _geometry(overview),
        })
    result.missing = [row["commune_name"] for row in communes.iter_rows(named=True) if row["commune_id"] not in taken]
    return result


def file_name(province: str) -> str:
    return f"{slug(province_key(province)) or 'tinh'}.geojson"


def write(store_root: Path, prepared: Prepared, *, illustrative: bool, source_file: str, loaded_at: str,
          loaded_by: str) -> Path:
    """The province's file in the store, replacing the last one whole (or never, on a crash)."""
    name = f"{FOLDER}/{file_name(prepared.province)}"
    document = {
        "type": "FeatureCollection", "province": prepared.province, "illustrative": illustrative,
        "source_file": source_file, "loaded_at": loaded_at, "loaded_by": loaded_by,
        "unmatched": prepared.unmatched, "features": prepared.features,
    }
    # Shared by every machine (a file of the store, or a row on PostgreSQL): queries.store.documents.
    documents.write(store_root, name, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return Path(store_root) / name


def path_for(store_root: Path | None, province: str) -> Path | None:
    """Where the province's boundaries are read from: the store's upload, else a shipped file."""
    name = file_name(province)
    for folder in ((Path(store_root) / FOLDER) if store_root else None, SHIPPED):
        if folder is not None and (folder / name).exists():
            return folder / name
    return None


def stamp(path: Path) -> str:
    """Changes when the file is replaced (for caches of the drawn map)."""
    info = os.stat(path)
    return f"{path}:{info.st_mtime_ns}:{info.st_size}"


def read(store_root: Path | None, province: str) -> dict | None:
    path = path_for(store_root, province)
    if path is None:
        return None
    return json.loads(path.read_text(encoding="utf-8"))
