"""The flight capability's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class FlightError(DronecineError):
    """Something the flight layer (link, safety supervisor) cannot do as asked."""


class SafetyError(FlightError, ValueError):
    """Safety limits that cannot protect a drone, or a supervisor used with malformed inputs.

    ``field`` names the offending limit or argument (``None`` when no single one is to blame).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
