"""A shot: a camera move, a size and a framing, turned into the camera's reference."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import PinholeCamera, pointing_to_place, pointing_towards
from dronecine.shots.framing import Framing
from dronecine.shots.moves import CameraMove
from dronecine.shots.sizes import ShotSize, horizontal_distance_for_height
from dronecine.shots.subject import SubjectState


@dataclass(frozen=True)
class ImageTarget:
    """Where the subject's box should be: centre (u, v) and height h, normalised."""

    u: float
    v: float
    h: float


@dataclass(frozen=True)
class CameraReference:
    """What a shot asks of the camera at one instant.

    ``yaw_deg`` and ``pitch_deg`` point the optical axis (level, no roll) so that the
    subject's box centre lands on ``target`` (u, v).
    """

    position_ned_m: NDArray[np.float64] = field(repr=False)
    offset_ned_m: NDArray[np.float64]
    yaw_deg: float
    pitch_deg: float
    target: ImageTarget


@dataclass(frozen=True)
class Shot:
    move: CameraMove
    size: ShotSize
    framing: Framing
    camera: PinholeCamera

    def horizontal_distance_m(self, camera_height_m: float, subject_height_m: float) -> float:
        """The distance at which the subject has this shot's size (for 'auto' parameters)."""
        return horizontal_distance_for_height(self.camera, self.size.target_height, camera_height_m, subject_height_m)

    def reference(self, t_s: float, subject: SubjectState, anchor: SubjectState) -> CameraReference:
        """The camera reference ``t_s`` seconds into the shot.

        ``subject`` is the subject now, ``anchor`` the subject when the shot started.
        """
        offset = self.move.offset_ned_m(
            t_s, subject, anchor, lambda height_m: self.horizontal_distance_m(height_m, subject.height_m)
        )
        position = subject.position_ned_m + offset
        aim = subject.aim_point_ned_m
        target_h = self.size.target_height if self.move.keeps_range else self._geometric_height(position, subject)
        centre_yaw, _ = pointing_towards(position, aim)
        camera_right = np.array([-np.sin(np.radians(centre_yaw)), np.cos(np.radians(centre_yaw)), 0.0])
        lateral_speed = float(subject.velocity_ned_m_s @ camera_right)
        target = ImageTarget(u=self.framing.target_u(lateral_speed), v=self.framing.target_v(target_h), h=target_h)
        yaw, pitch = pointing_to_place(self.camera, position, aim, target.u, target.v)
        return CameraReference(
            position_ned_m=position, offset_ned_m=offset, yaw_deg=float(yaw), pitch_deg=float(pitch), target=target
        )

    def _geometric_height(self, position: NDArray[np.float64], subject: SubjectState) -> float:
        """The box height the subject has when seen from ``position`` (moves that change range)."""
        slant = float(np.linalg.norm(subject.aim_point_ned_m - position))
        return self.camera.focal_px * subject.height_m / (max(slant, 1e-3) * self.camera.height_px)
