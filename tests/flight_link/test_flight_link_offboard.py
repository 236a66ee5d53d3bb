"""Offboard through each link: PX4's stream rule, body and NED velocities, the stream's rate, both watchdogs."""

from __future__ import annotations

import asyncio
import math
import time

import pytest
from dronecine_sim.px4 import Px4Mode, Px4Vehicle
from flight_linkkit import airborne, first, in_offboard, url_of, vehicle_config, wait_vehicle

from dronecine.flight.errors import CommandDenied, OffboardError
from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import FlightMode, LinkOptions, VelocityBodySetpoint, VelocityNedSetpoint


async def keep_setting(link: FlightLink, setpoint, duration_s: float, every_s: float = 0.05) -> None:
    """What an agent loop does: set a fresh setpoint every step."""
    setter = link.set_velocity_body if isinstance(setpoint, VelocityBodySetpoint) else link.set_velocity_ned
    loop = asyncio.get_running_loop()
    end = loop.time() + duration_s
    while loop.time() < end:
        await setter(setpoint)
        await asyncio.sleep(every_s)


def speed(snapshot) -> float:
    """The vehicle's true horizontal speed, m/s."""
    return math.hypot(*snapshot.velocity_ned_m_s[:2])


@pytest.mark.slow
async def test_offboard_needs_a_stream_first(make_link) -> None:
    # The default vehicle wants ~1 s of setpoints before it switches, as PX4 does.
    with Px4Vehicle(vehicle_config(offboard_required_s=1.0)) as vehicle:
        hasty = make_link(LinkOptions(offboard_prestream_s=0.0, offboard_switch_timeout_s=0.0))
        await airborne(hasty, vehicle)
        with pytest.raises(OffboardError) as caught:
            await hasty.start_offboard()
        assert isinstance(caught.value.__cause__, CommandDenied)
        assert caught.value.__cause__.result == "MAV_RESULT_TEMPORARILY_REJECTED"
        assert vehicle.snapshot().mode is Px4Mode.AUTO_LOITER
        assert hasty.stream_stats().sent >= 1  # it did stream, just not for long enough
        # The same vehicle accepts offboard from a link that streams first (default options).
        patient = make_link(LinkOptions())
        await patient.connect(url_of(vehicle), timeout_s=5.0)
        await patient.wait_ready(timeout_s=5.0)
        await patient.start_offboard()
        await first(patient.flight_mode_stream(), lambda m: m is FlightMode.OFFBOARD, 3.0, "offboard")


async def test_body_velocity_moves_along_the_heading(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await in_offboard(link, vehicle)
    # Turn to face east first (yaw rate), then fly forward: the drone must go east, not north.
    await keep_setting(link, VelocityBodySetpoint(yaw_rate_deg_s=45.0), 0.25)
    turned = await wait_vehicle(vehicle, lambda s: True, 1.0, "snapshot")
    assert turned.yaw_deg > 45.0  # 90 deg at 45 deg/s, time-scaled: well past 45
    await keep_setting(link, VelocityBodySetpoint(), 0.2)
    yaw = math.radians(vehicle.snapshot().yaw_deg)
    start = vehicle.snapshot().position_ned_m
    await keep_setting(link, VelocityBodySetpoint(forward_m_s=2.0, down_m_s=-0.5), 0.5)
    end = vehicle.snapshot().position_ned_m
    moved = (end[0] - start[0], end[1] - start[1])
    heading = (math.cos(yaw), math.sin(yaw))
    along = moved[0] * heading[0] + moved[1] * heading[1]
    across = -moved[0] * heading[1] + moved[1] * heading[0]
    assert along > 2.0
    assert abs(across) < 0.25 * along
    assert end[2] < start[2] - 0.3  # climbed (down negative)


async def test_ned_velocity_moves_north_east_down(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await in_offboard(link, vehicle, height_m=4.0)
    start = vehicle.snapshot().position_ned_m
    await keep_setting(link, VelocityNedSetpoint(north_m_s=-1.0, east_m_s=2.0, down_m_s=0.5), 0.5)
    end = vehicle.snapshot().position_ned_m
    assert end[1] - start[1] > 2.0
    assert end[0] - start[0] < -0.8
    assert end[2] - start[2] > 0.3
    assert (end[1] - start[1]) / -(end[0] - start[0]) == pytest.approx(2.0, rel=0.3)


async def test_stream_rate_seen_by_the_vehicle(vehicle: Px4Vehicle, make_link) -> None:
    rate_hz = 50.0  # 20 Hz and 100 Hz: benchmarks/bench_flight_link.py
    link = make_link(LinkOptions(setpoint_rate_hz=rate_hz, offboard_prestream_s=0.5, setpoint_timeout_s=5.0))
    await link.connect(url_of(vehicle), timeout_s=5.0)
    await link.start_offboard()
    await asyncio.sleep(1.0)
    await link.stop_offboard()
    arrivals = vehicle.setpoint_arrivals_s()
    measured = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    assert measured >= 0.6 * rate_hz, f"asked {rate_hz} Hz, the vehicle got {measured:.1f} Hz"
    assert measured <= 1.2 * rate_hz
    assert link.stream_stats().sent >= len(arrivals)  # loopback loses nothing the vehicle counts twice


async def test_streamer_watchdog_holds_a_stalled_caller(vehicle: Px4Vehicle, make_link) -> None:
    link = make_link(LinkOptions(offboard_prestream_s=0.5, setpoint_timeout_s=1.0))
    await in_offboard(link, vehicle)
    await link.set_velocity_body(VelocityBodySetpoint(forward_m_s=3.0))  # and then the agent stalls
    await wait_vehicle(vehicle, lambda s: speed(s) > 1.0, 3.0, "flying the caller's 3 m/s")
    truth = await wait_vehicle(vehicle, lambda s: speed(s) < 0.3, 5.0, "the watchdog's hold")
    stats = link.stream_stats()
    assert stats.stalled and stats.stalls >= 1 and stats.hold_sent > 0  # our hold, not the stale 3 m/s
    assert truth.mode is Px4Mode.OFFBOARD  # and the stream never stopped: PX4's failsafe did not fire
    assert truth.failsafe_events == ()


async def test_a_blocked_agent_loop_still_streams_and_the_watchdog_holds(vehicle: Px4Vehicle, make_link) -> None:
    link = make_link(LinkOptions(offboard_prestream_s=0.5, setpoint_timeout_s=0.3))
    await in_offboard(link, vehicle)
    await link.set_velocity_body(VelocityBodySetpoint(forward_m_s=3.0))
    await asyncio.sleep(0.2)
    time.sleep(1.5)  # the agent's whole event loop is stuck, not just its step (PX4's COM_OF_LOSS_T is 1 s)
    truth = vehicle.snapshot()
    assert truth.mode is Px4Mode.OFFBOARD and truth.failsafe_events == ()  # the stream went on
    assert speed(truth) < 0.3  # carrying our hold, not the stale 3 m/s
    assert link.stream_stats().hold_sent > 0


async def test_a_caller_silent_past_the_release_hands_the_drone_to_px4s_failsafe(
    vehicle: Px4Vehicle, make_link
) -> None:
    link = make_link(LinkOptions(offboard_prestream_s=0.5, setpoint_timeout_s=0.2, setpoint_release_s=0.8))
    await in_offboard(link, vehicle)
    await link.set_param("COM_OBL_RC_ACT", 5)  # hold
    await link.set_velocity_body(VelocityBodySetpoint(forward_m_s=3.0))  # and then the agent goes silent
    truth = await wait_vehicle(vehicle, lambda s: s.mode is not Px4Mode.OFFBOARD, 4.0, "offboard failsafe")
    assert truth.mode is Px4Mode.AUTO_LOITER
    assert any("offboard signal lost" in e for e in truth.failsafe_events)
    stats = link.stream_stats()
    assert stats.released and stats.stalls >= 1 and stats.hold_sent > 0  # (set_param may stall it too)


async def test_setpoint_starvation_triggers_px4_offboard_failsafe(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await in_offboard(link, vehicle)
    await link.set_param("COM_OBL_RC_ACT", 5)  # hold
    await link.close()  # the companion computer dies: no more setpoints
    truth = await wait_vehicle(vehicle, lambda s: s.mode is not Px4Mode.OFFBOARD, 3.0, "offboard failsafe")
    assert truth.mode is Px4Mode.AUTO_LOITER
    assert any("offboard signal lost" in e for e in truth.failsafe_events)


async def test_default_offboard_loss_action_is_return(vehicle: Px4Vehicle, link: FlightLink) -> None:
    # COM_OBL_RC_ACT = 0 (position mode) needs RC; without it PX4's fallback chain ends in Return.
    await in_offboard(link, vehicle)
    await link.close()
    truth = await wait_vehicle(vehicle, lambda s: s.mode is not Px4Mode.OFFBOARD, 3.0, "offboard failsafe")
    assert truth.mode is Px4Mode.AUTO_RTL
