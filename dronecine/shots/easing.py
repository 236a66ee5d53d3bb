"""Smooth travel profiles, so that moves start and stop without jumps in speed."""

from __future__ import annotations

import math


def travel_m(t_s: float, speed_m_s: float, ease_s: float, length_m: float | None = None) -> float:
    """Distance covered by time ``t_s`` with a trapezoidal speed profile.

    Speeds up at a constant rate over ``ease_s`` to ``speed_m_s``, cruises, and, when
    ``length_m`` is given, slows down to stop exactly at ``length_m``. Position and speed are
    continuous; ``speed_m_s`` must be positive (direction belongs to the caller).
    """
    if t_s <= 0.0:
        return 0.0
    if ease_s <= 0.0:
        distance = speed_m_s * t_s
        return distance if length_m is None else min(distance, length_m)
    accel = speed_m_s / ease_s
    if length_m is None:
        if t_s < ease_s:
            return 0.5 * accel * t_s**2
        return 0.5 * speed_m_s * ease_s + speed_m_s * (t_s - ease_s)
    # With a length, the profile may not reach cruise speed: it is then a triangle.
    peak = min(speed_m_s, math.sqrt(accel * length_m))
    ramp_s = peak / accel
    ramp_m = 0.5 * peak * ramp_s
    cruise_s = (length_m - 2.0 * ramp_m) / peak if peak > 0 else 0.0
    if t_s < ramp_s:
        return 0.5 * accel * t_s**2
    if t_s < ramp_s + cruise_s:
        return ramp_m + peak * (t_s - ramp_s)
    t_down = t_s - ramp_s - cruise_s
    if t_down >= ramp_s:
        return length_m
    return ramp_m + peak * cruise_s + peak * t_down - 0.5 * accel * t_down**2
