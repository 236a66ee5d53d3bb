"""The geofence polygon: inside/outside and edge distances agree with shapely, in either vertex
order, for convex and non-convex fences; polygons that cannot protect a drone are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from flight_safetykit import ACUTE_NE_M, FENCES, L_SHAPE_NE_M, SQUARE_NE_M
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.flight import Geofence, SafetyError
from dronecine.flight.geofence import check_polygon


def test_square_edges_give_distance_and_direction_to_each_edge() -> None:
    fence = Geofence(SQUARE_NE_M)
    inside, edges = fence.edges(10.0, -5.0)
    assert inside
    # Edges in vertex order: south (north = -30), east (east = 30), north (north = 30), west (east = -30).
    assert [round(d, 9) for d, _, _ in edges] == [40.0, 35.0, 20.0, 25.0]
    assert [(round(n, 9), round(e, 9)) for _, n, e in edges] == [(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, -1.0)]
    assert fence.signed_distance_m(10.0, -5.0) == pytest.approx(20.0)
    assert fence.contains(10.0, -5.0)


def test_outside_directions_point_away_from_the_fence() -> None:
    fence = Geofence(SQUARE_NE_M)
    inside, edges = fence.edges(35.0, 0.0)  # 5 m north of the north edge
    assert not inside
    distance, n_north, n_east = edges[2]
    assert distance == pytest.approx(5.0)
    assert (n_north, n_east) == pytest.approx((1.0, 0.0))  # moving north takes it further out
    assert fence.signed_distance_m(35.0, 0.0) == pytest.approx(-5.0)
    assert not fence.contains(35.0, 0.0)


def test_beyond_an_edge_end_the_direction_is_along_the_line_to_the_vertex() -> None:
    fence = Geofence(SQUARE_NE_M)
    inside, edges = fence.edges(35.0, 35.0)  # outside, diagonally off the corner (30, 30)
    assert not inside
    diagonal = (1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0))
    for distance, n_north, n_east in (edges[1], edges[2]):  # both edges' nearest point is the corner
        assert distance == pytest.approx(math.hypot(5.0, 5.0))
        assert (n_north, n_east) == pytest.approx(diagonal)


def test_in_the_notch_of_an_l_the_drone_is_outside() -> None:
    fence = Geofence(L_SHAPE_NE_M)
    assert not fence.contains(10.0, 10.0)
    assert fence.signed_distance_m(10.0, 10.0) == pytest.approx(-10.0)
    assert fence.contains(-10.0, 10.0)
    assert fence.signed_distance_m(-10.0, 10.0) == pytest.approx(10.0)


def test_a_point_on_an_edge_uses_the_edge_normal() -> None:
    fence = Geofence(SQUARE_NE_M)
    _, edges = fence.edges(30.0, 0.0)
    assert edges[2] == (0.0, pytest.approx(1.0), pytest.approx(0.0))
    assert not fence.contains(30.0, 0.0)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(FENCES)),
    reverse=st.booleans(),
    north=st.floats(-150.0, 150.0),
    east=st.floats(-150.0, 150.0),
)
def test_inside_and_distances_agree_with_shapely(name: str, reverse: bool, north: float, east: float) -> None:
    vertices = FENCES[name][::-1] if reverse else FENCES[name]
    fence = Geofence(vertices)
    polygon = shapely.Polygon(vertices)
    inside, edges = fence.edges(north, east)
    point = shapely.Point(north, east)
    boundary_distance = polygon.exterior.distance(point)
    if boundary_distance > 1e-9:
        assert inside == polygon.contains(point)
    segments = [shapely.LineString([p, q]) for p, q in zip(vertices, vertices[1:] + vertices[:1], strict=True)]
    for (distance, n_north, n_east), segment in zip(edges, segments, strict=True):
        assert distance == pytest.approx(segment.distance(point), abs=1e-9)
        assert math.hypot(n_north, n_east) == pytest.approx(1.0)
        if distance > 1e-6:
            # A small step along the direction changes the signed distance to the edge by -step.
            step = 1e-4 * min(1.0, distance)
            moved = shapely.Point(north + step * n_north, east + step * n_east)
            sign = 1.0 if inside else -1.0
            assert sign * (segment.distance(moved) - distance) == pytest.approx(-step, rel=1e-3, abs=1e-9)
    assert fence.signed_distance_m(north, east) == pytest.approx(boundary_distance if inside else -boundary_distance)


def test_orientation_does_not_change_the_outward_normals() -> None:
    for vertices in (ACUTE_NE_M, ACUTE_NE_M[::-1]):
        _, edges = Geofence(vertices).edges(*vertices[0])  # on a vertex: two edges at distance 0
        on_edges = [(n, e) for d, n, e in edges if d == 0.0]
        assert len(on_edges) == 2
        centroid = np.mean(vertices, axis=0)
        for n, e in on_edges:  # outward: away from the inside
            assert np.dot([n, e], np.array(vertices[0]) - centroid) > 0.0


def test_a_closed_ring_is_accepted_without_its_repeated_vertex() -> None:
    assert check_polygon([*SQUARE_NE_M, SQUARE_NE_M[0]]) == SQUARE_NE_M
    assert Geofence([*SQUARE_NE_M, SQUARE_NE_M[0]]).edge_count == 4


@pytest.mark.parametrize(
    ("vertices", "expected"),
    [
        (((0.0, 0.0), (10.0, 0.0)), "has 2 vertices (expected a polygon of at least 3)"),
        (((0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)), "crosses or touches itself"),  # a bow tie
        (((0.0, 0.0), (5.0, 5.0), (10.0, 10.0)), "crosses or touches itself"),  # collinear: no area
        (((0.0, 0.0), (10.0, 0.0), (10.0, 0.0), (0.0, 10.0)), "vertices 1 and 2 are the same point"),
        (((0.0, 0.0), (10.0, float("nan")), (0.0, 10.0)), "is not finite"),
        (((0.0, 0.0), (10.0,), (0.0, 10.0)), "is not a (north_m, east_m) pair"),
        (((0.0, 0.0), (10.0, "x"), (0.0, 10.0)), "is not a (north_m, east_m) pair"),
        ("square", "must be a sequence of (north_m, east_m) vertices"),
    ],
)
def test_bad_polygons_are_refused_with_a_clear_message(vertices: object, expected: str) -> None:
    with pytest.raises(SafetyError, match="geofence_ne_m") as raised:
        check_polygon(vertices)
    assert expected in str(raised.value)
    assert raised.value.field == "geofence_ne_m"


def test_a_sliver_is_refused_for_its_area() -> None:
    with pytest.raises(SafetyError, match=r"encloses .* m² \(expected a polygon with a real area\)"):
        check_polygon(((0.0, 0.0), (1000.0, 0.0), (1000.0, 1e-7)))
