"""The simulated shoot's errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class ShootError(DronecineError):
    """The shoot cannot run as asked (settings, outputs, a mission it cannot simulate)."""
