"""The state of a filmed subject, as the shot language sees it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import PERSON_HEIGHT_M


@dataclass(frozen=True)
class SubjectState:
    """A subject standing at ``position_ned_m`` (its feet), moving at ``velocity_ned_m_s``.

    ``heading_deg`` is the direction the subject faces or travels (0 = north). Callers pass
    a smoothed heading: moves that sit relative to it (follow, lead, profile) inherit any
    jump in it.
    """

    position_ned_m: NDArray[np.float64]
    velocity_ned_m_s: NDArray[np.float64]
    heading_deg: float
    height_m: float = PERSON_HEIGHT_M

    @classmethod
    def at(
        cls,
        north_m: float,
        east_m: float,
        heading_deg: float = 0.0,
        velocity_ned_m_s: ArrayLike = (0.0, 0.0, 0.0),
        height_m: float = PERSON_HEIGHT_M,
    ) -> SubjectState:
        return cls(np.array([north_m, east_m, 0.0]), np.asarray(velocity_ned_m_s, dtype=float), heading_deg, height_m)

    @property
    def aim_point_ned_m(self) -> NDArray[np.float64]:
        """The centre of the subject's body: the point whose image is the box centre."""
        return self.position_ned_m + np.array([0.0, 0.0, -self.height_m / 2.0])
