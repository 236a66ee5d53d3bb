"""The cameras' recent poses, one per control period, to see a late frame from where it was taken.

A tracker's box refers to a frame taken ``SubjectTrack.latency_s`` ago. Turned into a ground point
with the pose of now, it is off by however far the camera turned meanwhile, and in the direction
of the turn: the estimate moves the way the camera pans, the camera follows the estimate, and a
fast pan runs away with itself (seen in robot_skies: a drone swinging past its subject at
50 deg/s lost it for 20 s).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose

DEFAULT_DEPTH = 8  # periods kept: 0.8 s at 10 Hz, far more than any tracker's latency


class PoseHistory:
    """The last ``depth`` camera poses of N drones; ``record`` once per control period."""

    def __init__(self, n: int, depth: int = DEFAULT_DEPTH) -> None:
        self.depth = depth
        self._position = np.full((depth, n, 3), np.nan)
        self._rotation = np.full((depth, n, 3, 3), np.nan)
        self._newest = 0

    def record(self, pose: CameraPose, rows: NDArray[np.intp] | None = None) -> None:
        """This period's poses of every drone, or (``rows``) of drones starting afresh, whose past
        poses are then taken to be this one (a drone just placed has no past to look back on)."""
        if rows is not None:
            self._position[:, rows] = pose.position_ned_m
            self._rotation[:, rows] = pose.rotation_ned_from_camera
            return
        self._newest = (self._newest + 1) % self.depth
        self._position[self._newest] = pose.position_ned_m
        self._rotation[self._newest] = pose.rotation_ned_from_camera
        fresh = np.isnan(self._position[:, :, 0]).any(axis=0)  # drones seen for the first time
        if fresh.any():
            self._position[:, fresh] = pose.position_ned_m[fresh]
            self._rotation[:, fresh] = pose.rotation_ned_from_camera[fresh]

    def pose_ago(self, periods: int, rows: NDArray[np.intp] | None = None) -> CameraPose:
        """The poses ``periods`` control periods ago (at most ``depth - 1``), of ``rows`` or every drone."""
        slot = (self._newest - min(max(int(periods), 0), self.depth - 1)) % self.depth
        index = slice(None) if rows is None else rows
        return CameraPose(self._position[slot][index], self._rotation[slot][index])
