"""Perception levels: how good the detector and tracker the agent gets are, from oracle to harsh.

The constants are first guesses at what a small YOLO and ByteTrack give on a drone's footage;
the perception issue measures the real detector on rendered frames and sets them from it
(``benchmarks/`` keeps that measurement).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from dronecine_sim.perception.errors import PerceptionError


class PerceptionLevel(StrEnum):
    ORACLE = "oracle"
    LIGHT = "light"
    NOISY = "noisy"
    HARSH = "harsh"


# What an evaluation or a shoot lets the drones see through: a level of the perception model, or
# ``yolo`` (rendered frames through the real detector, tracker and lock). Built from the levels so a
# new level is a new choice too.
PerceptionChoice = StrEnum(
    "PerceptionChoice", {**{level.name: level.value for level in PerceptionLevel}, "YOLO": "yolo"}
)


@dataclass(frozen=True)
class PerceptionParams:
    """The perception model's constants. Image quantities are normalised (fractions of the frame)."""

    latency_frames: int = 0  # frames between the camera's exposure and the tracker's report
    centre_jitter: float = 0.0  # std of the box centre's noise, as a fraction of the box height
    size_jitter: float = 0.0  # std of the log of the box size's noise
    jitter_floor: float = 0.0  # least std of the centre's noise (pixel quantisation)
    miss_rate: float = 0.0  # per-frame miss probability for a large, clear, centred subject
    half_detect_height: float = 0.0  # box height at which half of the detections are missed
    detect_height_spread: float = 0.0  # width of the logistic in box height; 0: a step
    edge_visible_min: float = 0.5  # fraction of the box inside the frame below which it is missed
    edge_ramp: float = 0.0  # visible fraction over which detection fades in above that; 0: a step
    occlusion_tolerance: float = 0.75  # occluded fraction of the silhouette at which detection fails
    occlusion_ramp: float = 0.0  # occluded fraction over which detection fades out before that; 0: a step
    switch_rate: float = 0.0  # per-frame probability that a look-alike nearby in the image steals the lock
    switch_gate: float = 0.15  # image distance under which a look-alike can steal the lock
    false_lock_rate: float = 0.0  # per-frame probability that a false positive steals the lock
    wrong_lock_s: tuple[float, float] = (0.3, 1.0)  # how long a stolen lock lasts before re-acquisition
    lost_after_s: float = 1.0  # the tracker reports the subject lost after this long without a detection

    def __post_init__(self) -> None:
        if not (isinstance(self.latency_frames, int) and 0 <= self.latency_frames <= 10):
            raise PerceptionError(f"latency_frames {self.latency_frames!r} is out of range (expected 0..10)")
        for name in ("miss_rate", "switch_rate", "false_lock_rate"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise PerceptionError(f"{name} {value!r} is out of range (expected a probability 0..1)")
        low, high = self.wrong_lock_s
        if not 0.0 < low <= high:
            raise PerceptionError(f"wrong_lock_s {self.wrong_lock_s!r} must be (min, max) with 0 < min <= max")
        if self.lost_after_s <= 0.0:
            raise PerceptionError(f"lost_after_s {self.lost_after_s!r} must be positive")


LEVELS: dict[PerceptionLevel, PerceptionParams] = {
    # A perfect detector: the subject is seen whenever it is in frame and mostly unoccluded.
    PerceptionLevel.ORACLE: PerceptionParams(),
    PerceptionLevel.LIGHT: PerceptionParams(
        latency_frames=1,
        centre_jitter=0.02,
        size_jitter=0.03,
        jitter_floor=0.001,
        miss_rate=0.01,
        half_detect_height=0.02,
        detect_height_spread=0.005,
        edge_visible_min=0.4,
        edge_ramp=0.2,
        occlusion_tolerance=0.7,
        occlusion_ramp=0.3,
        switch_rate=0.002,
        false_lock_rate=0.0005,
    ),
    PerceptionLevel.NOISY: PerceptionParams(
        latency_frames=1,
        centre_jitter=0.05,
        size_jitter=0.08,
        jitter_floor=0.002,
        miss_rate=0.05,
        half_detect_height=0.035,
        detect_height_spread=0.01,
        edge_visible_min=0.35,
        edge_ramp=0.3,
        occlusion_tolerance=0.6,
        occlusion_ramp=0.4,
        switch_rate=0.01,
        false_lock_rate=0.002,
    ),
    PerceptionLevel.HARSH: PerceptionParams(
        latency_frames=2,
        centre_jitter=0.1,
        size_jitter=0.15,
        jitter_floor=0.004,
        miss_rate=0.15,
        half_detect_height=0.05,
        detect_height_spread=0.015,
        edge_visible_min=0.3,
        edge_ramp=0.4,
        occlusion_tolerance=0.5,
        occlusion_ramp=0.4,
        switch_rate=0.03,
        false_lock_rate=0.01,
        wrong_lock_s=(0.5, 2.0),
    ),
}


def perception_params(level: PerceptionLevel | str) -> PerceptionParams:
    """The constants of a named level; an unknown name is a ``PerceptionError`` listing the known ones."""
    try:
        return LEVELS[PerceptionLevel(level)]
    except ValueError:
        known = ", ".join(item.value for item in PerceptionLevel)
        raise PerceptionError(f"unknown perception level {level!r} (expected one of: {known})") from None
