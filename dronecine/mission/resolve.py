"""From a shot as written in the mission to a ``Shot`` of the shot language."""

from __future__ import annotations

from dronecine.mission.document import Mission
from dronecine.mission.scenes import ShotSpec
from dronecine.shots import Shot


def build_shot(mission: Mission, spec: ShotSpec) -> Shot:
    """The shot, with the size and framing the drone's character gives when the shot leaves them out."""
    drone = mission.drone(spec.drone)
    character = mission.characters[drone.character]
    framing = (spec.framing or character.framing).framing()
    return Shot(spec.camera_move(), spec.size or character.sizes[0], framing, drone.camera.pinhole())
