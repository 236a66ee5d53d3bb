"""A shot: a camera move, a size and a framing, turned into the camera's reference."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import PERSON_HEIGHT_M, PinholeCamera
from dronecine.shots.framing import Framing
from dronecine.shots.moves import CameraMove
from dronecine.shots.reference import ShotSettings, camera_references
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

    @property
    def settings(self) -> ShotSettings:
        """Its size and framing as numbers (what ``camera_references`` takes)."""
        framing = self.framing
        return ShotSettings(
            target_height=self.size.target_height,
            keeps_range=self.move.keeps_range,
            composition_u=framing.composition.u,
            lead_room=framing.lead_room,
            lead_speed_m_s=framing.lead_speed_m_s,
            headroom=framing.headroom_or_nan,
        )

    def resolve_auto(self, subject_height_m: float = PERSON_HEIGHT_M) -> Shot:
        """This shot with its move's 'auto' distances in metres, for a subject ``subject_height_m`` tall.

        An 'auto' distance depends on a height parameter of the move, never on the live camera
        height, so it is fixed for the whole shot: resolving it once gives the same references.
        """
        move = self.move.resolve_auto(lambda height_m: self.horizontal_distance_m(height_m, subject_height_m))
        return self if move is self.move else dataclasses.replace(self, move=move)

    def reference(self, t_s: float, subject: SubjectState, anchor: SubjectState) -> CameraReference:
        """The camera reference ``t_s`` seconds into the shot.

        ``subject`` is the subject now, ``anchor`` the subject when the shot started. The same
        code as ``ShotBatch.reference`` (many drones at once), with no batch dimension.
        """
        offset = self.move.offset_ned_m(
            t_s, subject, anchor, lambda height_m: self.horizontal_distance_m(height_m, subject.height_m)
        )
        refs = camera_references(self.camera, offset, subject, self.settings)
        return CameraReference(
            position_ned_m=refs.position_ned_m,
            offset_ned_m=offset,
            yaw_deg=float(refs.yaw_deg),
            pitch_deg=float(refs.pitch_deg),
            target=ImageTarget(u=float(refs.target_u), v=float(refs.target_v), h=float(refs.target_h)),
        )
