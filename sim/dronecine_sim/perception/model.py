"""The perception model: from the subject's true box, the tracker's report the agent would get.

Per drone and frame:

1. Detection. The subject is detected with probability
   ``(1 - miss_rate) * size(h) * edge(visible) * unoccluded(occluded)``: a logistic in the box height
   (small subjects are missed), a ramp in the fraction of the box inside the frame, and a ramp in the
   fraction of the silhouette hidden by buildings. A detected box carries centre noise (a fraction of
   its height, with a floor) and log-normal size noise.
2. Wrong locks. A look-alike near the subject in the image can steal the lock (an ID switch), and a
   false positive can too; a stolen lock reports the wrong box as the subject for a random while,
   then the tracker re-acquires the subject. A false positive is a thing in the scene near the
   subject: it keeps its place and size relative to the subject's box as the camera turns and flies
   (one fixed in the image would drag the agent's estimate round with every pan).
3. Latency. Reports refer to the frame taken ``latency_frames`` frames ago.
4. Tracking. Without a detection, the box is predicted at constant image velocity (what ByteTrack's
   Kalman filter does) and the report says PREDICTED, then LOST after ``lost_after_s``.

Batched over N drones in numpy; the draws per frame are a fixed ``random((N, 5))`` and
``standard_normal((N, 4))``, whatever happens, so that a seed reproduces a run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.metrics import visible_fraction
from dronecine.perception import SubjectTrack, TrackStatus
from dronecine_sim.perception.errors import PerceptionError
from dronecine_sim.perception.levels import PerceptionLevel, PerceptionParams, perception_params

FloatArray = NDArray[np.float64]
_VELOCITY_SMOOTHING = 0.5  # weight of the newest image velocity in the tracker's estimate
_PREDICTION_LIMIT = 0.5  # a predicted centre stays within this much outside the frame
_FALSE_BOX_HEIGHT = (0.03, 0.3)


def _ramp(x: FloatArray, start: float, width: float) -> FloatArray:
    """0 below ``start``, 1 above ``start + width``, linear in between; a step when ``width`` is 0."""
    if width <= 0.0:
        return (x >= start).astype(float)
    return np.clip((x - start) / width, 0.0, 1.0)


class PerceptionModel:
    """Simulated detector + tracker for N drones, each with its own subject."""

    def __init__(self, n: int, level: PerceptionLevel | str | PerceptionParams, frame_dt_s: float) -> None:
        if n < 1:
            raise PerceptionError(f"the perception model needs at least one drone, got n = {n}")
        if not frame_dt_s > 0.0:
            raise PerceptionError(f"frame_dt_s {frame_dt_s!r} must be positive")
        self.params = level if isinstance(level, PerceptionParams) else perception_params(level)
        self.n = n
        self.frame_dt_s = float(frame_dt_s)
        depth = self.params.latency_frames + 1
        self._frame = 0
        self._delayed_box = np.full((depth, n, 4), np.nan)
        self._delayed_detected = np.zeros((depth, n), dtype=bool)
        self._box = np.full((n, 4), np.nan)
        self._box_velocity = np.zeros((n, 2))  # image velocity of the centre, per second
        self._age_s = np.full(n, np.inf)
        self._previous_detected = np.zeros(n, dtype=bool)
        self._velocity_known = np.zeros(n, dtype=bool)
        self._wrong_left_s = np.zeros(n)  # > 0 while the lock is on the wrong object
        self._wrong_box = np.full((n, 4), np.nan)
        self._wrong_is_lookalike = np.zeros(n, dtype=bool)
        # A false positive's box relative to the subject's: centre offset and size in subject heights.
        self._false_relative = np.full((n, 4), np.nan)

    def reset(self, indices: ArrayLike | None = None) -> None:
        """Forget everything about the subjects of the drones at ``indices`` (all when None)."""
        index = slice(None) if indices is None else np.asarray(indices, dtype=np.intp)
        self._delayed_box[:, index] = np.nan
        self._delayed_detected[:, index] = False
        self._box[index] = np.nan
        self._box_velocity[index] = 0.0
        self._age_s[index] = np.inf
        self._previous_detected[index] = False
        self._velocity_known[index] = False
        self._wrong_left_s[index] = 0.0
        self._wrong_box[index] = np.nan
        self._wrong_is_lookalike[index] = False
        self._false_relative[index] = np.nan

    def detection_probability(self, true_box: FloatArray, occluded_fraction: FloatArray) -> FloatArray:
        """The chance that the detector finds the subject in a frame (0 for a NaN box)."""
        p = self.params
        height = true_box[:, 3]
        if p.detect_height_spread > 0.0:
            with np.errstate(over="ignore"):
                size = 1.0 / (1.0 + np.exp(-(height - p.half_detect_height) / p.detect_height_spread))
        else:
            size = (height >= p.half_detect_height).astype(float)
        edge = _ramp(np.asarray(visible_fraction(true_box)), p.edge_visible_min, p.edge_ramp)
        # Occlusion: detection fades out over the last ``occlusion_ramp`` before the tolerance.
        tolerance, ramp = p.occlusion_tolerance, min(p.occlusion_ramp, p.occlusion_tolerance)
        clear = 1.0 - _ramp(occluded_fraction, tolerance - ramp, ramp)
        probability = (1.0 - p.miss_rate) * size * edge * clear
        return np.where(np.isnan(true_box).any(axis=1), 0.0, probability)

    def observe(
        self,
        true_box: ArrayLike,
        occluded_fraction: ArrayLike,
        lookalike_box: ArrayLike | None,
        rng: np.random.Generator,
    ) -> SubjectTrack:
        """One camera frame: the tracker's report given the subject's true box (N, 4), NaN when not
        projectable, the occluded fraction of its silhouette (N,), and the box (N, 4) of the nearest
        look-alike person (NaN or None when there is none)."""
        n, dt = self.n, self.frame_dt_s
        truth = np.asarray(true_box, dtype=float)
        occluded = np.asarray(occluded_fraction, dtype=float)
        if truth.shape != (n, 4) or occluded.shape != (n,):
            raise PerceptionError(
                f"expected boxes (N, 4) and occluded fractions (N,) for N = {n}, got {truth.shape} and {occluded.shape}"
            )
        lookalike = np.full((n, 4), np.nan) if lookalike_box is None else np.asarray(lookalike_box, dtype=float)
        uniform = rng.random((n, 5))
        normal = rng.standard_normal((n, 4))

        detected = uniform[:, 0] < self.detection_probability(truth, occluded)
        measured = self._jittered(truth, normal)
        self._update_wrong_lock(truth, lookalike, uniform, normal)
        wrong = (self._wrong_left_s > 0.0) & np.isfinite(self._wrong_box).all(axis=1)
        measured = np.where(wrong[:, None], self._wrong_box, measured)
        detected = detected | wrong

        slot = self._frame % self._delayed_box.shape[0]
        self._delayed_box[slot] = measured
        self._delayed_detected[slot] = detected
        self._frame += 1
        oldest = self._frame % self._delayed_box.shape[0]
        return self._track(self._delayed_box[oldest], self._delayed_detected[oldest], dt)

    def _jittered(self, truth: FloatArray, normal: FloatArray) -> FloatArray:
        p = self.params
        sigma = np.maximum(p.centre_jitter * truth[:, 3], p.jitter_floor)
        box = truth.copy()
        box[:, 0:2] += sigma[:, None] * normal[:, 0:2]
        box[:, 2:4] *= np.exp(p.size_jitter * normal[:, 2:4])
        return box

    def _update_wrong_lock(
        self, truth: FloatArray, lookalike: FloatArray, uniform: FloatArray, normal: FloatArray
    ) -> None:
        p = self.params
        self._wrong_left_s = np.maximum(self._wrong_left_s - self.frame_dt_s, 0.0)
        free = self._wrong_left_s <= 0.0
        with np.errstate(invalid="ignore"):
            near = np.hypot(*(lookalike[:, 0:2] - truth[:, 0:2]).T) < p.switch_gate
        switch = free & near & (uniform[:, 1] < p.switch_rate)
        # A false positive is placed relative to the subject's box: none while the subject has none.
        false_lock = free & ~switch & (uniform[:, 2] < p.false_lock_rate) & np.isfinite(truth).all(axis=1)
        start = switch | false_lock
        if start.any():
            low, high = p.wrong_lock_s
            self._wrong_left_s = np.where(start, low + (high - low) * uniform[:, 3], self._wrong_left_s)
            height = _FALSE_BOX_HEIGHT[0] + (_FALSE_BOX_HEIGHT[1] - _FALSE_BOX_HEIGHT[0]) * uniform[:, 4]
            false_box = np.stack([0.1 + 0.8 * uniform[:, 3], 0.1 + 0.8 * uniform[:, 4], 0.4 * height, height], axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                relative = np.concatenate([false_box[:, 0:2] - truth[:, 0:2], false_box[:, 2:4]], axis=1)
                relative /= truth[:, 3:4]
            self._false_relative = np.where(false_lock[:, None], relative, self._false_relative)
            self._wrong_is_lookalike = np.where(start, switch, self._wrong_is_lookalike)
        # A wrong lock on a look-alike follows it; a false positive keeps its place beside the subject.
        with np.errstate(invalid="ignore"):
            beside = self._false_relative * truth[:, 3:4]
        beside[:, 0:2] += truth[:, 0:2]
        self._wrong_box = np.where(self._wrong_is_lookalike[:, None], lookalike, beside)

    def _track(self, measured: FloatArray, detected: NDArray[np.bool_], dt: float) -> SubjectTrack:
        # The image velocity is learnt from consecutive detections only: the first pair sets it,
        # later ones smooth it.
        both = detected & self._previous_detected
        velocity = (measured[:, 0:2] - self._box[:, 0:2]) / dt
        weight = np.where(self._velocity_known, _VELOCITY_SMOOTHING, 1.0)[:, None]
        self._box_velocity = np.where(
            both[:, None],
            (1.0 - weight) * self._box_velocity + weight * velocity,
            np.where(detected[:, None], 0.0, self._box_velocity),
        )
        self._velocity_known = np.where(detected, both, self._velocity_known)
        predicted = self._box.copy()
        predicted[:, 0:2] = np.clip(
            predicted[:, 0:2] + self._box_velocity * dt, -_PREDICTION_LIMIT, 1.0 + _PREDICTION_LIMIT
        )
        self._box = np.where(detected[:, None], measured, predicted)
        self._age_s = np.where(detected, 0.0, self._age_s + dt)
        self._previous_detected = detected
        status = np.where(
            detected,
            TrackStatus.DETECTED,
            np.where(self._age_s <= self.params.lost_after_s, TrackStatus.PREDICTED, TrackStatus.LOST),
        ).astype(np.int8)
        latency_s = self.params.latency_frames * self.frame_dt_s
        return SubjectTrack(box=self._box.copy(), status=status, age_s=self._age_s.copy(), latency_s=latency_s)
