"""Occlusion and clearance against the few buildings near each drone's subject.

Testing every drone's sight line against every building of the set costs N x B slab tests a step
(11 ms at N = 1024, B = 12); a drone filming its subject is only ever hidden from it by buildings
near the two of them. So each step picks, per env, the ``k`` buildings whose footprints are nearest
the midpoint of the drone and its subject, and tests only those. A building farther than the
k-th nearest can still hide the subject in a street canyon; k = 3 makes that rare.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine_sim.world import Buildings
from dronecine_sim.world.buildings import boxes_blocking

FloatArray = NDArray[np.float64]
_EMPTY_BOX_M = 1.0e6  # a padding box far below the ground, which no sight line reaches


class NearbyBuildings:
    """Per-env views of a shared set of buildings: the ``k`` nearest, as (N, k, 3) boxes."""

    def __init__(self, buildings: Buildings, k: int = 3) -> None:
        count = len(buildings)
        pad = max(k - count, 0)
        far_low = np.full((pad, 3), _EMPTY_BOX_M)
        self._low = np.concatenate([buildings.min_ned_m, far_low])
        self._high = np.concatenate([buildings.max_ned_m, far_low + 1.0])
        self.k = min(k, len(self._low)) if len(self._low) else 0

    def select(self, points_ned_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The (N, k, 3) low and high corners of the k buildings nearest each point (N, 3)."""
        n = points_ned_m.shape[0]
        if self.k == 0:
            return np.full((n, 0, 3), _EMPTY_BOX_M), np.full((n, 0, 3), _EMPTY_BOX_M + 1.0)
        north_east = points_ned_m[:, None, :2]
        if self.k == len(self._low):
            return np.repeat(self._low[None], n, axis=0), np.repeat(self._high[None], n, axis=0)
        below = np.maximum(self._low[None, :, :2] - north_east, 0.0)
        above = np.maximum(north_east - self._high[None, :, :2], 0.0)
        distance = (below + above).sum(axis=-1)  # Manhattan distance to the footprint: cheap, good enough
        nearest = np.argpartition(distance, self.k - 1, axis=1)[:, : self.k]
        return self._low[nearest], self._high[nearest]


def occluded_fraction(eye_ned_m: FloatArray, points_ned_m: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """(N,) fraction of each eye's P points (N, P, 3) hidden behind its boxes (N, k, 3): slab test.

    ``Buildings.segments_blocked``'s test, with per-env boxes, run only where a box is near.
    """
    n = points_ned_m.shape[0]
    fraction = np.zeros(n)
    if low.shape[1] == 0:
        return fraction
    # Only a box overlapping the bounding box of the sight lines can block them: test those envs.
    sight_low = np.minimum(eye_ned_m, points_ned_m.min(axis=1))[:, None, :]
    sight_high = np.maximum(eye_ned_m, points_ned_m.max(axis=1))[:, None, :]
    rows = np.flatnonzero(((low < sight_high) & (high > sight_low)).all(axis=-1).any(axis=1))
    if rows.size:
        fraction[rows] = boxes_blocking(eye_ned_m[rows], points_ned_m[rows], low[rows], high[rows]).mean(axis=1)
    return fraction
