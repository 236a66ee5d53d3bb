"""Rendered frames: shape, the horizon, buildings clipped at the near plane, shadows, lighting, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.render import Lighting, People, Renderer, RenderError
from dronecine_sim.world import Buildings, GroundStyle, World

from dronecine.geometry import CameraPose, PinholeCamera

CAMERA = PinholeCamera(70.0, 320, 180)
# Two grounds that differ in every texel's colour (no white pitch lines, which both would share).
SMALL_GROUND = GroundStyle(tile_m=200.0, texel_m=0.25, field_markings=False)
RED_GROUND = GroundStyle(
    tile_m=200.0,
    texel_m=0.25,
    grass_bgr=(20, 20, 220),
    dry_grass_bgr=(30, 30, 200),
    dirt_bgr=(200, 40, 40),
    field_markings=False,
)
BLOCK = Buildings.from_footprints([(30.0, 0.0, 10.0, 10.0, 12.0)], colour_bgr=(150, 150, 150))


@pytest.fixture(scope="module")
def green() -> Renderer:
    return Renderer(World.empty(seed=1, ground=SMALL_GROUND), CAMERA)


@pytest.fixture(scope="module")
def red() -> Renderer:
    return Renderer(World.empty(seed=1, ground=RED_GROUND), CAMERA)


def _ground_pixels(green: Renderer, red: Renderer, pose: CameraPose) -> np.ndarray:
    """(H, W) bool: pixels that show ground (they change when only the ground's colour does)."""
    return (green.render(pose) != red.render(pose)).any(axis=-1)


def _ray_descends(pose: CameraPose) -> np.ndarray:
    """(H, W) bool: whether each pixel centre's ray points below the horizon."""
    ys, xs = np.mgrid[0 : CAMERA.height_px, 0 : CAMERA.width_px]
    rays = np.stack([(xs + 0.5) / CAMERA.width_px, (ys + 0.5) / CAMERA.height_px], axis=-1)
    ray_cam = CAMERA.ray_from_normalised(rays[..., 0], rays[..., 1])
    return (ray_cam @ pose.rotation_ned_from_camera.T)[..., 2] > 0.0


def test_frames_are_bgr_uint8_and_reuse_the_output_buffer(green: Renderer) -> None:
    pose = CameraPose.from_angles([0.0, 0.0, -10.0], 30.0, -20.0)
    frame = green.render(pose)
    assert frame.shape == (180, 320, 3) and frame.dtype == np.uint8
    out = np.zeros_like(frame)
    assert green.render(pose, out=out) is out
    np.testing.assert_array_equal(out, frame)
    with pytest.raises(RenderError, match="out must be"):
        green.render(pose, out=np.zeros((180, 320, 3), dtype=np.float32))
    with pytest.raises(RenderError, match="one pose"):
        green.render(CameraPose.from_angles([[0.0, 0.0, -10.0]] * 2, [0.0, 0.0], [0.0, 0.0]))


def test_a_level_camera_splits_sky_and_ground_at_the_middle_row(green: Renderer, red: Renderer) -> None:
    pose = CameraPose.from_angles([0.0, 0.0, -2.0], 40.0, 0.0)
    ground = _ground_pixels(green, red, pose)
    rows = np.flatnonzero(ground.any(axis=1))
    assert rows.min() >= CAMERA.height_px // 2  # nothing of the ground (nor its mirror image) above the horizon
    assert ground[CAMERA.height_px // 2 + 10 :].mean() > 0.99
    sky = green.render(pose)[: CAMERA.height_px // 2].astype(int)
    assert (sky[..., 0] > sky[..., 2]).all()  # blue-ish


@pytest.mark.parametrize(
    ("yaw_deg", "pitch_deg", "roll_deg", "down_m"),
    [(0.0, 20.0, 0.0, -2.0), (77.0, 5.0, 30.0, -40.0), (-120.0, -30.0, -45.0, -5.0), (200.0, -10.0, 89.0, -1.0)],
)
def test_ground_shows_only_where_rays_descend(
    green: Renderer, red: Renderer, yaw_deg: float, pitch_deg: float, roll_deg: float, down_m: float
) -> None:
    pose = CameraPose.from_angles([5.0, -3.0, down_m], yaw_deg, pitch_deg, roll_deg)
    ground = _ground_pixels(green, red, pose)
    assert not (ground & ~_ray_descends(pose)).any()


def test_straight_down_shows_only_ground(green: Renderer, red: Renderer) -> None:
    for yaw in (0.0, 33.0, 180.0):
        pose = CameraPose.from_angles([1000.0, -2500.0, -30.0], yaw, -90.0)
        assert _ground_pixels(green, red, pose).mean() > 0.999


def test_any_pitch_and_yaw_renders(green: Renderer) -> None:
    people = People.of([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0]], gait_amplitude=1.0)
    for pitch in np.linspace(-90.0, 20.0, 12):
        for yaw in np.linspace(-180.0, 180.0, 7):
            frame = green.render(CameraPose.from_angles([0.0, 0.0, -8.0], yaw, pitch), people)
            assert frame.std() > 1.0


def test_a_camera_inside_a_building_or_at_ground_level_does_not_fail() -> None:
    renderer = Renderer(World(BLOCK, SMALL_GROUND, seed=1), CAMERA)
    inside = renderer.render(CameraPose.from_angles([30.0, 0.0, -5.0], 0.0, 0.0))
    assert (inside == inside[0, 0]).all()
    for down in (0.0, 0.5):  # on the ground, under it
        frame = renderer.render(CameraPose.from_angles([0.0, 0.0, down], 0.0, -10.0), People.of([5.0, 0.0, 0.0]))
        assert frame.shape == (180, 320, 3)


def test_a_wall_right_in_front_of_the_camera_fills_the_frame() -> None:
    renderer = Renderer(World(BLOCK, SMALL_GROUND, seed=1), CAMERA)
    frame = renderer.render(CameraPose.from_angles([24.8, 0.0, -5.0], 0.0, 0.0))  # 0.2 m from the south face
    _, counts = np.unique(frame.reshape(-1, 3), axis=0, return_counts=True)
    assert counts.max() > 0.9 * frame.shape[0] * frame.shape[1]  # one flat wall colour, bar the storey lines


def test_a_wall_reaching_behind_the_camera_is_clipped_at_the_near_plane(green: Renderer) -> None:
    # A wall beside the camera from 10 m behind it to 10 m ahead: its face east = 2 crosses the near plane.
    wall = Buildings.from_footprints([(0.0, 4.0, 20.0, 4.0, 10.0)])
    renderer = Renderer(World(wall, SMALL_GROUND, seed=1), CAMERA)
    pose = CameraPose.from_angles([0.0, 0.0, -3.0], 0.0, 0.0)
    changed = (renderer.render(pose) != green.render(pose)).any(axis=-1)
    focal, cx = CAMERA.focal_px, CAMERA.width_px / 2.0
    wall_end_x = cx + focal * 2.0 / 10.0  # the wall's far end (north 10, east 2) projects here
    columns = np.flatnonzero(changed[CAMERA.height_px // 2])
    assert columns.min() >= wall_end_x - 2.0  # nothing drawn left of the wall's end...
    assert changed[:, int(wall_end_x) + 4 :].all()  # ...and the wall covers everything right of it


def test_buildings_cast_shadows_away_from_the_sun() -> None:
    ground_only = Renderer(World.empty(seed=1, ground=SMALL_GROUND), CAMERA)
    with_block = Renderer(World(BLOCK, SMALL_GROUND, seed=1), CAMERA)
    sun_south = Lighting(sun_elevation_deg=35.0, sun_azimuth_deg=180.0)
    pose = CameraPose.from_angles([30.0, 0.0, -120.0], 0.0, -90.0)  # straight down over the block, north up
    a = ground_only.render(pose, lighting=sun_south).astype(int).sum(-1)
    b = with_block.render(pose, lighting=sun_south).astype(int).sum(-1)
    focal, cx, cy = CAMERA.focal_px, CAMERA.width_px / 2.0 - 0.5, CAMERA.height_px / 2.0 - 0.5

    def pixel(north: float, east: float) -> tuple[int, int]:  # ground point seen from 120 m up, north is up
        return round(cy - focal * (north - 30.0) / 120.0), round(cx + focal * east / 120.0)

    north_side = pixel(40.0, 0.0)  # 5 m north of the block's north face: in its shadow
    south_side = pixel(20.0, 0.0)  # 5 m south of the south face: in the sun
    assert b[north_side] < 0.8 * a[north_side]
    assert b[south_side] == a[south_side]


def test_lighting_changes_the_frame_and_is_validated(green: Renderer) -> None:
    pose = CameraPose.from_angles([0.0, 0.0, -10.0], 10.0, -15.0)
    default = green.render(pose)
    dim = green.render(pose, lighting=Lighting(brightness=0.5, tint_bgr=(1.2, 1.0, 0.8)))
    assert dim.astype(int).mean() < default.astype(int).mean() - 20
    assert Lighting.random(np.random.default_rng(1)) == Lighting.random(np.random.default_rng(1))
    with pytest.raises(RenderError, match="sun_elevation_deg"):
        Lighting(sun_elevation_deg=-5.0)
    with pytest.raises(RenderError, match="tint_bgr"):
        Lighting(tint_bgr=(2.0, 1.0, 1.0))


def test_frames_are_deterministic() -> None:
    world = World.random(np.random.default_rng(9), building_count=6, extent_m=60.0, ground=SMALL_GROUND)
    people = People.of([[5.0, 1.0, 0.0], [9.0, -2.0, 0.0]], heading_deg=[10.0, 250.0], gait_phase_rad=[0.3, 2.0])
    pose = CameraPose.from_angles([-30.0, -20.0, -25.0], 40.0, -25.0)
    lighting = Lighting.random(np.random.default_rng(2))
    first = Renderer(world, CAMERA, lighting).render(pose, people)
    second_renderer = Renderer(world, CAMERA, lighting)
    second_renderer.render(CameraPose.from_angles([0.0, 0.0, -3.0], 0.0, 0.0))  # scratch buffers in another state
    np.testing.assert_array_equal(first, second_renderer.render(pose, people))


def test_set_world_swaps_the_buildings() -> None:
    renderer = Renderer(World.empty(seed=1, ground=SMALL_GROUND), CAMERA)
    pose = CameraPose.from_angles([0.0, 0.0, -5.0], 0.0, 0.0)
    empty = renderer.render(pose)
    renderer.set_world(World(BLOCK, SMALL_GROUND, seed=1))
    np.testing.assert_array_equal(
        renderer.render(pose), Renderer(World(BLOCK, SMALL_GROUND, seed=1), CAMERA).render(pose)
    )
    renderer.set_world(World.empty(seed=2, ground=SMALL_GROUND))
    assert (renderer.render(pose) != empty).any()  # another seed, another ground


def test_the_gait_phase_moves_the_legs(green: Renderer) -> None:
    pose = CameraPose.from_angles([0.0, -6.0, -1.0], 90.0, 0.0)
    frames = [green.render(pose, People.of([0.0, 0.0, 0.0], gait_phase_rad=p, gait_amplitude=1.0)) for p in (0.0, 1.5)]
    assert (frames[0] != frames[1]).any()


def test_bad_people_raise_render_errors() -> None:
    with pytest.raises(RenderError, match=r"\(K, 3\)"):
        People.of(np.zeros((2, 2)))
    with pytest.raises(RenderError, match="heading_deg"):
        People.of(np.zeros((2, 3)), heading_deg=[1.0, 2.0, 3.0])
    with pytest.raises(RenderError, match="height_m"):
        People.of(np.zeros((1, 3)), height_m=4.0)
    with pytest.raises(RenderError, match=r"0\.\.255"):
        People.of(np.zeros((1, 3)), clothing_bgr=(300, 0, 0))
    assert len(People.none()) == 0


def test_people_need_only_positions_headings_heights_and_clothing() -> None:
    people = People(np.zeros((2, 3)), np.array([0.0, 90.0]), np.array([1.7, 1.8]), np.array([[1, 2, 3], [4, 5, 6]]))
    assert people.skin_bgr.shape == (2, 3) and people.gait_amplitude.tolist() == [0.0, 0.0]
    assert people.clothing_bgr.dtype == np.uint8 and not people.position_ned_m.flags.writeable


def test_random_poses_among_buildings_render_without_failing() -> None:
    """Cameras anywhere (beside walls, between buildings, inside them, on the ground) looking anywhere."""
    rng = np.random.default_rng(21)
    world = World.random(rng, building_count=10, extent_m=40.0, ground=SMALL_GROUND)
    renderer = Renderer(world, CAMERA)
    people = People.of(np.column_stack([rng.uniform(-40, 40, (5, 2)), np.zeros(5)]), gait_amplitude=1.0)
    out = np.empty((180, 320, 3), dtype=np.uint8)
    lo, hi = world.buildings.min_ned_m, world.buildings.max_ned_m
    for _ in range(300):
        b = rng.integers(len(world.buildings))
        # Half the cameras within 0.5 m of a building's surface, the rest anywhere.
        near_wall = rng.uniform(lo[b] - 0.5, hi[b] + 0.5)
        anywhere = np.array([*rng.uniform(-50, 50, 2), rng.uniform(-40, 0.2)])
        position = near_wall if rng.random() < 0.5 else anywhere
        pose = CameraPose.from_angles(position, rng.uniform(-180, 180), rng.uniform(-90, 20), rng.uniform(-10, 10))
        assert renderer.render(pose, people, lighting=Lighting.random(rng), out=out) is out
