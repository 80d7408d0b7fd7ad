"""Commune boundaries: what a province's GeoJSON must be (one Vietnamese sentence otherwise, and
nothing stored), Douglas–Peucker, matching to communes by code or folded name, who may upload,
and the shipped demo file ("minh họa")."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from queries.accounts import service
from queries.accounts.audit import audit_events, details_text
from queries.accounts.permissions import LOCAL_ADMIN
from queries.accounts.places import Places
from queries.admin_loads import LoadRefused, load_boundaries
from queries.db import Database
from queries.maps import boundaries
from queries.maps.demo import fictional_boundaries
from queries.maps.geojson import BoundaryFileError, read_features
from queries.maps.simplify import simplify_ring
from tests.conftest import FIXTURE_DIR

ROOT = Path(__file__).resolve().parents[1]


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode("utf-8")


def square(lon: float, lat: float, size: float = 0.05, **properties) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def refusal(data: bytes) -> str:
    with pytest.raises(BoundaryFileError) as raised:
        read_features(data)
    return raised.value.message


# ---- what is refused --------------------------------------------------------------------------------

def test_broken_oversized_and_absurd_files_get_one_sentence_each():
    prefix = "Tệp ranh giới không dùng được, chưa lưu gì: "
    assert refusal(b"ten_xa;ma_xa\nAn Binh;1\n") == prefix + "đây không phải tệp GeoJSON (không đọc được dạng JSON)."
    assert refusal(b'{"type": "Topology"}') == prefix + ("đây không phải tệp GeoJSON (cần một FeatureCollection có "
                                                          "danh sách features).")
    started = time.process_time()  # CPU time: the suite's other workers do not count
    assert refusal(b" " * (50 * 1024 * 1024)) == prefix + "tệp nặng 50,0 MB, quá 20 MB cho ranh giới của một tỉnh."
    assert time.process_time() - started < 1  # refused before reading it
    open_ring = square(105.5, 20.5, ten_xa="Xã An Bình")
    open_ring["geometry"]["coordinates"][0].pop()
    assert refusal(collection(square(105, 20), open_ring)) == prefix + (
        "đối tượng thứ 2 (Xã An Bình) có đường bao không khép kín (điểm cuối khác điểm đầu).")
    assert refusal(collection(square(2.35, 48.85, ten_xa="Paris"))) == prefix + (
        "đối tượng thứ 1 (Paris) có điểm (2,3500; 48,8500) nằm ngoài Việt Nam.")
    assert refusal(collection(square(20.5, 105.5))).endswith("(kinh độ và vĩ độ có vẻ bị đổi chỗ).")
    assert refusal(collection(square(580000, 2300000, size=1000))).endswith(
        "(có vẻ là tọa độ phẳng như VN-2000, không phải kinh độ, vĩ độ WGS 84).")
    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [105, 20]}}
    assert refusal(collection(point)) == prefix + "đối tượng thứ 1 là hình “Point”, không phải vùng (Polygon hoặc MultiPolygon)."
    assert refusal(collection()) == prefix + "tệp không có đối tượng nào (features rỗng)."
    assert refusal(b"[" * 100_000 + b"]" * 100_000) == prefix + "đây không phải tệp GeoJSON (không đọc được dạng JSON)."


def test_a_million_vertices_is_refused_without_reading_them_all():
    theta = np.linspace(0, 2 * math.pi, 1_000_000)
    ring = [[round(105.5 + 0.4 * math.cos(t), 3), round(20.5 + 0.4 * math.sin(t), 3)] for t in theta]
    ring[-1] = ring[0]
    data = collection({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert len(data) < 20 * 1024 * 1024  # under the size limit: the count of points refuses it
    assert refusal(data) == ("Tệp ranh giới không dùng được, chưa lưu gì: tệp có hơn 500.000 điểm tọa độ; hãy đơn giản "
                             "hóa ranh giới (ví dụ bằng mapshaper) hoặc gửi ranh giới của một tỉnh.")


# ---- Douglas–Peucker ---------------------------------------------------------------------------------------

def test_douglas_peucker_keeps_rings_closed_and_drops_the_points_a_screen_cannot_show():
    theta = np.linspace(0, 2 * math.pi, 20_001)
    ring = [(105.5 + 0.1 * math.cos(t), 20.5 + 0.1 * math.sin(t)) for t in theta]
    ring[-1] = ring[0]
    simple = simplify_ring(ring, 0.001)
    assert simple[0] == simple[-1] and 10 < len(simple) < 100
    # every kept point is a point of the ring, and no point of the ring is farther than the tolerance
    # (plus the rounding to 5 decimals) from the simplified outline's vertices' circle
    radii = [math.hypot(x - 105.5, y - 20.5) for x, y in simple]
    assert all(abs(r - 0.1) < 1e-5 for r in radii)
    assert simplify_ring([(105, 20), (105.0001, 20), (105.0001, 20.0001), (105, 20)], 0.01) == [
        (105.0, 20.0), (105.0001, 20.0), (105.0001, 20.0001), (105.0, 20.0)]
    sliver = [(105 + i * 1e-6, 20.0) for i in range(50)] + [(105, 20.000001), (105, 20.0)]
    assert len(simplify_ring(sliver, 0.01)) == 4  # a sliver keeps a triangle, never vanishes


# ---- matching ---------------------------------------------------------------------------------------------

def test_features_match_communes_by_code_or_by_name_without_diacritics():
    communes = pl.DataFrame({
        "commune_id": ["t/an-binh", "t/dong-hoa", "t/em-hai", "t/phu-moi"],
        "commune_code": ["07243", None, None, None],
        "commune_name": ["Xã An Bình", "Xã Đông Hòa", "Xã Em Hai", "Xã Phú Mới"],
    })
    data = collection(
        square(105.0, 20, ma_xa="7243", ten_xa="tên khác"),    # by code, leading zero or not
        square(105.1, 20, TEN_XA="xa dong hoa"),                # by name, folded
        square(105.2, 20, name="Phường Không Có"),              # nobody
        square(105.3, 20, ten="Đông Hòa"),                       # the same commune twice
        square(105.4, 20, ten_xa="Em  Hai"),
    )
    prepared = boundaries.prepare(read_features(data), communes, "Thử")
    assert [f["properties"]["commune_id"] for f in prepared.features] == ["t/an-binh", "t/dong-hoa", "t/em-hai"]
    assert prepared.unmatched == ["đối tượng thứ 3 (Phường Không Có)",
                                  "đối tượng thứ 4 (Đông Hòa): trùng xã với đối tượng thứ 2"]
    assert prepared.missing == ["Xã Phú Mới"]
    assert all(f["overview"]["type"] == "Polygon" for f in prepared.features)


def test_a_commune_with_a_town_inside_keeps_its_hole_on_the_map():
    """A hole survives the upload and is drawn wound against its polygon, whatever the file's
    winding, so the band's non-zero fill leaves it empty."""
    from ui.maps import _oriented

    communes = pl.DataFrame({"commune_id": ["t/an-binh", "t/thi-tran"], "commune_code": [None, None],
                             "commune_name": ["Xã An Bình", "Thị trấn Giữa"]})
    outer = [[105.0, 20.0], [105.3, 20.0], [105.3, 20.3], [105.0, 20.3], [105.0, 20.0]]   # counter-clockwise
    hole = [[105.1, 20.1], [105.2, 20.1], [105.2, 20.2], [105.1, 20.2], [105.1, 20.1]]   # also, as files often do
    ring = {"type": "Feature", "properties": {"ten_xa": "An Bình"},
            "geometry": {"type": "Polygon", "coordinates": [outer, hole]}}
    town = {"type": "Feature", "properties": {"ten_xa": "Thị trấn Giữa"},
            "geometry": {"type": "Polygon", "coordinates": [hole]}}
    prepared = boundaries.prepare(read_features(collection(ring, town)), communes, "Thử")
    kept = prepared.features[0]["geometry"]["coordinates"]
    assert len(kept) == 2  # the hole is kept

    def area(lons_lats) -> float:
        lons, lats = lons_lats
        return sum(lons[i] * lats[i + 1] - lons[i + 1] * lats[i] for i in range(len(lons) - 1)) / 2

    assert area(_oriented(kept[0], hole=False)) > 0 > area(_oriented(kept[1], hole=True))
    assert area(_oriented(list(reversed(kept[0])), hole=False)) > 0 > area(_oriented(list(reversed(kept[1])), hole=True))


# ---- uploading -----------------------------------------------------------------------------------------------

def fixture_file(*names: str) -> bytes:
    return json.dumps(fictional_boundaries([(n, None) for n in names], (105.2, 20.0), 0.05, 3)).encode("utf-8")


def test_a_province_admin_uploads_its_own_province_only_and_a_refusal_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")
    store = tmp_path / "store"
    db = Database(store=store, include_demo=False, data_dir=FIXTURE_DIR)
    places = Places.from_database(db)
    mine = service.create_account(LOCAL_ADMIN, store, username="qt.thu", role="quan_tri", password="mk-dai-du-8",
                                  name="QT Thử", provinces=["Thử Nghiệm"], places=places)
    leader = service.create_account(LOCAL_ADMIN, store, username="ld.thu", role="lanh_dao", password="mk-dai-du-8",
                                    name="LĐ", provinces=["Thử Nghiệm"], places=places)
    data = fixture_file("Xã An Bình", "Xã Đông Hòa", "Xã Dương Minh", "Xã Em Hai", "Xã Phú Mới", "Xã Lạ")
    for actor, province in ((mine, "Khác"), (leader, "Thử Nghiệm")):
        with pytest.raises(LoadRefused, match="Chỉ Quản trị của tỉnh"):
            load_boundaries(db, actor, province, data, "ranh-gioi.geojson")
    with pytest.raises(BoundaryFileError, match="không đối tượng nào trong 6 đối tượng khớp với một xã của tỉnh Khác"):
        load_boundaries(db, LOCAL_ADMIN, "Khác", data, "ranh-gioi.geojson")
    with pytest.raises(BoundaryFileError):
        load_boundaries(db, mine, "Thử Nghiệm", b"not json", "hong.geojson")
    assert not (store / "boundaries").exists() and not [e for e in audit_events(store)
                                                        if e["action"] == "boundaries_loaded"]

    prepared = load_boundaries(db, mine, "Thử Nghiệm", data, "ranh-gioi.geojson")
    assert len(prepared.features) == 5 and prepared.unmatched == ["đối tượng thứ 6 (Xã Lạ)"]
    stored = boundaries.read(store, "Thử Nghiệm")
    assert stored["province"] == "Thử Nghiệm" and stored["loaded_by"] == "qt.thu" and not stored["illustrative"]
    assert {f["properties"]["commune_id"] for f in stored["features"]} == {
        "thu/an-binh", "thu/dong-hoa", "thu/duong-minh", "thu/em-hai", "thu/phu-moi"}
    assert not list((store / "boundaries").glob("*.tmp"))  # written under a temporary name, then renamed
    [event] = [e for e in audit_events(store) if e["action"] == "boundaries_loaded"]
    assert event["details"]["unmatched"] == ["đối tượng thứ 6 (Xã Lạ)"] and event["details"]["matched"] == 5
    # The audit page reads a sentence, not the stored fields.
    assert details_text(event) == ("Tỉnh Thử Nghiệm: tệp “ranh-gioi.geojson”, 5 xã khớp ranh giới, 1 đối tượng không "
                                   "khớp, 0 xã chưa có ranh giới")


def test_the_shipped_demo_boundaries_are_illustrative_and_cover_the_demo_province():
    document = boundaries.read(None, "Minh Họa")
    assert document["illustrative"] is True and "minh họa" in document["source_file"]
    assert len(document["features"]) == 100 and document["unmatched"] == []
    assert {f["properties"]["province"] for f in document["features"]} == {"Minh Họa"}
    assert boundaries.read(None, "Đồng Nai") is None  # real provinces' boundaries come from the province
