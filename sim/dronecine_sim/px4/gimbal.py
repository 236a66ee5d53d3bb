"""The gimbal manager (protocol v2) as PX4 runs it with MNT_MODE_IN = 4, over the sim's gimbal.

Control handshake as in PX4's ``InputMavlinkGimbalV2``: nobody is in primary control at boot;
MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE sets the primary controller (param1/param2: sysid/compid,
-1 leave, -2 the autopilot itself, -3 release if the sender is in control) and is always ACCEPTED;
MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW from anyone else is DENIED; GIMBAL_MANAGER_SET_PITCHYAW and
GIMBAL_MANAGER_SET_ATTITUDE from anyone else are ignored (they are not acknowledged).

Angles are pitch to the horizon (negative down) and yaw to the nose (or to north with the
YAW_LOCK / YAW_IN_EARTH_FRAME flags). The pitch is clamped to +-MNT_RANGE_PITCH/2 and the sim's
hard stops. Angle targets are reached with a P loop on the sim gimbal's rate input; rate targets
(angles NaN) are passed through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pymavlink.dialects.v20 import common as mavlink

ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
DENIED = mavlink.MAV_RESULT_DENIED

_ANGLE_GAIN = 6.0  # 1/s
_EARTH_YAW = mavlink.GIMBAL_MANAGER_FLAGS_YAW_LOCK | mavlink.GIMBAL_MANAGER_FLAGS_YAW_IN_EARTH_FRAME


@dataclass(frozen=True)
class GimbalTarget:
    pitch_deg: float  # NaN: rate control
    yaw_deg: float  # NaN: rate control; relative to the nose unless earth_yaw
    pitch_rate_deg_s: float
    yaw_rate_deg_s: float
    earth_yaw: bool = False


_NEUTRAL = GimbalTarget(0.0, 0.0, math.nan, math.nan)


def _finite_or_nan(value: float) -> float:
    return float(value) if math.isfinite(value) else math.nan


class GimbalManager:
    """One gimbal manager for the autopilot's own (non-MAVLink) gimbal device ``device_id``."""

    def __init__(self, own_sysid: int, own_compid: int, device_id: int = 1) -> None:
        self.own = (own_sysid, own_compid)
        self.device_id = device_id
        self.primary = (0, 0)
        self.target = _NEUTRAL
        self.denied = 0
        self.ignored = 0

    def in_control(self, sysid: int, compid: int) -> bool:
        return self.primary == (sysid, compid) and self.primary != (0, 0)

    def configure(self, param1: float, param2: float, source: tuple[int, int]) -> int:
        sysid = self._who(round(param1) if math.isfinite(param1) else -1, self.primary[0], self.own[0], source[0])
        compid = self._who(round(param2) if math.isfinite(param2) else -1, self.primary[1], self.own[1], source[1])
        self.primary = (sysid, compid)
        return ACCEPTED

    @staticmethod
    def _who(value: int, current: int, own: int, source: int) -> int:
        if 0 <= value < 256:
            return value
        if value == -2:
            return own
        if value == -3:
            return 0 if current == source else current
        return current  # -1 and anything unknown: unchanged

    def pitchyaw_command(self, params: tuple[float, ...], source: tuple[int, int]) -> int:
        """MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW: (pitch deg, yaw deg, pitch rate deg/s, yaw rate deg/s, flags)."""
        if not self.in_control(*source):
            self.denied += 1
            return DENIED
        pitch, yaw, pitch_rate, yaw_rate, flags = params[:5]
        flags = int(flags) if math.isfinite(flags) else 0
        self._set(pitch, yaw, pitch_rate, yaw_rate, flags)
        return ACCEPTED

    def set_pitchyaw(self, msg, source: tuple[int, int]) -> bool:
        """GIMBAL_MANAGER_SET_PITCHYAW (radians); ignored unless ``source`` is in control."""
        if not self.in_control(*source):
            self.ignored += 1
            return False
        self._set(
            math.degrees(msg.pitch), math.degrees(msg.yaw),
            math.degrees(msg.pitch_rate), math.degrees(msg.yaw_rate), msg.flags,
        )  # fmt: skip
        return True

    def set_attitude(self, msg, source: tuple[int, int]) -> bool:
        """GIMBAL_MANAGER_SET_ATTITUDE (quaternion, NaN for rates only); ignored unless in control."""
        if not self.in_control(*source):
            self.ignored += 1
            return False
        w, x, y, z = msg.q
        if all(math.isfinite(c) for c in msg.q):
            pitch = math.degrees(math.asin(max(-1.0, min(1.0, 2.0 * (w * y - z * x)))))
            yaw = math.degrees(math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z)))
        else:
            pitch = yaw = math.nan
        self._set(pitch, yaw, math.degrees(msg.angular_velocity_y), math.degrees(msg.angular_velocity_z), msg.flags)
        return True

    def _set(self, pitch: float, yaw: float, pitch_rate: float, yaw_rate: float, flags: int) -> None:
        if flags & mavlink.GIMBAL_MANAGER_FLAGS_NEUTRAL:
            self.target = _NEUTRAL
            return
        self.target = GimbalTarget(
            _finite_or_nan(pitch), _finite_or_nan(yaw), _finite_or_nan(pitch_rate), _finite_or_nan(yaw_rate),
            bool(flags & _EARTH_YAW),
        )  # fmt: skip

    def rates_deg_s(
        self, pitch_deg: float, yaw_deg: float, vehicle_yaw_deg: float, pitch_limits_deg: tuple[float, float]
    ) -> tuple[float, float]:
        """The rate commands for the sim gimbal that move it toward the target."""
        t = self.target
        if math.isfinite(t.pitch_deg):
            goal = min(max(t.pitch_deg, pitch_limits_deg[0]), pitch_limits_deg[1])
            pitch_rate = _ANGLE_GAIN * (goal - pitch_deg)
        else:
            pitch_rate = t.pitch_rate_deg_s if math.isfinite(t.pitch_rate_deg_s) else 0.0
            low, high = pitch_limits_deg
            if (pitch_deg >= high and pitch_rate > 0.0) or (pitch_deg <= low and pitch_rate < 0.0):
                pitch_rate = 0.0  # MNT_RANGE_PITCH stops a rate command as the hard stops would
        if math.isfinite(t.yaw_deg):
            goal = t.yaw_deg - vehicle_yaw_deg if t.earth_yaw else t.yaw_deg
            goal = (goal + 180.0) % 360.0 - 180.0
            yaw_rate = _ANGLE_GAIN * (goal - yaw_deg)
        else:
            yaw_rate = t.yaw_rate_deg_s if math.isfinite(t.yaw_rate_deg_s) else 0.0
        return pitch_rate, yaw_rate
