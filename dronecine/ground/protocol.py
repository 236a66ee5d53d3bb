"""The agent protocol: JSON messages between the ground station and the onboard agents.

Every message is one JSON object (one WebSocket text frame) with a ``type``; the models below are
the protocol (``docs/agent_protocol.md`` documents each with an example). A connection starts with
the agent's ``hello`` (drone id, the mission's token, ``PROTOCOL_VERSION``); the station answers
``welcome`` and the drone's ``timeline``, or an ``error`` and closes. Versions must be equal: any
change to a message bumps ``PROTOCOL_VERSION``, and a station refuses an agent of another version
with a message naming both.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from dronecine.agent.events import EventKind
from dronecine.agent.modes import AgentMode
from dronecine.ground.errors import ProtocolError
from dronecine.mission.document import Mission
from dronecine.mission.safety import FailsafeAction

PROTOCOL_VERSION = 1

Finite = Annotated[float, Field(allow_inf_nan=False)]
Vector3 = tuple[Finite, Finite, Finite]
DroneId = Annotated[str, Field(min_length=1, max_length=64)]


class ErrorCode(StrEnum):
    """Why the station (or an agent) refused a message; the first five close the connection."""

    VERSION_MISMATCH = "version_mismatch"
    AUTH_FAILED = "auth_failed"
    UNKNOWN_DRONE = "unknown_drone"
    MISSION_MISMATCH = "mission_mismatch"
    HELLO_EXPECTED = "hello_expected"
    MALFORMED = "malformed"  # not JSON, not an object, or a field is missing or wrong
    UNKNOWN_TYPE = "unknown_type"
    UNEXPECTED = "unexpected"  # a valid message this side does not take (a station's message sent to it)


class CommandAction(StrEnum):
    HOLD = "hold"  # hover where it is, camera on the subject, until ``resume``
    RESUME = "resume"  # back to the timeline after a hold
    RETURN = "return"  # fly home and land
    LAND = "land"  # land where it is
    ABORT = "abort"  # the mission's abort: ``abort_action`` says hold, return or land


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- agent -> station ---------------------------------------------------------------------------


class Hello(_Message):
    type: Literal["hello"] = "hello"
    version: int
    drone_id: DroneId
    token: str
    mission_digest: str  # ``mission_digest(mission)``: both ends must hold the same mission


class ShotRef(_Message):
    """Which shot a drone is on: its scene and what it films."""

    scene_index: int
    scene: str
    subject: str
    move: str


class State(_Message):
    """The drone's telemetry and what its agent is doing, every ``state_period_s``."""

    type: Literal["state"] = "state"
    t_s: Finite
    position_ned_m: Vector3
    velocity_ned_m_s: Vector3
    yaw_deg: Finite
    gimbal_pitch_deg: Finite
    gimbal_yaw_deg: Finite
    mode: AgentMode
    battery_percent: Annotated[float, Field(ge=0.0, le=100.0)] | None = None
    shot: ShotRef | None = None
    framing_error: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None  # onboard estimate
    interventions: int = Field(0, ge=0)
    timeline_revision: int = Field(0, ge=0)  # the last timeline the agent applied


class Event(_Message):
    type: Literal["event"] = "event"
    t_s: Finite
    kind: EventKind
    message: str


class Ack(_Message):
    type: Literal["ack"] = "ack"
    command_id: int
    accepted: bool
    message: str = ""


# --- station -> agent ---------------------------------------------------------------------------


class Welcome(_Message):
    type: Literal["welcome"] = "welcome"
    version: int
    drone_id: DroneId
    mission: str
    state_period_s: Annotated[float, Field(gt=0.0, le=10.0)]
    t_s: Finite  # the station's mission clock


class TimelineUpdate(_Message):
    """The drone's whole timeline (``timeline_codec``); it replaces the one before from ``t_s`` on."""

    type: Literal["timeline"] = "timeline"
    revision: int = Field(ge=1)
    t_s: Finite
    reason: str = ""
    timeline: dict[str, Any]


class OtherDrone(_Message):
    drone_id: DroneId
    t_s: Finite  # when this position was reported
    position_ned_m: Vector3
    velocity_ned_m_s: Vector3
    lost: bool = False  # silent: the last position it reported, not extrapolated


class Others(_Message):
    """The other flying drones, for the onboard separation check."""

    type: Literal["others"] = "others"
    t_s: Finite
    drones: tuple[OtherDrone, ...]


class Command(_Message):
    type: Literal["command"] = "command"
    command_id: int = Field(ge=1)
    action: CommandAction
    abort_action: FailsafeAction | None = None  # with ``abort``: what the mission's abort is
    requested_by: str
    reason: str = ""


class Error(_Message):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    fatal: bool = False  # the sender closes the connection after it


AgentMessage = Annotated[Hello | State | Event | Ack, Field(discriminator="type")]
StationMessage = Annotated[Welcome | TimelineUpdate | Others | Command | Error, Field(discriminator="type")]
_AGENT_ADAPTER: TypeAdapter[AgentMessage] = TypeAdapter(AgentMessage)
_STATION_ADAPTER: TypeAdapter[StationMessage] = TypeAdapter(StationMessage)
AGENT_TYPES = ("hello", "state", "event", "ack")
STATION_TYPES = ("welcome", "timeline", "others", "command", "error")


class MessageError(ProtocolError):
    """A message that cannot be taken; ``code`` is what the error reply says."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def encode(message: _Message) -> str:
    return message.model_dump_json()


def decode_agent_message(text: str | bytes) -> AgentMessage:
    """An agent's message; ``MessageError`` naming the problem (a hello of another version says both)."""
    data = _object(text)
    kind = _type_of(data, AGENT_TYPES, STATION_TYPES)
    if kind == "hello" and data.get("version") != PROTOCOL_VERSION:
        raise MessageError(
            ErrorCode.VERSION_MISMATCH,
            f"the agent speaks protocol version {data.get('version')!r}; this station speaks version "
            f"{PROTOCOL_VERSION}: run the same dronecine version on both",
        )
    return _validate(_AGENT_ADAPTER, data, kind)


def decode_station_message(text: str | bytes) -> StationMessage:
    """A station's message; ``MessageError`` naming the problem."""
    data = _object(text)
    kind = _type_of(data, STATION_TYPES, AGENT_TYPES)
    if kind == "welcome" and data.get("version") != PROTOCOL_VERSION:
        raise MessageError(
            ErrorCode.VERSION_MISMATCH,
            f"the station speaks protocol version {data.get('version')!r}; this agent speaks version "
            f"{PROTOCOL_VERSION}: run the same dronecine version on both",
        )
    return _validate(_STATION_ADAPTER, data, kind)


def mission_digest(mission: Mission) -> str:
    """A short fingerprint of the mission: the shots on the wire are rebuilt from it at both ends."""
    return hashlib.sha256(mission.model_dump_json().encode("utf-8")).hexdigest()[:16]


def _object(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MessageError(ErrorCode.MALFORMED, f"the message is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise MessageError(ErrorCode.MALFORMED, f"a message is a JSON object, not a {type(data).__name__}")
    return data


def _type_of(data: dict[str, Any], mine: tuple[str, ...], theirs: tuple[str, ...]) -> str:
    kind = data.get("type")
    if not isinstance(kind, str):
        raise MessageError(ErrorCode.MALFORMED, f"the message has no 'type' (expected one of: {', '.join(mine)})")
    if kind in theirs:
        raise MessageError(ErrorCode.UNEXPECTED, f"{kind!r} messages go the other way (expected: {', '.join(mine)})")
    if kind not in mine:
        raise MessageError(
            ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r} (expected one of: {', '.join(mine)})"
        )
    return kind


def _validate(adapter: TypeAdapter, data: dict[str, Any], kind: str):
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "(top)"
        raise MessageError(ErrorCode.MALFORMED, f"{kind!r} message: {where}: {first['msg']}") from error
