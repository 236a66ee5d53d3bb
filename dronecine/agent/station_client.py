"""The agent's side of the agent protocol: hello, the station's timelines and commands into the
``OnboardAgent``, its state and events out.

    client = StationClient("watcher", transport, mission, token, clock)
    timeline = await client.connect()          # hello -> welcome and the first timeline
    agent = OnboardAgent(timeline, ...); client.attach(agent)
    asyncio.create_task(client.serve())       # timelines, commands, the others' positions
    ...each control step: out = agent.step(t, own, track, client.others_ned_m(t),
                                           ground_link_age_s=client.link_age_s(t))
                          await client.send_events(t, out.events)
                          await client.publish(t, own, battery_percent=...)

The agent itself stays synchronous: what arrives is queued on it (``OnboardAgent.order``,
``replace_timeline``) and carried out at its next step.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.agent import OnboardAgent
from dronecine.agent.events import AgentEvent
from dronecine.control import OwnState
from dronecine.ground.errors import ProtocolError, TransportClosedError
from dronecine.ground.protocol import (
    PROTOCOL_VERSION,
    Ack,
    Command,
    CommandAction,
    Error,
    Event,
    Hello,
    MessageError,
    OtherDrone,
    Others,
    ShotRef,
    State,
    TimelineUpdate,
    Welcome,
    decode_station_message,
    encode,
    mission_digest,
)
from dronecine.ground.station_state import Clock
from dronecine.ground.timeline import DroneTimeline
from dronecine.ground.timeline_codec import timeline_from_dict
from dronecine.ground.transport import Transport
from dronecine.metrics import framing_error
from dronecine.mission.document import Mission
from dronecine.mission.safety import FailsafeAction

logger = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]
_ACTIONS = {
    CommandAction.HOLD: FailsafeAction.HOLD,
    CommandAction.RETURN: FailsafeAction.RETURN,
    CommandAction.LAND: FailsafeAction.LAND,
}


class StationClient:
    """One drone's connection to the station over ``transport``; ``clock`` the mission clock (link age)."""

    def __init__(self, drone_id: str, transport: Transport, mission: Mission, token: str, clock: Clock) -> None:
        self.drone_id = drone_id
        self.transport = transport
        self.mission = mission
        self.clock = clock
        self._token = token
        self.agent: OnboardAgent | None = None
        self.welcome: Welcome | None = None
        self.revision = 0
        self.heard_t_s: float | None = None
        self.commands: list[Command] = []
        self.errors: list[Error] = []
        self._others: dict[str, OtherDrone] = {}
        self._last_state_t_s: float | None = None
        self._pending_timeline: tuple[DroneTimeline, str] | None = None

    # --- connecting -----------------------------------------------------------------------------

    async def connect(self) -> DroneTimeline:
        """Say hello; returns the station's timeline for this drone. ``ProtocolError`` with the
        station's own words when it refuses (version, token, drone id, mission)."""
        hello = Hello(
            version=PROTOCOL_VERSION,
            drone_id=self.drone_id,
            token=self._token,
            mission_digest=mission_digest(self.mission),
        )
        await self.transport.send(encode(hello))
        welcome = await self._expect(Welcome)
        if welcome.drone_id != self.drone_id:
            raise ProtocolError(f"the station welcomed {welcome.drone_id!r}, not {self.drone_id!r}")
        self.welcome = welcome
        update = await self._expect(TimelineUpdate)
        timeline = self._take_timeline(update)
        self._pending_timeline = None  # the caller builds its agent with this one
        logger.info("%s: connected to the station of %r (revision %d)", self.drone_id, welcome.mission, update.revision)
        return timeline

    def attach(self, agent: OnboardAgent) -> None:
        """The agent the station's timelines and commands go to."""
        if agent.timeline.drone_id != self.drone_id:
            raise ValueError(f"{self.drone_id}'s client given {agent.timeline.drone_id!r}'s agent")
        self.agent = agent
        if self._pending_timeline is not None:
            agent.replace_timeline(*self._pending_timeline)
            self._pending_timeline = None

    async def _expect(self, kind: type):
        message = self._decode(await self.transport.recv())
        if isinstance(message, Error):
            await self.transport.close()
            raise ProtocolError(f"the station refused {self.drone_id}: {message.message} ({message.code.value})")
        if not isinstance(message, kind):
            raise ProtocolError(f"expected the station's {kind.__name__.lower()}, got {message.type!r}")
        return message

    def _decode(self, text: str):
        message = decode_station_message(text)
        self.heard_t_s = self.clock.now_s()
        return message

    # --- receiving ------------------------------------------------------------------------------

    async def serve(self) -> None:
        """Take the station's messages until the connection closes (returns) or the station sends a
        fatal error (``ProtocolError``). A malformed message is logged and skipped."""
        try:
            while True:
                text = await self.transport.recv()
                try:
                    message = self._decode(text)
                except MessageError as error:
                    logger.warning("%s: a bad message from the station: %s", self.drone_id, error)
                    continue
                await self._take(message)
        except TransportClosedError as error:
            logger.info("%s: %s", self.drone_id, error)
        finally:
            await self.transport.close()

    async def _take(self, message) -> None:
        if isinstance(message, Others):
            self._others = {d.drone_id: d for d in message.drones}
        elif isinstance(message, TimelineUpdate):
            try:
                timeline = self._take_timeline(message)
            except ProtocolError as error:
                logger.error("%s: the station's timeline %d is unusable: %s", self.drone_id, message.revision, error)
                return
            if self.agent is not None:
                self.agent.replace_timeline(timeline, message.reason)
        elif isinstance(message, Command):
            self.commands.append(message)
            accepted, answer = self._obey(message)
            await self.transport.send(encode(Ack(command_id=message.command_id, accepted=accepted, message=answer)))
        elif isinstance(message, Error):
            self.errors.append(message)
            logger.warning("%s: the station says: %s (%s)", self.drone_id, message.message, message.code.value)
            if message.fatal:
                raise ProtocolError(f"the station closed {self.drone_id}'s connection: {message.message}")

    def _take_timeline(self, update: TimelineUpdate) -> DroneTimeline:
        timeline = timeline_from_dict(update.timeline, self.mission)
        if timeline.drone_id != self.drone_id:
            raise ProtocolError(f"a timeline for {timeline.drone_id!r} sent to {self.drone_id!r}")
        self.revision = update.revision
        if self.agent is None:
            self._pending_timeline = (timeline, update.reason)
        return timeline

    def _obey(self, command: Command) -> tuple[bool, str]:
        if self.agent is None:
            return False, "the agent is not running yet"
        reason = f"{command.requested_by}" + (f": {command.reason}" if command.reason else "")
        if command.action == CommandAction.RESUME:
            if self.agent.order_resume(reason):
                return True, "resuming the timeline"
            return False, "returning or landing on a command: it finishes"
        action = command.abort_action if command.action == CommandAction.ABORT else _ACTIONS[command.action]
        if action is None:
            return False, "an abort without its abort_action"
        self.agent.order(action, ("abort by " if command.action == CommandAction.ABORT else "") + reason)
        return True, f"{action.value} from the next step"

    # --- sending --------------------------------------------------------------------------------

    async def send_events(self, t_s: float, events: Sequence[AgentEvent]) -> None:
        """The agent's events of the step at ``t_s``."""
        try:
            for event in events:
                await self.transport.send(encode(Event(t_s=t_s, kind=event.kind, message=event.message)))
        except TransportClosedError as error:
            logger.debug("%s: events not sent: %s", self.drone_id, error)

    async def publish(
        self, t_s: float, own: OwnState, battery_percent: float | None = None, framing_error: float | None = None
    ) -> None:
        """The drone's state (telemetry ``own``, the attached agent's mode and shot), when
        ``state_period_s`` has passed since the last. A closed connection is not an error here: the
        agent flies on (its link-loss failsafe decides)."""
        if self.agent is None:
            raise ProtocolError(f"{self.drone_id}: publish() before attach(): no agent to report on")
        period = self.welcome.state_period_s if self.welcome else 0.0
        if self._last_state_t_s is not None and t_s - self._last_state_t_s < period - 1e-6:
            return
        self._last_state_t_s = t_s
        try:
            await self.transport.send(encode(self._state(t_s, own, battery_percent, framing_error)))
        except TransportClosedError as error:
            logger.debug("%s: state not sent: %s", self.drone_id, error)

    def _state(self, t_s: float, own: OwnState, battery_percent: float | None, framing: float | None) -> State:
        agent = self.agent
        shot = agent.shot
        ref = None
        if shot is not None:
            ref = ShotRef(scene_index=shot.scene_index, scene=shot.scene, subject=shot.subject_id, move=shot.spec.move)
        return State(
            t_s=t_s,
            position_ned_m=tuple(float(x) for x in own.position_ned_m[0]),
            velocity_ned_m_s=tuple(float(x) for x in own.velocity_ned_m_s[0]),
            yaw_deg=float(own.yaw_deg[0]),
            gimbal_pitch_deg=float(own.gimbal_pitch_deg[0]),
            gimbal_yaw_deg=float(own.gimbal_yaw_deg[0]),
            mode=agent.mode,
            battery_percent=battery_percent,
            shot=ref,
            framing_error=framing,
            interventions=agent.intervention_count,
            timeline_revision=self.revision,
        )

    # --- what the agent reads -------------------------------------------------------------------

    def others_ned_m(self, t_s: float) -> FloatArray:
        """(M, 3) the other flying drones at ``t_s``: their last reports moved on by their velocity
        (a lost one stays where it was last heard)."""
        rows = [
            np.asarray(d.position_ned_m) + (0.0 if d.lost else t_s - d.t_s) * np.asarray(d.velocity_ned_m_s)
            for d in self._others.values()
        ]
        return np.array(rows, dtype=float).reshape(-1, 3)

    def link_age_s(self, t_s: float) -> float | None:
        """Time since the station's last message (None before the first)."""
        return None if self.heard_t_s is None else max(t_s - self.heard_t_s, 0.0)

    async def close(self) -> None:
        await self.transport.close()


def onboard_framing_error(agent: OnboardAgent, box: FloatArray) -> float | None:
    """The framing error as the drone itself can tell it, from its tracker's box (u, v, w, h) and its
    shot's target point; None when it is not filming or sees no box."""
    reference = agent.reference
    if agent.shot is None or reference is None or not np.isfinite(box).all() or (box[2:] <= 0.0).any():
        return None
    return float(framing_error(np.asarray(box), float(reference.target_u[0]), float(reference.target_v[0])))
