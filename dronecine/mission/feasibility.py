"""Can each shot be flown? Its reference over the scene, against the safety limits.

Each shot's camera reference is sampled over its scene with the subjects' nominal paths
and must stay inside the geofence (shrunk by how far a wandering subject may stray),
between floor and ceiling, within the speed limits (averaged over a short window: a
drone may lag its reference briefly at a corner) and within the gimbal's pitch range.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import shapely

from dronecine.mission.checks import Finding, geofence_polygon
from dronecine.mission.document import Mission
from dronecine.mission.motion import SubjectPath, nominal_paths
from dronecine.mission.resolve import SAMPLE_DT_S, fly_shot
from dronecine.mission.scenes import ShotSpec

SPEED_WINDOW_S = 2.0
_SPEED_TOLERANCE = 1.05


def feasibility_errors(mission: Mission, paths: dict[str, SubjectPath] | None = None) -> Iterator[Finding]:
    paths = paths if paths is not None else nominal_paths(mission)
    fence = geofence_polygon(mission)
    for i, scene in enumerate(mission.scenes):
        for j, spec in enumerate(scene.shots):
            problem = shot_problem(mission, i, spec, paths, fence)
            if problem:
                yield ("scenes", i, "shots", j), problem


def shot_problem(
    mission: Mission,
    scene_index: int,
    spec: ShotSpec,
    paths: dict[str, SubjectPath],
    fence: shapely.Polygon | None = None,
) -> str | None:
    """Why ``spec`` cannot be flown in scene ``scene_index`` (geofence, floor and ceiling, speeds,
    gimbal pitch), or None when it can."""
    fence = fence if fence is not None else geofence_polygon(mission)
    safety = mission.safety
    start_s = mission.scene_start_s(scene_index)
    track = fly_shot(mission, scene_index, spec, paths)
    times, refs, positions = track.times_s, track.references, track.positions_ned_m
    path = paths[spec.subject]
    uncertainty = np.array([path.uncertainty_m[path.index_at(start_s + t)] for t in times])
    return (
        _fence_problem(fence, positions, uncertainty, times, spec.move)
        or _height_problem(positions, times, safety.floor_m, safety.ceiling_m, spec.move)
        or _speed_problem(positions, times, safety.max_horizontal_speed_m_s, safety.max_vertical_speed_m_s, spec.move)
        or _pitch_problem(refs, times, mission.drone(spec.drone).gimbal, spec.move)
    )


def _fence_problem(fence, positions, uncertainty, times, move: str) -> str | None:
    for margin in sorted(set(uncertainty.tolist())):
        area = fence.buffer(-margin) if margin > 0 else fence
        mask = uncertainty == margin
        inside = shapely.contains_xy(area, positions[mask, 0], positions[mask, 1])
        if not inside.all():
            k = int(np.flatnonzero(mask)[np.argmin(inside)])
            north, east = positions[k, 0], positions[k, 1]
            stray = f" (keeping {margin:g} m for the subject's wandering)" if margin > 0 else ""
            when = "starts outside the geofence" if times[k] == 0 else f"leaves the geofence at t={times[k]:.1f} s"
            return (
                f"{move} {when}{stray}: camera at north {north:.1f} m, east {east:.1f} m; "
                "shorten its distances or move the scene"
            )
    return None


def _height_problem(positions, times, floor_m: float, ceiling_m: float, move: str) -> str | None:
    heights = -positions[:, 2]
    low = np.flatnonzero(heights < floor_m - 1e-6)
    if low.size:
        k = int(low[0])
        return f"{move} flies below safety.floor_m ({floor_m:g} m) at t={times[k]:.1f} s: camera {heights[k]:.1f} m up"
    high = np.flatnonzero(heights > ceiling_m + 1e-6)
    if high.size:
        k = int(high[0])
        return (
            f"{move} climbs above safety.ceiling_m ({ceiling_m:g} m) at t={times[k]:.1f} s: "
            f"camera {heights[k]:.1f} m up"
        )
    return None


def _speed_problem(positions, times, max_h: float, max_v: float, move: str) -> str | None:
    window = max(round(SPEED_WINDOW_S / SAMPLE_DT_S), 1)
    if len(positions) <= window:
        return None
    step = (positions[window:] - positions[:-window]) / (window * SAMPLE_DT_S)
    horizontal = np.hypot(step[:, 0], step[:, 1])
    vertical = np.abs(step[:, 2])
    for speeds, limit, axis, key in (
        (horizontal, max_h, "horizontally", "max_horizontal_speed_m_s"),
        (vertical, max_v, "vertically", "max_vertical_speed_m_s"),
    ):
        k = int(np.argmax(speeds))
        if speeds[k] > limit * _SPEED_TOLERANCE:
            return (
                f"{move} needs {speeds[k]:.1f} m/s {axis} at t={times[k]:.1f} s; "
                f"safety.{key} is {limit:g} (slow the move or shorten its distances)"
            )
    return None


def _pitch_problem(refs, times, gimbal, move: str) -> str | None:
    for ref, t in zip(refs, times, strict=True):
        if not gimbal.pitch_min_deg - 1e-6 <= ref.pitch_deg <= gimbal.pitch_max_deg + 1e-6:
            return (
                f"{move} needs the camera pitched {ref.pitch_deg:.0f} deg at t={t:.1f} s; the gimbal allows "
                f"{gimbal.pitch_min_deg:g}..{gimbal.pitch_max_deg:g} deg"
            )
    return None
