"""People in rendered frames: their drawn pixels fill the box ``project_person_boxes`` gives them, and
buildings in front hide them."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.render import People, Renderer
from dronecine_sim.world import Buildings, GroundStyle, World

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes

CAMERA = PinholeCamera(60.0, 640, 360)
SMALL_GROUND = GroundStyle(tile_m=200.0, texel_m=0.25)
# Channel difference below which a pixel counts as unchanged: the faint antialiasing fringe.
FRINGE = 20
FEET = np.array([0.0, 0.0, 0.0])


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(World.empty(seed=4, ground=SMALL_GROUND), CAMERA)


def _pose_at(range_m: float, pitch_deg: float) -> CameraPose:
    """A camera ``range_m`` from the person's middle, looking north at it from ``pitch_deg`` above."""
    pitch = np.radians(pitch_deg)
    middle = np.array([0.0, 0.0, -0.875])
    return CameraPose.from_angles(middle + range_m * np.array([-np.cos(pitch), 0.0, np.sin(pitch)]), 0.0, pitch_deg)


def _drawn_rect(renderer: Renderer, pose: CameraPose, people: People) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Pixels the people change, and their bounding rectangle (x0, y0, x1, y1) in pixels, ends exclusive."""
    without = renderer.render(pose).astype(int)
    with_people = renderer.render(pose, people).astype(int)
    changed = np.abs(with_people - without).max(axis=-1) > FRINGE
    ys, xs = np.nonzero(changed)
    if not len(xs):
        return changed, (0, 0, 0, 0)
    return changed, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def _box_rect(pose: CameraPose, feet: np.ndarray = FEET) -> np.ndarray:
    u, v, w, h = project_person_boxes(CAMERA, pose, feet)
    return np.array(
        [
            (u - w / 2) * CAMERA.width_px,
            (v - h / 2) * CAMERA.height_px,
            (u + w / 2) * CAMERA.width_px,
            (v + h / 2) * CAMERA.height_px,
        ]
    )


def _iou(a: np.ndarray, b: tuple[int, int, int, int]) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


# Headings as the camera (south of the person, looking north) sees them, and walking or not.
FRONT, BACK, OBLIQUE, SIDE = 180.0, 0.0, 45.0, 90.0
TYPICAL = [(FRONT, 0.0), (BACK, 0.0), (OBLIQUE, 0.0), (135.0, 1.0), (SIDE, 1.0)]


@pytest.mark.parametrize("range_m", [6.0, 12.0, 20.0])
@pytest.mark.parametrize("pitch_deg", [0.0, -20.0, -45.0])
def test_a_person_fills_the_projected_box(renderer: Renderer, range_m: float, pitch_deg: float) -> None:
    pose = _pose_at(range_m, pitch_deg)
    box = _box_rect(pose)
    for heading, gait in TYPICAL:
        people = People.of(
            FEET, heading_deg=heading, clothing_bgr=(30, 30, 220), gait_phase_rad=1.3, gait_amplitude=gait
        )
        changed, drawn = _drawn_rect(renderer, pose, people)
        assert _iou(box, drawn) >= 0.7, (heading, gait, box, drawn)
        # Largely filled, not a thin outline: at least a third of the box's pixels change.
        assert changed.sum() >= 0.33 * (box[2] - box[0]) * (box[3] - box[1])


@pytest.mark.parametrize("range_m", [6.0, 12.0, 20.0])
@pytest.mark.parametrize("pitch_deg", [-70.0, -90.0])
def test_from_steeply_above_and_standing_side_on_the_figure_is_slimmer_than_the_cylinder(
    renderer: Renderer, range_m: float, pitch_deg: float
) -> None:
    """The cylinder's box is 0.5 m deep; a person is not. The fit is looser, still centred and inside."""
    pose = _pose_at(range_m, pitch_deg)
    box = _box_rect(pose)
    for heading, gait in [*TYPICAL, (SIDE, 0.0)]:
        people = People.of(FEET, heading_deg=heading, gait_phase_rad=-0.7, gait_amplitude=gait)
        _, drawn = _drawn_rect(renderer, pose, people)
        assert _iou(box, drawn) >= 0.5, (heading, gait, box, drawn)
        size = max(box[2] - box[0], box[3] - box[1])
        assert abs((drawn[0] + drawn[2]) / 2 - (box[0] + box[2]) / 2) < 0.2 * size
        assert abs((drawn[1] + drawn[3]) / 2 - (box[1] + box[3]) / 2) < 0.2 * size


def test_people_scale_with_height_and_sit_where_their_feet_are(renderer: Renderer) -> None:
    pose = CameraPose.from_angles([-15.0, 3.0, -1.2], 0.0, 0.0)
    feet = np.array([0.0, 1.5, 0.0])
    for height in (1.2, 1.9):
        people = People.of(feet, heading_deg=FRONT, height_m=height)
        u, v, w, h = project_person_boxes(CAMERA, pose, feet, height_m=height, radius_m=0.25 * height / 1.75)
        box = np.array([(u - w / 2) * 640, (v - h / 2) * 360, (u + w / 2) * 640, (v + h / 2) * 360])
        _, drawn = _drawn_rect(renderer, pose, people)
        assert _iou(box, drawn) >= 0.7


def test_a_building_in_front_hides_a_person_and_one_behind_does_not() -> None:
    wall = Buildings.from_footprints([(10.0, 0.0, 1.0, 8.0, 4.0)])
    renderer = Renderer(World(wall, SMALL_GROUND, seed=4), CAMERA)
    pose = CameraPose.from_angles([0.0, 0.0, -1.5], 0.0, 0.0)
    behind = People.of([20.0, 0.0, 0.0], heading_deg=FRONT)
    changed, _ = _drawn_rect(renderer, pose, behind)
    assert changed.sum() == 0
    in_front = People.of([6.0, 0.0, 0.0], heading_deg=FRONT)
    changed, drawn = _drawn_rect(renderer, pose, in_front)
    assert _iou(_box_rect(pose, np.array([6.0, 0.0, 0.0])), drawn) >= 0.7


def test_a_person_in_front_of_a_long_wall_seen_obliquely_stays_visible() -> None:
    """Sorting by distance to the nearest point would draw the wall last here and hide the person."""
    wall = Buildings.from_footprints([(0.0, 40.0, 1.0, 100.0, 8.0)])  # north -0.5..0.5, east -10..90
    renderer = Renderer(World(wall, SMALL_GROUND, seed=4), CAMERA)
    pose = CameraPose.from_angles([-12.0, 0.0, -1.5], 60.0, 0.0)
    feet = np.array([-3.0, 16.0, 0.0])
    _, drawn = _drawn_rect(renderer, pose, People.of(feet, heading_deg=240.0))
    assert _iou(_box_rect(pose, feet), drawn) >= 0.7


def test_a_person_half_behind_a_low_wall_shows_the_upper_half() -> None:
    low_wall = Buildings.from_footprints([(8.0, 0.0, 0.5, 6.0, 0.9)])
    renderer = Renderer(World(low_wall, SMALL_GROUND, seed=4), CAMERA)
    pose = CameraPose.from_angles([0.0, 0.0, -1.0], 0.0, 0.0)
    feet = np.array([12.0, 0.0, 0.0])
    _, drawn = _drawn_rect(renderer, pose, People.of(feet, heading_deg=FRONT))
    box = _box_rect(pose, feet)
    assert abs(drawn[1] - box[1]) <= 2.0  # the head shows
    assert drawn[3] < box[1] + 0.75 * (box[3] - box[1])  # the legs do not


def test_several_people_overlap_in_depth_order(renderer: Renderer) -> None:
    pose = CameraPose.from_angles([0.0, 0.0, -1.2], 0.0, 0.0)
    near_red = People.of(
        [[8.0, 0.0, 0.0], [14.0, 0.1, 0.0]], heading_deg=FRONT, clothing_bgr=[(0, 0, 230), (230, 0, 0)]
    )
    far_first = People.of(
        [[14.0, 0.1, 0.0], [8.0, 0.0, 0.0]], heading_deg=FRONT, clothing_bgr=[(230, 0, 0), (0, 0, 230)]
    )
    np.testing.assert_array_equal(renderer.render(pose, near_red), renderer.render(pose, far_first))
    frame = renderer.render(pose, near_red)
    chest = frame[180, 320].astype(int)  # straight ahead, 1.2 m up both people
    assert chest[2] > 100 and chest[0] < 60  # the near (red) person's chest, not the blue one behind
