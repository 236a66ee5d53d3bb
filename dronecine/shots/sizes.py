"""Shot sizes and the subject distance that gives each of them."""

from __future__ import annotations

import functools
import math
from enum import StrEnum

from dronecine.geometry import PERSON_HEIGHT_M, PERSON_RADIUS_M, PinholeCamera


class ShotSize(StrEnum):
    """How large the subject appears, from a speck in the landscape to a medium shot.

    Measured as the height of the whole person's box (``h`` in DESIGN.md's metrics) as a
    fraction of the frame height. A drone keeps the whole body in frame, so ``medium`` is
    the tightest size: the body nearly fills the frame.
    """

    EXTREME_WIDE = "extreme_wide"
    WIDE = "wide"
    MEDIUM_WIDE = "medium_wide"
    FULL = "full"
    MEDIUM = "medium"

    @property
    def target_height(self) -> float:
        """h*: the subject's box height as a fraction of the frame height."""
        return _TARGET_HEIGHT[self]


_TARGET_HEIGHT = {
    ShotSize.EXTREME_WIDE: 0.05,
    ShotSize.WIDE: 0.12,
    ShotSize.MEDIUM_WIDE: 0.25,
    ShotSize.FULL: 0.45,
    ShotSize.MEDIUM: 0.7,
}


def range_for_height(camera: PinholeCamera, target_height: float, subject_height_m: float = PERSON_HEIGHT_M) -> float:
    """Slant range (m) at which a subject of ``subject_height_m``, seen level, fills ``target_height``."""
    return camera.focal_px * subject_height_m / (target_height * camera.height_px)


def box_height_from(
    camera: PinholeCamera,
    horizontal_m: float,
    camera_height_m: float,
    subject_height_m: float = PERSON_HEIGHT_M,
    radius_m: float = PERSON_RADIUS_M,
) -> float:
    """Height h of a person's box (fraction of the frame) seen from ``horizontal_m`` away and
    ``camera_height_m`` up, with the camera aimed at the body's centre.

    Works in the vertical plane through camera and subject, with the same silhouette points
    as ``project_person`` (near and far edges of the foot and head rings), so it includes the
    foreshortening of a person seen from above.
    """
    aim_depression = math.atan2(camera_height_m - subject_height_m / 2.0, horizontal_m)
    offsets = []
    for edge_m in (-radius_m, radius_m):
        for point_height_m in (0.0, subject_height_m):
            depression = math.atan2(camera_height_m - point_height_m, max(horizontal_m + edge_m, 1e-6))
            offsets.append(math.tan(depression - aim_depression))
    return camera.focal_px * (max(offsets) - min(offsets)) / camera.height_px


def horizontal_distance_for_height(
    camera: PinholeCamera,
    target_height: float,
    camera_height_m: float,
    subject_height_m: float = PERSON_HEIGHT_M,
) -> float:
    """The horizontal distance for a shot size, see ``_solve_horizontal_distance``.

    Cached with the height rounded to a centimetre: moves ask for it every control step.
    """
    return _solve_horizontal_distance(camera, target_height, round(camera_height_m, 2), subject_height_m)


@functools.lru_cache(maxsize=8192)
def _solve_horizontal_distance(
    camera: PinholeCamera, target_height: float, camera_height_m: float, subject_height_m: float
) -> float:
    """Horizontal distance (m) from the subject that gives ``target_height`` when the camera
    flies ``camera_height_m`` above the ground.

    The box height first grows as the camera closes in, then shrinks again as the view turns
    top-down; the answer is the far solution. When the size cannot be reached from that
    height at all, it is the distance where the subject looks largest (the closest framing
    that height allows); ``box_height_from`` tells how large that is.
    """

    def height_at(distance_m: float) -> float:
        return box_height_from(camera, distance_m, camera_height_m, subject_height_m)

    # The box is largest somewhere below the camera's height above the body's centre:
    # find that peak with a golden-section search, then bisect on the far, falling side.
    lo, hi = 0.3, max(camera_height_m, 1.0) * 2.0
    for _ in range(60):
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if height_at(a) > height_at(b):
            hi = b
        else:
            lo = a
    peak = 0.5 * (lo + hi)
    if height_at(peak) <= target_height:
        return peak
    near, far = peak, max(peak * 2.0, range_for_height(camera, target_height, subject_height_m) * 2.0)
    for _ in range(60):
        mid = 0.5 * (near + far)
        if height_at(mid) > target_height:
            near = mid
        else:
            far = mid
    return 0.5 * (near + far)
