"""The onboard agent: the per-drone loop from tracker and telemetry to safe setpoints."""

from dronecine.agent.agent import AgentEvent, AgentOutput, OnboardAgent
from dronecine.agent.modes import AgentMode

__all__ = ["AgentEvent", "AgentMode", "AgentOutput", "OnboardAgent"]
