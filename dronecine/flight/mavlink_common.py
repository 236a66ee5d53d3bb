"""The MAVLink pieces both flight links build the same way: enum names for errors and logs, the
velocity setpoint's SET_POSITION_TARGET_LOCAL_NED fields, and datagram framing for a parser.

It reads the MAVLink 2 ``common`` dialect directly, so it needs no ``MAVLINK20`` environment.
"""

from __future__ import annotations

import math
import time
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


def setpoint_fields(setpoint: Setpoint, target: tuple[int, int]) -> dict[str, Any]:
    """SET_POSITION_TARGET_LOCAL_NED's fields for a velocity setpoint with a yaw rate (a body
    setpoint in MAV_FRAME_BODY_NED, a NED one in MAV_FRAME_LOCAL_NED), stamped with the monotonic
    clock (callable from the setpoint streamer's thread: no event loop needed)."""
    time_boot_ms = int(time.monotonic() * 1000)
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


def _frame_length(buf: bytearray, start: int) -> int | None:
    """The whole length of the frame starting at ``buf[start]`` (a frame marker); None before its length byte."""
    if len(buf) - start < 3:
        return None
    if buf[start] == mavlink.PROTOCOL_MARKER_V2:
        signed = buf[start + 2] & mavlink.MAVLINK_IFLAG_SIGNED
        return buf[start + 1] + mavlink.HEADER_LEN_V2 + 2 + (mavlink.MAVLINK_SIGNATURE_BLOCK_LEN if signed else 0)
    return buf[start + 1] + mavlink.HEADER_LEN_V1 + 2


def drop_partial_frame(parser: mavlink.MAVLink) -> bool:
    """Forget a frame the parser has only begun, at a datagram's boundary; whether it dropped one.

    Over UDP a MAVLink frame never spans datagrams, but pymavlink parses a byte stream: a datagram of
    garbage that starts like a frame (0xFD, then a length of up to 255) would swallow the real frames
    of the datagrams after it until the length is reached and its CRC fails, seconds of telemetry and
    command ACKs at a low rate. Complete frames still waiting to be parsed are kept (PX4 packs several
    into one datagram). It resets pymavlink's parse state (``buf``, ``buf_index``, ``expected_length``):
    pymavlink has no public call for it.
    """
    pending = len(parser.buf) - parser.buf_index
    if pending <= 0 or parser.buf[parser.buf_index] not in (mavlink.PROTOCOL_MARKER_V1, mavlink.PROTOCOL_MARKER_V2):
        return False  # nothing, or bytes before a frame start, which the parser skips as bad data itself
    length = _frame_length(parser.buf, parser.buf_index)
    if length is not None and pending >= length:
        return False  # a whole frame is waiting: the datagram it came in is not over yet
    parser.buf = bytearray()
    parser.buf_index = 0
    parser.expected_length = mavlink.HEADER_LEN_V1 + 2
    return True
