"""The vehicle's telemetry: which messages, how often, and how each is built from the core's state.

Default rates are about what PX4 streams on its onboard (offboard-API) link: HEARTBEAT 1 Hz,
LOCAL_POSITION_NED and ATTITUDE 30 Hz, GLOBAL_POSITION_INT 10 Hz, GPS_RAW_INT 5 Hz, SYS_STATUS and
BATTERY_STATUS 1 Hz, EXTENDED_SYS_STATE 2 Hz, HOME_POSITION 0.5 Hz (once home is set), the gimbal's
GIMBAL_DEVICE_ATTITUDE_STATUS 20 Hz and GIMBAL_MANAGER_STATUS 5 Hz (with MNT_MODE_IN = 4).
MAV_CMD_SET_MESSAGE_INTERVAL changes any of them; MAV_CMD_REQUEST_MESSAGE sends any builder's
message once (AUTOPILOT_VERSION, GIMBAL_MANAGER_INFORMATION and GIMBAL_DEVICE_INFORMATION are sent only
on request; MAVSDK's gimbal plugin asks for both before it lists a gimbal).
Rates are in wall-clock time: the time scale speeds the flight up, not the link.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4.core import VehicleCore
from dronecine_sim.px4.gimbal import GimbalManager

_EARTH_RADIUS_M = 6_378_137.0
_UINT16_MAX = 65535
# PX4 v1.14.3 release, encoded as PX4 does: major << 24 | minor << 16 | patch << 8 | 0xFF (release).
FLIGHT_SW_VERSION = (1 << 24) | (14 << 16) | (3 << 8) | 0xFF
CAPABILITIES = (
    mavlink.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
    | mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE
    | mavlink.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_LOCAL_NED
    | mavlink.MAV_PROTOCOL_CAPABILITY_MAVLINK2
)
# Sensors SYS_STATUS reports: gyro, accel, mag, baro, GPS, the position estimate, motors.
_SENSORS = (
    mavlink.MAV_SYS_STATUS_SENSOR_3D_GYRO
    | mavlink.MAV_SYS_STATUS_SENSOR_3D_ACCEL
    | mavlink.MAV_SYS_STATUS_SENSOR_3D_MAG
    | mavlink.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
    | mavlink.MAV_SYS_STATUS_SENSOR_GPS
    | mavlink.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
    | mavlink.MAV_SYS_STATUS_AHRS
)
_NEEDS_FIX = mavlink.MAV_SYS_STATUS_SENSOR_GPS | mavlink.MAV_SYS_STATUS_PREARM_CHECK

DEFAULT_RATES_HZ: dict[str, float] = {
    "HEARTBEAT": 1.0,
    "SYS_STATUS": 1.0,
    "BATTERY_STATUS": 1.0,
    "EXTENDED_SYS_STATE": 2.0,
    "LOCAL_POSITION_NED": 30.0,
    "ATTITUDE": 30.0,
    "ATTITUDE_QUATERNION": 10.0,
    "GLOBAL_POSITION_INT": 10.0,
    "GPS_RAW_INT": 5.0,
    "HOME_POSITION": 0.5,
    "GIMBAL_DEVICE_ATTITUDE_STATUS": 20.0,
    "GIMBAL_MANAGER_STATUS": 5.0,
}


@dataclass(frozen=True)
class Origin:
    """The geodetic position of the local NED origin (default: PX4 SITL's, in Zurich)."""

    latitude_deg: float = 47.397742
    longitude_deg: float = 8.545594
    altitude_amsl_m: float = 488.0

    def to_geodetic(self, north_m: float, east_m: float, down_m: float) -> tuple[float, float, float]:
        lat = self.latitude_deg + math.degrees(north_m / _EARTH_RADIUS_M)
        lon = self.longitude_deg + math.degrees(east_m / (_EARTH_RADIUS_M * math.cos(math.radians(self.latitude_deg))))
        return lat, lon, self.altitude_amsl_m - down_m


def _euler_to_quaternion(roll: float, pitch: float, yaw: float) -> list[float]:
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return [
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    ]


class Telemetry:
    """Builds and schedules the vehicle's messages. ``boot_ms()`` is the time since boot."""

    def __init__(
        self,
        core: VehicleCore,
        gimbal: GimbalManager,
        origin: Origin,
        boot_ms: Callable[[], int],
        gimbal_enabled: Callable[[], bool],
    ) -> None:
        self.core = core
        self.gimbal = gimbal
        self.origin = origin
        self.boot_ms = boot_ms
        self.gimbal_enabled = gimbal_enabled
        self._builders: dict[str, Callable[[], object | None]] = {
            "HEARTBEAT": self.heartbeat,
            "SYS_STATUS": self.sys_status,
            "BATTERY_STATUS": self.battery_status,
            "EXTENDED_SYS_STATE": self.extended_sys_state,
            "LOCAL_POSITION_NED": self.local_position_ned,
            "ATTITUDE": self.attitude,
            "ATTITUDE_QUATERNION": self.attitude_quaternion,
            "GLOBAL_POSITION_INT": self.global_position_int,
            "GPS_RAW_INT": self.gps_raw_int,
            "HOME_POSITION": self.home_position,
            "GIMBAL_DEVICE_ATTITUDE_STATUS": self.gimbal_device_attitude_status,
            "GIMBAL_MANAGER_STATUS": self.gimbal_manager_status,
            "GIMBAL_MANAGER_INFORMATION": self.gimbal_manager_information,
            "GIMBAL_DEVICE_INFORMATION": self.gimbal_device_information,
            "AUTOPILOT_VERSION": self.autopilot_version,
        }
        self._ids = {getattr(mavlink, f"MAVLINK_MSG_ID_{name}"): name for name in self._builders}
        self._interval_s = {name: 1.0 / hz for name, hz in DEFAULT_RATES_HZ.items()}
        self._next_s: dict[str, float] = {}

    def name_of(self, msg_id: int) -> str | None:
        return self._ids.get(msg_id)

    def build(self, name: str):
        """The message ``name`` now, or ``None`` when there is nothing to say (no home yet, no gimbal)."""
        return self._builders[name]()

    def set_interval(self, name: str, interval_us: float) -> None:
        """SET_MESSAGE_INTERVAL: -1 stops it, 0 restores the default, otherwise the interval."""
        if interval_us < 0:
            self._interval_s.pop(name, None)
        elif interval_us == 0:
            if name in DEFAULT_RATES_HZ:
                self._interval_s[name] = 1.0 / DEFAULT_RATES_HZ[name]
        else:
            self._interval_s[name] = interval_us / 1e6
        self._next_s.pop(name, None)

    def interval_us(self, name: str) -> int:
        return round(self._interval_s[name] * 1e6) if name in self._interval_s else -1

    def due(self, now_s: float) -> list:
        """The messages whose time has come (each scheduled on its own monotonic grid)."""
        messages = []
        for name, interval in self._interval_s.items():
            next_s = self._next_s.get(name, now_s)
            if now_s >= next_s:
                self._next_s[name] = max(next_s + interval, now_s - interval)
                msg = self._builders[name]()
                if msg is not None:
                    messages.append(msg)
        return messages

    def next_due_s(self) -> float:
        return min(self._next_s.values(), default=0.0)

    # --- builders ------------------------------------------------------------------------------

    def heartbeat(self):
        core = self.core
        status = mavlink.MAV_STATE_ACTIVE if core.armed else mavlink.MAV_STATE_STANDBY
        return mavlink.MAVLink_heartbeat_message(
            mavlink.MAV_TYPE_QUADROTOR, mavlink.MAV_AUTOPILOT_PX4, core.mode.base_mode(core.armed),
            core.mode.custom_mode, status, 3,
        )  # fmt: skip

    def sys_status(self):
        core = self.core
        healthy = _SENSORS | mavlink.MAV_SYS_STATUS_PREARM_CHECK
        if not core.ready:
            healthy &= ~_NEEDS_FIX
        present = _SENSORS | mavlink.MAV_SYS_STATUS_PREARM_CHECK
        return mavlink.MAVLink_sys_status_message(
            present, present, healthy, 250, round(core.battery_voltage_v() * 1000),
            round(core.battery_current_a() * 100), round(core.battery_pct), 0, 0, 0, 0, 0, 0,
        )  # fmt: skip

    def battery_status(self):
        core = self.core
        cell_mv = round(core.battery_voltage_v() / core.battery.cells * 1000)
        voltages = [cell_mv] * core.battery.cells + [_UINT16_MAX] * (10 - core.battery.cells)
        return mavlink.MAVLink_battery_status_message(
            0, mavlink.MAV_BATTERY_FUNCTION_ALL, mavlink.MAV_BATTERY_TYPE_LIPO, 2500, voltages,
            round(core.battery_current_a() * 100), -1, -1, round(core.battery_pct), 0,
            mavlink.MAV_BATTERY_CHARGE_STATE_OK if core.battery_pct > 15 else mavlink.MAV_BATTERY_CHARGE_STATE_LOW,
            [0, 0, 0, 0], 0, 0,
        )  # fmt: skip

    def extended_sys_state(self):
        return mavlink.MAVLink_extended_sys_state_message(mavlink.MAV_VTOL_STATE_UNDEFINED, int(self.core.landed))

    def local_position_ned(self):
        (n, e, d), (vn, ve, vd) = self.core.position_ned_m, self.core.velocity_ned_m_s
        return mavlink.MAVLink_local_position_ned_message(self.boot_ms(), n, e, d, vn, ve, vd)

    def attitude(self):
        yaw = math.radians(self.core.yaw_deg)
        rate = math.radians(float(self.core.state.yaw_rate_deg_s[0]))
        return mavlink.MAVLink_attitude_message(self.boot_ms(), 0.0, 0.0, yaw, 0.0, 0.0, rate)

    def attitude_quaternion(self):
        q = _euler_to_quaternion(0.0, 0.0, math.radians(self.core.yaw_deg))
        rate = math.radians(float(self.core.state.yaw_rate_deg_s[0]))
        return mavlink.MAVLink_attitude_quaternion_message(self.boot_ms(), *q, 0.0, 0.0, rate, [0.0] * 4)

    def global_position_int(self):
        core = self.core
        if not core.gps_fix:
            return None
        lat, lon, alt = self.origin.to_geodetic(*core.position_ned_m)
        vn, ve, vd = core.velocity_ned_m_s
        hdg = round((core.yaw_deg % 360.0) * 100) % 36000
        return mavlink.MAVLink_global_position_int_message(
            self.boot_ms(), round(lat * 1e7), round(lon * 1e7), round(alt * 1000),
            round(core.height_above_home_m * 1000), round(vn * 100), round(ve * 100), round(vd * 100), hdg,
        )  # fmt: skip

    def gps_raw_int(self):
        core = self.core
        lat, lon, alt = self.origin.to_geodetic(*core.position_ned_m)
        fix = mavlink.GPS_FIX_TYPE_3D_FIX if core.gps_fix else mavlink.GPS_FIX_TYPE_NO_FIX
        vn, ve, _ = core.velocity_ned_m_s
        return mavlink.MAVLink_gps_raw_int_message(
            self.boot_ms() * 1000, fix, round(lat * 1e7), round(lon * 1e7), round(alt * 1000), 80, 120,
            round(math.hypot(vn, ve) * 100), _UINT16_MAX, 12 if core.gps_fix else 0, 0, 0, 0, 0, 0, 0,
        )  # fmt: skip

    def home_position(self):
        home = self.core.home_ned_m
        if home is None:
            return None
        lat, lon, alt = self.origin.to_geodetic(*home)
        return mavlink.MAVLink_home_position_message(
            round(lat * 1e7), round(lon * 1e7), round(alt * 1000), *home, [1.0, 0.0, 0.0, 0.0], 0.0, 0.0, 0.0,
            self.boot_ms() * 1000,
        )  # fmt: skip

    def gimbal_device_attitude_status(self):
        state = self.core.state
        q = _euler_to_quaternion(0.0, math.radians(float(state.gimbal_pitch_deg[0])),
                                 math.radians(float(state.gimbal_yaw_deg[0])))  # fmt: skip
        flags = (
            mavlink.GIMBAL_DEVICE_FLAGS_ROLL_LOCK
            | mavlink.GIMBAL_DEVICE_FLAGS_PITCH_LOCK
            | mavlink.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME
        )
        return mavlink.MAVLink_gimbal_device_attitude_status_message(
            0, 0, self.boot_ms(), flags, q, 0.0,
            math.radians(float(state.gimbal_pitch_rate_deg_s[0])), math.radians(float(state.gimbal_yaw_rate_deg_s[0])),
            0, math.nan, math.nan, self.gimbal.device_id,
        )  # fmt: skip

    def gimbal_manager_status(self):
        if not self.gimbal_enabled():
            return None
        g = self.gimbal
        flags = mavlink.GIMBAL_MANAGER_FLAGS_ROLL_LOCK | mavlink.GIMBAL_MANAGER_FLAGS_PITCH_LOCK
        return mavlink.MAVLink_gimbal_manager_status_message(
            self.boot_ms(), flags, g.device_id, g.primary[0], g.primary[1], 0, 0
        )

    def gimbal_manager_information(self):
        if not self.gimbal_enabled():
            return None
        p = self.core.vehicle_params
        half = self.core.params.get("MNT_RANGE_PITCH") / 2.0
        caps = (
            mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_PITCH_AXIS
            | mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_PITCH_LOCK
            | mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_YAW_AXIS
            | mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_YAW_FOLLOW
            | mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_YAW_LOCK
            | mavlink.GIMBAL_MANAGER_CAP_FLAGS_HAS_NEUTRAL
        )
        return mavlink.MAVLink_gimbal_manager_information_message(
            self.boot_ms(), caps, self.gimbal.device_id, 0.0, 0.0,
            math.radians(max(p.gimbal_pitch_min_deg, -half)), math.radians(min(p.gimbal_pitch_max_deg, half)),
            math.radians(p.gimbal_yaw_min_deg), math.radians(p.gimbal_yaw_max_deg),
        )  # fmt: skip

    def gimbal_device_information(self):
        # PX4 answers this for a gimbal device it drives itself (SITL's gz gimbal publishes it);
        # the gimbal_device_id 1..6 says "a non-MAVLink device behind the autopilot's manager".
        if not self.gimbal_enabled():
            return None
        p = self.core.vehicle_params
        caps = (
            mavlink.GIMBAL_DEVICE_CAP_FLAGS_HAS_PITCH_AXIS
            | mavlink.GIMBAL_DEVICE_CAP_FLAGS_HAS_PITCH_LOCK
            | mavlink.GIMBAL_DEVICE_CAP_FLAGS_HAS_YAW_AXIS
            | mavlink.GIMBAL_DEVICE_CAP_FLAGS_HAS_YAW_FOLLOW
            | mavlink.GIMBAL_DEVICE_CAP_FLAGS_HAS_NEUTRAL
        )
        return mavlink.MAVLink_gimbal_device_information_message(
            self.boot_ms(), b"dronecine", b"sim gimbal", b"", 0, 0, 0, caps, 0, math.nan, math.nan,
            math.radians(p.gimbal_pitch_min_deg), math.radians(p.gimbal_pitch_max_deg),
            math.radians(p.gimbal_yaw_min_deg), math.radians(p.gimbal_yaw_max_deg), self.gimbal.device_id,
        )  # fmt: skip

    def autopilot_version(self):
        sysid = int(self.core.params.get("MAV_SYS_ID"))
        return mavlink.MAVLink_autopilot_version_message(
            CAPABILITIES, FLIGHT_SW_VERSION, 0, 0, 0, [0] * 8, [0] * 8, [0] * 8, 0x26AC, 0x0011,
            0x4000_0000 + sysid, [0] * 18,
        )  # fmt: skip
