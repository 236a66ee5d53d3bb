"""The subject tracker's report, batched over drones."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class TrackStatus(IntEnum):
    """How much the tracker knows about the subject this frame."""

    DETECTED = 0  # a detection was matched to the subject this frame
    PREDICTED = 1  # no detection: the box is the tracker's prediction (short occlusion, a miss)
    LOST = 2  # no detection for too long: the box is the last prediction and not to be trusted


# The same states as words, for logs and files (a shoot's telemetry ``track``).
TrackState = StrEnum("TrackState", {status.name: status.name.lower() for status in TrackStatus})


@dataclass(frozen=True, eq=False)
class SubjectTrack:
    """What the tracker reports about each drone's subject, arrays with a leading N.

    The box ``(u, v, w, h)`` is normalised to the image (u right, v down, 0..1) and refers to
    the frame the camera took ``latency_s`` ago (the same for every drone: one tracker pipeline);
    NaN until the subject was first seen. ``age_s`` is the time since the last matched detection.
    The observation builder looks the box up from the camera's pose at that frame, not the pose
    now: a camera panning at 50 deg/s turns 5 degrees in one 0.1 s frame of latency.
    """

    box: FloatArray  # (N, 4) u, v, w, h
    status: NDArray[np.int8]  # (N,) TrackStatus values
    age_s: FloatArray  # (N,)
    latency_s: float = 0.0

    @classmethod
    def unseen(cls, n: int) -> SubjectTrack:
        return cls(np.full((n, 4), np.nan), np.full(n, TrackStatus.LOST, dtype=np.int8), np.full(n, np.inf))

    @property
    def n(self) -> int:
        return int(self.status.shape[0])

    @property
    def detected(self) -> NDArray[np.bool_]:
        return self.status == TrackStatus.DETECTED

    @property
    def lost(self) -> NDArray[np.bool_]:
        return self.status == TrackStatus.LOST

    def take(self, rows: NDArray[np.intp]) -> SubjectTrack:
        """The drones at ``rows``, copied."""
        return SubjectTrack(self.box[rows], self.status[rows], self.age_s[rows], self.latency_s)
