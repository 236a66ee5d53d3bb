"""The set the drones fly in: flat ground (``down = 0``) with a texture style, buildings, and a seed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dronecine_sim.world.buildings import Buildings
from dronecine_sim.world.errors import WorldError


@dataclass(frozen=True)
class GroundStyle:
    """How the ground looks; the renderer turns it (with the world's seed) into a tiling texture.

    ``tile_m``: side of the square texture tile (m); the ground repeats with this period.
    ``texel_m``: size of one texture pixel on the ground (m). Colours are BGR.
    ``path_count`` dirt paths wind across the tile, ``path_width_m`` wide; ``stripe_m`` wide mowing
    stripes (0 for none) and, with ``field_markings``, a sports pitch's white lines give the ground
    structure, so that camera motion is visible from any height.
    """

    tile_m: float = 400.0
    texel_m: float = 0.125
    grass_bgr: tuple[int, int, int] = (60, 130, 85)
    dry_grass_bgr: tuple[int, int, int] = (80, 150, 150)
    dirt_bgr: tuple[int, int, int] = (85, 115, 140)
    path_count: int = 4
    path_width_m: float = 3.0
    stripe_m: float = 8.0
    field_markings: bool = True

    def __post_init__(self) -> None:
        if not 0.01 <= self.texel_m <= 1.0:
            raise WorldError(f"ground texel_m {self.texel_m} is out of range (expected 0.01..1)")
        texels = self.tile_m / self.texel_m
        if not 256 <= texels <= 8192 or abs(texels - round(texels)) > 1e-6 or round(texels) % 32:
            raise WorldError(
                f"ground tile_m / texel_m = {texels:g} must be a whole multiple of 32 between 256 and 8192"
            )
        if self.path_count < 0 or self.path_width_m <= 0.0 or self.stripe_m < 0.0:
            raise WorldError("ground path_count, stripe_m must be >= 0 and path_width_m > 0")

    @property
    def tile_texels(self) -> int:
        """Side of the texture tile in texels."""
        return round(self.tile_m / self.texel_m)


@dataclass(frozen=True)
class World:
    """Buildings on flat ground. ``seed`` fixes the ground texture (paths, noise, markings)."""

    buildings: Buildings = field(default_factory=Buildings.none)
    ground: GroundStyle = field(default_factory=GroundStyle)
    seed: int = 0

    @classmethod
    def empty(cls, seed: int = 0, ground: GroundStyle | None = None) -> World:
        """Open ground, no buildings."""
        return cls(Buildings.none(), ground or GroundStyle(), seed)

    @classmethod
    def random(
        cls,
        rng: np.random.Generator,
        building_count: int = 8,
        extent_m: float = 120.0,
        keep_clear: Sequence[tuple[float, float, float]] = (),
        ground: GroundStyle | None = None,
    ) -> World:
        """An episode's layout: up to ``building_count`` buildings within ``extent_m`` of the origin,
        clear of the ``keep_clear`` circles ``(north_m, east_m, radius_m)``; the ground seed from ``rng``."""
        buildings = Buildings.random(rng, building_count, extent_m, keep_clear)
        return cls(buildings, ground or GroundStyle(), int(rng.integers(0, 2**31 - 1)))
