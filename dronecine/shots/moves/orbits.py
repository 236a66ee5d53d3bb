"""Moves that circle the subject: orbit, helix, boomerang."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.shots.moves.base import AutoDistance, CameraMove, MoveName, Scalars, around
from dronecine.shots.params import param
from dronecine.shots.subject import SubjectState

_RATE_DOC = "angular rate around the subject; positive is clockwise seen from above"
_START_DOC = "where the circle starts, as a bearing from the subject's heading at the shot start"


@dataclass(frozen=True)
class Orbit(CameraMove):
    """Orbit: circle the subject at a fixed radius and height."""

    name = MoveName.ORBIT
    radius_m: float | None = param(None, "m", 2.0, 300.0, "orbit radius; auto: the radius that gives the shot size")
    height_m: float = param(8.0, "m", 1.5, 120.0, "camera height above the ground")
    rate_deg_s: float = param(12.0, "deg/s", -60.0, 60.0, _RATE_DOC)
    start_bearing_deg: float = param(180.0, "deg", -180.0, 180.0, _START_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        radius = self.or_auto(self.radius_m, auto_distance)
        return around(anchor.heading_deg, self.start_bearing_deg + self.rate_deg_s * t_s, radius, self.height_m)


@dataclass(frozen=True)
class Helix(CameraMove):
    """Helix: orbit while climbing and widening, a spiral away from the subject."""

    name = MoveName.HELIX
    keeps_range = False
    radius_m: float | None = param(None, "m", 2.0, 300.0, "radius at the start; auto: from the shot size")
    height_m: float = param(3.0, "m", 1.5, 120.0, "camera height at the start")
    rate_deg_s: float = param(15.0, "deg/s", -60.0, 60.0, _RATE_DOC)
    climb_m_s: float = param(0.8, "m/s", 0.0, 6.0, "climb rate")
    widen_m_s: float = param(0.5, "m/s", 0.0, 6.0, "rate at which the radius grows")
    start_bearing_deg: float = param(180.0, "deg", -180.0, 180.0, _START_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        radius = self.or_auto(self.radius_m, auto_distance) + self.widen_m_s * t_s
        height = self.height_m + self.climb_m_s * t_s
        return around(anchor.heading_deg, self.start_bearing_deg + self.rate_deg_s * t_s, radius, height)


@dataclass(frozen=True)
class Boomerang(CameraMove):
    """Boomerang: an oval loop around the subject, rising as it swings out and sinking back in."""

    name = MoveName.BOOMERANG
    keeps_range = False
    radius_m: float | None = param(None, "m", 2.0, 300.0, "radius at the near end; auto: from the shot size")
    far_ratio: float = param(2.5, "", 1.0, 6.0, "far-end radius as a multiple of the near radius")
    height_m: float = param(3.0, "m", 1.5, 120.0, "camera height at the near end")
    climb_m: float = param(6.0, "m", 0.0, 60.0, "extra height at the far end")
    period_s: float = param(30.0, "s", 5.0, 600.0, "time for one loop")
    start_bearing_deg: float = param(180.0, "deg", -180.0, 180.0, _START_DOC)

    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        phase = 2.0 * np.pi * t_s / self.period_s
        outward = 0.5 * (1.0 - np.cos(phase))  # 0 at the near end, 1 at the far end
        near = self.or_auto(self.radius_m, auto_distance)
        radius = near * (1.0 + (self.far_ratio - 1.0) * outward)
        height = self.height_m + self.climb_m * outward
        return around(anchor.heading_deg, self.start_bearing_deg + np.degrees(phase), radius, height)
