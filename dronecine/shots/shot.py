"""A shot: a camera move, a size and a framing, turned into the camera's reference."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera, pointing_to_place, pointing_towards, project_person
from dronecine.shots.framing import Framing
from dronecine.shots.moves import CameraMove
from dronecine.shots.sizes import ShotSize, horizontal_distance_for_height
from dronecine.shots.subject import SubjectState

# A level camera (no roll) looking steeply down can put the subject off-centre horizontally
# only by turning away from it, and not at all beyond its reach (see ``Shot._reachable_u``). Below
# this reach, horizontal offsets (thirds, lead room) shrink in proportion, so that near a
# top-down view the camera does not swing round as the lead room changes side...
_STEEP_REACH = 0.25
# ... and an offset never uses more than this fraction of the reach (the camera turns at
# most about asin(0.8) = 53 degrees away from the subject's bearing to place it).
_MAX_REACH_FRACTION = 0.8
# Pointing puts the body's centre where the box centre should be, then corrects for the
# perspective that shifts the box off the body's centre (large when close and steep). Always
# the same number of corrections: stopping early once "close enough" would make the pointing
# jump whenever the error crosses the threshold (by a degree of yaw in a steep view).
_BOX_CENTRE_CORRECTIONS = 2


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
        target_v = self.framing.target_v(target_h)
        target_u = self._reachable_u(self.framing.target_u(lateral_speed), target_v, position, aim)
        target = ImageTarget(u=target_u, v=target_v, h=target_h)
        yaw, pitch = self._pointing(position, subject, target)
        return CameraReference(
            position_ned_m=position, offset_ned_m=offset, yaw_deg=float(yaw), pitch_deg=float(pitch), target=target
        )

    def _geometric_height(self, position: NDArray[np.float64], subject: SubjectState) -> float:
        """The box height the subject has when seen from ``position`` (moves that change range)."""
        slant = float(np.linalg.norm(subject.aim_point_ned_m - position))
        return self.camera.focal_px * subject.height_m / (max(slant, 1e-3) * self.camera.height_px)

    def _reachable_u(self, u: float, v: float, position: NDArray[np.float64], aim: NDArray[np.float64]) -> float:
        """u* limited to what a level camera can do for a subject seen steeply from above or below.

        With no roll, the camera's x axis stays horizontal, so a ray through (u, v) dips at most
        acos(|x| / |ray|) below the horizon: a subject at depression delta can sit at most
        ``reach = (f / W) |cot delta| sqrt(1 + y^2)`` from the centre column, and getting close
        to that turns the camera far away from the subject.
        """
        d = aim - position
        cot = math.hypot(d[0], d[1]) / max(abs(d[2]), 1e-9)
        y = (v - 0.5) * self.camera.height_px / self.camera.focal_px
        reach = self.camera.focal_px / self.camera.width_px * cot * math.sqrt(1.0 + y * y)
        limit = _MAX_REACH_FRACTION * reach
        if reach >= _STEEP_REACH and abs(u - 0.5) <= limit:
            return u  # the usual case: untouched
        offset = (u - 0.5) * min(1.0, reach / _STEEP_REACH)
        return 0.5 + min(max(offset, -limit), limit)

    def _pointing(
        self, position: NDArray[np.float64], subject: SubjectState, target: ImageTarget
    ) -> tuple[float, float]:
        """(yaw, pitch) that put the subject's box centre (not its body's centre) on the target."""
        aim_u, aim_v = target.u, target.v
        for correction in range(_BOX_CENTRE_CORRECTIONS + 1):
            yaw, pitch = pointing_to_place(self.camera, position, subject.aim_point_ned_m, aim_u, aim_v)
            if correction == _BOX_CENTRE_CORRECTIONS:
                break
            pose = CameraPose.from_angles(position, float(yaw), float(pitch))
            box = project_person(self.camera, pose, subject.position_ned_m, subject.height_m)
            if box is None:  # part of the subject behind the camera: no box to place
                break
            aim_u, aim_v = aim_u + target.u - box.u, aim_v + target.v - box.v
        return float(yaw), float(pitch)
