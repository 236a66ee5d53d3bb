"""The shot reward: the project's cinematic metrics, with penalties for what a crew fears.

Per step and drone, from the subject's true box (not the tracker's estimate):

    reward = alive
             - framing * framing_error          (dronecine.metrics: ||(u, v) - (u*, v*)||, 1 when unseen)
             - size * size_error                (|h - h*| / h*)
             - lost                              if the subject is not in frame
             - position * min(|p - p_ref|, 20 m) / 20 m    (the move's camera position)
             - jerk * min(|jerk| / 10 m/s^3, 1)^2          (smooth footage)
             - action_change * mean((a_t - a_t-1)^2)        (smooth setpoints)
             - ground, obstacle, fence * proximity          (linear inside their margins)
    and on termination (a crash, a geofence breach) - terminal.

Both errors are capped at the metrics' error of a lost subject (1): a box flung far off the frame
(or a subject filling it) is no worse than a lost one, and one such step does not outweigh a shot.
The capped errors are what ``infos`` and the episode statistics report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.metrics import MISSING_BOX_ERROR, framing_error, in_frame, size_error

FloatArray = NDArray[np.float64]

_POSITION_SCALE_M = 20.0
_JERK_SCALE_M_S3 = 10.0


@dataclass(frozen=True)
class RewardWeights:
    """The reward's terms (see the module docstring); margins in metres."""

    alive: float = 1.0
    framing: float = 2.0
    size: float = 0.5
    lost: float = 1.0
    position: float = 0.5
    jerk: float = 0.4
    action_change: float = 0.2
    ground: float = 1.0
    ground_margin_m: float = 2.0
    obstacle: float = 1.0
    obstacle_margin_m: float = 3.0
    fence: float = 1.0
    fence_margin_m: float = 5.0
    terminal: float = 50.0


@dataclass(frozen=True, eq=False)
class StepFilming:
    """What the reward needs to know about one step of N drones (the truth, not the agent's view)."""

    true_box: FloatArray  # (N, 4), NaN when the subject cannot be projected
    occluded_fraction: FloatArray  # (N,)
    target_u: FloatArray
    target_v: FloatArray
    target_h: FloatArray
    position_error_m: FloatArray  # (N,) distance to the move's reference position
    jerk_m_s3: FloatArray  # (N,) norm of the camera's jerk this step
    action_change: FloatArray  # (N,) mean squared change of the normalised action
    height_m: FloatArray  # (N,) above the ground
    obstacle_clearance_m: FloatArray  # (N,)
    fence_margin_m: FloatArray  # (N,) negative outside


@dataclass(frozen=True, eq=False)
class RewardTerms:
    reward: FloatArray
    framing_error: FloatArray
    size_error: FloatArray
    in_frame: NDArray[np.bool_]


def shot_reward(step: StepFilming, terminated: NDArray[np.bool_], weights: RewardWeights) -> RewardTerms:
    framing = np.minimum(framing_error(step.true_box, step.target_u, step.target_v), MISSING_BOX_ERROR)
    size = np.minimum(size_error(step.true_box[:, 3], step.target_h), MISSING_BOX_ERROR)
    seen = np.asarray(in_frame(step.true_box)) & (step.occluded_fraction < 0.5)
    w = weights
    reward = (
        w.alive
        - w.framing * framing
        - w.size * size
        - w.lost * ~seen
        - w.position * np.minimum(step.position_error_m, _POSITION_SCALE_M) / _POSITION_SCALE_M
        - w.jerk * np.minimum(step.jerk_m_s3 / _JERK_SCALE_M_S3, 1.0) ** 2
        - w.action_change * step.action_change
        - w.ground * np.clip(1.0 - step.height_m / w.ground_margin_m, 0.0, 1.0)
        - w.obstacle * np.clip(1.0 - step.obstacle_clearance_m / w.obstacle_margin_m, 0.0, 1.0)
        - w.fence * np.clip(1.0 - step.fence_margin_m / w.fence_margin_m, 0.0, 1.0)
        - w.terminal * terminated
    )
    return RewardTerms(reward=reward, framing_error=framing, size_error=size, in_frame=seen)
