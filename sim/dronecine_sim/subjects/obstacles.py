"""Keeping people out of obstacles: a protocol, and axis-aligned building boxes that implement it.

People are points on the ground kept ``clearance_m`` (their body's radius) away from each box's
footprint. Each step the desired velocity is deflected along the wall of the nearest box (its
component into the wall removed; if little is left, it slides along the wall at the same
speed, towards the nearer end of the wall), and after the move anyone inside an inflated
footprint is put back on its nearest side, the velocity into it dropped. A cheap (M, B) test
per axis first finds the few people near a building; only they get the detailed treatment.
Simple on purpose: no path planning around buildings, and two boxes closer than a body's width
can trap a person in the gap.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.subjects.errors import SubjectError
from dronecine_sim.subjects.steering import norm2

FloatArray = NDArray[np.float64]

_ON_WALL_M = 1e-9  # a point put back on a wall may sit this far inside it, by rounding


@runtime_checkable
class ObstacleField(Protocol):
    """What ``Subjects`` asks of obstacles; positions and velocities are (M, 2) (north, east), m and m/s."""

    def deflect(self, position_ne_m: FloatArray, velocity_ne_m_s: FloatArray) -> FloatArray:
        """The desired velocities, changed so that nobody walks into an obstacle."""
        ...

    def push_out(self, position_ne_m: FloatArray, velocity_ne_m_s: FloatArray) -> None:
        """Move, in place, anyone inside an obstacle out of it and drop their velocity into it."""
        ...


class BoxObstacles:
    """Axis-aligned boxes ``min_ned_m`` (B, 3) .. ``max_ned_m`` (B, 3); only boxes that reach down to
    a person's height above the ground (``down`` overlapping [-``person_height_m``, 0]) block people."""

    def __init__(
        self,
        min_ned_m: ArrayLike,
        max_ned_m: ArrayLike,
        clearance_m: float = 0.3,
        skin_m: float = 0.5,
        person_height_m: float = 2.0,
    ) -> None:
        low = np.array(min_ned_m, dtype=np.float64, ndmin=2)
        high = np.array(max_ned_m, dtype=np.float64, ndmin=2)
        if low.ndim != 2 or low.shape[1] != 3 or low.shape != high.shape:
            raise SubjectError(f"building boxes must be two (B, 3) arrays, got {low.shape} and {high.shape}")
        if not (np.isfinite(low).all() and np.isfinite(high).all()) or (low >= high).any():
            raise SubjectError("building boxes must be finite with min_ned_m < max_ned_m on every axis")
        if not (0.0 <= clearance_m <= 5.0 and 0.0 < skin_m <= 10.0 and 0.0 < person_height_m <= 5.0):
            raise SubjectError("clearance_m must be 0..5, skin_m 0..10 and person_height_m 0..5 m")
        blocking = (low[:, 2] < 0.0) & (high[:, 2] > -person_height_m)
        self.min_ne_m = low[blocking, :2] - clearance_m  # inflated footprints
        self.max_ne_m = high[blocking, :2] + clearance_m
        self.skin_m = float(skin_m)
        # (B, 1) columns per axis for the (B, M) broad phase (reductions over B run fast in this
        # layout), and its scratch arrays, made for the first M seen.
        centre, half = 0.5 * (self.min_ne_m + self.max_ne_m), 0.5 * (self.max_ne_m - self.min_ne_m)
        self._centre_n, self._centre_e = centre[:, :1], centre[:, 1:]
        self._half_n, self._half_e = half[:, :1], half[:, 1:]
        self._scratch = np.zeros((2, self.count, 0))

    @property
    def count(self) -> int:
        """The number of boxes that block people."""
        return int(self.min_ne_m.shape[0])

    def contains(self, position_ne_m: ArrayLike) -> NDArray[np.bool_]:
        """(M,) whether each point is inside an inflated footprint (by more than a rounding error)."""
        p = np.asarray(position_ne_m, dtype=np.float64)
        if self.count == 0:
            return np.zeros(p.shape[0], dtype=bool)
        return (self._reach(p) < -_ON_WALL_M).any(axis=0)

    def _reach(self, position_ne_m: FloatArray) -> FloatArray:
        """(B, M) how far each point is outside each inflated footprint along its worse axis (the
        Chebyshev distance; negative inside). A scratch array: valid until the next call."""
        m = position_ne_m.shape[0]
        if self._scratch.shape[2] != m:
            self._scratch = np.empty((2, self.count, m))
        reach, gap_e = self._scratch
        np.subtract(position_ne_m[:, 0], self._centre_n, out=reach)
        np.abs(reach, out=reach)
        reach -= self._half_n
        np.subtract(position_ne_m[:, 1], self._centre_e, out=gap_e)
        np.abs(gap_e, out=gap_e)
        gap_e -= self._half_e
        return np.maximum(reach, gap_e, out=reach)

    def deflect(self, position_ne_m: FloatArray, velocity_ne_m_s: FloatArray) -> FloatArray:
        if self.count == 0:
            return velocity_ne_m_s
        reach = self._reach(position_ne_m)
        who = np.flatnonzero(reach.min(axis=0) < self.skin_m)  # within a square around the skin
        if who.size == 0:
            return velocity_ne_m_s
        box = np.argmin(reach[:, who], axis=0)  # the nearest box (by its Chebyshev distance)
        here = position_ne_m[who]
        out = here - np.minimum(np.maximum(here, self.min_ne_m[box]), self.max_ne_m[box])  # zero inside
        size = norm2(out[:, 0], out[:, 1])
        close = size < self.skin_m
        who, box, here, out, size = who[close], box[close], here[close], out[close], size[close]
        if who.size == 0:
            return velocity_ne_m_s
        inside = size < 1e-9
        if inside.any():  # on or inside the wall: the normal of the nearest side
            out[inside] = _nearest_side_normal(here[inside], self.min_ne_m[box[inside]], self.max_ne_m[box[inside]])
            size[inside] = 1.0
        normal = out / size[:, None]
        v = velocity_ne_m_s[who]
        into = np.einsum("ij,ij->i", v, normal)
        hit = into < 0.0
        slid = v - np.minimum(into, 0.0)[:, None] * normal
        speed = norm2(v[:, 0], v[:, 1])
        along = norm2(slid[:, 0], slid[:, 1])
        stuck = hit & (along < 0.5 * speed)
        if stuck.any():  # head-on: slide along the wall at the same speed, the shorter way round the box
            tangent = np.column_stack([-normal[:, 1], normal[:, 0]])
            centre = 0.5 * (self.min_ne_m[box] + self.max_ne_m[box])
            sign = np.where(np.einsum("ij,ij->i", centre - here, tangent) > 0.0, -1.0, 1.0)
            slid[stuck] = (tangent * (sign * speed)[:, None])[stuck]
        result = velocity_ne_m_s.copy()
        result[who] = slid
        return result

    def push_out(self, position_ne_m: FloatArray, velocity_ne_m_s: FloatArray) -> None:
        if self.count == 0:
            return
        for _ in range(2):  # a second pass for someone pushed from one box into another
            reach = self._reach(position_ne_m)
            who = np.flatnonzero(reach.min(axis=0) < -_ON_WALL_M)
            if who.size == 0:
                return
            box = np.argmin(reach[:, who], axis=0)  # the box each is deepest inside
            p = position_ne_m[who]
            depth = np.concatenate([p - self.min_ne_m[box], self.max_ne_m[box] - p], axis=1)  # (k, 4) to each side
            side = np.argmin(depth, axis=1)  # 0 south, 1 west, 2 north, 3 east
            axis = side % 2
            wall = np.where(side < 2, self.min_ne_m[box, axis], self.max_ne_m[box, axis])
            position_ne_m[who, axis] = wall
            outward = np.where(side < 2, -1.0, 1.0)
            v = velocity_ne_m_s[who, axis]
            velocity_ne_m_s[who, axis] = np.where(v * outward < 0.0, 0.0, v)


def _nearest_side_normal(position_ne_m: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    depth = np.concatenate([position_ne_m - low, high - position_ne_m], axis=1)
    side = np.argmin(depth, axis=1)
    normal = np.zeros((position_ne_m.shape[0], 2))
    normal[np.arange(side.shape[0]), side % 2] = np.where(side < 2, -1.0, 1.0)
    return normal
