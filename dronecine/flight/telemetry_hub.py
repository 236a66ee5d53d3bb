"""What both flight links keep of the autopilot's telemetry, and the streams they offer from it.

``TelemetryBroadcasts`` holds one ``Broadcast`` per quantity and the health facts ``wait_ready``
checks (``missing()`` names what is not there yet); each link's decoder (MAVLink messages, MAVSDK's
plugins) subclasses it and publishes into it. ``TelemetryStreams`` gives a link the ``FlightLink``
stream methods over its ``telemetry``.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator

from dronecine.flight.link_types import (
    Attitude,
    Battery,
    FlightMode,
    GimbalAttitude,
    GpsInfo,
    HomePosition,
    LandedState,
    PositionNed,
    VelocityNed,
)
from dronecine.flight.telemetry_stream import Broadcast

LOCAL_POSITION_FRESH_S = 1.0  # a local position older than this is not a position estimate


class TelemetryBroadcasts:
    """The latest telemetry, its subscribers, and whether the autopilot is ready to fly."""

    def __init__(self) -> None:
        self.position = Broadcast[PositionNed]("position")
        self.velocity = Broadcast[VelocityNed]("velocity")
        self.attitude = Broadcast[Attitude]("attitude")
        self.battery = Broadcast[Battery]("battery")
        self.flight_mode = Broadcast[FlightMode]("flight_mode")
        self.armed = Broadcast[bool]("armed")
        self.landed = Broadcast[LandedState]("landed_state")
        self.gimbal = Broadcast[GimbalAttitude]("gimbal_attitude")
        self.gps = Broadcast[GpsInfo]("gps")
        self.home = Broadcast[HomePosition]("home")
        self.connection = Broadcast[bool]("connection")
        self.sensors_ok = False
        self.prearm_ok = False
        self.position_at_s = -math.inf  # time.monotonic() of the last local position

    def all(self) -> tuple[Broadcast, ...]:
        return (
            self.position, self.velocity, self.attitude, self.battery, self.flight_mode, self.armed,
            self.landed, self.gimbal, self.gps, self.home, self.connection,
        )  # fmt: skip

    def missing(self) -> tuple[str, ...]:
        """What keeps the autopilot from being ready, in the order a pilot would check it."""
        missing = []
        if not self.connection.latest:
            missing.append("heartbeat")
        if not self.sensors_ok:
            missing.append("healthy sensors (SYS_STATUS)")
        gps = self.gps.latest
        if gps is None or not gps.has_3d_fix:
            missing.append("3D GPS fix")
        if self.home.latest is None:
            missing.append("home position")
        if time.monotonic() - self.position_at_s > LOCAL_POSITION_FRESH_S:
            missing.append("local position")
        if not self.prearm_ok:
            missing.append("pre-arm checks")
        return tuple(missing)


class TelemetryStreams:
    """The ``FlightLink`` telemetry streams of a link whose ``telemetry`` is a ``TelemetryBroadcasts``."""

    telemetry: TelemetryBroadcasts

    def position_stream(self) -> AsyncIterator[PositionNed]:
        return self.telemetry.position.subscribe()

    def velocity_stream(self) -> AsyncIterator[VelocityNed]:
        return self.telemetry.velocity.subscribe()

    def attitude_stream(self) -> AsyncIterator[Attitude]:
        return self.telemetry.attitude.subscribe()

    def battery_stream(self) -> AsyncIterator[Battery]:
        return self.telemetry.battery.subscribe()

    def flight_mode_stream(self) -> AsyncIterator[FlightMode]:
        return self.telemetry.flight_mode.subscribe()

    def armed_stream(self) -> AsyncIterator[bool]:
        return self.telemetry.armed.subscribe()

    def landed_state_stream(self) -> AsyncIterator[LandedState]:
        return self.telemetry.landed.subscribe()

    def gimbal_attitude_stream(self) -> AsyncIterator[GimbalAttitude]:
        return self.telemetry.gimbal.subscribe()

    def gps_stream(self) -> AsyncIterator[GpsInfo]:
        return self.telemetry.gps.subscribe()

    def home_stream(self) -> AsyncIterator[HomePosition]:
        return self.telemetry.home.subscribe()

    def connection_stream(self) -> AsyncIterator[bool]:
        return self.telemetry.connection.subscribe()
