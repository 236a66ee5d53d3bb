"""The shoot's recordings as it runs: telemetry and events as JSON lines, one video per drone.

Append-only and flushed every step, so a crash loses nothing already flown; ``close`` finishes the
videos (an mp4 without its index is unreadable) and runs even when the shoot fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import cv2
import numpy as np
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.measure import StepMeasures
from numpy.typing import NDArray

from dronecine.agent import AgentOutput, EventKind
from dronecine.control import OwnState
from dronecine.perception import SubjectTrack, TrackStatus
from dronecine.perception.track import TrackState


class ShootRecorder:
    """Writes ``telemetry/<drone>.jsonl``, ``telemetry/subjects.jsonl``, ``events.jsonl`` and
    ``video/<drone>.mp4`` (when ``video_size`` is given) under ``out_dir``."""

    def __init__(
        self, out_dir: Path, drone_ids: tuple[str, ...], fps: float, video_size: tuple[int, int] | None
    ) -> None:
        self.out_dir = out_dir
        self._files: list[IO[str]] = []
        self._videos: dict[str, cv2.VideoWriter] = {}
        try:
            (out_dir / "telemetry").mkdir(parents=True, exist_ok=True)
            self._telemetry = {d: self._open(out_dir / "telemetry" / f"{d}.jsonl") for d in drone_ids}
            self._subjects = self._open(out_dir / "telemetry" / "subjects.jsonl")
            self._events = self._open(out_dir / "events.jsonl")
            if video_size is not None:
                (out_dir / "video").mkdir(exist_ok=True)
                for drone_id in drone_ids:
                    path = out_dir / "video" / f"{drone_id}.mp4"
                    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, video_size)
                    if not writer.isOpened():
                        raise ShootError(f"{path}: OpenCV cannot write an mp4 video here (no mp4v encoder?)")
                    self._videos[drone_id] = writer
        except OSError as error:
            self.close()
            raise ShootError(f"{out_dir}: cannot write the shoot's outputs ({error.strerror or error})") from error

    def _open(self, path: Path) -> IO[str]:
        handle = path.open("w", encoding="utf-8")
        self._files.append(handle)
        return handle

    def telemetry(self, drone_id: str, row: dict[str, Any]) -> None:
        _write(self._telemetry[drone_id], row)

    def subjects(self, row: dict[str, Any]) -> None:
        _write(self._subjects, row)

    def event(self, t_s: float, drone_id: str | None, kind: EventKind, message: str) -> None:
        _write(self._events, {"t_s": round(t_s, 2), "drone": drone_id, "kind": kind.value, "message": message})

    def frame(self, drone_id: str, image: NDArray[np.uint8]) -> None:
        self._videos[drone_id].write(image)

    @property
    def records_video(self) -> bool:
        return bool(self._videos)

    def close(self) -> None:
        for writer in self._videos.values():
            writer.release()
        for handle in self._files:
            handle.close()
        self._videos, self._files = {}, []


def _write(handle: IO[str], row: dict[str, Any]) -> None:
    handle.write(json.dumps(row, separators=(",", ":")) + "\n")
    handle.flush()


def telemetry_row(
    t_s: float,
    own: OwnState,
    i: int,
    out: AgentOutput,
    box: NDArray[np.float64],
    track: str | None,
    step: StepMeasures,
    battery_percent: float | None,
) -> dict[str, Any]:
    """Drone ``i``'s line of ``telemetry/<drone>.jsonl`` (keys in ``docs/shoot_outputs.md``): where it
    is, what it does, its subject's true ``box`` and the tracker's state, and this step's measures."""
    filming = bool(np.isfinite(step.framing_error[i]))  # the measures counted this step
    return {
        "t_s": t_s,
        "north_m": round(float(own.position_ned_m[i, 0]), 3),
        "east_m": round(float(own.position_ned_m[i, 1]), 3),
        "down_m": round(float(own.position_ned_m[i, 2]), 3),
        "vn_m_s": round(float(own.velocity_ned_m_s[i, 0]), 3),
        "ve_m_s": round(float(own.velocity_ned_m_s[i, 1]), 3),
        "vd_m_s": round(float(own.velocity_ned_m_s[i, 2]), 3),
        "yaw_deg": round(float(own.yaw_deg[i]), 2),
        "gimbal_pitch_deg": round(float(own.gimbal_pitch_deg[i]), 2),
        "gimbal_yaw_deg": round(float(own.gimbal_yaw_deg[i]), 2),
        "mode": out.mode.value,
        "scene": out.shot.scene_index if out.shot is not None else None,
        "subject": out.shot.subject_id if out.shot is not None else None,
        "box": [round(float(x), 4) for x in box] if np.isfinite(box).all() else None,
        "track": track,
        "framing_error": round(float(step.framing_error[i]), 4) if filming else None,
        "size_error": round(float(step.size_error[i]), 4) if filming else None,
        "in_frame": bool(step.in_frame[i]) if filming else None,
        "safety": [x.value for x in out.interventions],
        "battery_percent": round(float(battery_percent), 1) if battery_percent is not None else None,
    }


def subjects_row(t_s: float, subject_ids: tuple[str, ...], position_ned_m: NDArray[np.float64]) -> dict[str, Any]:
    """A line of ``telemetry/subjects.jsonl``: each subject's north and east (m) at ``t_s``."""
    return {"t_s": t_s, **{s: [round(float(x), 3) for x in position_ned_m[k, :2]] for k, s in enumerate(subject_ids)}}


def track_name(track: SubjectTrack, i: int) -> str:
    """Drone ``i``'s tracker state as the telemetry's ``track`` names it (``tracked``, ``lost``, ...)."""
    return TrackState[TrackStatus(int(track.status[i])).name].value
