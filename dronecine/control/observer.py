"""The observation builder: what a policy sees, made only from what the onboard agent has.

The simulator's Gymnasium environment and the onboard agent both call ``ShotObserver``, so a
policy sees the same numbers in training and in flight. Its inputs are the tracker's report
(``SubjectTrack``), the drone's telemetry (``OwnState``), the shot it was given, and two margins
the agent computes from the mission (geofence, known obstacles). The layout of the vector is
``spaces.OBSERVATION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.control.errors import ControlError
from dronecine.control.estimator import SubjectEstimator
from dronecine.control.own_state import OwnState
from dronecine.control.pose_history import PoseHistory
from dronecine.control.spaces import ACTION, MOVE_ORDER, OBSERVATION
from dronecine.geometry import CameraPose, PinholeCamera, wrap_deg
from dronecine.geometry.person import project_person_boxes
from dronecine.perception import SubjectTrack, TrackStatus
from dronecine.shots import Shot, SubjectState
from dronecine.shots.batch import CameraReferences, ShotBatch

FloatArray = NDArray[np.float64]

_BOX_SIZE_LIMIT = 2.0
_TRACK_AGE_SCALE_S = 2.0
_OFFSET_SCALE_M = 10.0
_SPEED_SCALE_M_S = 5.0
_HEIGHT_SCALE_M = 30.0
_FENCE_SCALE_M = 20.0
_OBSTACLE_SCALE_M = 10.0
_MOVE_INDEX = {move: i for i, move in enumerate(MOVE_ORDER)}


def _to_body(vectors_ned: FloatArray, yaw_deg: FloatArray) -> FloatArray:
    """NED vectors (N, 3) in the body's heading frame (forward, right, down)."""
    yaw = np.radians(yaw_deg)
    cos, sin = np.cos(yaw), np.sin(yaw)
    north, east = vectors_ned[:, 0], vectors_ned[:, 1]
    return np.stack([cos * north + sin * east, -sin * north + cos * east, vectors_ned[:, 2]], axis=1)


class ShotObserver:
    """Observations for N drones, each flying its own shot; keeps the per-drone filter state."""

    def __init__(self, n: int, camera: PinholeCamera, dt_s: float) -> None:
        if n < 1 or not dt_s > 0.0:
            raise ControlError(f"an observer needs n >= 1 drones and dt_s > 0, got n = {n}, dt_s = {dt_s}")
        self.n = n
        self.camera = camera
        self.dt_s = float(dt_s)
        self.estimator = SubjectEstimator(n)
        self.poses = PoseHistory(n)
        self.shots: ShotBatch | None = None
        self._shot_list: list[Shot | None] = [None] * n
        self.t_s = np.zeros(n)
        self.anchor_position_ned_m = np.zeros((n, 3))
        self.anchor_heading_deg = np.zeros(n)
        self._previous_reference = np.full((n, 3), np.nan)
        self._move_one_hot = np.zeros((n, len(MOVE_ORDER)))

    def start_shots(
        self,
        indices: ArrayLike,
        shots: Sequence[Shot],
        expected_position_ned_m: ArrayLike,
        expected_heading_deg: ArrayLike,
    ) -> None:
        """Give the drones at ``indices`` new shots, starting now, with the subject expected at
        ``expected_position_ned_m`` facing ``expected_heading_deg`` (the ground station's plan)."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        if len(shots) != len(index):
            raise ControlError(f"{len(shots)} shots for {len(index)} drones")
        for i, shot in zip(index, shots, strict=True):
            self._shot_list[int(i)] = shot
        if self.shots is None:
            if any(shot is None for shot in self._shot_list):
                raise ControlError("the first start_shots must give every drone a shot")
            self.shots = ShotBatch(self._shot_list)  # type: ignore[arg-type]
        else:
            self.shots.set_shots(index, shots)
        expected = np.asarray(expected_position_ned_m, dtype=float).reshape(len(index), 3)
        heading = np.broadcast_to(np.asarray(expected_heading_deg, dtype=float), (len(index),))
        self.estimator.reset(index, expected, heading)
        self.t_s[index] = 0.0
        self.anchor_position_ned_m[index] = expected
        self.anchor_position_ned_m[index, 2] = 0.0
        self.anchor_heading_deg[index] = heading
        self._previous_reference[index] = np.nan
        self._move_one_hot[index] = 0.0
        self._move_one_hot[index, [_MOVE_INDEX[shot.move.name] for shot in shots]] = 1.0

    def anchor(self, rows: NDArray[np.intp] | slice = slice(None)) -> SubjectState:
        """The subject's expected state when each shot started (the moves' fixed frame)."""
        position = self.anchor_position_ned_m[rows]
        heading = self.anchor_heading_deg[rows]
        return SubjectState(position, np.zeros_like(position), heading, self.estimator.height_m[rows])

    def observe(
        self,
        track: SubjectTrack,
        own: OwnState,
        previous_action: ArrayLike,
        fence_margin_m: ArrayLike,
        obstacle_clearance_m: ArrayLike,
        rows: NDArray[np.intp] | None = None,
    ) -> tuple[NDArray[np.float32], CameraReferences]:
        """One control step: update the subject estimates, the shots' references, and build the
        observations (N, D) with the references they used. With ``rows``, the inputs are those
        drones' only and only they advance (a drone starting a shot while the others fly on)."""
        if self.shots is None:
            raise ControlError("observe() before start_shots(): the drones have no shot to fly")
        index = slice(None) if rows is None else rows
        pose = own.camera_pose()
        self.poses.record(pose, rows)
        exposed = self.poses.pose_ago(round(track.latency_s / self.dt_s), rows)  # where the frame was taken
        subject = self.estimator.update(track, self.camera, exposed, self.dt_s, rows)
        track = _trusted(track, self.estimator.rejected[index], self.camera, pose, subject)
        t_s = self.t_s[index]
        if rows is None:
            reference = self.shots.reference(t_s, subject, self.anchor())
        else:
            shots = [self._shot_list[int(i)] for i in rows]
            reference = ShotBatch(shots).reference(t_s, subject, self.anchor(rows))  # type: ignore[arg-type]
        reference_velocity = np.nan_to_num((reference.position_ned_m - self._previous_reference[index]) / self.dt_s)
        self._previous_reference[index] = reference.position_ned_m
        self.t_s[index] += self.dt_s
        obs = _observation(track, own, reference, reference_velocity, self._move_one_hot[index])
        obs[:, OBSERVATION.slice_of("previous_action")] = np.asarray(previous_action).reshape(-1, ACTION.size)
        obs[:, OBSERVATION.slice_of("fence_margin")][:, 0] = np.tanh(np.asarray(fence_margin_m) / _FENCE_SCALE_M)
        obs[:, OBSERVATION.slice_of("obstacle_clearance")][:, 0] = np.tanh(
            np.asarray(obstacle_clearance_m) / _OBSTACLE_SCALE_M
        )
        return obs, reference


def _trusted(
    track: SubjectTrack, rejected: NDArray[np.bool_], camera: PinholeCamera, pose: CameraPose, subject: SubjectState
) -> SubjectTrack:
    """The track as the policy should see it: where the estimator rejected the box (a wrong lock),
    the subject's box is predicted from the estimate instead, as a tracker coasting through a miss."""
    if not rejected.any():
        return track
    box, status = track.box.copy(), track.status.copy()
    rows = np.flatnonzero(rejected)
    one = CameraPose(pose.position_ned_m[rows], pose.rotation_ned_from_camera[rows])
    box[rows] = project_person_boxes(camera, one, subject.position_ned_m[rows], subject.height_m[rows])
    status[rows] = TrackStatus.PREDICTED
    return SubjectTrack(box, status, track.age_s, track.latency_s)


def _observation(
    track: SubjectTrack,
    own: OwnState,
    reference: CameraReferences,
    reference_velocity: FloatArray,
    move_one_hot: FloatArray,
) -> NDArray[np.float32]:
    """The fields that come from the track, the telemetry and the references."""
    obs = np.empty((track.n, OBSERVATION.size), dtype=np.float32)
    # A box with no height (a tracker's prediction can shrink one to nothing) is no box at all.
    with np.errstate(invalid="ignore"):
        has_box = (track.status != TrackStatus.LOST) & np.isfinite(track.box).all(axis=1) & (track.box[:, 3] > 0.0)
    box = np.where(has_box[:, None], track.box, 0.0)
    offset = np.stack([box[:, 0] - reference.target_u, box[:, 1] - reference.target_v], axis=1)
    obs[:, OBSERVATION.slice_of("box_offset")] = np.where(has_box[:, None], offset, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.clip(np.log(box[:, 3] / reference.target_h), -_BOX_SIZE_LIMIT, _BOX_SIZE_LIMIT)
    obs[:, OBSERVATION.slice_of("box_size")][:, 0] = np.where(has_box, size, 0.0)
    obs[:, OBSERVATION.slice_of("track_detected")][:, 0] = track.status == TrackStatus.DETECTED
    obs[:, OBSERVATION.slice_of("track_lost")][:, 0] = track.status == TrackStatus.LOST
    obs[:, OBSERVATION.slice_of("track_age")][:, 0] = np.minimum(track.age_s, _TRACK_AGE_SCALE_S) / _TRACK_AGE_SCALE_S
    obs[:, OBSERVATION.slice_of("target")] = np.stack(
        [reference.target_u - 0.5, reference.target_v - 0.5, reference.target_h], axis=1
    )
    to_reference = _to_body(reference.position_ned_m - own.position_ned_m, own.yaw_deg)
    obs[:, OBSERVATION.slice_of("reference_offset")] = np.tanh(to_reference / _OFFSET_SCALE_M)
    obs[:, OBSERVATION.slice_of("reference_velocity")] = np.clip(
        _to_body(reference_velocity, own.yaw_deg) / _SPEED_SCALE_M_S, -2.0, 2.0
    )
    obs[:, OBSERVATION.slice_of("velocity")] = _to_body(own.velocity_ned_m_s, own.yaw_deg) / _SPEED_SCALE_M_S
    yaw_error = wrap_deg(reference.yaw_deg - own.camera_yaw_deg)
    obs[:, OBSERVATION.slice_of("pointing_error")] = np.stack(
        [yaw_error / 180.0, (reference.pitch_deg - own.gimbal_pitch_deg) / 90.0], axis=1
    )
    obs[:, OBSERVATION.slice_of("gimbal")] = np.stack([own.gimbal_pitch_deg, own.gimbal_yaw_deg], axis=1) / 90.0
    obs[:, OBSERVATION.slice_of("height")][:, 0] = np.tanh(-own.position_ned_m[:, 2] / _HEIGHT_SCALE_M)
    obs[:, OBSERVATION.slice_of("move")] = move_one_hot
    return obs
