"""The ground station's runtime: one asyncio task per agent connection, the same over WebSockets
and the in-memory transport.

An agent connects and says ``hello``; the station checks the protocol version, the mission's token,
the drone id and the mission's digest, then sends ``welcome`` and the drone's timeline. From then on
it keeps the drone's live state from its ``state`` reports, answers each with the other drones'
positions (for the onboard separation check), records its events and command acknowledgements.

``check()`` (called by ``run_watchdog`` in the field, by the simulation every step) looks for
failures: a drone silent longer than the link timeout, a low battery, a drone returning or landing
when neither its timeline nor the station asked. Such a drone is out of the shoot (``lost`` when the
station cannot hear it any more, ``out`` when it still can): the station re-plans without it
(``replan``) and pushes the changed timelines. ``command`` and ``abort`` send hold, resume,
return, land or the mission's abort; every command is logged with who asked and when.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from dronecine.agent.events import EventKind
from dronecine.agent.modes import AgentMode
from dronecine.ground.auth import token_matches
from dronecine.ground.errors import GroundError, TransportClosedError
from dronecine.ground.protocol import (
    PROTOCOL_VERSION,
    Ack,
    Command,
    CommandAction,
    Error,
    ErrorCode,
    Event,
    Hello,
    MessageError,
    OtherDrone,
    Others,
    State,
    TimelineUpdate,
    Welcome,
    decode_agent_message,
    encode,
    mission_digest,
)
from dronecine.ground.replan import LostDrone, OutCause, Replan, replan
from dronecine.ground.station_state import (
    Clock,
    CommandRecord,
    DroneLive,
    DroneStatus,
    StationEvent,
    StationSettings,
)
from dronecine.ground.timeline import ShootPlan
from dronecine.ground.timeline_codec import timeline_to_dict
from dronecine.ground.transport import Transport
from dronecine.mission.motion import nominal_paths
from dronecine.mission.safety import FailsafeAction

logger = logging.getLogger(__name__)
EventListener = Callable[[StationEvent], None]
CommandListener = Callable[[CommandRecord], None]
_DOWN = (AgentMode.RETURN, AgentMode.LAND, AgentMode.LANDED)
EVENTS_KEPT = 2000  # the latest events, for the dashboard (the shoot's events.jsonl keeps them all)


class Station:
    """The ground station of one shoot: ``plan``'s timelines, agents authenticated by ``token``."""

    def __init__(self, plan: ShootPlan, token: str, clock: Clock, settings: StationSettings | None = None) -> None:
        self.mission = plan.mission
        self.plan = plan
        self.clock = clock
        self.settings = settings or StationSettings()
        self._token = token
        self._digest = mission_digest(self.mission)
        self._paths = nominal_paths(self.mission)
        safety = self.mission.safety
        self.link_timeout_s = self.settings.link_timeout_s or float(safety.datalink_loss_timeout_s)
        self.timelines = {t.drone_id: t for t in plan.timelines}
        self.live = {d: DroneLive(d) for d in self.timelines}
        self.command_log: list[CommandRecord] = []
        self.events: deque[StationEvent] = deque(maxlen=EVENTS_KEPT)
        self.replans: list[Replan] = []
        self.out_of_shoot: dict[str, LostDrone] = {}  # lost (no longer heard) or out (heard, sent home or down)
        self.aborted = False
        self._connections: dict[str, Transport] = {}
        self._commanded: dict[str, FailsafeAction] = {}  # a return or landing the station asked for
        self._event_listeners: list[EventListener] = []
        self._command_listeners: list[CommandListener] = []

    def add_listener(self, on_event: EventListener | None = None, on_command: CommandListener | None = None) -> None:
        """Call ``on_event`` for every station event and ``on_command`` for every command as it happens."""
        if on_event is not None:
            self._event_listeners.append(on_event)
        if on_command is not None:
            self._command_listeners.append(on_command)

    # --- connections ----------------------------------------------------------------------------

    async def handle(self, transport: Transport) -> None:
        """One agent's connection, from its hello until it closes (or is refused)."""
        drone_id = None
        try:
            drone_id = await self._handshake(transport)
            if drone_id is not None:
                await self._serve(drone_id, transport)
        except TransportClosedError as error:
            logger.info("%s: %s", drone_id or transport.peer, error)
        finally:
            if drone_id is not None and self._connections.get(drone_id) is transport:
                del self._connections[drone_id]
                self.live[drone_id] = replace(self.live[drone_id], connected=False)
                self._event(drone_id, EventKind.LINK, f"{drone_id}'s connection closed")
            await transport.close()

    async def _handshake(self, transport: Transport) -> str | None:
        try:
            text = await asyncio.wait_for(transport.recv(), self.settings.hello_timeout_s)
        except TimeoutError:
            await self._refuse(transport, ErrorCode.HELLO_EXPECTED, "no hello in time")
            return None
        try:
            hello = decode_agent_message(text)
        except MessageError as error:
            await self._refuse(transport, error.code, str(error))
            return None
        if not isinstance(hello, Hello):
            await self._refuse(
                transport, ErrorCode.HELLO_EXPECTED, f"the first message must be a hello, not {hello.type!r}"
            )
            return None
        if not token_matches(hello.token, self._token):
            await self._refuse(transport, ErrorCode.AUTH_FAILED, f"wrong token for mission {self.mission.name!r}")
            return None
        if hello.drone_id not in self.timelines:
            known = ", ".join(self.timelines)
            message = f"drone {hello.drone_id!r} is not in mission {self.mission.name!r} (its drones: {known})"
            await self._refuse(transport, ErrorCode.UNKNOWN_DRONE, message)
            return None
        if hello.mission_digest != self._digest:
            message = f"the agent holds another version of mission {self.mission.name!r} (digest differs)"
            await self._refuse(transport, ErrorCode.MISSION_MISMATCH, message)
            return None
        drone_id = hello.drone_id
        previous = self._connections.get(drone_id)
        self._connections[drone_id] = transport
        if previous is not None:  # a reconnection: the new link replaces the old
            await previous.close()
        now = self.clock.now_s()
        live = self.live[drone_id]
        status = _status_out(self.out_of_shoot[drone_id]) if drone_id in self.out_of_shoot else DroneStatus.ONLINE
        self.live[drone_id] = replace(live, status=status, connected=True, heard_t_s=now)
        await transport.send(
            encode(
                Welcome(
                    version=PROTOCOL_VERSION,
                    drone_id=drone_id,
                    mission=self.mission.name,
                    state_period_s=self.settings.state_period_s,
                    t_s=now,
                )
            )
        )
        await self._send_timeline(drone_id, "the plan" if live.timeline_revision == 1 else "reconnected")
        self._event(drone_id, EventKind.LINK, f"{drone_id} connected from {transport.peer}")
        return drone_id

    async def _refuse(self, transport: Transport, code: ErrorCode, message: str) -> None:
        logger.warning("refused %s: %s", transport.peer, message)
        await transport.send(encode(Error(code=code, message=message, fatal=True)))

    async def _serve(self, drone_id: str, transport: Transport) -> None:
        while True:
            text = await transport.recv()
            if self._connections.get(drone_id) is not transport:
                return  # replaced by a newer connection
            self.live[drone_id] = replace(self.live[drone_id], heard_t_s=self.clock.now_s())
            try:
                message = decode_agent_message(text)
            except MessageError as error:
                logger.warning("%s sent a bad message: %s", drone_id, error)
                await transport.send(encode(Error(code=error.code, message=str(error))))
                continue
            if isinstance(message, State):
                self.live[drone_id] = replace(self.live[drone_id], state=message)
                if self.settings.answer_states:
                    await transport.send(encode(self._others(drone_id)))
            elif isinstance(message, Event):
                self._event(drone_id, message.kind, message.message, t_s=message.t_s, from_agent=True)
            elif isinstance(message, Ack):
                self._on_ack(drone_id, message)
            else:
                await transport.send(encode(Error(code=ErrorCode.UNEXPECTED, message="hello was said already")))

    async def broadcast_others(self) -> None:
        """Send every connected drone the others' latest positions now (the simulation does, once all
        states of a step are in, so every agent sees the same instant)."""
        for drone_id, transport in list(self._connections.items()):
            try:
                await transport.send(encode(self._others(drone_id)))
            except TransportClosedError as error:
                logger.info("%s: %s", drone_id, error)

    def _others(self, drone_id: str) -> Others:
        now = self.clock.now_s()
        stale_s = self.settings.stale_periods * self.settings.state_period_s
        drones = []
        for other, live in self.live.items():
            state = live.state
            if other == drone_id or state is None or -state.position_ned_m[2] <= self.settings.in_air_m:
                continue
            lost = live.status == DroneStatus.LOST or live.heard_t_s is None or now - live.heard_t_s > stale_s
            velocity = (0.0, 0.0, 0.0) if lost else state.velocity_ned_m_s
            drones.append(
                OtherDrone(
                    drone_id=other,
                    t_s=state.t_s,
                    position_ned_m=state.position_ned_m,
                    velocity_ned_m_s=velocity,
                    lost=lost,
                )
            )
        return Others(t_s=now, drones=tuple(drones))

    def _on_ack(self, drone_id: str, ack: Ack) -> None:
        for k, record in enumerate(self.command_log):
            if record.command_id == ack.command_id and record.drone_id == drone_id:
                self.command_log[k] = replace(record, accepted=ack.accepted, answer=ack.message)
                if not ack.accepted:
                    self._event(drone_id, EventKind.COMMAND, f"{drone_id} refused {record.action.value}: {ack.message}")
                return
        logger.warning("%s acknowledged command %d, which it was never sent", drone_id, ack.command_id)

    async def _send_timeline(self, drone_id: str, reason: str) -> None:
        transport = self._connections.get(drone_id)
        if transport is None:
            return
        message = TimelineUpdate(
            revision=self.live[drone_id].timeline_revision,
            t_s=self.clock.now_s(),
            reason=reason,
            timeline=timeline_to_dict(self.timelines[drone_id]),
        )
        try:
            await transport.send(encode(message))
        except TransportClosedError as error:
            logger.warning("cannot send %s its timeline: %s", drone_id, error)

    # --- commands -------------------------------------------------------------------------------

    async def command(self, drone_id: str, action: CommandAction, requested_by: str, reason: str = "") -> CommandRecord:
        """Send ``action`` to ``drone_id``; logged (who asked, when) whether it could be delivered or not."""
        if drone_id not in self.timelines:
            raise GroundError(f"no drone {drone_id!r} in mission {self.mission.name!r}")
        abort_action = self.mission.safety.abort_action if action == CommandAction.ABORT else None
        effect = abort_action or _EFFECT.get(action)
        if effect in (FailsafeAction.RETURN, FailsafeAction.LAND):
            self._commanded[drone_id] = effect
        record = CommandRecord(
            command_id=len(self.command_log) + 1,
            t_s=self.clock.now_s(),
            wall_time_s=time.time(),
            drone_id=drone_id,
            action=action,
            requested_by=requested_by,
            reason=reason,
            abort_action=abort_action,
        )
        transport = self._connections.get(drone_id)
        message = Command(
            command_id=record.command_id,
            action=action,
            abort_action=abort_action,
            requested_by=requested_by,
            reason=reason,
        )
        try:
            if transport is None:
                raise TransportClosedError(f"{drone_id} is not connected")
            await transport.send(encode(message))
        except TransportClosedError as error:
            record = replace(record, delivered=False, answer=str(error))
        self.command_log.append(record)
        what = action.value + (f" ({abort_action.value})" if abort_action else "")
        delivered = "" if record.delivered else " (not delivered: not connected)"
        self._event(
            drone_id, EventKind.COMMAND, f"{requested_by} commands {drone_id}: {what} {reason}".strip() + delivered
        )
        for listener in self._command_listeners:
            listener(record)
        return record

    async def abort(self, requested_by: str, reason: str = "") -> list[CommandRecord]:
        """Every drone to the mission's ``abort_action`` (hold, return or land); no more re-planning."""
        self.aborted = True
        action = self.mission.safety.abort_action
        self._event(
            None, EventKind.ABORT, f"{requested_by} aborts the shoot: every drone to {action.value} {reason}".strip()
        )
        return [await self.command(d, CommandAction.ABORT, requested_by, reason) for d in self.timelines]

    # --- failures -------------------------------------------------------------------------------

    async def run_watchdog(self, period_s: float = 0.5) -> None:
        """``check()`` every ``period_s`` of wall time until cancelled (the field; a simulation calls
        ``check`` itself each step)."""
        while True:
            await self.check()
            await asyncio.sleep(period_s)

    async def check(self) -> Replan | None:
        """Find newly lost drones; re-plan without them and push the new timelines."""
        now = self.clock.now_s()
        newly = [x for d in self.live if d not in self.out_of_shoot and (x := self._failure(d, now)) is not None]
        if not newly:
            return None
        for lost in newly:
            self.out_of_shoot[lost.drone_id] = lost
            status = _status_out(lost)
            self.live[lost.drone_id] = replace(self.live[lost.drone_id], status=status, note=lost.reason)
            said = "is lost" if status == DroneStatus.LOST else "is out of the shoot"
            self._event(lost.drone_id, EventKind.LINK, f"{lost.drone_id} {said}: {lost.reason}")
            if lost.cause == OutCause.LOW_BATTERY:
                await self.command(lost.drone_id, CommandAction.RETURN, "station (low battery)", lost.reason)
        if self.aborted:
            return None
        positions = {d: self._position(d) for d in self.timelines if d not in self.out_of_shoot}
        result = replan(
            self.mission,
            self.timelines,
            positions,
            list(self.out_of_shoot.values()),
            now,
            self.settings.plan,
            self._paths,
        )
        self.replans.append(result)
        self._event(None, EventKind.REPLAN, result.summary())
        for drone_id, timeline in result.timelines.items():
            self.timelines[drone_id] = timeline
            live = self.live[drone_id]
            self.live[drone_id] = replace(live, timeline_revision=live.timeline_revision + 1)
            await self._send_timeline(drone_id, f"re-planned without {', '.join(result.lost)}")
        return result

    def _failure(self, drone_id: str, now: float) -> LostDrone | None:
        live, timeline = self.live[drone_id], self.timelines[drone_id]
        safety = self.mission.safety
        if now >= timeline.return_s:
            return None  # its shoot is over: going home is the plan
        if live.heard_t_s is None:
            if now > timeline.takeoff_s + self.link_timeout_s:
                home = timeline.home_ned_m
                return LostDrone(
                    drone_id, now, home, FailsafeAction.LAND, "never connected", cause=OutCause.NEVER_CONNECTED
                )
            return None
        position = self._position(drone_id)
        silent_s = now - live.heard_t_s
        if silent_s > self.link_timeout_s:
            reason = f"silent for {silent_s:.1f} s (link timeout {self.link_timeout_s:g} s)"
            action = safety.datalink_loss_action
            return LostDrone(
                drone_id, live.heard_t_s, position, action, reason, delay_s=float(safety.datalink_loss_timeout_s)
            )
        state = live.state
        if state is None:
            return None
        if state.battery_percent is not None and state.battery_percent <= safety.battery_return_percent:
            reason = f"battery at {state.battery_percent:.0f}% (returns at {safety.battery_return_percent:g}%)"
            return LostDrone(drone_id, now, position, FailsafeAction.RETURN, reason, cause=OutCause.LOW_BATTERY)
        if state.mode in _DOWN and drone_id not in self._commanded and state.t_s < timeline.return_s:
            action = FailsafeAction.RETURN if state.mode == AgentMode.RETURN else FailsafeAction.LAND
            reason = f"reports {state.mode.value} before its shoot is over"
            return LostDrone(drone_id, now, position, action, reason, cause=OutCause.CAME_DOWN)
        return None

    def _position(self, drone_id: str) -> np.ndarray:
        state = self.live[drone_id].state
        if state is None:
            return np.asarray(self.timelines[drone_id].home_ned_m, dtype=float)
        return np.asarray(state.position_ned_m, dtype=float)

    # --- what the dashboard reads ---------------------------------------------------------------

    def snapshot(self) -> dict:
        """Every drone's live state, the commands sent and the re-plans, as plain data."""
        return {
            "mission": self.mission.name,
            "t_s": self.clock.now_s(),
            "aborted": self.aborted,
            "drones": {d: live.to_json() for d, live in self.live.items()},
            "commands": [c.to_json() for c in self.command_log],
            "replans": [r.to_json() for r in self.replans],
        }

    def figures(self) -> dict:
        """The station's figures for a shoot's ``summary.json``: who was lost (no longer heard) and
        who went out of the shoot (heard, but sent home or down) and why, the abort, how many
        commands and re-plans, each drone's timeline revision."""
        snapshot = self.snapshot()
        return {
            "lost": {d: x.reason for d, x in self.out_of_shoot.items() if not x.cause.heard},
            "out": {d: x.reason for d, x in self.out_of_shoot.items() if x.cause.heard},
            "aborted": snapshot["aborted"],
            "commands": len(snapshot["commands"]),
            "replans": snapshot["replans"],
            "timeline_revisions": {d: live["timeline_revision"] for d, live in snapshot["drones"].items()},
        }

    def _event(
        self, drone_id: str | None, kind: EventKind, message: str, t_s: float | None = None, from_agent: bool = False
    ) -> None:
        event = StationEvent(self.clock.now_s() if t_s is None else t_s, drone_id, kind, message, from_agent)
        if not from_agent:
            logger.info("t=%.1f s %s", event.t_s, message)
        self.events.append(event)
        for listener in self._event_listeners:
            listener(event)


def _status_out(lost: LostDrone) -> DroneStatus:
    return DroneStatus.OUT if lost.cause.heard else DroneStatus.LOST


_EFFECT = {
    CommandAction.HOLD: FailsafeAction.HOLD,
    CommandAction.RETURN: FailsafeAction.RETURN,
    CommandAction.LAND: FailsafeAction.LAND,
}
