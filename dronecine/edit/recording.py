"""A finished shoot, read back from its output folder (docs/shoot_outputs.md) into typed, frozen objects."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dronecine.edit.errors import RecordingError
from dronecine.edit.fields import Where, read_json
from dronecine.edit.logs import Event, ShootSummary, ShotEntry, read_events, read_shot_log, read_summary
from dronecine.edit.telemetry import DroneTelemetry, SubjectTracks, read_drone_telemetry, read_subject_tracks
from dronecine.mission.scenes import Pace

logger = logging.getLogger(__name__)

SUMMARY = "summary.json"
SHOT_LOG = "shot_log.json"
EVENTS = "events.jsonl"
PLAN = "plan.json"
SUBJECTS = "telemetry/subjects.jsonl"


def telemetry_file(drone: str) -> str:
    return f"telemetry/{drone}.jsonl"


@dataclass(frozen=True)
class SceneSpan:
    """A scene as the shot log saw it: its index in the mission, name, pace and mission-time span."""

    index: int
    name: str
    pace: Pace
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, eq=False)
class ShootRecording:
    """Everything a shoot left in its output folder that the edit and the report read.

    ``plan`` is ``plan.json`` as parsed JSON (None when the folder has none): its layout is the
    ground station's and nothing here depends on it.
    """

    out_dir: Path
    summary: ShootSummary
    drone_telemetry: tuple[DroneTelemetry, ...]
    subjects: SubjectTracks
    shots: tuple[ShotEntry, ...]
    events: tuple[Event, ...]
    scenes: tuple[SceneSpan, ...]
    plan: Any | None

    @classmethod
    def load(cls, out_dir: Path | str) -> ShootRecording:
        """Read a shoot's output folder; raises ``RecordingError`` naming the file and the problem."""
        root = Path(out_dir)
        if not root.is_dir():
            raise RecordingError(str(root), "not a folder (expected a shoot's --out folder)")
        summary = read_summary(root, SUMMARY)
        telemetry = tuple(
            read_drone_telemetry(root, telemetry_file(drone), drone, summary.dt_s) for drone in summary.drone_ids
        )
        shots = read_shot_log(root, SHOT_LOG)
        _check_drones(shots, summary.drone_ids)
        plan = read_json(root, PLAN) if (root / PLAN).is_file() else None
        if plan is None:
            logger.info("%s has no %s; the edit does not need it", root, PLAN)
        return cls(
            out_dir=root,
            summary=summary,
            drone_telemetry=telemetry,
            subjects=read_subject_tracks(root, SUBJECTS),
            shots=shots,
            events=read_events(root, EVENTS),
            scenes=_scene_spans(shots),
            plan=plan,
        )

    @property
    def dt_s(self) -> float:
        return self.summary.dt_s

    @property
    def frame_rate_hz(self) -> float:
        """The videos' frame rate: one frame per control step."""
        return 1.0 / self.summary.dt_s

    @property
    def drones(self) -> tuple[str, ...]:
        return self.summary.drone_ids

    def telemetry(self, drone: str) -> DroneTelemetry:
        for candidate in self.drone_telemetry:
            if candidate.drone == drone:
                return candidate
        raise KeyError(drone)

    def shot(self, scene_index: int, drone: str) -> ShotEntry | None:
        """The shot ``drone`` flew in scene ``scene_index``, or None if it had none."""
        for entry in self.shots:
            if entry.scene_index == scene_index and entry.drone == drone:
                return entry
        return None

    def video_file(self, drone: str) -> str:
        """The drone's video, relative to the output folder (``summary.json``'s outputs, else ``video/<drone>.mp4``)."""
        videos = self.summary.outputs.get("video")
        if isinstance(videos, dict) and isinstance(videos.get(drone), str):
            return videos[drone]
        return f"video/{drone}.mp4"

    def video_path(self, drone: str) -> Path:
        return self.out_dir / self.video_file(drone)


def _check_drones(shots: tuple[ShotEntry, ...], drones: tuple[str, ...]) -> None:
    for index, entry in enumerate(shots):
        if entry.drone not in drones:
            known = ", ".join(drones)
            raise Where(SHOT_LOG, entry=index).error(f"drone {entry.drone!r} is not in {SUMMARY} (drones: {known})")


def _scene_spans(shots: tuple[ShotEntry, ...]) -> tuple[SceneSpan, ...]:
    """One span per scene index: the name and pace its entries agree on, from the earliest start to the latest end."""
    spans: dict[int, SceneSpan] = {}
    for index, entry in enumerate(shots):
        known = spans.get(entry.scene_index)
        if known is None:
            spans[entry.scene_index] = SceneSpan(entry.scene_index, entry.scene, entry.pace, entry.start_s, entry.end_s)
            continue
        if (known.name, known.pace) != (entry.scene, entry.pace):
            raise Where(SHOT_LOG, entry=index).error(
                f"scene {entry.scene_index} is {entry.scene!r} ({entry.pace}) here "
                f"but {known.name!r} ({known.pace}) in an earlier entry"
            )
        spans[entry.scene_index] = SceneSpan(
            known.index, known.name, known.pace, min(known.start_s, entry.start_s), max(known.end_s, entry.end_s)
        )
    return tuple(spans[index] for index in sorted(spans))
