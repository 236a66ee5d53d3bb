"""Smoothness of the camera: RMS jerk of its position, RMS angular acceleration of its pointing.

Both are finite differences of samples taken every ``dt_s`` seconds, so they measure what
the footage shows (a jerky path, a twitchy gimbal), not what the controller intended.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.metrics.framing import MetricsError

# Fewest samples that have a third (jerk) or a second (angular acceleration) difference.
MIN_SAMPLES_JERK = 4
MIN_SAMPLES_ANGULAR = 3


def _check_dt(dt_s: float) -> float:
    dt = float(dt_s)
    if not np.isfinite(dt) or dt <= 0.0:
        raise MetricsError(f"dt_s must be a positive number of seconds, got {dt_s!r}")
    return dt


def _finite_array(name: str, values: ArrayLike, ndim: int) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=float)
    if array.ndim != ndim or (ndim == 2 and array.shape[-1] != 3):
        expected = "(T, 3)" if ndim == 2 else "(T,)"
        raise MetricsError(f"{name} must have shape {expected}, got {array.shape}")
    if not np.isfinite(array).all():
        raise MetricsError(f"{name} must be finite (a NaN or inf sample cannot be differenced)")
    return array


def _rms_norm(differences: NDArray[np.float64]) -> float:
    """RMS over samples of the Euclidean magnitude along the last axis."""
    return float(np.sqrt(np.mean(np.sum(differences**2, axis=-1))))


def jerk_rms(positions_ned_m: ArrayLike, dt_s: float) -> float:
    """RMS of ``‖Δ³p‖ / dt³`` over the trajectory, in m/s³.

    ``positions_ned_m`` is (T, 3), sampled every ``dt_s`` seconds. With fewer than
    ``MIN_SAMPLES_JERK`` = 4 samples there is no third difference and the jerk is 0.0 (a
    shot too short to be jerky). Raises ``MetricsError`` for ``dt_s <= 0``.
    """
    dt = _check_dt(dt_s)
    positions = _finite_array("positions_ned_m", positions_ned_m, ndim=2)
    if positions.shape[0] < MIN_SAMPLES_JERK:
        return 0.0
    return _rms_norm(np.diff(positions, n=3, axis=0) / dt**3)


def angular_accel_rms(yaw_deg: ArrayLike, pitch_deg: ArrayLike, dt_s: float) -> float:
    """RMS of ``‖(Δ²yaw, Δ²pitch)‖ / dt²`` over the shot, in deg/s².

    Yaw is unwrapped first, so crossing ±180 (179 to -179) is a 2° step, not 358°. With
    fewer than ``MIN_SAMPLES_ANGULAR`` = 3 samples there is no second difference and the
    result is 0.0. Raises ``MetricsError`` for ``dt_s <= 0`` or yaw and pitch of different
    lengths.
    """
    dt = _check_dt(dt_s)
    yaw = _finite_array("yaw_deg", yaw_deg, ndim=1)
    pitch = _finite_array("pitch_deg", pitch_deg, ndim=1)
    if yaw.shape != pitch.shape:
        raise MetricsError(f"pitch_deg has shape {pitch.shape} but yaw_deg has shape {yaw.shape}")
    if yaw.shape[0] < MIN_SAMPLES_ANGULAR:
        return 0.0
    angles = np.stack([np.unwrap(yaw, period=360.0), pitch], axis=-1)
    return _rms_norm(np.diff(angles, n=2, axis=0) / dt**2)
