"""The ground station's errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class GroundError(DronecineError):
    """Something the ground station cannot do."""


class PlanError(GroundError):
    """The mission cannot be flown as planned: the message says which drones, when and why."""


class ProtocolError(GroundError):
    """A message of the agent protocol is malformed, unexpected, or was refused by the other end."""


class TransportError(GroundError):
    """A transport (WebSocket, in-memory) cannot carry messages: it failed to open or broke."""


class TransportClosedError(TransportError):
    """The other end closed the connection (or it was closed here)."""
