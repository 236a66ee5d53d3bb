"""From a normalised action in [-1, 1]^6 to the velocity, yaw-rate and gimbal-rate setpoints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.control.errors import ControlError
from dronecine.control.spaces import ACTION

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ActionScale:
    """What a full action (1.0) asks for. Fixed, not the vehicle's limits, so that a policy means
    the same on every airframe; the vehicle (and the safety supervisor) clamp beyond their limits."""

    horizontal_m_s: float = 6.0
    vertical_m_s: float = 3.0
    yaw_rate_deg_s: float = 60.0
    gimbal_rate_deg_s: float = 60.0


@dataclass(frozen=True, eq=False)
class Setpoints:
    """Setpoints for N drones: body (forward, right, down) velocity and rates, in the units named."""

    velocity_frd_m_s: FloatArray  # (N, 3)
    yaw_rate_deg_s: FloatArray  # (N,)
    gimbal_pitch_rate_deg_s: FloatArray  # (N,)
    gimbal_yaw_rate_deg_s: FloatArray  # (N,)


def setpoints_from_action(action: ArrayLike, scale: ActionScale = ActionScale()) -> Setpoints:
    """Scale a (N, 6) action, clipped to [-1, 1] (a policy's Gaussian can step outside)."""
    values = np.asarray(action, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != ACTION.size:
        raise ControlError(f"actions must have shape (N, {ACTION.size}), got {values.shape}")
    if not np.isfinite(values).all():
        raise ControlError("actions must be finite (the policy produced NaN or inf)")
    values = np.clip(values, -1.0, 1.0)
    velocity = values[:, ACTION.slice_of("velocity")] * np.array(
        [scale.horizontal_m_s, scale.horizontal_m_s, scale.vertical_m_s]
    )
    return Setpoints(
        velocity_frd_m_s=velocity,
        yaw_rate_deg_s=values[:, ACTION.slice_of("yaw_rate")][:, 0] * scale.yaw_rate_deg_s,
        gimbal_pitch_rate_deg_s=values[:, ACTION.slice_of("gimbal_pitch_rate")][:, 0] * scale.gimbal_rate_deg_s,
        gimbal_yaw_rate_deg_s=values[:, ACTION.slice_of("gimbal_yaw_rate")][:, 0] * scale.gimbal_rate_deg_s,
    )
