"""The onboard perception itself, in the simulator: rendered frames through the real detector, tracker and lock.

Where ``PerceptionModel`` imitates a detector from the true boxes, ``OnboardPerception`` runs what the
drone runs: each drone's rendered view goes through the detector, its own multi-object tracker and
its own subject lock (no shared state between drones). The lock's cue for a first look, and for taking
the subject back once lost, is where the agent's estimator believes the subject is: the mission's
expectation at the start of a shot, the tracking afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.mission.subjects import AcquireRule
from dronecine.perception import SubjectTrack
from dronecine.perception.detector import Detector
from dronecine.perception.pipeline import SubjectPipeline
from dronecine.perception.subject_lock import LockSettings
from dronecine.perception.tracker import TrackerSettings
from dronecine_sim.perception.errors import PerceptionError

DEFAULT_WITHIN_M = 12.0  # the mission's acquire.within_m in the flagship mission


class OnboardPerception:
    """Detector, then per drone a tracker and a lock, for N drones filming at ``frame_rate_hz``."""

    def __init__(
        self,
        n: int,
        detector: Detector,
        camera: PinholeCamera,
        frame_rate_hz: float,
        within_m: float = DEFAULT_WITHIN_M,
        tracker: TrackerSettings | None = None,
        lock: LockSettings | None = None,
    ) -> None:
        if n < 1:
            raise PerceptionError(f"onboard perception needs at least one drone, got n = {n}")
        self.n = n
        lock_settings = lock or LockSettings(rule=AcquireRule.NEAREST_EXPECTED)
        self.pipelines = [
            SubjectPipeline(detector, camera, frame_rate_hz, within_m, lock_settings, tracker) for _ in range(n)
        ]

    def reset(self, indices: ArrayLike | None = None) -> None:
        """New shots for the drones at ``indices`` (all when None): trackers and locks start afresh."""
        rows = range(self.n) if indices is None else np.asarray(indices, dtype=np.intp).ravel()
        for i in rows:
            self.pipelines[int(i)].reset()

    def observe(
        self, frames: Sequence[NDArray[np.uint8]], poses: CameraPose, expected_feet_ned_m: ArrayLike
    ) -> SubjectTrack:
        """The tracker's report for each drone from its frame; ``poses`` are the N cameras (batched),
        ``expected_feet_ned_m`` (N, 3) where each drone's agent expects its subject."""
        if len(frames) != self.n:
            raise PerceptionError(f"onboard perception got {len(frames)} frames for {self.n} drones")
        expected = np.asarray(expected_feet_ned_m, dtype=float).reshape(self.n, 3)
        boxes, status, age = np.empty((self.n, 4)), np.empty(self.n, dtype=np.int8), np.empty(self.n)
        for i, frame in enumerate(frames):
            pose = CameraPose(poses.position_ned_m[i], poses.rotation_ned_from_camera[i])
            report = self.pipelines[i].observe(frame, pose, expected[i])
            boxes[i], status[i], age[i] = report.box[0], report.status[0], report.age_s[0]
        return SubjectTrack(boxes, status, age)
