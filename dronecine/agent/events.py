"""What a shoot records in ``events.jsonl``: the agents' events and the station's own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """The kinds of line in ``events.jsonl``."""

    TAKEOFF = "takeoff"
    TRANSIT = "transit"
    SHOT_START = "shot_start"
    SHOT_END = "shot_end"
    SAFETY = "safety"
    FAILSAFE = "failsafe"  # an onboard failsafe engaged or ended (battery, ground link, perception)
    LANDING = "landing"
    LANDED = "landed"
    ABORT = "abort"
    COMMAND = "command"  # the station commanded hold, resume, return or land
    REPLAN = "replan"  # the station re-planned (a drone lost): shots moved or dropped
    LINK = "link"  # an agent connected to, or went silent at, the station
    ERROR = "error"


@dataclass(frozen=True)
class AgentEvent:
    kind: EventKind
    message: str
