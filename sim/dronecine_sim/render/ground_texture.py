"""The ground's texture: one square tile of grass, dry patches, dirt paths, mowing stripes and a
sports pitch, seamless so it can repeat, and its mip-map pyramid.

Texture row ``y``, column ``x`` of a tile anchored at (north ``N0``, east ``E0``) (its north-west corner)
covers the ground point ``north = N0 - (y + 0.5) * texel_m``, ``east = E0 + (x + 0.5) * texel_m``:
north is up in the texture, east to the right.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine_sim.world import GroundStyle

FloatImage = NDArray[np.float32]


def _periodic_noise(rng: np.random.Generator, cells: int, size: int) -> FloatImage:
    """Smooth value noise in 0..1 with ``cells`` random values per side, seamless over a ``size`` tile."""
    per_cell = max(1, -(-min(size, cells * 16) // cells))  # a smooth octave needs no more than 16 per cell
    grid = rng.random((cells, cells), dtype=np.float32)
    padded = np.pad(grid, 2, mode="wrap")
    up = cv2.resize(padded, ((cells + 4) * per_cell,) * 2, interpolation=cv2.INTER_CUBIC)
    tile = up[2 * per_cell : (cells + 2) * per_cell, 2 * per_cell : (cells + 2) * per_cell]
    if tile.shape[0] != size:
        tile = cv2.resize(tile, (size, size), interpolation=cv2.INTER_LINEAR)
    return np.clip(tile, 0.0, 1.0)


def _smoothstep(low: float, high: float, x: FloatImage) -> FloatImage:
    t = np.clip((x - low) / (high - low), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _lerp(a: FloatImage, b: NDArray, t: FloatImage) -> FloatImage:
    return a + (np.asarray(b, dtype=np.float32) - a) * t[..., None]


def _draw_paths(rng: np.random.Generator, count: int, width_texels: float, size: int) -> FloatImage:
    """Mask (0..1) of ``count`` winding paths, each crossing the (size, size) tile and wrapping round."""
    mask = np.zeros((size, size), dtype=np.uint8)
    width = max(1, round(width_texels))
    x = np.arange(0.0, size + 16.0, 4.0)
    for i in range(count):
        k1, k2 = rng.integers(1, 4, 2)
        phase1, phase2 = rng.uniform(0.0, 2.0 * np.pi, 2)
        y = (
            rng.uniform(0.0, size)
            + rng.uniform(0.03, 0.1) * size * np.sin(2.0 * np.pi * k1 * x / size + phase1)
            + rng.uniform(0.0, 0.04) * size * np.sin(2.0 * np.pi * k2 * x / size + phase2)
        )
        # Draw the path and its copies one tile up and down, so it wraps seamlessly.
        curves = [np.round(np.column_stack([x, y + shift]) * 16).astype(np.int32) for shift in (-size, 0, size)]
        if i % 2:  # every other path runs north-south
            curves = [curve[:, ::-1].copy() for curve in curves]
        cv2.polylines(mask, curves, False, 255, width, cv2.LINE_AA, 4)
    return mask.astype(np.float32) / 255.0


def _draw_pitch(rng: np.random.Generator, style: GroundStyle, texture: NDArray[np.uint8]) -> None:
    """White lines of a 100 m x 64 m football pitch somewhere in the tile (in place)."""
    px = 1.0 / style.texel_m
    size = texture.shape[0]
    length, breadth = 100.0 * px, 64.0 * px
    if max(length, breadth) + 20 * px > size:
        return
    x0 = rng.uniform(10 * px, size - length - 10 * px)
    y0 = rng.uniform(10 * px, size - breadth - 10 * px)
    thickness = max(1, round(0.25 * px))
    white = (235, 240, 240)

    def box(x: float, y: float, w: float, h: float) -> None:
        pts = np.round(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) * 16).astype(np.int32)
        cv2.polylines(texture, [pts], True, white, thickness, cv2.LINE_AA, 4)

    box(x0, y0, length, breadth)
    box(x0, y0 + (breadth - 40.3 * px) / 2, 16.5 * px, 40.3 * px)
    box(x0 + length - 16.5 * px, y0 + (breadth - 40.3 * px) / 2, 16.5 * px, 40.3 * px)
    mid = np.round(np.array([[x0 + length / 2, y0], [x0 + length / 2, y0 + breadth]]) * 16).astype(np.int32)
    cv2.polylines(texture, [mid], False, white, thickness, cv2.LINE_AA, 4)
    centre = (round((x0 + length / 2) * 16), round((y0 + breadth / 2) * 16))
    cv2.circle(texture, centre, round(9.15 * px * 16), white, thickness, cv2.LINE_AA, 4)


def make_ground_texture(style: GroundStyle, seed: int) -> NDArray[np.uint8]:
    """The (T, T, 3) uint8 BGR tile, ``T = style.tile_texels``, fully determined by ``style`` and ``seed``.

    The colour field (grass, dry patches, dirt, stripes, paths) is smooth at the half-metre scale, so it
    is composed at a quarter of the resolution and enlarged; only the grain and the pitch's lines are
    made at full resolution.
    """
    rng = np.random.default_rng(seed)
    size = style.tile_texels
    low = size // 4
    broad = (
        0.5 * _periodic_noise(rng, 4, low) + 0.3 * _periodic_noise(rng, 16, low) + 0.2 * _periodic_noise(rng, 32, low)
    )
    colour = _lerp(
        np.broadcast_to(np.array(style.grass_bgr, dtype=np.float32), (low, low, 3)),
        style.dry_grass_bgr,
        _smoothstep(0.4, 0.75, broad),
    )
    patches = 0.5 * _periodic_noise(rng, size // 32, low) + 0.5 * _periodic_noise(rng, 16, low)
    colour = _lerp(colour, style.dirt_bgr, 0.8 * _smoothstep(0.66, 0.78, patches))
    if style.stripe_m > 0.0:
        # Mowing stripes along north, alternately lighter and darker; a whole number of pairs per tile.
        pairs = max(1, round(style.tile_m / (2.0 * style.stripe_m)))
        column = np.arange(low)
        stripes = np.where((column * 2 * pairs // low) % 2 == 0, 1.06, 0.94).astype(np.float32)
        colour *= stripes[None, :, None]
    paths = _draw_paths(rng, style.path_count, style.path_width_m / style.texel_m / 4.0, low)
    dirt = np.array(style.dirt_bgr, dtype=np.float32) * (0.9 + 0.2 * _periodic_noise(rng, size // 16, low))[..., None]
    colour = colour + (dirt - colour) * paths[..., None]
    colour_u8 = np.clip(colour, 0.0, 255.0).astype(np.uint8)
    texture = cv2.resize(np.pad(colour_u8, ((1, 1), (1, 1), (0, 0)), mode="wrap"), ((low + 2) * 4,) * 2)[4:-4, 4:-4]
    # Fine detail and grain, one grey factor per texel (128 = 1).
    grain = 0.88 + 0.24 * _periodic_noise(rng, size // 4, size) + rng.normal(0.0, 0.04, (size, size)).astype(np.float32)
    factor = np.clip(grain * 128.0, 0.0, 255.0).astype(np.uint8)
    texture = cv2.multiply(texture, cv2.merge([factor, factor, factor]), scale=1.0 / 128.0)
    if style.field_markings:
        _draw_pitch(rng, style, texture)
    return np.ascontiguousarray(texture)


def mip_pyramid(texture: NDArray[np.uint8], levels: int = 6) -> list[NDArray[np.uint8]]:
    """The texture and up to ``levels - 1`` halvings (wrapping at the borders, so each stays seamless)."""
    pyramid = [texture]
    while len(pyramid) < levels and pyramid[-1].shape[0] % 2 == 0 and pyramid[-1].shape[0] >= 64:
        pyramid.append(cv2.pyrDown(pyramid[-1], borderType=cv2.BORDER_WRAP))
    return pyramid
