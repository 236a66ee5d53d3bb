"""The subject lock: which of the tracked objects is the mission's subject, held through occlusions.

The lock picks the subject by the mission's acquisition rule, follows its track ID, and when the track
vanishes (a building, a crowd, a missed detection) predicts the box with a Kalman filter while it
looks for the subject again among the tracks: near the prediction (a gate that widens with time),
of a similar size, and of a similar look (colour histogram). After ``hold_s`` without the subject it
reports LOST, honestly, so that the agent can search or hold; it still takes the subject back when it
reappears near where it was or, with the mission's cue, near where it is expected.

A track that keeps the subject's ID but jumps far from the prediction is not believed: that is the
tracker giving the ID to someone else, and the lock re-acquires instead. Given the camera's own motion
(``CameraMotion``), the prediction moves with the image, so a fast pan is not taken for a jump.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.mission.subjects import AcquireRule
from dronecine.perception.appearance import appearance, blend, similarity
from dronecine.perception.camera_motion import CameraMotion
from dronecine.perception.errors import PerceptionError
from dronecine.perception.offline import ultralytics_offline
from dronecine.perception.track import SubjectTrack, TrackStatus
from dronecine.perception.tracker import Tracks

FloatArray = NDArray[np.float64]


_MIN_HEIGHT_PX = 2.0  # the Kalman prediction of a vanished, shrinking box stops here, above zero


@dataclass(frozen=True)
class AcquireCue:
    """Where the mission expects the subject in this frame: a normalised image point and a gate radius
    (normalised to the frame width), from the mission's expected position and ``within_m``."""

    expected_uv: tuple[float, float]
    gate: float


@dataclass(frozen=True)
class LockSettings:
    """``hold_s``: how long the lock predicts a vanished subject before reporting it lost.
    ``gate_heights``: the re-acquisition gate, in predicted box heights, at once; it grows by
    ``gate_growth_per_s`` heights each second the subject is missing. ``min_similarity``: the
    least look similarity (0..1) of a re-acquired track. ``appearance_rate``: how fast the look and the
    usual height adapt (per frame). ``max_size_ratio``: how much taller or shorter than the prediction,
    or than the subject's usual height, a re-acquired box may be."""

    rule: AcquireRule = AcquireRule.NEAREST_EXPECTED
    hold_s: float = 2.0
    gate_heights: float = 1.0
    gate_growth_per_s: float = 1.5
    max_size_ratio: float = 1.8
    min_similarity: float = 0.4
    appearance_rate: float = 0.1
    jump_gate_heights: float = 2.5
    min_score: float = 0.4  # the least detection score to lock on or take back: false positives score low

    def __post_init__(self) -> None:
        if self.hold_s <= 0.0 or self.gate_heights <= 0.0 or self.max_size_ratio < 1.0:
            raise PerceptionError("lock hold_s and gate_heights must be > 0 and max_size_ratio >= 1")
        if not all(0.0 <= x <= 1.0 for x in (self.min_similarity, self.appearance_rate, self.min_score)):
            raise PerceptionError("lock min_similarity, appearance_rate and min_score must lie in 0..1")


class SubjectLock:
    """One drone's lock on its subject, fed the tracker's output frame by frame."""

    def __init__(self, settings: LockSettings | None = None, frame_rate_hz: float = 30.0) -> None:
        if frame_rate_hz <= 0.0:
            raise PerceptionError(f"lock frame_rate_hz must be > 0, got {frame_rate_hz}")
        self.settings = settings or LockSettings()
        self.dt_s = 1.0 / frame_rate_hz
        ultralytics_offline()
        from ultralytics.trackers.utils.kalman_filter import KalmanFilterXYAH

        self._kalman = KalmanFilterXYAH()
        self.reset()

    def reset(self) -> None:
        """Forget the subject (a new shot with another subject)."""
        self.track_id: int | None = None
        self.age_s = float("inf")
        self.reacquisitions = 0
        self._mean: FloatArray | None = None
        self._covariance: FloatArray | None = None
        self._look: NDArray[np.float32] | None = None
        self._usual_height_px = np.nan
        self._size = (1, 1)

    @property
    def locked(self) -> bool:
        return self._mean is not None

    def update(
        self,
        tracks: Tracks,
        frame: NDArray[np.uint8] | None = None,
        cue: AcquireCue | None = None,
        motion: CameraMotion | None = None,
    ) -> SubjectTrack:
        """This frame's report on the subject (``SubjectTrack`` with N = 1) from this frame's tracks;
        ``motion``: how the camera moved since the last frame."""
        self._size = (tracks.width_px, tracks.height_px)
        if self._mean is not None:
            if motion is not None:
                self._mean = motion.move_states(self._mean[None, :], aspect_height=True)[0]
            if self.age_s > 0.0:
                # Unseen, the box keeps its height, as ultralytics' own tracks do: the last boxes before an
                # occlusion are often the subject merged with the occluder's edge, growing fast.
                self._mean[7] = 0.0
            self._mean, self._covariance = self._kalman.predict(self._mean, self._covariance)
            if self._mean[3] < _MIN_HEIGHT_PX:  # a shrinking box coasts to nothing, then below: hold it
                self._mean[3], self._mean[7] = _MIN_HEIGHT_PX, 0.0
        chosen = self._follow(tracks)
        if chosen is None and self._mean is not None:
            chosen = self._reacquire(tracks, frame, cue)
        if chosen is None and self._mean is None:
            chosen = self._acquire(tracks, cue)
        if chosen is None:
            self.age_s += self.dt_s
            if self._mean is not None and self.age_s > self.settings.hold_s:
                self._mean[4:] = 0.0  # a lost subject's box stays where it was last predicted
            held = self.age_s <= self.settings.hold_s
            return self._report(self._predicted_box(), TrackStatus.PREDICTED if held else TrackStatus.LOST)
        self._take(tracks, chosen, frame)
        return self._report(tracks.boxes[chosen], TrackStatus.DETECTED)

    # --- the three ways to find the subject in this frame ---------------------------------------------

    def _follow(self, tracks: Tracks) -> int | None:
        """The locked track, if it is there and where the subject can be."""
        if self.track_id is None:
            return None
        rows = np.flatnonzero(tracks.track_id == self.track_id)
        if not len(rows):
            return None
        row = int(rows[0])
        if self._mean is not None and self._distance_heights(tracks.xyxy_px[row]) > self.settings.jump_gate_heights:
            self.track_id = None  # the tracker gave our ID to someone else
            return None
        return row

    def _reacquire(self, tracks: Tracks, frame: NDArray[np.uint8] | None, cue: AcquireCue | None) -> int | None:
        """The track most like the subject near its predicted box (or near the cue once lost)."""
        s = self.settings
        if not len(tracks):
            return None
        gate = s.gate_heights + s.gate_growth_per_s * min(self.age_s, s.hold_s)
        distance = np.array([self._distance_heights(box) for box in tracks.xyxy_px])
        near = distance <= gate
        if self.age_s > s.hold_s and cue is not None:
            near |= _cue_distance(tracks, cue) <= cue.gate
        heights = np.maximum(tracks.xyxy_px[:, 3] - tracks.xyxy_px[:, 1], 1e-6)
        # Like the prediction or like the subject's usual height: the prediction may carry a box that grew
        # as the subject went behind something.
        ratio = np.minimum(_size_ratio(heights, self._mean[3]), _size_ratio(heights, self._usual_height_px))
        candidates = np.flatnonzero(near & (ratio <= s.max_size_ratio) & (tracks.score >= s.min_score))
        best, best_cost = None, np.inf
        for row in candidates:
            look = similarity(self._look, appearance(frame, tracks.xyxy_px[row])) if frame is not None else None
            if look is not None and look < s.min_similarity:
                continue
            cost = distance[row] / gate + (1.0 - (look if look is not None else s.min_similarity))
            if cost < best_cost:
                best, best_cost = int(row), cost
        if best is not None:
            self.reacquisitions += 1
        return best

    def _acquire(self, tracks: Tracks, cue: AcquireCue | None) -> int | None:
        """The first lock, by the mission's rule."""
        eligible = np.flatnonzero(tracks.score >= self.settings.min_score)
        if not len(eligible):
            return None
        boxes = tracks.boxes[eligible]
        rule = self.settings.rule
        if rule is AcquireRule.LARGEST:
            return int(eligible[np.argmax(boxes[:, 3])])
        if rule is AcquireRule.NEAREST_EXPECTED and cue is not None:
            # The nearest of everyone tracked, weak or not: when that is a weak detection of the subject,
            # a confident look-alike a step further is not the subject, so wait for a better frame.
            distance = _cue_distance(tracks, cue)
            row = int(np.argmin(distance))
            confident = tracks.score[row] >= self.settings.min_score
            return row if confident and distance[row] <= cue.gate else None
        # MOST_CENTRAL, and NEAREST_EXPECTED without a cue (no pose yet): the one the camera points at.
        return int(eligible[np.argmin(np.hypot(boxes[:, 0] - 0.5, boxes[:, 1] - 0.5))])

    # --- state ----------------------------------------------------------------------------------------

    def _take(self, tracks: Tracks, row: int, frame: NDArray[np.uint8] | None) -> None:
        box = tracks.xyxy_px[row]
        measurement = _xyah(box)
        if self._mean is None:
            self._mean, self._covariance = self._kalman.initiate(measurement)
        else:
            self._mean, self._covariance = self._kalman.update(self._mean, self._covariance, measurement)
        self.track_id = int(tracks.track_id[row])
        self.age_s = 0.0
        rate, height = self.settings.appearance_rate, box[3] - box[1]
        usual = self._usual_height_px
        self._usual_height_px = height if np.isnan(usual) else (1.0 - rate) * usual + rate * height
        if frame is not None:
            self._look = blend(self._look, appearance(frame, box), rate)

    def _distance_heights(self, xyxy: FloatArray) -> float:
        """How far a box's centre is from the predicted centre, in predicted box heights."""
        centre = (xyxy[:2] + xyxy[2:]) / 2.0
        return float(np.hypot(*(centre - self._mean[:2])) / max(self._mean[3], 1.0))

    def _predicted_box(self) -> FloatArray:
        if self._mean is None:
            return np.full(4, np.nan)
        x, y, aspect, h = self._mean[:4]
        width_px, height_px = self._size
        return np.array([x / width_px, y / height_px, aspect * h / width_px, h / height_px])

    def _report(self, box: FloatArray, status: TrackStatus) -> SubjectTrack:
        return SubjectTrack(
            np.asarray(box, dtype=float)[None, :].copy(), np.array([status], dtype=np.int8), np.array([self.age_s])
        )


def _xyah(xyxy: FloatArray) -> FloatArray:
    width, height = xyxy[2] - xyxy[0], max(xyxy[3] - xyxy[1], 1e-6)
    return np.array([(xyxy[0] + xyxy[2]) / 2.0, (xyxy[1] + xyxy[3]) / 2.0, width / height, height])


def _size_ratio(heights: FloatArray, reference: float) -> FloatArray:
    """How many times larger or smaller than ``reference`` each height is (>= 1; inf for no reference)."""
    if not reference > 0.0:
        return np.full(len(heights), np.inf)
    return np.maximum(heights / reference, reference / heights)


def _cue_distance(tracks: Tracks, cue: AcquireCue) -> FloatArray:
    """(K,) distance of each track's centre from the expected point, in frame widths."""
    boxes = tracks.boxes
    aspect = tracks.height_px / tracks.width_px
    return np.hypot(boxes[:, 0] - cue.expected_uv[0], (boxes[:, 1] - cue.expected_uv[1]) * aspect)
