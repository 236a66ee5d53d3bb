"""Where the subject is on the ground, estimated from the tracked box and the camera's pose.

The box's bottom centre is the subject's feet: the ray through it meets the ground there. An
alpha-beta filter smooths that measurement into a position and a velocity, and dead-reckons
through frames without a detection; the heading is the direction of travel, turned at most
``MAX_TURN_RATE_DEG_S`` (as the mission's nominal paths do), so that moves sitting relative to
it are not flung round by noise. Batched over N drones; the filter state is per drone.

Measurements are gated, as a Kalman tracker gates its associations: a box whose ground point
lies further from the prediction than the gate, or whose height is not a person's at that point,
is a wrong lock (an ID switch to a look-alike, a false positive) and is not folded in
(``rejected``). Without the gate one such box flings the velocity by metres per second and the
camera chases a phantom off the real subject. The gate widens with range (ground points from a
shallow ray are less certain) and with the time since the last accepted measurement (the
subject may have turned or run meanwhile). Rejected boxes feed a candidate, as a tracker keeps a
tentative track: when they agree with each other for ``CONFIRM_S`` while the estimate gets no
measurement of its own, the subject really is elsewhere (the estimate had drifted, the subject
ran off) and the estimate jumps to the candidate. Wrong locks rarely last that long.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import PERSON_HEIGHT_M, CameraPose, PinholeCamera, ground_point_under_pixel, wrap_deg
from dronecine.geometry.person import project_person_boxes
from dronecine.perception import SubjectTrack, TrackStatus
from dronecine.shots import SubjectState

FloatArray = NDArray[np.float64]

POSITION_GAIN = 0.5  # alpha: weight of a new measurement in the position
VELOCITY_GAIN = 0.1  # beta: weight of the residual's rate in the velocity
MAX_TURN_RATE_DEG_S = 30.0
MIN_SPEED_FOR_HEADING_M_S = 0.4  # below this the direction of travel is noise: the heading holds
MAX_SPEED_M_S = 12.0  # an estimate faster than any person is a bad measurement (a wrong lock)
MAX_MEASUREMENT_RANGE_M = 400.0  # a ray grazing the horizon gives no usable ground point
# Without a measurement the velocity fades with this time constant: a person unseen for long is as
# likely to have stopped or turned as to walk on, and a phantom walking away drags the camera off.
COAST_TAU_S = 2.0
GATE_BASE_M = 1.5  # the gate on a measurement's distance from the prediction, at zero range ...
GATE_RANGE_FRACTION = 0.1  # ... plus this fraction of the range to the measured ground point ...
GATE_GROWTH_M_S = 1.5  # ... plus this much per second since the last accepted measurement
CANDIDATE_GATE_M = 1.5  # a rejected box within this of the candidate's prediction agrees with it
CONFIRM_S = 1.0  # a candidate agreed with this long, with nothing accepted meanwhile, is the subject
CANDIDATE_GAIN = 0.3  # how fast the candidate's velocity follows its boxes
RESET_UNCERTAINTY_S = 3.0  # a new shot's expected subject place is this uncertain (in gate growth)
# A box fully in frame whose height differs from a person's at its ground point by more than this
# factor is not the subject (a false positive's box, a person far behind). Boxes cut by the frame's
# edge are not checked: their height is not the person's.
MAX_HEIGHT_RATIO = 1.8
_EDGE_MARGIN = 0.02


class SubjectEstimator:
    """Filtered subject states for N drones."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.position_ned_m = np.zeros((n, 3))
        self.velocity_ned_m_s = np.zeros((n, 3))
        self.heading_deg = np.zeros(n)
        self.height_m = np.full(n, PERSON_HEIGHT_M)
        self.unconfirmed_s = np.full(n, RESET_UNCERTAINTY_S)  # since the last accepted measurement
        self.rejected = np.zeros(n, dtype=bool)  # the last update's box failed the gate
        self.candidate_ned_m = np.full((n, 3), np.nan)  # where the rejected boxes say the subject is
        self.candidate_velocity_ned_m_s = np.zeros((n, 3))
        self.candidate_s = np.zeros(n)  # how long the rejected boxes have agreed with each other
        self.candidate_origin_ned_m = np.full((n, 3), np.nan)  # where the candidate started

    def reset(self, indices: ArrayLike, position_ned_m: ArrayLike, heading_deg: ArrayLike) -> None:
        """Start the drones at ``indices`` from the subject's expected place (the ground station's)."""
        index = np.asarray(indices, dtype=np.intp)
        self.position_ned_m[index] = position_ned_m
        self.position_ned_m[index, 2] = 0.0
        self.velocity_ned_m_s[index] = 0.0
        self.heading_deg[index] = heading_deg
        self.unconfirmed_s[index] = RESET_UNCERTAINTY_S
        self.rejected[index] = False
        self._forget_candidate(index)

    def _forget_candidate(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> None:
        self.candidate_ned_m[index] = np.nan
        self.candidate_velocity_ned_m_s[index] = 0.0
        self.candidate_s[index] = 0.0
        self.candidate_origin_ned_m[index] = np.nan

    def update(
        self,
        track: SubjectTrack,
        camera: PinholeCamera,
        pose: CameraPose,
        dt_s: float,
        rows: NDArray[np.intp] | None = None,
    ) -> SubjectState:
        """One frame: fold in the tracker's box where it DETECTED the subject, dead-reckon otherwise.

        A PREDICTED box is the tracker's extrapolation in the image of boxes already folded in: no
        new information, and (where the tracker ignores the camera's motion) a wrong one that drags
        the estimate along every pan. On the held-out evaluation folding it in cost the policy
        0.5 points of in frame and the baseline 2.7.

        With ``rows``, ``track`` and ``pose`` are those drones' only, and only they are updated.
        Returns the (updated drones') subject states.
        """
        index = slice(None) if rows is None else rows
        predicted = self.position_ned_m[index] + self.velocity_ned_m_s[index] * dt_s
        box = track.box
        feet = ground_point_under_pixel(camera, pose, box[:, 0], box[:, 1] + box[:, 3] / 2.0)
        range_m = np.linalg.norm(feet - pose.position_ned_m, axis=1)
        usable = (track.status == TrackStatus.DETECTED) & np.isfinite(range_m) & (range_m < MAX_MEASUREMENT_RANGE_M)
        residual = np.where(usable[:, None], np.nan_to_num(feet) - predicted, 0.0)
        residual[:, 2] = 0.0
        unconfirmed = self.unconfirmed_s[index]
        gate_m = GATE_BASE_M + GATE_RANGE_FRACTION * np.nan_to_num(range_m) + GATE_GROWTH_M_S * unconfirmed
        far = usable & (np.linalg.norm(residual, axis=1) > gate_m)
        near = usable & ~far  # only these need the height check: its projection is the costly part
        rejected = far | (near & ~_person_sized(box, camera, pose, feet, self.height_m[index], near))
        confirmed = self._update_candidate(index, rejected, usable & ~rejected, feet, dt_s)
        rejected &= ~confirmed
        usable &= ~rejected
        residual[rejected] = 0.0
        self.rejected[index] = rejected
        position = predicted + POSITION_GAIN * residual
        # The residual built up over the whole time unconfirmed, not over one frame: a subject found
        # again after a miss moves the estimate, not its velocity by metres per second.
        velocity = self.velocity_ned_m_s[index] + VELOCITY_GAIN * residual / (unconfirmed[:, None] + dt_s)
        velocity[~usable] *= np.exp(-dt_s / COAST_TAU_S)
        if confirmed.any():  # the subject is where the candidate is: start again from it
            position[confirmed] = feet[confirmed]
            # Its mean velocity since it started: steadier than the last frames' differences.
            travelled = feet[confirmed] - self.candidate_origin_ned_m[index][confirmed]
            velocity[confirmed] = travelled / self.candidate_s[index][confirmed, None]
            velocity[confirmed, 2] = 0.0
            self._forget_candidate(_rows(index, self.n)[confirmed])
        self.unconfirmed_s[index] = np.where(usable, 0.0, unconfirmed + dt_s)
        speed = np.linalg.norm(velocity, axis=1, keepdims=True)
        velocity *= np.minimum(1.0, MAX_SPEED_M_S / np.maximum(speed, 1e-9))
        heading = _turned(self.heading_deg[index], velocity, dt_s)
        self.position_ned_m[index] = position
        self.velocity_ned_m_s[index] = velocity
        self.heading_deg[index] = heading
        return SubjectState(position, velocity, heading, self.height_m[index])

    def _update_candidate(
        self,
        index: slice | NDArray[np.intp],
        rejected: NDArray[np.bool_],
        accepted: NDArray[np.bool_],
        feet_ned_m: FloatArray,
        dt_s: float,
    ) -> NDArray[np.bool_]:
        """Fold the rejected boxes into the candidate; which rows' candidates are now confirmed."""
        rows = _rows(index, self.n)
        candidate = self.candidate_ned_m[rows]
        candidate_velocity = self.candidate_velocity_ned_m_s[rows]
        known = np.isfinite(candidate).all(axis=1)
        predicted = np.where(known[:, None], candidate + candidate_velocity * dt_s, np.nan)
        with np.errstate(invalid="ignore"):
            agrees = rejected & known & (np.linalg.norm((feet_ned_m - predicted)[:, :2], axis=1) < CANDIDATE_GATE_M)
        step_velocity = np.nan_to_num(feet_ned_m - candidate) / dt_s
        step_velocity[:, 2] = 0.0
        blended = (1.0 - CANDIDATE_GAIN) * candidate_velocity + CANDIDATE_GAIN * step_velocity
        # A box that agrees moves the candidate on; one that does not starts a new one; a miss coasts it.
        self.candidate_velocity_ned_m_s[rows] = np.where(
            agrees[:, None], blended, np.where(rejected[:, None], 0.0, candidate_velocity)
        )
        self.candidate_s[rows] = np.where(
            agrees, self.candidate_s[rows] + dt_s, np.where(rejected, 0.0, self.candidate_s[rows])
        )
        self.candidate_ned_m[rows] = np.where(rejected[:, None], feet_ned_m, predicted)
        starts = rejected & ~agrees
        self.candidate_origin_ned_m[rows[starts]] = feet_ned_m[starts]
        self._forget_candidate(rows[accepted])  # the subject's own box: no other hypothesis
        return agrees & (self.candidate_s[rows] >= CONFIRM_S)


def _rows(index: slice | NDArray[np.intp], n: int) -> NDArray[np.intp]:
    return np.arange(n)[index]


def _person_sized(
    box: FloatArray,
    camera: PinholeCamera,
    pose: CameraPose,
    feet_ned_m: FloatArray,
    height_m: FloatArray,
    candidates: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Whether each box's height fits a person standing at its ground point (True where unchecked:
    a box cut by the frame's edge, no ground point, or not among ``candidates``)."""
    with np.errstate(invalid="ignore"):
        inside = (
            (box[:, 0] - box[:, 2] / 2.0 > _EDGE_MARGIN)
            & (box[:, 0] + box[:, 2] / 2.0 < 1.0 - _EDGE_MARGIN)
            & (box[:, 1] - box[:, 3] / 2.0 > _EDGE_MARGIN)
            & (box[:, 1] + box[:, 3] / 2.0 < 1.0 - _EDGE_MARGIN)
        )
    checked = inside & np.isfinite(feet_ned_m).all(axis=1)
    if candidates is not None:
        checked &= candidates
    if not checked.any():
        return np.ones(len(box), dtype=bool)
    expected = np.full(len(box), np.nan)
    rows = np.flatnonzero(checked)
    one = CameraPose(pose.position_ned_m[rows], pose.rotation_ned_from_camera[rows])
    expected[rows] = project_person_boxes(camera, one, feet_ned_m[rows], height_m[rows])[:, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(np.log(box[:, 3] / expected))
    return ~checked | ~(ratio > np.log(MAX_HEIGHT_RATIO))


def _turned(heading_deg: FloatArray, velocity_ned_m_s: FloatArray, dt_s: float) -> FloatArray:
    """The heading turned towards the direction of travel, at most ``MAX_TURN_RATE_DEG_S``."""
    speed = np.hypot(velocity_ned_m_s[:, 0], velocity_ned_m_s[:, 1])
    travel = np.degrees(np.arctan2(velocity_ned_m_s[:, 1], velocity_ned_m_s[:, 0]))
    change = wrap_deg(travel - heading_deg)
    step = MAX_TURN_RATE_DEG_S * dt_s
    change = np.where(speed >= MIN_SPEED_FOR_HEADING_M_S, np.clip(change, -step, step), 0.0)
    return wrap_deg(heading_deg + change)
