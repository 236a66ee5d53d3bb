"""Flying to a point and pointing the camera at another, without the policy: transits, holds,
take-off and landing. Velocity towards the target, capped by the cruise speed and by the speed
from which the drone can still stop at it; the body yaws to pan, the gimbal tilts and its yaw
returns to the nose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.control import OwnState
from dronecine.geometry import wrap_deg
from dronecine.geometry.pointing import pointing_towards

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SteeringGains:
    position_p_per_s: float = 0.8  # velocity per metre of distance near the target
    braking_m_s2: float = 1.5  # the deceleration planned for when arriving
    pan_p_per_s: float = 1.5  # yaw rate per degree of pointing error
    tilt_p_per_s: float = 1.5
    gimbal_centre_per_s: float = 1.0


@dataclass(frozen=True)
class SteeringCommand:
    velocity_ned_m_s: FloatArray  # (3,)
    yaw_rate_deg_s: float
    gimbal_pitch_rate_deg_s: float
    gimbal_yaw_rate_deg_s: float


def steer(
    own: OwnState,
    target_ned_m: FloatArray,
    look_at_ned_m: FloatArray | None,
    cruise_m_s: float,
    climb_m_s: float,
    gains: SteeringGains = SteeringGains(),
    feed_forward_ned_m_s: FloatArray | None = None,
) -> SteeringCommand:
    """One step towards ``target_ned_m`` (drone 0 of ``own``), the camera on ``look_at_ned_m``
    (None: level, straight ahead). ``feed_forward_ned_m_s``: the target's own velocity (a moving
    target), added before the speed cap."""
    position = own.position_ned_m[0]
    offset = np.asarray(target_ned_m, dtype=float) - position
    horizontal = float(np.hypot(offset[0], offset[1]))
    speed = min(cruise_m_s, gains.position_p_per_s * horizontal, float(np.sqrt(2.0 * gains.braking_m_s2 * horizontal)))
    velocity = np.zeros(3)
    if horizontal > 1e-6:
        velocity[:2] = offset[:2] / horizontal * speed
    velocity[2] = gains.position_p_per_s * offset[2]
    if feed_forward_ned_m_s is not None:
        velocity += feed_forward_ned_m_s
        horizontal_speed = float(np.hypot(velocity[0], velocity[1]))
        if horizontal_speed > cruise_m_s:
            velocity[:2] *= cruise_m_s / horizontal_speed
    velocity[2] = float(np.clip(velocity[2], -climb_m_s, climb_m_s))
    if look_at_ned_m is None:
        yaw_goal, pitch_goal = float(own.camera_yaw_deg[0]), 0.0
    else:
        yaw, pitch = pointing_towards(own.position_ned_m[0], look_at_ned_m)
        yaw_goal, pitch_goal = float(yaw), float(pitch)
    camera_error = float(wrap_deg(yaw_goal - own.camera_yaw_deg[0]))
    gimbal_yaw = float(own.gimbal_yaw_deg[0])
    gimbal_yaw_rate = -gains.gimbal_centre_per_s * gimbal_yaw
    # The camera turns with body yaw plus gimbal yaw: the body makes up for the gimbal recentring.
    yaw_rate = gains.pan_p_per_s * camera_error - gimbal_yaw_rate
    pitch_rate = gains.tilt_p_per_s * (pitch_goal - float(own.gimbal_pitch_deg[0]))
    return SteeringCommand(velocity, yaw_rate, pitch_rate, gimbal_yaw_rate)
