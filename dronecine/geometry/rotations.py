"""Rotations between the world (NED), body (FRD) and camera (OpenCV) frames.

A rotation ``R_a_from_b`` maps a vector expressed in frame b into frame a:
``v_a = R_a_from_b @ v_b``. Its columns are b's axes written in a.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Camera axes (x right, y down, z forward) written in FRD: columns are cam x, y, z.
R_FRD_FROM_CAMERA: NDArray[np.float64] = np.array(
    [
        [0.0, 0.0, 1.0],  # FRD forward = camera z
        [1.0, 0.0, 0.0],  # FRD right   = camera x
        [0.0, 1.0, 0.0],  # FRD down    = camera y
    ]
)


def wrap_deg(angle_deg: ArrayLike) -> NDArray[np.float64]:
    """Wrap angles to [-180, 180)."""
    return (np.asarray(angle_deg, dtype=float) + 180.0) % 360.0 - 180.0


def bearing_deg(north_m: ArrayLike, east_m: ArrayLike) -> NDArray[np.float64]:
    """Compass bearing of a horizontal vector, 0 = north, 90 = east."""
    return np.degrees(np.arctan2(east_m, north_m))


def rotation_ned_from_frd(roll_deg: ArrayLike, pitch_deg: ArrayLike, yaw_deg: ArrayLike) -> NDArray[np.float64]:
    """Body-to-world rotation from aerospace Z-Y-X Euler angles (yaw, then pitch, then roll).

    Broadcasts: angle arrays of shape S give rotations of shape S + (3, 3).
    """
    roll, pitch, yaw = np.broadcast_arrays(
        *(np.radians(np.asarray(a, dtype=float)) for a in (roll_deg, pitch_deg, yaw_deg))
    )
    cr, sr = np.cos(roll), np.sin(roll)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cy, sy = np.cos(yaw), np.sin(yaw)
    rotation = np.empty((*roll.shape, 3, 3))
    rotation[..., 0, 0] = cp * cy
    rotation[..., 0, 1] = sr * sp * cy - cr * sy
    rotation[..., 0, 2] = cr * sp * cy + sr * sy
    rotation[..., 1, 0] = cp * sy
    rotation[..., 1, 1] = sr * sp * sy + cr * cy
    rotation[..., 1, 2] = cr * sp * sy - sr * cy
    rotation[..., 2, 0] = -sp
    rotation[..., 2, 1] = sr * cp
    rotation[..., 2, 2] = cr * cp
    return rotation


def rotation_ned_from_camera(
    yaw_deg: ArrayLike, pitch_deg: ArrayLike, roll_deg: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Camera-to-world rotation for a camera whose optical axis has the given yaw and pitch.

    ``yaw_deg`` is the compass heading of the optical axis, ``pitch_deg`` its elevation
    (negative looks down). A stabilised gimbal keeps ``roll_deg`` at zero.
    """
    return rotation_ned_from_frd(roll_deg, pitch_deg, yaw_deg) @ R_FRD_FROM_CAMERA
