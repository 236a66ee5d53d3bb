"""Errors of an evaluation."""

from dronecine.errors import DronecineError


class EvaluationError(DronecineError, ValueError):
    """An evaluation that cannot run as asked (a bad seed, episode count or perception)."""
