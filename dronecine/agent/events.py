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
    LANDING = "landing"
    LANDED = "landed"
    ABORT = "abort"
    ERROR = "error"


@dataclass(frozen=True)
class AgentEvent:
    kind: EventKind
    message: str
