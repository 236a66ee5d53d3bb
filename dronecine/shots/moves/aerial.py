"""Moves that change height by design: dronie, rocket, crane (pedestal), reveal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.shots.arrays import scalar_or_array
from dronecine.shots.easing import travel_m
from dronecine.shots.moves.base import AutoDistance, CameraMove, MoveName, Scalars, around
from dronecine.shots.params import param
from dronecine.shots.subject import SubjectState

_EASE_DOC = "time to reach full speed (and to stop), so the move starts and ends smoothly"


@dataclass(frozen=True)
class Dronie(CameraMove):
    """Dronie: start close in front of the subject, then fly backwards and up, away from it."""

    name = MoveName.DRONIE
    keeps_range = False
    start_distance_m: float | None = param(None, "m", 2.0, 300.0, "distance at the start; auto: from the shot size")
    start_height_m: float = param(3.0, "m", 1.5, 120.0, "camera height at the start")
    speed_m_s: float = param(3.0, "m/s", 0.2, 15.0, "speed along the flight path")
    elevation_deg: float = param(30.0, "deg", 0.0, 80.0, "climb angle of the flight path above the horizontal")
    bearing_deg: float = param(0.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")
    ease_s: float = param(2.0, "s", 0.0, 20.0, _EASE_DOC)

    @property
    def auto_height_m(self) -> Scalars:
        return self.start_height_m

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        start = self.or_auto(self.start_distance_m, auto_distance)
        travelled = travel_m(t_s, self.speed_m_s, self.ease_s)
        elevation = np.radians(self.elevation_deg)
        distance = start + travelled * np.cos(elevation)
        height = self.start_height_m + travelled * np.sin(elevation)
        return around(anchor.heading_deg, self.bearing_deg, distance, height)


@dataclass(frozen=True)
class Rocket(CameraMove):
    """Rocket: rise straight up beside the subject, looking down at it."""

    name = MoveName.ROCKET
    keeps_range = False
    start_height_m: float = param(4.0, "m", 1.5, 120.0, "camera height at the start")
    climb_m_s: float = param(2.5, "m/s", 0.2, 8.0, "climb rate")
    offset_m: float = param(3.0, "m", 1.0, 50.0, "horizontal offset from the subject (never straight overhead)")
    bearing_deg: float = param(180.0, "deg", -180.0, 180.0, "bearing of the offset from the subject's heading")
    ease_s: float = param(2.0, "s", 0.0, 20.0, _EASE_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        height = self.start_height_m + travel_m(t_s, self.climb_m_s, self.ease_s)
        return around(anchor.heading_deg, self.bearing_deg, self.offset_m, height)


@dataclass(frozen=True)
class Crane(CameraMove):
    """Crane (pedestal): rise or sink at a fixed distance from the subject, then hold."""

    name = MoveName.CRANE
    keeps_range = False
    distance_m: float | None = param(None, "m", 2.0, 300.0, "horizontal distance; auto: from the shot size")
    start_height_m: float = param(2.0, "m", 1.5, 120.0, "camera height at the start")
    end_height_m: float = param(12.0, "m", 1.5, 120.0, "camera height at the end (below the start: sink)")
    speed_m_s: float = param(1.0, "m/s", 0.1, 8.0, "vertical speed")
    bearing_deg: float = param(180.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")
    ease_s: float = param(2.0, "s", 0.0, 20.0, _EASE_DOC)

    @property
    def auto_height_m(self) -> Scalars:
        return np.maximum(self.start_height_m, self.end_height_m)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        rise = np.subtract(self.end_height_m, self.start_height_m)
        height = self.start_height_m + np.copysign(travel_m(t_s, self.speed_m_s, self.ease_s, np.abs(rise)), rise)
        distance = self.or_auto(self.distance_m, auto_distance)
        return around(anchor.heading_deg, self.bearing_deg, distance, height)


@dataclass(frozen=True)
class Reveal(CameraMove):
    """Reveal: start low and far (behind a foreground obstacle), rise and close in on the subject.

    The camera always aims at the subject; what hides it at the start is the set (a wall,
    a ridge) that the rise clears, not the framing.
    """

    name = MoveName.REVEAL
    keeps_range = False
    distance_m: float | None = param(None, "m", 2.0, 300.0, "horizontal distance at the end; auto: from the shot size")
    start_ratio: float = param(1.6, "", 1.0, 5.0, "distance at the start as a multiple of the end distance")
    start_height_m: float = param(1.5, "m", 1.5, 120.0, "camera height at the start")
    height_m: float = param(10.0, "m", 1.5, 120.0, "camera height at the end")
    duration_s: float = param(8.0, "s", 1.0, 120.0, "time the rise takes")
    bearing_deg: float = param(180.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        end = self.or_auto(self.distance_m, auto_distance)
        progress = _smoothstep(t_s / self.duration_s)
        distance = end * (self.start_ratio + (1.0 - self.start_ratio) * progress)
        height = self.start_height_m + (self.height_m - self.start_height_m) * progress
        return around(anchor.heading_deg, self.bearing_deg, distance, height)


def _smoothstep(x: Scalars) -> Scalars:
    """0 before 0, 1 after 1, and a cubic with zero slope at both ends in between."""
    x = np.minimum(np.maximum(x, 0.0), 1.0)
    return scalar_or_array(x * x * (3.0 - 2.0 * x))
