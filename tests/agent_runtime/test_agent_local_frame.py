"""The autopilot's frame placed in the mission's by its home's GPS position, and the synced clock."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from dronecine.agent.errors import AgentError
from dronecine.agent.local_frame import MissionFrame, geodetic_from_ned, ned_from_geodetic
from dronecine.agent.mission_clock import SyncedClock
from dronecine.flight.link_types import HomePosition
from dronecine.mission.geo import Origin

ORIGIN = Origin(latitude_deg=47.3977, longitude_deg=8.5456, altitude_m=488.0)


@pytest.mark.parametrize("north_m, east_m", [(0.0, 0.0), (-20.0, 0.0), (350.0, -1200.0), (-5000.0, 4000.0)])
def test_projection_round_trips(north_m: float, east_m: float) -> None:
    lat, lon = geodetic_from_ned(ORIGIN, north_m, east_m)
    back = ned_from_geodetic(ORIGIN, lat, lon)
    assert back == pytest.approx((north_m, east_m), abs=1e-6)


def _home(north_m: float, east_m: float, local=(0.0, 0.0, 0.0)) -> HomePosition:
    lat, lon = geodetic_from_ned(ORIGIN, north_m, east_m)
    return HomePosition(lat, lon, 488.0, *local, t_s=0.0)


def test_the_frame_puts_home_where_its_gps_says() -> None:
    frame = MissionFrame.from_home(
        ORIGIN, _home(-20.0, 3.0, local=(1.0, 2.0, -0.5)), np.array([-20.0, 0.0, 0.0]), "solo"
    )
    np.testing.assert_allclose(frame.to_mission(np.array([1.0, 2.0, -0.5])), [-20.0, 3.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(frame.to_local(frame.to_mission(np.array([4.0, 5.0, -6.0]))), [4.0, 5.0, -6.0])


def test_a_drone_far_from_its_planned_home_is_refused() -> None:
    with pytest.raises(AgentError, match=r"solo stands 50\.0 m from its home in the mission"):
        MissionFrame.from_home(ORIGIN, _home(30.0, 0.0), np.array([-20.0, 0.0, 0.0]), "solo")
    frame = MissionFrame.at_planned_home(_home(30.0, 0.0, local=(1.0, 0.0, 0.0)), np.array([-20.0, 0.0, 0.0]))
    np.testing.assert_allclose(frame.to_mission(np.array([1.0, 0.0, 0.0])), [-20.0, 0.0, 0.0])


def test_the_clock_follows_the_station_from_the_welcome() -> None:
    clock = SyncedClock(time_scale=2.0)
    now = time.monotonic()
    clock.sync(-30.0, now, round_trip_s=0.02)
    assert clock.synced
    first = clock.now_s()
    assert -30.0 < first < -29.0 and math.isfinite(first)
    assert clock.now_s() >= first
