"""The autopilot's local NED frame and the mission's: the same axes, different origins.

PX4's local frame starts where its estimator started (normally where the drone booted); the
mission's starts at the mission's origin. Both are north-aligned, so they differ by a translation:
the agent finds it from the autopilot's home, whose GPS position says where home is in the mission
(PX4's own azimuthal equidistant projection, as ``launch/sitl_launch`` uses to place SITL homes).
Heights stay relative to the ground at home (the mission's down is 0 on its flat ground), not
GPS altitude, which is metres off on real receivers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.errors import AgentError
from dronecine.flight.link_types import HomePosition
from dronecine.mission.geo import Origin

FloatArray = NDArray[np.float64]
EARTH_RADIUS_M = 6_371_000.0  # CONSTANTS_RADIUS_OF_EARTH in PX4's src/lib/geo
HOME_TOLERANCE_M = 10.0


def ned_from_geodetic(origin: Origin, latitude_deg: float, longitude_deg: float) -> tuple[float, float]:
    """(north_m, east_m) of a WGS84 point from ``origin`` (PX4's MapProjection::project)."""
    lat0, lon0 = math.radians(origin.latitude_deg), math.radians(origin.longitude_deg)
    lat, lon = math.radians(latitude_deg), math.radians(longitude_deg)
    cos_d_lon = math.cos(lon - lon0)
    arg = max(-1.0, min(1.0, math.sin(lat0) * math.sin(lat) + math.cos(lat0) * math.cos(lat) * cos_d_lon))
    c = math.acos(arg)
    k = 1.0 if abs(c) < 1e-12 else c / math.sin(c)
    north = k * (math.cos(lat0) * math.sin(lat) - math.sin(lat0) * math.cos(lat) * cos_d_lon) * EARTH_RADIUS_M
    east = k * math.cos(lat) * math.sin(lon - lon0) * EARTH_RADIUS_M
    return north, east


def geodetic_from_ned(origin: Origin, north_m: float, east_m: float) -> tuple[float, float]:
    """(latitude_deg, longitude_deg) of a point ``north_m``/``east_m`` from ``origin`` (the inverse)."""
    lat0, lon0 = math.radians(origin.latitude_deg), math.radians(origin.longitude_deg)
    x, y = north_m / EARTH_RADIUS_M, east_m / EARTH_RADIUS_M
    c = math.hypot(x, y)
    if c == 0.0:
        return origin.latitude_deg, origin.longitude_deg
    sin_c, cos_c = math.sin(c), math.cos(c)
    lat = math.asin(cos_c * math.sin(lat0) + x * sin_c * math.cos(lat0) / c)
    lon = lon0 + math.atan2(y * sin_c, c * math.cos(lat0) * cos_c - x * math.sin(lat0) * sin_c)
    return math.degrees(lat), math.degrees(lon)


@dataclass(frozen=True)
class MissionFrame:
    """``mission = local + offset_ned_m``: the translation from the autopilot's frame to the mission's."""

    offset_ned_m: tuple[float, float, float]

    def to_mission(self, local_ned_m: FloatArray) -> FloatArray:
        return np.asarray(local_ned_m, dtype=float) + np.asarray(self.offset_ned_m)

    def to_local(self, mission_ned_m: FloatArray) -> FloatArray:
        return np.asarray(mission_ned_m, dtype=float) - np.asarray(self.offset_ned_m)

    @classmethod
    def from_home(
        cls,
        origin: Origin,
        home: HomePosition,
        expected_home_ned_m: FloatArray,
        drone_id: str,
        tolerance_m: float = HOME_TOLERANCE_M,
    ) -> MissionFrame:
        """The frame that puts the autopilot's ``home`` where its GPS says it is in the mission.
        ``AgentError`` when that is more than ``tolerance_m`` from the drone's planned home: the
        plan keeps drones apart from their planned homes, so a drone elsewhere must not fly it."""
        north, east = ned_from_geodetic(origin, home.latitude_deg, home.longitude_deg)
        expected = np.asarray(expected_home_ned_m, dtype=float)
        off_by = math.hypot(north - expected[0], east - expected[1])
        if not math.isfinite(off_by) or off_by > tolerance_m:
            raise AgentError(
                f"{drone_id} stands {off_by:.1f} m from its home in the mission "
                f"(GPS puts it at north {north:.1f} m, east {east:.1f} m; the mission says "
                f"{expected[0]:.1f}, {expected[1]:.1f}; at most {tolerance_m:g} m): move it or fix the mission"
            )
        # Heights: the ground at home is the mission's ground (down 0).
        return cls((north - home.north_m, east - home.east_m, -home.down_m))

    @classmethod
    def at_planned_home(cls, home: HomePosition, expected_home_ned_m: FloatArray) -> MissionFrame:
        """The frame that trusts the drone stands at its planned home, whatever its GPS says (Gazebo
        worlds, whose latitude and longitude are the world file's, not the mission's)."""
        expected = np.asarray(expected_home_ned_m, dtype=float)
        return cls((expected[0] - home.north_m, expected[1] - home.east_m, -home.down_m))
