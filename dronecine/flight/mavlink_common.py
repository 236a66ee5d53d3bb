"""The MAVLink pieces both flight links build the same way: enum names for errors and logs, and the
velocity setpoint's SET_POSITION_TARGET_LOCAL_NED fields.

It reads the MAVLink 2 ``common`` dialect directly, so it needs no ``MAVLINK20`` environment.
"""

from __future__ import annotations

import math
from typing import Any

from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.link_types import Setpoint, VelocityBodySetpoint

# Velocity and yaw rate only: ignore position, acceleration and yaw.
VELOCITY_MASK = (
    mavlink.POSITION_TARGET_TYPEMASK_X_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_Y_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_Z_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_AX_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_AY_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_AZ_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_YAW_IGNORE
)


def enum_name(enum: str, value: int) -> str:
    """The MAVLink name of ``value`` in ``enum`` (``MAV_CMD``, ``MAV_RESULT``...), or ``ENUM value``."""
    entry = mavlink.enums[enum].get(value)
    return entry.name if entry is not None else f"{enum} {value}"


def setpoint_fields(setpoint: Setpoint, target: tuple[int, int], time_boot_ms: int) -> dict[str, Any]:
    """SET_POSITION_TARGET_LOCAL_NED's fields for a velocity setpoint with a yaw rate (a body
    setpoint in MAV_FRAME_BODY_NED, a NED one in MAV_FRAME_LOCAL_NED)."""
    if isinstance(setpoint, VelocityBodySetpoint):
        frame, v = mavlink.MAV_FRAME_BODY_NED, (setpoint.forward_m_s, setpoint.right_m_s, setpoint.down_m_s)
    else:
        frame, v = mavlink.MAV_FRAME_LOCAL_NED, (setpoint.north_m_s, setpoint.east_m_s, setpoint.down_m_s)
    return {
        "time_boot_ms": time_boot_ms & 0xFFFFFFFF,
        "target_system": target[0],
        "target_component": target[1],
        "coordinate_frame": frame,
        "type_mask": VELOCITY_MASK,
        "x": 0.0, "y": 0.0, "z": 0.0,
        "vx": v[0], "vy": v[1], "vz": v[2],
        "afx": 0.0, "afy": 0.0, "afz": 0.0,
        "yaw": 0.0,
        "yaw_rate": math.radians(setpoint.yaw_rate_deg_s),
    }  # fmt: skip
