"""The dashboard's live frames: every drone as the station sees it, the subjects, the latest events
and commands, as plain JSON data (docs/dashboard.md, ``GET /api/state`` and ``/ws``).

``LiveFeed`` hands the latest frame and each drone's latest camera view from the thread that runs
the shoot (the simulation, or the station's event loop) to the dashboard's server thread.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Any

import numpy as np

from dronecine.ground.station import Station
from dronecine.ground.station_state import DroneLive

RECENT = 30  # events and commands a frame carries


class Phase(StrEnum):
    WAITING = "waiting"  # not started (a simulated shoot waits for Start)
    RUNNING = "running"
    PAUSED = "paused"  # the simulation is frozen, or every field drone was told to hold
    FINISHED = "finished"


def live_frame(
    station: Station, phase: Phase, subjects_ne_m: dict[str, list[float]], speed: float | None = None
) -> dict[str, Any]:
    """The frame of ``station`` now: drones, ``subjects_ne_m`` (subject -> [north, east]), events, commands."""
    now = station.clock.now_s()
    events = list(station.events)[-RECENT:]
    return {
        "type": "frame",
        "t_s": round(now, 2),
        "phase": phase.value,
        "aborted": station.aborted,
        "speed": speed,
        "drones": {drone_id: _drone(live, now) for drone_id, live in station.live.items()},
        "subjects": subjects_ne_m,
        "events": [
            {"t_s": round(e.t_s, 2), "drone": e.drone_id, "kind": e.kind.value, "message": e.message} for e in events
        ],
        "commands": [c.to_json() for c in station.command_log[-RECENT:]],
    }


def first_frame(view: dict[str, Any], phase: Phase) -> dict[str, Any]:
    """The frame before the shoot's station exists (the simulation is still being built): every
    drone of the set ``view`` waiting, at the start of its pre-roll."""
    return {
        "type": "frame",
        "t_s": -view["preroll_s"],
        "phase": phase.value,
        "aborted": False,
        "speed": None,
        "drones": {d["drone"]: _unheard() for d in view["drones"]},
        "subjects": {},
        "events": [],
        "commands": [],
    }


def _unheard() -> dict[str, Any]:
    return {
        "status": "waiting",
        "connected": False,
        "link_age_s": None,
        "timeline_revision": 1,
        "note": "",
        "mode": None,
        "armed": False,
        "battery_percent": None,
        "north_m": None,
        "east_m": None,
        "down_m": None,
        "yaw_deg": None,
        "gimbal_pitch_deg": None,
        "gimbal_yaw_deg": None,
        "shot": None,
        "framing_error": None,
    }


def _drone(live: DroneLive, now: float) -> dict[str, Any]:
    state = live.state
    row = _unheard() | {
        "status": live.status.value,
        "connected": live.connected,
        "link_age_s": None if live.heard_t_s is None else round(max(now - live.heard_t_s, 0.0), 2),
        "timeline_revision": live.timeline_revision,
        "note": live.note,
    }
    if state is None:
        return row
    north, east, down = state.position_ned_m
    row |= {
        "mode": state.mode.value,
        "armed": state.mode.flying,  # the agent's motors run exactly while it flies
        "battery_percent": None if state.battery_percent is None else round(state.battery_percent, 1),
        "north_m": round(north, 2),
        "east_m": round(east, 2),
        "down_m": round(down, 2),
        "yaw_deg": round(state.yaw_deg, 1),
        "gimbal_pitch_deg": round(state.gimbal_pitch_deg, 1),
        "gimbal_yaw_deg": round(state.gimbal_yaw_deg, 1),
        "framing_error": None if state.framing_error is None else round(state.framing_error, 4),
    }
    if state.shot is not None:
        row["shot"] = {"scene": state.shot.scene, "move": state.shot.move, "subject": state.shot.subject}
    return row


class LiveFeed:
    """The latest frame (with a version that grows with each) and camera views, shared between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._frame: dict[str, Any] | None = None
        self._views: dict[str, np.ndarray] = {}

    def publish(self, frame: dict[str, Any], views: dict[str, np.ndarray] | None = None) -> None:
        """A new frame; ``views`` (drone -> BGR image) replace the drones' pictures (the arrays are
        kept, not copied: the publisher must not write into them afterwards)."""
        with self._lock:
            self._version += 1
            self._frame = frame
            if views:
                self._views.update(views)

    def latest(self) -> tuple[int, dict[str, Any] | None]:
        with self._lock:
            return self._version, self._frame

    def view(self, drone_id: str) -> np.ndarray | None:
        with self._lock:
            return self._views.get(drone_id)
