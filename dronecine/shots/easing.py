"""Smooth travel profiles, so that moves start and stop without jumps in speed."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.shots.arrays import scalar_or_array


def travel_m(
    t_s: ArrayLike, speed_m_s: ArrayLike, ease_s: ArrayLike, length_m: ArrayLike | None = None
) -> float | NDArray[np.float64]:
    """Distance covered by time ``t_s`` with a trapezoidal speed profile.

    Speeds up at a constant rate over ``ease_s`` to ``speed_m_s``, cruises, and, when
    ``length_m`` is given, slows down to stop exactly at ``length_m``. Position and speed are
    continuous; ``speed_m_s`` must be positive (direction belongs to the caller).

    Broadcasts over arrays (one profile per element); a float when every input is a scalar.
    """
    t, speed, ease = t_s, speed_m_s, ease_s  # as given: numpy scalars are far faster than 0-d arrays
    # Every branch is computed for every element and np.where keeps the right one: the others
    # may divide by zero or overflow (an ease of a few nanoseconds) without harm.
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        accel = np.divide(speed, ease)  # inf for no ease (a numpy division: no ZeroDivisionError)
        if length_m is None:
            ramping = np.where(t < ease, 0.5 * accel * t**2, 0.5 * speed * ease + speed * (t - ease))
            distance = np.where(ease > 0.0, ramping, speed * t)
        else:
            # With a length, the profile may not reach cruise speed: it is then a triangle.
            # (fmin: an overflowing accel * 0 is NaN, and the peak is then the speed.)
            peak = np.fmin(speed, np.sqrt(accel * length_m))
            ramp_s = peak / accel
            ramp_m = 0.5 * peak * ramp_s
            cruise_s = np.where(peak > 0.0, (length_m - 2.0 * ramp_m) / peak, 0.0)
            t_down = t - ramp_s - cruise_s
            slowing = ramp_m + peak * cruise_s + peak * t_down - 0.5 * accel * t_down**2
            stopping = np.where(t_down >= ramp_s, length_m, slowing)
            cruising = np.where(t < ramp_s + cruise_s, ramp_m + peak * (t - ramp_s), stopping)
            ramping = np.where(t < ramp_s, 0.5 * accel * t**2, cruising)
            distance = np.where(ease > 0.0, ramping, np.minimum(speed * t, length_m))
        return scalar_or_array(np.where(t <= 0.0, 0.0, distance))
