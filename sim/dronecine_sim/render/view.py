"""One frame's camera: world-to-camera transform, projection to OpenCV pixels, polygon clipping.

OpenCV pixel coordinates put pixel (i, j)'s centre at (j, i); in normalised image coordinates
(``u`` 0..1 across the whole frame, see ``dronecine.geometry``) that pixel is at ``(j + 0.5) / W``.
Drawing uses fixed-point coordinates with ``SHIFT`` fractional bits so shapes land sub-pixel exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.camera import NEAR_PLANE_M
from dronecine_sim.render.errors import RenderError

FloatArray = NDArray[np.float64]

SHIFT = 4
SCALE = float(1 << SHIFT)
# Polygons are also clipped to this many half-widths/heights around the image centre, so that a
# vertex just beyond the near plane does not project to millions of pixels.
_GUARD_BAND = 3.0


@dataclass(frozen=True, eq=False)
class View:
    """The camera of one frame. ``rotation_ned_from_camera`` columns are the camera axes in NED."""

    camera: PinholeCamera
    eye_ned_m: FloatArray
    rotation_ned_from_camera: FloatArray

    @classmethod
    def of(cls, camera: PinholeCamera, pose: CameraPose) -> View:
        eye = np.asarray(pose.position_ned_m, dtype=float)
        rotation = np.asarray(pose.rotation_ned_from_camera, dtype=float)
        if eye.shape != (3,) or rotation.shape != (3, 3):
            raise RenderError(
                f"render needs one pose: position (3,) and rotation (3, 3), got {eye.shape}, {rotation.shape}"
            )
        if not (np.isfinite(eye).all() and np.isfinite(rotation).all()):
            raise RenderError("render pose must be finite")
        return cls(camera, eye, rotation)

    @property
    def focal_px(self) -> float:
        return self.camera.focal_px

    @property
    def centre_px(self) -> tuple[float, float]:
        """The principal point in OpenCV pixel coordinates."""
        return self.camera.width_px / 2.0 - 0.5, self.camera.height_px / 2.0 - 0.5

    def to_camera(self, points_ned: FloatArray) -> FloatArray:
        """World points (..., 3) in the camera frame (x right, y down, z forward)."""
        return (points_ned - self.eye_ned_m) @ self.rotation_ned_from_camera

    def project(self, points_cam: FloatArray) -> FloatArray:
        """Camera-frame points (..., 3) in front of the camera to OpenCV pixel coordinates (..., 2)."""
        cx, cy = self.centre_px
        z = points_cam[..., 2]
        return np.stack([self.focal_px * points_cam[..., 0] / z + cx, self.focal_px * points_cam[..., 1] / z + cy], -1)

    def fixed_point(self, points_px: FloatArray) -> NDArray[np.int32]:
        """Pixel coordinates as the int32 fixed point OpenCV's drawing takes with ``shift=SHIFT``."""
        return np.round(points_px * SCALE).astype(np.int32)

    def clip_polygon(self, polygon_cam: FloatArray) -> FloatArray:
        """A convex polygon (M, 3) in the camera frame clipped to ``z > near`` (Sutherland-Hodgman) and,
        where it reaches far outside the frame, to a guard band; (M', 3), empty when nothing is left."""
        polygon = clip_convex(polygon_cam, np.array([0.0, 0.0, 1.0]), -NEAR_PLANE_M)
        if len(polygon) < 3:
            return polygon[:0]
        gx, gy = self._guard_slopes
        x, y, z = polygon[:, 0], polygon[:, 1], polygon[:, 2]
        if (np.abs(x) > gx * z).any() or (np.abs(y) > gy * z).any():
            for normal in ([1.0, 0.0, gx], [-1.0, 0.0, gx], [0.0, 1.0, gy], [0.0, -1.0, gy]):
                polygon = clip_convex(polygon, np.array(normal), 0.0)
                if len(polygon) < 3:
                    return polygon[:0]
        return polygon

    @property
    def _guard_slopes(self) -> tuple[float, float]:
        """|x| / z and |y| / z at the guard band's edges."""
        return (
            _GUARD_BAND * self.camera.width_px / 2.0 / self.focal_px,
            _GUARD_BAND * self.camera.height_px / 2.0 / self.focal_px,
        )

    def clip_segments(self, segments_cam: FloatArray) -> FloatArray:
        """Segments (L, 2, 3) in the camera frame clipped to ``z > near`` and the guard band (Liang-Barsky);
        (L', 2, 3), the segments with nothing left dropped."""
        gx, gy = self._guard_slopes
        # Planes n . p + d >= 0: the near plane and the four sides of the guard band.
        normals = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, gx], [-1.0, 0.0, gx], [0.0, 1.0, gy], [0.0, -1.0, gy]])
        offsets = np.array([-NEAR_PLANE_M, 0.0, 0.0, 0.0, 0.0])
        start = segments_cam[:, 0] @ normals.T + offsets  # (L, 5)
        end = segments_cam[:, 1] @ normals.T + offsets
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = start / (start - end)
        t_low = np.where(start < 0.0, crossing, 0.0).max(axis=1)
        t_high = np.where(end < 0.0, crossing, 1.0).min(axis=1)
        keep = ~((start < 0.0) & (end < 0.0)).any(axis=1) & (t_low < t_high)
        first, direction = segments_cam[keep, 0], segments_cam[keep, 1] - segments_cam[keep, 0]
        return np.stack([first + t_low[keep, None] * direction, first + t_high[keep, None] * direction], axis=1)


def clip_convex(polygon: FloatArray, normal: FloatArray, offset: float) -> FloatArray:
    """Keep the part of a convex polygon where ``normal . p + offset >= 0`` (one Sutherland-Hodgman pass)."""
    side = polygon @ normal + offset
    inside = side >= 0.0
    if inside.all():
        return polygon
    if not inside.any():
        return polygon[:0]
    kept = []
    count = len(polygon)
    for i in range(count):
        j = (i + 1) % count
        if inside[i]:
            kept.append(polygon[i])
        if inside[i] != inside[j]:
            t = side[i] / (side[i] - side[j])
            kept.append(polygon[i] + t * (polygon[j] - polygon[i]))
    return np.array(kept)
