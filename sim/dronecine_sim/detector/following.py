"""A rendered sequence through a detector, the tracker and the subject lock, scored against the truth:
what the tests and the calibration benchmark both measure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.mission.subjects import AcquireRule
from dronecine.perception import TrackStatus
from dronecine.perception.camera_motion import CameraMotion
from dronecine.perception.detector import Detections
from dronecine.perception.subject_lock import LockSettings, SubjectLock
from dronecine.perception.tracker import MultiObjectTracker
from dronecine_sim.detector.sequences import Sequence
from dronecine_sim.render import Renderer

# A detector for a sequence: frame index and image in, detections out (the truth can use the index).
Detect = Callable[[int, NDArray[np.uint8]], Detections]


@dataclass(frozen=True)
class Followed:
    """Per frame: the lock's status, and whether it reported someone else as the subject (``wrong``:
    DETECTED with a box that is not on the subject)."""

    status: list[int]
    wrong: list[bool]

    @property
    def detected_frames(self) -> int:
        return sum(s == TrackStatus.DETECTED for s in self.status)


def follow_subject(sequence: Sequence, detect: Detect, renderer: Renderer) -> Followed:
    """Run the sequence through ``detect``, a fresh tracker and a fresh lock with the mission's start cue,
    both told the camera's motion between frames as the onboard pipeline tells them (from its poses)."""
    tracker = MultiObjectTracker()
    lock = SubjectLock(LockSettings(rule=AcquireRule.NEAREST_EXPECTED), frame_rate_hz=sequence.fps)
    camera = sequence.camera
    status, wrong = [], []
    for t, frame in enumerate(sequence.frames(renderer)):
        motion = None
        if t > 0:
            motion = CameraMotion(camera, sequence.poses[t - 1], sequence.poses[t], camera.width_px, camera.height_px)
        tracks = tracker.update(detect(t, frame), frame, motion)
        report = lock.update(tracks, frame, sequence.start_cue(t), motion)
        status.append(int(report.status[0]))
        wrong.append(bool(report.detected[0]) and not sequence.on_subject(t, report.box[0]))
    return Followed(status, wrong)


def kept_through_occlusion(sequence: Sequence, followed: Followed) -> bool:
    """Nobody else reported while the subject was hidden, the subject detected again afterwards, and never
    anyone else reported as them."""
    hidden = sequence.hidden_frames()
    honest = all(followed.status[t] != TrackStatus.DETECTED for t in hidden)
    back = any(followed.status[t] == TrackStatus.DETECTED for t in range(hidden[-1] + 1, len(sequence)))
    return honest and back and not any(followed.wrong)
