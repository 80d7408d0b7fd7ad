"""Douglas–Peucker simplification of boundary rings, done once when a file is uploaded.

Written here (forty lines over numpy, which the project already has through polars and pandas)
rather than installed: Shapely wraps GEOS and `simplification` is a compiled Rust extension,
neither pure Python; `rdp`, the pure-Python one, has had no release since 2016 and loops in
Python over every point, far slower than numpy's vector arithmetic on the hundreds of thousands
of points a province's file can hold. Rings stay closed and keep at least three distinct points.
"""
from __future__ import annotations

import numpy as np

# Degrees of longitude/latitude (at Vietnam's latitudes 0,001° is about 110 m): a province on
# a laptop screen is about 125 m a pixel, the whole country about 2 km a pixel.
DETAIL_TOLERANCE = 0.001
OVERVIEW_TOLERANCE = 0.01
DECIMALS = 5  # about a metre: more digits only make the file larger


def _keep(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Which points of an open polyline Douglas–Peucker keeps (iterative: no recursion limit)."""
    n = len(points)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        start, end = points[first], points[last]
        inner = points[first + 1:last]
        direction = end - start
        length = float(np.hypot(*direction))
        if length == 0:
            distances = np.hypot(*(inner - start).T)
        else:
            distances = np.abs(direction[0] * (inner[:, 1] - start[1]) - direction[1] * (inner[:, 0] - start[0])) / length
        farthest = int(np.argmax(distances))
        if distances[farthest] > tolerance:
            middle = first + 1 + farthest
            keep[middle] = True
            stack.append((first, middle))
            stack.append((middle, last))
    return keep


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """A closed ring, simplified: split at the point farthest from its start (a closed ring's
    two ends are the same point, which gives Douglas–Peucker no line to measure from)."""
    points = np.asarray(ring, dtype=float)
    if len(points) <= 4:
        return [tuple(p) for p in np.round(points, DECIMALS)]
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    keep = np.zeros(len(points), dtype=bool)
    keep[:far + 1] |= _keep(points[:far + 1], tolerance)
    keep[far:] |= _keep(points[far:], tolerance)
    kept = points[keep]
    if len(kept) < 4:  # a sliver the tolerance would erase: keep a triangle of it
        kept = points[[0, len(points) // 3, 2 * len(points) // 3, len(points) - 1]]
    rounded = np.round(kept, DECIMALS)
    rounded[-1] = rounded[0]
    return [(float(x), float(y)) for x, y in rounded]


def simplify_polygons(polygons: list, tolerance: float) -> list:
    return [[simplify_ring(ring, tolerance) for ring in polygon] for polygon in polygons]
