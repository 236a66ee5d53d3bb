"""Buildings as shaded boxes, their shadows on the ground, and the painter's order of boxes and people.

Every drawable (a building, a person's bounding box) is an axis-aligned box. Two disjoint boxes are
separated along some axis, and the plane between them decides which is in front wherever they
overlap on screen: the one on the eye's side. Drawing far to near in that order (a topological sort;
among the boxes free to go next, the farthest first) is exact for disjoint boxes, unlike sorting by
distance, which fails for a person in front of a long wall seen obliquely.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.view import SHIFT, View
from dronecine_sim.world import Buildings

FloatArray = NDArray[np.float64]

# Box corner c has coordinate max on axis k where bit k of c is set, min otherwise.
_CORNER_BITS = np.array([[(c >> k) & 1 for k in range(3)] for c in range(8)], dtype=bool)
# Faces: (axis, 0 for the min side / 1 for the max side, corners in order round the face).
_FACES = (
    (0, 0, (0, 2, 6, 4)),
    (0, 1, (1, 3, 7, 5)),
    (1, 0, (0, 1, 5, 4)),
    (1, 1, (2, 3, 7, 6)),
    (2, 0, (0, 1, 3, 2)),  # the roof; the floor (down max) is never seen from above ground
)
_FACE_NORMALS = np.array([[-1.0, 0, 0], [1.0, 0, 0], [0, -1.0, 0], [0, 1.0, 0], [0, 0, -1.0]])
_FLOOR_M = 3.2  # storey height: facades get a darker line at each floor
_INTERIOR_BGR = (40, 40, 45)


def box_corners(lo: FloatArray, hi: FloatArray) -> FloatArray:
    """(..., 8, 3) corners of boxes (..., 3)."""
    return np.where(_CORNER_BITS, hi[..., None, :], lo[..., None, :])


def painter_order(lo: FloatArray, hi: FloatArray, eye: FloatArray) -> list[int]:
    """Indices of the boxes ``lo``/``hi`` (n, 3) in drawing order, far to near, seen from ``eye`` (3,)."""
    n = lo.shape[0]
    if n <= 1:
        return list(range(n))
    lo_i, hi_i, lo_j, hi_j = lo[:, None], hi[:, None], lo[None, :], hi[None, :]
    i_below = hi_i <= lo_j  # (n, n, 3): box i entirely on the low side of box j along the axis
    i_above = hi_j <= lo_i
    i_front = (i_below & (eye <= hi_i)) | (i_above & (eye >= lo_i))
    j_front = (i_below & (eye >= lo_j)) | (i_above & (eye <= hi_j))
    between = (i_below & (eye > hi_i) & (eye < lo_j)) | (i_above & (eye > hi_j) & (eye < lo_i))
    # after[i, j]: i must be drawn after j. Contradictory or "eye between" separations mean the two
    # cannot overlap on screen, so they need no order.
    after = i_front.any(-1) & ~j_front.any(-1) & ~between.any(-1)
    centre = (lo + hi) / 2.0
    distance = np.linalg.norm(np.maximum(np.maximum(lo - eye, eye - hi), 0.0), axis=-1) + 1e-3 * np.linalg.norm(
        centre - eye, axis=-1
    )
    remaining = np.ones(n, dtype=bool)
    order = []
    for _ in range(n):
        free = remaining & ~(after & remaining[None, :]).any(axis=1)
        if not free.any():  # a cycle (rare with boxes on the ground): break it by distance
            free = remaining
        candidates = np.flatnonzero(free)
        pick = int(candidates[np.argmax(distance[candidates])])
        order.append(pick)
        remaining[pick] = False
    return order


def visible_in_frustum(view: View, lo: FloatArray, hi: FloatArray) -> NDArray[np.bool_]:
    """(n,) whether each box may show in the frame (not entirely behind the camera or beside the view)."""
    corners = view.to_camera(box_corners(lo, hi))  # (n, 8, 3)
    x, y, z = corners[..., 0], corners[..., 1], corners[..., 2]
    camera = view.camera
    tx = camera.width_px / 2.0 / view.focal_px
    ty = camera.height_px / 2.0 / view.focal_px
    outside = (z <= 0.0).all(-1) | (x > tx * z).all(-1) | (-x > tx * z).all(-1)
    outside |= (y > ty * z).all(-1) | (-y > ty * z).all(-1)
    return ~outside


class BuildingPainter:
    """Draws buildings (shaded faces with storey lines) and their shadows for one world."""

    def __init__(self, buildings: Buildings) -> None:
        self.buildings = buildings
        self._corners = box_corners(buildings.min_ned_m, buildings.max_ned_m)
        self._shadow_mask: NDArray[np.uint8] | None = None

    def eye_inside(self, view: View) -> bool:
        return bool(self.buildings.inside(view.eye_ned_m[None, :])[0])

    @staticmethod
    def fill_interior(image: NDArray[np.uint8], lighting: Lighting) -> None:
        """What a camera inside a building sees: a dark wall."""
        image[:] = np.clip(np.array(_INTERIOR_BGR) * lighting.brightness, 0, 255).astype(np.uint8)

    def draw(self, image: NDArray[np.uint8], view: View, index: int, lighting: Lighting) -> None:
        """Draw building ``index``'s faces that face the eye (a box's visible faces never overlap)."""
        lo, hi = self.buildings.min_ned_m[index], self.buildings.max_ned_m[index]
        eye = view.eye_ned_m
        albedo = self.buildings.colour_bgr[index].astype(float)
        gains = lighting.gain(_FACE_NORMALS)
        centre = (lo + hi) / 2.0
        keep = float(np.exp(-np.linalg.norm(centre - eye) / lighting.haze_scale_m))
        haze = lighting.haze_bgr * (1.0 - keep)
        corners = self._corners[index]
        for face, (axis, side, corner_ids) in enumerate(_FACES):
            if not (eye[axis] > hi[axis] if side else eye[axis] < lo[axis]):
                continue
            polygon = view.clip_polygon(view.to_camera(corners[list(corner_ids)]))
            if len(polygon) < 3:
                continue
            colour = np.clip(albedo * gains[face] * keep + haze, 0.0, 255.0)
            points = view.fixed_point(view.project(polygon))
            cv2.fillConvexPoly(image, points, colour.tolist(), cv2.LINE_AA, SHIFT)
            line = (colour * 0.72).tolist()
            if axis != 2:
                self._storey_lines(image, view, corners[list(corner_ids)], line)
            cv2.polylines(image, [points], True, line, 1, cv2.LINE_AA, SHIFT)

    @staticmethod
    def _storey_lines(image: NDArray[np.uint8], view: View, face: FloatArray, colour: list[float]) -> None:
        """A line along a facade at every storey, so walls show scale and motion; skipped when tiny."""
        top, bottom = face[:, 2].min(), face[:, 2].max()
        levels = np.arange(bottom - _FLOOR_M, top + 0.5 * _FLOOR_M, -_FLOOR_M)
        if len(levels) == 0:
            return
        # The face's two bottom corners, lifted to each storey.
        base = face[face[:, 2] == bottom][:2]
        ends = np.repeat(base[None, :, :], len(levels), axis=0)
        ends[..., 2] = levels[:, None]
        segments = view.clip_segments(view.to_camera(ends))  # (L', 2, 3)
        if not len(segments):
            return
        pixels = view.project(segments)
        # Storeys closer than a few pixels apart would only smear the facade.
        if len(pixels) > 1 and np.median(np.abs(np.diff(pixels[:, :, 1].mean(axis=1)))) < 4.0:
            return
        cv2.polylines(image, list(view.fixed_point(pixels)), False, colour, 1, cv2.LINE_AA, SHIFT)

    def shade_shadows(self, ground: NDArray[np.uint8], origin: tuple[int, int], view: View, lighting: Lighting) -> None:
        """Darken the warped ground (the frame's rectangle from column, row ``origin``) where buildings cast
        their shadows."""
        if not len(self.buildings):
            return
        mask = self._mask_for(ground)
        sun = lighting.sun_direction_ned
        # Roof corners slide along the sun's rays down to the ground: a shadow is the hull of the
        # footprint and that image of the roof.
        reach = -self._corners[:, :4, 2:3] / max(-sun[2], 1e-3)  # (B, 4, 1) metres along the ray per corner
        tips = self._corners[:, :4, :2] - reach * sun[:2]
        footprints = self._corners[:, :4, :2]
        bounds = [np.inf, np.inf, -np.inf, -np.inf]  # the shadows' pixel bounds: x min, y min, x max, y max
        for b in range(len(self.buildings)):
            outline = cv2.convexHull(np.concatenate([footprints[b], tips[b]]).astype(np.float32))[:, 0, :]
            polygon = np.column_stack([outline, np.zeros(len(outline))]).astype(float)
            clipped = view.clip_polygon(view.to_camera(polygon))
            if len(clipped) < 3:
                continue
            pixels = view.project(clipped) - origin
            cv2.fillConvexPoly(mask, view.fixed_point(pixels), 255, cv2.LINE_8, SHIFT)
            low, high = pixels.min(axis=0), pixels.max(axis=0)
            bounds = [min(bounds[0], low[0]), min(bounds[1], low[1]), max(bounds[2], high[0]), max(bounds[3], high[1])]
        if not np.isfinite(bounds).all():
            return
        rows, cols = ground.shape[:2]
        c0, r0 = max(0, math.floor(bounds[0])), max(0, math.floor(bounds[1]))
        c1, r1 = min(cols, math.ceil(bounds[2]) + 1), min(rows, math.ceil(bounds[3]) + 1)
        if r0 < r1 and c0 < c1:
            patch, patch_mask = ground[r0:r1, c0:c1], mask[r0:r1, c0:c1]  # strided views, written in place
            dark = cv2.multiply(patch, (lighting.shadow_factor,) * 3 + (0.0,))
            cv2.copyTo(dark, patch_mask, patch)
            patch_mask[:] = 0

    def _mask_for(self, ground: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """A zeroed (rows, cols) mask over a flat buffer that is kept all zero between calls."""
        rows, cols = ground.shape[:2]
        if self._shadow_mask is None or self._shadow_mask.size < rows * cols:
            self._shadow_mask = np.zeros(rows * cols, dtype=np.uint8)
        return self._shadow_mask[: rows * cols].reshape(rows, cols)
