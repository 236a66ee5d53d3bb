"""Small helpers that let the shot language run on one drone (floats) or many (arrays) alike."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def scalar_or_array(value: ArrayLike) -> float | NDArray[np.float64]:
    """A float for a 0-d result, so that scalar calls keep returning floats; arrays unchanged."""
    return float(value) if getattr(value, "ndim", 0) == 0 else value  # type: ignore[return-value]


def ned_vectors(north: ArrayLike, east: ArrayLike, down: ArrayLike) -> NDArray[np.float64]:
    """Vectors (..., 3) from components that broadcast together; (3,) when all are scalars."""
    out = np.empty((*np.broadcast(north, east, down).shape, 3))
    out[..., 0] = north
    out[..., 1] = east
    out[..., 2] = down
    return out


def along(vectors: NDArray[np.float64], length: ArrayLike) -> NDArray[np.float64]:
    """``vectors`` (..., 3) scaled by ``length`` (...), one length per vector."""
    return vectors * np.expand_dims(length, -1)
