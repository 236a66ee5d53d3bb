"""The values the flight link speaks in: flight modes, setpoints and telemetry, units in the names.

Frames follow DESIGN.md: local NED in metres from the autopilot's local origin (PX4's EKF origin,
normally where it booted), body FRD, gimbal pitch negative looking down, gimbal yaw relative to the
vehicle's nose (positive right) unless a field says otherwise.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from dronecine.flight.errors import LinkConfigError, SetpointError


def _require_finite(value: object) -> None:
    for name, number in vars(value).items():
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise SetpointError(f"{type(value).__name__}.{name} = {number!r} must be a finite number")
        object.__setattr__(value, name, float(number))


class FlightMode(enum.Enum):
    """The PX4 flight modes the link distinguishes (PX4's main mode, and sub mode for AUTO)."""

    MANUAL = "manual"
    ALTITUDE = "altitude"
    POSITION = "position"
    HOLD = "hold"  # AUTO.LOITER
    TAKEOFF = "takeoff"  # AUTO.TAKEOFF
    LAND = "land"  # AUTO.LAND
    RETURN = "return"  # AUTO.RTL
    MISSION = "mission"  # AUTO.MISSION
    OFFBOARD = "offboard"
    UNKNOWN = "unknown"  # anything else (acro, stabilized, follow-me, ...)


class LandedState(enum.Enum):
    """MAV_LANDED_STATE as EXTENDED_SYS_STATE reports it."""

    UNKNOWN = "unknown"
    ON_GROUND = "on_ground"
    IN_AIR = "in_air"
    TAKING_OFF = "taking_off"
    LANDING = "landing"


@dataclass(frozen=True)
class VelocityBodySetpoint:
    """Velocity in the body frame (forward, right, down) and a yaw rate (positive clockwise seen from above)."""

    forward_m_s: float = 0.0
    right_m_s: float = 0.0
    down_m_s: float = 0.0
    yaw_rate_deg_s: float = 0.0

    def __post_init__(self) -> None:
        _require_finite(self)


@dataclass(frozen=True)
class VelocityNedSetpoint:
    """Velocity in the local NED frame and a yaw rate (positive clockwise seen from above)."""

    north_m_s: float = 0.0
    east_m_s: float = 0.0
    down_m_s: float = 0.0
    yaw_rate_deg_s: float = 0.0

    def __post_init__(self) -> None:
        _require_finite(self)


Setpoint = VelocityBodySetpoint | VelocityNedSetpoint

HOLD_SETPOINT = VelocityNedSetpoint()  # zero velocity, zero yaw rate: what the streamer's watchdog sends


@dataclass(frozen=True)
class PositionNed:
    north_m: float
    east_m: float
    down_m: float
    t_s: float  # the link's monotonic clock when the message arrived

    @property
    def height_m(self) -> float:
        """Height above the local origin (``-down_m``)."""
        return -self.down_m


@dataclass(frozen=True)
class VelocityNed:
    north_m_s: float
    east_m_s: float
    down_m_s: float
    t_s: float


@dataclass(frozen=True)
class Attitude:
    roll_deg: float
    pitch_deg: float
    yaw_deg: float  # 0 north, 90 east, wrapped to [-180, 180]
    t_s: float


@dataclass(frozen=True)
class Battery:
    voltage_v: float
    remaining_pct: float  # 0..100; NaN when the autopilot does not know
    current_a: float
    t_s: float


@dataclass(frozen=True)
class GimbalAttitude:
    pitch_deg: float  # relative to the horizon, negative looks down
    yaw_deg: float  # relative to the vehicle's nose, positive right
    pitch_rate_deg_s: float
    yaw_rate_deg_s: float
    t_s: float


@dataclass(frozen=True)
class GpsInfo:
    fix_type: int  # GPS_FIX_TYPE: 0-1 none, 2 2D, 3 3D, 4 DGPS, 5 RTK float, 6 RTK fixed
    satellites_visible: int
    latitude_deg: float
    longitude_deg: float
    altitude_amsl_m: float
    t_s: float

    @property
    def has_3d_fix(self) -> bool:
        return self.fix_type >= 3


@dataclass(frozen=True)
class HomePosition:
    latitude_deg: float
    longitude_deg: float
    altitude_amsl_m: float
    north_m: float
    east_m: float
    down_m: float
    t_s: float


@dataclass(frozen=True)
class VehicleInfo:
    """Who answered on the link: its MAVLink system and component ids and its autopilot."""

    system_id: int
    component_id: int
    autopilot: str  # MAV_AUTOPILOT name, e.g. MAV_AUTOPILOT_PX4
    vehicle_type: str  # MAV_TYPE name, e.g. MAV_TYPE_QUADROTOR


@dataclass(frozen=True)
class StreamStats:
    """What the setpoint streamer did: sends, sends of the watchdog's hold, and caller stalls."""

    sent: int
    hold_sent: int
    stalls: int
    rate_hz: float
    stalled: bool  # whether it is sending the hold right now
    released: bool = False  # whether it stopped the stream after the caller's long silence


@dataclass(frozen=True)
class LinkOptions:
    """How a link behaves; both links take the same options.

    ``setpoint_rate_hz``: the setpoint stream's rate (PX4 needs > 2 Hz; 20 Hz by default, up to 200).
    ``setpoint_timeout_s``: the streamer's watchdog: no new setpoint for this long streams a hold.
    ``setpoint_release_s``: no new setpoint for this long and the stream stops, so PX4's offboard-loss
    failsafe takes the drone (longer than ``setpoint_timeout_s``; None: six times it, 3 s by default).
    ``offboard_prestream_s``: how long setpoints stream before asking for OFFBOARD (PX4 wants ~1 s).
    ``offboard_switch_timeout_s``: how long ``start_offboard`` keeps asking while PX4 says not yet.
    ``command_timeout_s`` / ``command_attempts``: per COMMAND_ACK wait, and sends before giving up.
    ``heartbeat_timeout_s``: no autopilot HEARTBEAT for this long and the link reports it lost.
    ``source_system`` / ``source_component``: who the link is on the MAVLink network (an onboard computer).
    """

    setpoint_rate_hz: float = 20.0
    setpoint_timeout_s: float = 0.5
    setpoint_release_s: float | None = None
    offboard_prestream_s: float = 1.2
    offboard_switch_timeout_s: float = 5.0
    command_timeout_s: float = 0.5
    command_attempts: int = 4
    heartbeat_timeout_s: float = 3.0
    source_system: int = 245
    source_component: int = 191  # MAV_COMP_ID_ONBOARD_COMPUTER

    def __post_init__(self) -> None:
        positive = ("setpoint_rate_hz", "setpoint_timeout_s", "command_timeout_s", "heartbeat_timeout_s")
        if self.setpoint_release_s is not None:
            positive += ("setpoint_release_s",)
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0.0):
                raise LinkConfigError(f"link option {name} = {value!r} must be a finite number > 0")
        if self.setpoint_release_s is not None and self.setpoint_release_s <= self.setpoint_timeout_s:
            raise LinkConfigError(
                f"link option setpoint_release_s = {self.setpoint_release_s!r} must be longer than "
                f"setpoint_timeout_s = {self.setpoint_timeout_s!r} (the hold comes first, then the release)"
            )
        for name in ("offboard_prestream_s", "offboard_switch_timeout_s"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0.0):
                raise LinkConfigError(f"link option {name} = {value!r} must be a finite number >= 0")
        if not (isinstance(self.command_attempts, int) and self.command_attempts >= 1):
            raise LinkConfigError(f"link option command_attempts = {self.command_attempts!r} must be an integer >= 1")
        for name in ("source_system", "source_component"):
            value = getattr(self, name)
            if not (isinstance(value, int) and 1 <= value <= 255):
                raise LinkConfigError(f"link option {name} = {value!r} must be an integer 1..255")
