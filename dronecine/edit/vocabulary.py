"""The words a shoot's files use (docs/shoot_outputs.md), as enums. A drone's ``mode``, the
supervisor's reasons, the events' kinds and the tracker's states are the enums of the code that
writes them, so the files and their writers cannot drift apart."""

from __future__ import annotations

from dronecine.agent.events import EventKind
from dronecine.agent.modes import AgentMode as DroneMode
from dronecine.flight.safety import Intervention as SafetyReason
from dronecine.perception.track import TrackState

__all__ = ["DroneMode", "EventKind", "SafetyReason", "TrackState"]
