"""Rendered test sequences for the detector, the tracker and the subject lock, with the truth beside them.

- ``occlusion_sequence``: the subject walks behind a pillar that hides them completely for about
  ``occlusion_s``, seen by a hovering drone that keeps pointing at them, with bystanders about.
- ``crowd_sequence``: the subject walks among look-alikes (same clothes, same height) who cross its path.

Each frame comes with every person's true visible box (``scenes.visible_boxes``' rules) and the
subject's, so a test can score what the lock reports against what a person would have said.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import PERSON_RADIUS_M, project_person_boxes, silhouette_points
from dronecine.geometry.pointing import pointing_towards
from dronecine.perception.cue import expected_cue
from dronecine.perception.detector import Detections, pixel_corners
from dronecine.perception.subject_lock import AcquireCue
from dronecine_sim.detector.scenes import visible_boxes
from dronecine_sim.render import Lighting, People, Renderer
from dronecine_sim.render.source import RendererSource
from dronecine_sim.world import Buildings, World

FloatArray = NDArray[np.float64]
SUBJECT = 0  # the subject is person 0 of every sequence
GROUND_SEED = 11  # every sequence stands on the same ground, so that one renderer serves them all


@dataclass(frozen=True, eq=False)
class Sequence:
    """``feet_ned_m`` (T, K, 3) every person's feet, person 0 the subject; ``poses`` the camera's."""

    world: World
    camera: PinholeCamera
    poses: list[CameraPose]
    feet_ned_m: FloatArray
    heading_deg: FloatArray  # (T, K)
    clothing_bgr: NDArray[np.uint8]  # (K, 3)
    lighting: Lighting
    fps: float

    def __len__(self) -> int:
        return len(self.poses)

    def people(self, t: int) -> People:
        return People.of(
            self.feet_ned_m[t], self.heading_deg[t], clothing_bgr=self.clothing_bgr,
            gait_phase_rad=2.0 * np.pi * 0.9 * t / self.fps, gait_amplitude=1.0,
        )  # fmt: skip

    def frames(self, renderer: Renderer | None = None) -> Iterator[NDArray[np.uint8]]:
        """The rendered frames; pass one ``renderer`` for many sequences: they share the ground, whose
        texture takes half a second to make."""
        for frame in self.source(renderer):
            yield frame.image

    def source(self, renderer: Renderer | None = None) -> RendererSource:
        """The sequence as a ``FrameSource``, as the onboard agent reads a camera."""
        renderer = renderer or Renderer(self.world, self.camera)
        renderer.set_world(self.world)
        views = ((self.poses[t], self.people(t)) for t in range(len(self)))
        return RendererSource(renderer, views, self.fps, self.lighting)

    def subject_box(self, t: int) -> FloatArray:
        """The subject's true box (u, v, w, h), unclipped; NaN behind the camera."""
        return project_person_boxes(self.camera, self.poses[t], self.feet_ned_m[t, SUBJECT])

    def start_cue(self, t: int, within_m: float = 3.0) -> AcquireCue | None:
        """The mission's cue in frame ``t``: where the subject starts (the mission knows that much)."""
        return expected_cue(self.camera, self.poses[t], self.feet_ned_m[0, SUBJECT], within_m)

    def on_subject(self, t: int, box: FloatArray) -> bool:
        """Whether a reported box (u, v, w, h) is on the subject: its centre within half the subject's
        height of the subject's true centre (IoU is too strict for a box a few pixels wide)."""
        truth = self.subject_box(t)
        aspect = self.camera.width_px / self.camera.height_px
        distance = np.hypot((box[0] - truth[0]) * aspect, box[1] - truth[1])
        return bool(distance <= 0.5 * truth[3])

    def subject_occluded(self, t: int) -> float:
        """The share of the subject's silhouette that buildings hide (0..1)."""
        eye = self.poses[t].position_ned_m
        points = silhouette_points(eye, self.feet_ned_m[t, SUBJECT : SUBJECT + 1], np.array([1.75]), PERSON_RADIUS_M)
        return float(self.world.buildings.occluded_fraction(eye, points)[0])

    def hidden_frames(self) -> list[int]:
        """The frames in which buildings hide the subject completely."""
        return [t for t in range(len(self)) if self.subject_occluded(t) >= 1.0]

    def visible_boxes(self, t: int) -> FloatArray:
        """Every person a labeller would box in frame ``t`` (the subject among them when visible)."""
        return visible_boxes(self.camera, self.poses[t], self.people(t), self.world)

    def truth_detections(self, t: int, score: float = 0.9) -> Detections:
        """A perfect detector's output for frame ``t``: every visible person's box."""
        boxes = self.visible_boxes(t)
        w, h = self.camera.width_px, self.camera.height_px
        xyxy = pixel_corners(boxes, w, h)
        return Detections(xyxy, np.full(len(boxes), score), np.zeros(len(boxes), dtype=np.int64), w, h)


def occlusion_sequence(
    rng: np.random.Generator,
    camera: PinholeCamera,
    occlusion_s: float = 1.0,
    fps: float = 10.0,
    bystanders: int = 2,
) -> Sequence:
    """The subject walks across the view behind a pillar sized to hide them for ``occlusion_s``."""
    speed = rng.uniform(1.1, 1.7)
    range_m = rng.uniform(15.0, 30.0)
    altitude_m = rng.uniform(3.0, 10.0)
    pillar_range_m = range_m * rng.uniform(0.45, 0.7)
    # Hidden completely while the pillar's shadow at the subject's range covers the whole body:
    # shadow width - body width = speed * occlusion_s.
    body_m = 2.0 * PERSON_RADIUS_M
    pillar_width_m = (speed * occlusion_s + body_m) * pillar_range_m / range_m
    pillar = Buildings.from_footprints([(pillar_range_m, 0.0, pillar_width_m, pillar_width_m, altitude_m + 12.0)])
    duration_s = 6.0 + occlusion_s
    times = np.arange(round(duration_s * fps)) / fps
    start_east = -speed * duration_s / 2.0
    direction = rng.choice([-1.0, 1.0])
    subject = np.column_stack([
        np.full_like(times, range_m), direction * (start_east + speed * times), np.zeros_like(times)
    ])  # fmt: skip
    # Bystanders mill about beyond the ends of the subject's walk, never in front of or behind it: the
    # occlusion under test is the pillar's.
    reach_m = speed * duration_s / 2.0 + 3.0
    others = [
        _walker(
            rng, times, range_m + rng.uniform(-4.0, 6.0), rng.choice([-1.0, 1.0]) * (reach_m + rng.uniform(0.0, 5.0))
        )
        for _ in range(bystanders)
    ]
    feet = np.stack([subject, *others], axis=1)
    eye = np.array([0.0, 0.0, -altitude_m])
    poses = [_pointing_at(eye, feet[t, SUBJECT]) for t in range(len(times))]
    heading = np.tile(np.where(direction > 0, 90.0, 270.0), (len(times), feet.shape[1]))
    heading[:, 1:] = rng.uniform(0.0, 360.0, feet.shape[1] - 1)
    clothing = _distinct_clothing(rng, feet.shape[1])
    world = World(pillar, seed=GROUND_SEED)
    return Sequence(world, camera, poses, feet, heading, clothing, Lighting.random(rng), fps)


def crowd_sequence(
    rng: np.random.Generator, camera: PinholeCamera, lookalikes: int = 6, duration_s: float = 8.0, fps: float = 10.0
) -> Sequence:
    """The subject walks a straight line while look-alikes in the same clothes cross it at random."""
    times = np.arange(round(duration_s * fps)) / fps
    speed = rng.uniform(1.0, 1.5)
    heading = rng.uniform(0.0, 360.0)
    direction = np.array([np.cos(np.radians(heading)), np.sin(np.radians(heading)), 0.0])
    subject = direction[None, :] * speed * (times[:, None] - duration_s / 2.0)
    others = []
    for _ in range(lookalikes):
        # Each look-alike passes within a metre or two of the subject's path at a random moment.
        meet_s = rng.uniform(1.0, duration_s - 1.0)
        meet = direction * speed * (meet_s - duration_s / 2.0) + np.array([*rng.normal(0.0, 1.2, 2), 0.0])
        angle = np.radians(heading + rng.uniform(40.0, 140.0) * rng.choice([-1.0, 1.0]))
        velocity = rng.uniform(1.0, 1.6) * np.array([np.cos(angle), np.sin(angle), 0.0])
        others.append(meet[None, :] + velocity[None, :] * (times[:, None] - meet_s))
    feet = np.stack([subject, *others], axis=1)
    range_m, elevation = rng.uniform(14.0, 25.0), np.radians(rng.uniform(25.0, 50.0))
    bearing = np.radians(heading + rng.uniform(60.0, 120.0))
    offset = range_m * np.array(
        [np.cos(elevation) * np.cos(bearing), np.cos(elevation) * np.sin(bearing), -np.sin(elevation)]
    )
    poses = [_pointing_at(feet[t, SUBJECT] + offset, feet[t, SUBJECT]) for t in range(len(times))]
    headings = np.empty((len(times), feet.shape[1]))
    headings[:, 0] = heading
    for k in range(1, feet.shape[1]):
        step = feet[1, k] - feet[0, k]
        headings[:, k] = np.degrees(np.arctan2(step[1], step[0]))
    clothing = np.tile(_distinct_clothing(rng, 1), (feet.shape[1], 1))
    world = World(Buildings.none(), seed=GROUND_SEED)
    return Sequence(world, camera, poses, feet, headings, clothing, Lighting.random(rng), fps)


def _walker(rng: np.random.Generator, times: FloatArray, north_m: float, east_m: float) -> FloatArray:
    angle = rng.uniform(0.0, 2.0 * np.pi)
    velocity = rng.uniform(0.0, 0.5) * np.array([np.cos(angle), np.sin(angle), 0.0])
    return np.array([north_m, east_m, 0.0])[None, :] + velocity[None, :] * times[:, None]


def _pointing_at(eye: FloatArray, feet: FloatArray) -> CameraPose:
    yaw_deg, pitch_deg = pointing_towards(eye, feet - np.array([0.0, 0.0, 0.9]))
    return CameraPose.from_angles(eye, float(yaw_deg), float(pitch_deg))


def _distinct_clothing(rng: np.random.Generator, count: int) -> NDArray[np.uint8]:
    """``count`` clearly different clothing colours: hues spread round the wheel, from a random start."""
    hues = (rng.uniform(0.0, 180.0) + np.arange(count) * 180.0 / max(count, 1)) % 180.0
    hsv = np.column_stack([hues, np.full(count, 200.0), rng.uniform(120.0, 230.0, count)]).astype(np.uint8)
    return cv2.cvtColor(hsv[None, :, :], cv2.COLOR_HSV2BGR)[0]
