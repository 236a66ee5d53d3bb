"""Errors of the control layer."""

from dronecine.errors import DronecineError


class ControlError(DronecineError, ValueError):
    """Bad input to the observation builder, the action scaling or a policy."""
