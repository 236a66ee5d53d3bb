"""Camera-motion compensation from the drone's own pose: where something standing on the ground, seen
at a pixel in the previous frame, appears in this one.

A camera drone pans and tilts fast while it frames. At 10 frames/s a thin person box then moves more
than its own width between two frames, so IoU matching (ByteTrack) and the lock's image-space Kalman
filter lose a subject the detector finds in every frame. BoT-SORT estimates that motion from the
image (sparse optical flow: costly, and fooled by a textureless field); the agent knows it from its
own telemetry, so the trackers are told it instead, as ultralytics applies its GMC warp: before
matching, every track's predicted box moves (and grows or shrinks) as the camera's motion moves it.

People stand on the ground, so a box's foot point is carried through the ground under it: this
holds for the drone's translation (parallax) as well as its rotation. A foot whose ray misses the
ground (above the horizon) moves by the rotation alone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.ground import ground_point_under_pixel

FloatArray = NDArray[np.float64]
_FAR_M = 1e4  # a ray that misses the ground: a point this far along it moves by the rotation alone
_MAX_SCALE_STEP = 1.5  # one frame's change of a box's size is bounded (a foot near the horizon is ill-conditioned)


class CameraMotion:
    """The camera moved from ``previous`` to ``current`` between two frames of ``width_px`` x ``height_px``."""

    def __init__(
        self, camera: PinholeCamera, previous: CameraPose, current: CameraPose, width_px: int, height_px: int
    ) -> None:
        self.camera, self.previous, self.current = camera, previous, current
        self.width_px, self.height_px = width_px, height_px

    def move_boxes(self, centre_px: FloatArray, height_px: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Box centres (K, 2) and heights (K,) in pixels of the previous frame, carried into this frame;
        a box whose foot is not seen from the new pose (behind the camera) stays where it was."""
        centre = np.asarray(centre_px, dtype=float).reshape(-1, 2)
        height = np.asarray(height_px, dtype=float).reshape(-1)
        foot_u = centre[:, 0] / self.width_px
        foot_v = (centre[:, 1] + height / 2.0) / self.height_px
        ground = ground_point_under_pixel(self.camera, self.previous, foot_u, foot_v)
        far = self.previous.world_from_camera(self.camera.ray_from_normalised(foot_u, foot_v) * _FAR_M)
        on_ground = np.isfinite(ground).all(axis=1)
        foot_ned = np.where(on_ground[:, None], ground, far)
        depth_before = self.previous.camera_from_world(foot_ned)[:, 2]
        depth_now = self.current.camera_from_world(foot_ned)[:, 2]
        uv = self.camera.normalised_from_camera(self.current.camera_from_world(foot_ned))
        seen = np.isfinite(uv).all(axis=1) & (depth_now > 0.0)
        scale = np.where(seen & on_ground, depth_before / np.where(seen, depth_now, 1.0), 1.0)
        scale = np.clip(scale, 1.0 / _MAX_SCALE_STEP, _MAX_SCALE_STEP)
        new_height = height * scale
        moved = np.stack([uv[:, 0] * self.width_px, uv[:, 1] * self.height_px - new_height / 2.0], axis=1)
        return np.where(seen[:, None], moved, centre), np.where(seen, new_height, height)

    def move_states(self, means: FloatArray, aspect_height: bool) -> FloatArray:
        """Kalman states (K, 8) of image boxes, moved: ``aspect_height`` for ultralytics' XYAH layout
        (x, y, aspect, height, velocities), else XYWH (x, y, width, height, velocities). Velocities are
        the subjects' own motion in the image, left as they are."""
        out = np.array(means, dtype=float, copy=True).reshape(-1, 8)
        centre, height = self.move_boxes(out[:, :2], out[:, 3])
        scale = height / np.maximum(out[:, 3], 1e-9)
        out[:, :2] = centre
        out[:, 3] = height
        if not aspect_height:
            out[:, 2] *= scale  # the width scales with the height; an aspect ratio does not change
        return out
