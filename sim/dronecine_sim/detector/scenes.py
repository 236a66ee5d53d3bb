"""Random scenes for the person detector: a world, people, lighting and a drone's camera, with true boxes.

The draws cover what a camera drone sees while filming: ranges from a close-up (3 m) to a wide shot
(80 m), the camera from level to straight down, the subject anywhere in the frame, groups and crowds,
buildings that hide people, every daylight the renderer makes, and some frames with nobody at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import PERSON_RADIUS_M, project_person_boxes, silhouette_points
from dronecine.geometry.pointing import pointing_towards
from dronecine.metrics import visible_fraction
from dronecine_sim.render import Lighting, People, Renderer
from dronecine_sim.world import Buildings, GroundStyle, World

FloatArray = NDArray[np.float64]

# A person is labelled when at most this share of their silhouette is behind a building, and at least
# this share of their box is inside the frame: what a person annotating the frame would still box.
MAX_OCCLUDED = 0.5
MIN_VISIBLE_IN_FRAME = 0.35
MIN_BOX_HEIGHT_PX = 10.0  # smaller is a few pixels of colour, not a person a drone would film
EMPTY_FRAME_SHARE = 0.05  # frames with nobody in them teach the detector what is not a person

_CLOTHING_BGR = np.array(
    [
        [40, 40, 200], [180, 90, 30], [40, 160, 60], [200, 200, 200], [30, 30, 30], [0, 200, 230],
        [150, 60, 150], [90, 90, 90], [20, 110, 220], [120, 160, 40], [60, 40, 120], [230, 230, 240],
    ],
    dtype=np.uint8,
)  # fmt: skip
_SKIN_BGR = np.array([[120, 155, 200], [90, 125, 175], [60, 90, 140], [150, 180, 225], [45, 65, 100]], np.uint8)


@dataclass(frozen=True, eq=False)
class Scene:
    """One frame to render and its labels: ``boxes`` (K', 4) normalised (u, v, w, h), clipped to the frame."""

    world: World
    people: People
    pose: CameraPose
    lighting: Lighting
    boxes: FloatArray


def random_scene(
    rng: np.random.Generator,
    camera: PinholeCamera,
    ground: GroundStyle,
    ground_seed: int,
    min_box_height_px: float = MIN_BOX_HEIGHT_PX,
) -> Scene:
    """A scene drawn from ``rng`` on the given ground: making a ground texture takes half a second, so a
    dataset changes the ground every so many frames (``random_ground``) and the buildings every frame."""
    focus = np.array([*rng.uniform(-30.0, 30.0, 2), 0.0])
    people = _random_people(rng, focus) if rng.random() >= EMPTY_FRAME_SHARE else People.none()
    buildings = Buildings.random(rng, int(rng.integers(0, 10)), 90.0, keep_clear=_clear_circles(people))
    world = World(buildings, ground, ground_seed)
    pose = _random_pose(rng, camera, focus, world)
    boxes = visible_boxes(camera, pose, people, world, min_box_height_px)
    return Scene(world, people, pose, Lighting.random(rng), boxes)


def rendered_scenes(
    rng: np.random.Generator,
    camera: PinholeCamera,
    count: int,
    frames_per_ground: int,
    min_box_height_px: float = MIN_BOX_HEIGHT_PX,
) -> Iterator[tuple[NDArray[np.uint8], Scene]]:
    """``count`` random scenes rendered, a new ground every ``frames_per_ground`` (a ground texture takes
    half a second to make). Each frame is written into one buffer: use it before taking the next."""
    renderer: Renderer | None = None
    frame = np.empty((camera.height_px, camera.width_px, 3), dtype=np.uint8)
    for index in range(count):
        if index % frames_per_ground == 0:
            ground, ground_seed = random_ground(rng), int(rng.integers(0, 2**31 - 1))
        scene = random_scene(rng, camera, ground, ground_seed, min_box_height_px)
        renderer = renderer or Renderer(scene.world, camera)
        renderer.set_world(scene.world)
        yield renderer.render(scene.pose, scene.people, lighting=scene.lighting, out=frame), scene


def random_ground(rng: np.random.Generator) -> GroundStyle:
    """A ground look: grass from lush to dry, with or without paths, mowing stripes and pitch markings."""

    def shade(bgr: tuple[int, int, int]) -> tuple[int, int, int]:
        scaled = np.clip(np.array(bgr) * rng.uniform(0.75, 1.2) + rng.integers(-15, 16, 3), 0, 255)
        return (int(scaled[0]), int(scaled[1]), int(scaled[2]))

    base = GroundStyle()
    return GroundStyle(
        grass_bgr=shade(base.grass_bgr),
        dry_grass_bgr=shade(base.dry_grass_bgr),
        dirt_bgr=shade(base.dirt_bgr),
        path_count=int(rng.integers(0, 7)),
        path_width_m=float(rng.uniform(1.5, 5.0)),
        stripe_m=float(rng.choice([0.0, 6.0, 10.0])),
        field_markings=bool(rng.random() < 0.5),
    )


def visible_boxes(
    camera: PinholeCamera,
    pose: CameraPose,
    people: People,
    world: World,
    min_box_height_px: float = MIN_BOX_HEIGHT_PX,
) -> FloatArray:
    """The boxes of the people a camera at ``pose`` shows: in front, mostly unoccluded, at least
    ``min_box_height_px`` tall on the frame, clipped to it."""
    if not len(people):
        return np.zeros((0, 4))
    feet = people.position_ned_m
    boxes = project_person_boxes(camera, pose, feet, people.height_m)
    points = silhouette_points(pose.position_ned_m, feet, people.height_m, PERSON_RADIUS_M)
    occluded = world.buildings.occluded_fraction(pose.position_ned_m, points)
    left, top = boxes[:, 0] - boxes[:, 2] / 2, boxes[:, 1] - boxes[:, 3] / 2
    right, bottom = left + boxes[:, 2], top + boxes[:, 3]
    clipped = np.column_stack([np.clip(left, 0, 1), np.clip(top, 0, 1), np.clip(right, 0, 1), np.clip(bottom, 0, 1)])
    width, height = clipped[:, 2] - clipped[:, 0], clipped[:, 3] - clipped[:, 1]
    keep = (
        np.isfinite(boxes).all(axis=1)
        & (occluded <= MAX_OCCLUDED)
        & (np.asarray(visible_fraction(boxes)) >= MIN_VISIBLE_IN_FRAME)
        & (height * camera.height_px >= min_box_height_px)
    )
    kept = clipped[keep]
    return np.column_stack([(kept[:, 0] + kept[:, 2]) / 2, (kept[:, 1] + kept[:, 3]) / 2, width[keep], height[keep]])


def _random_people(rng: np.random.Generator, focus: FloatArray) -> People:
    """The subject at ``focus`` and up to 11 others: some beside them, some scattered further off."""
    count = 1 + int(rng.choice([0, 0, 1, 2, 3, 5, 8, 11]))
    spread = rng.choice([2.0, 6.0, 20.0], size=count)
    offsets = rng.normal(0.0, 1.0, (count, 2)) * spread[:, None]
    offsets[0] = 0.0
    feet = np.column_stack([focus[:2] + offsets, np.zeros(count)])
    walking = rng.random(count) < 0.7
    return People.of(
        feet,
        heading_deg=rng.uniform(0.0, 360.0, count),
        height_m=np.clip(rng.normal(1.72, 0.1, count), 1.45, 2.0),
        clothing_bgr=_CLOTHING_BGR[rng.integers(0, len(_CLOTHING_BGR), count)],
        trousers_bgr=_CLOTHING_BGR[rng.integers(0, len(_CLOTHING_BGR), count)] // 2,
        skin_bgr=_SKIN_BGR[rng.integers(0, len(_SKIN_BGR), count)],
        gait_phase_rad=rng.uniform(0.0, 2.0 * np.pi, count),
        gait_amplitude=np.where(walking, rng.uniform(0.4, 1.0, count), 0.0),
    )


def _clear_circles(people: People) -> list[tuple[float, float, float]]:
    return [(float(p[0]), float(p[1]), 2.5) for p in people.position_ned_m]


def _random_pose(rng: np.random.Generator, camera: PinholeCamera, focus: FloatArray, world: World) -> CameraPose:
    """A camera looking at the focus from 3..80 m (log-uniform), 2..90 degrees down, aimed off-centre."""
    for _ in range(20):
        range_m = float(np.exp(rng.uniform(np.log(3.0), np.log(80.0))))
        elevation = np.radians(rng.uniform(2.0, 88.0) if rng.random() > 0.08 else 89.5)
        bearing = rng.uniform(0.0, 2.0 * np.pi)
        offset = range_m * np.array(
            [np.cos(elevation) * np.cos(bearing), np.cos(elevation) * np.sin(bearing), -np.sin(elevation)]
        )
        target = focus - np.array([0.0, 0.0, 0.9])  # the subject's middle
        eye = target + offset
        if eye[2] > -1.0 or world.buildings.inside(eye[None])[0]:
            continue
        yaw_deg, pitch_deg = pointing_towards(eye, target)
        # Aim off the subject by up to 40 % of the field of view so they land anywhere in the frame.
        yaw_deg = float(yaw_deg) + rng.uniform(-0.4, 0.4) * camera.hfov_deg
        pitch_deg = float(np.clip(float(pitch_deg) + rng.uniform(-0.4, 0.4) * camera.vfov_deg, -90.0, 30.0))
        return CameraPose.from_angles(eye, yaw_deg, pitch_deg, roll_deg=float(rng.normal(0.0, 2.0)))
    return CameraPose.from_angles(focus + np.array([-20.0, 0.0, -20.0]), 0.0, -45.0)
