"""Shared helpers for the shot-language tests: a camera, a walking subject, sampled references.

Not a test module (pytest collects ``test_*.py`` only); the test files import it by name,
which works because pytest puts this rootdir-less folder on ``sys.path``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from dronecine.geometry import PERSON_HEIGHT_M, CameraPose, PinholeCamera, project_person
from dronecine.shots import MOVES, CameraMove, Framing, MoveName, Shot, ShotSize, SubjectState, param_specs

# The mission's default camera (dronecine.mission.drones.Camera): 84 degrees, 1920x1080.
CAMERA = PinholeCamera(84.0, 1920, 1080)
MOVE_NAMES = list(MoveName)


@dataclass(frozen=True)
class Walk:
    """A subject walking at a constant speed along a circular arc (a straight line if not turning).

    The heading turns at ``turn_rate_deg_s`` and always equals the direction of the velocity.
    """

    speed_m_s: float = 1.4
    turn_rate_deg_s: float = 4.0
    start_heading_deg: float = 20.0

    def heading_deg(self, t_s: float) -> float:
        return self.start_heading_deg + self.turn_rate_deg_s * t_s

    def position_ned_m(self, t_s: NDArray[np.float64] | float) -> NDArray[np.float64]:
        t = np.asarray(t_s, dtype=float)
        h0 = math.radians(self.start_heading_deg)
        if self.turn_rate_deg_s == 0.0:
            north = self.speed_m_s * t * math.cos(h0)
            east = self.speed_m_s * t * math.sin(h0)
        else:
            w = math.radians(self.turn_rate_deg_s)
            h = h0 + w * t
            north = self.speed_m_s / w * (np.sin(h) - math.sin(h0))
            east = -self.speed_m_s / w * (np.cos(h) - math.cos(h0))
        return np.stack([north, east, np.zeros_like(north)], axis=-1)

    def state(self, t_s: float) -> SubjectState:
        heading = self.heading_deg(t_s)
        h = math.radians(heading)
        north, east, _ = self.position_ned_m(t_s)
        velocity = (self.speed_m_s * math.cos(h), self.speed_m_s * math.sin(h), 0.0)
        return SubjectState.at(float(north), float(east), heading, velocity)


STILL = Walk(speed_m_s=0.0, turn_rate_deg_s=0.0, start_heading_deg=0.0)


def make_shot(move: CameraMove, size: ShotSize = ShotSize.FULL, framing: Framing | None = None) -> Shot:
    return Shot(move, size, framing or Framing(), CAMERA)


def auto_distance(shot: Shot, height_m: float) -> float:
    """What an 'auto' distance parameter resolves to at ``height_m``."""
    return shot.horizontal_distance_m(height_m, PERSON_HEIGHT_M)


@dataclass(frozen=True)
class Track:
    """A shot's references sampled at ``times``, as arrays."""

    times: NDArray[np.float64]
    subject: NDArray[np.float64]  # (N, 3) subject feet
    position: NDArray[np.float64]  # (N, 3) camera
    offset: NDArray[np.float64]  # (N, 3)
    yaw: NDArray[np.float64]
    pitch: NDArray[np.float64]
    u: NDArray[np.float64]
    v: NDArray[np.float64]
    h: NDArray[np.float64]

    @property
    def height(self) -> NDArray[np.float64]:
        return -self.position[:, 2]

    @property
    def horizontal_range(self) -> NDArray[np.float64]:
        return np.hypot(*(self.position[:, :2] - self.subject[:, :2]).T)

    @property
    def bearing_deg(self) -> NDArray[np.float64]:
        """Unwrapped compass bearing of the camera as seen from the subject."""
        rel = self.position[:, :2] - self.subject[:, :2]
        return np.unwrap(np.degrees(np.arctan2(rel[:, 1], rel[:, 0])), period=360.0)


@functools.lru_cache(maxsize=32)
def _states(walk: Walk, times: tuple[float, ...]) -> tuple[SubjectState, ...]:
    return tuple(walk.state(t) for t in times)


def states(walk: Walk, times: NDArray[np.float64]) -> tuple[SubjectState, ...]:
    """The walking subject at each of ``times`` (cached: many tests sample the same walk)."""
    return _states(walk, tuple(float(t) for t in times))


def sample(shot: Shot, walk: Walk, times: NDArray[np.float64]) -> Track:
    anchor = walk.state(0.0)
    refs = [shot.reference(float(t), s, anchor) for t, s in zip(times, states(walk, times), strict=True)]
    return Track(
        times=times,
        subject=walk.position_ned_m(times),
        position=np.array([r.position_ned_m for r in refs]),
        offset=np.array([r.offset_ned_m for r in refs]),
        yaw=np.array([r.yaw_deg for r in refs]),
        pitch=np.array([r.pitch_deg for r in refs]),
        u=np.array([r.target.u for r in refs]),
        v=np.array([r.target.v for r in refs]),
        h=np.array([r.target.h for r in refs]),
    )


@functools.lru_cache(maxsize=32)
def _stacked_states(walk: Walk, times: tuple[float, ...]) -> SubjectState:
    return SubjectState.stack(_states(walk, times))


def offsets(shot: Shot, walk: Walk, times: NDArray[np.float64]) -> NDArray[np.float64]:
    """The move's offsets alone (what ``reference`` adds to the subject's position), cheaply:
    one call on arrays, all times at once, with the 'auto' distances resolved (as a batch does)."""
    move = shot.resolve_auto(PERSON_HEIGHT_M).move
    now = _stacked_states(walk, tuple(float(t) for t in times))
    return move.offset_ned_m(np.asarray(times, dtype=float), now, walk.state(0.0), _resolved_already)


def scalar_offsets(shot: Shot, walk: Walk, times: NDArray[np.float64]) -> NDArray[np.float64]:
    """``offsets`` one time at a time, the scalar way, with the solver for the 'auto' distances."""
    anchor = walk.state(0.0)

    def auto(height_m: float) -> float:
        return auto_distance(shot, height_m)

    move = shot.move
    return np.array(
        [move.offset_ned_m(float(t), s, anchor, auto) for t, s in zip(times, states(walk, times), strict=True)]
    )


def _resolved_already(height_m: float) -> float:
    raise AssertionError("resolve_auto left an 'auto' distance")


def seen_box(shot: Shot, t_s: float, subject: SubjectState, anchor: SubjectState):
    """(reference, box) where box is the subject's projected box seen with the reference pose."""
    ref = shot.reference(t_s, subject, anchor)
    pose = CameraPose.from_angles(ref.position_ned_m, ref.yaw_deg, ref.pitch_deg)
    return ref, project_person(shot.camera, pose, subject.position_ned_m, subject.height_m)


AUTO = object()


@st.composite
def move_params(draw: st.DrawFn, name: MoveName) -> dict[str, float]:
    """Valid parameters for move ``name``: each within its spec's range, 'auto' ones sometimes left out."""
    values: dict[str, float] = {}
    for spec in param_specs(MOVES[name]):
        value = st.floats(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False)
        if spec.default is None:
            value = st.one_of(st.just(AUTO), value)
        drawn = draw(value)
        if drawn is not AUTO:
            values[spec.name] = drawn
    return values


def neighbour_max(steps: NDArray[np.float64], reach: int = 2) -> NDArray[np.float64]:
    """For each step, the largest of the ``reach`` steps on either side of it (itself excluded)."""
    padded = np.pad(steps, reach, constant_values=0.0)
    n = len(steps)
    shifted = [padded[reach + k : reach + k + n] for k in range(-reach, reach + 1) if k != 0]
    return np.max(shifted, axis=0)


def spikes(steps: NDArray[np.float64], floor: float, ratio: float = 3.0) -> NDArray[np.intp]:
    """Indices of steps that stand out from their neighbours: a jump, not a change of pace."""
    steps = np.abs(steps)
    return np.flatnonzero(steps > ratio * neighbour_max(steps) + floor)
