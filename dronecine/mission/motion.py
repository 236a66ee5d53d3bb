"""Nominal subject paths: where the mission expects each subject to be, second by second.

Planning and validation need the subjects' expected positions; the simulator plays the
same scripts with their randomness on top. Scripts that wander (``random_walk``,
``sudden_turns``) have no nominal path: the subject stays at the segment's centre with an
``uncertainty_m`` equal to the wandering radius, and checks keep that margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.mission.document import Mission
from dronecine.mission.subjects import (
    Chase,
    Meet,
    RandomWalk,
    Run,
    Stand,
    StopAndGo,
    Subject,
    SuddenTurns,
    WalkWith,
    Waypoints,
)
from dronecine.shots import SubjectState

DEFAULT_DT_S = 0.1
# The heading moves use is the smoothed direction of travel, not the body's: it swings at
# most this fast, so a camera that sits behind the subject is not flung around at a corner.
_MAX_TURN_RATE_DEG_S = 30.0
_WALK_WITH_CATCH_UP_M_S = 1.5
_ARRIVED_M = 0.05


@dataclass(frozen=True)
class SubjectPath:
    """A subject's nominal states every ``dt_s`` from the mission start."""

    subject_id: str
    dt_s: float
    height_m: float
    position_ned_m: NDArray[np.float64]  # (T, 3)
    velocity_ned_m_s: NDArray[np.float64]  # (T, 3)
    heading_deg: NDArray[np.float64]  # (T,)
    uncertainty_m: NDArray[np.float64]  # (T,)

    def index_at(self, t_s: float) -> int:
        return min(max(round(t_s / self.dt_s), 0), len(self.heading_deg) - 1)

    def state_at(self, t_s: float) -> SubjectState:
        """The nominal state at ``t_s`` (linear between samples, so references stay continuous)."""
        x = min(max(t_s / self.dt_s, 0.0), len(self.heading_deg) - 1.0)
        i = min(int(x), len(self.heading_deg) - 2) if len(self.heading_deg) > 1 else 0
        w = x - i if len(self.heading_deg) > 1 else 0.0
        j = min(i + 1, len(self.heading_deg) - 1)
        heading_step = (self.heading_deg[j] - self.heading_deg[i] + 180.0) % 360.0 - 180.0
        return SubjectState(
            position_ned_m=(1 - w) * self.position_ned_m[i] + w * self.position_ned_m[j],
            velocity_ned_m_s=(1 - w) * self.velocity_ned_m_s[i] + w * self.velocity_ned_m_s[j],
            heading_deg=float(self.heading_deg[i] + w * heading_step),
            height_m=self.height_m,
        )


@dataclass
class _Walker:
    """One subject's integration state."""

    subject: Subject
    position: NDArray[np.float64]
    heading_deg: float
    segment: int = 0
    segment_start_s: float = 0.0
    waypoint: int = 0
    centre: NDArray[np.float64] | None = None

    def current(self) -> object | None:
        motion = self.subject.motion
        return motion[self.segment] if self.segment < len(motion) else None


def nominal_paths(mission: Mission, dt_s: float = DEFAULT_DT_S) -> dict[str, SubjectPath]:
    """Integrate every subject's motion script over the mission, all subjects together
    (a subject can walk with, meet or chase another)."""
    steps = math.ceil(mission.duration_s / dt_s) + 1
    walkers = {
        s.id: _Walker(s, np.array([s.start.north_m, s.start.east_m, 0.0]), float(s.heading_deg))
        for s in mission.subjects
    }
    out = {sid: (np.zeros((steps, 3)), np.zeros((steps, 3)), np.zeros(steps), np.zeros(steps)) for sid in walkers}
    for k in range(steps):
        t = k * dt_s
        positions = {sid: w.position.copy() for sid, w in walkers.items()}
        headings = {sid: w.heading_deg for sid, w in walkers.items()}
        velocities = {sid: out[sid][1][k - 1] if k else np.zeros(3) for sid in walkers}
        for sid, walker in walkers.items():
            velocity, uncertainty = _step(walker, t, dt_s, positions, headings, velocities)
            pos, vel, head, unc = out[sid]
            # The state at t is the one before the step from t to t + dt (so t = 0 is the start).
            pos[k], vel[k], head[k], unc[k] = positions[sid], velocity, headings[sid], uncertainty
    return {sid: SubjectPath(sid, dt_s, walkers[sid].subject.height_m, *out[sid]) for sid in walkers}


def _step(
    walker: _Walker,
    t_s: float,
    dt_s: float,
    positions: dict[str, NDArray[np.float64]],
    headings: dict[str, float],
    velocities: dict[str, NDArray[np.float64]],
) -> tuple[NDArray[np.float64], float]:
    """Advance one walker by ``dt_s``; returns its velocity and positional uncertainty."""
    segment = walker.current()
    duration = getattr(segment, "duration_s", None)
    if segment is not None and duration is not None and t_s - walker.segment_start_s >= duration:
        _next_segment(walker, t_s)
        segment = walker.current()
    velocity = np.zeros(3)
    uncertainty = 0.0
    finished = False
    match segment:
        case None | Stand():
            pass
        case Waypoints() | Run() | StopAndGo():
            speed = segment.speed_m_s
            if isinstance(segment, StopAndGo):
                cycle = (t_s - walker.segment_start_s) % (segment.walk_s + segment.stop_s)
                speed = speed if cycle < segment.walk_s else 0.0
            velocity, finished = _towards_waypoints(walker, segment, speed, dt_s)
        case RandomWalk() | SuddenTurns():
            if walker.centre is None:
                walker.centre = walker.position.copy()
            uncertainty = segment.radius_m
        case WalkWith():
            other = positions[segment.subject]
            right = np.array(
                [
                    -math.sin(math.radians(headings[segment.subject])),
                    math.cos(math.radians(headings[segment.subject])),
                    0.0,
                ]
            )
            target = other + segment.side_m * right
            gap = target - walker.position
            distance = float(np.linalg.norm(gap))
            # Catch up with the place beside the other at a brisk walk rather than jump to it.
            step = min(distance, (_WALK_WITH_CATCH_UP_M_S + float(np.linalg.norm(velocities[segment.subject]))) * dt_s)
            if distance > 1e-9:
                walker.position = walker.position + gap / distance * step
            velocity = gap / max(distance, 1e-9) * step / dt_s
        case Meet() | Chase():
            stop = segment.stop_distance_m if isinstance(segment, Meet) else segment.catch_distance_m
            gap = positions[segment.subject] - walker.position
            distance = float(np.linalg.norm(gap))
            if distance > stop + _ARRIVED_M:
                step = min(segment.speed_m_s * dt_s, distance - stop)
                velocity = gap / distance * step / dt_s
                walker.position = walker.position + gap / distance * step
            else:
                walker.heading_deg = _turn_towards(walker.heading_deg, math.degrees(math.atan2(gap[1], gap[0])), dt_s)
                finished = True
    _face_motion(walker, velocity, dt_s)
    if finished and duration is None:
        _next_segment(walker, t_s)
    return velocity, uncertainty


def _towards_waypoints(
    walker: _Walker, segment: Waypoints | Run | StopAndGo, speed_m_s: float, dt_s: float
) -> tuple[NDArray[np.float64], bool]:
    waypoints = segment.waypoints
    budget = speed_m_s * dt_s
    start = walker.position.copy()
    while budget > 0.0 and walker.waypoint < len(waypoints):
        goal = np.array([waypoints[walker.waypoint].north_m, waypoints[walker.waypoint].east_m, 0.0])
        gap = goal - walker.position
        distance = float(np.linalg.norm(gap))
        if distance <= budget:
            walker.position = goal
            budget -= distance
            walker.waypoint += 1
            if walker.waypoint == len(waypoints) and getattr(segment, "loop", False):
                walker.waypoint = 0
                lap_m = _lap_m(waypoints)
                if lap_m < 1e-9:
                    break  # a loop of one point: nowhere to go
                budget %= lap_m  # whole laps bring the walker back here
        else:
            walker.position = walker.position + gap / distance * budget
            budget = 0.0
    finished = walker.waypoint >= len(waypoints)
    return (walker.position - start) / dt_s, finished


def _lap_m(waypoints: tuple) -> float:
    points = np.array([(w.north_m, w.east_m) for w in waypoints])
    return float(np.linalg.norm(points - np.roll(points, 1, axis=0), axis=1).sum())


def _face_motion(walker: _Walker, velocity: NDArray[np.float64], dt_s: float) -> None:
    if float(np.hypot(velocity[0], velocity[1])) > 0.1:
        walker.heading_deg = _turn_towards(walker.heading_deg, math.degrees(math.atan2(velocity[1], velocity[0])), dt_s)


def _turn_towards(heading_deg: float, goal_deg: float, dt_s: float) -> float:
    error = (goal_deg - heading_deg + 180.0) % 360.0 - 180.0
    limit = _MAX_TURN_RATE_DEG_S * dt_s
    return (heading_deg + max(-limit, min(limit, error)) + 180.0) % 360.0 - 180.0


def _next_segment(walker: _Walker, t_s: float) -> None:
    walker.segment += 1
    walker.segment_start_s = t_s
    walker.waypoint = 0
    if walker.centre is not None:
        walker.position = walker.centre  # the nominal wanderer ends where it started
        walker.centre = None
