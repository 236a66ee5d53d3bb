"""The onboard agent runtime's errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class AgentError(DronecineError):
    """The onboard agent cannot start or go on: the message says what and why."""
