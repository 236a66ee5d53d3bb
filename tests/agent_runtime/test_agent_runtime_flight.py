"""The onboard runtime end to end on loopback: a station over WebSockets, a PX4-like vehicle over
MAVLink (pymavlink), the perception model on the true boxes; the drone takes off when its timeline
says, flies to its shot, films it with the subject in frame, comes home and lands, and the station
hears all of it. And a stalled loop: the link's watchdog holds the drone, the runtime counts it."""

from __future__ import annotations

import asyncio
import time

import pytest
from agentkit import (
    LINK_OPTIONS,
    TIME_SCALE,
    FilmingTruth,
    sample_truth,
    served_station,
    short_orbit,
    vehicle_at_home,
)
from dronecine_sim.perception.agent_sources import model_perception

from dronecine.agent import AgentMode, EventKind
from dronecine.agent.perception import PerceptionContext
from dronecine.agent.runtime import AgentRuntime, FlightPhase
from dronecine.agent.runtime_setup import RuntimeSettings
from dronecine.flight.pymavlink_link import PymavlinkLink
from dronecine.ground.transport_ws import connect_websocket

pytestmark = pytest.mark.slow
SETTINGS = RuntimeSettings(time_scale=TIME_SCALE, policy="bundled", stats_period_s=2.0)


async def _fly(mission, served, vehicle, perception, settings=SETTINGS, during=None):
    """Run the runtime to the end, sampling the truth while it films; (report, runtime, truth)."""
    link = PymavlinkLink(LINK_OPTIONS)
    runtime = AgentRuntime(mission, "solo", link, perception, settings)
    truth = FilmingTruth([])
    run = asyncio.create_task(
        runtime.run(f"udpout://127.0.0.1:{vehicle.port}", lambda: connect_websocket(served.url), served.token)
    )
    try:
        while not run.done():
            sample_truth(runtime, vehicle, truth)
            if during is not None:
                await during(runtime)
            await asyncio.sleep(0.05)
        return await asyncio.wait_for(run, 1.0), runtime, truth
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        await link.close()


async def test_the_agent_takes_off_films_its_shot_returns_and_lands() -> None:
    mission = short_orbit()
    vehicle = vehicle_at_home(mission, "solo")
    context = PerceptionContext(mission, "solo", SETTINGS.dt_s, seed=3)
    heights: list[float] = []

    async def watch(runtime: AgentRuntime) -> None:
        heights.append(-vehicle.snapshot().position_ned_m[2])

    try:
        async with served_station(mission) as served:
            report, _, truth = await asyncio.wait_for(
                _fly(mission, served, vehicle, model_perception(context, "light"), during=watch), 60.0
            )
            station_events = [e.kind for e in served.station.events if e.drone_id == "solo"]
            live = served.station.live["solo"]
    finally:
        vehicle.stop()

    assert report.took_off and report.landed and report.phase == FlightPhase.DONE
    assert report.mode == AgentMode.LANDED
    assert max(heights) > 3.5  # climbed to its take-off height (5 m) and flew the 4 m orbit
    snap_after = vehicle.snapshot()
    assert not snap_after.armed
    assert abs(snap_after.position_ned_m[0]) < 1.5 and abs(snap_after.position_ned_m[1]) < 1.5  # home
    assert len(truth.samples) > 20
    assert truth.fraction >= 0.8, f"the subject was in frame in {truth.fraction:.0%} of the filming samples"
    for kind in (EventKind.TAKEOFF, EventKind.SHOT_START, EventKind.SHOT_END, EventKind.LANDED):
        assert kind in station_events, f"the station never heard {kind.value}: {station_events}"
    assert live.state is not None and live.state.mode == AgentMode.LANDED
    stages = {s.stage: s for s in report.stages}
    for stage in ("telemetry", "perception", "policy", "safety", "link", "station", "step"):
        assert stages[stage].count > 0, stage
    assert report.stream is not None and report.stream.sent > 0


class _StallingPerception:
    """The perception model, but one observation takes a full second (a detector hanging)."""

    in_thread = True

    def __init__(self, inner, stall_after: int) -> None:
        self.inner, self.name = inner, "stalling"
        self.calls, self.stall_after, self.stalled = 0, stall_after, False

    def warm_up(self) -> None:
        self.inner.warm_up()

    def reset(self) -> None:
        self.inner.reset()

    def observe(self, t_s, own, subject_id, expected):
        self.calls += 1
        if self.calls == self.stall_after:
            time.sleep(1.0)
            self.stalled = True
        return self.inner.observe(t_s, own, subject_id, expected)

    def close(self) -> None:
        self.inner.close()


async def test_a_stalled_loop_is_held_by_the_link_watchdog_and_counted() -> None:
    mission = short_orbit()
    vehicle = vehicle_at_home(mission, "solo")
    context = PerceptionContext(mission, "solo", SETTINGS.dt_s)
    perception = _StallingPerception(model_perception(context, "oracle"), stall_after=10)
    seen: dict[str, object] = {}

    async def watch(runtime: AgentRuntime) -> None:
        if perception.stalled and "stream" not in seen:
            seen["stream"] = runtime.link.stream_stats()
            seen["mode"] = vehicle.snapshot().mode

    try:
        async with served_station(mission) as served:
            report, _, _ = await asyncio.wait_for(_fly(mission, served, vehicle, perception, during=watch), 60.0)
    finally:
        vehicle.stop()
    assert perception.stalled
    assert report.overruns >= 1 and report.max_late_ms > 500.0
    assert seen["stream"].stalls >= 1 and seen["stream"].hold_sent > 0  # the watchdog streamed a hold
    assert seen["mode"].name.lower().endswith("offboard")  # PX4 stayed in offboard: the stream never stopped
    assert report.landed  # and the drone carried on and came home
