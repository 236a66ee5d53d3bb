"""What the dashboard draws that does not change during a shoot: the set (geofence, ceiling and
floor), each drone's home, lens and timeline, the subjects' scripted paths and the scenes.

``set_view(plan)`` is plain JSON data (``GET /api/set``, docs/dashboard.md); a shoot writes it as
``set.json`` in its run folder so that a replay needs nothing but the folder.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dronecine.ground.timeline import ShootPlan
from dronecine.mission.motion import SubjectPath, nominal_paths

# The report's colours (dronecine.report.figures), so a drone looks the same on the page and in the report.
DRONE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
SUBJECT_COLOURS = ("#e8e8e8", "#d9a066", "#b99be0", "#e07a5f")
PATH_POINTS = 400  # a scripted path is drawn from at most this many points
SET_FILE = "set.json"
_SHOT_KEYS = ("scene", "scene_index", "subject", "move", "size", "start_s", "end_s", "transit_s")


def set_view(plan: ShootPlan, paths: dict[str, SubjectPath] | None = None) -> dict[str, Any]:
    """The set, the drones and the subjects of ``plan`` as plain data."""
    mission = plan.mission
    paths = paths if paths is not None else nominal_paths(mission)
    safety = mission.safety
    planned = {t["drone"]: t for t in plan.to_json()["drones"]}
    drones = []
    for index, timeline in enumerate(plan.timelines):
        drone = mission.drone(timeline.drone_id)
        entry = planned[timeline.drone_id]
        drones.append(
            {
                "drone": timeline.drone_id,
                "colour": DRONE_COLOURS[index % len(DRONE_COLOURS)],
                "home_ne_m": [round(float(x), 2) for x in timeline.home_ned_m[:2]],
                "hfov_deg": float(drone.camera.hfov_deg),
                "timeline": {
                    "takeoff_s": entry["takeoff_s"],
                    "return_s": entry["return_s"],
                    "landed_s": entry["landed_s"],
                    "shots": [{key: shot[key] for key in _SHOT_KEYS} for shot in entry["shots"]],
                },
            }
        )
    subjects = [
        {
            "subject": subject.id,
            "colour": SUBJECT_COLOURS[index % len(SUBJECT_COLOURS)],
            "path_ne_m": _decimated(paths[subject.id].position_ned_m[:, :2]),
        }
        for index, subject in enumerate(mission.subjects)
    ]
    return {
        "mission": mission.name,
        "mode": "live",
        "replay_ready": False,
        "geofence_ne_m": [[float(p.north_m), float(p.east_m)] for p in safety.geofence],
        "ceiling_m": float(safety.ceiling_m),
        "floor_m": float(safety.floor_m),
        "preroll_s": plan.preroll_s,
        "end_s": plan.end_s,
        "abort_action": safety.abort_action.value,
        "scenes": _scenes(plan),
        "drones": drones,
        "subjects": subjects,
    }


def subjects_at(paths: dict[str, SubjectPath], t_s: float) -> dict[str, list[float]]:
    """Where the mission's scripts put each subject at ``t_s`` (the field station knows no better)."""
    out = {}
    for subject_id, path in paths.items():
        position = path.position_ned_m[path.index_at(max(t_s, 0.0))]
        out[subject_id] = [round(float(position[0]), 2), round(float(position[1]), 2)]
    return out


def _scenes(plan: ShootPlan) -> list[dict[str, Any]]:
    mission = plan.mission
    return [
        {
            "scene": scene.name,
            "start_s": float(mission.scene_start_s(k)),
            "end_s": float(mission.scene_start_s(k) + scene.duration_s),
        }
        for k, scene in enumerate(mission.scenes)
    ]


def _decimated(points: np.ndarray) -> list[list[float]]:
    step = max(1, int(np.ceil(len(points) / PATH_POINTS)))
    kept = points[::step]
    if len(points) and (len(points) - 1) % step:
        kept = np.vstack([kept, points[-1:]])  # the path ends where the script does
    return [[round(float(n), 2), round(float(e), 2)] for n, e in kept]
