"""Lighting: where the sun is, how bright the scene is, its colour cast and the haze."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.render.errors import RenderError

# Sky colours (BGR) at brightness 1 and a neutral tint, before the low-sun warming.
_ZENITH_BGR = np.array([205.0, 150.0, 95.0])
_HORIZON_BGR = np.array([235.0, 220.0, 205.0])
_SUNSET_BGR = np.array([150.0, 190.0, 245.0])


@dataclass(frozen=True)
class Lighting:
    """The sun and the atmosphere; vary it to make datasets robust.

    ``sun_elevation_deg`` (5..90) and ``sun_azimuth_deg`` (compass bearing, 0 = north) place the sun;
    ``brightness`` (0.2..2) scales every colour like an exposure; ``tint_bgr`` multiplies the B, G, R
    channels (a white balance, each 0.5..1.5); ``ambient`` (0..1) is the share of light from the sky,
    which is what surfaces facing away from the sun and shadows get; ``visibility_m`` (50..10000) is
    the distance at which the haze has swallowed 95 % of a surface's contrast.
    """

    sun_elevation_deg: float = 50.0
    sun_azimuth_deg: float = 135.0
    brightness: float = 1.0
    tint_bgr: tuple[float, float, float] = (1.0, 1.0, 1.0)
    ambient: float = 0.5
    visibility_m: float = 2000.0

    def __post_init__(self) -> None:
        checks = (
            ("sun_elevation_deg", self.sun_elevation_deg, 5.0, 90.0),
            ("brightness", self.brightness, 0.2, 2.0),
            ("ambient", self.ambient, 0.0, 1.0),
            ("visibility_m", self.visibility_m, 50.0, 10000.0),  # beyond, far ground would show warp artefacts
        )
        for name, value, low, high in checks:
            if not low <= value <= high:
                raise RenderError(f"lighting {name} {value} is out of range (expected {low:g}..{high:g})")
        if len(self.tint_bgr) != 3 or not all(0.5 <= t <= 1.5 for t in self.tint_bgr):
            raise RenderError(f"lighting tint_bgr {self.tint_bgr} must be three factors in 0.5..1.5")

    @classmethod
    def random(cls, rng: np.random.Generator) -> Lighting:
        """A plausible daytime lighting: any sun position, exposure and white balance within reason."""
        warm = rng.uniform(-0.12, 0.12)
        return cls(
            sun_elevation_deg=float(rng.uniform(12.0, 80.0)),
            sun_azimuth_deg=float(rng.uniform(0.0, 360.0)),
            brightness=float(rng.uniform(0.65, 1.3)),
            tint_bgr=(1.0 - warm + rng.uniform(-0.04, 0.04), 1.0 + rng.uniform(-0.04, 0.04), 1.0 + warm),
            ambient=float(rng.uniform(0.35, 0.75)),
            visibility_m=float(rng.uniform(600.0, 5000.0)),
        )

    @cached_property
    def sun_direction_ned(self) -> NDArray[np.float64]:
        """Unit vector from the scene towards the sun (NED)."""
        elevation, azimuth = math.radians(self.sun_elevation_deg), math.radians(self.sun_azimuth_deg)
        return np.array(
            [math.cos(elevation) * math.cos(azimuth), math.cos(elevation) * math.sin(azimuth), -math.sin(elevation)]
        )

    @property
    def haze_scale_m(self) -> float:
        """Distance over which contrast falls by e (m): ``visibility_m`` is three of them."""
        return self.visibility_m / 3.0

    def gain(self, normal_ned: ArrayLike) -> NDArray[np.float64]:
        """(..., 3) BGR gains for surfaces with outward unit normals (..., 3): ambient plus direct sun
        (Lambert), times the brightness and the tint. Multiply an albedo colour by it."""
        cosine = np.maximum(np.asarray(normal_ned, dtype=float) @ self.sun_direction_ned, 0.0)
        light = self.ambient + (1.0 - self.ambient) * cosine
        return light[..., None] * self.brightness * np.asarray(self.tint_bgr)

    @property
    def ground_gain_bgr(self) -> NDArray[np.float64]:
        return self.gain(np.array([0.0, 0.0, -1.0]))

    @property
    def shadow_factor(self) -> float:
        """How much darker the ground is in a building's shadow than in the sun (0..1)."""
        lit = self.ambient + (1.0 - self.ambient) * math.sin(math.radians(self.sun_elevation_deg))
        return self.ambient / lit

    def sky_bgr(self, elevation_deg: ArrayLike, sun_angle_deg: ArrayLike) -> NDArray[np.float32]:
        """Sky colour (..., 3) float BGR for rays at ``elevation_deg`` above the horizon (below it: the
        horizon's haze colour) and ``sun_angle_deg`` away from the sun; a low sun warms the horizon."""
        elevation = np.clip(np.asarray(elevation_deg, dtype=np.float32), 0.0, 90.0)
        up = (elevation / 90.0) ** 0.5
        warmth = max(0.0, 1.0 - self.sun_elevation_deg / 25.0) * 0.6
        horizon = (1.0 - warmth) * _HORIZON_BGR + warmth * _SUNSET_BGR
        sky = horizon + (_ZENITH_BGR - horizon) * up[..., None]
        glow = np.exp(-np.asarray(sun_angle_deg, dtype=np.float32) / 12.0)[..., None]
        sky = sky + (255.0 - sky) * 0.6 * glow
        return (sky * (0.85 + 0.15 * self.brightness) * np.asarray(self.tint_bgr)).astype(np.float32)

    @cached_property
    def haze_bgr(self) -> NDArray[np.float32]:
        """The colour distant ground fades to: the sky at the horizon, away from the sun."""
        return self.sky_bgr(0.0, 180.0)
