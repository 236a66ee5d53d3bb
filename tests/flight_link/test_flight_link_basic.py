"""Each link against the PX4-like vehicle: connect, ready, arm, take off, telemetry, hold, land, return."""

from __future__ import annotations

import asyncio
import math

import pytest
from dronecine_sim.px4 import Landed, Px4Mode, Px4Vehicle
from flight_linkkit import (
    airborne,
    connect_ready,
    first,
    free_udp_port,
    url_of,
    vehicle_config,
    wait_vehicle,
)

from dronecine.flight.errors import CommandDenied, ConnectionTimeout, ParamError
from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import FlightMode, LandedState, VelocityNedSetpoint


async def test_connect_reports_the_px4_autopilot(vehicle: Px4Vehicle, link: FlightLink) -> None:
    info = await link.connect(url_of(vehicle), timeout_s=5.0)
    assert (info.system_id, info.component_id) == (1, 1)
    assert info.autopilot == "MAV_AUTOPILOT_PX4"
    assert info.vehicle_type == "MAV_TYPE_QUADROTOR"
    assert isinstance(link, FlightLink)


async def test_udpin_receives_a_vehicle_that_sends_first(make_link) -> None:
    port = free_udp_port()
    with Px4Vehicle(vehicle_config(instance=2, remote=("127.0.0.1", port))):
        link = make_link()
        info = await link.connect(f"udpin://127.0.0.1:{port}", timeout_s=5.0)
        assert info.system_id == 3  # MAV_SYS_ID = instance + 1
        await link.wait_ready(timeout_s=10.0)


async def test_connect_times_out_clearly_when_nobody_answers(make_link) -> None:
    link = make_link()
    with pytest.raises(ConnectionTimeout) as caught:
        await link.connect(f"udpout://127.0.0.1:{free_udp_port()}", timeout_s=0.5)
    assert caught.value.missing == ("heartbeat",)


async def test_wait_ready_names_what_is_missing(make_link) -> None:
    with Px4Vehicle(vehicle_config(ready_delay_s=60.0)) as slow:
        link = make_link()
        await link.connect(url_of(slow), timeout_s=5.0)
        with pytest.raises(ConnectionTimeout) as caught:
            await link.wait_ready(timeout_s=1.5)
        assert "3D GPS fix" in caught.value.missing
        assert "home position" in caught.value.missing
        assert "3D GPS fix" in str(caught.value)
        # A denied command names the autopilot's answer: PX4 refuses to arm without a fix.
        with pytest.raises(CommandDenied) as denied:
            await link.arm()
        assert denied.value.command == "MAV_CMD_COMPONENT_ARM_DISARM"
        assert denied.value.result == "MAV_RESULT_TEMPORARILY_REJECTED"
        assert "MAV_RESULT_TEMPORARILY_REJECTED" in str(denied.value)
        assert not slow.snapshot().armed


async def test_arm_takeoff_reaches_the_height_then_holds(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await connect_ready(link, url_of(vehicle))
    await link.arm()
    await first(link.armed_stream(), bool, 3.0, "armed")
    await link.takeoff(4.0)
    position = await first(link.position_stream(), lambda p: p.height_m > 3.8, 10.0, "climb")
    assert abs(position.north_m) < 0.2 and abs(position.east_m) < 0.2
    await first(link.flight_mode_stream(), lambda m: m is FlightMode.HOLD, 5.0, "hold after take-off")
    await first(link.landed_state_stream(), lambda s: s is LandedState.IN_AIR, 3.0, "in air")
    truth = vehicle.snapshot()
    assert truth.armed and abs(-truth.position_ned_m[2] - 4.0) < 0.3


async def test_telemetry_streams_deliver_values(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await connect_ready(link, url_of(vehicle))
    gps = await first(link.gps_stream(), lambda g: g.has_3d_fix, 3.0, "gps")
    assert gps.latitude_deg == pytest.approx(47.397742, abs=1e-4) and gps.satellites_visible > 0
    home = await first(link.home_stream(), lambda h: True, 3.0, "home")
    assert home.altitude_amsl_m == pytest.approx(488.0, abs=0.1)
    battery = await first(link.battery_stream(), lambda b: True, 3.0, "battery")
    assert 14.0 <= battery.voltage_v <= 16.9 and 90.0 <= battery.remaining_pct <= 100.0
    attitude = await first(link.attitude_stream(), lambda a: True, 3.0, "attitude")
    assert abs(attitude.yaw_deg) < 1.0
    velocity = await first(link.velocity_stream(), lambda v: True, 3.0, "velocity")
    assert math.hypot(velocity.north_m_s, velocity.east_m_s) < 0.1
    gimbal = await first(link.gimbal_attitude_stream(), lambda g: True, 3.0, "gimbal")
    assert abs(gimbal.pitch_deg) < 1.0
    assert await first(link.flight_mode_stream(), lambda m: True, 3.0, "mode") is FlightMode.HOLD
    assert await first(link.armed_stream(), lambda a: True, 3.0, "armed") is False
    assert await first(link.connection_stream(), lambda c: True, 3.0, "connection") is True
    # Positions keep coming (about 30 Hz): a stream, not one value. Five updates, with a generous
    # deadline (a busy CI machine can freeze a process for a while; the rate is the benchmark's job).
    positions = []

    async def five_positions() -> None:
        async for position in link.position_stream():
            positions.append(position)
            if len(positions) == 5:
                return

    await asyncio.wait_for(five_positions(), timeout=10.0)
    assert len(positions) == 5


async def test_hold_keeps_position_and_the_battery_drains(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await airborne(link, vehicle)
    await link.hold()
    before = vehicle.snapshot()
    await asyncio.sleep(0.5)
    after = vehicle.snapshot()
    assert after.mode is Px4Mode.AUTO_LOITER
    assert math.dist(before.position_ned_m, after.position_ned_m) < 0.2
    assert after.battery_pct < before.battery_pct  # the battery drains while flying


async def test_land_descends_and_disarms(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await airborne(link, vehicle)
    with pytest.raises(CommandDenied) as denied:  # PX4 does not disarm in the air
        await link.disarm()
    assert denied.value.result == "MAV_RESULT_TEMPORARILY_REJECTED"
    await link.land()
    await first(link.flight_mode_stream(), lambda m: m is FlightMode.LAND, 3.0, "land mode")
    await first(link.armed_stream(), lambda a: a is False, 15.0, "disarmed after landing")
    truth = vehicle.snapshot()
    assert truth.landed is Landed.ON_GROUND and truth.position_ned_m[2] == pytest.approx(0.0, abs=0.05)


@pytest.mark.slow
async def test_return_to_launch_climbs_flies_home_and_lands(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await airborne(link, vehicle, height_m=3.0)
    await link.set_param("RTL_RETURN_ALT", 6.0)
    assert await link.get_param("RTL_RETURN_ALT") == pytest.approx(6.0)
    await link.start_offboard()
    for _ in range(15):  # fly away north-east for a while
        await link.set_velocity_ned(VelocityNedSetpoint(north_m_s=4.0, east_m_s=3.0))
        await asyncio.sleep(0.05)
    away = vehicle.snapshot().position_ned_m
    assert math.hypot(away[0], away[1]) > 5.0
    await link.return_to_launch()
    await first(link.flight_mode_stream(), lambda m: m is FlightMode.RETURN, 3.0, "return mode")
    await wait_vehicle(vehicle, lambda s: -s.position_ned_m[2] > 5.7, 10.0, "climb to RTL_RETURN_ALT")
    await first(link.armed_stream(), lambda a: a is False, 20.0, "landed at home")
    home_dist = math.hypot(*vehicle.snapshot().position_ned_m[:2])
    assert home_dist < 0.5


async def test_params_read_write_and_refusal(vehicle: Px4Vehicle, link: FlightLink) -> None:
    await connect_ready(link, url_of(vehicle))
    assert await link.get_param("COM_OF_LOSS_T") == pytest.approx(1.0)
    assert await link.get_param("MAV_SYS_ID") == 1.0  # INT32, sent byte-wise like PX4
    await link.set_param("COM_OBL_RC_ACT", 5)
    assert await link.get_param("COM_OBL_RC_ACT") == 5.0
    with pytest.raises(ParamError):
        await link.set_param("COM_OBL_RC_ACT", 99)  # out of range: the vehicle keeps 5
    with pytest.raises(ParamError):
        await link.get_param("NO_SUCH_PARAM")
