"""A small but realistic shoot output folder (docs/shoot_outputs.md) for the edit and report tests.

Three drones, two scenes of different pace, dt 0.1 s. Each drone's video is flat in the drone's
colour with its frame number coded in two grey blocks at the top right, so a test can read
back which drone and which frame landed in a rendered frame (``decode_frame``). Every scene
starts with a transit; then each drone films, with framing errors chosen so that the best drone
of every window is known (``EXPECTED_TAKES``).

Imported by basename (pytest puts this rootdir-less folder on ``sys.path``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

DT_S = 0.1
DRONES = ("watcher", "companion", "confidant")
SUBJECTS = ("lin", "sam")
FRAME_W, FRAME_H = 160, 90
COLOURS_BGR = {"watcher": (40, 40, 220), "companion": (40, 200, 40), "confidant": (220, 60, 40)}
HOMES = {"watcher": (-115.0, -20.0), "companion": (-115.0, 0.0), "confidant": (-115.0, 20.0)}
SHOTS = {  # per drone: subject, move, size (the same in every scene)
    "watcher": ("lin", "orbit", "wide"),
    "companion": ("sam", "truck", "medium_wide"),
    "confidant": ("lin", "profile", "full"),
}
GOOD_ERROR, BAD_ERROR = 0.02, 0.30
TAKEOFF_S, LANDING_S = 2.0, 1.0
SAFETY_STEPS = {("watcher", 50): "speed", ("confidant", 162): "separation", ("confidant", 163): "separation"}
"""(drone, step from action) -> the safety intervention at that step."""


@dataclass(frozen=True)
class SceneSpec:
    name: str
    pace: str
    start_s: float
    end_s: float
    transit_end_s: dict[str, float]
    best: tuple[tuple[float, float, str], ...]
    """(from_s, to_s, drone): who frames best when; GOOD_ERROR for them, BAD_ERROR for the others."""
    errors: dict[str, float] = field(default_factory=dict)
    """Per drone, a constant framing error instead of ``best`` (for scenes where all are alike)."""


SCENES = (
    SceneSpec(
        "meeting",
        "slow",
        0.0,
        14.0,
        {"watcher": 1.0, "companion": 1.0, "confidant": 3.0},
        ((1.0, 8.0, "companion"), (8.0, 14.0, "confidant")),
    ),
    SceneSpec(
        "the_run",
        "fast",
        14.0,
        24.0,
        {"watcher": 15.0, "companion": 15.0, "confidant": 15.0},
        ((15.0, 18.0, "watcher"), (18.0, 21.0, "confidant"), (21.0, 24.0, "companion")),
    ),
)
EXPECTED_TAKES = (
    ("companion", "meeting", 1.0, 8.0),
    ("confidant", "meeting", 8.0, 14.0),
    ("watcher", "the_run", 15.0, 18.0),
    ("confidant", "the_run", 18.0, 21.0),
    ("companion", "the_run", 21.0, 24.0),
)


def step_times(scenes: tuple[SceneSpec, ...]) -> np.ndarray:
    """Mission times of every step: take-off before 0, the scenes, then the return."""
    first = -round(TAKEOFF_S / DT_S)
    last = round((scenes[-1].end_s + LANDING_S) / DT_S)
    return np.arange(first, last) * DT_S


def subject_position(subject: str, t_s: float) -> tuple[float, float]:
    if subject == "lin":
        return (-50.0 + 1.2 * max(t_s, 0.0), -40.0 + 1.0 * max(t_s, 0.0))
    return (40.0 - 1.2 * max(t_s, 0.0), 50.0 - 1.4 * max(t_s, 0.0))


def _scene_at(scenes: tuple[SceneSpec, ...], t_s: float) -> int | None:
    for index, scene in enumerate(scenes):
        if scene.start_s <= t_s + 1e-9 < scene.end_s:
            return index
    return None


def _framing_error(scene: SceneSpec, drone: str, t_s: float) -> float:
    if drone in scene.errors:
        return scene.errors[drone]
    for start_s, end_s, best in scene.best:
        if start_s <= t_s + 1e-9 < end_s:
            return GOOD_ERROR if best == drone else BAD_ERROR
    return BAD_ERROR


def telemetry_rows(drone: str, scenes: tuple[SceneSpec, ...]) -> list[dict[str, Any]]:
    rows = []
    home_n, home_e = HOMES[drone]
    position = np.array([home_n, home_e, 0.0])
    subject, _, _ = SHOTS[drone]
    offset = {"watcher": (-30.0, 0.0, -30.0), "companion": (-8.0, 0.0, -4.0), "confidant": (0.0, 4.0, -1.8)}[drone]
    for k, step_t_s in enumerate(step_times(scenes)):
        t_s = round(float(step_t_s), 6)
        index = _scene_at(scenes, t_s)
        s_n, s_e = subject_position(subject, t_s)
        mark = np.array([s_n + offset[0], s_e + offset[1], offset[2]])
        if t_s < 0.0:
            mode, index = "takeoff", None
            target = np.array([home_n, home_e, -10.0 * (k + 1) / round(TAKEOFF_S / DT_S)])
        elif index is None:
            mode, target = "return", np.array([home_n, home_e, -10.0])
        elif t_s + 1e-9 < scenes[index].transit_end_s[drone]:
            mode, target = "transit", position + 0.3 * (mark - position)
        else:
            mode, target = "filming", mark
        velocity = (target - position) / DT_S
        position = target
        filming = mode == "filming"
        error = _framing_error(scenes[index], drone, t_s) if filming and index is not None else None
        step = round(t_s / DT_S)
        rows.append(
            {
                "t_s": t_s,
                "north_m": float(position[0]),
                "east_m": float(position[1]),
                "down_m": float(position[2]),
                "vn_m_s": float(velocity[0]),
                "ve_m_s": float(velocity[1]),
                "vd_m_s": float(velocity[2]),
                "yaw_deg": 45.0,
                "gimbal_pitch_deg": -20.0,
                "gimbal_yaw_deg": 0.0,
                "mode": mode,
                "scene": index,
                "subject": subject if index is not None else None,
                "box": [0.5 + (error or 0.0), 0.5, 0.1, 0.3] if filming else None,
                "track": "detected" if filming else None,
                "framing_error": error,
                "size_error": 0.1 if filming else None,
                "in_frame": True if filming else None,
                "safety": [SAFETY_STEPS[(drone, step)]] if (drone, step) in SAFETY_STEPS else [],
            }
        )
    return rows


def encode_frame(drone: str, frame: int, mode: str) -> np.ndarray:
    image = np.empty((FRAME_H, FRAME_W, 3), np.uint8)
    image[:] = COLOURS_BGR[drone]
    image[8:32, 128:152] = 8 + 14 * (frame % 16)
    image[40:64, 128:152] = 8 + 14 * (frame // 16 % 17)  # frames decode modulo 272
    cv2.putText(image, f"{frame} {mode}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1)
    return image


def decode_frame(image: np.ndarray) -> tuple[str, int]:
    """Which drone's video and which frame a (possibly re-encoded) frame of size FRAME_W x FRAME_H shows."""
    colour = np.median(image[36:64, 40:120].reshape(-1, 3), axis=0)
    drone = min(DRONES, key=lambda d: float(np.sum((colour - np.array(COLOURS_BGR[d])) ** 2)))
    low = round((float(np.median(image[12:28, 132:148])) - 8) / 14)
    high = round((float(np.median(image[44:60, 132:148])) - 8) / 14)
    return drone, 16 * high + low


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _write_video(path: Path, drone: str, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 1.0 / DT_S, (FRAME_W, FRAME_H))
    for k, row in enumerate(rows):
        writer.write(encode_frame(drone, k, row["mode"]))
    writer.release()


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _shot_log(scenes: tuple[SceneSpec, ...], telemetry: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    entries = []
    for index, scene in enumerate(scenes):
        for drone in DRONES:
            subject, move, size = SHOTS[drone]
            filming = [r for r in telemetry[drone] if r["scene"] == index and r["mode"] == "filming"]
            entries.append(
                {
                    "drone": drone,
                    "scene": scene.name,
                    "scene_index": index,
                    "subject": subject,
                    "move": move,
                    "size": size,
                    "priority": "normal",
                    "pace": scene.pace,
                    "start_s": scene.start_s,
                    "end_s": scene.end_s,
                    "filming_start_s": filming[0]["t_s"] if filming else None,
                    "steps": len(filming),
                    "framing_error": _mean([r["framing_error"] for r in filming]),
                    "size_error": _mean([r["size_error"] for r in filming]),
                    "in_frame": 1.0 if filming else None,
                    "jerk_rms": 1.2,
                }
            )
    return entries


def _events(scenes: tuple[SceneSpec, ...]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"t_s": -TAKEOFF_S, "drone": None, "kind": "takeoff", "message": "all drones up"}]
    for scene in scenes:
        for drone in DRONES:
            events.append({"t_s": scene.start_s, "drone": drone, "kind": "transit", "message": f"to {scene.name}"})
            start = scene.transit_end_s[drone]
            events.append({"t_s": start, "drone": drone, "kind": "shot_start", "message": scene.name})
            events.append({"t_s": scene.end_s, "drone": drone, "kind": "shot_end", "message": scene.name})
    for (drone, step), reason in sorted(SAFETY_STEPS.items(), key=lambda item: item[0][1]):
        events.append({"t_s": step * DT_S, "drone": drone, "kind": "safety", "message": f"{reason}: command limited"})
    events.append({"t_s": scenes[-1].end_s, "drone": None, "kind": "landing", "message": "all drones home"})
    return sorted(events, key=lambda e: e["t_s"])


def write_shoot(out_dir: Path, scenes: tuple[SceneSpec, ...] = SCENES) -> Path:
    """Write a whole shoot output folder (videos included) into ``out_dir``; returns it."""
    telemetry = {drone: telemetry_rows(drone, scenes) for drone in DRONES}
    for drone, rows in telemetry.items():
        _write_jsonl(out_dir / "telemetry" / f"{drone}.jsonl", rows)
        _write_video(out_dir / "video" / f"{drone}.mp4", drone, rows)
    times = [round(float(t), 6) for t in step_times(scenes)]
    subjects = [{"t_s": t, **{s: list(subject_position(s, t)) for s in SUBJECTS}} for t in times]
    _write_jsonl(out_dir / "telemetry" / "subjects.jsonl", subjects)
    _write_jsonl(out_dir / "events.jsonl", _events(scenes))
    shot_log = _shot_log(scenes, telemetry)
    (out_dir / "shot_log.json").write_text(json.dumps(shot_log, indent=1), encoding="utf-8")
    (out_dir / "plan.json").write_text(json.dumps({"scenes": [s.name for s in scenes]}), encoding="utf-8")
    summary = {
        "mission": "In the Robot Skies",
        "seed": 0,
        "perception": "noisy",
        "dt_s": DT_S,
        "drones": {
            drone: {
                "in_frame": 1.0,
                "framing_error": _mean([e["framing_error"] for e in shot_log if e["drone"] == drone and e["steps"]]),
                "size_error": 0.1,
                "jerk_rms": 1.2,
                "safety_interventions": sum(1 for d, _ in SAFETY_STEPS if d == drone),
            }
            for drone in DRONES
        },
        "min_separation_m": 9.5,
        "closest_person_m": 3.2,
        "separation_violations": 0,
        "geofence_breaches": 0,
        "mutual_visibility_violations": 0,
        "sim_seconds": math.ceil(len(times) * DT_S * 10) / 10,
        "wall_seconds": 2.5,
        "outputs": {"video": {d: f"video/{d}.mp4" for d in DRONES}, "report": "report.html"},
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return out_dir
