"""Back-projection: the ground point seen under a pixel."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry.camera import CameraPose, PinholeCamera


def ground_point_under_pixel(
    camera: PinholeCamera, pose: CameraPose, u: ArrayLike, v: ArrayLike, ground_down_m: float = 0.0
) -> NDArray[np.float64]:
    """Where the ray through normalised pixel (u, v) meets the flat ground ``down = ground_down_m``.

    Returns NED points (..., 3); NaN where the ray does not reach the ground in front of
    the camera (it points at or above the horizon, or the camera is below the ground).
    """
    ray_cam = camera.ray_from_normalised(u, v)
    ray_ned = np.einsum("...ij,...j->...i", pose.rotation_ned_from_camera, ray_cam)
    height_above_ground = ground_down_m - pose.position_ned_m[..., 2]
    descent = ray_ned[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(descent > 1e-9, height_above_ground / descent, np.nan)
    distance = np.where(distance > 0.0, distance, np.nan)
    return pose.position_ned_m + distance[..., None] * ray_ned
