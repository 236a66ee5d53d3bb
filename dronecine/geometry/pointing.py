"""Camera pointing: the yaw and pitch that put a world point at a chosen place in the image."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry.camera import PinholeCamera


def pointing_towards(from_ned: ArrayLike, to_ned: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(yaw_deg, pitch_deg) of the optical axis that looks straight at ``to_ned``."""
    d = np.asarray(to_ned, dtype=float) - np.asarray(from_ned, dtype=float)
    yaw = np.degrees(np.arctan2(d[..., 1], d[..., 0]))
    pitch = np.degrees(np.arctan2(-d[..., 2], np.hypot(d[..., 0], d[..., 1])))
    return yaw, pitch


def pointing_to_place(
    camera: PinholeCamera, from_ned: ArrayLike, to_ned: ArrayLike, u: ArrayLike, v: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(yaw_deg, pitch_deg) of a level camera at ``from_ned`` that sees ``to_ned`` at (u, v).

    Closed form: with the pixel's ray (x, y, z) in the camera frame and rho = |(y, z)|, the
    ray's downward component in the world is rho*sin(alpha - pitch), alpha = atan2(y, z); this
    fixes the pitch, then the yaw is the target's bearing less the ray's angle off the axis.
    Where no pitch can place the point (the target too far above or below for that pixel),
    the pitch saturates at the closest achievable one.
    """
    ray = camera.ray_from_normalised(u, v)
    x, y, z = ray[..., 0], ray[..., 1], ray[..., 2]
    d = np.asarray(to_ned, dtype=float) - np.asarray(from_ned, dtype=float)
    d_unit = d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-12)
    rho = np.hypot(y, z)
    alpha = np.arctan2(y, z)
    pitch = alpha - np.arcsin(np.clip(d_unit[..., 2] / rho, -1.0, 1.0))
    forward_horizontal = y * np.sin(pitch) + z * np.cos(pitch)
    yaw = np.arctan2(d[..., 1], d[..., 0]) - np.arctan2(x, forward_horizontal)
    yaw_deg = (np.degrees(yaw) + 180.0) % 360.0 - 180.0
    return yaw_deg, np.degrees(pitch)
