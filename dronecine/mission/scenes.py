"""Scenes in order, and per drone the shot it films in each."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dronecine.mission.base import MissionModel, Number
from dronecine.mission.drones import FramingSpec, Identifier
from dronecine.shots import MoveName, ShotError, ShotSize, build_move
from dronecine.shots.moves import CameraMove


class Pace(StrEnum):
    """How fast the edit cuts: a faster pace makes shorter takes and closer shots."""

    SLOW = "slow"
    MEDIUM = "medium"
    FAST = "fast"


class Priority(StrEnum):
    """What to keep when a drone is lost and its shots must go to others or be dropped."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class ShotSpec(MissionModel):
    drone: Identifier
    subject: Identifier
    move: Annotated[str, Field(json_schema_extra={"enum": [m.value for m in MoveName]})]
    size: ShotSize | None = Field(None, description="omitted: the drone character's first size")
    framing: FramingSpec | None = Field(None, description="omitted: the drone character's framing")
    params: dict[str, Number] = Field(default_factory=dict, description="the move's parameters (dronecine moves)")
    priority: Priority = Priority.NORMAL
    allow_drones_in_frame: tuple[Identifier, ...] = Field((), description="drones this shot may see")

    @field_validator("move")
    @classmethod
    def _known_move(cls, value: str) -> str:
        try:
            MoveName(value)
        except ValueError:
            expected = ", ".join(m.value for m in MoveName)
            message = f"{value!r} is not a camera move (expected one of: {expected})"
            raise PydanticCustomError("unknown_move", "{message}", {"message": message}) from None
        return value

    @model_validator(mode="after")
    def _params_fit_move(self) -> ShotSpec:
        try:
            build_move(self.move, self.params)
        except ShotError as error:
            subpath = ("params", error.key) if error.key else ("params",)
            raise PydanticCustomError("bad_param", "{message}", {"message": str(error), "subpath": subpath}) from None
        return self

    def camera_move(self) -> CameraMove:
        return build_move(self.move, self.params)


class Scene(MissionModel):
    name: Identifier
    description: str = ""
    duration_s: Annotated[Number, Field(gt=0.0, le=3600.0)]
    pace: Pace = Pace.MEDIUM
    shots: tuple[ShotSpec, ...] = ()
