"""Reading a province's commune boundaries (GeoJSON, RFC 7946) and refusing what cannot be one.

`read_features(data)` returns the features (polygons of longitude/latitude in WGS 84) with the
code and name each carries, or raises `BoundaryFileError` with one Vietnamese sentence: not
JSON, not GeoJSON, too large (bytes, features or vertices), a ring that does not close,
coordinates that are not longitude/latitude in Vietnam. Nothing is kept here; the caller
stores only after every check passed.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from queries.errors import UserFacingError
from queries.i18n import _
from queries.text import clean_line, fold, format_number

MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024
# A province has a few hundred communes at most, and their detailed boundaries a few hundred
# thousand points; a million is a mistake (a national file, an unsimplified survey) or an attack.
MAX_FEATURES = 2_000
MAX_VERTICES = 500_000
# Vietnam with its islands (Hoàng Sa, Trường Sa): longitude 102–118° E, latitude 6–23,5° N.
LON_RANGE = (102.0, 118.0)
LAT_RANGE = (6.0, 23.5)
# Property names (folded) that may hold the commune's code, then its name, most specific first.
CODE_KEYS = ("commune_code", "ma_xa", "maxa", "ma_dvhc", "madvhc", "ma_dv", "code", "ma")
NAME_KEYS = ("commune_name", "ten_xa", "tenxa", "ten_dvhc", "tendvhc", "ten_dv", "name", "ten", "xa")

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # the outer ring, then holes


class BoundaryFileError(UserFacingError):
    """A boundary file that cannot be used: one sentence, and nothing was stored."""


@dataclass
class Feature:
    number: int          # 1-based, as a person counts the features in the file
    code: str | None
    name: str | None
    polygons: list[Polygon]

    @property
    def label(self) -> str:
        """'đối tượng thứ 3 (Xã An Bình, mã 07243)'."""
        parts = [p for p in (self.name, _("mã {code}").format(code=self.code) if self.code else None) if p]
        return _("đối tượng thứ {number}").format(number=self.number) + (f" ({', '.join(parts)})" if parts else "")

    @property
    def n_vertices(self) -> int:
        return sum(len(ring) for polygon in self.polygons for ring in polygon)


def _refuse(reason: str) -> BoundaryFileError:
    return BoundaryFileError(_("Tệp ranh giới không dùng được, chưa lưu gì: {reason}.").format(reason=reason))


def _key(name: str) -> str:
    return fold(str(name)).replace(" ", "_").replace("-", "_")


def _property(properties: Mapping, keys: tuple[str, ...]) -> str | None:
    by_key = {_key(k): v for k, v in properties.items()}
    for key in keys:
        value = by_key.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            text = clean_line(str(value))
            if text:
                return text
    return None


class _Counter:
    def __init__(self) -> None:
        self.vertices = 0


def _ring(raw, where: str, counter: _Counter) -> Ring:
    if not isinstance(raw, list) or not raw:
        raise _refuse(_("{where} có một đường bao không phải danh sách tọa độ").format(where=where))
    counter.vertices += len(raw)
    if counter.vertices > MAX_VERTICES:
        raise _refuse(_("tệp có hơn {limit} điểm tọa độ; hãy đơn giản hóa ranh giới (ví dụ bằng mapshaper) hoặc gửi "
                        "ranh giới của một tỉnh").format(limit=format_number(MAX_VERTICES, 0)))
    points: Ring = []
    for position in raw:
        if (not isinstance(position, list) or len(position) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
            raise _refuse(_("{where} có tọa độ không phải cặp số [kinh độ, vĩ độ]").format(where=where))
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise _refuse(_("{where} có tọa độ không phải số").format(where=where))
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            hint = ""
            if LON_RANGE[0] <= lat <= LON_RANGE[1] and LAT_RANGE[0] <= lon <= LAT_RANGE[1]:
                hint = _(" (kinh độ và vĩ độ có vẻ bị đổi chỗ)")
            elif abs(lon) > 360 or abs(lat) > 90:
                hint = _(" (có vẻ là tọa độ phẳng như VN-2000, không phải kinh độ, vĩ độ WGS 84)")
            raise _refuse(_("{where} có điểm ({lon}; {lat}) nằm ngoài Việt Nam").format(
                where=where, lon=format_number(lon, 4), lat=format_number(lat, 4)) + hint)
        points.append((lon, lat))
    if len(points) < 4:
        raise _refuse(_("{where} có một đường bao chưa đến 4 điểm").format(where=where))
    if points[0] != points[-1]:
        raise _refuse(_("{where} có đường bao không khép kín (điểm cuối khác điểm đầu)").format(where=where))
    return points


def _polygons(geometry, where: str, counter: _Counter) -> list[Polygon]:
    if not isinstance(geometry, Mapping):
        raise _refuse(_("{where} không có hình (geometry rỗng)").format(where=where))
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        raw_polygons = coordinates
    else:
        raise _refuse(_("{where} là hình “{kind}”, không phải vùng (Polygon hoặc MultiPolygon)").format(where=where, kind=kind))
    if not isinstance(raw_polygons, list) or not raw_polygons:
        raise _refuse(_("{where} không có tọa độ").format(where=where))
    polygons = []
    for raw in raw_polygons:
        if not isinstance(raw, list) or not raw:
            raise _refuse(_("{where} có một vùng không có đường bao").format(where=where))
        polygons.append([_ring(ring, where, counter) for ring in raw])
    return polygons


def read_features(data: bytes) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection (or a single Feature), checked."""
    if len(data) > MAX_BYTES:
        raise _refuse(_("tệp nặng {size} MB, quá {limit} MB cho ranh giới của một tỉnh").format(
            size=format_number(len(data) / 1024 / 1024, 1), limit=MAX_MB))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(_("đây không phải tệp GeoJSON (không đọc được dạng JSON)")) from None
    if not isinstance(document, Mapping):
        raise _refuse(_("đây không phải tệp GeoJSON (cần một FeatureCollection)"))
    if document.get("type") == "Feature":
        raw_features = [document]
    elif document.get("type") == "FeatureCollection" and isinstance(document.get("features"), list):
        raw_features = document["features"]
    else:
        raise _refuse(_("đây không phải tệp GeoJSON (cần một FeatureCollection có danh sách features)"))
    if not raw_features:
        raise _refuse(_("tệp không có đối tượng nào (features rỗng)"))
    if len(raw_features) > MAX_FEATURES:
        raise _refuse(_("tệp có {count} đối tượng, quá {limit} cho một tỉnh").format(
            count=format_number(len(raw_features), 0), limit=format_number(MAX_FEATURES, 0)))
    counter = _Counter()
    features = []
    for number, raw in enumerate(raw_features, start=1):
        if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
            raise _refuse(_("đối tượng thứ {number} không phải một Feature của GeoJSON").format(number=number))
        properties = raw.get("properties") if isinstance(raw.get("properties"), Mapping) else {}
        feature = Feature(number, _property(properties, CODE_KEYS), _property(properties, NAME_KEYS), [])
        feature.polygons = _polygons(raw.get("geometry"), feature.label, counter)
        features.append(feature)
    return features
