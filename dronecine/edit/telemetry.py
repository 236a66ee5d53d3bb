"""Per-drone telemetry and the subjects' paths, as read-only arrays (one element per control step)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dronecine.edit.fields import (
    Where,
    as_list,
    choice,
    enum_value,
    number,
    optional_boolean,
    optional_choice,
    optional_integer,
    optional_number,
    optional_text,
    read_jsonl,
    require,
)
from dronecine.edit.vocabulary import DroneMode, SafetyReason, TrackState

FloatArray = NDArray[np.float64]

NO_SCENE = -1
"""``DroneTelemetry.scene_index`` where the telemetry's ``scene`` is null."""

_NUMBERS = (
    "t_s",
    "north_m",
    "east_m",
    "down_m",
    "vn_m_s",
    "ve_m_s",
    "vd_m_s",
    "yaw_deg",
    "gimbal_pitch_deg",
    "gimbal_yaw_deg",
)
_STEP_TOLERANCE = 0.25
"""How far (a fraction of dt_s) a step's time may be from one step after the line before."""


def true_runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(begin, end)``, end exclusive, of each run of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _frozen(values: Any, dtype: Any) -> NDArray[Any]:
    array = np.asarray(values, dtype=dtype)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class DroneTelemetry:
    """One drone's control steps; element ``k`` of every array is line ``k`` (and video frame ``k``).

    Nulls of the file are NaN in float arrays (``framing_error``, ``size_error``, ``box``),
    ``NO_SCENE`` in ``scene_index``, False in ``in_frame`` and None in the tuples.
    """

    drone: str
    dt_s: float
    t_s: FloatArray
    north_m: FloatArray
    east_m: FloatArray
    down_m: FloatArray
    vn_m_s: FloatArray
    ve_m_s: FloatArray
    vd_m_s: FloatArray
    yaw_deg: FloatArray
    gimbal_pitch_deg: FloatArray
    gimbal_yaw_deg: FloatArray
    mode: tuple[DroneMode, ...]
    scene_index: NDArray[np.int64]
    subject: tuple[str | None, ...]
    box: FloatArray
    track: tuple[TrackState | None, ...]
    framing_error: FloatArray
    size_error: FloatArray
    in_frame: NDArray[np.bool_]
    safety: tuple[tuple[SafetyReason, ...], ...]
    battery_percent: FloatArray | None = None  # the pack's gauge (None: a recording made before it was logged)

    @property
    def steps(self) -> int:
        return len(self.t_s)

    def mode_mask(self, *modes: DroneMode) -> NDArray[np.bool_]:
        """True at the steps whose mode is one of ``modes``."""
        wanted = set(modes)
        return np.fromiter((m in wanted for m in self.mode), dtype=bool, count=self.steps)

    @property
    def filming(self) -> NDArray[np.bool_]:
        return self.mode_mask(DroneMode.FILMING)

    def frame_at(self, t_s: float) -> int:
        """The video frame (and telemetry line) of mission time ``t_s``: round((t_s - first t_s) / dt_s)."""
        return round((t_s - float(self.t_s[0])) / self.dt_s)


def read_drone_telemetry(root: Path, rel: str, drone: str, dt_s: float) -> DroneTelemetry:
    """Read ``telemetry/<drone>.jsonl``; raises ``RecordingError`` naming the line of any problem."""
    rows = read_jsonl(root, rel)
    if not rows:
        raise Where(rel).error("no control steps (the file is empty)")
    numbers: dict[str, list[float]] = {key: [] for key in _NUMBERS}
    modes, scenes, subjects, boxes, tracks = [], [], [], [], []
    framing, size, in_frame, safety, battery = [], [], [], [], []
    for where, row in rows:
        for key in _NUMBERS:
            numbers[key].append(number(row, key, where))
        modes.append(choice(row, "mode", DroneMode, where))
        scene = optional_integer(row, "scene", where)
        scenes.append(NO_SCENE if scene is None else scene)
        subjects.append(optional_text(row, "subject", where))
        boxes.append(_box(row, where))
        tracks.append(optional_choice(row, "track", TrackState, where))
        framing.append(_nan_if_none(optional_number(row, "framing_error", where)))
        size.append(_nan_if_none(optional_number(row, "size_error", where)))
        in_frame.append(bool(optional_boolean(row, "in_frame", where)))
        gauge = optional_number(row, "battery_percent", where) if "battery_percent" in row else None  # older: none
        battery.append(_nan_if_none(gauge))
        reasons = as_list(require(row, "safety", where), where)
        safety.append(tuple(enum_value(reason, SafetyReason, where, "safety") for reason in reasons))
    _check_steps(numbers["t_s"], [where for where, _ in rows], dt_s)
    arrays = {key: _frozen(values, np.float64) for key, values in numbers.items()}
    return DroneTelemetry(
        drone=drone,
        dt_s=dt_s,
        **arrays,
        mode=tuple(modes),
        scene_index=_frozen(scenes, np.int64),
        subject=tuple(subjects),
        box=_frozen(boxes, np.float64).reshape(len(rows), 4),
        track=tuple(tracks),
        framing_error=_frozen(framing, np.float64),
        size_error=_frozen(size, np.float64),
        in_frame=_frozen(in_frame, np.bool_),
        safety=tuple(safety),
        battery_percent=_frozen(battery, np.float64) if any(np.isfinite(battery)) else None,
    )


def _nan_if_none(value: float | None) -> float:
    return float("nan") if value is None else value


def _box(row: Mapping[str, Any], where: Where) -> list[float]:
    value = require(row, "box", where)
    if value is None:
        return [float("nan")] * 4
    items = as_list(value, where)
    if len(items) != 4 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in items):
        raise where.error(f"'box' must be [u, v, w, h] (four numbers) or null, got {value!r}")
    return [float(v) for v in items]


def _check_steps(t_s: list[float], wheres: list[Where], dt_s: float) -> None:
    """Frame k is line k: the steps must follow each other one ``dt_s`` apart."""
    steps = np.diff(np.asarray(t_s)) / dt_s
    off = np.flatnonzero(np.abs(steps - 1.0) > _STEP_TOLERANCE)
    if off.size:
        k = int(off[0]) + 1
        raise wheres[k].error(
            f"t_s {t_s[k]:g} is not one step (dt_s {dt_s:g}) after the line before (t_s {t_s[k - 1]:g})"
        )


@dataclass(frozen=True, eq=False)
class SubjectTrack:
    """Where one subject was at each step of ``telemetry/subjects.jsonl``."""

    subject: str
    north_m: FloatArray
    east_m: FloatArray


@dataclass(frozen=True, eq=False)
class SubjectTracks:
    t_s: FloatArray
    tracks: tuple[SubjectTrack, ...]

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(track.subject for track in self.tracks)

    def track(self, subject: str) -> SubjectTrack:
        for candidate in self.tracks:
            if candidate.subject == subject:
                return candidate
        raise KeyError(subject)


def read_subject_tracks(root: Path, rel: str) -> SubjectTracks:
    """Read ``telemetry/subjects.jsonl``: every key but ``t_s`` is a subject with ``[north_m, east_m]``."""
    rows = read_jsonl(root, rel)
    if not rows:
        raise Where(rel).error("no steps (the file is empty)")
    names = tuple(key for key in rows[0][1] if key != "t_s")
    t_s: list[float] = []
    points: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for where, row in rows:
        t_s.append(number(row, "t_s", where))
        extra = sorted(set(row) - set(names) - {"t_s"})
        if extra:
            raise where.error(f"subject {extra[0]!r} is not on the first line")
        for name in names:
            value = as_list(require(row, name, where), where)
            if len(value) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
                raise where.error(f"{name!r} must be [north_m, east_m], got {value!r}")
            points[name].append((float(value[0]), float(value[1])))
    tracks = tuple(
        SubjectTrack(
            name, _frozen([p[0] for p in points[name]], np.float64), _frozen([p[1] for p in points[name]], np.float64)
        )
        for name in names
    )
    return SubjectTracks(_frozen(t_s, np.float64), tracks)
