"""The onboard agent in the field: one drone's loop flying a PX4 over a flight link, its shots from
the ground station.

``AgentRuntime(mission, drone_id, link, perception, settings).run(url, connect_station, token)``:

1. the vehicle: connect, wait until it is ready (health, GPS, home), keep its telemetry streams as
   their latest values (``LatestTelemetry``);
2. the station: hello, welcome, the drone's timeline; mission time is synced from the welcome
   (``SyncedClock``); the autopilot's frame is placed in the mission's from its home's GPS position
   (``MissionFrame``, refused when the drone is not standing at its planned home);
3. the loop, every ``1 / rate_hz`` on a monotonic schedule: telemetry → perception (the frame
   through the detector, tracker and lock, in a worker thread) → ``OnboardAgent.step`` (observation,
   policy, safety) → the link (NED velocity and yaw rate, gimbal rates) → the station (events, state).
   When the agent's timeline says take off, a flight sequence arms, takes off to the timeline's
   height, starts offboard and takes the gimbal, while the loop keeps stepping; when the agent lands
   (``LAND``), the link lands (PX4's own landing), and the run ends once the drone is down and disarmed.

A step that overruns its period is counted and the schedule skips the missed ticks; meanwhile the
link's setpoint streamer, on its own thread, keeps the drone safe (its watchdog streams a hold when
no new setpoint comes for ``setpoint_timeout_s``, and hands the drone to PX4's failsafe after
``setpoint_release_s``). If PX4 leaves offboard by itself (its failsafe, the pilot), the runtime
stops commanding and only reports until the drone is down: it never takes the drone back.
Interrupted in the air, it switches PX4 to hold.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dronecine.agent.agent import AgentOutput, OnboardAgent
from dronecine.agent.errors import AgentError
from dronecine.agent.events import AgentEvent, EventKind
from dronecine.agent.local_frame import MissionFrame
from dronecine.agent.mission_clock import SyncedClock
from dronecine.agent.modes import AgentMode
from dronecine.agent.perception import AgentPerception
from dronecine.agent.runtime_setup import RuntimeSettings, build_agent
from dronecine.agent.station_client import StationClient, onboard_framing_error
from dronecine.agent.telemetry_cache import LatestTelemetry
from dronecine.agent.timing import StageStats, StageTimer, format_stats
from dronecine.control import OwnState
from dronecine.flight.errors import ConnectionTimeout, GimbalError, LinkError
from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import FlightMode, LandedState, StreamStats, VelocityNedSetpoint
from dronecine.ground.errors import GroundError
from dronecine.ground.transport import Transport
from dronecine.mission.document import Mission
from dronecine.perception import SubjectTrack

logger = logging.getLogger(__name__)
ConnectStation = Callable[[], Awaitable[Transport]]
EventSink = Callable[[float, AgentEvent], None]
_HOLD_ON_EXIT_TIMEOUT_S = 5.0


class FlightPhase(enum.StrEnum):
    """Who flies the drone: nobody (on the ground), PX4's take-off, the agent (offboard), PX4's
    landing, PX4 on its own (it left offboard), or nobody any more (down and disarmed)."""

    GROUND = "ground"
    TAKING_OFF = "taking_off"
    OFFBOARD = "offboard"
    LANDING = "landing"
    AUTOPILOT = "autopilot"
    DONE = "done"


@dataclass(frozen=True)
class RuntimeReport:
    """What one run did: steps, overruns (steps late by more than a period), the timing per stage,
    what the setpoint streamer did, and how it ended."""

    drone_id: str
    steps: int
    overruns: int
    max_late_ms: float
    stages: tuple[StageStats, ...]
    stream: StreamStats | None
    phase: FlightPhase
    mode: AgentMode
    took_off: bool
    landed: bool
    interventions: int
    events: int

    def stage(self, name: str) -> StageStats:
        return next(s for s in self.stages if s.stage == name)


class AgentRuntime:
    """One drone's onboard loop over ``link``, seeing through ``perception``."""

    def __init__(
        self,
        mission: Mission,
        drone_id: str,
        link: FlightLink,
        perception: AgentPerception,
        settings: RuntimeSettings | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        known = [d.id for d in mission.drones]
        if drone_id not in known:
            raise AgentError(f"drone {drone_id!r} is not in mission {mission.name!r} (its drones: {', '.join(known)})")
        self.mission = mission
        self.drone_id = drone_id
        self.link = link
        self.perception = perception
        self.settings = settings or RuntimeSettings()
        self.telemetry = LatestTelemetry(link)
        self.clock = SyncedClock(self.settings.time_scale)
        self.timer = StageTimer()
        self.on_event = on_event
        self.agent: OnboardAgent | None = None
        self.client: StationClient | None = None
        self.frame: MissionFrame | None = None
        self.phase = FlightPhase.GROUND
        self.steps = 0
        self.overruns = 0
        self.max_late_s = 0.0
        self.events = 0
        self.took_off = False
        self.last_output: AgentOutput | None = None
        self.last_track: SubjectTrack | None = None  # what perception reported at the last step
        self._sequence: asyncio.Task[None] | None = None
        self._subject: str | None = None
        self._seen_offboard = False
        self._landed_since_s: float | None = None
        self._pending: list[AgentEvent] = []

    # --- the run --------------------------------------------------------------------------------

    async def run(self, url: str, connect_station: ConnectStation, token: str) -> RuntimeReport:
        """Fly the drone's part of the shoot; returns once it is down (or never had to take off)."""
        serve: asyncio.Task[None] | None = None
        try:
            await self._connect_vehicle(url)
            # Before the station: from the hello on, a long silence would make the drone lost.
            await asyncio.get_running_loop().run_in_executor(None, self.perception.warm_up)
            timeline = await self._connect_station(connect_station, token)
            home = self.telemetry.home
            if self.settings.home_from_gps:
                self.frame = MissionFrame.from_home(
                    self.mission.origin, home, timeline.home_ned_m, self.drone_id, self.settings.home_tolerance_m
                )
            else:
                self.frame = MissionFrame.at_planned_home(home, timeline.home_ned_m)
            self.agent = build_agent(self.mission, timeline, self.settings, self.timer)
            self.client.attach(self.agent)
            serve = asyncio.get_running_loop().create_task(self.client.serve(), name=f"{self.drone_id}-station")
            await self._loop()
        finally:
            await self._wind_down(serve)
        return self.report()

    async def _connect_vehicle(self, url: str) -> None:
        settings = self.settings
        try:
            info = await self.link.connect(url, timeout_s=settings.connect_timeout_s)
        except ConnectionTimeout as error:
            raise AgentError(f"{self.drone_id}: the vehicle at {url} is not answering: {error}") from error
        except LinkError as error:
            raise AgentError(f"{self.drone_id}: cannot open the link {url}: {error}") from error
        logger.info(
            "%s: %s %s (system %d) on %s", self.drone_id, info.autopilot, info.vehicle_type, info.system_id, url
        )
        self.telemetry.start()
        try:
            await self.link.wait_ready(timeout_s=settings.ready_timeout_s)
        except ConnectionTimeout as error:
            raise AgentError(f"{self.drone_id}: the vehicle at {url} is not ready: {error}") from error
        if not await self.telemetry.wait_for(lambda t: not t.missing(), settings.connect_timeout_s):
            missing = ", ".join(self.telemetry.missing())
            raise AgentError(f"{self.drone_id}: the vehicle at {url} sends no {missing}")

    async def _connect_station(self, connect_station: ConnectStation, token: str):
        transport = await connect_station()
        self.client = StationClient(self.drone_id, transport, self.mission, token, self.clock)
        sent = time.monotonic()
        timeline = await self.client.connect()
        received = time.monotonic()
        self.clock.sync(self.client.welcome.t_s, received, received - sent)
        self.client.heard_t_s = self.clock.now_s()  # it was stamped on the unsynced clock
        logger.info(
            "%s: mission time %.1f s (round trip %.0f ms)", self.drone_id, self.clock.now_s(), (received - sent) * 1e3
        )
        return timeline

    async def _loop(self) -> None:
        period = self.settings.dt_s / self.settings.time_scale  # wall seconds
        start = time.monotonic()
        tick = 0
        next_stats = start + self.settings.stats_period_s
        while self.phase != FlightPhase.DONE:
            begun = time.monotonic()
            with self.timer.stage("step"):
                await self.step_once()
            self.steps += 1
            now = time.monotonic()
            late = now - (start + (tick + 1) * period)  # past the next step's deadline
            if late >= period:  # a whole tick missed: count it, skip the missed ticks (no burst after a stall)
                missed = int(late // period)
                self.overruns += 1
                self.max_late_s = max(self.max_late_s, late)
                logger.warning(
                    "%s: a step took %.0f ms (period %.0f ms): %d tick(s) skipped",
                    self.drone_id, (now - begun) * 1e3, period * 1e3, missed,
                )  # fmt: skip
                tick += missed
            tick += 1
            if now >= next_stats:
                logger.info("%s: %s", self.drone_id, format_stats(self.timer.stats()))
                next_stats = now + self.settings.stats_period_s
            await asyncio.sleep(max(start + tick * period - time.monotonic(), 0.0))

    async def step_once(self) -> AgentOutput:
        """One control step at the mission time now."""
        agent, client, timer = self.agent, self.client, self.timer
        t_s = self.clock.now_s()
        with timer.stage("telemetry"):
            own = self.telemetry.own_state(self.frame)
            battery = self.telemetry.battery_percent
        track = await self._perceive(t_s, own)
        policy_before, safety_before = _total(timer, "policy"), _total(timer, "safety")
        began = time.perf_counter()
        out = agent.step(t_s, own, track, client.others_ned_m(t_s), battery, client.link_age_s(t_s))
        inner = (_total(timer, "policy") - policy_before) + (_total(timer, "safety") - safety_before)
        timer.add("observe", time.perf_counter() - began - inner)
        events = list(out.events) + self._pending
        self._pending = []
        with timer.stage("link"):
            events += await self._fly(t_s, out)
        with timer.stage("station"):
            await client.send_events(t_s, events)
            framing = onboard_framing_error(agent, track.box[0])
            await client.publish(t_s, own, battery_percent=battery, framing_error=framing)
        for event in events:
            self.events += 1
            logger.info("%s t=%.1f %s: %s", self.drone_id, t_s, event.kind.value, event.message)
            if self.on_event is not None:
                self.on_event(t_s, event)
        self.last_output, self.last_track = out, track
        return out

    async def _perceive(self, t_s: float, own: OwnState) -> SubjectTrack:
        shot = self.agent.shot
        subject = shot.subject_id if shot is not None else None
        if subject != self._subject:  # a new subject: the tracker starts afresh
            self._subject = subject
            self.perception.reset()
        if shot is None:  # no subject to look for (take-off, pre-roll, home): no detector
            return SubjectTrack.unseen(1)
        expected = self.agent.observer.estimator.position_ned_m[0].copy()
        with self.timer.stage("perception"):
            if self.perception.in_thread:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(None, self.perception.observe, t_s, own, subject, expected)
            return self.perception.observe(t_s, own, subject, expected)

    # --- flying ---------------------------------------------------------------------------------

    async def _fly(self, t_s: float, out: AgentOutput) -> list[AgentEvent]:
        """Carry ``out`` to the link, and move the flight phase on; the events it caused."""
        events: list[AgentEvent] = []
        self._check_sequence()
        phase, mode, telemetry = self.phase, out.mode, self.telemetry
        if phase == FlightPhase.GROUND and mode == AgentMode.TAKEOFF:
            self.phase = FlightPhase.TAKING_OFF
            self._sequence = asyncio.get_running_loop().create_task(self._take_off(), name=f"{self.drone_id}-takeoff")
        elif phase == FlightPhase.GROUND and (mode == AgentMode.LANDED or t_s > self.agent.timeline.landed_s):
            self.phase = FlightPhase.DONE  # never had to fly (or the shoot is over before it did)
        elif phase == FlightPhase.OFFBOARD:
            if telemetry.flight_mode == FlightMode.OFFBOARD:
                self._seen_offboard = True
            if self._seen_offboard and telemetry.flight_mode not in (FlightMode.OFFBOARD, None):
                self.phase = FlightPhase.AUTOPILOT
                message = (
                    f"PX4 left offboard ({telemetry.flight_mode.value}): the autopilot flies, the agent only reports"
                )
                events.append(AgentEvent(EventKind.FAILSAFE, message))
                logger.warning("%s: %s", self.drone_id, message)
            elif mode in (AgentMode.LAND, AgentMode.LANDED):
                self.phase = FlightPhase.LANDING
                self._sequence = asyncio.get_running_loop().create_task(self._land(), name=f"{self.drone_id}-land")
            else:
                v = out.velocity_ned_m_s
                await self.link.set_velocity_ned(
                    VelocityNedSetpoint(float(v[0]), float(v[1]), float(v[2]), float(out.yaw_rate_deg_s))
                )
                await self.link.set_gimbal_rates(out.gimbal_pitch_rate_deg_s, out.gimbal_yaw_rate_deg_s)
        if self.phase in (FlightPhase.LANDING, FlightPhase.AUTOPILOT) and self._down(t_s):
            self.phase = FlightPhase.DONE
        return events

    def _check_sequence(self) -> None:
        """Re-raise what went wrong in the take-off or the landing."""
        task = self._sequence
        if task is not None and task.done():
            self._sequence = None
            task.result()

    async def _take_off(self) -> None:
        link, telemetry, timeline = self.link, self.telemetry, self.agent.timeline
        height = float(timeline.takeoff_height_m)
        try:
            await link.arm()
            await link.takeoff(height)
            self.took_off = True
            reached = await telemetry.wait_for(
                lambda t: t.height_m >= height - self.settings.takeoff_height_margin_m, self.settings.takeoff_timeout_s
            )
            if not reached:
                raise AgentError(
                    f"{self.drone_id}: the take-off to {height:g} m did not get there within "
                    f"{self.settings.takeoff_timeout_s:g} s (at {telemetry.height_m:.1f} m)"
                )
            await link.start_offboard()
        except (LinkError, AgentError) as error:
            self._pending.append(AgentEvent(EventKind.ERROR, f"take-off failed: {error}"))
            if self.took_off:
                await self._land_after_failure()
            raise AgentError(f"{self.drone_id}: the take-off failed: {error}") from error
        self.phase = FlightPhase.OFFBOARD
        try:
            await link.take_gimbal_control()
        except GimbalError as error:  # the drone flies its shots without aiming its camera: tell the crew
            self._pending.append(AgentEvent(EventKind.ERROR, f"no gimbal control: {error}"))
            logger.warning("%s: no gimbal control: %s", self.drone_id, error)
        logger.info("%s: offboard at %.1f m: the agent flies", self.drone_id, telemetry.height_m)

    async def _land_after_failure(self) -> None:
        try:
            await self.link.land()
        except LinkError as error:
            logger.error("%s: landing after the failed take-off was refused too: %s", self.drone_id, error)

    async def _land(self) -> None:
        try:
            await self.link.land()
        except LinkError as error:
            self._pending.append(AgentEvent(EventKind.ERROR, f"the landing command failed: {error}"))
            raise AgentError(f"{self.drone_id}: PX4 did not take the landing: {error}") from error

    def _down(self, t_s: float) -> bool:
        """On the ground and disarmed; after ``landed_timeout_s`` on the ground still armed, disarm."""
        telemetry = self.telemetry
        on_ground = telemetry.landed_state == LandedState.ON_GROUND or telemetry.height_m < 0.2
        if not on_ground:
            self._landed_since_s = None
            return False
        if telemetry.armed is False:
            return True
        if self._landed_since_s is None:
            self._landed_since_s = t_s
        elif t_s - self._landed_since_s > self.settings.landed_timeout_s and self._sequence is None:
            self._sequence = asyncio.get_running_loop().create_task(self.link.disarm(), name=f"{self.drone_id}-disarm")
            self._landed_since_s = t_s
        return False

    # --- the end --------------------------------------------------------------------------------

    async def _wind_down(self, serve: asyncio.Task[None] | None) -> None:
        airborne = self.phase in (FlightPhase.TAKING_OFF, FlightPhase.OFFBOARD) and self.telemetry.height_m > 0.3
        if self._sequence is not None and not self._sequence.done():
            self._sequence.cancel()
        if airborne:  # stopped in the air (Ctrl-C, an error): PX4 holds; the crew takes over
            logger.warning("%s: the agent stops in the air: PX4 holds where it is", self.drone_id)
            try:
                await asyncio.wait_for(self.link.hold(), _HOLD_ON_EXIT_TIMEOUT_S)
            except (LinkError, TimeoutError) as error:
                logger.error("%s: PX4 did not take hold (%s): its offboard-loss failsafe decides", self.drone_id, error)
        if self.client is not None:
            try:
                await self.client.close()
            except GroundError as error:
                logger.debug("%s: closing the station link: %s", self.drone_id, error)
        if serve is not None:
            await asyncio.gather(serve, return_exceptions=True)
        await self.telemetry.stop()
        self.perception.close()
        logger.info("%s: %s", self.drone_id, format_stats(self.timer.stats()))

    def report(self) -> RuntimeReport:
        agent = self.agent
        return RuntimeReport(
            drone_id=self.drone_id,
            steps=self.steps,
            overruns=self.overruns,
            max_late_ms=self.max_late_s * 1e3,
            stages=self.timer.stats(),
            stream=self.link.stream_stats() if self.took_off else None,
            phase=self.phase,
            mode=agent.mode if agent is not None else AgentMode.PARKED,
            took_off=self.took_off,
            landed=self.phase == FlightPhase.DONE and self.took_off,
            interventions=agent.intervention_count if agent is not None else 0,
            events=self.events,
        )


def _total(timer: StageTimer, stage: str) -> float:
    return timer.total_s(stage)
