"""One drone's pipeline (detector → tracker → lock) keeps a small, distant subject while the drone
flies sideways, even when the caller hands it poses that are views of state it updates in place, as
the simulator does: the pipeline keeps its own copy of the previous pose."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.geometry import CameraPose, PinholeCamera, pointing_towards
from dronecine.geometry.person import project_person_boxes
from dronecine.mission.subjects import AcquireRule
from dronecine.perception import TrackStatus
from dronecine.perception.detector import Detections
from dronecine.perception.pipeline import SubjectPipeline
from dronecine.perception.subject_lock import LockSettings

W, H = 640, 360
CAMERA = PinholeCamera(84.0, W, H)
FEET = np.array([0.0, 0.0, 0.0])


class _ExactDetector:
    """Finds the one person exactly where the camera sees them (the pose is set before each frame)."""

    def __init__(self) -> None:
        self.pose: CameraPose | None = None

    def detect(self, frame: np.ndarray) -> Detections:
        u, v, w, h = project_person_boxes(CAMERA, self.pose, FEET) * [W, H, W, H]
        xyxy = np.array([[u - w / 2, v - h / 2, u + w / 2, v + h / 2]])
        return Detections(xyxy, np.array([0.8]), np.zeros(1, dtype=np.int64), W, H)


@pytest.mark.parametrize("views", [False, True])
def test_a_distant_subject_stays_detected_while_the_drone_flies_sideways(views: bool) -> None:
    # 34 m away, 11 m up, flying sideways at 4 m/s and turning to keep them near the middle: a 17 px
    # person whose box the drone's translation moves 5 px a frame. With the previous pose kept as a
    # view, it turned into the new position by the next frame, the motion lost its translation, and
    # the tracker lost the subject within a second.
    detector = _ExactDetector()
    pipeline = SubjectPipeline(detector, CAMERA, 10.0, 12.0, LockSettings(rule=AcquireRule.NEAREST_EXPECTED))
    position = np.array([-34.0, 0.0, -11.0])  # the drone's state, updated in place like the simulator's
    frame = np.zeros((H, W, 3), np.uint8)
    statuses = []
    for _ in range(40):
        yaw, pitch = pointing_towards(position, FEET - [0.0, 0.0, 0.85])
        # The camera lags the turn by 2 degrees, so the person is not held exactly in the middle.
        pose = CameraPose.from_angles(position if views else position.copy(), float(yaw) + 2.0, float(pitch))
        detector.pose = CameraPose(position.copy(), pose.rotation_ned_from_camera)
        statuses.append(int(pipeline.observe(frame, pose, FEET).status[0]))
        position += [0.0, 0.4, 0.0]
    assert statuses[1:] == [TrackStatus.DETECTED] * 39
