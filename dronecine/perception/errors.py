"""Errors of the perception layer."""

from dronecine.errors import DronecineError


class PerceptionError(DronecineError, ValueError):
    """Bad input to the detector, the tracker or the subject lock."""


class DetectorError(PerceptionError):
    """Weights that are missing, unreadable or lack the wanted classes; a frame that is not a BGR image."""


class FrameSourceError(PerceptionError):
    """A frame source that cannot be opened or that yields something that is not a BGR image."""
