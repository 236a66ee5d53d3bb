"""The simulated subjects' typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class SubjectError(DronecineError, ValueError):
    """A bad use of the subject simulator: arrays of the wrong shape, a bad index or time step."""


class ScriptParamsError(SubjectError):
    """A motion-script parameter out of its range; ``field`` names it and ``value`` is what was given."""

    def __init__(self, message: str, field: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
