"""The PX4-like test vehicle's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class Px4SimError(DronecineError):
    """The test vehicle cannot be configured or started as asked (a bad option, a port in use)."""


class Px4ParamError(Px4SimError, ValueError):
    """An unknown parameter or a value it cannot take; ``name`` is the parameter."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name
