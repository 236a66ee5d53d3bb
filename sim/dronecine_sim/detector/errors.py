"""Errors of the detector dataset and training tools."""

from dronecine.errors import DronecineError


class DetectorToolError(DronecineError, ValueError):
    """A detector dataset or training run cannot go ahead: bad settings, a missing or foreign dataset."""
