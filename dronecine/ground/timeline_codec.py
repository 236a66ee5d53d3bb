"""A drone's timeline as plain data (JSON on the agent protocol) and back.

A ``PlannedShot`` carries its ``ShotSpec`` whole (move, params, size, framing, priority), but not the
``Shot`` built from it: the receiving side rebuilds that from the mission it holds too
(``build_shot``), with the camera of the drone the spec names. So a shot the station hands to another
drone after a failure is rebuilt with that drone's lens. Both ends must hold the same mission: the
scene names travel with the shots and are checked against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dronecine.ground.errors import ProtocolError
from dronecine.ground.timeline import DroneTimeline, PlannedShot
from dronecine.mission.document import Mission
from dronecine.mission.resolve import build_shot
from dronecine.mission.scenes import Pace, ShotSpec

Vector3 = tuple[float, float, float]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedShotData(_Wire):
    scene_index: int = Field(ge=0)
    scene: str
    pace: Pace
    spec: dict[str, Any]  # the mission's ShotSpec, as JSON
    start_s: float
    end_s: float
    transit_s: float = Field(ge=0.0)
    assigned: bool = False
    depart_delay_s: float = Field(0.0, ge=0.0)
    via_ned_m: tuple[Vector3, ...] = ()


class TimelineData(_Wire):
    drone_id: str
    home_ned_m: Vector3
    takeoff_s: float
    takeoff_height_m: float = Field(gt=0.0)
    return_s: float
    landed_s: float
    shots: tuple[PlannedShotData, ...]


def planned_shot_to_dict(shot: PlannedShot) -> dict[str, Any]:
    return {
        "scene_index": shot.scene_index,
        "scene": shot.scene,
        "pace": shot.pace.value,
        "spec": shot.spec.model_dump(mode="json"),
        "start_s": float(shot.start_s),
        "end_s": float(shot.end_s),
        "transit_s": float(shot.transit_s),
        "assigned": shot.assigned,
        "depart_delay_s": float(shot.depart_delay_s),
        "via_ned_m": [[float(x) for x in p] for p in shot.via_ned_m],
    }


def timeline_to_dict(timeline: DroneTimeline) -> dict[str, Any]:
    return {
        "drone_id": timeline.drone_id,
        "home_ned_m": [float(x) for x in timeline.home_ned_m],
        "takeoff_s": float(timeline.takeoff_s),
        "takeoff_height_m": float(timeline.takeoff_height_m),
        "return_s": float(timeline.return_s),
        "landed_s": float(timeline.landed_s),
        "shots": [planned_shot_to_dict(s) for s in timeline.shots],
    }


def planned_shot_from_dict(data: dict[str, Any], mission: Mission) -> PlannedShot:
    """The shot, its ``Shot`` rebuilt from ``mission``; ``ProtocolError`` naming the problem."""
    try:
        wire = PlannedShotData.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(f"a planned shot is malformed: {_first_problem(error)}") from error
    return _planned_shot(wire, mission)


def timeline_from_dict(data: dict[str, Any], mission: Mission) -> DroneTimeline:
    """The timeline, every shot rebuilt from ``mission``; ``ProtocolError`` naming the problem."""
    try:
        wire = TimelineData.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(f"the timeline is malformed: {_first_problem(error)}") from error
    if wire.drone_id not in {d.id for d in mission.drones}:
        raise ProtocolError(f"the timeline is for drone {wire.drone_id!r}, which mission {mission.name!r} lacks")
    return DroneTimeline(
        drone_id=wire.drone_id,
        home_ned_m=np.array(wire.home_ned_m, dtype=float),
        takeoff_s=wire.takeoff_s,
        takeoff_height_m=wire.takeoff_height_m,
        shots=tuple(_planned_shot(s, mission) for s in wire.shots),
        return_s=wire.return_s,
        landed_s=wire.landed_s,
    )


def _planned_shot(wire: PlannedShotData, mission: Mission) -> PlannedShot:
    if wire.scene_index >= len(mission.scenes) or mission.scenes[wire.scene_index].name != wire.scene:
        raise ProtocolError(
            f"scene {wire.scene_index} {wire.scene!r} is not in mission {mission.name!r}: "
            "the station and the agent hold different missions"
        )
    try:
        spec = ShotSpec.model_validate(wire.spec)
    except ValidationError as error:
        raise ProtocolError(f"scene {wire.scene!r}: the shot spec is malformed: {_first_problem(error)}") from error
    if spec.drone not in {d.id for d in mission.drones} or spec.subject not in {s.id for s in mission.subjects}:
        raise ProtocolError(
            f"scene {wire.scene!r}: drone {spec.drone!r} or subject {spec.subject!r} is not in the mission"
        )
    return PlannedShot(
        scene_index=wire.scene_index,
        scene=wire.scene,
        pace=wire.pace,
        spec=spec,
        shot=build_shot(mission, spec),
        start_s=wire.start_s,
        end_s=wire.end_s,
        transit_s=wire.transit_s,
        assigned=wire.assigned,
        depart_delay_s=wire.depart_delay_s,
        via_ned_m=wire.via_ned_m,
    )


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top)"
    return f"{where}: {first['msg']}"
