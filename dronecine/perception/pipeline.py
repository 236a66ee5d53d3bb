"""One drone's way from a camera frame to the report on its subject: the detector, then the drone's
own multi-object tracker and subject lock, cued by where the agent expects the subject.

The detector keeps no per-drone state and may be shared between drones; the tracker and the lock
are this pipeline's own (no ID counters shared across drones). The onboard runtime runs one per
drone on live frames, the simulator one per simulated drone on rendered views.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.perception.camera_motion import CameraMotion
from dronecine.perception.cue import expected_cue
from dronecine.perception.detector import Detector
from dronecine.perception.subject_lock import LockSettings, SubjectLock
from dronecine.perception.track import SubjectTrack
from dronecine.perception.tracker import MultiObjectTracker, TrackerSettings


class SubjectPipeline:
    """``detector`` → a tracker → a lock for one drone whose ``camera`` takes ``frame_rate_hz`` frames
    a second; the lock's cue looks ``within_m`` around the expected subject."""

    def __init__(
        self,
        detector: Detector,
        camera: PinholeCamera,
        frame_rate_hz: float,
        within_m: float,
        lock: LockSettings,
        tracker: TrackerSettings | None = None,
    ) -> None:
        self.detector = detector
        self.camera = camera
        self.within_m = within_m
        self.tracker = MultiObjectTracker(tracker)
        self.lock = SubjectLock(lock, frame_rate_hz)
        self._previous_pose: CameraPose | None = None

    def reset(self) -> None:
        """A new shot (perhaps another subject): the tracker and the lock start afresh."""
        self.tracker.reset()
        self.lock.reset()
        self._previous_pose = None

    def observe(self, frame: NDArray[np.uint8], pose: CameraPose, expected_feet_ned_m: ArrayLike) -> SubjectTrack:
        """The report (N = 1) from ``frame``, taken from the camera at ``pose`` (one camera, unbatched);
        the tracker and the lock follow the camera's motion since the last frame."""
        cue = expected_cue(self.camera, pose, expected_feet_ned_m, self.within_m)
        height_px, width_px = frame.shape[:2]
        # The pipeline keeps its own copy: a caller's pose may be a view of state it updates in place
        # (the simulator's does), and a kept view would turn into the next pose's position by the next
        # frame, leaving the drone's translation out of the camera's motion.
        previous = self._previous_pose
        self._previous_pose = CameraPose(np.array(pose.position_ned_m), np.array(pose.rotation_ned_from_camera))
        motion = CameraMotion(self.camera, previous, pose, width_px, height_px) if previous is not None else None
        tracks = self.tracker.update(self.detector.detect(frame), frame, motion)
        return self.lock.update(tracks, frame, cue, motion)
