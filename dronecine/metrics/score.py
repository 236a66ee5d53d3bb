"""A shot's score: the per-step metrics aggregated over the shot, and shots over a shoot."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.metrics.framing import MetricsError, framing_error, in_frame, size_error
from dronecine.metrics.smoothness import angular_accel_rms, jerk_rms


@dataclass(frozen=True)
class ShotScore:
    """How well one shot (or several, combined) was filmed.

    framing_error: mean over steps of the box centre's distance to its target (normalised).
    size_error: mean over steps of ``|h − h*| / h*``.
    in_frame: fraction of steps (0..1) with the subject in frame.
    jerk_rms_m_s3: RMS jerk of the camera position.
    angular_accel_rms_deg_s2: RMS angular acceleration of the camera's pointing.
    steps: how many control steps the score covers (the weight when combining).
    """

    framing_error: float
    size_error: float
    in_frame: float
    jerk_rms_m_s3: float
    angular_accel_rms_deg_s2: float
    steps: int

    @classmethod
    def combine(cls, scores: Iterable[ShotScore]) -> ShotScore:
        """Aggregate several shots, each weighted by its steps.

        Means are step-weighted means; the RMS values combine as RMS (the square root of
        the step-weighted mean of squares), so one long smooth shot is not hidden by a
        short jerky one, nor the reverse. Raises ``MetricsError`` for no scores or no steps.
        """
        scores = list(scores)
        total = sum(score.steps for score in scores)
        if not scores or total <= 0:
            raise MetricsError("cannot combine shot scores that cover no steps")

        def mean(name: str) -> float:
            return sum(getattr(score, name) * score.steps for score in scores) / total

        def rms(name: str) -> float:
            return math.sqrt(sum(getattr(score, name) ** 2 * score.steps for score in scores) / total)

        return cls(
            framing_error=mean("framing_error"),
            size_error=mean("size_error"),
            in_frame=mean("in_frame"),
            jerk_rms_m_s3=rms("jerk_rms_m_s3"),
            angular_accel_rms_deg_s2=rms("angular_accel_rms_deg_s2"),
            steps=total,
        )

    def as_dict(self) -> dict[str, float | int]:
        """Plain Python numbers keyed by field name, ready for JSON."""
        return {name: int(value) if name == "steps" else float(value) for name, value in asdict(self).items()}


def _step_array(
    name: str, values: ArrayLike, trailing: tuple[int, ...], reference: tuple[str, tuple[int, ...]]
) -> NDArray[np.float64]:
    """``values`` as a float array of shape (T, *trailing), T the length of the reference array."""
    array = np.asarray(values, dtype=float)
    reference_name, reference_shape = reference
    expected = (reference_shape[0], *trailing)
    if array.shape != expected:
        raise MetricsError(
            f"{name} has shape {array.shape} but {reference_name} has shape {reference_shape}: expected {expected}"
        )
    return array


def score_shot(
    boxes: ArrayLike,
    targets: ArrayLike,
    camera_positions_ned_m: ArrayLike,
    camera_yaw_deg: ArrayLike,
    camera_pitch_deg: ArrayLike,
    dt_s: float,
) -> ShotScore:
    """Score one shot from its T control steps, taken every ``dt_s`` seconds.

    boxes: (T, 4) the subject's true box (u, v, w, h) each step, NaN rows where not visible.
    targets: (T, 3) the shot's target (u*, v*, h*) each step.
    camera_positions_ned_m: (T, 3); camera_yaw_deg, camera_pitch_deg: (T,) the optical axis.

    Raises ``MetricsError`` naming the argument and both shapes when the lengths do not
    match, and for a shot with no steps.
    """
    box_array = np.asarray(boxes, dtype=float)
    if box_array.ndim != 2 or box_array.shape[1] != 4:
        raise MetricsError(f"boxes must have shape (T, 4) as (u, v, w, h), got {box_array.shape}")
    reference = ("boxes", box_array.shape)
    target_array = _step_array("targets", targets, (3,), reference)
    positions = _step_array("camera_positions_ned_m", camera_positions_ned_m, (3,), reference)
    yaw = _step_array("camera_yaw_deg", camera_yaw_deg, (), reference)
    pitch = _step_array("camera_pitch_deg", camera_pitch_deg, (), reference)
    steps = box_array.shape[0]
    if steps == 0:
        raise MetricsError("cannot score a shot with no steps")
    return ShotScore(
        framing_error=float(np.mean(framing_error(box_array, target_array[:, 0], target_array[:, 1]))),
        size_error=float(np.mean(size_error(box_array[:, 3], target_array[:, 2]))),
        in_frame=float(np.mean(in_frame(box_array))),
        jerk_rms_m_s3=jerk_rms(positions, dt_s),
        angular_accel_rms_deg_s2=angular_accel_rms(yaw, pitch, dt_s),
        steps=int(steps),
    )
