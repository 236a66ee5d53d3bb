"""Buildings: the slab test that hides subjects behind walls, the signed clearance, random layouts."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.world import Buildings, GroundStyle, World, WorldError

from dronecine.geometry.person import silhouette_points

# One wall 10 m north of the origin: north 10..11, east -5..5, 6 m high.
WALL = Buildings.from_footprints([(10.5, 0.0, 1.0, 10.0, 6.0)])


def test_from_footprints_builds_boxes_standing_on_the_ground() -> None:
    b = Buildings.from_footprints([(10.0, -4.0, 4.0, 6.0, 12.0)], colour_bgr=(1, 2, 3))
    np.testing.assert_allclose(b.min_ned_m, [[8.0, -7.0, -12.0]])
    np.testing.assert_allclose(b.max_ned_m, [[12.0, -1.0, 0.0]])
    np.testing.assert_array_equal(b.colour_bgr, [[1, 2, 3]])
    assert len(b) == 1 and len(Buildings.none()) == 0


def test_the_arrays_are_read_only() -> None:
    with pytest.raises(ValueError, match="read-only"):
        WALL.min_ned_m[0, 0] = 3.0


def test_a_wall_between_eye_and_point_blocks_and_one_beside_does_not() -> None:
    eye = np.array([0.0, 0.0, -2.0])
    points = np.array(
        [
            [[20.0, 0.0, -2.0]],  # straight through the wall
            [[20.0, 12.0, -2.0]],  # past its east end
            [[20.0, 0.0, -30.0]],  # over its top
            [[5.0, 0.0, -2.0]],  # in front of it
        ]
    )
    np.testing.assert_array_equal(WALL.occluded_fraction(eye, points), [1.0, 0.0, 0.0, 0.0])


def test_a_low_wall_hides_the_lower_half_of_a_person() -> None:
    low_wall = Buildings.from_footprints([(10.5, 0.0, 1.0, 10.0, 1.0)])
    eye = np.array([[0.0, 0.0, -1.5]])
    feet = np.array([[20.0, 0.0, 0.0]])
    silhouette = silhouette_points(eye, feet, 1.75, 0.25)  # (1, 8, 3): foot ring then head ring
    blocked = low_wall.segments_blocked(eye, silhouette)
    np.testing.assert_array_equal(blocked[0], [True] * 4 + [False] * 4)
    np.testing.assert_allclose(low_wall.occluded_fraction(eye, silhouette), [0.5])


def test_segments_parallel_to_the_axes_and_grazing_faces() -> None:
    eyes = np.array([[0.0, 0.0, -3.0], [0.0, 5.0, -3.0], [0.0, 0.0, -3.0], [0.0, 0.0, -3.0], [0.0, 3.0, -6.0]])
    points = np.array(
        [
            [[30.0, 0.0, -3.0]],  # along north, through the wall
            [[30.0, 5.0, -3.0]],  # along north in the plane of the wall's east face: not through it
            [[30.0, 0.0, -6.0]],  # ends at roof height beyond the wall: crosses the wall body
            [[10.0, 0.0, -3.0]],  # ends on the wall's face
            [[30.0, 3.0, -6.0]],  # along north in the plane of the roof
        ]
    )
    blocked = WALL.segments_blocked(eyes, points)[:, 0]
    np.testing.assert_array_equal(blocked, [True, False, True, False, False])


def test_an_eye_inside_a_building_sees_nothing() -> None:
    eye = np.array([10.5, 0.0, -3.0])
    points = np.array([[[0.0, 0.0, -3.0], [10.5, 3.0, -3.0], [50.0, 50.0, -100.0]]])
    np.testing.assert_allclose(WALL.occluded_fraction(eye, points), [1.0])


def test_blocking_agrees_with_dense_sampling_of_random_segments() -> None:
    rng = np.random.default_rng(7)
    buildings = Buildings.random(rng, 6, 40.0)
    n, p = 400, 3
    eyes = np.column_stack([rng.uniform(-60, 60, (n, 2)), rng.uniform(-40, -0.5, n)])
    points = np.concatenate([rng.uniform(-60, 60, (n, p, 2)), rng.uniform(-40, 0.0, (n, p, 1))], axis=-1)
    blocked = buildings.segments_blocked(eyes, points)
    t = np.linspace(0.0, 1.0, 4001)[:, None, None, None]
    samples = eyes[None, :, None, :] + t * (points - eyes[:, None, :])[None]
    sampled = buildings.inside(samples.reshape(-1, 3)).reshape(len(t), n, p).any(axis=0)
    # Dense sampling can only miss a sliver; it never finds a hit the slab test misses.
    assert not (sampled & ~blocked).any()
    assert (blocked & ~sampled).mean() < 0.01
    assert blocked.mean() > 0.05  # the layout really is in the way of some segments


def test_clearance_is_the_signed_distance_to_the_nearest_surface() -> None:
    points = np.array(
        [
            [5.0, 0.0, -2.0],  # 5 m in front of the south face
            [10.5, 8.0, -2.0],  # 3 m east of the east face
            [13.0, 9.0, -2.0],  # off a vertical edge: hypot(2, 4)
            [10.5, 0.0, -10.0],  # 4 m above the roof
            [10.7, 0.0, -3.0],  # inside: 0.3 m from the north face
        ]
    )
    np.testing.assert_allclose(WALL.clearance_m(points), [5.0, 3.0, np.hypot(2.0, 4.0), 4.0, -0.3])
    np.testing.assert_array_equal(WALL.inside(points), [False, False, False, False, True])
    assert np.isposinf(Buildings.none().clearance_m(points)).all()
    assert not Buildings.none().inside(points).any()


def test_clearance_takes_the_nearest_of_several_buildings() -> None:
    two = Buildings.from_footprints([(10.5, 0.0, 1.0, 10.0, 6.0), (-10.5, 0.0, 1.0, 10.0, 6.0)])
    np.testing.assert_allclose(two.clearance_m(np.array([[-2.0, 0.0, -1.0], [3.0, 0.0, -1.0]])), [8.0, 7.0])


def test_random_layouts_keep_streets_and_clear_zones_and_repeat_with_the_seed() -> None:
    clear = [(0.0, 0.0, 25.0), (60.0, -30.0, 10.0)]
    a = Buildings.random(np.random.default_rng(3), 12, 100.0, keep_clear=clear)
    b = Buildings.random(np.random.default_rng(3), 12, 100.0, keep_clear=clear)
    np.testing.assert_array_equal(a.min_ned_m, b.min_ned_m)
    np.testing.assert_array_equal(a.colour_bgr, b.colour_bgr)
    assert 8 <= len(a) <= 12
    for north, east, radius in clear:
        centre = np.array([[north, east, -1.0]])
        horizontal = Buildings(a.min_ned_m * [1, 1, 0] - [0, 0, 50], a.max_ned_m, a.colour_bgr)
        assert horizontal.clearance_m(centre)[0] >= radius - 1e-9
    for i in range(len(a)):
        others = np.delete(np.arange(len(a)), i)
        gap_n = np.maximum(a.min_ned_m[others, 0] - a.max_ned_m[i, 0], a.min_ned_m[i, 0] - a.max_ned_m[others, 0])
        gap_e = np.maximum(a.min_ned_m[others, 1] - a.max_ned_m[i, 1], a.min_ned_m[i, 1] - a.max_ned_m[others, 1])
        assert (np.maximum(gap_n, gap_e) >= 6.0 - 1e-9).all()
    heights = -a.min_ned_m[:, 2]
    assert ((heights >= 4.0) & (heights <= 30.0)).all()


def test_bad_buildings_and_queries_raise_world_errors() -> None:
    with pytest.raises(WorldError, match="expected > 0"):
        Buildings.from_footprints([(0.0, 0.0, -1.0, 2.0, 3.0)])
    with pytest.raises(WorldError, match="not below max"):
        Buildings(np.array([[0.0, 0.0, 0.0]]), np.array([[1.0, -1.0, 1.0]]), np.zeros((1, 3), np.uint8))
    with pytest.raises(WorldError, match=r"\(N, P, 3\)"):
        WALL.occluded_fraction(np.zeros(3), np.zeros((4, 3)))
    with pytest.raises(WorldError, match="eyes of shape"):
        WALL.occluded_fraction(np.zeros((2, 3)), np.zeros((3, 8, 3)))
    with pytest.raises(WorldError, match=r"\(N, 3\)"):
        WALL.clearance_m(np.zeros(3))
    with pytest.raises(WorldError):
        Buildings.random(np.random.default_rng(0), 3, -1.0)


def test_worlds_empty_and_random() -> None:
    assert len(World.empty().buildings) == 0
    a = World.random(np.random.default_rng(5), building_count=5)
    b = World.random(np.random.default_rng(5), building_count=5)
    assert a.seed == b.seed and len(a.buildings) == 5
    np.testing.assert_array_equal(a.buildings.max_ned_m, b.buildings.max_ned_m)
    assert GroundStyle().tile_texels == 3200
    with pytest.raises(WorldError, match="multiple of 32"):
        GroundStyle(tile_m=100.0, texel_m=0.3)
