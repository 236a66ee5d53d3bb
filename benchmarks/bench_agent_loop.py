"""The onboard loop's latency budget per stage, against the PX4-like test vehicle, and the policy's
inference time.

A script, not a test: ``python benchmarks/bench_agent_loop.py [--frames model:noisy sim] [--time-scale 1]``.
For each ``--frames`` choice, one drone flies a short mission (take-off, a 10 s orbit, home, landing)
with ``dronecine.agent.runtime.AgentRuntime`` at 10 Hz: the vehicle (``dronecine_sim.px4``) runs in
its own process on UDP loopback as PX4 would, the station is served over WebSockets in this one, the
link is pymavlink. The table gives per stage the p50 / p99 / max milliseconds over the run's steps:
``telemetry`` (the latest values into an OwnState), ``perception`` (``model``: the noise model on the
true box; ``sim``: a 480x270 rendered frame through the bundled YOLO detector at 320 px, the tracker
and the lock, in a worker thread), ``observe`` (the agent's step less policy and safety), ``policy``,
``safety``, ``link`` (setpoints handed to the streamer), ``station`` (events and state sent), ``step``
(all of it), plus the overruns. Then the bundled policy's ``predict`` alone (target: under 1 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from dronecine_sim.px4 import Origin, Px4Vehicle, Px4VehicleConfig

from dronecine.agent.local_frame import geodetic_from_ned
from dronecine.agent.perception import PerceptionContext, open_perception
from dronecine.agent.runtime import AgentRuntime, RuntimeReport
from dronecine.agent.runtime_setup import RuntimeSettings, make_policy
from dronecine.control import OBSERVATION
from dronecine.flight.link_types import LinkOptions
from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token
from dronecine.ground.station import Station
from dronecine.ground.station_state import StationSettings
from dronecine.ground.transport_ws import connect_websocket, serve_websocket
from dronecine.mission import Mission

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "agent_runtime"))
from agentkit import ScaledClock, short_orbit  # the tests' short mission

LEAD_S = 8.0


def _serve_vehicle(pipe: Connection, config: Px4VehicleConfig) -> None:
    with Px4Vehicle(config) as vehicle:
        pipe.send(vehicle.port)
        pipe.recv()


async def fly(mission: Mission, frames: str, time_scale: float) -> RuntimeReport:
    drone = mission.drone("solo")
    lat, lon = geodetic_from_ned(mission.origin, drone.home.north_m, drone.home.east_m)
    config = Px4VehicleConfig(
        time_scale=time_scale, ready_delay_s=0.0, origin=Origin(lat, lon, mission.origin.altitude_m)
    )
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_vehicle, args=(theirs, config), daemon=True)
    process.start()
    port = await asyncio.to_thread(ours.recv)
    plan = plan_shoot(mission)
    token = new_token()
    station = Station(plan, token, ScaledClock(-plan.preroll_s - LEAD_S, time_scale), StationSettings())
    server, ws_port = await serve_websocket(station.handle, "127.0.0.1", 0)
    settings = RuntimeSettings(time_scale=time_scale, stats_period_s=1e6)
    perception = open_perception(frames, PerceptionContext(mission, "solo", settings.dt_s, seed=1))
    from dronecine.flight.pymavlink_link import PymavlinkLink

    link = PymavlinkLink(LinkOptions())
    runtime = AgentRuntime(mission, "solo", link, perception, settings)
    try:
        return await runtime.run(
            f"udpout://127.0.0.1:{port}", lambda: connect_websocket(f"ws://127.0.0.1:{ws_port}"), token
        )
    finally:
        await link.close()
        server.close()
        await server.wait_closed()
        ours.send("stop")
        process.join(timeout=10)


def policy_timing(mission: Mission, repeats: int) -> np.ndarray:
    """The bundled policy's predict on one observation, in milliseconds per call."""
    camera = mission.drone("solo").camera.pinhole()
    policy = make_policy("bundled", 0.1, camera)
    rng = np.random.default_rng(0)
    observation = rng.uniform(-1.0, 1.0, (1, OBSERVATION.size))
    for _ in range(50):
        policy.predict(observation)
    times = np.empty(repeats)
    for k in range(repeats):
        start = time.perf_counter()
        policy.predict(observation)
        times[k] = time.perf_counter() - start
    return times * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", nargs="+", default=["model:noisy", "sim"], help="perceptions to measure")
    parser.add_argument("--time-scale", type=float, default=1.0, help="mission seconds per wall second")
    parser.add_argument("--policy-repeats", type=int, default=5000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    mission = short_orbit()
    print(f"agent loop at 10 Hz, time scale {args.time_scale:g}, mission {mission.name!r}")
    for frames in args.frames:
        started = time.perf_counter()
        report = asyncio.run(fly(mission, frames, args.time_scale))
        wall = time.perf_counter() - started
        print(
            f"\n--frames {frames}: {report.steps} steps, {report.overruns} overruns, "
            f"landed {report.landed}, {wall:.1f} s wall"
        )
        print(f"{'stage':<11} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for s in report.stages:
            if s.count:
                print(f"{s.stage:<11} {s.count:>6} {s.p50_ms:>8.3f} {s.p99_ms:>8.3f} {s.max_ms:>8.3f}")
    ms = policy_timing(mission, args.policy_repeats)
    print(
        f"\npolicy predict (bundled, N=1, {len(ms)} calls): p50 {np.percentile(ms, 50):.3f} ms, "
        f"p99 {np.percentile(ms, 99):.3f} ms, max {ms.max():.3f} ms (target < 1 ms)"
    )


if __name__ == "__main__":
    main()
