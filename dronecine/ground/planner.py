"""From a validated mission to a ``ShootPlan``: every drone's timeline, checked before anything flies.

1. each scene's shots: the mission's, plus one from the drone's character for every drone the
   scene leaves free (``assign``);
2. transits: between scenes a drone flies from where its last shot ended to where the next one is
   by then, at a cruise speed within the mission's limits; a transit that would eat more than
   ``max_transit_fraction`` of the next scene is an error;
3. take-off staggered by ``stagger_s`` during a pre-roll long enough for every drone to reach its
   first marks before action; return home and land, staggered the same way, after the last scene;
4. deconfliction (``deconflict``): the predicted paths never bring two flying drones closer than
   ``safety.min_separation_m``; shots that would see another drone are listed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from dronecine.ground.assign import free_drone_shot
from dronecine.ground.deconflict import check_separation, closest_approach_m, predicted_visibility
from dronecine.ground.errors import PlanError
from dronecine.ground.timeline import DroneTimeline, PlannedShot, ShootPlan
from dronecine.mission.document import Mission
from dronecine.mission.motion import SubjectPath, nominal_paths
from dronecine.mission.resolve import build_shot
from dronecine.mission.scenes import Priority
from dronecine.shots import Shot

FloatArray = np.ndarray


@dataclass(frozen=True)
class PlanSettings:
    """How the planner schedules what the mission leaves open (speeds as fractions of the mission's limits)."""

    cruise_fraction: float = 0.6  # transit speed, of safety.max_horizontal_speed_m_s
    climb_fraction: float = 0.7  # take-off and landing speed, of safety.max_vertical_speed_m_s
    stagger_s: float = 4.0  # between two drones' take-offs (and landings)
    settle_s: float = 3.0  # added to every transit: slowing down onto the marks, framing up
    min_takeoff_height_m: float = 5.0  # climb at least this high before flying sideways
    max_transit_fraction: float = 0.5  # of the scene a transit may take
    sample_dt_s: float = 0.5  # the predicted paths' step


def plan_shoot(mission: Mission, settings: PlanSettings | None = None) -> ShootPlan:
    """Plan the shoot; raises ``PlanError`` naming the drone, scene and reason when it cannot be flown."""
    settings = settings or PlanSettings()
    paths = nominal_paths(mission)
    safety = mission.safety
    cruise_m_s = settings.cruise_fraction * safety.max_horizontal_speed_m_s
    climb_m_s = settings.climb_fraction * safety.max_vertical_speed_m_s

    legs = _all_legs(mission, paths, cruise_m_s, settings)

    # Pre-roll: drone i takes off at stagger * i after the pre-roll starts, climbs, flies to its first mark.
    timelines, first_marks, takeoff_heights = [], {}, {}
    reach_s = []
    for i, drone in enumerate(mission.drones):
        first = next((leg for leg in legs[drone.id] if leg.shot is not None), None)
        home = np.array([drone.home.north_m, drone.home.east_m, 0.0])
        mark = first.positions[0] if first is not None else home + _up(settings.min_takeoff_height_m)
        height = min(max(-mark[2], safety.floor_m, settings.min_takeoff_height_m), safety.ceiling_m)
        first_marks[drone.id], takeoff_heights[drone.id] = mark, height
        fly_s = _flight_s(home + _up(height), mark, cruise_m_s, climb_m_s)
        reach_s.append(settings.stagger_s * i + height / climb_m_s + fly_s + settings.settle_s)
    preroll_s = float(math.ceil(max(reach_s)))

    end_of_action = mission.duration_s
    for i, drone in enumerate(mission.drones):
        home = np.array([drone.home.north_m, drone.home.east_m, 0.0])
        height = takeoff_heights[drone.id]
        last = legs[drone.id][-1].positions[-1] if legs[drone.id] else first_marks[drone.id]
        return_s = end_of_action + settings.stagger_s * i
        landed_s = landed_by_s(last, home, height, return_s, cruise_m_s, climb_m_s, settings.settle_s)
        timelines.append(
            DroneTimeline(
                drone_id=drone.id,
                home_ned_m=home,
                takeoff_s=-preroll_s + settings.stagger_s * i,
                takeoff_height_m=height,
                shots=tuple(leg.shot for leg in legs[drone.id] if leg.shot is not None),
                return_s=return_s,
                landed_s=float(landed_s),
            )
        )
    end_s = float(math.ceil(max(t.landed_s for t in timelines)))
    times = np.arange(-preroll_s, end_s + 1e-9, settings.sample_dt_s)
    predicted = np.stack(
        [_predicted_path(t, legs[t.drone_id], first_marks[t.drone_id], times, cruise_m_s, climb_m_s) for t in timelines]
    )
    min_separation = check_separation(mission, timelines, times, predicted)
    visibility = predicted_visibility(mission, timelines, times, predicted, paths)
    return ShootPlan(
        mission=mission,
        timelines=tuple(timelines),
        preroll_s=preroll_s,
        end_s=end_s,
        sample_dt_s=settings.sample_dt_s,
        sample_t_s=times,
        predicted_ned_m=predicted,
        min_predicted_separation_m=min_separation,
        predicted_visibility=visibility,
    )


@dataclass(frozen=True)
class _Leg:
    """One scene of one drone: its shot (None: holds) and the predicted positions at ``times_s``."""

    scene_index: int
    shot: PlannedShot | None
    times_s: FloatArray  # mission time
    positions: FloatArray  # (T, 3)


@dataclass(frozen=True)
class Transit:
    """How a drone flies to a shot's start: it waits ``delay_s`` after the scene starts, then flies via
    the ``via`` waypoints (none: straight)."""

    delay_s: float = 0.0
    via: tuple[tuple[float, float, float], ...] = ()


def _all_legs(mission: Mission, paths: dict[str, SubjectPath], cruise_m_s: float, settings: PlanSettings):
    """Every drone's legs, scene by scene; a transit that would cross a drone already planned waits
    or detours (higher-priority shots are planned first and fly straight)."""
    legs: dict[str, list[_Leg]] = {d.id: [] for d in mission.drones}
    previous_end: dict[str, FloatArray | None] = {d.id: None for d in mission.drones}
    limit = mission.safety.min_separation_m
    for k, scene in enumerate(mission.scenes):
        start_s = mission.scene_start_s(k)
        times = np.arange(start_s, start_s + scene.duration_s + 1e-9, settings.sample_dt_s)
        specs = {d.id: next((s for s in scene.shots if s.drone == d.id), None) for d in mission.drones}
        assigned = {d: False for d in specs}
        for drone_id, spec in specs.items():
            if spec is None:
                specs[drone_id] = free_drone_shot(mission, k, drone_id, paths)
                assigned[drone_id] = specs[drone_id] is not None
        order = sorted(specs, key=lambda d: _PRIORITY_RANK[specs[d].priority] if specs[d] else 3)
        placed: list[FloatArray] = []
        for drone_id in order:
            spec, before = specs[drone_id], previous_end[drone_id]
            if spec is None:  # nothing this drone can film here: it holds where it is
                hold = before if before is not None else np.full(3, np.nan)
                legs[drone_id].append(_Leg(k, None, times, np.tile(hold, (len(times), 1))))
                placed.append(legs[drone_id][-1].positions)
                continue
            shot = build_shot(mission, spec)
            references = shot_references(shot, paths[spec.subject], start_s, times)
            positions, transit, transit_s = references, Transit(), 0.0
            if before is not None:
                positions, transit, transit_s = deconflicted_transit(
                    before, references, times - start_s, placed, cruise_m_s, limit, settings
                )
                if transit_s > settings.max_transit_fraction * scene.duration_s:
                    raise PlanError(
                        f"drone {drone_id!r} cannot reach its {spec.move} in scene {scene.name!r} in time: the "
                        f"flight from its last shot takes {transit_s:.0f} s of the scene's {scene.duration_s:g} s "
                        f"(at most {settings.max_transit_fraction:.0%}); bring the shots closer or lengthen the scene"
                    )
            planned = PlannedShot(
                scene_index=k,
                scene=scene.name,
                pace=scene.pace,
                spec=spec,
                shot=shot,
                start_s=start_s,
                end_s=start_s + scene.duration_s,
                transit_s=transit_s,
                assigned=assigned[drone_id],
                depart_delay_s=transit.delay_s,
                via_ned_m=transit.via,
            )
            legs[drone_id].append(_Leg(k, planned, times, positions))
            placed.append(positions)
            previous_end[drone_id] = positions[-1]
    return legs


_PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
_DELAYS_S = (0.0, 2.0, 4.0, 6.0, 8.0)
_DETOURS = ((0.0, 1.0), (0.0, -1.0), (0.0, 2.0), (0.0, -2.0))  # (delay index, sideways multiple of the separation)


def deconflicted_transit(
    start: FloatArray,
    references: FloatArray,
    elapsed_s: FloatArray,
    placed: list[FloatArray],
    cruise_m_s: float,
    limit_m: float,
    settings: PlanSettings,
) -> tuple[FloatArray, Transit, float]:
    """The first transit (straight, then waiting, then detouring sideways) that keeps ``limit_m``
    from every drone already ``placed`` in this scene; the straight one when none does."""
    options = [Transit(delay) for delay in _DELAYS_S]
    end = references[0]
    along = end[:2] - start[:2]
    norm = float(np.hypot(*along))
    if norm > 1.0:
        side = np.array([-along[1], along[0]]) / norm
        for _, multiple in _DETOURS:
            mid = (start + end) / 2.0
            mid[:2] += side * multiple * limit_m * 1.5
            options.append(Transit(0.0, (tuple(float(x) for x in mid),)))
    first = None
    for option in options:
        positions, transit_s = transit_positions(start, references, elapsed_s, option, cruise_m_s, settings.settle_s)
        first = first or (positions, option, transit_s)
        if all(closest_approach_m(positions, other) >= limit_m for other in placed):
            return positions, option, transit_s
    return first  # the separation check will name the conflict


def transit_positions(
    start: FloatArray,
    references: FloatArray,
    elapsed_s: FloatArray,
    transit: Transit,
    cruise_m_s: float,
    settle_s: float,
) -> tuple[FloatArray, float]:
    """Predicted positions over the scene: wait, fly the polyline start -> via -> the moving shot start
    at cruise speed, then the shot's references. Returns them and the arrival time (with settling)."""
    via = [np.asarray(p, dtype=float) for p in transit.via]
    flight_s = 0.0
    for _ in range(4):  # the shot moves on while the drone flies to it
        k = min(int(np.searchsorted(elapsed_s, transit.delay_s + flight_s)), len(references) - 1)
        corners = [start, *via, references[k]]
        lengths = [float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(corners)]
        flight_s = sum(lengths) / cruise_m_s
    if flight_s < 0.5 and transit.delay_s == 0.0:
        return references, 0.0
    arrive_s = transit.delay_s + flight_s + settle_s
    positions = references.copy()
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    for i, t in enumerate(elapsed_s):
        if t >= arrive_s:
            break
        travelled = np.clip((t - transit.delay_s) * cruise_m_s, 0.0, cumulative[-1])
        j = min(int(np.searchsorted(cumulative, travelled, side="right")) - 1, len(lengths) - 1)
        fraction = (travelled - cumulative[j]) / max(lengths[j], 1e-9)
        positions[i] = corners[j] + fraction * (corners[j + 1] - corners[j])
    return positions, float(arrive_s)


def shot_references(shot: Shot, path: SubjectPath, start_s: float, times: FloatArray) -> FloatArray:
    anchor = path.state_at(start_s)
    return np.array([shot.reference(float(t - start_s), path.state_at(float(t)), anchor).position_ned_m for t in times])


def _up(height_m: float) -> FloatArray:
    return np.array([0.0, 0.0, -height_m])


def _flight_s(start: FloatArray, end: FloatArray, cruise_m_s: float, climb_m_s: float) -> float:
    offset = end - start
    return float(max(np.hypot(offset[0], offset[1]) / cruise_m_s, abs(offset[2]) / climb_m_s))


def homeward_positions(
    last: FloatArray,
    home: FloatArray,
    height_m: float,
    return_s: float,
    times: FloatArray,
    cruise_m_s: float,
    climb_m_s: float,
) -> FloatArray:
    """Where a drone is at ``times`` (T,) that holds at ``last`` until ``return_s``, then flies straight
    to ``height_m`` above ``home`` and descends onto it (how an agent flies home)."""
    up = home + _up(height_m)
    home_s = _flight_s(last, up, cruise_m_s, climb_m_s)
    since = np.asarray(times, dtype=float) - return_s
    flown = np.clip(since / max(home_s, 1e-9), 0.0, 1.0)[:, None]
    descended = np.clip((since - home_s) / (height_m / climb_m_s), 0.0, 1.0)[:, None]
    return last + (up - last) * flown + (home - up) * descended


def landed_by_s(
    last: FloatArray,
    home: FloatArray,
    height_m: float,
    return_s: float,
    cruise_m_s: float,
    climb_m_s: float,
    settle_s: float,
) -> float:
    """When a drone flying home from ``last`` at ``return_s`` is on the ground (``homeward_positions``)."""
    back_s = _flight_s(last, home + _up(height_m), cruise_m_s, climb_m_s)
    return float(return_s + back_s + height_m / climb_m_s + settle_s)


def _predicted_path(
    timeline: DroneTimeline,
    legs: list[_Leg],
    first_mark: FloatArray,
    times: FloatArray,
    cruise_m_s: float,
    climb_m_s: float,
) -> FloatArray:
    """Where the plan expects the drone at ``times``: parked, climbing, flying to its mark, the scenes'
    predicted positions, flying home, descending, landed."""
    home = timeline.home_ned_m
    up = home + _up(timeline.takeoff_height_m)
    climb_s = timeline.takeoff_height_m / climb_m_s
    out = np.empty((len(times), 3))
    scene_times = np.concatenate([leg.times_s for leg in legs]) if legs else np.empty(0)
    scene_positions = np.concatenate([leg.positions for leg in legs]) if legs else np.empty((0, 3))
    last = scene_positions[-1] if len(scene_positions) else first_mark
    to_mark_s = _flight_s(up, first_mark, cruise_m_s, climb_m_s)
    homeward = homeward_positions(
        last, home, timeline.takeoff_height_m, timeline.return_s, times, cruise_m_s, climb_m_s
    )
    for k, t in enumerate(times):
        if t < 0.0:
            since = t - timeline.takeoff_s
            if since < 0.0:
                out[k] = home
            elif since < climb_s:
                out[k] = home + (up - home) * since / climb_s
            else:
                out[k] = up + (first_mark - up) * min((since - climb_s) / max(to_mark_s, 1e-9), 1.0)
        elif t < timeline.return_s and len(scene_times):
            j = min(int(np.searchsorted(scene_times, t)), len(scene_times) - 1)
            out[k] = scene_positions[j]
        else:
            out[k] = homeward[k]
    # A scene in which the drone holds before it ever had a shot: it holds at its first mark.
    missing = ~np.isfinite(out).all(axis=1)
    out[missing] = first_mark
    return out
