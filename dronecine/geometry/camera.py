"""The pinhole camera and its pose in the world."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.errors import DronecineError
from dronecine.geometry.rotations import rotation_ned_from_camera

# Points closer than this in front of the camera are treated as behind it (m).
NEAR_PLANE_M = 0.05


class GeometryError(DronecineError, ValueError):
    """An impossible camera or pose (a field of view out of range, a bad resolution...)."""


@dataclass(frozen=True)
class PinholeCamera:
    """An ideal pinhole camera with square pixels and the principal point at the centre.

    Built, as crews specify cameras, from the horizontal field of view and the resolution.
    """

    hfov_deg: float
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        if not 1.0 <= self.hfov_deg <= 170.0:
            raise GeometryError(f"camera hfov_deg {self.hfov_deg} is out of range (expected 1..170)")
        if self.width_px < 2 or self.height_px < 2:
            raise GeometryError(
                f"camera resolution {self.width_px}x{self.height_px} is too small (expected at least 2x2)"
            )

    @property
    def focal_px(self) -> float:
        """Focal length in pixels (the same along x and y)."""
        return 0.5 * self.width_px / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def vfov_deg(self) -> float:
        return math.degrees(2.0 * math.atan(0.5 * self.height_px / self.focal_px))

    @property
    def aspect(self) -> float:
        return self.width_px / self.height_px

    @property
    def intrinsics(self) -> NDArray[np.float64]:
        """The 3x3 matrix K, as OpenCV uses it."""
        f = self.focal_px
        return np.array([[f, 0.0, self.width_px / 2.0], [0.0, f, self.height_px / 2.0], [0.0, 0.0, 1.0]])

    def normalised_from_camera(self, points_cam: ArrayLike) -> NDArray[np.float64]:
        """Project camera-frame points (..., 3) to normalised image coordinates (..., 2).

        Points on or behind the near plane give NaN.
        """
        points = np.asarray(points_cam, dtype=float)
        z = points[..., 2]
        in_front = z > NEAR_PLANE_M
        safe_z = np.where(in_front, z, np.nan)
        f = self.focal_px
        u = 0.5 + f * points[..., 0] / safe_z / self.width_px
        v = 0.5 + f * points[..., 1] / safe_z / self.height_px
        return np.stack([u, v], axis=-1)

    def ray_from_normalised(self, u: ArrayLike, v: ArrayLike) -> NDArray[np.float64]:
        """Unit ray in the camera frame through normalised image point(s) (u, v)."""
        u_arr, v_arr = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
        f = self.focal_px
        ray = np.stack(
            [(u_arr - 0.5) * self.width_px / f, (v_arr - 0.5) * self.height_px / f, np.ones_like(u_arr)],
            axis=-1,
        )
        return ray / np.linalg.norm(ray, axis=-1, keepdims=True)


@dataclass(frozen=True)
class CameraPose:
    """Where a camera is (NED, m) and how it is turned (camera-to-world rotation)."""

    position_ned_m: NDArray[np.float64]
    rotation_ned_from_camera: NDArray[np.float64] = field(repr=False)

    @classmethod
    def from_angles(
        cls, position_ned_m: ArrayLike, yaw_deg: float, pitch_deg: float, roll_deg: float = 0.0
    ) -> CameraPose:
        return cls(
            np.asarray(position_ned_m, dtype=float),
            rotation_ned_from_camera(yaw_deg, pitch_deg, roll_deg),
        )

    def camera_from_world(self, points_ned: ArrayLike) -> NDArray[np.float64]:
        """World points (..., 3) expressed in the camera frame."""
        offset = np.asarray(points_ned, dtype=float) - self.position_ned_m
        # R^T @ offset, broadcasting over leading dims of points and pose.
        return np.einsum("...ji,...j->...i", self.rotation_ned_from_camera, offset)

    def world_from_camera(self, points_cam: ArrayLike) -> NDArray[np.float64]:
        return (
            np.einsum("...ij,...j->...i", self.rotation_ned_from_camera, np.asarray(points_cam, dtype=float))
            + self.position_ned_m
        )

    @property
    def optical_axis_ned(self) -> NDArray[np.float64]:
        return self.rotation_ned_from_camera[..., :, 2]


def project_point(camera: PinholeCamera, pose: CameraPose, point_ned: ArrayLike) -> NDArray[np.float64]:
    """Normalised image coordinates (..., 2) of world point(s); NaN where behind the camera."""
    return camera.normalised_from_camera(pose.camera_from_world(point_ned))
