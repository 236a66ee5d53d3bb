"""Fly a shoot on PX4 SITL: the station served on loopback, one onboard agent per drone on its PX4's
MAVLink link, and a sampler recording them all, until every drone is down.

The agents, the station, their protocol and the links are the field's own; only the cameras' people
come from the simulator (each agent's ``sim`` or ``model`` frames). The station's clock starts
when every agent has its PX4 connected and ready, and puts the first take-off ``lead_s`` later. A
drone whose agent fails before that stops the shoot with its error (nobody is in the air yet); one
that fails in the air holds (PX4's hold, the agent's wind-down), the station re-plans without it,
and the others fly on.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dronecine_sim.perception import PerceptionChoice
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.measure import ShootMeasures
from dronecine_sim.shoot.recorder import ShootRecorder
from dronecine_sim.shoot.runner import OVERRUN_S, ShootRun
from dronecine_sim.shoot.settings import ShootSettings
from dronecine_sim.shoot.sitl.autopilots import autopilot_urls
from dronecine_sim.shoot.sitl.sampler import SitlSampler

from dronecine.agent import EventKind
from dronecine.agent.perception import PerceptionContext, open_perception
from dronecine.agent.runtime import AgentRuntime, RuntimeReport
from dronecine.agent.runtime_setup import RuntimeSettings
from dronecine.errors import DronecineError
from dronecine.flight.link_choice import LinkChoice, make_link
from dronecine.flight.link_types import StreamStats
from dronecine.ground import ShootPlan
from dronecine.ground.serving import StationServer
from dronecine.ground.station_state import WallClock
from dronecine.ground.transport import Transport
from dronecine.ground.transport_ws import connect_websocket
from dronecine.mission.document import Mission

logger = logging.getLogger(__name__)
ProgressCallback = Callable[[float, float], None]
_NOT_YET_S = 1e6
STATION_DIR = "station"  # the station's own logs and token, as `dronecine ground --out` writes them


@dataclass(frozen=True)
class SitlSettings:
    """time_scale: mission seconds per wall second; PX4 SITL runs at 1 unless started with
    ``PX4_SIM_SPEED_FACTOR`` (SIH), and this must match it. lead_s: wall seconds from every agent
    having its PX4 ready to the first take-off (they connect to the station meanwhile).
    connect_timeout_s: how long each agent waits for its PX4's first heartbeat. link: the MAVLink
    library. home_from_gps: place each PX4's frame in the mission's by its home's GPS position (False:
    trust it stands at its planned home; Gazebo's latitude and longitude are its world file's)."""

    time_scale: float = 1.0
    lead_s: float = 5.0
    connect_timeout_s: float = 10.0
    link: LinkChoice = LinkChoice.PYMAVLINK
    home_from_gps: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.time_scale) and 0.1 <= self.time_scale <= 20.0):
            raise ShootError(f"--sitl-speed {self.time_scale!r} is out of range (expected 0.1..20, PX4's speed factor)")
        if not (math.isfinite(self.lead_s) and 1.0 <= self.lead_s <= 600.0):
            raise ShootError(f"--sitl-lead-s {self.lead_s!r} is out of range (expected 1..600 s)")


class StationWatcher(Protocol):
    """Something that watches the station while the shoot flies (the dashboard, ``--serve``)."""

    def attach(self, server: StationServer) -> None:
        """The station is up (called on its event loop)."""

    async def detach(self) -> None:
        """The shoot is over (called on the loop, before the station stops)."""


class _StationGate:
    """Each agent asks for the station once its PX4 is connected and ready and its perception warm;
    the last one to ask starts the mission clock, and only then do they all connect. So no drone
    takes off while another is still booting: a drone that never gets ready stops the shoot with
    every drone on the ground."""

    def __init__(self, url: str, agents: int, start_clock: Callable[[], None]) -> None:
        self.url, self.waiting_for, self.start_clock = url, agents, start_clock
        self.open = asyncio.Event()

    async def connect(self) -> Transport:
        self.waiting_for -= 1
        if self.waiting_for == 0:
            self.start_clock()
            self.open.set()
        await self.open.wait()
        return await connect_websocket(self.url)


def frames_for(perception: str) -> str:
    """The agents' frame source for a ``--perception`` choice: YOLO on rendered frames, or the model."""
    return "sim" if perception == PerceptionChoice.YOLO.value else f"model:{perception}"


def run_sitl_shoot(
    mission: Mission,
    plan: ShootPlan,
    out_dir: Path,
    settings: ShootSettings,
    sitl: SitlSettings,
    progress: ProgressCallback | None = None,
    watcher: StationWatcher | None = None,
) -> ShootRun:
    """Fly ``plan`` on the mission's autopilots (``autopilot_urls``), recording into ``out_dir``;
    ``progress(sim_s, total_s)`` as it flies; ``watcher`` sees the station from start to end. Ctrl-C
    stops it: the drones in the air hold."""
    urls = autopilot_urls(mission)
    return asyncio.run(_SitlShoot(mission, plan, out_dir, settings, sitl, urls).fly(progress, watcher))


class _SitlShoot:
    def __init__(
        self,
        mission: Mission,
        plan: ShootPlan,
        out_dir: Path,
        settings: ShootSettings,
        sitl: SitlSettings,
        urls: dict[str, str],
    ) -> None:
        self.mission, self.plan, self.out_dir = mission, plan, out_dir
        self.settings, self.sitl, self.urls = settings, sitl, urls
        self.drone_ids = tuple(t.drone_id for t in plan.timelines)
        self.reported_failures: set[str] = set()

    async def fly(self, progress: ProgressCallback | None, watcher: StationWatcher | None) -> ShootRun:
        started = time.perf_counter()
        settings, sitl = self.settings, self.sitl
        # Set for real once every agent has its PX4 ready (``_StationGate``); until then action is far off.
        clock = WallClock(action_in_s=_NOT_YET_S, time_scale=sitl.time_scale)
        recorder = ShootRecorder(self.out_dir, self.drone_ids, 1.0 / settings.dt_s, settings.video_size)
        server = StationServer(self.plan, self.out_dir / STATION_DIR, clock)
        runtimes: list[AgentRuntime] = []
        tasks: dict[str, asyncio.Task[RuntimeReport]] = {}
        sampler: SitlSampler | None = None
        watching = False
        try:
            port = await server.start("127.0.0.1", 0)
            if watcher is not None:
                watcher.attach(server)
                watching = True
            server.station.add_listener(
                on_event=lambda e: None if e.from_agent else recorder.event(e.t_s, None, e.kind, e.message)
            )
            runtimes = [self._runtime(d, recorder) for d in self.drone_ids]
            action_in_s = self.plan.preroll_s / sitl.time_scale + sitl.lead_s
            gate = _StationGate(f"ws://127.0.0.1:{port}", len(runtimes), lambda: clock.start_action_in(action_in_s))
            for runtime in runtimes:
                url = self.urls[runtime.drone_id]
                tasks[runtime.drone_id] = asyncio.get_running_loop().create_task(
                    runtime.run(url, gate.connect, server.token), name=runtime.drone_id
                )
            measures = ShootMeasures(self.mission, self.plan, settings.dt_s)
            sampler = SitlSampler(self.mission, runtimes, recorder, measures, settings.video_size, settings.seed)
            await self._wait_ready(sampler, tasks)
            await self._record(sampler, tasks, clock, recorder, progress)
        except BaseException as error:
            if not isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
                now = clock.now_s()
                recorder.event(now, None, EventKind.ERROR, f"the shoot stopped: {type(error).__name__}: {error}")
            raise
        finally:
            await _stop(tasks, runtimes)
            if watching:
                await watcher.detach()
            await server.stop()
            if sampler is not None:
                sampler.close()
            recorder.close()
        measures.timelines = tuple(r.agent.timeline for r in runtimes)  # as re-planned
        sim_s = (sampler.last_t_s or 0.0) - (sampler.first_t_s or 0.0)
        flown = {
            "autopilots": self.urls,
            "link": sitl.link.value,
            "time_scale": sitl.time_scale,
            "agents": {r.drone_id: _agent_figures(r, tasks[r.drone_id]) for r in runtimes},
            "late_samples": sampler.late_slots,
        }
        return ShootRun(measures, sim_s, time.perf_counter() - started, server.station.figures(), flown)

    def _runtime(self, drone_id: str, recorder: ShootRecorder) -> AgentRuntime:
        settings, sitl = self.settings, self.sitl
        runtime_settings = RuntimeSettings(
            rate_hz=1.0 / settings.dt_s,
            policy=settings.policy,
            connect_timeout_s=sitl.connect_timeout_s,
            time_scale=sitl.time_scale,
            home_from_gps=sitl.home_from_gps,
        )
        context = PerceptionContext(self.mission, drone_id, settings.dt_s, weights=settings.weights, seed=settings.seed)
        perception = open_perception(frames_for(settings.perception), context)
        return AgentRuntime(
            self.mission,
            drone_id,
            make_link(sitl.link),
            perception,
            runtime_settings,
            on_event=lambda t_s, e: recorder.event(t_s, drone_id, e.kind, e.message),
        )

    async def _wait_ready(self, sampler: SitlSampler, tasks: dict[str, asyncio.Task[RuntimeReport]]) -> None:
        """Until every agent is connected and stepping; the first agent that fails is the shoot's error."""
        while not sampler.ready():
            for drone_id, task in tasks.items():
                if task.done():
                    error = task.exception()
                    if error is None:
                        raise ShootError(f"{drone_id}: the agent ended before the shoot began")
                    if isinstance(error, DronecineError):
                        raise ShootError(str(error)) from error
                    raise error
            await asyncio.sleep(0.05)

    async def _record(self, sampler, tasks, clock: WallClock, recorder: ShootRecorder, progress) -> None:
        """Sample every ``dt_s`` of mission time until every agent is done (or the plan's end and
        ``OVERRUN_S`` have passed: whoever is still out holds, and the crew takes over)."""
        dt_s, period = self.settings.dt_s, self.settings.dt_s / self.sitl.time_scale
        first_s = clock.now_s()
        start, done = time.monotonic(), -1  # the recording's slots are first_s + k dt_s; done: the last filled
        begin_s, end_s = -self.plan.preroll_s, self.plan.end_s
        while not all(task.done() for task in tasks.values()):
            # Lines stay exactly dt_s apart (the recording's contract) and true to mission time: a
            # sample that comes late fills the slots it missed too.
            now_slot = max(int((clock.now_s() - first_s) / dt_s), done + 1)
            slots = [first_s + k * dt_s for k in range(done + 1, now_slot + 1)]
            t_s = slots[-1]
            if t_s > end_s + OVERRUN_S:
                out = [d for d, task in tasks.items() if not task.done()]
                message = f"{', '.join(out)} still out {OVERRUN_S:.0f} s after the plan's end: they hold"
                recorder.event(t_s, None, EventKind.ERROR, message)
                break
            await sampler.sample(slots)
            done = now_slot
            self._report_failures(tasks, recorder, t_s)
            if progress is not None:
                progress(max(t_s - begin_s, 0.0), max(end_s - begin_s, t_s - begin_s))
            await asyncio.sleep(max(start + (done + 1) * period - time.monotonic(), 0.0))
        self._report_failures(tasks, recorder, clock.now_s())

    def _report_failures(self, tasks, recorder: ShootRecorder, t_s: float) -> None:
        for drone_id, task in tasks.items():
            if task.done() and drone_id not in self.reported_failures and task.exception() is not None:
                self.reported_failures.add(drone_id)
                recorder.event(t_s, drone_id, EventKind.ERROR, f"the agent stopped: {task.exception()}")
                logger.error("%s: the agent stopped: %s", drone_id, task.exception())


async def _stop(tasks: dict[str, asyncio.Task[RuntimeReport]], runtimes: list[AgentRuntime]) -> None:
    """Cancel the agents still running (each holds its drone if it is in the air) and close the links."""
    for task in tasks.values():
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    for runtime in runtimes:
        try:
            await runtime.link.close()
        except Exception as error:  # closing a link already broken: the shoot's outcome is what matters
            logger.warning("%s: closing the link: %s", runtime.drone_id, error)


def _agent_figures(runtime: AgentRuntime, task: asyncio.Task[RuntimeReport]) -> dict:
    report = runtime.report()
    failed = task.done() and not task.cancelled() and task.exception() is not None
    return {
        "took_off": report.took_off,
        "landed": report.landed,
        "steps": report.steps,
        "overruns": report.overruns,
        "interventions": report.interventions,
        "stream": None if report.stream is None else _stream_figures(report.stream),
        "error": str(task.exception()) if failed else None,
    }


def _stream_figures(stream: StreamStats) -> dict:
    return {"sent": stream.sent, "hold_sent": stream.hold_sent, "stalls": stream.stalls, "released": stream.released}
