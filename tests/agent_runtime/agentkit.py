"""Helpers for the agent-runtime tests: a short mission, PX4-like vehicles standing at the mission's
homes, a station served over WebSockets on a free port, and the truth of what the camera saw.

Everything runs sped up by ``TIME_SCALE``: the vehicles' flight, the station's mission clock and the
agents' loop and clock (``RuntimeSettings.time_scale``); the links keep PX4's wall-clock timing.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from dronecine_sim.px4 import Px4Vehicle, Px4VehicleConfig
from dronecine_sim.px4.telemetry import Origin as VehicleOrigin

from dronecine.agent.local_frame import geodetic_from_ned
from dronecine.agent.runtime import AgentRuntime
from dronecine.control import OwnState
from dronecine.flight.link_types import LinkOptions
from dronecine.geometry.person import project_person_boxes
from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token
from dronecine.ground.station import Station
from dronecine.ground.station_state import StationSettings
from dronecine.ground.timeline import ShootPlan
from dronecine.ground.transport_ws import serve_websocket
from dronecine.metrics import in_frame
from dronecine.mission import Mission
from dronecine.mission.motion import nominal_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import _ORBIT, load

TIME_SCALE = 3.0
LINK_OPTIONS = LinkOptions(offboard_prestream_s=0.5, heartbeat_timeout_s=1.5)
LEAD_S = 6.0  # mission seconds from the station start to the first take-off: the agent connects meanwhile


def short_orbit_document(scene_s: float = 10.0) -> dict[str, Any]:
    """One drone 12 m from a standing person, one orbit of ``scene_s``: about 30 s of mission."""
    doc = copy.deepcopy(_ORBIT)
    doc["name"] = "Short orbit"
    doc["drones"][0]["home"] = {"north_m": -12, "east_m": 0}
    doc["scenes"][0]["duration_s"] = scene_s
    doc["scenes"][0]["shots"][0]["params"] = {"height_m": 4, "rate_deg_s": 9}
    return doc


def short_orbit() -> Mission:
    return load(short_orbit_document())


def write_mission(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def vehicle_at_home(mission: Mission, drone_id: str, instance: int = 0, **overrides: Any) -> Px4Vehicle:
    """A started test vehicle that boots at the drone's home (its GPS origin there, as PX4 SITL with
    PX4_HOME_LAT/LON from the mission)."""
    drone = mission.drone(drone_id)
    lat, lon = geodetic_from_ned(mission.origin, drone.home.north_m, drone.home.east_m)
    values = {
        "instance": instance,
        "time_scale": TIME_SCALE,
        "ready_delay_s": 0.0,
        "offboard_required_s": 0.4,
        "origin": VehicleOrigin(lat, lon, mission.origin.altitude_m),
    }
    values.update(overrides)
    vehicle = Px4Vehicle(Px4VehicleConfig(**values))
    vehicle.start()
    return vehicle


class ScaledClock:
    """The station's mission clock, ``TIME_SCALE`` times faster than the wall."""

    def __init__(self, start_t_s: float, time_scale: float = TIME_SCALE) -> None:
        self._start_t_s, self._scale, self._at = start_t_s, time_scale, time.monotonic()

    def now_s(self) -> float:
        return self._start_t_s + (time.monotonic() - self._at) * self._scale


@dataclass
class ServedStation:
    station: Station
    plan: ShootPlan
    url: str
    token: str
    clock: ScaledClock


@asynccontextmanager
async def served_station(mission: Mission) -> AsyncIterator[ServedStation]:
    """The station of ``mission`` on a free port, its clock LEAD_S before the first take-off."""
    plan = plan_shoot(mission)
    token = new_token()
    clock = ScaledClock(-plan.preroll_s - LEAD_S)
    station = Station(plan, token, clock, StationSettings(state_period_s=0.2))
    server, port = await serve_websocket(station.handle, "127.0.0.1", 0)
    try:
        yield ServedStation(station, plan, f"ws://127.0.0.1:{port}", token, clock)
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class FilmingTruth:
    """What the camera truly saw while the agent filmed: one in-frame flag per sample."""

    samples: list[bool]

    @property
    def fraction(self) -> float:
        return float(np.mean(self.samples)) if self.samples else 0.0


def sample_truth(runtime: AgentRuntime, vehicle: Px4Vehicle, truth: FilmingTruth) -> None:
    """While the agent films: is its subject in the true camera's frame (vehicle truth, nominal subject)?"""
    agent, frame = runtime.agent, runtime.frame
    if agent is None or frame is None or agent.shot is None or agent.mode.value != "filming":
        return
    snap = vehicle.snapshot()
    position = frame.to_mission(np.array(snap.position_ned_m))
    own = OwnState(
        position[None],
        np.array([snap.velocity_ned_m_s]),
        np.array([snap.yaw_deg]),
        np.array([snap.gimbal_pitch_deg]),
        np.array([snap.gimbal_yaw_deg]),
    )
    path = nominal_paths(runtime.mission)[agent.shot.subject_id]
    feet = path.state_at(max(runtime.clock.now_s(), 0.0)).position_ned_m
    camera = runtime.mission.drone(runtime.drone_id).camera.pinhole()
    box = project_person_boxes(camera, own.camera_pose(), feet[None], path.height_m)[0]
    truth.samples.append(bool(in_frame(box)))
