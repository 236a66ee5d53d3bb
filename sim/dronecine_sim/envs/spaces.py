"""The Gymnasium spaces of the shot environments, read from ``dronecine.control.spaces``."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from dronecine.control import ACTION, OBSERVATION


def observation_space() -> spaces.Box:
    # Every field is scaled to a few units; the bounds are loose so that an unusual value (a fast
    # reference, a far target) is still inside the space rather than clipped.
    return spaces.Box(low=-10.0, high=10.0, shape=(OBSERVATION.size,), dtype=np.float32)


def action_space() -> spaces.Box:
    return spaces.Box(low=-1.0, high=1.0, shape=(ACTION.size,), dtype=np.float32)
