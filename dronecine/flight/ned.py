"""The one check of a NED vector argument that the safety code takes from its callers."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.flight.errors import SafetyError


def ned_vector(value: ArrayLike, name: str, owner: str = "") -> NDArray[np.float64]:
    """``value`` as a (3,) float array, or a ``SafetyError`` naming ``name`` (``owner`` prefixes the
    message, e.g. "a person's ")."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SafetyError(f"{owner}{name} must be 3 numbers (north, east, down), got {value!r}", name) from exc
    if array.shape != (3,):
        raise SafetyError(f"{owner}{name} must have shape (3,) (north, east, down), got {array.shape}", name)
    return array
