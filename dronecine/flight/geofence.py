"""The geofence polygon as the safety supervisor needs it: distances to every edge, fast.

``Geofence`` precomputes each edge once; ``Geofence.edges(north_m, east_m)`` then gives, for one
horizontal position, whether it is inside and, per edge, the distance to the nearest point of that
edge (the segment, not its infinite line) with the unit direction in which moving brings the drone
closer to leaving the fence through that edge. That is the gradient of the distance to the
segment, which holds for any simple polygon, convex or not, and at its corners. The loops are plain
Python over the edges: for the few vertices a fence has they beat numpy's per-call overhead.

``check_polygon`` validates the vertices (shapely, once), so a fence that could not protect a drone
(too few vertices, crossing itself, no area) is refused before anything flies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

from shapely import LinearRing, Polygon

from dronecine.flight.errors import SafetyError

VerticesNE = tuple[tuple[float, float], ...]

_ON_EDGE_M = 1e-9  # closer than this to an edge, a drone is on it: its direction is the edge's normal


def check_polygon(vertices_ne_m: object, field: str = "geofence_ne_m") -> VerticesNE:
    """The vertices as a tuple of (north_m, east_m) float pairs, or ``SafetyError`` naming ``field``.

    A last vertex repeating the first (a closed ring) is dropped. The polygon must have at least 3
    distinct vertices, finite coordinates, no zero-length edge, must not cross or touch itself and
    must enclose an area.
    """
    if isinstance(vertices_ne_m, str | bytes) or not isinstance(vertices_ne_m, Sequence):
        raise SafetyError(
            f"{field} must be a sequence of (north_m, east_m) vertices, got {type(vertices_ne_m).__name__}", field
        )
    points: list[tuple[float, float]] = []
    for i, vertex in enumerate(vertices_ne_m):
        if (
            isinstance(vertex, str | bytes)
            or not isinstance(vertex, Sequence)
            or len(vertex) != 2
            or not all(isinstance(c, Real) and not isinstance(c, bool) for c in vertex)
        ):
            raise SafetyError(f"{field}[{i}] = {vertex!r} is not a (north_m, east_m) pair of numbers", field)
        north, east = float(vertex[0]), float(vertex[1])
        if not (math.isfinite(north) and math.isfinite(east)):
            raise SafetyError(f"{field}[{i}] = {vertex!r} is not finite (expected metres from the origin)", field)
        points.append((north, east))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # a closed ring
    if len(points) < 3:
        raise SafetyError(f"{field} has {len(points)} vertices (expected a polygon of at least 3)", field)
    for i, (p, q) in enumerate(zip(points, points[1:] + points[:1], strict=True)):
        if p == q:
            raise SafetyError(
                f"{field} vertices {i} and {(i + 1) % len(points)} are the same point {p} (expected distinct vertices)",
                field,
            )
    ring = LinearRing(points)
    if not ring.is_simple:
        raise SafetyError(f"{field} crosses or touches itself (expected its vertices in order around the area)", field)
    area = Polygon(ring).area
    perimeter = ring.length
    if not area > 1e-9 * perimeter * perimeter:
        raise SafetyError(f"{field} encloses {area:.3g} m² (expected a polygon with a real area)", field)
    return tuple(points)


def interior_after_margin_m2(vertices_ne_m: VerticesNE, margin_m: float) -> float:
    """The area left inside the polygon once ``margin_m`` is kept from every edge."""
    return float(Polygon(vertices_ne_m).buffer(-margin_m).area) if margin_m > 0.0 else Polygon(vertices_ne_m).area


class Geofence:
    """A simple polygon in the horizontal plane; vertices (north_m, east_m) in either orientation."""

    def __init__(self, vertices_ne_m: Sequence[tuple[float, float]]) -> None:
        points = check_polygon(vertices_ne_m)
        self._vertices = points
        area2 = sum(
            p[0] * q[1] - q[0] * p[1] for p, q in zip(points, points[1:] + points[:1], strict=True)
        )  # twice the signed area: > 0 when counter-clockwise in (north, east)
        side = 1.0 if area2 > 0.0 else -1.0
        edges = []
        for p, q in zip(points, points[1:] + points[:1], strict=True):
            en, ee = q[0] - p[0], q[1] - p[1]
            length = math.hypot(en, ee)
            # (north, east, edge north, edge east, 1/|edge|^2, outward normal north, east)
            edges.append((p[0], p[1], en, ee, 1.0 / (length * length), side * ee / length, -side * en / length))
        self._edges = tuple(edges)

    @property
    def vertices_ne_m(self) -> VerticesNE:
        return self._vertices

    @property
    def edge_count(self) -> int:
        return len(self._edges)

    def edges(self, north_m: float, east_m: float) -> tuple[bool, list[tuple[float, float, float]]]:
        """Whether (north_m, east_m) is inside, and per edge ``(distance_m, out_north, out_east)``.

        ``distance_m`` is the distance to the nearest point of the edge; ``(out_north, out_east)`` is
        the unit direction that decreases the signed distance to that edge (towards its nearest
        point from inside, away from it from outside; the edge's outward normal on the edge itself).
        """
        inside = False
        result = []
        for an, ae, en, ee, inv_len2, on, oe in self._edges:
            dn, de = north_m - an, east_m - ae
            # Crossing number: does a ray from the point towards +north cross this edge? It does when
            # the edge straddles east_m and meets it north of the point (multiplied out by ee).
            if (ae > east_m) != (ae + ee > east_m):
                cross = dn * ee - en * de
                if (cross < 0.0) == (ee > 0.0):
                    inside = not inside
            t = (dn * en + de * ee) * inv_len2
            t = 0.0 if t < 0.0 else (1.0 if t > 1.0 else t)
            cn, ce = t * en - dn, t * ee - de  # from the point to the nearest point of the edge
            distance = math.hypot(cn, ce)
            if distance > _ON_EDGE_M:
                result.append((distance, cn / distance, ce / distance))
            else:
                result.append((distance, on, oe))
        if not inside:
            result = [(d, -n, -e) if d > _ON_EDGE_M else (d, n, e) for d, n, e in result]
        return inside, result

    def signed_distance_m(self, north_m: float, east_m: float) -> float:
        """Distance to the nearest edge: positive inside the fence, negative outside."""
        inside, edges = self.edges(north_m, east_m)
        nearest = min(d for d, _, _ in edges)
        return nearest if inside else -nearest

    def contains(self, north_m: float, east_m: float) -> bool:
        """Whether the point is strictly inside (on an edge counts as outside)."""
        inside, edges = self.edges(north_m, east_m)
        return inside and min(d for d, _, _ in edges) > 0.0
