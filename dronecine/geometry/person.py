"""Projecting a person, an upright cylinder, to a normalised image box."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry.camera import NEAR_PLANE_M, CameraPose, PinholeCamera

PERSON_HEIGHT_M = 1.75
PERSON_RADIUS_M = 0.25
_ABEAM_SIGN = np.array([1.0, -1.0, 0.0, 0.0])
_ALONG_SIGN = np.array([0.0, 0.0, 1.0, -1.0])


@dataclass(frozen=True)
class ImageBox:
    """A box in normalised image coordinates: centre (u, v), width w and height h.

    Boxes are not clipped to the frame: a box can extend past 0..1 when the subject is at
    the edge, which is what the in-frame metric needs to see.
    """

    u: float
    v: float
    w: float
    h: float

    @classmethod
    def from_array(cls, box: ArrayLike) -> ImageBox | None:
        """From a (4,) array as ``project_person_boxes`` returns; None for a NaN box."""
        values = np.asarray(box, dtype=float)
        if values.shape != (4,):
            raise ValueError(f"expected an array of shape (4,), got {values.shape}")
        if np.isnan(values).any():
            return None
        return cls(*(float(x) for x in values))

    def as_array(self) -> NDArray[np.float64]:
        return np.array([self.u, self.v, self.w, self.h])

    @property
    def corners(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom)."""
        return (self.u - self.w / 2, self.v - self.h / 2, self.u + self.w / 2, self.v + self.h / 2)


def silhouette_points(
    camera_ned: NDArray[np.float64], feet_ned: NDArray[np.float64], height_m: float, radius_m: float
) -> NDArray[np.float64]:
    """Eight world points whose image bounds the cylinder's silhouette: on each of the foot
    and head rings, the two points abeam of the line of sight and the near and far points.

    Exact for the horizontal extent up to the ring's own perspective, and close enough for
    the vertical (the error is a fraction of the radius).
    """
    line_of_sight = feet_ned[..., :2] - camera_ned[..., :2]
    dist = np.linalg.norm(line_of_sight, axis=-1, keepdims=True)
    # Straight overhead the line of sight has no horizontal direction: any will do.
    along = np.where(dist > 1e-9, line_of_sight / np.maximum(dist, 1e-9), np.array([1.0, 0.0]))
    abeam = np.stack([-along[..., 1], along[..., 0]], axis=-1)
    offsets_ne = radius_m * np.stack([abeam, -abeam, along, -along], axis=-2)  # (..., 4, 2)
    offsets = np.concatenate([offsets_ne, np.zeros((*offsets_ne.shape[:-1], 1))], axis=-1)
    head = feet_ned.copy()
    head[..., 2] -= height_m
    rings = np.stack([feet_ned, head], axis=-2)  # (..., 2, 3)
    points = rings[..., :, None, :] + offsets[..., None, :, :]  # (..., 2, 4, 3)
    return points.reshape((*points.shape[:-3], 8, 3))


def project_person_boxes(
    camera: PinholeCamera,
    pose: CameraPose,
    feet_ned: ArrayLike,
    height_m: float = PERSON_HEIGHT_M,
    radius_m: float = PERSON_RADIUS_M,
) -> NDArray[np.float64]:
    """Normalised boxes (..., 4) = (u, v, w, h) of upright people standing at ``feet_ned``.

    Broadcasts over leading dimensions of ``feet_ned`` and of the pose. A person any part of
    whom is behind the camera's near plane gives a NaN box (not visible).
    """
    # The silhouette_points maths, laid out points-first with one array per coordinate, so that
    # numpy never reduces over a tiny trailing axis (3x faster on a batch than the (..., 8, 3) form).
    relative = np.asarray(feet_ned, dtype=float) - pose.position_ned_m
    rel_n, rel_e, rel_d = relative[..., 0], relative[..., 1], relative[..., 2]
    distance = np.hypot(rel_n, rel_e)
    level = distance > 1e-9  # straight overhead the line of sight has no direction: any will do
    safe = np.where(level, distance, 1.0)
    along_n = np.where(level, rel_n / safe, 1.0)
    along_e = np.where(level, rel_e / safe, 0.0)
    # The ring's four points (abeam, -abeam, along, -along); abeam is (-along_e, along_n).
    shape = (4, *([1] * along_n.ndim))
    abeam_sign = _ABEAM_SIGN.reshape(shape)
    along_sign = _ALONG_SIGN.reshape(shape)
    ring_n = rel_n + radius_m * (-abeam_sign * along_e + along_sign * along_n)  # (4, ...)
    ring_e = rel_e + radius_m * (abeam_sign * along_n + along_sign * along_e)
    rotation = pose.rotation_ned_from_camera
    head_d = rel_d - np.asarray(height_m, dtype=float)
    x, y, z = (
        np.concatenate([across + rel_d * rotation[..., 2, axis], across + head_d * rotation[..., 2, axis]])
        for axis in range(3)
        for across in (ring_n * rotation[..., 0, axis] + ring_e * rotation[..., 1, axis],)
    )  # each (8, ...): the camera-frame coordinates of the 8 points
    behind = (z <= NEAR_PLANE_M).any(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = 0.5 + camera.focal_px * x / (z * camera.width_px)
        v = 0.5 + camera.focal_px * y / (z * camera.height_px)
    u_low, u_high, v_low, v_high = u.min(axis=0), u.max(axis=0), v.min(axis=0), v.max(axis=0)
    boxes = np.empty((*u_low.shape, 4))
    boxes[..., 0] = (u_low + u_high) / 2.0
    boxes[..., 1] = (v_low + v_high) / 2.0
    boxes[..., 2] = u_high - u_low
    boxes[..., 3] = v_high - v_low
    boxes[behind] = np.nan
    return boxes


def project_person(
    camera: PinholeCamera,
    pose: CameraPose,
    feet_ned: ArrayLike,
    height_m: float = PERSON_HEIGHT_M,
    radius_m: float = PERSON_RADIUS_M,
) -> ImageBox | None:
    """The box of one person, or None when the person is (partly) behind the camera."""
    return ImageBox.from_array(project_person_boxes(camera, pose, feet_ned, height_m, radius_m))
