"""The state of N simulated drones and the commands they take, as arrays over a leading dimension N.

Both are frozen dataclasses of arrays: the fields are never reassigned, the arrays are updated in
place by the dynamics (and, for commands, may be filled in place by the caller each step).
The state's (N, 3) arrays are stored column-major (``order="F"``), so each axis is a contiguous
(N,) column and the batched dynamics run on contiguous memory; the state converts (copies) any
(N, 3) array given in another layout.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.vehicle.errors import VehicleError

FloatArray = NDArray[np.float64]

_VECTOR_FIELDS = (
    "position_ned_m",
    "velocity_ned_m_s",
    "own_velocity_ned_m_s",
    "accel_ned_m_s2",
    "wind_ned_m_s",
    "wind_drift_ned_m_s",
)


@dataclass(frozen=True, eq=False)
class VehicleState:
    """N drones: where they are, how they move, where their gimbals point, the wind they fly in.

    ``velocity_ned_m_s`` is the ground velocity (what GPS reports, what the camera moves with): the
    vehicle's own velocity ``own_velocity_ned_m_s`` (what its speed, acceleration and jerk limits
    bound) plus ``wind_drift_ned_m_s``, the velocity the wind imparts. ``accel_ned_m_s2`` is the own
    acceleration. The gimbal pitch is relative to the horizon (stabilised; negative looks down), the
    gimbal yaw relative to the body's nose (positive to the right).
    """

    position_ned_m: FloatArray  # (N, 3)
    velocity_ned_m_s: FloatArray  # (N, 3) ground velocity
    own_velocity_ned_m_s: FloatArray  # (N, 3)
    accel_ned_m_s2: FloatArray  # (N, 3)
    yaw_deg: FloatArray  # (N,) body yaw, 0 = north, 90 = east, wrapped to [-180, 180]
    yaw_rate_deg_s: FloatArray  # (N,)
    gimbal_pitch_deg: FloatArray  # (N,) relative to the horizon
    gimbal_yaw_deg: FloatArray  # (N,) relative to the body
    gimbal_pitch_rate_deg_s: FloatArray  # (N,)
    gimbal_yaw_rate_deg_s: FloatArray  # (N,)
    wind_ned_m_s: FloatArray  # (N, 3) the air's velocity at the drone
    wind_drift_ned_m_s: FloatArray  # (N, 3)

    def __post_init__(self) -> None:
        n = np.shape(self.yaw_deg)[0] if np.ndim(self.yaw_deg) == 1 else -1
        for f in dataclasses.fields(self):
            array = getattr(self, f.name)
            if f.name in _VECTOR_FIELDS and isinstance(array, np.ndarray) and not array.flags.f_contiguous:
                array = np.asfortranarray(array)
                object.__setattr__(self, f.name, array)
            expected = (n, 3) if f.name in _VECTOR_FIELDS else (n,)
            if not isinstance(array, np.ndarray) or array.dtype != np.float64 or array.shape != expected or n < 1:
                raise VehicleError(
                    f"vehicle state {f.name} must be a float64 array of shape {expected if n >= 1 else '(N,)'}, "
                    f"got {getattr(array, 'dtype', type(array).__name__)} {np.shape(array)}"
                )

    @classmethod
    def at_rest(
        cls, position_ned_m: ArrayLike, yaw_deg: ArrayLike = 0.0, gimbal_pitch_deg: ArrayLike = 0.0
    ) -> VehicleState:
        """N drones hovering at ``position_ned_m`` (N, 3), in still air, gimbals straight ahead."""
        position = np.array(position_ned_m, dtype=np.float64, order="F")
        if position.ndim != 2 or position.shape[1] != 3 or position.shape[0] < 1:
            raise VehicleError(f"positions must have shape (N, 3), got {position.shape}")
        n = position.shape[0]
        yaw = np.broadcast_to(np.asarray(yaw_deg, dtype=np.float64), (n,))
        pitch = np.broadcast_to(np.asarray(gimbal_pitch_deg, dtype=np.float64), (n,))
        return cls(
            position_ned_m=position,
            velocity_ned_m_s=np.zeros((n, 3), order="F"),
            own_velocity_ned_m_s=np.zeros((n, 3), order="F"),
            accel_ned_m_s2=np.zeros((n, 3), order="F"),
            yaw_deg=(yaw + 180.0) % 360.0 - 180.0,
            yaw_rate_deg_s=np.zeros(n),
            gimbal_pitch_deg=pitch.copy(),
            gimbal_yaw_deg=np.zeros(n),
            gimbal_pitch_rate_deg_s=np.zeros(n),
            gimbal_yaw_rate_deg_s=np.zeros(n),
            wind_ned_m_s=np.zeros((n, 3), order="F"),
            wind_drift_ned_m_s=np.zeros((n, 3), order="F"),
        )

    @property
    def n(self) -> int:
        """The number of drones."""
        return int(self.yaw_deg.shape[0])

    @property
    def camera_yaw_deg(self) -> FloatArray:
        """Where the camera looks, as a compass angle: body yaw plus gimbal yaw, wrapped to [-180, 180]."""
        return (self.yaw_deg + self.gimbal_yaw_deg + 180.0) % 360.0 - 180.0

    @property
    def camera_pitch_deg(self) -> FloatArray:
        """The camera's pitch above the horizon (the gimbal stabilises it; the body's tilt is not modelled)."""
        return self.gimbal_pitch_deg.copy()

    def copy(self) -> VehicleState:
        """An independent copy (no array shared)."""
        return VehicleState(**{f.name: getattr(self, f.name).copy(order="K") for f in dataclasses.fields(self)})

    def take(self, indices: ArrayLike) -> VehicleState:
        """A copy of the drones at ``indices`` (in that order)."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        return VehicleState(**{f.name: getattr(self, f.name)[index] for f in dataclasses.fields(self)})

    def put(self, indices: ArrayLike, other: VehicleState) -> None:
        """Overwrite, in place, the drones at ``indices`` with ``other``'s."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        for f in dataclasses.fields(self):
            getattr(self, f.name)[index] = getattr(other, f.name)


@dataclass(frozen=True, eq=False)
class VehicleCommand:
    """What N drones are told each step: a body-frame velocity setpoint, a yaw rate and gimbal rates.

    ``velocity_frd_m_s`` is (forward, right, down) in the body's heading frame (level: the body's
    tilt is not modelled), rotated by the yaw into NED. Rates are in deg/s; gimbal yaw is relative
    to the body. Commands beyond the limits are clamped by the dynamics.
    """

    velocity_frd_m_s: FloatArray  # (N, 3)
    yaw_rate_deg_s: FloatArray  # (N,)
    gimbal_pitch_rate_deg_s: FloatArray  # (N,)
    gimbal_yaw_rate_deg_s: FloatArray  # (N,)

    @classmethod
    def zeros(cls, n: int) -> VehicleCommand:
        """Hover, hold the heading and the gimbal, for ``n`` drones."""
        return cls(np.zeros((n, 3)), np.zeros(n), np.zeros(n), np.zeros(n))

    @classmethod
    def of(
        cls,
        velocity_frd_m_s: ArrayLike,
        yaw_rate_deg_s: ArrayLike = 0.0,
        gimbal_pitch_rate_deg_s: ArrayLike = 0.0,
        gimbal_yaw_rate_deg_s: ArrayLike = 0.0,
    ) -> VehicleCommand:
        """A command from array-likes; scalars and (3,) velocities broadcast to the N of ``velocity_frd_m_s``."""
        velocity = np.array(velocity_frd_m_s, dtype=np.float64, ndmin=2)
        if velocity.ndim != 2 or velocity.shape[1] != 3:
            raise VehicleError(f"velocity setpoints must have shape (N, 3), got {velocity.shape}")
        n = velocity.shape[0]

        def column(value: ArrayLike) -> FloatArray:
            return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()

        return cls(velocity, column(yaw_rate_deg_s), column(gimbal_pitch_rate_deg_s), column(gimbal_yaw_rate_deg_s))

    def take(self, indices: ArrayLike) -> VehicleCommand:
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        return VehicleCommand(
            self.velocity_frd_m_s[index],
            self.yaw_rate_deg_s[index],
            self.gimbal_pitch_rate_deg_s[index],
            self.gimbal_yaw_rate_deg_s[index],
        )
