"""The words a shoot's files use (docs/shoot_outputs.md), as enums. A drone's ``mode`` and the
supervisor's reasons are the agent's and the supervisor's own enums, so the files and the code that
writes them cannot drift apart."""

from __future__ import annotations

from enum import StrEnum

from dronecine.agent.modes import AgentMode as DroneMode
from dronecine.flight.safety import Intervention as SafetyReason

__all__ = ["DroneMode", "EventKind", "SafetyReason", "TrackState"]


class TrackState(StrEnum):
    """What the onboard tracker reported at a step (telemetry ``track``)."""

    DETECTED = "detected"
    PREDICTED = "predicted"
    LOST = "lost"


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
