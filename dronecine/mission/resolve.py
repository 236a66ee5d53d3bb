"""From a shot as written in the mission to a ``Shot`` of the shot language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.mission.document import Mission
from dronecine.mission.motion import SubjectPath
from dronecine.mission.scenes import ShotSpec
from dronecine.shots import CameraReference, Shot

SAMPLE_DT_S = 0.5


def build_shot(mission: Mission, spec: ShotSpec) -> Shot:
    """The shot, with the size and framing the drone's character gives when the shot leaves them out."""
    drone = mission.drone(spec.drone)
    character = mission.characters[drone.character]
    framing = (spec.framing or character.framing).framing()
    return Shot(spec.camera_move(), spec.size or character.sizes[0], framing, drone.camera.pinhole())


@dataclass(frozen=True)
class ShotTrack:
    """A shot's references sampled over its scene: ``times_s`` from the scene start."""

    times_s: NDArray[np.float64]
    references: tuple[CameraReference, ...]

    @property
    def positions_ned_m(self) -> NDArray[np.float64]:
        return np.array([r.position_ned_m for r in self.references])


def fly_shot(
    mission: Mission, scene_index: int, spec: ShotSpec, paths: dict[str, SubjectPath], dt_s: float = SAMPLE_DT_S
) -> ShotTrack:
    """The shot's camera references over its scene, along its subject's nominal path."""
    start_s = mission.scene_start_s(scene_index)
    times = np.arange(0.0, mission.scenes[scene_index].duration_s + 1e-9, dt_s)
    shot = build_shot(mission, spec)
    path = paths[spec.subject]
    anchor = path.state_at(start_s)
    return ShotTrack(times, tuple(shot.reference(float(t), path.state_at(start_s + t), anchor) for t in times))
