"""Faults between each link and the vehicle: loss and delay, a rebooting vehicle, garbage bytes."""

from __future__ import annotations

import asyncio
import socket

import pytest
from dronecine_sim.px4 import LossyRelay, Px4Mode, Px4Vehicle, RelayConfig
from flight_linkkit import connect_ready, first, vehicle_config, wait_vehicle

from dronecine.flight.link_types import FlightMode, LinkOptions, VelocityBodySetpoint

LOSSY_LINK_PATIENCE = (("COM_OF_LOSS_T", 5.0), ("COM_DISARM_PRFLT", -1.0))


@pytest.mark.slow
async def test_lossy_delayed_link_still_arms_takes_off_and_flies_offboard(make_link) -> None:
    with (
        # The vehicle shares this process at 8x: a CI host that freezes the process for a second
        # would look to it like a lost stream (COM_OF_LOSS_T) or a drone armed too long without
        # taking off (COM_DISARM_PRFLT, 10 s: 1.25 s here). The faults under test are the relay's.
        Px4Vehicle(vehicle_config(params=LOSSY_LINK_PATIENCE)) as vehicle,
        LossyRelay(RelayConfig(loss=0.2, delay_s=0.03, jitter_s=0.02, seed=7), ("127.0.0.1", vehicle.port)) as relay,
    ):
        link = make_link(LinkOptions(offboard_prestream_s=0.6, command_attempts=8))
        await connect_ready(link, f"udpout://127.0.0.1:{relay.port}")
        await link.arm()
        await link.takeoff(3.0)
        await wait_vehicle(vehicle, lambda s: s.mode is Px4Mode.AUTO_LOITER and -s.position_ned_m[2] > 2.7, 10.0,
                           "take-off through the lossy link")  # fmt: skip
        await link.start_offboard()
        start = vehicle.snapshot().position_ned_m
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        while vehicle.snapshot().position_ned_m[0] - start[0] <= 2.0 and loop.time() < deadline:
            await link.set_velocity_body(VelocityBodySetpoint(forward_m_s=2.0))
            await asyncio.sleep(0.05)
        truth = vehicle.snapshot()
        assert truth.mode is Px4Mode.OFFBOARD and truth.failsafe_events == ()
        assert truth.position_ned_m[0] - start[0] > 2.0  # it flew the setpoints that got through
        assert relay.stats.dropped > 0  # the faults were real


@pytest.mark.slow
async def test_vehicle_restart_is_noticed_and_the_link_carries_on(make_link) -> None:
    with Px4Vehicle(vehicle_config()) as vehicle:
        link = make_link(LinkOptions(heartbeat_timeout_s=1.0))
        await connect_ready(link, f"udpout://127.0.0.1:{vehicle.port}")
        await link.arm()
        await first(link.armed_stream(), bool, 3.0, "armed")
        connection = link.connection_stream()
        assert await anext(connection) is True
        vehicle.restart(downtime_s=1.5)  # same port, a fresh boot
        assert await asyncio.wait_for(anext(connection), 3.0) is False
        assert await asyncio.wait_for(anext(connection), 5.0) is True
        await first(link.armed_stream(), lambda a: a is False, 3.0, "rebooted vehicle is disarmed")
        await link.wait_ready(timeout_s=5.0)
        await link.arm()  # commands work again against the new boot
        truth = vehicle.snapshot()
        assert truth.boots == 2 and truth.armed


async def test_garbage_bytes_are_ignored(make_link) -> None:
    with (
        # A random datagram can end in what looks like the start of a frame and swallow the next real
        # one, so a command or its ACK is now and then lost and retried. At 8x, one retry between arm
        # and take-off outlasts COM_DISARM_PRFLT (1.25 s here): PX4 disarms, then accepts take-off as
        # a mode change and never climbs (the likely cause of one CI failure). The fault under test is the relay's.
        Px4Vehicle(vehicle_config(params=(("COM_DISARM_PRFLT", -1.0),))) as vehicle,
        LossyRelay(RelayConfig(garbage=0.3, seed=3), ("127.0.0.1", vehicle.port)) as relay,
    ):
        link = make_link()
        await connect_ready(link, f"udpout://127.0.0.1:{relay.port}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:  # straight at the vehicle's port too
            raw.sendto(b"\xfd\x09\x00\x00\x00garbage that looks like a MAVLink 2 frame", ("127.0.0.1", vehicle.port))
            raw.sendto(bytes(range(256)), ("127.0.0.1", vehicle.port))
        for _ in range(5):
            relay.inject_garbage(128, to_target=False)  # and at the link
        await link.arm()
        await link.takeoff(2.5)
        await first(link.position_stream(), lambda p: p.height_m > 2.2, 10.0, "take-off amid garbage")
        assert await first(link.flight_mode_stream(), lambda m: True, 1.0, "mode") in (FlightMode.TAKEOFF,
                                                                                       FlightMode.HOLD)  # fmt: skip
        assert vehicle.snapshot().received.get("BAD_DATA", 0) > 0
        assert relay.stats.garbage_sent > 5
