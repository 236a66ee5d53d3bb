"""The ground station's errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class GroundError(DronecineError):
    """Something the ground station cannot do."""


class PlanError(GroundError):
    """The mission cannot be flown as planned: the message says which drones, when and why."""
