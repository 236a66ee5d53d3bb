"""Moves along straight lines or standing still: flyby, dolly, truck, spotlight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.shots.arrays import along
from dronecine.shots.easing import travel_m
from dronecine.shots.moves.base import AutoDistance, CameraMove, MoveName, Scalars, around, direction
from dronecine.shots.params import param
from dronecine.shots.subject import SubjectState

_EASE_DOC = "time to reach full speed (and to stop), so the move starts and ends smoothly"


@dataclass(frozen=True)
class Flyby(CameraMove):
    """Flyby: pass the subject on a straight line, panning to keep it framed."""

    name = MoveName.FLYBY
    keeps_range = False
    pass_distance_m: float | None = param(None, "m", 2.0, 300.0, "closest horizontal distance; auto: shot size")
    height_m: float = param(6.0, "m", 1.5, 120.0, "camera height above the ground")
    speed_m_s: float = param(4.0, "m/s", 0.2, 20.0, "speed along the line, relative to the subject")
    closest_s: float = param(5.0, "s", 0.0, 600.0, "time of the closest approach after the shot starts")
    side_deg: float = param(90.0, "deg", -180.0, 180.0, "side of the pass, as a bearing from the heading")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        pass_distance = self.or_auto(self.pass_distance_m, auto_distance)
        abeam = around(anchor.heading_deg, self.side_deg, pass_distance, self.height_m)
        line = direction(anchor.heading_deg, self.side_deg - 90.0)
        return abeam + along(line, self.speed_m_s * (t_s - self.closest_s))


@dataclass(frozen=True)
class Dolly(CameraMove):
    """Dolly in or out: fly along the line of sight, towards the subject (in) or away (out)."""

    name = MoveName.DOLLY
    keeps_range = False
    distance_m: float | None = param(None, "m", 2.0, 300.0, "horizontal distance at the end; auto: shot size")
    start_ratio: float = param(2.0, "", 0.2, 5.0, "start distance over end distance: above 1 dollies in, below out")
    height_m: float = param(3.0, "m", 1.5, 120.0, "camera height above the ground")
    speed_m_s: float = param(1.5, "m/s", 0.1, 15.0, "speed along the line of sight")
    bearing_deg: float = param(0.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")
    ease_s: float = param(2.0, "s", 0.0, 20.0, _EASE_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        end = self.or_auto(self.distance_m, auto_distance)
        start = end * self.start_ratio
        change = end - start
        distance = start + np.copysign(travel_m(t_s, self.speed_m_s, self.ease_s, np.abs(change)), change)
        return around(anchor.heading_deg, self.bearing_deg, distance, self.height_m)


@dataclass(frozen=True)
class Truck(CameraMove):
    """Truck: slide sideways across the line of sight while the camera pans to hold the subject."""

    name = MoveName.TRUCK
    keeps_range = False
    distance_m: float | None = param(None, "m", 2.0, 300.0, "horizontal distance at the start; auto: shot size")
    height_m: float = param(3.0, "m", 1.5, 120.0, "camera height above the ground")
    speed_m_s: float = param(1.5, "m/s", -15.0, 15.0, "sideways speed; positive moves to the camera's right")
    bearing_deg: float = param(0.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")
    ease_s: float = param(2.0, "s", 0.0, 20.0, _EASE_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        distance = self.or_auto(self.distance_m, auto_distance)
        start = around(anchor.heading_deg, self.bearing_deg, distance, self.height_m)
        # Looking back at the subject, the camera's right is the bearing plus 90 degrees
        # seen from the subject, i.e. bearing - 90 seen from the camera's side.
        camera_right = direction(anchor.heading_deg, self.bearing_deg - 90.0)
        travelled = travel_m(t_s, np.abs(self.speed_m_s), self.ease_s)
        return start + along(camera_right, np.copysign(travelled, self.speed_m_s))


@dataclass(frozen=True)
class Spotlight(CameraMove):
    """Spotlight: hold a fixed point in the sky and only turn the camera to follow the subject."""

    name = MoveName.SPOTLIGHT
    keeps_range = False
    distance_m: float | None = param(None, "m", 2.0, 300.0, "horizontal distance at the start; auto: shot size")
    height_m: float = param(10.0, "m", 1.5, 120.0, "camera height above the ground")
    bearing_deg: float = param(180.0, "deg", -180.0, 180.0, "bearing from the subject's heading at the start")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        distance = self.or_auto(self.distance_m, auto_distance)
        fixed_point = anchor.position_ned_m + around(anchor.heading_deg, self.bearing_deg, distance, self.height_m)
        offset = fixed_point - subject.position_ned_m
        offset[..., 2] = np.negative(self.height_m)
        return offset
