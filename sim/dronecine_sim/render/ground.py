"""The sky and the ground of a frame: a sky gradient, then the textured ground plane warped into
perspective with one homography, faded into the haze with distance.

The ground is the plane ``down = 0``. A pixel shows ground only where its ray descends (``D > 0``
below, the down component of the ray): the warp's inverse homography would also give pixels above
the horizon a texture point (the mirror image behind the camera), so every pixel's ground weight is
``exp(-distance / haze scale)`` there and exactly 0 where the ray does not descend, and the frame is
``weight * ground + (1 - weight) * sky``. The sky colour below the horizon is the haze colour, so far
ground fades into it seamlessly. Only the rows that can show ground are warped and blended.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import PinholeCamera
from dronecine_sim.render.ground_texture import make_ground_texture, mip_pyramid
from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.view import View, clip_convex
from dronecine_sim.world import World

# The sky is smooth: compute it on a grid this many times coarser and enlarge it.
_SKY_STEP_PX = 8
# Where the haze weight is smooth it is computed on a grid this many pixels apart and enlarged.
_WEIGHT_STEP_PX = 4
# A camera at or below the ground sees it from this height (m), so the homography stays finite.
_MIN_HEIGHT_M = 0.01

ShadowHook = Callable[[NDArray[np.uint8], tuple[int, int], View, Lighting], None]


class GroundPainter:
    """Paints sky and ground for one camera; keeps the texture, its lit mip-maps and scratch buffers."""

    def __init__(self, world: World, camera: PinholeCamera) -> None:
        self.style = world.ground
        self._texture = make_ground_texture(world.ground, world.seed)
        self._lit: tuple[Lighting, list[NDArray[np.uint8]]] | None = None
        width, height = camera.width_px, camera.height_px
        focal = camera.focal_px
        cx, cy = width / 2.0 - 0.5, height / 2.0 - 0.5
        self._x_cam = ((np.arange(width) - cx) / focal).astype(np.float32)  # ray x at z = 1, per column
        self._y_cam = ((np.arange(height) - cy) / focal).astype(np.float32)  # ray y at z = 1, per row
        self._ray_length = np.sqrt(self._x_cam[None, :] ** 2 + self._y_cam[:, None] ** 2 + 1.0).astype(np.float32)
        # Flat scratch buffers: a prefix reshaped to the ground rectangle is contiguous.
        self._ground = np.empty(height * width * 3, dtype=np.uint8)
        self._weight = np.empty(height * width, dtype=np.float32)
        self._rest = np.empty(height * width, dtype=np.float32)
        sky_h, sky_w = -(-height // _SKY_STEP_PX), -(-width // _SKY_STEP_PX)
        # Pixel positions the coarse sky samples stand for, as cv2.resize maps them.
        ys = (np.arange(sky_h) + 0.5) * height / sky_h - 0.5
        xs = (np.arange(sky_w) + 0.5) * width / sky_w - 0.5
        self._sky_rays_cam = np.stack(
            [*np.meshgrid((xs - cx) / focal, (ys - cy) / focal), np.ones((sky_h, sky_w))], axis=-1
        )
        self._intrinsics = np.array([[focal, 0.0, cx], [0.0, focal, cy], [0.0, 0.0, 1.0]])
        self._size = (width, height)

    def lit_pyramid(self, lighting: Lighting) -> list[NDArray[np.uint8]]:
        """The texture lit by the sun and sky, with its mip-maps; recomputed only when the lighting changes."""
        if self._lit is None or self._lit[0] != lighting:
            gain = lighting.ground_gain_bgr
            lit = cv2.multiply(self._texture, (*gain.tolist(), 0.0))
            self._lit = (lighting, mip_pyramid(lit))
        return self._lit[1]

    def paint(self, out: NDArray[np.uint8], view: View, lighting: Lighting, shadows: ShadowHook | None = None) -> None:
        """Fill ``out`` (H, W, 3) with sky and hazy ground. ``shadows(ground, (x0, y0), view, lighting)`` may
        darken the warped ground (the frame's rectangle from column x0, row y0) before the haze is applied."""
        rotation = view.rotation_ned_from_camera
        self._paint_sky(out, rotation, lighting)
        eye = view.eye_ned_m.copy()
        eye[2] = min(eye[2], -_MIN_HEIGHT_M)
        height_m = -eye[2]
        a, b, c = (float(v) for v in rotation[2])  # D(x, y) = a x + b y + c: the ray's down component
        # Where D < d_min the ground weight is below 1/1024 whatever the pixel: leave those pixels to the sky.
        d_min = height_m / (lighting.haze_scale_m * math.log(1024.0))
        rect = self._ground_rect(a, b, c, d_min)
        if rect is None:
            return
        x0, y0, x1, y1 = rect
        rows, cols = y1 - y0, x1 - x0
        pyramid = self.lit_pyramid(lighting)
        level, anchor = self._level_and_anchor(eye, rotation, rect, len(pyramid), view.focal_px, lighting)
        texel = self.style.texel_m * 2**level
        half = self.style.tile_m / 2.0
        plane_from_texture = np.array(
            [
                [0.0, -texel, anchor[0] + half - 0.5 * texel],
                [texel, 0.0, anchor[1] - half + 0.5 * texel],
                [0.0, 0.0, 1.0],
            ]
        )
        image_from_plane = (
            self._intrinsics @ rotation.T @ np.array([[1.0, 0.0, -eye[0]], [0.0, 1.0, -eye[1]], [0.0, 0.0, height_m]])
        )
        rect_from_image = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
        texture_from_rect = np.linalg.inv(rect_from_image @ image_from_plane @ plane_from_texture)
        ground = self._ground[: rows * cols * 3].reshape(rows, cols, 3)
        cv2.warpPerspective(
            pyramid[level],
            texture_from_rect,
            (cols, rows),
            dst=ground,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_WRAP,
        )
        if shadows is not None:
            shadows(ground, (x0, y0), view, lighting)
        weight, rest = self._haze_weights((a, b, c), rect, -height_m / lighting.haze_scale_m)
        frame = out[y0:y1, x0:x1]  # rows are strided, which OpenCV writes through in place
        cv2.blendLinear(ground, frame, weight, rest, dst=frame)

    def _haze_weights(
        self, plane: tuple[float, float, float], rect: tuple[int, int, int, int], rate: float
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Ground weight ``exp(rate * |ray| / D)`` (``rate = -height / haze scale``; the distance along a ray is
        ``height * |ray| / D``) and one minus it, over ``rect``; exactly 0 where ``D <= 0``. Where the horizon is
        far from the rectangle the weight is smooth, so it is computed every few pixels and enlarged."""
        a, b, c = plane
        x0, y0, x1, y1 = rect
        rows, cols = y1 - y0, x1 - x0
        weight = self._weight[: rows * cols].reshape(rows, cols)
        rest = self._rest[: rows * cols].reshape(rows, cols)
        x_ends, y_ends = self._x_cam[[x0, x1 - 1]], self._y_cam[[y0, y1 - 1]]
        d_low = min(a * x + b * y + c for x in x_ends for y in y_ends)
        cell_change = math.hypot(a, b) / self._intrinsics[0, 0] * _WEIGHT_STEP_PX
        if d_low > 0.0 and cell_change < 0.02 * d_low and min(rows, cols) >= 2 * _WEIGHT_STEP_PX:
            coarse_rows, coarse_cols = -(-rows // _WEIGHT_STEP_PX), -(-cols // _WEIGHT_STEP_PX)
            # The pixel positions cv2.resize takes the coarse samples to stand for.
            ys = y0 + (np.arange(coarse_rows) + 0.5) * rows / coarse_rows - 0.5
            xs = x0 + (np.arange(coarse_cols) + 0.5) * cols / coarse_cols - 0.5
            focal, cx, cy = self._intrinsics[0, 0], self._intrinsics[0, 2], self._intrinsics[1, 2]
            x_cam, y_cam = ((xs - cx) / focal)[None, :], ((ys - cy) / focal)[:, None]
            length = np.sqrt(x_cam**2 + y_cam**2 + 1.0)
            coarse = np.exp(rate * length / (a * x_cam + b * y_cam + c)).astype(np.float32)
            cv2.resize(coarse, (cols, rows), dst=weight, interpolation=cv2.INTER_LINEAR)
        else:
            np.add((b * self._y_cam[y0:y1] + c)[:, None], (a * self._x_cam[x0:x1])[None, :], out=weight)
            np.maximum(weight, 1e-7, out=weight)
            np.divide(self._ray_length[y0:y1, x0:x1], weight, out=weight)
            weight *= rate
            cv2.exp(weight, weight)
        np.subtract(1.0, weight, out=rest)
        return weight, rest

    def _ground_rect(self, a: float, b: float, c: float, d_min: float) -> tuple[int, int, int, int] | None:
        """Pixel rectangle (x0, y0, x1, y1), ends exclusive, bounding the pixels with ``D >= d_min``."""
        width, height = self._size
        focal = self._intrinsics[0, 0]
        cx, cy = self._intrinsics[0, 2], self._intrinsics[1, 2]
        corners_px = np.array([[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]])
        corners = np.column_stack([(corners_px - [cx, cy]) / focal, np.ones(4)])
        region = clip_convex(corners, np.array([a, b, c]), -d_min)
        if len(region) < 3:
            return None
        xs = region[:, 0] * focal + cx
        ys = region[:, 1] * focal + cy
        x0, x1 = max(0, math.floor(xs.min() + 0.5)), min(width, math.ceil(xs.max() + 0.5))
        y0, y1 = max(0, math.floor(ys.min() + 0.5)), min(height, math.ceil(ys.max() + 0.5))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def _paint_sky(self, out: NDArray[np.uint8], rotation: NDArray[np.float64], lighting: Lighting) -> None:
        rays = self._sky_rays_cam @ rotation.T
        rays /= np.linalg.norm(rays, axis=-1, keepdims=True)
        elevation = np.degrees(np.arcsin(np.clip(-rays[..., 2], -1.0, 1.0)))
        sun_angle = np.degrees(np.arccos(np.clip(rays @ lighting.sun_direction_ned, -1.0, 1.0)))
        sky = np.clip(lighting.sky_bgr(elevation, sun_angle), 0.0, 255.0).astype(np.uint8)
        cv2.resize(sky, self._size, dst=out, interpolation=cv2.INTER_LINEAR)

    def _level_and_anchor(
        self,
        eye: NDArray[np.float64],
        rotation: NDArray[np.float64],
        rect: tuple[int, int, int, int],
        levels: int,
        focal: float,
        lighting: Lighting,
    ) -> tuple[int, tuple[float, float]]:
        """The finest mip level whose texels are at least the pixels' footprint on the ground (the median over a grid
        of the visible ground), and the tile-aligned anchor (north, east) nearest the ground seen there (it
        keeps texture coordinates small; the tile repeats, so any whole tile gives the same image)."""
        x0, y0, x1, y1 = rect
        cx, cy = self._intrinsics[0, 2], self._intrinsics[1, 2]
        xs, ys = np.meshgrid(np.linspace(x0, x1 - 1, 7), np.linspace(y0, y1 - 1, 7))
        rays = np.stack([(xs.ravel() - cx) / focal, (ys.ravel() - cy) / focal, np.ones(xs.size)], -1) @ rotation.T
        descent = rays[:, 2]
        length = np.linalg.norm(rays, axis=1)
        height_m = -eye[2]
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = height_m * length / descent
        seen = (descent > 0.0) & (distance < 2.0 * lighting.haze_scale_m)  # ground worth resolving
        if not seen.any():
            seen = descent > 0.0
        distance, descent, length, rays = distance[seen], descent[seen], length[seen], rays[seen]
        footprint = distance / focal / np.sqrt(descent / length)
        median = int(np.argsort(footprint)[len(footprint) // 2])
        # Rounded up: a little blur is better than shimmering (and coarser levels are faster to sample).
        level = int(np.clip(math.ceil(math.log2(footprint[median] / self.style.texel_m) - 0.05), 0, levels - 1))
        point = eye + (height_m / descent[median]) * rays[median]
        tile = self.style.tile_m
        return level, (tile * round(point[0] / tile), tile * round(point[1] / tile))
