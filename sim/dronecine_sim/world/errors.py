"""The world's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class WorldError(DronecineError, ValueError):
    """A bad world description or query: a building of negative size, arrays of the wrong shape."""
