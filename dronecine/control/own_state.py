"""The drone's own state as its telemetry reports it: what the agent knows about itself."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose
from dronecine.geometry.rotations import rotation_ned_from_camera, wrap_deg

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class OwnState:
    """N drones' telemetry: local NED position and ground velocity, body yaw, gimbal angles.

    Gimbal pitch is above the horizon (negative looks down), gimbal yaw relative to the body.
    """

    position_ned_m: FloatArray  # (N, 3)
    velocity_ned_m_s: FloatArray  # (N, 3)
    yaw_deg: FloatArray  # (N,)
    gimbal_pitch_deg: FloatArray  # (N,)
    gimbal_yaw_deg: FloatArray  # (N,)

    @property
    def camera_yaw_deg(self) -> FloatArray:
        return wrap_deg(self.yaw_deg + self.gimbal_yaw_deg)

    def camera_pose(self) -> CameraPose:
        """Where the camera is and how it looks (level: the body's tilt is stabilised out)."""
        return CameraPose(self.position_ned_m, rotation_ned_from_camera(self.camera_yaw_deg, self.gimbal_pitch_deg))

    def take(self, rows: NDArray[np.intp]) -> OwnState:
        """The drones at ``rows``, copied."""
        return OwnState(
            self.position_ned_m[rows],
            self.velocity_ned_m_s[rows],
            self.yaw_deg[rows],
            self.gimbal_pitch_deg[rows],
            self.gimbal_yaw_deg[rows],
        )
