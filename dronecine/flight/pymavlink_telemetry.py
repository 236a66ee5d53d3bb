"""MAVLink telemetry into the link's values: one ``Broadcast`` per quantity, and what ``wait_ready`` needs.

``TelemetryHub.on_message`` takes every message from the autopilot (already filtered to its system)
and publishes the decoded value; it also keeps the health facts (sensors, pre-arm, GPS fix, home,
local position) that ``missing()`` reports.
"""

from __future__ import annotations

import math
import time

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
from dronecine.flight.pymavlink_io import mavlink
from dronecine.flight.telemetry_hub import TelemetryBroadcasts

_PX4_AUTO_SUB_MODES = {
    2: FlightMode.TAKEOFF,
    3: FlightMode.HOLD,
    4: FlightMode.MISSION,
    5: FlightMode.RETURN,
    6: FlightMode.LAND,
}
_PX4_MAIN_MODES = {1: FlightMode.MANUAL, 2: FlightMode.ALTITUDE, 3: FlightMode.POSITION, 6: FlightMode.OFFBOARD}
# PX4's (main, sub) for the modes a client can ask for.
PX4_MODE_CODES: dict[FlightMode, tuple[int, int]] = {
    FlightMode.MANUAL: (1, 0),
    FlightMode.ALTITUDE: (2, 0),
    FlightMode.POSITION: (3, 0),
    FlightMode.TAKEOFF: (4, 2),
    FlightMode.HOLD: (4, 3),
    FlightMode.MISSION: (4, 4),
    FlightMode.RETURN: (4, 5),
    FlightMode.LAND: (4, 6),
    FlightMode.OFFBOARD: (6, 0),
}
_LANDED = {
    mavlink.MAV_LANDED_STATE_ON_GROUND: LandedState.ON_GROUND,
    mavlink.MAV_LANDED_STATE_IN_AIR: LandedState.IN_AIR,
    mavlink.MAV_LANDED_STATE_TAKEOFF: LandedState.TAKING_OFF,
    mavlink.MAV_LANDED_STATE_LANDING: LandedState.LANDING,
}
_REQUIRED_SENSORS = (
    mavlink.MAV_SYS_STATUS_SENSOR_3D_GYRO | mavlink.MAV_SYS_STATUS_SENSOR_3D_ACCEL | mavlink.MAV_SYS_STATUS_SENSOR_GPS
)


def px4_flight_mode(custom_mode: int) -> FlightMode:
    """PX4's custom_mode (main mode in byte 2, AUTO sub mode in byte 3) as a ``FlightMode``."""
    main, sub = (custom_mode >> 16) & 0xFF, (custom_mode >> 24) & 0xFF
    if main == 4:
        return _PX4_AUTO_SUB_MODES.get(sub, FlightMode.UNKNOWN)
    return _PX4_MAIN_MODES.get(main, FlightMode.UNKNOWN)


def quaternion_to_euler_deg(q: list[float]) -> tuple[float, float, float]:
    """(roll, pitch, yaw) in degrees of a Hamilton quaternion [w, x, y, z] (ZYX Euler angles)."""
    w, x, y, z = q
    roll = math.atan2(2.0 * (w * x + y * z), 1.0 - 2.0 * (x * x + y * y))
    pitch = math.asin(max(-1.0, min(1.0, 2.0 * (w * y - z * x))))
    yaw = math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))
    return math.degrees(roll), math.degrees(pitch), math.degrees(yaw)


class TelemetryHub(TelemetryBroadcasts):
    """The latest telemetry and its subscribers, decoded from the autopilot's MAVLink messages."""

    def on_heartbeat(self, msg) -> None:
        mode = px4_flight_mode(msg.custom_mode) if msg.autopilot == mavlink.MAV_AUTOPILOT_PX4 else FlightMode.UNKNOWN
        armed = bool(msg.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED)
        if self.flight_mode.latest is not mode:
            self.flight_mode.publish(mode)
        if self.armed.latest is not armed:
            self.armed.publish(armed)

    def on_message(self, msg) -> None:
        """Decode one message from the autopilot's system (HEARTBEAT goes to ``on_heartbeat``)."""
        kind = msg.get_type()
        now = time.monotonic()
        if kind == "LOCAL_POSITION_NED":
            self.position_at_s = now
            self.position.publish(PositionNed(msg.x, msg.y, msg.z, now))
            self.velocity.publish(VelocityNed(msg.vx, msg.vy, msg.vz, now))
        elif kind == "ATTITUDE":
            self.attitude.publish(Attitude(math.degrees(msg.roll), math.degrees(msg.pitch), math.degrees(msg.yaw), now))
        elif kind == "BATTERY_STATUS":
            cells = [v for v in msg.voltages if v != 65535]
            remaining = float(msg.battery_remaining) if msg.battery_remaining >= 0 else math.nan
            current = msg.current_battery / 100.0 if msg.current_battery >= 0 else math.nan
            self.battery.publish(Battery(sum(cells) / 1000.0, remaining, current, now))
        elif kind == "SYS_STATUS":
            health = msg.onboard_control_sensors_health
            self.sensors_ok = health & _REQUIRED_SENSORS == _REQUIRED_SENSORS
            prearm = mavlink.MAV_SYS_STATUS_PREARM_CHECK
            # An autopilot that does not report the pre-arm bit leaves the decision to the arm command.
            self.prearm_ok = not msg.onboard_control_sensors_present & prearm or bool(health & prearm)
        elif kind == "EXTENDED_SYS_STATE":
            self.landed.publish(_LANDED.get(msg.landed_state, LandedState.UNKNOWN))
        elif kind == "GPS_RAW_INT":
            self.gps.publish(
                GpsInfo(msg.fix_type, msg.satellites_visible, msg.lat / 1e7, msg.lon / 1e7, msg.alt / 1000.0, now)
            )
        elif kind == "HOME_POSITION":
            self.home.publish(
                HomePosition(msg.latitude / 1e7, msg.longitude / 1e7, msg.altitude / 1000.0, msg.x, msg.y, msg.z, now)
            )
        elif kind == "GIMBAL_DEVICE_ATTITUDE_STATUS":
            self._on_gimbal(msg, now)

    def _on_gimbal(self, msg, now: float) -> None:
        _, pitch, yaw = quaternion_to_euler_deg(list(msg.q))
        earth = msg.flags & mavlink.GIMBAL_DEVICE_FLAGS_YAW_IN_EARTH_FRAME
        if earth and self.attitude.latest is not None:  # report yaw to the nose whatever the frame
            yaw = (yaw - self.attitude.latest.yaw_deg + 180.0) % 360.0 - 180.0
        rates = (msg.angular_velocity_y, msg.angular_velocity_z)
        pitch_rate, yaw_rate = (math.degrees(r) if math.isfinite(r) else math.nan for r in rates)
        self.gimbal.publish(GimbalAttitude(pitch, yaw, pitch_rate, yaw_rate, now))
