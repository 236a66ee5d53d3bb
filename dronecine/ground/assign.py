"""Shots for drones a scene leaves free, chosen by the drone's character.

A free drone films the subject fewest other drones film in that scene, with its character's first
size and the first of its moves, at the middle of its height band, that can be flown (the same
feasibility checks as the mission's own shots) and keeps clear of the scene's other shots by
``safety.min_separation_m`` with a margin. The bearing is tried from the move's default round the
subject, so two free drones on one subject do not pile up.
"""

from __future__ import annotations

import logging

from dronecine.ground.deconflict import closest_approach_m
from dronecine.mission.document import Mission
from dronecine.mission.feasibility import shot_problem
from dronecine.mission.motion import SubjectPath
from dronecine.mission.resolve import fly_shot
from dronecine.mission.scenes import ShotSpec
from dronecine.shots.moves import MOVES
from dronecine.shots.params import param_specs

logger = logging.getLogger(__name__)

_BEARING_TRIES_DEG = (0.0, 90.0, -90.0, 180.0, 45.0, -45.0, 135.0, -135.0)
_CLEARANCE_MARGIN_M = 4.0


def free_drone_shot(
    mission: Mission, scene_index: int, drone_id: str, paths: dict[str, SubjectPath]
) -> ShotSpec | None:
    """A shot for ``drone_id`` in the scene, or None when none of its character's moves fits."""
    scene = mission.scenes[scene_index]
    character = mission.character_of(drone_id)
    filmed = {s.id: 0 for s in mission.subjects}
    for spec in scene.shots:
        filmed[spec.subject] += 1
    subject = min(filmed, key=lambda sid: (filmed[sid], list(filmed).index(sid)))
    others = [fly_shot(mission, scene_index, spec, paths).positions_ned_m for spec in scene.shots]
    height = (character.height_m.min + character.height_m.max) / 2.0
    for move in character.moves:
        names = {p.name: p for p in param_specs(MOVES[move])}
        base: dict[str, float] = {}
        for key in ("height_m", "start_height_m"):
            if key in names:
                base[key] = height
        bearing_key = next((k for k in ("bearing_deg", "start_bearing_deg", "side_deg") if k in names), None)
        default_bearing = float(names[bearing_key].default or 0.0) if bearing_key else 0.0
        for turn in _BEARING_TRIES_DEG if bearing_key else (0.0,):
            params = dict(base)
            if bearing_key:
                params[bearing_key] = float((default_bearing + turn + 180.0) % 360.0 - 180.0)
            spec = _spec(drone_id, subject, move.value, character.sizes[0], params)
            if spec is None or shot_problem(mission, scene_index, spec, paths):
                continue
            mine = fly_shot(mission, scene_index, spec, paths).positions_ned_m
            clearance_m = mission.safety.min_separation_m + _CLEARANCE_MARGIN_M
            if all(closest_approach_m(mine, theirs) >= clearance_m for theirs in others):
                logger.info("scene %s: %s is free; it films %s with %s %s", scene.name, drone_id, subject, move, params)
                return spec
    logger.warning("scene %s: no move of %s's character fits; it holds", scene.name, drone_id)
    return None


def _spec(drone_id: str, subject: str, move: str, size, params: dict[str, float]) -> ShotSpec | None:
    try:
        return ShotSpec(drone=drone_id, subject=subject, move=move, size=size, params=params)
    except ValueError:  # the character's height is outside this move's range: try the next
        return None
