"""Gimbal protocol v2 through each link: the control handshake, angles, rates, the pitch range."""

from __future__ import annotations

import asyncio

import pytest
from dronecine_sim.px4 import Px4Vehicle
from flight_linkkit import connect_ready, first, url_of, vehicle_config, wait_vehicle

from dronecine.flight.errors import CommandDenied, GimbalError
from dronecine.flight.link import FlightLink


async def test_commands_before_taking_control_are_refused(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await connect_ready(link, url_of(vehicle))
    with pytest.raises(GimbalError) as caught:
        await link.set_gimbal_angles(pitch_deg=-30.0, yaw_deg=0.0)
    assert isinstance(caught.value.__cause__, CommandDenied)
    assert caught.value.__cause__.result == "MAV_RESULT_DENIED"
    await link.set_gimbal_rates(pitch_rate_deg_s=-20.0, yaw_rate_deg_s=0.0)  # streamed: silently ignored
    await asyncio.sleep(0.3)
    truth = vehicle.snapshot()
    assert truth.gimbal_pitch_deg == pytest.approx(0.0, abs=0.01)
    assert truth.gimbal_primary == (0, 0)


async def test_after_taking_control_the_gimbal_moves(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await connect_ready(link, url_of(vehicle))
    await link.take_gimbal_control()
    assert vehicle.snapshot().gimbal_primary == (245, 191)
    await link.set_gimbal_angles(pitch_deg=-30.0, yaw_deg=20.0)
    attitude = await first(
        link.gimbal_attitude_stream(),
        lambda g: abs(g.pitch_deg + 30.0) < 0.5 and abs(g.yaw_deg - 20.0) < 0.5,
        3.0,
        "gimbal at (-30, 20)",
    )
    assert attitude.pitch_deg == pytest.approx(-30.0, abs=0.5)
    # Rates: pitch up at 20 deg/s for a while, streamed every step as an agent would.
    start = vehicle.snapshot().gimbal_pitch_deg
    for _ in range(5):
        await link.set_gimbal_rates(pitch_rate_deg_s=20.0, yaw_rate_deg_s=0.0)
        await asyncio.sleep(0.04)
    await link.set_gimbal_rates(pitch_rate_deg_s=0.0, yaw_rate_deg_s=0.0)
    assert vehicle.snapshot().gimbal_pitch_deg > start + 5.0
    # Releasing control: the next command is refused again.
    await link.release_gimbal_control()
    assert vehicle.snapshot().gimbal_primary == (0, 0)
    with pytest.raises(GimbalError):
        await link.set_gimbal_angles(pitch_deg=0.0, yaw_deg=0.0)


async def test_pitch_is_limited_by_mnt_range_pitch(make_link) -> None:
    with Px4Vehicle(vehicle_config(params=(("MNT_RANGE_PITCH", 90.0),))) as vehicle:  # +-45 deg
        link = make_link()
        await connect_ready(link, url_of(vehicle))
        await link.take_gimbal_control()
        await link.set_gimbal_angles(pitch_deg=-80.0, yaw_deg=0.0)
        truth = await wait_vehicle(vehicle, lambda s: s.gimbal_pitch_deg < -44.0, 3.0, "pitch at its limit")
        await asyncio.sleep(0.3)
        assert vehicle.snapshot().gimbal_pitch_deg == pytest.approx(-45.0, abs=0.5)
        assert truth.gimbal_pitch_deg > -46.0
