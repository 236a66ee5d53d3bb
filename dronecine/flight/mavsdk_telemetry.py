"""MAVSDK's telemetry and gimbal plugins into the link's broadcasts, and what ``wait_ready`` needs.

``MavsdkTelemetry.attach`` subscribes to the plugins (their callbacks run on MAVSDK's thread and are
handed to the event loop); each handler turns MAVSDK's value into ours and publishes it. Flight mode
and armed are published on change only (MAVSDK repeats them with every heartbeat), as the pymavlink
link does. ``missing()`` names what keeps the autopilot from being ready, with the same names.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from mavsdk.plugins.gimbal import Gimbal
from mavsdk.plugins.telemetry import FlightMode as MavsdkFlightMode
from mavsdk.plugins.telemetry import LandedState as MavsdkLandedState
from mavsdk.plugins.telemetry import Telemetry

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
from dronecine.flight.mavsdk_direct import on_loop
from dronecine.flight.telemetry_hub import TelemetryBroadcasts

_FLIGHT_MODES = {
    MavsdkFlightMode.TAKEOFF: FlightMode.TAKEOFF,
    MavsdkFlightMode.HOLD: FlightMode.HOLD,
    MavsdkFlightMode.MISSION: FlightMode.MISSION,
    MavsdkFlightMode.RETURN_TO_LAUNCH: FlightMode.RETURN,
    MavsdkFlightMode.LAND: FlightMode.LAND,
    MavsdkFlightMode.OFFBOARD: FlightMode.OFFBOARD,
    MavsdkFlightMode.MANUAL: FlightMode.MANUAL,
    MavsdkFlightMode.ALTCTL: FlightMode.ALTITUDE,
    MavsdkFlightMode.POSCTL: FlightMode.POSITION,
}
_LANDED = {
    MavsdkLandedState.ON_GROUND: LandedState.ON_GROUND,
    MavsdkLandedState.IN_AIR: LandedState.IN_AIR,
    MavsdkLandedState.TAKING_OFF: LandedState.TAKING_OFF,
    MavsdkLandedState.LANDING: LandedState.LANDING,
}

logger = logging.getLogger(__name__)


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


class MavsdkTelemetry(TelemetryBroadcasts):
    """The latest telemetry and its subscribers, fed by MAVSDK's plugins."""

    def __init__(self) -> None:
        super().__init__()
        self._fix: tuple[int, int] | None = None  # (fix type, satellites) from GPS info

    def attach(self, loop: asyncio.AbstractEventLoop, telemetry: Telemetry, gimbal: Gimbal) -> None:
        """Subscribe to every stream the link offers (the subscriptions end when MAVSDK is destroyed)."""
        telemetry.subscribe_position_velocity_ned(on_loop(loop, self._on_position_velocity))
        telemetry.subscribe_attitude_euler(on_loop(loop, self._on_attitude))
        telemetry.subscribe_battery(on_loop(loop, self._on_battery))
        telemetry.subscribe_flight_mode(on_loop(loop, self._on_flight_mode))
        telemetry.subscribe_armed(on_loop(loop, self._on_armed))
        telemetry.subscribe_landed_state(on_loop(loop, self._on_landed))
        telemetry.subscribe_gps_info(on_loop(loop, self._on_gps_info))
        telemetry.subscribe_raw_gps(on_loop(loop, self._on_raw_gps))
        telemetry.subscribe_home(on_loop(loop, self._on_home))
        telemetry.subscribe_health(on_loop(loop, self._on_health))
        gimbal.subscribe_attitude(on_loop(loop, self._on_gimbal))

    # --- handlers (on the event loop) ----------------------------------------------------------

    def _on_position_velocity(self, value) -> None:
        now = time.monotonic()
        self.position_at_s = now
        p, v = value.position, value.velocity
        self.position.publish(PositionNed(p.north_m, p.east_m, p.down_m, now))
        self.velocity.publish(VelocityNed(v.north_m_s, v.east_m_s, v.down_m_s, now))

    def _on_attitude(self, value) -> None:
        yaw = (value.yaw_deg + 180.0) % 360.0 - 180.0
        self.attitude.publish(Attitude(value.roll_deg, value.pitch_deg, yaw, time.monotonic()))

    def _on_battery(self, value) -> None:
        # MAVSDK reports SYS_STATUS's battery and each BATTERY_STATUS; both carry voltage and charge.
        self.battery.publish(
            Battery(value.voltage_v, _nan_if_none(value.remaining_percent), value.current_battery_a, time.monotonic())
        )

    def _on_flight_mode(self, value) -> None:
        mode = _FLIGHT_MODES.get(value, FlightMode.UNKNOWN)
        if self.flight_mode.latest is not mode:
            logger.debug("flight mode: %s (MAVSDK %s)", mode.name, value)
            self.flight_mode.publish(mode)

    def _on_armed(self, value: bool) -> None:
        if self.armed.latest is not bool(value):
            logger.debug("armed: %s", bool(value))
            self.armed.publish(bool(value))

    def _on_landed(self, value) -> None:
        self.landed.publish(_LANDED.get(value, LandedState.UNKNOWN))

    def _on_gps_info(self, value) -> None:
        self._fix = (int(value.fix_type), int(value.num_satellites))

    def _on_raw_gps(self, value) -> None:
        # RawGps has the position, GpsInfo the fix: both come from GPS_RAW_INT, so pair them here.
        fix_type, satellites = self._fix or (0, 0)
        self.gps.publish(
            GpsInfo(
                fix_type, satellites, value.latitude_deg, value.longitude_deg, value.absolute_altitude_m,
                time.monotonic(),
            )
        )  # fmt: skip

    def _on_home(self, value) -> None:
        self.home.publish(
            HomePosition(
                value.latitude_deg, value.longitude_deg, value.absolute_altitude_m, value.local_north_m,
                value.local_east_m, value.local_down_m, time.monotonic(),
            )
        )  # fmt: skip

    def _on_health(self, value) -> None:
        self.sensors_ok = bool(value.is_gyrometer_calibration_ok and value.is_accelerometer_calibration_ok)
        self.prearm_ok = bool(value.is_armable)

    def _on_gimbal(self, value) -> None:
        euler, rates = value.euler_angle_forward, value.angular_velocity
        self.gimbal.publish(
            GimbalAttitude(
                euler.pitch_deg, euler.yaw_deg, math.degrees(rates.pitch_rad_s), math.degrees(rates.yaw_rad_s),
                time.monotonic(),
            )
        )  # fmt: skip

    def on_heartbeat(self) -> None:
        """An autopilot heartbeat arrived (the link's own watch decides when it is lost)."""
        if self.connection.latest is not True:
            self.connection.publish(True)
