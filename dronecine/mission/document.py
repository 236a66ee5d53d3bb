"""The mission document: the root of a mission YAML."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from dronecine.mission.base import MissionModel
from dronecine.mission.drones import Character, Drone, Identifier
from dronecine.mission.geo import LocalFrame, Origin
from dronecine.mission.safety import Safety
from dronecine.mission.scenes import Scene
from dronecine.mission.subjects import Subject

SCHEMA_VERSION = 1


class Mission(MissionModel):
    """A whole shoot: where, who, which drones with which characters, and the scenes in order."""

    version: Literal[1] = Field(SCHEMA_VERSION, description="mission schema version")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    origin: Origin
    frame: LocalFrame = "local_ned"
    safety: Safety
    subjects: Annotated[tuple[Subject, ...], Field(min_length=1)]
    characters: Annotated[dict[Identifier, Character], Field(min_length=1)]
    drones: Annotated[tuple[Drone, ...], Field(min_length=1)]
    scenes: Annotated[tuple[Scene, ...], Field(min_length=1)]

    @field_validator("version", mode="before")
    @classmethod
    def _whole_version(cls, value: Any) -> Any:
        # Literal[1] alone takes true and 1.0 (both == 1): the version is a plain whole number.
        if isinstance(value, bool | float):
            raise PydanticCustomError("literal_error", "expected {expected}", {"expected": str(SCHEMA_VERSION)})
        return value

    @property
    def duration_s(self) -> float:
        return sum(scene.duration_s for scene in self.scenes)

    def scene_start_s(self, index: int) -> float:
        return sum(scene.duration_s for scene in self.scenes[:index])

    def subject(self, subject_id: str) -> Subject:
        return next(s for s in self.subjects if s.id == subject_id)

    def drone(self, drone_id: str) -> Drone:
        return next(d for d in self.drones if d.id == drone_id)

    def character_of(self, drone_id: str) -> Character:
        return self.characters[self.drone(drone_id).character]
