"""The simulated shoot's ground station: the real ``Station`` and one ``StationClient`` per drone on
one event loop, talking over in-memory transports, stepped by the simulation.

Each control step, before the agents step, ``exchange(t_s, own)``: every client sends the events of
its agent's last step and its state at ``t_s``; the station answers each with the others' positions,
checks for failures (re-planning if one is lost) and sends any command; then the messages settle
(every one sent has been handled). No wall-clock sleep anywhere: the run is as deterministic as the
rest of the simulation, and faster than real time. The station's clock is the simulation's.

Failures for tests and demos: ``fail(drone_id)`` makes a drone's link go silent both ways (its
agent's link-loss failsafe then does the mission's ``datalink_loss_action``, and the station, not
hearing it, re-plans); ``abort`` is the operator's "abort all".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from dronecine_sim.shoot.errors import ShootError

from dronecine.agent import AgentEvent, OnboardAgent
from dronecine.agent.station_client import StationClient
from dronecine.control import OwnState
from dronecine.ground import PlanSettings, ShootPlan
from dronecine.ground.auth import new_token, write_token
from dronecine.ground.errors import GroundError
from dronecine.ground.protocol import CommandAction
from dronecine.ground.station import Station
from dronecine.ground.station_state import CommandRecord, SimClock, StationEvent, StationSettings
from dronecine.ground.timeline import DroneTimeline
from dronecine.ground.transport import MemoryHub, MemoryTransport
from dronecine.mission.safety import FailsafeAction

logger = logging.getLogger(__name__)
StationEventSink = Callable[[StationEvent], None]


class SimGroundLink:
    """The station and the drones' clients of one simulated shoot. ``out_dir``: where the token
    (``station.token``, 0600) and the command log (``commands.jsonl``) go (None: nowhere).
    ``fail_drone`` (drone, t_s): that drone's link goes silent then; ``abort_at_s``: "abort all" then;
    ``token``: the mission's token (None: a new one; the dashboard's commands need the same)."""

    def __init__(
        self,
        plan: ShootPlan,
        dt_s: float,
        plan_settings: PlanSettings,
        out_dir: Path | None = None,
        on_event: StationEventSink | None = None,
        fail_drone: tuple[str, float] | None = None,
        abort_at_s: float | None = None,
        token: str | None = None,
    ) -> None:
        self.clock = SimClock(-plan.preroll_s)
        self.loop = asyncio.new_event_loop()
        self.hub = MemoryHub()
        token = token or new_token()
        self._commands: IO[str] | None = None
        if out_dir is not None:
            try:
                write_token(out_dir, token)
                self._commands = (out_dir / "commands.jsonl").open("w", encoding="utf-8")
            except (OSError, GroundError) as error:
                raise ShootError(f"{out_dir}: cannot write the station's files ({error})") from error
        # The others go out once a step, after every state is in (``_exchange``), not as each state's answer.
        settings = StationSettings(state_period_s=dt_s, plan=plan_settings, answer_states=False)
        self.station = Station(plan, token, self.clock, settings)
        self.station.add_listener(on_event=on_event, on_command=self._log_command)
        self.clients: dict[str, StationClient] = {}
        self._links: dict[str, MemoryTransport] = {}
        self._tasks: list[asyncio.Task] = []
        self._last_step: dict[str, tuple[float, tuple[AgentEvent, ...], float | None]] = {}
        self._fail_drone = fail_drone
        self._abort_at_s = abort_at_s
        self.timelines: dict[str, DroneTimeline] = {}
        for timeline in plan.timelines:
            drone_id = timeline.drone_id
            agent_end, station_end = self.hub.pair(drone_id)
            self._tasks.append(self.loop.create_task(self.station.handle(station_end)))
            client = StationClient(drone_id, agent_end, plan.mission, token, self.clock)
            self.timelines[drone_id] = self._run(client.connect())
            self.clients[drone_id] = client
            self._links[drone_id] = agent_end

    def attach(self, agents: Sequence[OnboardAgent]) -> None:
        """Give each client its agent and start taking the station's messages."""
        for agent in agents:
            client = self.clients[agent.timeline.drone_id]
            client.attach(agent)
            self._tasks.append(self.loop.create_task(client.serve()))

    # --- each step ------------------------------------------------------------------------------

    def exchange(
        self, t_s: float, own: OwnState, drone_ids: Sequence[str], battery_percent: Sequence[float] | None = None
    ) -> None:
        """The messages of the step at ``t_s`` (``own``: every drone's telemetry, ``battery_percent`` its
        gauge, in ``drone_ids`` order)."""
        self.clock.t_s = t_s
        if self._fail_drone is not None and t_s >= self._fail_drone[1] - 1e-9:
            self.fail(self._fail_drone[0])
            self._fail_drone = None
        if self._abort_at_s is not None and t_s >= self._abort_at_s - 1e-9:
            self._abort_at_s = None
            self.abort("operator (--abort-at)", f"at t={t_s:.1f} s")
        self._run(self._exchange(t_s, own, drone_ids, battery_percent))

    async def _exchange(
        self, t_s: float, own: OwnState, drone_ids: Sequence[str], battery_percent: Sequence[float] | None
    ) -> None:
        for i, drone_id in enumerate(drone_ids):
            client = self.clients[drone_id]
            framing = None
            if drone_id in self._last_step:
                step_t_s, events, framing = self._last_step.pop(drone_id)
                await client.send_events(step_t_s, events)
            battery = None if battery_percent is None else float(battery_percent[i])
            await client.publish(t_s, own.take(np.array([i])), battery_percent=battery, framing_error=framing)
        await self.hub.settle()
        await self.station.check()
        # Every state of the step is in: every agent now learns where the others are at t_s exactly.
        await self.station.broadcast_others()
        await self.hub.settle()

    def after_step(
        self, drone_id: str, t_s: float, events: tuple[AgentEvent, ...], framing_error: float | None
    ) -> None:
        """What an agent's step at ``t_s`` produced, sent with the next exchange: its events and its
        onboard framing estimate."""
        self._last_step[drone_id] = (t_s, events, framing_error)

    # --- failures and commands ------------------------------------------------------------------

    def fail(self, drone_id: str) -> None:
        """The drone's link goes silent (neither end is told; the station finds out by the timeout)."""
        logger.warning("t=%.1f s: %s's link goes silent (injected failure)", self.clock.t_s, drone_id)
        self._links[drone_id].silence()

    def abort(self, requested_by: str, reason: str = "") -> list[CommandRecord]:
        records = self._run(self.station.abort(requested_by, reason))
        self._run(self.hub.settle())
        return records

    def command(self, drone_id: str, action: CommandAction, requested_by: str, reason: str = "") -> CommandRecord:
        """The operator's command to one drone (the dashboard's hold, resume, return)."""
        record = self._run(self.station.command(drone_id, action, requested_by, reason))
        self._run(self.hub.settle())
        return record

    @property
    def abort_action(self) -> FailsafeAction:
        return self.station.mission.safety.abort_action

    # --- the end --------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """The station's figures for ``summary.json``."""
        return self.station.figures()

    def close(self) -> None:
        """Close every connection and the event loop (also after a failed shoot)."""
        try:
            if not self.loop.is_closed():
                for client in self.clients.values():
                    self._run(client.close())
                for task in self._tasks:
                    task.cancel()
                self.loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
        finally:
            if not self.loop.is_closed():
                self.loop.close()
            if self._commands is not None:
                self._commands.close()
                self._commands = None

    def _run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def _log_command(self, record: CommandRecord) -> None:
        if self._commands is not None:
            self._commands.write(json.dumps(record.to_json(), separators=(",", ":")) + "\n")
            self._commands.flush()
