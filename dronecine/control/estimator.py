"""Where the subject is on the ground, estimated from the tracked box and the camera's pose.

The box's bottom centre is the subject's feet: the ray through it meets the ground there. An
alpha-beta filter smooths that measurement into a position and a velocity, and dead-reckons
through frames without a detection; the heading is the direction of travel, turned at most
``MAX_TURN_RATE_DEG_S`` (as the mission's nominal paths do), so that moves sitting relative to
it are not flung round by noise. Batched over N drones; the filter state is per drone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import PERSON_HEIGHT_M, CameraPose, PinholeCamera, ground_point_under_pixel, wrap_deg
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


class SubjectEstimator:
    """Filtered subject states for N drones."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.position_ned_m = np.zeros((n, 3))
        self.velocity_ned_m_s = np.zeros((n, 3))
        self.heading_deg = np.zeros(n)
        self.height_m = np.full(n, PERSON_HEIGHT_M)

    def reset(self, indices: ArrayLike, position_ned_m: ArrayLike, heading_deg: ArrayLike) -> None:
        """Start the drones at ``indices`` from the subject's expected place (the ground station's)."""
        index = np.asarray(indices, dtype=np.intp)
        self.position_ned_m[index] = position_ned_m
        self.position_ned_m[index, 2] = 0.0
        self.velocity_ned_m_s[index] = 0.0
        self.heading_deg[index] = heading_deg

    def update(
        self,
        track: SubjectTrack,
        camera: PinholeCamera,
        pose: CameraPose,
        dt_s: float,
        rows: NDArray[np.intp] | None = None,
    ) -> SubjectState:
        """One frame: fold in the tracker's box (DETECTED or PREDICTED), dead-reckon otherwise.

        With ``rows``, ``track`` and ``pose`` are those drones' only, and only they are updated.
        Returns the (updated drones') subject states.
        """
        index = slice(None) if rows is None else rows
        predicted = self.position_ned_m[index] + self.velocity_ned_m_s[index] * dt_s
        box = track.box
        feet = ground_point_under_pixel(camera, pose, box[:, 0], box[:, 1] + box[:, 3] / 2.0)
        range_m = np.linalg.norm(feet - pose.position_ned_m, axis=1)
        usable = (track.status != TrackStatus.LOST) & np.isfinite(range_m) & (range_m < MAX_MEASUREMENT_RANGE_M)
        residual = np.where(usable[:, None], np.nan_to_num(feet) - predicted, 0.0)
        residual[:, 2] = 0.0
        position = predicted + POSITION_GAIN * residual
        velocity = self.velocity_ned_m_s[index] + VELOCITY_GAIN * residual / dt_s
        velocity[~usable] *= np.exp(-dt_s / COAST_TAU_S)
        speed = np.linalg.norm(velocity, axis=1, keepdims=True)
        velocity *= np.minimum(1.0, MAX_SPEED_M_S / np.maximum(speed, 1e-9))
        heading = _turned(self.heading_deg[index], velocity, dt_s)
        self.position_ned_m[index] = position
        self.velocity_ned_m_s[index] = velocity
        self.heading_deg[index] = heading
        return SubjectState(position, velocity, heading, self.height_m[index])


def _turned(heading_deg: FloatArray, velocity_ned_m_s: FloatArray, dt_s: float) -> FloatArray:
    """The heading turned towards the direction of travel, at most ``MAX_TURN_RATE_DEG_S``."""
    speed = np.hypot(velocity_ned_m_s[:, 0], velocity_ned_m_s[:, 1])
    travel = np.degrees(np.arctan2(velocity_ned_m_s[:, 1], velocity_ned_m_s[:, 0]))
    change = wrap_deg(travel - heading_deg)
    step = MAX_TURN_RATE_DEG_S * dt_s
    change = np.where(speed >= MIN_SPEED_FOR_HEADING_M_S, np.clip(change, -step, step), 0.0)
    return wrap_deg(heading_deg + change)
