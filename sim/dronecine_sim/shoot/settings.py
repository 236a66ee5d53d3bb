"""How a simulated shoot runs, in one place, with units."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dronecine_sim.perception import PerceptionChoice, PerceptionLevel
from dronecine_sim.shoot.errors import ShootError


@dataclass(frozen=True)
class ShootSettings:
    """seed: reproduces the shoot exactly (people's wobble, wind, perception noise).
    perception: ``oracle``, ``light``, ``noisy``, ``harsh`` (the perception model on true boxes) or
        ``yolo`` (each drone's rendered view through the detector, its tracker and its lock).
    dt_s: the control period (s); the videos run at 1 / dt_s frames per second.
    video_width_px: the width of each drone's recorded view (16:9); 0 records no video.
    policy: the policy file flying the shots, or ``bundled``; ``baseline`` flies the classical one.
    weights: the detector's weights for ``yolo`` (None: the resolution order of ``dronecine.perception``).
    wind_sigma_m_s: gusts (stationary standard deviation per horizontal axis).
    subject_noise: how much the people wobble off their scripts (0: exactly the nominal paths).
    fail_drone: (drone id, t_s): that drone's link to the station goes silent at t_s (its link-loss
        failsafe takes over; the station re-plans without it), for tests and demos. None: no failure.
    abort_at_s: the operator aborts the shoot at this mission time (every drone to the mission's
        ``abort_action``). None: no abort.
    battery_percent: every pack's charge at the start (%); a low one exercises the battery failsafe
        (the drone returns at the mission's ``battery_return_percent``, the station re-plans).
    """

    seed: int = 0
    perception: str = PerceptionLevel.NOISY.value
    dt_s: float = 0.1
    substeps: int = 2
    video_width_px: int = 480
    policy: str = "bundled"
    weights: str | None = None
    wind_sigma_m_s: float = 0.5
    subject_noise: float = 1.0
    fail_drone: tuple[str, float] | None = None
    abort_at_s: float | None = None
    battery_percent: float = 100.0

    def __post_init__(self) -> None:
        choices = [choice.value for choice in PerceptionChoice]
        if self.perception not in choices:
            raise ShootError(f"perception {self.perception!r} is not a level (expected one of: {', '.join(choices)})")
        if not 0 <= self.seed < 2**63:
            raise ShootError(f"seed must be within 0..2^63 - 1, got {self.seed}")
        if not 0.02 <= self.dt_s <= 0.5:
            raise ShootError(f"dt_s {self.dt_s} is out of range (expected 0.02..0.5 s)")
        if self.video_width_px and not 160 <= self.video_width_px <= 1920:
            raise ShootError(f"video width {self.video_width_px} px is out of range (expected 160..1920, or 0)")
        if not 0.0 <= self.wind_sigma_m_s <= 5.0:
            raise ShootError(f"wind_sigma_m_s {self.wind_sigma_m_s} is out of range (expected 0..5)")
        if not 0.0 <= self.subject_noise <= 3.0:
            raise ShootError(f"subject_noise {self.subject_noise} is out of range (expected 0..3)")
        if self.fail_drone is not None and not math.isfinite(self.fail_drone[1]):
            raise ShootError(f"the failure time {self.fail_drone[1]} is not a number of seconds")
        if not 1.0 <= self.battery_percent <= 100.0:
            raise ShootError(f"battery_percent {self.battery_percent} is out of range (expected 1..100 %)")
        if self.abort_at_s is not None and not math.isfinite(self.abort_at_s):
            raise ShootError(f"the abort time {self.abort_at_s} is not a number of seconds")

    @property
    def video_size(self) -> tuple[int, int] | None:
        """(width, height) of the recorded views, even numbers (encoders want them), or None."""
        if not self.video_width_px:
            return None
        width = self.video_width_px // 2 * 2
        return width, round(width * 9 / 16) // 2 * 2
