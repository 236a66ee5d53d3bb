"""The shoot's logs: ``shot_log.json`` (one entry per shot flown), ``events.jsonl`` and ``summary.json``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dronecine.edit.fields import (
    Where,
    as_list,
    as_mapping,
    choice,
    integer,
    number,
    optional_number,
    optional_text,
    read_json,
    read_jsonl,
    require,
    text,
)
from dronecine.edit.vocabulary import EventKind
from dronecine.mission.scenes import Pace, Priority
from dronecine.shots import MoveName, ShotSize


@dataclass(frozen=True)
class ShotEntry:
    """One shot flown: a drone's part in a scene, with the metrics of its filming steps.

    The metrics are None when the drone never filmed (``filming_start_s`` None, ``steps`` 0).
    """

    drone: str
    scene: str
    scene_index: int
    subject: str
    move: MoveName
    size: ShotSize
    priority: Priority
    pace: Pace
    start_s: float
    end_s: float
    filming_start_s: float | None
    steps: int
    framing_error: float | None
    size_error: float | None
    in_frame: float | None
    jerk_rms: float | None


def read_shot_log(root: Path, rel: str) -> tuple[ShotEntry, ...]:
    entries = []
    for index, value in enumerate(as_list(read_json(root, rel), Where(rel))):
        where = Where(rel, entry=index)
        row = as_mapping(value, where)
        entries.append(
            ShotEntry(
                drone=text(row, "drone", where),
                scene=text(row, "scene", where),
                scene_index=integer(row, "scene_index", where),
                subject=text(row, "subject", where),
                move=choice(row, "move", MoveName, where),
                size=choice(row, "size", ShotSize, where),
                priority=choice(row, "priority", Priority, where),
                pace=choice(row, "pace", Pace, where),
                start_s=number(row, "start_s", where),
                end_s=number(row, "end_s", where),
                filming_start_s=optional_number(row, "filming_start_s", where),
                steps=integer(row, "steps", where),
                framing_error=optional_number(row, "framing_error", where),
                size_error=optional_number(row, "size_error", where),
                in_frame=optional_number(row, "in_frame", where),
                jerk_rms=optional_number(row, "jerk_rms", where),
            )
        )
        if entries[-1].end_s <= entries[-1].start_s:
            raise where.error(f"end_s {entries[-1].end_s:g} is not after start_s {entries[-1].start_s:g}")
    return tuple(entries)


@dataclass(frozen=True)
class Event:
    """One line of ``events.jsonl``; ``drone`` is None for the station's own events."""

    t_s: float
    drone: str | None
    kind: EventKind
    message: str


def read_events(root: Path, rel: str) -> tuple[Event, ...]:
    return tuple(
        Event(
            t_s=number(row, "t_s", where),
            drone=optional_text(row, "drone", where),
            kind=choice(row, "kind", EventKind, where),
            message=text(row, "message", where),
        )
        for where, row in read_jsonl(root, rel)
    )


@dataclass(frozen=True)
class DroneSummary:
    """A drone's figures over its filming steps (None where it never filmed)."""

    drone: str
    in_frame: float | None
    framing_error: float | None
    size_error: float | None
    jerk_rms: float | None
    safety_interventions: int


@dataclass(frozen=True)
class ShootSummary:
    """``summary.json``. ``outputs`` keeps the file's own map of output paths as it is."""

    mission: str
    seed: int
    perception: str
    dt_s: float
    drones: tuple[DroneSummary, ...]
    min_separation_m: float | None
    closest_person_m: float | None  # None in a summary written before it was measured
    separation_violations: int
    geofence_breaches: int
    mutual_visibility_violations: int
    sim_seconds: float
    wall_seconds: float
    outputs: Mapping[str, Any]

    @property
    def speed_up(self) -> float | None:
        """Simulated seconds per wall-clock second (None when the wall time is zero)."""
        return self.sim_seconds / self.wall_seconds if self.wall_seconds > 0.0 else None

    @property
    def drone_ids(self) -> tuple[str, ...]:
        return tuple(d.drone for d in self.drones)


def read_summary(root: Path, rel: str) -> ShootSummary:
    where = Where(rel)
    row = as_mapping(read_json(root, rel), where)
    dt_s = number(row, "dt_s", where)
    if dt_s <= 0.0:
        raise where.error(f"'dt_s' must be positive, got {dt_s:g}")
    drones_map = as_mapping(require(row, "drones", where), where)
    if not drones_map:
        raise where.error("'drones' is empty: no drone flew")
    drones = []
    for drone, value in drones_map.items():
        inside = Where(f"{rel} drones.{drone}")
        figures = as_mapping(value, inside)
        drones.append(
            DroneSummary(
                drone=drone,
                in_frame=optional_number(figures, "in_frame", inside),
                framing_error=optional_number(figures, "framing_error", inside),
                size_error=optional_number(figures, "size_error", inside),
                jerk_rms=optional_number(figures, "jerk_rms", inside),
                safety_interventions=integer(figures, "safety_interventions", inside),
            )
        )
    outputs = require(row, "outputs", where)
    return ShootSummary(
        mission=text(row, "mission", where),
        seed=integer(row, "seed", where),
        perception=text(row, "perception", where),
        dt_s=dt_s,
        drones=tuple(drones),
        min_separation_m=optional_number(row, "min_separation_m", where),
        closest_person_m=optional_number(row, "closest_person_m", where) if "closest_person_m" in row else None,
        separation_violations=integer(row, "separation_violations", where),
        geofence_breaches=integer(row, "geofence_breaches", where),
        mutual_visibility_violations=integer(row, "mutual_visibility_violations", where),
        sim_seconds=number(row, "sim_seconds", where),
        wall_seconds=number(row, "wall_seconds", where),
        outputs=as_mapping(outputs, where),
    )
