"""Moves that hold a place relative to the subject's current heading: follow, lead, profile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.shots.moves.base import AutoDistance, CameraMove, MoveName, Scalars, around
from dronecine.shots.params import param
from dronecine.shots.subject import SubjectState

_DISTANCE_DOC = "horizontal distance to the subject; auto: the distance that gives the shot size"


@dataclass(frozen=True)
class Follow(CameraMove):
    """Follow (trace): stay behind the subject as it moves, looking over its shoulder."""

    name = MoveName.FOLLOW
    distance_m: float | None = param(None, "m", 2.0, 300.0, _DISTANCE_DOC)
    height_m: float = param(5.0, "m", 1.5, 120.0, "camera height above the ground")
    bearing_deg: float = param(180.0, "deg", -180.0, 180.0, "bearing from the subject's heading (180: behind)")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        distance = self.or_auto(self.distance_m, auto_distance)
        return around(subject.heading_deg, self.bearing_deg, distance, self.height_m)


@dataclass(frozen=True)
class Lead(CameraMove):
    """Lead: fly ahead of the subject, facing it, as it walks towards the camera."""

    name = MoveName.LEAD
    distance_m: float | None = param(None, "m", 2.0, 300.0, _DISTANCE_DOC)
    height_m: float = param(3.0, "m", 1.5, 120.0, "camera height above the ground")
    bearing_deg: float = param(0.0, "deg", -180.0, 180.0, "bearing from the subject's heading (0: in front)")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        distance = self.or_auto(self.distance_m, auto_distance)
        return around(subject.heading_deg, self.bearing_deg, distance, self.height_m)


@dataclass(frozen=True)
class Profile(CameraMove):
    """Profile (side track): fly abeam of the subject, filming it side-on as it moves."""

    name = MoveName.PROFILE
    distance_m: float | None = param(None, "m", 2.0, 300.0, _DISTANCE_DOC)
    height_m: float = param(2.5, "m", 1.5, 120.0, "camera height above the ground")
    bearing_deg: float = param(90.0, "deg", -180.0, 180.0, "bearing from the subject's heading (90: its right)")

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        distance = self.or_auto(self.distance_m, auto_distance)
        return around(subject.heading_deg, self.bearing_deg, distance, self.height_m)
