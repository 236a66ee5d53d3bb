"""Multi-object tracking with ultralytics' ByteTrack or BoT-SORT, one tracker per drone.

Each ``MultiObjectTracker`` owns its ultralytics tracker, and ultralytics (8.4 on) numbers tracks per
tracker instance, so several drones in one process never share or reissue track IDs. Given the
camera's own motion between two frames (``CameraMotion``, from the drone's pose), the tracker moves
its predicted boxes by it before matching, in place of BoT-SORT's image-based estimate.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from enum import StrEnum
from types import SimpleNamespace
from typing import Self

import numpy as np
from numpy.typing import NDArray

from dronecine.perception.camera_motion import CameraMotion
from dronecine.perception.detector import Detections, centre_size, normalised_boxes
from dronecine.perception.errors import PerceptionError
from dronecine.perception.offline import ultralytics_offline

FloatArray = NDArray[np.float64]


class TrackerMethod(StrEnum):
    BYTETRACK = "bytetrack"  # motion and IoU only: cheap, and enough when detections are steady
    BOTSORT = "botsort"  # adds camera-motion compensation (sparse optical flow): for a moving drone


@dataclass(frozen=True)
class TrackerSettings:
    """ultralytics' tracker settings (see ``ultralytics/cfg/trackers``), with ``buffer_frames`` for
    ``track_buffer``: how many frames a lost track is kept for re-identification by motion."""

    method: TrackerMethod = TrackerMethod.BYTETRACK
    high_thresh: float = 0.25
    low_thresh: float = 0.1
    new_track_thresh: float = 0.3
    buffer_frames: int = 60
    match_thresh: float = 0.8
    fuse_score: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.low_thresh <= self.high_thresh < 1.0:
            raise PerceptionError(
                f"tracker thresholds must satisfy 0 <= low_thresh <= high_thresh < 1, got {self.low_thresh}, "
                f"{self.high_thresh}"
            )
        if self.buffer_frames < 1:
            raise PerceptionError(f"tracker buffer_frames must be >= 1, got {self.buffer_frames}")

    def ultralytics_args(self) -> SimpleNamespace:
        args = SimpleNamespace(
            tracker_type=self.method.value,
            track_high_thresh=self.high_thresh,
            track_low_thresh=self.low_thresh,
            new_track_thresh=self.new_track_thresh,
            track_buffer=self.buffer_frames,
            match_thresh=self.match_thresh,
            fuse_score=self.fuse_score,
        )
        if self.method is TrackerMethod.BOTSORT:
            args.gmc_method = "sparseOptFlow"
            args.proximity_thresh = 0.5
            args.appearance_thresh = 0.8
            args.with_reid = False
            args.model = "auto"
        return args

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "method": self.method.value}


@dataclass(frozen=True, eq=False)
class Tracks:
    """The tracks matched to a detection this frame: ``track_id`` (K,), ``xyxy_px`` (K, 4), ``score`` (K,),
    ``detection`` (K,) the index of the detection each one took."""

    track_id: NDArray[np.int64]
    xyxy_px: FloatArray
    score: FloatArray
    detection: NDArray[np.int64]
    width_px: int
    height_px: int

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @property
    def boxes(self) -> FloatArray:
        """(K, 4) normalised (u, v, w, h)."""
        return normalised_boxes(self.xyxy_px, self.width_px, self.height_px)


class _TrackerInput:
    """Detections in the shape ultralytics' trackers read: ``conf``, ``cls``, ``xywh``, ``xyxy``, masks."""

    def __init__(self, xyxy: FloatArray, conf: FloatArray, cls: FloatArray) -> None:
        self.xyxy, self.conf, self.cls = xyxy, conf, cls
        self.xywh = centre_size(xyxy)

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, mask: NDArray[np.bool_]) -> Self:
        return type(self)(self.xyxy[mask], self.conf[mask], self.cls[mask])


class MultiObjectTracker:
    """Keeps identities of the detected objects from frame to frame (Kalman motion, IoU matching)."""

    def __init__(self, settings: TrackerSettings | None = None) -> None:
        self.settings = settings or TrackerSettings()
        ultralytics_offline()
        from ultralytics.trackers.bot_sort import BOTSORT
        from ultralytics.trackers.byte_tracker import BYTETracker

        tracker_class = BOTSORT if self.settings.method is TrackerMethod.BOTSORT else BYTETracker
        self._tracker = _with_camera_motion(tracker_class)(self.settings.ultralytics_args())

    def update(
        self, detections: Detections, frame: NDArray[np.uint8] | None = None, motion: CameraMotion | None = None
    ) -> Tracks:
        """Match this frame's detections to the tracks; ``motion``: how the camera moved since the last
        frame (else ``frame`` feeds BoT-SORT's own estimate)."""
        data = _TrackerInput(
            detections.xyxy_px.astype(np.float32), detections.score.astype(np.float32),
            detections.class_id.astype(np.float32),
        )  # fmt: skip
        self._tracker.camera_motion = motion
        rows = self._tracker.update(data, frame)
        width, height = detections.width_px, detections.height_px
        if len(rows) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Tracks(empty, np.zeros((0, 4)), np.zeros(0), empty, width, height)
        rows = np.asarray(rows, dtype=float)
        return Tracks(rows[:, 4].astype(np.int64), rows[:, :4], rows[:, 5], rows[:, 7].astype(np.int64), width, height)

    def reset(self) -> None:
        """Forget every track (a new shot, a new subject); IDs start again from 1."""
        self._tracker.reset()


@functools.cache  # one subclass per ultralytics class, not per drone's tracker
def _with_camera_motion(tracker_class: type) -> type:
    """``tracker_class`` whose predicted boxes follow ``camera_motion`` before the first matching
    (ultralytics' hook for its own GMC; ByteTrack's states are XYAH, BoT-SORT's XYWH)."""
    aspect_height = tracker_class.__name__ == "BYTETracker"

    class CameraMotionTracker(tracker_class):
        camera_motion: CameraMotion | None = None

        def _pre_first_associate(self, strack_pool, unconfirmed, img, results_high) -> None:
            if self.camera_motion is None:
                super()._pre_first_associate(strack_pool, unconfirmed, img, results_high)
                return
            tracks = [t for t in (*strack_pool, *unconfirmed) if t.mean is not None]
            if tracks:
                moved = self.camera_motion.move_states(np.array([t.mean for t in tracks]), aspect_height)
                for track, mean in zip(tracks, moved, strict=True):
                    track.mean = mean.astype(track.mean.dtype)

    return CameraMotionTracker
