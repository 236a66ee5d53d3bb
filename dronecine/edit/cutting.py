"""Choosing the edit: per scene, which drone's footage plays when.

Every control step of a scene is a possible cut point. A drone's step is *usable* when it is
filming that scene (never in transit, holding or landing); its cost is the step's framing
error plus a share of its size error, or ``out_of_frame_cost`` when the subject is out of
frame. The pace of the scene sets how long takes are (a faster pace: shorter takes) and which
shot sizes it prefers (a faster pace: closer sizes). A dynamic programme over (step, last
drone) then finds, for each stretch of the scene where some drone has usable footage, the
takes of least total cost: step costs, a size-preference cost, a variety penalty for cutting
back to the drone of the previous take, and a penalty for takes shorter than the pace allows
(only taken where the footage forces them). It is deterministic: ties go to the earlier cut
and the drone listed first in ``summary.json``.

Back-to-back takes of the same drone play as one continuous shot, so they are merged: where
one drone frames far better than all the others (by more than the variety penalty), its take
may run longer than the pace's longest rather than cut to a badly framed shot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.edit.logs import ShotEntry
from dronecine.edit.recording import SceneSpan, ShootRecording
from dronecine.edit.telemetry import true_runs
from dronecine.mission.scenes import Pace
from dronecine.shots import MoveName, ShotSize

logger = logging.getLogger(__name__)

_SIZES = tuple(ShotSize)


def closeness(size: ShotSize) -> float:
    """0 for the widest shot size (extreme wide) to 1 for the closest (``ShotSize``'s last)."""
    return _SIZES.index(size) / (len(_SIZES) - 1)


@dataclass(frozen=True)
class PaceRule:
    """How a pace cuts: take lengths and the shot closeness (0 widest .. 1 closest) it prefers."""

    min_take_s: float
    max_take_s: float
    preferred_closeness: float


@dataclass(frozen=True)
class CuttingParams:
    """The weights of the cut. Costs are in framing-error units per step of footage."""

    slow: PaceRule = field(default_factory=lambda: PaceRule(6.0, 9.0, 0.25))
    medium: PaceRule = field(default_factory=lambda: PaceRule(4.0, 6.0, 0.5))
    fast: PaceRule = field(default_factory=lambda: PaceRule(2.0, 3.5, 1.0))
    size_error_weight: float = 0.25
    """How much a step's size error adds to its framing error."""
    out_of_frame_cost: float = 1.0
    """The cost of a filming step with the subject out of frame."""
    size_preference_weight: float = 0.03
    """Per step, per unit of closeness between the shot's size and the pace's preferred one."""
    variety_penalty: float = 0.05
    """Per step of a take from the same drone as the take before it."""
    short_take_weight: float = 1.0
    """A take ``m`` steps shorter than the pace's shortest costs ``weight * m**2 / shortest steps``."""
    cut_cost: float = 0.01
    """Per take: of two equal edits, the one with fewer cuts."""
    score_scale: float = 0.1
    """A take's score is ``1 / (1 + mean step cost / score_scale)``: 1 is perfectly framed."""

    def rule(self, pace: Pace) -> PaceRule:
        return {Pace.SLOW: self.slow, Pace.MEDIUM: self.medium, Pace.FAST: self.fast}[pace]


DEFAULT_CUTTING = CuttingParams()


@dataclass(frozen=True)
class Take:
    """A stretch of one drone's footage in the edit, ``[start_s, end_s)`` in mission time.

    ``score`` (0..1, higher is better) rates the footage alone: framing, size and in-frame.
    """

    drone: str
    scene: str
    start_s: float
    end_s: float
    score: float
    scene_index: int
    move: MoveName
    size: ShotSize

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def label(self) -> str:
        """``meeting · companion · truck``."""
        return f"{self.scene} · {self.drone} · {self.move}"


def choose_takes(recording: ShootRecording, params: CuttingParams = DEFAULT_CUTTING) -> list[Take]:
    """The edit: takes in time order covering every stretch of every scene where some drone has usable footage."""
    takes: list[Take] = []
    for scene in recording.scenes:
        scene_takes = _cut_scene(recording, scene, params)
        if not scene_takes:
            logger.warning("scene %r: no drone filmed it, it has no takes", scene.name)
        takes.extend(scene_takes)
    return takes


@dataclass(frozen=True, eq=False)
class _SceneFootage:
    """Per drone (rows) and scene step (columns): the cost used to cut and the cost used to score.

    Unusable steps are infinite in both.
    """

    shots: tuple[ShotEntry, ...]
    first_step: int
    cut_cost: NDArray[np.float64]
    quality_cost: NDArray[np.float64]


def _footage(recording: ShootRecording, scene: SceneSpan, params: CuttingParams) -> _SceneFootage:
    dt_s = recording.dt_s
    first, last = round(scene.start_s / dt_s), round(scene.end_s / dt_s)
    rule = params.rule(scene.pace)
    shots, cut_rows, quality_rows = [], [], []
    for drone in recording.drones:
        shot = recording.shot(scene.index, drone)
        if shot is None:
            continue
        tel = recording.telemetry(drone)
        columns = np.rint(tel.t_s / dt_s).astype(np.int64) - first
        usable = tel.filming & (tel.scene_index == scene.index) & (columns >= 0) & (columns < last - first)
        framed = tel.in_frame & np.isfinite(tel.framing_error)
        step_cost = np.where(
            framed,
            np.nan_to_num(tel.framing_error) + params.size_error_weight * np.nan_to_num(tel.size_error),
            params.out_of_frame_cost,
        )
        quality = np.full(last - first, np.inf)
        quality[columns[usable]] = step_cost[usable]
        preference = params.size_preference_weight * abs(closeness(shot.size) - rule.preferred_closeness)
        shots.append(shot)
        quality_rows.append(quality)
        cut_rows.append(quality + preference)
    if not shots:
        empty = np.zeros((0, last - first))
        return _SceneFootage((), first, empty, empty)
    return _SceneFootage(tuple(shots), first, np.array(cut_rows), np.array(quality_rows))


def _cut_scene(recording: ShootRecording, scene: SceneSpan, params: CuttingParams) -> list[Take]:
    footage = _footage(recording, scene, params)
    dt_s = recording.dt_s
    rule = params.rule(scene.pace)
    min_steps = max(1, round(rule.min_take_s / dt_s))
    max_steps = max(min_steps, round(rule.max_take_s / dt_s))
    covered = np.isfinite(footage.cut_cost).any(axis=0)
    takes = []
    for begin, end in true_runs(covered):
        for row, start, stop in _merged(_best_takes(footage.cut_cost[:, begin:end], min_steps, max_steps, params)):
            shot = footage.shots[row]
            mean_cost = float(footage.quality_cost[row, begin + start : begin + stop].mean())
            takes.append(
                Take(
                    drone=shot.drone,
                    scene=scene.name,
                    start_s=round((footage.first_step + begin + start) * dt_s, 9),
                    end_s=round((footage.first_step + begin + stop) * dt_s, 9),
                    score=1.0 / (1.0 + mean_cost / params.score_scale),
                    scene_index=scene.index,
                    move=shot.move,
                    size=shot.size,
                )
            )
    return takes


def _merged(takes: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Join back-to-back takes ``(row, start, stop)`` of the same drone into one."""
    merged: list[tuple[int, int, int]] = []
    for row, start, stop in takes:
        if merged and merged[-1][0] == row and merged[-1][2] == start:
            merged[-1] = (row, merged[-1][1], stop)
        else:
            merged.append((row, start, stop))
    return merged


def _best_takes(
    cost: NDArray[np.float64], min_steps: int, max_steps: int, params: CuttingParams
) -> list[tuple[int, int, int]]:
    """The least-cost takes ``(drone row, start, stop)`` covering all columns of ``cost``.

    ``cost`` is (drones, steps), infinite where a drone is unusable; every column has a finite entry.
    State: (position, drone of the last take); the extra state ``drones`` means "no take yet".
    """
    drones, steps = cost.shape
    usable = np.isfinite(cost)
    summed = np.zeros((drones, steps + 1))
    summed[:, 1:] = np.cumsum(np.where(usable, cost, 0.0), axis=1)
    best = np.full((steps + 1, drones + 1), np.inf)
    best[0, drones] = 0.0
    from_position = np.full((steps + 1, drones + 1), -1, dtype=np.int64)
    from_state = np.full((steps + 1, drones + 1), -1, dtype=np.int64)
    lengths = np.arange(1, max_steps + 1)
    take_cost = params.short_take_weight * np.maximum(min_steps - lengths, 0) ** 2 / min_steps + params.cut_cost
    for position in range(steps):
        states = np.flatnonzero(np.isfinite(best[position]))
        for row in range(drones):
            reach = _usable_run(usable[row], position, max_steps)
            if reach == 0:
                continue
            length = lengths[:reach]
            window = summed[row, position + length] - summed[row, position] + take_cost[:reach]
            targets = slice(position + 1, position + reach + 1)
            for state in states:
                candidate = best[position, state] + window
                if state == row:
                    candidate = candidate + params.variety_penalty * length
                better = candidate < best[targets, row]
                best[targets, row] = np.where(better, candidate, best[targets, row])
                from_position[targets, row] = np.where(better, position, from_position[targets, row])
                from_state[targets, row] = np.where(better, state, from_state[targets, row])
    takes = []
    position, state = steps, int(np.argmin(best[steps, :drones]))
    while position > 0:
        start = int(from_position[position, state])
        takes.append((state, start, position))
        position, state = start, int(from_state[position, state])
    return takes[::-1]


def _usable_run(usable: NDArray[np.bool_], start: int, limit: int) -> int:
    """How many steps from ``start`` on are usable in a row, at most ``limit``."""
    window = usable[start : start + limit]
    blocked = np.flatnonzero(~window)
    return int(blocked[0]) if blocked.size else int(window.size)
