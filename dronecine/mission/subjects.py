"""Subjects: who is filmed, how a drone finds them, and (for simulation) how they move.

A subject's motion is a list of segments played in order, each a named script; a segment
starts where the previous one ended. The scripts are the simulator's: it adds the
randomness (a random walk's path, a stop's exact length), while ``dronecine.mission.motion``
gives the nominal path that planning and validation use.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import Field

from dronecine.mission.base import MissionModel, Number
from dronecine.mission.geo import NorthEast

Speed = Annotated[Number, Field(gt=0.0, le=12.0)]
Duration = Annotated[Number | None, Field(gt=0.0, le=86_400.0, description="seconds; omitted: until the end")]


class SubjectClass(StrEnum):
    PERSON = "person"
    CAR = "car"


class AcquireRule(StrEnum):
    """How a drone picks its subject among the detections when it first looks."""

    NEAREST_EXPECTED = "nearest_expected"  # the one nearest where the mission expects the subject
    LARGEST = "largest"
    MOST_CENTRAL = "most_central"


class Acquire(MissionModel):
    rule: AcquireRule = AcquireRule.NEAREST_EXPECTED
    within_m: Annotated[Number, Field(gt=0.0, le=500.0, description="gate for nearest_expected")] = 15.0


class Stand(MissionModel):
    """Stand still, facing the current heading."""

    script: Literal["stand"]
    duration_s: Duration = None


class Waypoints(MissionModel):
    """Walk through the waypoints in order at a steady speed, then stand."""

    script: Literal["waypoints"]
    waypoints: Annotated[tuple[NorthEast, ...], Field(min_length=1)]
    speed_m_s: Speed = 1.4
    loop: bool = False
    duration_s: Duration = None


class Run(MissionModel):
    """Run through the waypoints (a waypoints walk at running pace, with a runner's bounce)."""

    script: Literal["run"]
    waypoints: Annotated[tuple[NorthEast, ...], Field(min_length=1)]
    speed_m_s: Speed = 4.0
    duration_s: Duration = None


class StopAndGo(MissionModel):
    """Walk through the waypoints, stopping for about ``stop_s`` every ``walk_s``."""

    script: Literal["stop_and_go"]
    waypoints: Annotated[tuple[NorthEast, ...], Field(min_length=1)]
    speed_m_s: Speed = 1.4
    walk_s: Annotated[Number, Field(gt=0.0, le=600.0)] = 6.0
    stop_s: Annotated[Number, Field(gt=0.0, le=600.0)] = 3.0
    duration_s: Duration = None


class RandomWalk(MissionModel):
    """Wander at random within ``radius_m`` of where the segment starts."""

    script: Literal["random_walk"]
    speed_m_s: Speed = 1.0
    radius_m: Annotated[Number, Field(gt=0.0, le=500.0)] = 10.0
    duration_s: Duration = None


class SuddenTurns(MissionModel):
    """Walk straight, turning sharply by up to ``max_turn_deg`` every ``turn_every_s``, within ``radius_m``."""

    script: Literal["sudden_turns"]
    speed_m_s: Speed = 1.4
    turn_every_s: Annotated[Number, Field(gt=0.0, le=600.0)] = 5.0
    max_turn_deg: Annotated[Number, Field(gt=0.0, le=180.0)] = 120.0
    radius_m: Annotated[Number, Field(gt=0.0, le=500.0)] = 15.0
    duration_s: Duration = None


class WalkWith(MissionModel):
    """Walk beside another subject, ``side_m`` to its right (negative: its left)."""

    script: Literal["walk_with"]
    subject: str
    side_m: Annotated[Number, Field(ge=-20.0, le=20.0)] = 1.0
    duration_s: Duration = None


class Meet(MissionModel):
    """Walk towards another subject until ``stop_distance_m`` from it, then stand facing it."""

    script: Literal["meet"]
    subject: str
    speed_m_s: Speed = 1.4
    stop_distance_m: Annotated[Number, Field(gt=0.0, le=50.0)] = 1.2
    duration_s: Duration = None


class Chase(MissionModel):
    """Run after another subject at ``speed_m_s``."""

    script: Literal["chase"]
    subject: str
    speed_m_s: Speed = 4.5
    catch_distance_m: Annotated[Number, Field(gt=0.0, le=50.0)] = 1.0
    duration_s: Duration = None


MotionSegment = Annotated[
    Stand | Waypoints | Run | StopAndGo | RandomWalk | SuddenTurns | WalkWith | Meet | Chase,
    Field(discriminator="script"),
]
# The script names, read from the segment models so the list cannot drift from them.
MOTION_SCRIPTS: tuple[str, ...] = tuple(
    get_args(segment.model_fields["script"].annotation)[0] for segment in get_args(get_args(MotionSegment)[0])
)


class Subject(MissionModel):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    kind: Annotated[SubjectClass, Field(alias="class")] = SubjectClass.PERSON
    height_m: Annotated[Number, Field(gt=0.3, le=5.0)] = 1.75
    acquire: Acquire = Acquire()
    start: NorthEast
    heading_deg: Annotated[Number, Field(ge=-360.0, le=360.0)] = 0.0
    motion: tuple[MotionSegment, ...] = ()
