"""Errors of the simulated perception."""

from dronecine.errors import DronecineError


class PerceptionError(DronecineError, ValueError):
    """A bad perception setting: an unknown level, a constant out of range."""
