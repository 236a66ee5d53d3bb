"""A first-order low-pass on the velocity part of a controller's actions, per drone.

Noisy boxes make a controller's translation setpoints change from frame to frame, and the vehicle
turns each change into jerk in the footage: a velocity setpoint that moves 0.3 m/s between two
frames 0.1 s apart is close to the vehicle's jerk limit. Only the velocity is smoothed: pan and
tilt must still answer the frame at once (a late pan loses the subject), and the camera's rotation
is not what makes footage shake.

``weight`` is the share of the new velocity in each step's output (1: no smoothing); with control
period ``dt`` the time constant is ``-dt / ln(1 - weight)`` (0.28 s for 0.3 at 10 Hz).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.control.errors import ControlError
from dronecine.control.spaces import ACTION

_VELOCITY = ACTION.slice_of("velocity")


def _checked_weight(weight: float) -> float:
    """``weight`` as a float, or a ``ControlError`` that says what a weight is."""
    if not (isinstance(weight, int | float) and not isinstance(weight, bool) and 0.0 < weight <= 1.0):
        raise ControlError(
            f"velocity smoothing weight must be within (0, 1] (the new setpoint's share; 1 is no smoothing), "
            f"got {weight!r}"
        )
    return float(weight)


class VelocitySmoother:
    """Smooths the velocity columns of (N, 6) actions; each drone restarts unsmoothed on its episode start."""

    def __init__(self, weight: float) -> None:
        self.weight = _checked_weight(weight)
        self._velocity: NDArray[np.float64] | None = None  # (N, 3): the last smoothed velocity

    def reset(self, rows: ArrayLike | None = None) -> None:
        """Forget ``rows`` (all drones by default): their next action passes unsmoothed."""
        if self._velocity is None:
            return
        if rows is None:
            self._velocity = None
        else:
            self._velocity[np.asarray(rows)] = np.nan

    def __call__(self, action: ArrayLike, episode_start: ArrayLike | None = None) -> NDArray[np.float32]:
        """The actions (N, 6) with their velocity smoothed; ``episode_start`` (N,) marks drones starting anew."""
        smoothed = np.array(action, dtype=np.float64)
        if smoothed.ndim != 2 or smoothed.shape[1] != ACTION.size:
            raise ControlError(f"actions must have shape (N, {ACTION.size}), got {smoothed.shape}")
        n = smoothed.shape[0]
        if self._velocity is None or self._velocity.shape[0] != n:
            self._velocity = np.full((n, 3), np.nan)
        if episode_start is not None:
            self._velocity[np.broadcast_to(np.asarray(episode_start, dtype=bool), (n,))] = np.nan
        if self.weight < 1.0:
            new = smoothed[:, _VELOCITY]
            previous = self._velocity
            smoothed[:, _VELOCITY] = np.where(
                np.isnan(previous), new, self.weight * new + (1.0 - self.weight) * np.nan_to_num(previous)
            )
        self._velocity = smoothed[:, _VELOCITY].copy()
        return smoothed.astype(np.float32)
