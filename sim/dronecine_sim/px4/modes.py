"""PX4's flight modes as they travel in HEARTBEAT.custom_mode (``px4_custom_mode.h``).

``custom_mode`` packs the main mode in byte 2 and the AUTO sub mode in byte 3:
``custom_mode = (sub_mode << 24) | (main_mode << 16)``, which is what pymavlink's
``mavutil.interpret_px4_mode`` and MAVSDK decode.
"""

from __future__ import annotations

import enum

from pymavlink.dialects.v20 import common as mavlink

# base_mode flags PX4 sets per kind of mode (commander's mavlink heartbeat), the armed flag added on top.
_AUTO_FLAGS = (
    mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    | mavlink.MAV_MODE_FLAG_AUTO_ENABLED
    | mavlink.MAV_MODE_FLAG_GUIDED_ENABLED
    | mavlink.MAV_MODE_FLAG_STABILIZE_ENABLED
)
_MANUAL_FLAGS = (
    mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    | mavlink.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
    | mavlink.MAV_MODE_FLAG_STABILIZE_ENABLED
)


class Px4Mode(enum.Enum):
    """(main mode, sub mode) as in px4_custom_mode.h."""

    MANUAL = (1, 0)
    ALTCTL = (2, 0)
    POSCTL = (3, 0)
    AUTO_READY = (4, 1)
    AUTO_TAKEOFF = (4, 2)
    AUTO_LOITER = (4, 3)
    AUTO_MISSION = (4, 4)
    AUTO_RTL = (4, 5)
    AUTO_LAND = (4, 6)
    ACRO = (5, 0)
    OFFBOARD = (6, 0)
    STABILIZED = (7, 0)

    @property
    def main_mode(self) -> int:
        return self.value[0]

    @property
    def sub_mode(self) -> int:
        return self.value[1]

    @property
    def custom_mode(self) -> int:
        return (self.sub_mode << 24) | (self.main_mode << 16)

    @property
    def needs_rc(self) -> bool:
        """Modes flown with sticks: this vehicle has no RC, so PX4 would refuse them."""
        return self in {Px4Mode.MANUAL, Px4Mode.ALTCTL, Px4Mode.POSCTL, Px4Mode.ACRO, Px4Mode.STABILIZED}

    def base_mode(self, armed: bool) -> int:
        flags = _MANUAL_FLAGS if self.needs_rc else _AUTO_FLAGS
        return flags | (mavlink.MAV_MODE_FLAG_SAFETY_ARMED if armed else 0)

    @classmethod
    def from_main_sub(cls, main_mode: int, sub_mode: int) -> Px4Mode | None:
        """The mode for a DO_SET_MODE's (main, sub); PX4 treats AUTO with sub mode 0 as LOITER."""
        if main_mode == 4 and sub_mode == 0:
            return cls.AUTO_LOITER
        for mode in cls:
            if mode.main_mode == main_mode and (mode.sub_mode == sub_mode or main_mode != 4):
                return mode
        return None

    @classmethod
    def from_custom_mode(cls, custom_mode: int) -> Px4Mode | None:
        return cls.from_main_sub((custom_mode >> 16) & 0xFF, (custom_mode >> 24) & 0xFF)
