"""What the station knows and keeps: its settings, its clock, each drone's live state, the log of
commands it sent and its own events. Plain values, so the dashboard can show them as they are."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from dronecine.agent.events import EventKind
from dronecine.ground.planner import PlanSettings
from dronecine.ground.protocol import CommandAction, State
from dronecine.mission.safety import FailsafeAction


@dataclass(frozen=True)
class StationSettings:
    """state_period_s: how often agents send their state (the welcome tells them).
    link_timeout_s: silent this long, a drone is lost (None: the mission's ``datalink_loss_timeout_s``).
    hello_timeout_s: a connection that has not said hello by then is closed.
    in_air_m: higher than this a drone is relayed to the others for their separation checks.
    stale_periods: a drone silent for this many state periods is relayed as ``lost`` (not extrapolated).
    plan: the planner's settings (cruise speed, transit fraction) the re-planning uses.
    answer_states: answer each drone's state with the others' positions (in the field); a simulation
        that calls ``Station.broadcast_others`` once every state of its step is in turns it off, or
        every drone would be told twice a step."""

    state_period_s: float = 0.2
    link_timeout_s: float | None = None
    hello_timeout_s: float = 10.0
    in_air_m: float = 0.3
    stale_periods: float = 3.0
    plan: PlanSettings = field(default_factory=PlanSettings)
    answer_states: bool = True


class Clock(Protocol):
    """Mission time: 0 is action; the station's timeouts run on it."""

    def now_s(self) -> float: ...


class SimClock:
    """A clock the simulation sets each step (the station never sleeps on it)."""

    def __init__(self, t_s: float = 0.0) -> None:
        self.t_s = t_s

    def now_s(self) -> float:
        return self.t_s


class WallClock:
    """Mission time from the wall: action (t = 0) comes ``action_in_s`` wall seconds after the clock is
    made; mission time runs ``time_scale`` times faster than the wall (a SITL sped up as PX4's
    ``PX4_SIM_SPEED_FACTOR``; 1 in the field)."""

    def __init__(self, action_in_s: float = 0.0, time_scale: float = 1.0) -> None:
        self._action = time.monotonic() + action_in_s
        self._scale = time_scale

    def now_s(self) -> float:
        return (time.monotonic() - self._action) * self._scale

    def start_action_in(self, action_in_s: float) -> None:
        """Move action to ``action_in_s`` wall seconds from now (a SITL shoot sets its clock once
        every drone is connected, so none takes off while another is still booting)."""
        self._action = time.monotonic() + action_in_s


class DroneStatus(StrEnum):
    WAITING = "waiting"  # has not connected yet
    ONLINE = "online"  # connected, heard within the link timeout
    LOST = "lost"  # silent too long, or never connected: out of the shoot, re-planned around
    OUT = "out"  # still heard, but out of the shoot (sent home on a low battery, or came down unplanned)


@dataclass(frozen=True)
class DroneLive:
    """One drone as the station sees it now."""

    drone_id: str
    status: DroneStatus = DroneStatus.WAITING
    connected: bool = False
    heard_t_s: float | None = None  # station time of its last message
    state: State | None = None  # its last state report
    timeline_revision: int = 1  # the station's latest timeline for it
    note: str = ""  # why it is lost or out, or what last happened to it

    def to_json(self) -> dict[str, Any]:
        return {
            "drone": self.drone_id,
            "status": self.status.value,
            "connected": self.connected,
            "heard_t_s": self.heard_t_s,
            "state": self.state.model_dump(mode="json") if self.state is not None else None,
            "timeline_revision": self.timeline_revision,
            "note": self.note,
        }


@dataclass(frozen=True)
class CommandRecord:
    """A command the station sent: to whom, what, who asked, when (mission and wall time), and the
    agent's answer once it acknowledged (``accepted`` None until then)."""

    command_id: int
    t_s: float
    wall_time_s: float  # Unix time
    drone_id: str
    action: CommandAction
    requested_by: str
    reason: str
    abort_action: FailsafeAction | None = None
    delivered: bool = True  # False: the drone was not connected
    accepted: bool | None = None
    answer: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "command_id": self.command_id,
            "t_s": round(self.t_s, 2),
            "wall_time_s": round(self.wall_time_s, 3),
            "drone": self.drone_id,
            "action": self.action.value,
            "abort_action": self.abort_action.value if self.abort_action else None,
            "requested_by": self.requested_by,
            "reason": self.reason,
            "delivered": self.delivered,
            "accepted": self.accepted,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class StationEvent:
    """Something the station did or saw (``from_agent``: an agent's own event it relayed);
    ``drone_id`` the drone it concerns (None: all)."""

    t_s: float
    drone_id: str | None
    kind: EventKind
    message: str
    from_agent: bool = False
