"""Re-planning after a failure: the lost drones' remaining shots go to the drones still flying, or
are dropped, by priority.

From the time of the failure on, scene by scene, every remaining shot (the survivors' own and the
lost drones') is placed in priority order (high first; at equal priority a drone's own shot before a
lost drone's): its own drone first if that one still flies and is free in the scene, else the free
survivor nearest its marks. A drone takes a shot only if it can fly there in time (the transit, at
the planner's cruise speed, within ``max_transit_fraction`` of what is left of the scene), the shot
can be flown with that drone's camera and gimbal (``shot_problem``), and its predicted path keeps
``safety.min_separation_m`` from every other drone's (the lost drones' included: they are predicted
to hold, land or fly home as their failsafe says). A shot no drone can take is dropped, so the
lowest priorities go first; a survivor left without a shot holds where it is.

A shot taken over in the middle of its scene starts afresh at the time of the re-plan (its move
begins from its start, anchored on where the subject is then).

Then the flights home are scheduled again (``_Returns``): the survivors end the action elsewhere
than planned, so a return that would pass too close to another drone waits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dronecine.ground.deconflict import closest_approach_m
from dronecine.ground.planner import (
    PlanSettings,
    Transit,
    deconflicted_transit,
    homeward_positions,
    landed_by_s,
    shot_references,
    transit_positions,
)
from dronecine.ground.timeline import DroneTimeline, PlannedShot
from dronecine.mission.document import Mission
from dronecine.mission.feasibility import shot_problem
from dronecine.mission.motion import SubjectPath, nominal_paths
from dronecine.mission.resolve import build_shot
from dronecine.mission.safety import FailsafeAction
from dronecine.mission.scenes import Priority

logger = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]

MIN_TAKEOVER_S = 5.0  # a shot with less of its scene left than this is not worth flying to
_PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}


class OutCause(StrEnum):
    """Why a drone left the shoot. The first two the station cannot hear any more (the drone is
    lost); the others it still hears, flying home or landing (the drone is out, not lost)."""

    SILENT = "silent"  # heard no more for longer than the link timeout
    NEVER_CONNECTED = "never connected"
    LOW_BATTERY = "low battery"  # the station sends it home
    CAME_DOWN = "came down"  # returning or landing when nobody asked

    @property
    def heard(self) -> bool:
        return self in (OutCause.LOW_BATTERY, OutCause.CAME_DOWN)


@dataclass(frozen=True)
class LostDrone:
    """A drone out of the shoot: where it was last seen and what it is expected to do from there
    (``action`` after ``delay_s``: an onboard link-loss failsafe waits its timeout first)."""

    drone_id: str
    t_s: float
    position_ned_m: FloatArray
    action: FailsafeAction
    reason: str
    delay_s: float = 0.0
    cause: OutCause = OutCause.SILENT


@dataclass(frozen=True)
class MovedShot:
    scene_index: int
    scene: str
    subject: str
    move: str
    priority: Priority
    from_drone: str
    to_drone: str


@dataclass(frozen=True)
class DroppedShot:
    scene_index: int
    scene: str
    subject: str
    move: str
    priority: Priority
    drone: str
    reason: str


@dataclass(frozen=True)
class DelayedReturn:
    """A survivor that holds ``delay_s`` longer before flying home, so that its flight keeps clear."""

    drone: str
    delay_s: float
    return_s: float
    reason: str


@dataclass(frozen=True)
class Replan:
    """The new timelines of the drones whose timeline changed, and what moved or was dropped."""

    t_s: float
    lost: tuple[str, ...]
    timelines: Mapping[str, DroneTimeline]
    moved: tuple[MovedShot, ...] = ()
    dropped: tuple[DroppedShot, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    delayed_returns: tuple[DelayedReturn, ...] = ()
    conflicts: tuple[str, ...] = ()  # returns no wait could clear (the onboard separation still holds)

    def summary(self) -> str:
        """One line for the events: what was lost, what moved where, what was dropped, who waits to go home."""
        parts = [f"re-planned at t={self.t_s:.1f} s without {', '.join(self.lost)}"]
        parts += [
            f"{m.priority.value} {m.move} on {m.subject} in {m.scene} goes from {m.from_drone} to {m.to_drone}"
            for m in self.moved
        ]
        parts += [f"dropped {d.drone}'s {d.priority.value} {d.move} in {d.scene} ({d.reason})" for d in self.dropped]
        parts += [f"{r.drone} flies home {r.delay_s:g} s later ({r.reason})" for r in self.delayed_returns]
        parts += [f"warning: {c}" for c in self.conflicts]
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "t_s": round(self.t_s, 2),
            "lost": list(self.lost),
            "reasons": list(self.reasons),
            "moved": [
                {
                    "scene": m.scene,
                    "subject": m.subject,
                    "move": m.move,
                    "priority": m.priority.value,
                    "from": m.from_drone,
                    "to": m.to_drone,
                }
                for m in self.moved
            ],
            "dropped": [
                {
                    "scene": d.scene,
                    "subject": d.subject,
                    "move": d.move,
                    "priority": d.priority.value,
                    "drone": d.drone,
                    "reason": d.reason,
                }
                for d in self.dropped
            ],
            "delayed_returns": [
                {"drone": r.drone, "delay_s": r.delay_s, "return_s": round(r.return_s, 2), "reason": r.reason}
                for r in self.delayed_returns
            ],
            "conflicts": list(self.conflicts),
            "changed": sorted(self.timelines),
        }


def replan(
    mission: Mission,
    timelines: Mapping[str, DroneTimeline],
    positions_ned_m: Mapping[str, FloatArray],
    lost: Sequence[LostDrone],
    t_s: float,
    settings: PlanSettings | None = None,
    paths: dict[str, SubjectPath] | None = None,
) -> Replan:
    """New timelines from ``t_s`` on without the ``lost`` drones. ``timelines``: every drone's
    current one; ``positions_ned_m``: where the survivors are now."""
    return _Replanner(mission, timelines, positions_ned_m, lost, t_s, settings or PlanSettings(), paths).run()


class _Replanner:
    def __init__(self, mission, timelines, positions, lost, t_s, settings: PlanSettings, paths) -> None:
        self.mission, self.timelines, self.lost, self.t_s, self.settings = mission, timelines, lost, t_s, settings
        self.paths = paths if paths is not None else nominal_paths(mission)
        lost_ids = {x.drone_id for x in lost}
        self.survivors = [d.id for d in mission.drones if d.id in timelines and d.id not in lost_ids]
        self.cruise_m_s = settings.cruise_fraction * mission.safety.max_horizontal_speed_m_s
        self.climb_m_s = settings.climb_fraction * mission.safety.max_vertical_speed_m_s
        self.limit_m = mission.safety.min_separation_m
        self.at = {d: np.asarray(positions[d], dtype=float) for d in self.survivors}
        self.moved: list[MovedShot] = []
        self.dropped: list[DroppedShot] = []

    def run(self) -> Replan:
        kept = {d: [s for s in t.shots if s.end_s <= self.t_s] for d, t in self.timelines.items()}
        for k, scene in enumerate(self.mission.scenes):
            start_s = self.mission.scene_start_s(k)
            end_s = start_s + scene.duration_s
            if end_s <= self.t_s:
                continue
            for drone_id, shot in self._scene(k, max(start_s, self.t_s), end_s).items():
                kept[drone_id].append(shot)
        changed = {}
        for drone_id, timeline in self.timelines.items():
            shots = tuple(sorted(kept[drone_id], key=lambda s: s.scene_index))
            if len(shots) != len(timeline.shots) or any(a is not b for a, b in zip(shots, timeline.shots, strict=True)):
                changed[drone_id] = replace(timeline, shots=shots)
        returns = _Returns(self, changed)
        changed.update(returns.schedule())
        result = Replan(
            t_s=self.t_s,
            lost=tuple(x.drone_id for x in self.lost),
            timelines=changed,
            moved=tuple(self.moved),
            dropped=tuple(self.dropped),
            reasons=tuple(f"{x.drone_id}: {x.reason}" for x in self.lost),
            delayed_returns=tuple(returns.delayed),
            conflicts=tuple(returns.conflicts),
        )
        logger.info("%s", result.summary())
        return result

    def _scene(self, k: int, from_s: float, end_s: float) -> dict[str, PlannedShot]:
        """Place scene ``k``'s remaining shots; returns the survivors' shots in it."""
        times = np.arange(from_s, end_s + 1e-9, self.settings.sample_dt_s)
        lost_paths = [self._lost_path(x, times) for x in self.lost]
        shots = [
            (shot, drone_id)
            for drone_id, timeline in self.timelines.items()
            for shot in timeline.shots
            if shot.scene_index == k and shot.end_s > self.t_s
        ]
        lost_ids = {x.drone_id for x in self.lost}
        order = [d.id for d in self.mission.drones]
        shots.sort(key=lambda x: (_PRIORITY_RANK[x[0].priority], x[1] in lost_ids, order.index(x[1])))
        placed: dict[str, tuple[PlannedShot, FloatArray]] = {}
        own_rank = {d: _PRIORITY_RANK[s.priority] for s, d in shots if d in self.survivors}  # one shot per scene
        for shot, owner in shots:
            if end_s - from_s < MIN_TAKEOVER_S:
                self._drop(shot, owner, "too little of the scene is left")
                continue
            free = [d for d in self.survivors if d not in placed]
            candidates = [owner] if owner in free else []
            # Another drone gives up its own shot only for one of strictly higher priority.
            rank = _PRIORITY_RANK[shot.priority]
            takers = [d for d in free if d != owner and own_rank.get(d, len(_PRIORITY_RANK)) > rank]
            target = _first_mark(shot, self.paths, from_s)
            candidates += sorted(takers, key=lambda d: float(np.linalg.norm(self.at[d] - target)))
            why = "no drone is free in the scene" if not candidates else ""
            if owner in placed:
                why = f"{owner} flies a shot of higher priority instead"
            for drone_id in candidates:
                others = [p for d, (_, p) in placed.items()]
                others += [np.tile(self.at[d], (len(times), 1)) for d in free if d != drone_id]  # they hold so far
                attempt = self._try(shot, owner, drone_id, times, end_s, [*lost_paths, *others])
                if isinstance(attempt, str):
                    why = why or attempt
                    continue
                placed[drone_id] = attempt
                if drone_id != owner:
                    self.moved.append(_moved(shot, owner, drone_id))
                break
            else:
                self._drop(shot, owner, why)
        for drone_id, (_, positions) in placed.items():
            self.at[drone_id] = positions[-1]
        return {d: shot for d, (shot, _) in placed.items()}

    def _try(
        self, shot: PlannedShot, owner: str, drone_id: str, times: FloatArray, end_s: float, others: list[FloatArray]
    ) -> tuple[PlannedShot, FloatArray] | str:
        """The shot as ``drone_id`` would fly it from where it is, with its predicted positions; or why not."""
        from_s = float(times[0])
        elapsed = times - from_s
        start = self.at[drone_id]
        if drone_id == owner:
            references = shot_references(shot.shot, self.paths[shot.subject_id], shot.start_s, times)
            if shot.start_s < from_s:  # already under way: it flies on as it is
                positions, _ = transit_positions(start, references, elapsed, Transit(), self.cruise_m_s, 0.0)
                return (shot, positions) if self._clear(positions, others) else "it would come too close to a drone"
            planned = Transit(shot.depart_delay_s, shot.via_ned_m)
            positions, _ = transit_positions(
                start, references, elapsed, planned, self.cruise_m_s, self.settings.settle_s
            )
            if self._clear(positions, others):
                return shot, positions
            new = shot
        else:
            # The shot keeps its size and framing; it is rebuilt for this drone's camera.
            update = {"drone": drone_id, "size": shot.shot.size, "framing": _framing(self.mission, shot)}
            spec = shot.spec.model_copy(update=update)
            problem = shot_problem(self.mission, shot.scene_index, spec, self.paths)
            if problem:
                return f"{drone_id} cannot fly it: {problem}"
            start_s = max(shot.start_s, from_s)  # taken over mid-scene: the move starts afresh now
            new = replace(shot, spec=spec, shot=build_shot(self.mission, spec), start_s=start_s, assigned=True)
        references = shot_references(new.shot, self.paths[new.subject_id], new.start_s, times)
        positions, transit, transit_s = deconflicted_transit(
            start, references, elapsed, others, self.cruise_m_s, self.limit_m, self.settings
        )
        if transit_s > self.settings.max_transit_fraction * (end_s - from_s):
            return f"{drone_id} cannot reach it in time ({transit_s:.0f} s of the {end_s - from_s:.0f} s left)"
        if not self._clear(positions, others):
            return f"{drone_id} would come closer than {self.limit_m:g} m to another drone"
        offset_s = from_s - new.start_s  # transits are timed from the scene's start in a timeline
        planned = replace(
            new, transit_s=offset_s + transit_s, depart_delay_s=offset_s + transit.delay_s, via_ned_m=transit.via
        )
        return planned, positions

    def _clear(self, positions: FloatArray, others: list[FloatArray]) -> bool:
        return all(closest_approach_m(positions, other) >= self.limit_m for other in others)

    def _drop(self, shot: PlannedShot, owner: str, reason: str) -> None:
        self.dropped.append(
            DroppedShot(shot.scene_index, shot.scene, shot.subject_id, shot.spec.move, shot.priority, owner, reason)
        )

    def _lost_path(self, lost: LostDrone, times: FloatArray) -> FloatArray:
        """Where a lost drone is expected at ``times``: where it was, then holding, landing there, or
        flying home at its take-off height and landing."""
        start = np.asarray(lost.position_ned_m, dtype=float)
        since = np.clip(times - lost.t_s - lost.delay_s, 0.0, None)
        out = np.tile(start, (len(times), 1))
        if lost.action == FailsafeAction.LAND:
            out[:, 2] = np.minimum(start[2] + self.climb_m_s * since, 0.0)
        elif lost.action == FailsafeAction.RETURN:
            timeline = self.timelines[lost.drone_id]
            up = timeline.home_ned_m + np.array([0.0, 0.0, -timeline.takeoff_height_m])
            offset = up - start
            flight_s = max(float(np.hypot(offset[0], offset[1])) / self.cruise_m_s, abs(offset[2]) / self.climb_m_s)
            fraction = np.clip(since / max(flight_s, 1e-9), 0.0, 1.0)[:, None]
            out = start + fraction * offset
            descent = np.clip(since - flight_s, 0.0, None)
            out[:, 2] = np.minimum(out[:, 2] + self.climb_m_s * descent, 0.0)
        return out


def _first_mark(shot: PlannedShot, paths: dict[str, SubjectPath], at_s: float) -> FloatArray:
    path = paths[shot.subject_id]
    anchor = path.state_at(at_s)
    return shot.shot.reference(0.0, anchor, anchor).position_ned_m


def _framing(mission: Mission, shot: PlannedShot):
    """The framing the shot had on its own drone (its spec's, or that drone's character's)."""
    return shot.spec.framing or mission.character_of(shot.spec.drone).framing


def _moved(shot: PlannedShot, owner: str, drone_id: str) -> MovedShot:
    return MovedShot(shot.scene_index, shot.scene, shot.subject_id, shot.spec.move, shot.priority, owner, drone_id)


MAX_RETURN_WAITS = 15  # of ``stagger_s`` each: beyond a minute of waiting, the crew had better step in


@dataclass(frozen=True)
class _ReturnOption:
    return_s: float
    path: FloatArray  # (T, 3) at the schedule's times
    closest_m: float  # to the nearest other drone
    nearest: str


class _Returns:
    """The survivors' flights home after a re-plan, from where the re-plan leaves each at the end of
    the action. The planner checked the original returns; a re-plan moves drones, so they are checked
    again: a drone whose flight would come closer than ``min_separation_m`` to another drone (flying
    home, holding, or lost) waits ``stagger_s`` more, as often as it takes.

    Greedy, earliest departure first: each round schedules the drone that can leave soonest with its
    flight clear of the drones already scheduled, of the lost ones, and of those still to schedule,
    taken to hold where they are (so a drone does not fly through a spot that is not yet free). If
    none can, the one that comes least close goes, and the conflict is reported (the onboard
    supervisor still keeps the separation)."""

    def __init__(self, replanner: _Replanner, changed: Mapping[str, DroneTimeline]) -> None:
        self.r = replanner
        self.timelines = {d: changed.get(d, t) for d, t in replanner.timelines.items()}
        self.changed = set(changed)
        self.delayed: list[DelayedReturn] = []
        self.conflicts: list[str] = []

    def schedule(self) -> dict[str, DroneTimeline]:
        """The survivors' timelines whose return or landing time moved."""
        r, settings = self.r, self.r.settings
        if not r.survivors:
            return {}
        first_s = max(r.t_s, min(self.timelines[d].return_s for d in r.survivors))
        last_s = max(t.landed_s for t in self.timelines.values()) + (MAX_RETURN_WAITS + 1) * settings.stagger_s
        times = np.arange(first_s, last_s + settings.sample_dt_s, settings.sample_dt_s)
        scheduled = {x.drone_id: r._lost_path(x, times) for x in r.lost}
        pending = []
        for d in sorted(r.survivors, key=lambda d: self.timelines[d].return_s):
            if self.timelines[d].return_s <= r.t_s:  # already on its way home, from where it is now
                scheduled[d] = self._path(d, r.t_s, times)
            else:
                pending.append(d)
        holding = {d: np.tile(r.at[d], (len(times), 1)) for d in pending}
        out = {}
        while pending:
            options = {}
            for d in pending:
                others = scheduled | {h: p for h, p in holding.items() if h != d}
                options[d] = self._earliest(d, times, others)
            clear = [d for d in pending if options[d].closest_m >= r.limit_m]
            if clear:
                d = min(clear, key=lambda d: options[d].return_s)  # ties: the plan's order (min keeps the first)
            else:
                d = max(pending, key=lambda d: options[d].closest_m)
            pending.remove(d)
            del holding[d]
            option, timeline = options[d], self.timelines[d]
            scheduled[d] = option.path
            if option.closest_m < r.limit_m:
                self.conflicts.append(
                    f"{d}'s flight home comes {option.closest_m:.1f} m from {option.nearest} "
                    f"(under {r.limit_m:g} m) however long it waits"
                )
            if option.return_s > timeline.return_s:
                why = f"its flight home would pass within {r.limit_m:g} m of another drone"
                self.delayed.append(DelayedReturn(d, option.return_s - timeline.return_s, option.return_s, why))
            if option.return_s != timeline.return_s or d in self.changed:
                home, height = timeline.home_ned_m, timeline.takeoff_height_m
                landed_s = landed_by_s(
                    r.at[d], home, height, option.return_s, r.cruise_m_s, r.climb_m_s, settings.settle_s
                )
                out[d] = replace(timeline, return_s=option.return_s, landed_s=max(landed_s, timeline.landed_s))
        return out

    def _earliest(self, drone_id: str, times: FloatArray, others: Mapping[str, FloatArray]) -> _ReturnOption:
        """The first return time (planned, then later by ``stagger_s``) clear of ``others``; else the
        one that comes least close."""
        planned_s, best = self.timelines[drone_id].return_s, None
        for wait in range(MAX_RETURN_WAITS + 1):
            return_s = planned_s + wait * self.r.settings.stagger_s
            path = self._path(drone_id, return_s, times)
            closest, nearest = min(((closest_approach_m(path, p), o) for o, p in others.items()), default=(np.inf, ""))
            option = _ReturnOption(return_s, path, closest, nearest)
            if closest >= self.r.limit_m:
                return option
            if best is None or closest > best.closest_m:
                best = option
        return best

    def _path(self, drone_id: str, return_s: float, times: FloatArray) -> FloatArray:
        t, r = self.timelines[drone_id], self.r
        return homeward_positions(
            r.at[drone_id], t.home_ned_m, t.takeoff_height_m, return_s, times, r.cruise_m_s, r.climb_m_s
        )
