"""The parameters the test vehicle knows, with PX4's names, types and (mostly) defaults.

PX4 sends INT32 parameters byte-wise in PARAM_VALUE's float field (the float's four bytes are the
integer's; AUTOPILOT_VERSION advertises MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE), and so does
this vehicle; ``encode``/``decode`` do the conversion.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4.errors import Px4ParamError

INT32 = mavlink.MAV_PARAM_TYPE_INT32
REAL32 = mavlink.MAV_PARAM_TYPE_REAL32


@dataclass(frozen=True)
class ParamSpec:
    name: str
    param_type: int  # INT32 or REAL32
    default: float
    minimum: float
    maximum: float
    doc: str


# Defaults are PX4's except where noted: MNT_MODE_IN (PX4: -1, disabled) is 4 because a camera drone
# runs the gimbal manager; MNT_RANGE_PITCH bounds the pitch to +-range/2 as PX4's AUX output does.
SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("MAV_SYS_ID", INT32, 1, 1, 250, "MAVLink system id (SITL: instance + 1)"),
    ParamSpec("COM_OF_LOSS_T", REAL32, 1.0, 0.0, 60.0, "offboard setpoint loss timeout, s"),
    ParamSpec("COM_OBL_RC_ACT", INT32, 0, 0, 7, "offboard loss action: 0 pos,1 alt,2 manual,3 return,4 land,5 hold"),
    ParamSpec("NAV_DLL_ACT", INT32, 0, 0, 6, "GCS link loss action: 0 off, 1 hold, 2 return, 3 land, 6 disarm"),
    ParamSpec("COM_DL_LOSS_T", INT32, 10, 5, 300, "GCS link loss timeout, s"),
    ParamSpec("COM_DISARM_LAND", REAL32, 2.0, -1.0, 20.0, "disarm this long after landing, s (-1: never)"),
    ParamSpec("COM_DISARM_PRFLT", REAL32, 10.0, -1.0, 20.0, "disarm if armed and not taken off, s (-1: never)"),
    ParamSpec("MIS_TAKEOFF_ALT", REAL32, 2.5, 0.0, 200.0, "take-off height when the command gives none, m"),
    ParamSpec("MPC_XY_VEL_MAX", REAL32, 12.0, 0.0, 20.0, "largest horizontal speed, m/s"),
    ParamSpec("MPC_XY_CRUISE", REAL32, 5.0, 3.0, 20.0, "horizontal speed in auto modes, m/s"),
    ParamSpec("MPC_Z_VEL_MAX_UP", REAL32, 3.0, 0.5, 8.0, "largest climb rate, m/s"),
    ParamSpec("MPC_Z_VEL_MAX_DN", REAL32, 1.5, 0.5, 4.0, "largest descent rate, m/s"),
    ParamSpec("MPC_TKO_SPEED", REAL32, 1.5, 1.0, 5.0, "take-off climb rate, m/s"),
    ParamSpec("MPC_LAND_SPEED", REAL32, 0.7, 0.6, 4.0, "landing descent rate, m/s"),
    ParamSpec("RTL_RETURN_ALT", REAL32, 60.0, 0.0, 150.0, "return altitude above home, m"),
    ParamSpec("GF_ACTION", INT32, 2, 0, 5, "geofence breach action (reported, not enforced here)"),
    ParamSpec("GF_MAX_HOR_DIST", REAL32, 0.0, 0.0, 10000.0, "geofence radius, m (reported, not enforced)"),
    ParamSpec("GF_MAX_VER_DIST", REAL32, 0.0, 0.0, 10000.0, "geofence height, m (reported, not enforced)"),
    ParamSpec("MNT_MODE_IN", INT32, 4, -1, 4, "gimbal input: 4 = MAVLink gimbal protocol v2 (manager)"),
    ParamSpec("MNT_MODE_OUT", INT32, 0, 0, 2, "gimbal output: 0 AUX, 1 MAVLink v1, 2 MAVLink v2"),
    ParamSpec("MNT_RANGE_PITCH", REAL32, 180.0, 1.0, 720.0, "pitch range, deg: pitch within +-range/2"),
    ParamSpec("MNT_RANGE_YAW", REAL32, 360.0, 1.0, 720.0, "yaw range, deg"),
    ParamSpec("MNT_RATE_PITCH", REAL32, 30.0, 1.0, 90.0, "largest gimbal pitch rate in angle control, deg/s"),
    ParamSpec("MNT_RATE_YAW", REAL32, 30.0, 1.0, 90.0, "largest gimbal yaw rate in angle control, deg/s"),
)


def encode(param_type: int, value: float) -> float:
    """The float that carries ``value`` in PARAM_VALUE/PARAM_SET (byte-wise for INT32)."""
    if param_type == INT32:
        return struct.unpack("<f", struct.pack("<i", int(value)))[0]
    return float(value)


def decode(param_type: int, wire_value: float) -> float:
    """The value a PARAM_SET/PARAM_VALUE float carries (byte-wise for INT32)."""
    if param_type == INT32:
        return float(struct.unpack("<i", struct.pack("<f", wire_value))[0])
    return float(wire_value)


class ParamStore:
    """One vehicle's parameter values, by name and by index (the order of ``SPECS``)."""

    def __init__(self, overrides: dict[str, float] | None = None) -> None:
        self._specs = {spec.name: spec for spec in SPECS}
        self._names = [spec.name for spec in SPECS]
        self._values = {spec.name: float(spec.default) for spec in SPECS}
        for name, value in (overrides or {}).items():
            self.set(name, value)

    def __len__(self) -> int:
        return len(self._names)

    def spec(self, name: str) -> ParamSpec:
        if name not in self._specs:
            raise Px4ParamError(f"unknown parameter {name!r}", name)
        return self._specs[name]

    def name_at(self, index: int) -> str:
        if not 0 <= index < len(self._names):
            raise Px4ParamError(f"parameter index {index} is out of range 0..{len(self._names) - 1}", str(index))
        return self._names[index]

    def index_of(self, name: str) -> int:
        self.spec(name)
        return self._names.index(name)

    def get(self, name: str) -> float:
        self.spec(name)
        return self._values[name]

    def set(self, name: str, value: float) -> float:
        """Set ``name`` (rounded for INT32); out of range or non-finite is a ``Px4ParamError``."""
        spec = self.spec(name)
        value = float(value)
        if not math.isfinite(value) or not spec.minimum <= value <= spec.maximum:
            raise Px4ParamError(
                f"parameter {name} = {value!r} is out of range {spec.minimum:g}..{spec.maximum:g}", name
            )
        self._values[name] = float(round(value)) if spec.param_type == INT32 else value
        return self._values[name]
