"""Fictional commune boundaries for the demo provinces: a jittered grid, one cell a commune.

The cells share their edges (neighbours meet without gaps or overlaps), each edge bends a
little so the map looks drawn rather than ruled, and every feature says it is an illustration.
They are placed inside Vietnam's coordinates only so that the upload's checks accept them;
they look like no real place, and the shipped file says "minh họa". Real boundaries come from
the province (Quản trị → Bản đồ xã).
"""
from __future__ import annotations

import math

import numpy as np

NOTE = "Ranh giới MINH HỌA do phần mềm sinh ra, không phải ranh giới thật"
EDGE_POINTS = 3  # bends along each edge between two corners


def province_origin(index: int) -> tuple[float, float]:
    """Where the index-th demo province's block starts (south-west corner), blocks laid out
    five a row from 103° E, 9° N northwards: inside Vietnam's coordinates, like no real map."""
    return 103.0 + (index % 5) * 1.55, 9.0 + (index // 5) * 1.85


def fictional_boundaries(communes: list[tuple[str, str | None]], origin: tuple[float, float],
                         cell: float, seed: int) -> dict:
    """A GeoJSON FeatureCollection, as a province would upload it: one feature per (name,
    code) in `communes`, properties ten_xa, ma_xa and ghi_chu (the note that it is fictional)."""
    rng = np.random.default_rng(seed)
    n = len(communes)
    columns = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / columns))
    lon0, lat0 = origin
    corners = np.zeros((rows + 1, columns + 1, 2))
    for r in range(rows + 1):
        for c in range(columns + 1):
            jitter = rng.uniform(-0.28, 0.28, 2) * cell if 0 < r < rows and 0 < c < columns else (0, 0)
            corners[r, c] = (lon0 + c * cell + jitter[0], lat0 + r * cell + jitter[1])
    edges: dict[tuple, list] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list:
        """The points from corner a to corner b, shared with the neighbour (which walks it back)."""
        key = (a, b) if a < b else (b, a)
        if key not in edges:
            start, end = corners[key[0]], corners[key[1]]
            border = (key[0][0] == key[1][0] and key[0][0] in (0, rows)) or \
                     (key[0][1] == key[1][1] and key[0][1] in (0, columns))
            normal = np.array([-(end - start)[1], (end - start)[0]])
            points = []
            for k in range(1, EDGE_POINTS + 1):
                t = k / (EDGE_POINTS + 1)
                bend = 0 if border else rng.uniform(-0.08, 0.08)
                points.append(start + t * (end - start) + bend * normal)
            edges[key] = [tuple(start)] + [tuple(p) for p in points] + [tuple(end)]
        path = edges[key]
        return path if key == (a, b) else path[::-1]

    features = []
    for i, (name, code) in enumerate(communes):
        r, c = divmod(i, columns)
        ring = []
        for a, b in (((r, c), (r, c + 1)), ((r, c + 1), (r + 1, c + 1)), ((r + 1, c + 1), (r + 1, c)),
                     ((r + 1, c), (r, c))):
            ring.extend(edge(a, b)[:-1])
        ring.append(ring[0])
        features.append({
            "type": "Feature",
            "properties": {"ten_xa": name, "ma_xa": code or "", "ghi_chu": NOTE},
            "geometry": {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]},
        })
    return {"type": "FeatureCollection", "name": "Ranh giới xã (minh họa)", "features": features}
