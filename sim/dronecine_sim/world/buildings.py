"""Buildings: axis-aligned boxes standing on the ground, with batched visibility and clearance queries.

A building spans ``min_ned_m`` to ``max_ned_m`` in the local NED frame (metres); the ground is
``down = 0``, so a building of height ``h`` spans ``down`` from ``-h`` to ``0``. The queries take N
points (or N eyes with P points each) and loop only over the buildings (B is small, ~16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.world.errors import WorldError

FloatArray = NDArray[np.float64]

# Facade colours (BGR) a random building is painted in: concrete, brick, sandstone, render, slate.
FACADE_PALETTE_BGR = np.array(
    [[150, 150, 150], [60, 75, 140], [120, 170, 200], [205, 210, 215], [110, 100, 95], [90, 120, 160]],
    dtype=np.uint8,
)

# A segment must run through a building for longer than this to count as blocked (m): grazing a face
# or an edge (a point on a wall, a foot on the ground beside a building) does not block.
_BLOCK_TOLERANCE_M = 1e-6


def _frozen(array: NDArray) -> NDArray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Buildings:
    """B axis-aligned boxes: corners ``min_ned_m``/``max_ned_m`` (B, 3) in NED metres, ``colour_bgr`` (B, 3) uint8.

    The arrays are read-only. Use ``from_footprints`` or ``random`` rather than the raw constructor.
    """

    min_ned_m: FloatArray
    max_ned_m: FloatArray
    colour_bgr: NDArray[np.uint8]

    def __post_init__(self) -> None:
        lo = np.array(self.min_ned_m, dtype=float).reshape(-1, 3) if np.size(self.min_ned_m) else np.zeros((0, 3))
        hi = np.array(self.max_ned_m, dtype=float).reshape(-1, 3) if np.size(self.max_ned_m) else np.zeros((0, 3))
        colour = np.array(self.colour_bgr, dtype=np.uint8).reshape(-1, 3) if np.size(self.colour_bgr) else None
        if colour is None:
            colour = np.zeros((0, 3), dtype=np.uint8)
        if not (lo.shape == hi.shape == colour.shape):
            raise WorldError(
                f"building arrays disagree: min {lo.shape}, max {hi.shape}, colour {colour.shape} (expected (B, 3))"
            )
        if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
            raise WorldError("building corners must be finite")
        if (hi <= lo).any():
            bad = int(np.argwhere((hi <= lo).any(axis=1))[0, 0])
            raise WorldError(f"building {bad} has min {lo[bad].tolist()} not below max {hi[bad].tolist()}")
        object.__setattr__(self, "min_ned_m", _frozen(lo))
        object.__setattr__(self, "max_ned_m", _frozen(hi))
        object.__setattr__(self, "colour_bgr", _frozen(colour))

    # --- constructors ------------------------------------------------------------------------------

    @classmethod
    def none(cls) -> Buildings:
        """No buildings."""
        return cls(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3), dtype=np.uint8))

    @classmethod
    def from_footprints(
        cls,
        footprints: Sequence[tuple[float, float, float, float, float]],
        colour_bgr: ArrayLike | None = None,
    ) -> Buildings:
        """Buildings from ``(north_m, east_m, size_north_m, size_east_m, height_m)``, centred on (north, east).

        ``colour_bgr``: (B, 3) or one (3,) colour for all; default cycles through ``FACADE_PALETTE_BGR``.
        """
        rows = np.array(footprints, dtype=float).reshape(-1, 5) if len(footprints) else np.zeros((0, 5))
        if (rows[:, 2:] <= 0.0).any():
            bad = int(np.argwhere((rows[:, 2:] <= 0.0).any(axis=1))[0, 0])
            raise WorldError(f"building {bad} has sizes and height {rows[bad, 2:].tolist()} m (expected > 0)")
        b = rows.shape[0]
        half = rows[:, 2:4] / 2.0
        lo = np.column_stack([rows[:, 0] - half[:, 0], rows[:, 1] - half[:, 1], -rows[:, 4]])
        hi = np.column_stack([rows[:, 0] + half[:, 0], rows[:, 1] + half[:, 1], np.zeros(b)])
        if colour_bgr is None:
            colour = FACADE_PALETTE_BGR[np.arange(b) % len(FACADE_PALETTE_BGR)]
        else:
            colour = np.broadcast_to(np.asarray(colour_bgr, dtype=np.uint8), (b, 3))
        return cls(lo, hi, colour)

    @classmethod
    def random(
        cls,
        rng: np.random.Generator,
        count: int,
        extent_m: float,
        keep_clear: Sequence[tuple[float, float, float]] = (),
        size_m: tuple[float, float] = (8.0, 30.0),
        height_m: tuple[float, float] = (4.0, 30.0),
        street_m: float = 6.0,
    ) -> Buildings:
        """Up to ``count`` buildings with centres in the square ``|north|, |east| <= extent_m``.

        Footprint sides are drawn from ``size_m``, heights from ``height_m`` (uniform); buildings keep
        ``street_m`` apart from each other and stay out of every ``keep_clear`` circle
        ``(north_m, east_m, radius_m)`` (take-off spots, the subject's path). A layout that cannot fit
        ``count`` buildings after many tries has fewer. All draws come from ``rng``.
        """
        if count < 0 or extent_m <= 0.0 or street_m < 0.0:
            raise WorldError(
                f"Buildings.random needs count >= 0, extent_m > 0, street_m >= 0 (got {count}, {extent_m}, {street_m})"
            )
        if not (0.0 < size_m[0] <= size_m[1] and 0.0 < height_m[0] <= height_m[1]):
            raise WorldError(f"Buildings.random needs 0 < low <= high for size_m {size_m} and height_m {height_m}")
        clear = np.array(keep_clear, dtype=float).reshape(-1, 3)
        footprints: list[tuple[float, float, float, float, float]] = []
        for _ in range(50 * count):
            if len(footprints) == count:
                break
            north, east = rng.uniform(-extent_m, extent_m, 2)
            size_n, size_e = rng.uniform(*size_m, 2)
            height = rng.uniform(*height_m)
            if _footprint_fits(north, east, size_n, size_e, footprints, clear, street_m):
                footprints.append((north, east, size_n, size_e, height))
        colour = FACADE_PALETTE_BGR[rng.integers(0, len(FACADE_PALETTE_BGR), len(footprints))]
        # A little per-building variation so two concrete blocks are not the same grey.
        jitter = rng.integers(-12, 13, (len(footprints), 3))
        colour = np.clip(colour.astype(int) + jitter, 0, 255).astype(np.uint8)
        return cls.from_footprints(footprints, colour)

    # --- queries -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.min_ned_m.shape[0]

    def segments_blocked(self, eye_ned_m: ArrayLike, points_ned_m: ArrayLike) -> NDArray[np.bool_]:
        """(N, P) bool: whether the segment from eye n (``(N, 3)`` or one ``(3,)``) to point (n, p)
        (``(N, P, 3)``) runs through any building (slab test). An eye inside a building sees nothing."""
        eye, points = _eye_and_points(eye_ned_m, points_ned_m)
        blocked = np.zeros(points.shape[:2], dtype=bool)
        # One building at a time: the temporaries stay (N, P, 3), which is faster than (N, B, P, 3).
        for b in range(len(self)):
            blocked |= boxes_blocking(eye, points, self.min_ned_m[None, b : b + 1], self.max_ned_m[None, b : b + 1])
        return blocked

    def occluded_fraction(self, eye_ned_m: ArrayLike, points_ned_m: ArrayLike) -> FloatArray:
        """(N,) fraction of the P points (``(N, P, 3)``) that eye n (``(N, 3)`` or ``(3,)``) cannot see
        because a building is in the way; e.g. a person's 8 silhouette points give how much of them is hidden."""
        blocked = self.segments_blocked(eye_ned_m, points_ned_m)
        if blocked.shape[1] == 0:
            return np.zeros(blocked.shape[0])
        return blocked.mean(axis=1)

    def clearance_m(self, points_ned_m: ArrayLike) -> FloatArray:
        """(N,) signed distance (m) from each point (``(N, 3)``) to the nearest building surface:
        positive outside, negative inside (minus the depth to the nearest face), +inf with no buildings.
        The ground is not a building: use ``-down_m`` for the height above it."""
        return boxes_clearance_m(_points(points_ned_m), self.min_ned_m[None], self.max_ned_m[None])

    def inside(self, points_ned_m: ArrayLike) -> NDArray[np.bool_]:
        """(N,) whether each point (``(N, 3)``) is strictly inside a building."""
        points = _points(points_ned_m)
        result = np.zeros(points.shape[0], dtype=bool)
        for lo, hi in zip(self.min_ned_m, self.max_ned_m, strict=True):
            result |= ((points > lo) & (points < hi)).all(axis=-1)
        return result


def boxes_blocking(
    eye_ned_m: FloatArray, points_ned_m: FloatArray, low: FloatArray, high: FloatArray
) -> NDArray[np.bool_]:
    """(N, P) bool: whether the segment from eye n (N, 3) to point (n, p) (N, P, 3) runs through any
    of the boxes ``low``..``high``, (N, K, 3) per eye or (1, K, 3) shared (slab test).

    Grazing a face or an edge does not block; an eye inside a box sees nothing.
    """
    blocked = np.zeros(points_ned_m.shape[:2], dtype=bool)
    if low.shape[1] == 0:
        return blocked
    start = eye_ned_m[:, None, None, :]  # (N, 1, 1, 3); the segment is start + t * direction, t in [0, 1]
    direction = points_ned_m[:, None, :, :] - start  # (N, 1, P, 3)
    length = np.linalg.norm(direction, axis=-1)
    parallel = direction == 0.0
    lo, hi = low[:, :, None, :], high[:, :, None, :]  # (N, K, 1, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / direction
        t_lo = (lo - start) * inverse
        t_hi = (hi - start) * inverse
    t_near = np.fmin(t_lo, t_hi)
    t_far = np.fmax(t_lo, t_hi)
    # A segment parallel to a slab is inside it for all t or for none.
    within = (start > lo) & (start < hi)  # strictly: a segment in a face's plane only grazes it
    t_near = np.where(parallel, np.where(within, -np.inf, np.inf), t_near)
    t_far = np.where(parallel, np.where(within, np.inf, -np.inf), t_far)
    t_enter = np.maximum(t_near.max(axis=-1), 0.0)
    t_exit = np.minimum(t_far.min(axis=-1), 1.0)
    return ((t_exit - t_enter) * length > _BLOCK_TOLERANCE_M).any(axis=1)


def boxes_clearance_m(points_ned_m: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """(N,) signed distance from each point (N, 3) to the nearest surface of the boxes ``low``..``high``,
    (N, K, 3) per point or (1, K, 3) shared: negative inside, +inf with no boxes."""
    if low.shape[1] == 0:
        return np.full(points_ned_m.shape[0], np.inf)
    centre = (low + high) / 2.0
    q = np.abs(points_ned_m[:, None, :] - centre) - (high - low) / 2.0  # per-axis distance outside the slab
    outside = np.linalg.norm(np.maximum(q, 0.0), axis=-1)
    inside = np.minimum(q.max(axis=-1), 0.0)
    return (outside + inside).min(axis=1)


def _footprint_fits(
    north: float,
    east: float,
    size_n: float,
    size_e: float,
    placed: list[tuple[float, float, float, float, float]],
    clear: FloatArray,
    street_m: float,
) -> bool:
    for other_n, other_e, other_sn, other_se, _ in placed:
        near_n = abs(north - other_n) < (size_n + other_sn) / 2 + street_m
        if near_n and abs(east - other_e) < (size_e + other_se) / 2 + street_m:
            return False
    if clear.size:
        # Distance from each circle's centre to the rectangle.
        dn = np.maximum(np.abs(clear[:, 0] - north) - size_n / 2, 0.0)
        de = np.maximum(np.abs(clear[:, 1] - east) - size_e / 2, 0.0)
        if (np.hypot(dn, de) < clear[:, 2]).any():
            return False
    return True


def _points(points_ned_m: ArrayLike) -> FloatArray:
    points = np.asarray(points_ned_m, dtype=float)
    if points.ndim != 2 or points.shape[1] != 3:
        raise WorldError(f"expected points of shape (N, 3), got {points.shape}")
    return points


def _eye_and_points(eye_ned_m: ArrayLike, points_ned_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    points = np.asarray(points_ned_m, dtype=float)
    if points.ndim != 3 or points.shape[2] != 3:
        raise WorldError(f"expected points of shape (N, P, 3), got {points.shape}")
    eye = np.asarray(eye_ned_m, dtype=float)
    if eye.shape == (3,):
        eye = np.broadcast_to(eye, (points.shape[0], 3))
    if eye.shape != (points.shape[0], 3):
        raise WorldError(f"expected eyes of shape ({points.shape[0]}, 3) or (3,), got {eye.shape}")
    return eye, points
