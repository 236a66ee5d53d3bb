"""Offboard as PX4 checks it: the setpoint stream, whether it is good enough to switch, its loss.

The stream is measured in wall-clock time (it is a property of the link, not of the simulated
flight): a setpoint gap longer than ``max_gap_s`` (0.5 s: PX4's 2 Hz proof of life) restarts it;
switching to OFFBOARD needs the stream alive for ``required_s`` (about 1 s); in OFFBOARD, no
setpoint for COM_OF_LOSS_T triggers the COM_OBL_RC_ACT failsafe (``loss_action``).
"""

from __future__ import annotations

import collections
import math

from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4.core import OffboardTarget
from dronecine_sim.px4.modes import Px4Mode

_IGNORE_POSITION = (
    mavlink.POSITION_TARGET_TYPEMASK_X_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_Y_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_Z_IGNORE
)
_IGNORE_VELOCITY = (
    mavlink.POSITION_TARGET_TYPEMASK_VX_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_VY_IGNORE
    | mavlink.POSITION_TARGET_TYPEMASK_VZ_IGNORE
)
_BODY_FRAMES = {mavlink.MAV_FRAME_BODY_NED, mavlink.MAV_FRAME_BODY_OFFSET_NED, mavlink.MAV_FRAME_BODY_FRD}
_NED_FRAMES = {mavlink.MAV_FRAME_LOCAL_NED, mavlink.MAV_FRAME_LOCAL_FRD}


class OffboardStream:
    """The offboard setpoint stream as the commander sees it, and a record of arrival times."""

    def __init__(self, required_s: float = 1.0, max_gap_s: float = 0.5, keep: int = 200_000) -> None:
        self.required_s = required_s
        self.max_gap_s = max_gap_s
        self.count = 0
        self.arrivals_s: collections.deque[float] = collections.deque(maxlen=keep)
        self._started_s = -math.inf
        self._last_s = -math.inf

    def on_setpoint(self, now_s: float) -> None:
        if now_s - self._last_s > self.max_gap_s:
            self._started_s = now_s
        self._last_s = now_s
        self.count += 1
        self.arrivals_s.append(now_s)

    def available(self, now_s: float) -> bool:
        """Whether PX4 would switch to OFFBOARD now."""
        return now_s - self._last_s <= self.max_gap_s and self._last_s - self._started_s >= self.required_s

    def silent_for_s(self, now_s: float) -> float:
        return now_s - self._last_s


def loss_action(com_obl_rc_act: int) -> Px4Mode | None:
    """The mode PX4 falls back to on offboard loss (``None``: disarm).

    0..2 (position, altitude, manual) need RC, which this vehicle has none of; PX4's fallback chain
    (PosCtrl, AltCtrl, Stab, then "can't run: RTL") ends in Return, so the default 0 means Return here.
    """
    return {
        3: Px4Mode.AUTO_RTL,
        4: Px4Mode.AUTO_LAND,
        5: Px4Mode.AUTO_LOITER,
        6: None,  # terminate: the closest this vehicle has is cutting the motors
        7: None,
    }.get(com_obl_rc_act, Px4Mode.AUTO_RTL)


def link_loss_action(nav_dll_act: int) -> Px4Mode | bool | None:
    """NAV_DLL_ACT's mode (False: disabled, None: disarm)."""
    return {0: False, 1: Px4Mode.AUTO_LOITER, 2: Px4Mode.AUTO_RTL, 3: Px4Mode.AUTO_LAND}.get(nav_dll_act)


def target_from_message(msg, yaw_deg: float) -> OffboardTarget | None:
    """SET_POSITION_TARGET_LOCAL_NED as an NED target; ``None`` for a frame PX4 would not take."""
    frame = msg.coordinate_frame
    if frame not in _BODY_FRAMES and frame not in _NED_FRAMES:
        return None
    mask = msg.type_mask
    velocity = None
    if mask & _IGNORE_VELOCITY != _IGNORE_VELOCITY:
        vx, vy, vz = (float(v) if math.isfinite(v) else 0.0 for v in (msg.vx, msg.vy, msg.vz))
        if frame in _BODY_FRAMES:  # PX4 rotates body velocities by the heading on arrival
            yaw = math.radians(yaw_deg)
            vx, vy = vx * math.cos(yaw) - vy * math.sin(yaw), vx * math.sin(yaw) + vy * math.cos(yaw)
        velocity = (vx, vy, vz)
    position = None
    position_given = mask & _IGNORE_POSITION != _IGNORE_POSITION and frame in _NED_FRAMES
    if position_given and all(math.isfinite(v) for v in (msg.x, msg.y, msg.z)):
        position = (float(msg.x), float(msg.y), float(msg.z))
    yaw_rate = None
    if not mask & mavlink.POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE and math.isfinite(msg.yaw_rate):
        yaw_rate = math.degrees(msg.yaw_rate)
    yaw = None
    if not mask & mavlink.POSITION_TARGET_TYPEMASK_YAW_IGNORE and math.isfinite(msg.yaw):
        yaw = math.degrees(msg.yaw)
    if velocity is None and position is None:
        velocity = (0.0, 0.0, 0.0)  # acceleration-only setpoints are not modelled: hold
    return OffboardTarget(velocity, position, yaw_rate, yaw)
