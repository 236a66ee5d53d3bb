"""The mission's cue for a first lock: where the subject should be in this frame, and how near to look."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import PERSON_HEIGHT_M
from dronecine.perception.subject_lock import AcquireCue


def expected_cue(
    camera: PinholeCamera,
    pose: CameraPose,
    expected_feet_ned_m: ArrayLike,
    within_m: float,
    height_m: float = PERSON_HEIGHT_M,
) -> AcquireCue | None:
    """The cue for a subject expected to stand at ``expected_feet_ned_m``, within ``within_m`` of it (the
    mission's ``acquire.within_m``); None when that spot is behind the camera."""
    feet = np.asarray(expected_feet_ned_m, dtype=float)
    middle = feet - np.array([0.0, 0.0, height_m / 2.0])
    point = pose.camera_from_world(middle)
    depth = float(point[2])
    if depth <= 0.5:
        return None
    u, v = camera.normalised_from_camera(point)
    # A ground distance seen from this range spans about focal * d / depth pixels (less when foreshortened:
    # the gate errs wide, which is what a first look wants).
    gate = camera.focal_px * within_m / depth / camera.width_px
    return AcquireCue((float(u), float(v)), float(gate))
