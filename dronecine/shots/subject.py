"""The state of a filmed subject, as the shot language sees it."""

from __future__ import annotations

from collections.abc import Sequence
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

    A batch of N subjects holds arrays: positions and velocities (N, 3), headings and heights
    (N,) (a height may stay a float, shared by all of them).
    """

    position_ned_m: NDArray[np.float64]
    velocity_ned_m_s: NDArray[np.float64]
    heading_deg: float | NDArray[np.float64]
    height_m: float | NDArray[np.float64] = PERSON_HEIGHT_M

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

    @classmethod
    def stack(cls, states: Sequence[SubjectState]) -> SubjectState:
        """One batch of N subjects from N single ones."""
        return cls(
            np.array([s.position_ned_m for s in states], dtype=float),
            np.array([s.velocity_ned_m_s for s in states], dtype=float),
            np.array([s.heading_deg for s in states], dtype=float),
            np.array([s.height_m for s in states], dtype=float),
        )

    def select(self, index: int) -> SubjectState:
        """Subject ``index`` of a batch, as a single subject."""
        return SubjectState(
            np.array(self.position_ned_m[index], dtype=float),
            np.array(self.velocity_ned_m_s[index], dtype=float),
            float(np.broadcast_to(self.heading_deg, self.position_ned_m.shape[:-1])[index]),
            float(np.broadcast_to(self.height_m, self.position_ned_m.shape[:-1])[index]),
        )

    @property
    def aim_point_ned_m(self) -> NDArray[np.float64]:
        """The centre of the subject's body: the point whose image is the box centre."""
        aim = np.array(self.position_ned_m, dtype=float)
        aim[..., 2] -= np.divide(self.height_m, 2.0)
        return aim
