"""A finished shoot, read back from its run folder for the dashboard's replay: every drone's and
subject's track on one clock, the events, the commands, and each drone's camera at any time from its
video. The set comes from the ``set.json`` the shoot wrote, so the folder is all a replay needs."""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from dronecine.edit import RecordingError, ShootRecording
from dronecine.edit.fields import read_json, read_jsonl
from dronecine.ground.dashboard.set_view import SET_FILE
from dronecine.ground.errors import GroundError

REPLAY_DT_S = 0.2  # the replay's sample period: smooth enough to scrub, small enough to send at once
COMMANDS = "commands.jsonl"


class Replay:
    """``Replay.load(run_dir)``; ``set_view`` and ``data`` are docs/dashboard.md's ``/api/set`` and
    ``/api/replay``; ``thumbnail(drone, t_s)`` a drone's camera at ``t_s`` (None without a video)."""

    def __init__(self, run_dir: Path, set_view: dict[str, Any], data: dict[str, Any], dt_s: float) -> None:
        self.run_dir = run_dir
        self.set_view = set_view | {"mode": "replay", "replay_ready": True}
        self.data = data
        self._dt_s = dt_s
        self._t0_s = data["t_s"][0] if data["t_s"] else 0.0
        self._videos: dict[str, cv2.VideoCapture] = {}
        self._lock = threading.Lock()  # the server reads thumbnails from several threads

    @classmethod
    def load(cls, run_dir: Path | str) -> Replay:
        root = Path(run_dir)
        if not (root / SET_FILE).is_file():
            raise GroundError(
                f"{root}: no {SET_FILE} (not a shoot's run folder, or one made before the dashboard: shoot it again)"
            )
        try:
            recording = ShootRecording.load(root)
            set_view = read_json(root, SET_FILE)
        except RecordingError as error:
            raise GroundError(f"cannot replay {root}: {error}") from error
        if not isinstance(set_view, dict) or "drones" not in set_view:
            raise GroundError(f"{root / SET_FILE}: not a dashboard set (no 'drones')")
        return cls(root, set_view, _replay_data(recording, root), recording.summary.dt_s)

    def thumbnail(self, drone_id: str, t_s: float) -> np.ndarray | None:
        """The frame of ``drone_id``'s video nearest ``t_s`` (None: no video, or past its end)."""
        path = self.run_dir / "video" / f"{drone_id}.mp4"
        if not path.is_file() or not math.isfinite(t_s):
            return None
        index = max(round((t_s - self._t0_s) / self._dt_s), 0)
        with self._lock:
            capture = self._videos.get(drone_id)
            if capture is None:
                capture = self._videos[drone_id] = cv2.VideoCapture(str(path))
            capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, image = capture.read()
        return image if ok else None

    def close(self) -> None:
        with self._lock:
            for capture in self._videos.values():
                capture.release()
            self._videos.clear()


def _replay_data(recording: ShootRecording, root: Path) -> dict[str, Any]:
    dt_s = recording.summary.dt_s
    stride = max(1, round(REPLAY_DT_S / dt_s))
    first = recording.drone_telemetry[0]
    t_s = first.t_s[::stride]
    shots = {
        (e.drone, e.scene_index): {"scene": e.scene, "move": e.move.value, "subject": e.subject}
        for e in recording.shots
    }
    drones = {}
    for telemetry in recording.drone_telemetry:
        rows = slice(None, None, stride)
        drones[telemetry.drone] = {
            "north_m": _numbers(telemetry.north_m[rows], 2),
            "east_m": _numbers(telemetry.east_m[rows], 2),
            "down_m": _numbers(telemetry.down_m[rows], 2),
            "yaw_deg": _numbers(telemetry.yaw_deg[rows], 1),
            "gimbal_pitch_deg": _numbers(telemetry.gimbal_pitch_deg[rows], 1),
            "gimbal_yaw_deg": _numbers(telemetry.gimbal_yaw_deg[rows], 1),
            "mode": [m.value for m in telemetry.mode[rows]],
            "framing_error": _numbers(telemetry.framing_error[rows], 4),
            "shot": [shots.get((telemetry.drone, int(k))) for k in telemetry.scene_index[rows]],
        }
        if telemetry.battery_percent is not None:
            drones[telemetry.drone]["battery_percent"] = _numbers(telemetry.battery_percent[rows], 1)
    subjects = {}
    tracks = recording.subjects
    for track in tracks.tracks:
        # The subjects' log has its own clock: sample it at the drones' times.
        subjects[track.subject] = {
            "north_m": _numbers(np.interp(t_s, tracks.t_s, track.north_m), 2),
            "east_m": _numbers(np.interp(t_s, tracks.t_s, track.east_m), 2),
        }
    events = [{"t_s": e.t_s, "drone": e.drone, "kind": e.kind.value, "message": e.message} for e in recording.events]
    return {
        "t_s": _numbers(t_s, 2),
        "drones": drones,
        "subjects": subjects,
        "events": events,
        "commands": _commands(root),
    }


def _numbers(values: np.ndarray, digits: int) -> list[float | None]:
    return [round(float(x), digits) if math.isfinite(x) else None for x in values]


def _commands(root: Path) -> list[dict[str, Any]]:
    if not (root / COMMANDS).is_file():
        return []
    try:
        return [dict(row) for _, row in read_jsonl(root, COMMANDS)]
    except RecordingError as error:
        raise GroundError(f"cannot replay {root}: {error}") from error
