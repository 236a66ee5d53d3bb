"""The renderer's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class RenderError(DronecineError, ValueError):
    """A bad render request: a pose of the wrong shape, an output buffer of the wrong size, bad people arrays."""
