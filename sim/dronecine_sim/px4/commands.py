"""The command protocol: COMMAND_LONG / COMMAND_INT (and the older SET_MODE) to a MAV_RESULT.

Each handler returns the result for the COMMAND_ACK and any messages to send after it (the
message a MAV_CMD_REQUEST_MESSAGE asked for). Results follow PX4: a state that does not allow the
command now (arming checks, offboard without a stream, disarming in the air) is
TEMPORARILY_REJECTED; a gimbal command from a client not in control is DENIED; a command the vehicle
does not implement is UNSUPPORTED.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4.modes import Px4Mode

if TYPE_CHECKING:
    from dronecine_sim.px4.session import Session

ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
DENIED = mavlink.MAV_RESULT_DENIED
UNSUPPORTED = mavlink.MAV_RESULT_UNSUPPORTED
REJECTED = mavlink.MAV_RESULT_TEMPORARILY_REJECTED
FAILED = mavlink.MAV_RESULT_FAILED

_FORCE_DISARM = 21196  # PX4's magic param2 for a forced arm/disarm


def whole(value: float, unset: int = 0) -> int:
    """A command parameter read as an integer; NaN ("not set": MAVSDK sends it for unused params) is ``unset``."""
    return round(value) if math.isfinite(value) else unset


def handle(
    session: Session, command: int, params: tuple[float, ...], source: tuple[int, int], now_s: float
) -> tuple[int, list]:
    """(MAV_RESULT, follow-up messages) for one command with ``params`` 1..7."""
    core = session.core
    p1, p2, p3, p4, p5, _p6, p7 = params
    if command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
        forced = whole(p2) == _FORCE_DISARM
        if whole(p1) == 1:
            if core.mode is Px4Mode.OFFBOARD and not session.offboard.available(now_s):
                return REJECTED, []
            return core.arm(), []
        return core.disarm(forced), []
    if command == mavlink.MAV_CMD_NAV_TAKEOFF:
        height = None
        if math.isfinite(p7) and core.home_ned_m is not None:
            home_amsl = session.telemetry.origin.to_geodetic(*core.home_ned_m)[2]
            height = p7 - home_amsl  # PX4 reads param7 as an AMSL altitude
        return core.takeoff(height), []
    if command == mavlink.MAV_CMD_DO_SET_MODE:
        return set_mode(session, whole(p1), whole(p2), whole(p3), now_s), []
    if command == mavlink.MAV_CMD_NAV_LAND:
        return core.set_mode(Px4Mode.AUTO_LAND, False), []
    if command == mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH:
        return core.set_mode(Px4Mode.AUTO_RTL, False), []
    if command == mavlink.MAV_CMD_NAV_LOITER_UNLIM:
        return core.set_mode(Px4Mode.AUTO_LOITER, False), []
    if command == mavlink.MAV_CMD_REQUEST_MESSAGE:
        return _request_message(session, whole(p1))
    if command == mavlink.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES:
        return ACCEPTED, [session.telemetry.autopilot_version()]
    if command == mavlink.MAV_CMD_SET_MESSAGE_INTERVAL:
        name = session.telemetry.name_of(whole(p1))
        if name is None or not math.isfinite(p2):
            return DENIED, []
        session.telemetry.set_interval(name, p2)
        return ACCEPTED, []
    if command == mavlink.MAV_CMD_GET_MESSAGE_INTERVAL:
        name = session.telemetry.name_of(whole(p1))
        if name is None:
            return DENIED, []
        return ACCEPTED, [mavlink.MAVLink_message_interval_message(whole(p1), session.telemetry.interval_us(name))]
    if command in (mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE, mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW):
        if not session.gimbal_enabled():
            return UNSUPPORTED, []  # MNT_MODE_IN != 4: no gimbal manager runs
        if command == mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE:
            return session.gimbal.configure(p1, p2, source), []
        return session.gimbal.pitchyaw_command((p1, p2, p3, p4, p5), source), []
    return UNSUPPORTED, []


def set_mode(session: Session, base_mode: int, main_mode: int, sub_mode: int, now_s: float) -> int:
    """DO_SET_MODE / SET_MODE with PX4 custom modes (base_mode must carry CUSTOM_MODE_ENABLED)."""
    if not base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
        return UNSUPPORTED
    mode = Px4Mode.from_main_sub(main_mode, sub_mode)
    if mode is None:
        return UNSUPPORTED
    return session.core.set_mode(mode, session.offboard.available(now_s))


def _request_message(session: Session, msg_id: int) -> tuple[int, list]:
    name = session.telemetry.name_of(msg_id)
    if name is None:
        return DENIED, []
    msg = session.telemetry.build(name)
    if msg is None:
        return FAILED, []  # known but nothing to say yet (no home, no gimbal manager)
    return ACCEPTED, [msg]
