"""Helpers for the flight-link tests: the links under test, the test vehicle, waiting on telemetry.

Every flight test runs against each link in ``LINKS`` (the ``link_factory`` fixture); adding the
MAVSDK link is one entry here. Links talk real MAVLink over real UDP sockets to
``dronecine_sim.px4.Px4Vehicle``, sped up by ``TIME_SCALE`` (the flight, not the link's timing).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from dronecine_sim.px4 import Px4Mode, Px4Vehicle, Px4VehicleConfig

from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import FlightMode, LinkOptions
from dronecine.flight.mavsdk_link import MavsdkLink
from dronecine.flight.pymavlink_link import PymavlinkLink

T = TypeVar("T")

LinkFactory = Callable[[LinkOptions], FlightLink]
LINKS: dict[str, LinkFactory] = {
    "pymavlink": PymavlinkLink,
    "mavsdk": MavsdkLink,
}

TIME_SCALE = 8.0
# Offboard needs 1 s of stream on the default vehicle; the shared tests use 0.4 s to save time
# (the default is exercised by test_offboard_needs_a_stream_first).
FAST_OFFBOARD_REQUIRED_S = 0.4
FAST_OPTIONS = LinkOptions(offboard_prestream_s=0.5, heartbeat_timeout_s=1.5)


def vehicle_config(**overrides) -> Px4VehicleConfig:
    values = {"time_scale": TIME_SCALE, "ready_delay_s": 0.0, "offboard_required_s": FAST_OFFBOARD_REQUIRED_S}
    values.update(overrides)
    return Px4VehicleConfig(**values)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_of(vehicle: Px4Vehicle) -> str:
    return f"udpout://127.0.0.1:{vehicle.port}"


async def first(stream: AsyncIterator[T], predicate: Callable[[T], bool], timeout_s: float, what: str) -> T:
    """The first value of ``stream`` that satisfies ``predicate``; fails the test after ``timeout_s``."""
    last: list[T] = []

    async def scan() -> T:
        async for value in stream:
            last[:] = [value]
            if predicate(value):
                return value
        raise AssertionError(f"{what}: the stream ended (last value {last})")

    try:
        return await asyncio.wait_for(scan(), timeout_s)
    except TimeoutError:
        raise AssertionError(f"{what}: not seen within {timeout_s} s (last value {last})") from None


async def wait_vehicle(vehicle: Px4Vehicle, predicate, timeout_s: float, what: str):
    """Poll the vehicle's truth until ``predicate(snapshot)``; fails the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    snapshot = vehicle.snapshot()
    while not predicate(snapshot):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout_s} s (vehicle: {snapshot})")
        await asyncio.sleep(0.02)
        snapshot = vehicle.snapshot()
    return snapshot


async def connect_ready(link: FlightLink, url: str) -> None:
    await link.connect(url, timeout_s=5.0)
    await link.wait_ready(timeout_s=10.0)


async def airborne(link: FlightLink, vehicle: Px4Vehicle, height_m: float = 3.0) -> None:
    """Connected, armed, taken off and holding at ``height_m``."""
    await connect_ready(link, url_of(vehicle))
    await link.arm()
    await link.takeoff(height_m)
    await first(link.position_stream(), lambda p: abs(p.height_m - height_m) < 0.3, 10.0, "take-off height")
    # The stream's first value may be the HOLD from before take-off: wait for the vehicle to be done.
    await wait_vehicle(vehicle, lambda s: s.mode is Px4Mode.AUTO_LOITER, 5.0, "hold after take-off")


async def in_offboard(link: FlightLink, vehicle: Px4Vehicle, height_m: float = 3.0) -> None:
    await airborne(link, vehicle, height_m)
    await link.start_offboard()
    await first(link.flight_mode_stream(), lambda m: m is FlightMode.OFFBOARD, 5.0, "offboard")
