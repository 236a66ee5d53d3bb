"""The onboard agent: the per-drone loop from tracker and telemetry to safe setpoints."""

from dronecine.agent.agent import AgentOutput, OnboardAgent
from dronecine.agent.events import AgentEvent, EventKind
from dronecine.agent.modes import AgentMode

__all__ = ["AgentEvent", "AgentMode", "AgentOutput", "EventKind", "OnboardAgent"]
