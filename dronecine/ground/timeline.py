"""A shoot's plan: per drone, the take-off, each scene's shot and the way home, on one clock.

Mission time ``t_s`` 0 is "action!" (the first scene starts). Drones take off, staggered, during
a pre-roll before it and fly to their first marks; between scenes each flies from where its shot
ended to the next shot's start; after the last scene they return home and land, staggered again.
``predicted_ned_m`` samples where the plan expects each drone every ``sample_dt_s``: the
deconfliction checks and the report read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dronecine.mission.document import Mission
from dronecine.mission.scenes import Pace, Priority, ShotSpec
from dronecine.shots import Shot

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PlannedShot:
    """One drone's shot in one scene. ``assigned``: the planner chose it from the drone's character
    (the mission left the drone free in this scene). ``transit_s``: the planned flight from the
    previous shot's end to this shot's start, from the scene's start to arriving (0 for the first
    scene: the pre-roll brought the drone to its marks); it may wait ``depart_delay_s`` and fly via
    ``via_ned_m`` when the straight flight would cross another drone's."""

    scene_index: int
    scene: str
    pace: Pace
    spec: ShotSpec
    shot: Shot
    start_s: float
    end_s: float
    transit_s: float
    assigned: bool = False
    depart_delay_s: float = 0.0  # the transit waits this long after the scene starts (another drone passes)
    via_ned_m: tuple[tuple[float, float, float], ...] = ()  # the transit's detour, if it needs one

    @property
    def subject_id(self) -> str:
        return self.spec.subject

    @property
    def priority(self) -> Priority:
        return self.spec.priority


@dataclass(frozen=True)
class DroneTimeline:
    """A drone's day: take off at ``takeoff_s`` (negative: before action), fly its ``shots`` in
    scene order (a scene without one for this drone: it holds where it is), land by ``landed_s``."""

    drone_id: str
    home_ned_m: FloatArray
    takeoff_s: float
    takeoff_height_m: float
    shots: tuple[PlannedShot, ...]
    return_s: float
    landed_s: float


@dataclass(frozen=True)
class ShootPlan:
    """Every drone's timeline, the pre-roll before action, and the predicted paths behind the checks."""

    mission: Mission
    timelines: tuple[DroneTimeline, ...]
    preroll_s: float
    end_s: float  # the last drone has landed
    sample_dt_s: float
    sample_t_s: FloatArray  # (T,)
    predicted_ned_m: FloatArray  # (D, T, 3), drones in ``timelines`` order
    min_predicted_separation_m: float
    predicted_visibility: tuple[str, ...]  # one line per shot that will likely see another drone

    def timeline(self, drone_id: str) -> DroneTimeline:
        for timeline in self.timelines:
            if timeline.drone_id == drone_id:
                return timeline
        raise KeyError(drone_id)

    def to_json(self) -> dict[str, Any]:
        """The plan as plain data (``plan.json``)."""
        return {
            "mission": self.mission.name,
            "preroll_s": self.preroll_s,
            "end_s": self.end_s,
            "min_predicted_separation_m": round(self.min_predicted_separation_m, 2),
            "predicted_visibility": list(self.predicted_visibility),
            "drones": [
                {
                    "drone": t.drone_id,
                    "home_ned_m": [round(float(x), 2) for x in t.home_ned_m],
                    "takeoff_s": t.takeoff_s,
                    "takeoff_height_m": t.takeoff_height_m,
                    "return_s": t.return_s,
                    "landed_s": t.landed_s,
                    "shots": [
                        {
                            "scene": s.scene,
                            "scene_index": s.scene_index,
                            "pace": s.pace.value,
                            "subject": s.subject_id,
                            "move": s.spec.move,
                            "size": s.shot.size.value,
                            "params": dict(s.spec.params),
                            "priority": s.priority.value,
                            "start_s": s.start_s,
                            "end_s": s.end_s,
                            "transit_s": round(s.transit_s, 2),
                            "depart_delay_s": s.depart_delay_s,
                            "via_ned_m": [list(p) for p in s.via_ned_m],
                            "assigned": s.assigned,
                        }
                        for s in t.shots
                    ],
                }
                for t in self.timelines
            ],
        }
