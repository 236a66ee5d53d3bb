"""Camera-motion compensation from the drone's pose: a ground-standing person's box carried from one
frame to the next lands where the new pose projects it, and with it the tracker keeps a subject's
identity through a pan fast enough to lose it without."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.perception.camera_motion import CameraMotion
from dronecine.perception.detector import Detections
from dronecine.perception.tracker import MultiObjectTracker, TrackerMethod, TrackerSettings

W, H = 480, 270
CAMERA = PinholeCamera(84.0, W, H)
FEET = np.array([12.0, 2.0, 0.0])


def _box_px(pose: CameraPose) -> tuple[np.ndarray, float]:
    u, v, _, h = project_person_boxes(CAMERA, pose, FEET)
    return np.array([u * W, v * H]), h * H


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a pan of 12 degrees, then a tilt: rotation only
        (((0.0, 0.0, -3.0), 5.0, -10.0), ((0.0, 0.0, -3.0), -7.0, -10.0)),
        (((0.0, 0.0, -3.0), 5.0, -10.0), ((0.0, 0.0, -3.0), 5.0, -20.0)),
        # flying closer and climbing while turning: parallax and a growing box
        (((0.0, 0.0, -3.0), 5.0, -10.0), ((3.0, 1.0, -4.0), 10.0, -15.0)),
    ],
)
def test_a_standing_persons_box_is_carried_where_the_new_pose_sees_it(before, after) -> None:
    previous, current = CameraPose.from_angles(*before), CameraPose.from_angles(*after)
    centre_before, height_before = _box_px(previous)
    centre_after, height_after = _box_px(current)
    assert np.linalg.norm(centre_after - centre_before) > 10.0  # the camera's motion moves it far
    motion = CameraMotion(CAMERA, previous, current, W, H)
    centre, height = motion.move_boxes(centre_before[None], np.array([height_before]))
    np.testing.assert_allclose(centre[0], centre_after, atol=1.5)  # pixels: the box's foot and centre agree
    assert height[0] == pytest.approx(height_after, rel=0.03)


def test_kalman_states_move_in_either_layout_and_keep_their_velocities() -> None:
    previous = CameraPose.from_angles((0.0, 0.0, -3.0), 5.0, -10.0)
    current = CameraPose.from_angles((2.0, 0.0, -3.0), -5.0, -10.0)
    (x, y), h = _box_px(previous)
    motion = CameraMotion(CAMERA, previous, current, W, H)
    xyah = motion.move_states(np.array([[x, y, 0.4, h, 1.0, 2.0, 0.0, 0.5]]), aspect_height=True)[0]
    xywh = motion.move_states(np.array([[x, y, 0.4 * h, h, 1.0, 2.0, 0.0, 0.5]]), aspect_height=False)[0]
    (x2, y2), h2 = _box_px(current)
    np.testing.assert_allclose(xyah[:2], [x2, y2], atol=1.5)
    assert xyah[2] == 0.4 and xyah[3] == pytest.approx(h2, rel=0.03)
    np.testing.assert_allclose(xywh[:4], [xyah[0], xyah[1], 0.4 * xyah[3], xyah[3]])
    np.testing.assert_array_equal(xyah[4:], [1.0, 2.0, 0.0, 0.5])


def test_a_box_whose_foot_goes_behind_the_camera_stays_put() -> None:
    previous = CameraPose.from_angles((0.0, 0.0, -3.0), 0.0, -10.0)
    current = CameraPose.from_angles((0.0, 0.0, -3.0), 180.0, -10.0)  # turned right round
    centre, height = _box_px(previous)
    moved, moved_height = CameraMotion(CAMERA, previous, current, W, H).move_boxes(centre[None], np.array([height]))
    np.testing.assert_array_equal(moved[0], centre)
    assert moved_height[0] == height


@pytest.mark.parametrize("method", list(TrackerMethod))
def test_the_tracker_keeps_the_subject_through_a_fast_pan_only_with_the_cameras_motion(method) -> None:
    """The drone pans at 100 deg/s at 10 frames/s: the thin box jumps more than its width each frame."""
    poses = [CameraPose.from_angles((0.0, 0.0, -3.0), 25.0 - 10.0 * k, -10.0) for k in range(6)]

    def ids(with_motion: bool) -> list[list[int]]:
        tracker = MultiObjectTracker(TrackerSettings(method=method))
        frame = np.full((H, W, 3), 90, dtype=np.uint8)
        out = []
        for k, pose in enumerate(poses):
            u, v, w, h = project_person_boxes(CAMERA, pose, FEET)
            xyxy = np.array([[(u - w / 2) * W, (v - h / 2) * H, (u + w / 2) * W, (v + h / 2) * H]])
            detections = Detections(xyxy, np.array([0.9]), np.zeros(1, dtype=np.int64), W, H)
            motion = CameraMotion(CAMERA, poses[k - 1], pose, W, H) if with_motion and k else None
            out.append(tracker.update(detections, frame, motion).track_id.tolist())
        return out

    followed = ids(with_motion=True)
    assert followed[1:] == [[1]] * (len(poses) - 1)  # confirmed on the second frame, then the same ID
    assert ids(with_motion=False)[1:] != followed[1:]  # without it, the track is lost and started again
