"""The subject estimator: it follows a walking subject from its boxes, and its gate keeps a wrong
lock (a false positive, a look-alike elsewhere) from flinging the estimate, while a subject truly
found elsewhere after a while is taken."""

import numpy as np
import pytest

from dronecine.control import OwnState, SubjectEstimator
from dronecine.control.estimator import _person_sized
from dronecine.geometry import PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.perception import SubjectTrack, TrackStatus

DT_S = 0.1
CAMERA = PinholeCamera(70.0, 640, 360)
# A drone 5 m up looking north, 30 degrees down: the subject walks across its view about 9 m out.
OWN = OwnState(np.array([[0.0, 0.0, -5.0]]), np.zeros((1, 3)), np.array([0.0]), np.array([-30.0]), np.array([0.0]))
POSE = OWN.camera_pose()


def _walker(t_s: float) -> np.ndarray:
    """The subject's feet: walking east at 1.2 m/s, 9 m north of the drone."""
    return np.array([9.0, -3.0 + 1.2 * t_s, 0.0])


def _track(feet_ned: np.ndarray, status: TrackStatus = TrackStatus.DETECTED, scale_h: float = 1.0) -> SubjectTrack:
    box = project_person_boxes(CAMERA, POSE, feet_ned[None])[0].copy()
    box[3] *= scale_h
    return SubjectTrack(box[None], np.array([status], dtype=np.int8), np.zeros(1))


def _estimator_following(seconds: float) -> SubjectEstimator:
    estimator = SubjectEstimator(1)
    estimator.reset([0], _walker(0.0)[None], [90.0])
    for k in range(round(seconds / DT_S)):
        estimator.update(_track(_walker(k * DT_S)), CAMERA, POSE, DT_S)
    return estimator


def test_follows_a_walking_subject():
    estimator = _estimator_following(6.0)
    truth = _walker(6.0 - DT_S)
    assert np.linalg.norm(estimator.position_ned_m[0, :2] - truth[:2]) < 0.3
    assert estimator.velocity_ned_m_s[0, :2] == pytest.approx([0.0, 1.2], abs=0.15)
    assert estimator.heading_deg[0] == pytest.approx(90.0, abs=5.0)
    assert not estimator.rejected[0]


@pytest.mark.parametrize("kind", ["false_positive", "lookalike"])
def test_a_wrong_lock_does_not_fling_the_estimate(kind):
    """Eight frames of the wrong box (the perception model's wrong locks last 0.3 to 1 s)."""
    estimator = _estimator_following(4.0)
    rejected = []
    for k in range(40, 48):
        t_s = k * DT_S
        if kind == "false_positive":  # a small box low in the frame: a thing at the drone's feet
            track = _track(np.array([6.0, 1.0, 0.0]), scale_h=0.5)
        else:  # a person 4 m behind the subject, in the same part of the image
            track = _track(_walker(t_s) + np.array([4.0, 0.0, 0.0]))
        estimator.update(track, CAMERA, POSE, DT_S)
        rejected.append(bool(estimator.rejected[0]))
        assert np.linalg.norm(estimator.position_ned_m[0, :2] - _walker(t_s)[:2]) < 1.0
        assert np.linalg.norm(estimator.velocity_ned_m_s[0, :2]) < 1.6
    assert all(rejected)
    estimator.update(_track(_walker(4.8)), CAMERA, POSE, DT_S)  # the subject's own box again: taken
    assert not estimator.rejected[0]


def test_without_the_gate_the_same_wrong_lock_would_have_moved_it():
    """The wrong box is far enough to matter: the check above is not passing by accident."""
    estimator = _estimator_following(4.0)
    before = estimator.position_ned_m[0, :2].copy()
    wrong = _track(_walker(4.0) + np.array([4.0, 0.0, 0.0]))
    estimator.unconfirmed_s[:] = 10.0  # a gate wide open
    estimator.update(wrong, CAMERA, POSE, DT_S)
    assert np.linalg.norm(estimator.position_ned_m[0, :2] - before) > 1.5


def test_a_subject_really_found_elsewhere_is_taken_as_the_gate_widens():
    estimator = _estimator_following(4.0)
    elsewhere = _walker(4.0) + np.array([5.0, 0.0, 0.0])
    taken_after = None
    for k in range(60):
        estimator.update(_track(elsewhere), CAMERA, POSE, DT_S)
        if not estimator.rejected[0]:
            taken_after = k * DT_S
            break
    assert taken_after is not None and 0.5 < taken_after < 5.0
    for _ in range(30):
        estimator.update(_track(elsewhere), CAMERA, POSE, DT_S)
    assert np.linalg.norm(estimator.position_ned_m[0, :2] - elsewhere[:2]) < 0.5


def test_after_a_loss_the_gate_is_wide_enough_to_reacquire():
    estimator = _estimator_following(4.0)
    for _ in range(30):  # 3 s unseen: the estimate coasts and slows
        estimator.update(_track(_walker(4.0), TrackStatus.LOST), CAMERA, POSE, DT_S)
    assert estimator.unconfirmed_s[0] == pytest.approx(3.0)
    estimator.update(_track(_walker(7.0)), CAMERA, POSE, DT_S)
    assert not estimator.rejected[0]
    assert estimator.unconfirmed_s[0] == 0.0


def test_a_predicted_box_is_not_a_measurement():
    """The tracker's prediction (here one sliding 1.5 m east of the walker in 0.5 s, as an image
    prediction does while the camera pans) leaves the estimate dead-reckoning on its own velocity;
    the same boxes reported as detections would have pulled it east."""
    coasting, detected = _estimator_following(4.0), _estimator_following(4.0)
    for k in range(5):
        drifted = _walker(4.0 + k * DT_S) + np.array([0.0, 0.3 * (k + 1), 0.0])
        coasting.update(_track(drifted, TrackStatus.PREDICTED), CAMERA, POSE, DT_S)
        detected.update(_track(drifted), CAMERA, POSE, DT_S)
    truth = _walker(4.4)
    assert np.linalg.norm(coasting.position_ned_m[0, :2] - truth[:2]) < 0.3
    assert coasting.unconfirmed_s[0] == pytest.approx(0.5)
    assert detected.position_ned_m[0, 1] - truth[1] > 0.6


def test_the_height_check_refuses_a_half_height_box_but_not_one_cut_by_the_frame_edge():
    feet = _walker(4.0)
    estimator = _estimator_following(4.0)
    estimator.update(_track(feet, scale_h=0.5), CAMERA, POSE, DT_S)
    assert estimator.rejected[0]  # in frame and half a person's height at its place: not the subject
    # The same person cut by the frame's bottom edge: its box is short, but its height says nothing.
    whole = project_person_boxes(CAMERA, POSE, feet[None])[0]
    cut = whole.copy()
    cut[3] = whole[3] * 0.5
    cut[1] = 1.0 - cut[3] / 2.0
    feet_points = np.array([feet])
    assert not _person_sized(whole[None] * [1, 1, 1, 0.5], CAMERA, POSE, feet_points, np.array([1.75]))[0]
    assert _person_sized(cut[None], CAMERA, POSE, feet_points, np.array([1.75]))[0]
    assert _person_sized(whole[None], CAMERA, POSE, feet_points, np.array([1.75]))[0]


def test_reset_forgets_the_rejections():
    estimator = _estimator_following(2.0)
    estimator.update(_track(_walker(2.0) + np.array([6.0, 0.0, 0.0])), CAMERA, POSE, DT_S)
    assert estimator.rejected[0]
    estimator.reset([0], _walker(2.0)[None], [90.0])
    assert not estimator.rejected[0]


def test_a_runner_found_elsewhere_is_taken_with_its_speed():
    """The estimate lags a subject who broke into a run: the boxes agree with each other, not with
    it, and once confirmed the estimate starts from the runner's place and its mean velocity."""
    estimator = SubjectEstimator(1)
    estimator.reset([0], np.array([[9.0, -6.0, 0.0]]), [90.0])
    estimator.unconfirmed_s[:] = 0.0  # a confident, wrong estimate: the gate is at its tightest

    def runner(t_s: float) -> np.ndarray:
        return np.array([12.0, -4.0 + 4.0 * t_s, 0.0])

    for k in range(25):
        estimator.update(_track(runner(k * DT_S)), CAMERA, POSE, DT_S)
    assert np.linalg.norm(estimator.position_ned_m[0, :2] - runner(2.4)[:2]) < 1.0
    assert estimator.velocity_ned_m_s[0, :2] == pytest.approx([0.0, 4.0], abs=1.0)
