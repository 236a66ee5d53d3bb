"""Errors of the shot environments."""

from dronecine.errors import DronecineError


class EnvConfigError(DronecineError, ValueError):
    """A bad environment setting: an unknown name, a value out of range."""
