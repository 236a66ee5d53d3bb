"""Errors of a training run."""

from dronecine.errors import DronecineError


class TrainingError(DronecineError):
    """A training run that cannot start or continue: the message says why and what to do."""
