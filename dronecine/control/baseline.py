"""The classical baseline: image-based visual servoing plus the move's feed-forward.

What a good engineer writes before reaching for learning, from the same observation a policy sees:

- **camera pointing** (pan and tilt): a PI loop on the box's offset from the shot's target point,
  converted to degrees through the field of view. The integral removes the steady lag of panning
  after a walking subject. Without a box (lost, not yet found) it points at where the shot's
  reference says the subject is.
- **pan split**: the body yaws to pan; the gimbal's yaw is pulled back to the nose, with the body
  yawing the other way, so that the camera does not turn while the gimbal recentres.
- **translation**: the move's reference velocity (feed-forward) plus a P loop on the offset to its
  reference position, plus a size loop that closes in or backs off along the camera's heading
  when the box is smaller or larger than the shot wants.
- **floor**: never descends below ``floor_m``.

The gains' defaults come from ``benchmarks/tune_baseline.py``: a random search of 40 candidates
on training scenarios (never the held-out evaluation's) with the ``noisy`` perception, which
improved its score from 0.677 (hand-set gains) to 0.577.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.control.action import ActionScale
from dronecine.control.errors import ControlError
from dronecine.control.spaces import ACTION, OBSERVATION
from dronecine.geometry import wrap_deg

FloatArray = NDArray[np.float64]

# The observer's scalings (``spaces.OBSERVATION``), undone here to get back to units.
_OFFSET_SCALE_M = 10.0
_SPEED_SCALE_M_S = 5.0
_HEIGHT_SCALE_M = 30.0
_ATANH_LIMIT = 0.999  # tanh(x / 10) saturates; beyond this the offset is "far" (about 38 m)


@dataclass(frozen=True)
class BaselineGains:
    """The baseline's gains and limits, with their units (rates in deg/s, speeds in m/s)."""

    pan_p_per_s: float = 1.35  # camera yaw rate per degree of horizontal image error
    pan_i_per_s2: float = 1.15  # ... per degree-second of it
    tilt_p_per_s: float = 1.09  # gimbal pitch rate per degree of vertical image error
    tilt_i_per_s2: float = 0.443
    integral_limit_deg_s: float = 30.0  # the largest rate the integral may ask for (anti-windup)
    point_p_per_s: float = 1.25  # without a box: rate per degree of error to the shot's reference pointing
    gimbal_centre_per_s: float = 1.1  # how fast the gimbal's yaw returns to the nose
    position_p_per_s: float = 0.342  # velocity per metre of offset from the move's reference position
    feed_forward: float = 0.488  # fraction of the move's reference velocity flown
    size_p_m_s: float = 0.334  # speed toward the subject per unit of ln(h* / h)
    floor_m: float = 2.0  # the lowest height it descends to
    hfov_deg: float = 84.0  # the camera's fields of view (the image error's scale)
    vfov_deg: float = 53.7


class BaselineController:
    """Image-based visual servoing for N drones; ``predict`` mirrors stable-baselines3's.

    Stateful (each drone's pan and tilt integrals), sized by the first observation batch; rows whose
    ``episode_start`` is true restart from zero before they act.
    """

    def __init__(self, gains: BaselineGains | None = None, dt_s: float = 0.1, scale: ActionScale | None = None) -> None:
        if not dt_s > 0.0:
            raise ControlError(f"the baseline needs a control period dt_s > 0, got {dt_s}")
        self.gains = gains or BaselineGains()
        self.dt_s = float(dt_s)
        self.scale = scale or ActionScale()
        self._integral_deg_s: FloatArray | None = None  # (N, 2): pan, tilt (deg * s)

    def reset(self, rows: ArrayLike | None = None) -> None:
        """Zero the integrals of ``rows`` (all drones by default)."""
        if self._integral_deg_s is None:
            return
        if rows is None:
            self._integral_deg_s[:] = 0.0
        else:
            self._integral_deg_s[np.asarray(rows)] = 0.0

    def predict(self, observation: ArrayLike, episode_start: ArrayLike | None = None) -> NDArray[np.float32]:
        """Actions (N, 6) in [-1, 1] for observations (N, 45); one observation (45,) gives one action (6,)."""
        obs = np.asarray(observation, dtype=np.float64)
        single = obs.ndim == 1
        obs = np.atleast_2d(obs)
        if obs.ndim != 2 or obs.shape[1] != OBSERVATION.size:
            raise ControlError(
                f"the baseline expects observations of shape (N, {OBSERVATION.size}) or ({OBSERVATION.size},), "
                f"got {np.shape(observation)}: pass the vector from dronecine.control.ShotObserver"
            )
        n = obs.shape[0]
        if self._integral_deg_s is None or self._integral_deg_s.shape[0] != n:
            self._integral_deg_s = np.zeros((n, 2))
        if episode_start is not None:
            self.reset(np.flatnonzero(np.broadcast_to(np.asarray(episode_start, dtype=bool), (n,))))
        action = self._act(obs, self._integral_deg_s)
        return action[0] if single else action

    def _act(self, obs: FloatArray, integral: FloatArray) -> NDArray[np.float32]:
        g, s = self.gains, self.scale

        def field(name: str) -> FloatArray:
            return obs[:, OBSERVATION.slice_of(name)]

        has_box = field("track_lost")[:, 0] < 0.5
        gimbal = field("gimbal") * 90.0
        pitch_deg = gimbal[:, 0]
        target = field("target")
        target_u, target_v = target[:, 0] + 0.5, target[:, 1] + 0.5
        offset = field("box_offset")
        box_angles = _ray_angles_deg(target_u + offset[:, 0], target_v + offset[:, 1], pitch_deg, g)
        image_error_deg = box_angles - _ray_angles_deg(target_u, target_v, pitch_deg, g)
        image_error_deg[:, 0] = wrap_deg(image_error_deg[:, 0])
        pointing = field("pointing_error")
        pointing_error_deg = np.stack([pointing[:, 0] * 180.0, pointing[:, 1] * 90.0], axis=1)

        # Integrate only what the image says; a lost subject lets the integral fade.
        integral[has_box] += image_error_deg[has_box] * self.dt_s
        integral[~has_box] *= 0.9
        gains_i = np.array([g.pan_i_per_s2, g.tilt_i_per_s2])
        limit = g.integral_limit_deg_s / np.maximum(gains_i, 1e-9)
        np.clip(integral, -limit, limit, out=integral)
        rate_box = np.array([g.pan_p_per_s, g.tilt_p_per_s]) * image_error_deg + gains_i * integral
        rate = np.where(has_box[:, None], rate_box, g.point_p_per_s * pointing_error_deg)

        gimbal_yaw_deg = gimbal[:, 1]
        gimbal_yaw_rate = -g.gimbal_centre_per_s * gimbal_yaw_deg
        yaw_rate = rate[:, 0] - gimbal_yaw_rate  # the body turns while the gimbal recentres

        reference_offset_m = _untanh(field("reference_offset")) * _OFFSET_SCALE_M
        reference_velocity = field("reference_velocity") * _SPEED_SCALE_M_S
        velocity = g.feed_forward * reference_velocity + g.position_p_per_s * reference_offset_m
        toward = -g.size_p_m_s * np.where(has_box, field("box_size")[:, 0], 0.0)  # ln(h / h*) > 0: too close
        heading = np.radians(gimbal_yaw_deg + np.where(has_box, box_angles[:, 0], 0.0))
        velocity[:, 0] += toward * np.cos(heading)
        velocity[:, 1] += toward * np.sin(heading)
        height_m = _untanh(field("height")[:, 0]) * _HEIGHT_SCALE_M
        low = height_m < g.floor_m
        velocity[low, 2] = np.minimum(velocity[low, 2], height_m[low] - g.floor_m)

        action = np.empty((obs.shape[0], ACTION.size))
        action[:, ACTION.slice_of("velocity")] = velocity / [s.horizontal_m_s, s.horizontal_m_s, s.vertical_m_s]
        action[:, ACTION.slice_of("yaw_rate")][:, 0] = yaw_rate / s.yaw_rate_deg_s
        action[:, ACTION.slice_of("gimbal_pitch_rate")][:, 0] = rate[:, 1] / s.gimbal_rate_deg_s
        action[:, ACTION.slice_of("gimbal_yaw_rate")][:, 0] = gimbal_yaw_rate / s.gimbal_rate_deg_s
        return np.clip(action, -1.0, 1.0).astype(np.float32)


def _untanh(value: FloatArray) -> FloatArray:
    return np.arctanh(np.clip(value, -_ATANH_LIMIT, _ATANH_LIMIT))


def _ray_angles_deg(u: FloatArray, v: FloatArray, pitch_deg: FloatArray, gains: BaselineGains) -> FloatArray:
    """(N, 2) azimuth (right of the camera's heading) and elevation (above the horizon) of the rays
    through image points (u, v) of a camera pitched ``pitch_deg``.

    Angles of rays, not image offsets, are what the pan and tilt must correct: looking steeply
    down, a subject behind the drone sits near the bottom of the image with almost no sideways
    offset, and only its ray's azimuth says that the camera must turn round.
    """
    x = (u - 0.5) * 2.0 * np.tan(np.radians(gains.hfov_deg) / 2.0)  # camera right
    y = (v - 0.5) * 2.0 * np.tan(np.radians(gains.vfov_deg) / 2.0)  # camera down
    pitch = np.radians(pitch_deg)
    cos, sin = np.cos(pitch), np.sin(pitch)
    forward = cos + y * sin  # the ray (x, y, 1) in the level frame: forward, right, up
    up = sin - y * cos
    azimuth = np.degrees(np.arctan2(x, forward))
    elevation = np.degrees(np.arctan2(up, np.hypot(forward, x)))
    return np.stack([azimuth, elevation], axis=1)
