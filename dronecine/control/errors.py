"""Errors of the control layer."""

from dronecine.errors import DronecineError


class ControlError(DronecineError, ValueError):
    """Bad input to the observation builder, the action scaling or a policy."""


class PolicyFileError(ControlError):
    """A policy file that is missing, unreadable, or made for another observation/action spec."""
