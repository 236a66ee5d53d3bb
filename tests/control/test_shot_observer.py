"""The observation builder: a tracker's box without height (a Kalman prediction shrunk to nothing)
is no box, and the observation stays finite whatever the tracker reports."""

import numpy as np
import pytest

from dronecine.control import OwnState, ShotObserver
from dronecine.control.spaces import ACTION, OBSERVATION
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.perception import SubjectTrack, TrackStatus
from dronecine.shots import Framing, Shot, ShotSize, build_move

CAMERA = PinholeCamera(84.0, 640, 360)
OWN = OwnState(np.array([[-8.0, 0.0, -3.0]]), np.zeros((1, 3)), np.array([0.0]), np.array([-15.0]), np.array([0.0]))


def _observe(box, status: TrackStatus) -> np.ndarray:
    observer = ShotObserver(1, CAMERA, 0.1)
    shot = Shot(build_move("follow"), ShotSize.FULL, Framing(), CAMERA)
    observer.start_shots([0], [shot], np.zeros((1, 3)), [0.0])
    track = SubjectTrack(np.array([box], dtype=float), np.array([status], dtype=np.int8), np.zeros(1))
    obs, _ = observer.observe(track, OWN, np.zeros((1, ACTION.size)), [50.0], [100.0])
    return obs[0]


@pytest.mark.parametrize("height", [-0.05, np.nan])
def test_a_box_without_height_is_no_box(height) -> None:
    obs = _observe([0.5, 0.5, 0.05, height], TrackStatus.PREDICTED)
    assert np.isfinite(obs).all()
    assert obs[OBSERVATION.slice_of("box_size")][0] == 0.0
    assert (obs[OBSERVATION.slice_of("box_offset")] == 0.0).all()


def test_a_flat_detection_is_refused_by_the_estimator_and_the_estimate_shown() -> None:
    obs = _observe([0.5, 0.5, 0.05, 0.0], TrackStatus.DETECTED)
    assert np.isfinite(obs).all()
    assert obs[OBSERVATION.slice_of("box_size")][0] != 0.0  # the estimate's own box, not the flat one


def test_a_real_box_is_seen() -> None:
    obs = _observe([0.6, 0.5, 0.05, 0.2], TrackStatus.DETECTED)
    assert np.isfinite(obs).all()
    assert obs[OBSERVATION.slice_of("box_offset")][0] != 0.0
    assert obs[OBSERVATION.slice_of("track_detected")][0] == 1.0


def _estimate_while_panning(late: bool, labelled_latency_s: float) -> np.ndarray:
    """Where the observer puts a standing subject filmed by a camera panning at 50 deg/s, from boxes
    of the frame just taken or (``late``) of the one before, labelled with ``labelled_latency_s``."""
    observer = ShotObserver(1, CAMERA, 0.1)
    observer.start_shots([0], [Shot(build_move("follow"), ShotSize.FULL, Framing(), CAMERA)], np.zeros((1, 3)), [0.0])
    boxes = []
    for k in range(12):
        own = OwnState(np.array([[-8.0, 0.0, -3.0]]), np.zeros((1, 3)), np.array([-10.0 + 5.0 * k]),
                       np.array([-20.0]), np.zeros(1))  # fmt: skip
        pose = own.camera_pose()
        boxes.append(project_person_boxes(CAMERA, CameraPose(pose.position_ned_m[0], pose.rotation_ned_from_camera[0]),
                                          np.zeros(3)))  # fmt: skip
        if late and k == 0:
            continue
        box = boxes[-2] if late else boxes[-1]
        detected = np.array([TrackStatus.DETECTED], dtype=np.int8)
        track = SubjectTrack(box[None], detected, np.zeros(1), labelled_latency_s)
        observer.observe(track, own, np.zeros((1, ACTION.size)), [50.0], [100.0])
    return observer.estimator.position_ned_m[0, :2]


def test_a_late_box_is_seen_from_where_the_camera_was_when_it_took_the_frame() -> None:
    fresh = _estimate_while_panning(late=False, labelled_latency_s=0.0)
    assert np.linalg.norm(_estimate_while_panning(late=True, labelled_latency_s=0.1) - fresh) < 0.1
    # Seen from the pose of now, the same late boxes land 5 degrees round, the way the camera pans:
    # the estimate, and a camera pointed at it, would run off with the pan.
    assert np.linalg.norm(_estimate_while_panning(late=True, labelled_latency_s=0.0) - fresh) > 0.3
