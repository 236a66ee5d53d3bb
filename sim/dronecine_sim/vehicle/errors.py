"""The vehicle model's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class VehicleError(DronecineError, ValueError):
    """A bad use of the vehicle model: arrays of the wrong shape, a bad time step."""


class VehicleParamsError(VehicleError):
    """A vehicle parameter out of its range; ``field`` names it and ``value`` is what was given."""

    def __init__(self, message: str, field: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
