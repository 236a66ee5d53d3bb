"""People the safety supervisor keeps a drone clear of, whatever the shot asks.

A person is an upright segment from the feet to the head; the drone keeps ``clearance_m`` from
its nearest point (so a drone above someone's head is as close as its height above the head). A
person moves: the supervisor limits the speed at which the gap closes, so a person walking at a
hovering drone makes it back away, and a subject running ahead lets it follow at the same speed.

The agent gives the shot's own subject (as tracked) a smaller clearance than everyone else (as the
ground station planned them): close shots film their subject from 2 m, but nobody else is filmed
from close by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.flight.errors import SafetyError
from dronecine.flight.ned import ned_vector
from dronecine.geometry import PERSON_HEIGHT_M

FloatArray = NDArray[np.float64]

_COINCIDENT_M = 1e-6  # a drone this close to the segment has no direction to it: straight up away


@dataclass(frozen=True, eq=False)
class PersonZone:
    """One person: where their feet are, how tall they are, how fast they move, how far to keep."""

    feet_ned_m: FloatArray
    clearance_m: float
    height_m: float = PERSON_HEIGHT_M
    velocity_ned_m_s: FloatArray = field(default_factory=lambda: np.zeros(3))

    def __post_init__(self) -> None:
        for name in ("feet_ned_m", "velocity_ned_m_s"):
            object.__setattr__(self, name, ned_vector(getattr(self, name), name, "a person's "))
        for name in ("clearance_m", "height_m"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0.0):
                raise SafetyError(f"a person's {name} = {value!r} must be a finite number >= 0 (m)", name)

    @property
    def known(self) -> bool:
        """Whether the position and velocity are finite (bad tracking gives NaN: no zone then)."""
        return bool(np.isfinite(self.feet_ned_m).all() and np.isfinite(self.velocity_ned_m_s).all())

    def towards(self, position_ned_m: ArrayLike) -> tuple[tuple[float, float, float], float]:
        """The unit direction (north, east, down) from ``position_ned_m`` to the person's nearest point,
        and the distance to it (m)."""
        here = np.asarray(position_ned_m, dtype=np.float64)
        feet = self.feet_ned_m
        # NED: the head is ``height_m`` above the feet, so at a smaller down.
        down = min(max(float(here[2]), float(feet[2]) - self.height_m), float(feet[2]))
        dn, de, dd = float(feet[0] - here[0]), float(feet[1] - here[1]), down - float(here[2])
        gap = math.sqrt(dn * dn + de * de + dd * dd)
        if gap <= _COINCIDENT_M:
            return (0.0, 0.0, 1.0), gap  # on the person: the way out is up, so the person is "below"
        return (dn / gap, de / gap, dd / gap), gap

    def closing_speed_m_s(self, normal: tuple[float, float, float]) -> float:
        """How fast the person comes at a drone in direction ``-normal`` from them (m/s, > 0: closer)."""
        v = self.velocity_ned_m_s
        return -(normal[0] * float(v[0]) + normal[1] * float(v[1]) + normal[2] * float(v[2]))
