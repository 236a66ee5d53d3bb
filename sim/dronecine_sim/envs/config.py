"""The shot environments' settings, in one place, with units."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dronecine.control import ActionScale
from dronecine.geometry import PinholeCamera
from dronecine_sim.envs.errors import EnvConfigError
from dronecine_sim.envs.reward import RewardWeights
from dronecine_sim.perception import PerceptionLevel, PerceptionParams, perception_params


@dataclass(frozen=True)
class ShotEnvConfig:
    """How the shot environments simulate. Pass fields as keyword arguments to ``gymnasium.make``.

    perception: the perception level (``oracle``, ``light``, ``noisy``, ``harsh``) or its constants.
    dt_s: the control period (s); the vehicle is integrated in ``substeps`` steps per period.
    episode_s: episode length (s); ``max_episode_steps`` is ``episode_s / dt_s``.
    randomise: domain randomisation of the vehicle (0: the nominal drone; 1: the declared ranges).
    buildings: how many buildings the set has (0: an open field).
    set_extent_m: half-size of the set the episodes start in (m).
    fence_half_size_m: range of the square geofence's half-size around the subject's start (m).
    ceiling_m: the geofence's ceiling above the ground (m).
    start_offset_m, start_yaw_deg, start_pitch_deg: how far from the shot's first reference a drone
        starts (the ground station's transition is not perfect).
    """

    perception: PerceptionLevel | PerceptionParams = PerceptionLevel.NOISY
    dt_s: float = 0.1
    substeps: int = 2
    episode_s: float = 30.0
    randomise: float = 1.0
    buildings: int = 12
    set_extent_m: float = 250.0
    fence_half_size_m: tuple[float, float] = (120.0, 250.0)
    ceiling_m: float = 120.0
    start_offset_m: float = 2.0
    start_yaw_deg: float = 15.0
    start_pitch_deg: float = 8.0
    camera: PinholeCamera = field(default_factory=lambda: PinholeCamera(84.0, 640, 360))
    action_scale: ActionScale = field(default_factory=ActionScale)
    reward: RewardWeights = field(default_factory=RewardWeights)

    def __post_init__(self) -> None:
        if not isinstance(self.perception, PerceptionParams):
            perception_params(self.perception)  # an unknown level is a clear PerceptionError
            object.__setattr__(self, "perception", PerceptionLevel(self.perception))
        checks = {
            "dt_s": 0.0 < self.dt_s <= 1.0,
            "substeps": isinstance(self.substeps, int) and 1 <= self.substeps <= 20,
            "episode_s": self.episode_s >= self.dt_s,
            "randomise": 0.0 <= self.randomise <= 1.0,
            "buildings": isinstance(self.buildings, int) and 0 <= self.buildings <= 64,
            "set_extent_m": self.set_extent_m > 0.0,
            "fence_half_size_m": 20.0 <= self.fence_half_size_m[0] <= self.fence_half_size_m[1],
            "ceiling_m": self.ceiling_m > 5.0,
        }
        for name, ok in checks.items():
            if not ok:
                raise EnvConfigError(f"{name} = {getattr(self, name)!r} is out of range")

    @property
    def max_episode_steps(self) -> int:
        return round(self.episode_s / self.dt_s)

    @property
    def perception_params(self) -> PerceptionParams:
        p = self.perception
        return p if isinstance(p, PerceptionParams) else perception_params(p)

    @classmethod
    def from_kwargs(cls, config: ShotEnvConfig | None, kwargs: Mapping[str, Any]) -> ShotEnvConfig:
        """``config`` (or the defaults) with ``kwargs`` replacing fields; an unknown name is an error."""
        base = config or cls()
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            expected = ", ".join(sorted(names))
            raise EnvConfigError(f"unknown environment setting {unknown[0]!r} (expected some of: {expected})")
        return dataclasses.replace(base, **kwargs)
