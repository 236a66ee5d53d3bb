"""People as drawn figures: an articulated body in 3-D, projected part by part and painted far to near.

The body (for a 1.75 m person; everything scales with height) matches the cylinder
``dronecine.geometry.person`` uses for the true box: feet on the ground, the top of the hair at the
full height, shoulders and arms within 0.25 m of the axis, the torso an elliptic cylinder. Limbs are
capsules (thick lines with round ends), the head and hands spheres (discs), the torso the convex hull
of its two elliptic rings, so that it reads right from the side and from straight above (shoulders
and head). Legs and arms swing with the gait phase.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import PERSON_HEIGHT_M
from dronecine.geometry.camera import NEAR_PLANE_M
from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.people import People
from dronecine_sim.render.view import SCALE, SHIFT, View

FloatArray = NDArray[np.float64]

# Joints in the person's frame (forward, right, up), metres for a 1.75 m person, arms and legs hanging.
_HIP_M = np.array([[0.0, -0.09, 0.90], [0.0, 0.09, 0.90]])
_LEG_LENGTH_M = 0.83
_SHOULDER_M = np.array([[0.0, -0.195, 1.42], [0.0, 0.195, 1.42]])
_ARM_LENGTH_M = 0.6
_NECK_M = np.array([[0.0, 0.0, 1.46], [0.0, 0.0, 1.58]])
_HEAD_M = np.array([[0.0, 0.0, 1.625], [-0.025, 0.0, 1.645]])  # head centre, hair centre (back and up)
_SHOE_M = np.array([-0.05, 0.1])  # heel and toe, forward of the ankle
_RING_ANGLES = np.linspace(0.0, 2.0 * math.pi, 10, endpoint=False)
# Torso rings: (height, half-width to the side, half-depth front to back).
_TORSO_RINGS_M = ((0.86, 0.17, 0.14), (1.5, 0.2, 0.16))
_LEG_SWING_DEG = 12.0
_ARM_SWING_DEG = 14.0
_REST_STANCE_DEG = 7.0
_REST_ARM_DEG = 5.0

# Point indices of the body (see ``_body_points``).
_HIPS, _FEET, _HEELS, _TOES, _SHOULDERS, _HANDS, _NECK, _HEAD, _HAIR = (
    (0, 1),
    (2, 3),
    (4, 5),
    (6, 7),
    (8, 9),
    (10, 11),
    (12, 13),
    14,
    15,
)
_TORSO = np.arange(16, 16 + 2 * len(_RING_ANGLES))
_SLOTS = ("clothing", "trousers", "skin", "hair", "shoes")
_SHOES_BGR = np.array([45.0, 45.0, 50.0])
# Parts: (kind, first point, last point, radius_m, colour slot). The torso's points are ``_TORSO``.
# The hair and the head come last, in the order they are drawn when the face is seen.
_CAPSULE, _DISC, _HULL = 0, 1, 2
_PARTS = (
    (_CAPSULE, _HIPS[0], _FEET[0], 0.075, "trousers"),
    (_CAPSULE, _HIPS[1], _FEET[1], 0.075, "trousers"),
    (_CAPSULE, _HEELS[0], _TOES[0], 0.045, "shoes"),
    (_CAPSULE, _HEELS[1], _TOES[1], 0.045, "shoes"),
    (_HULL, _TORSO[0], _TORSO[-1], 0.0, "clothing"),
    (_CAPSULE, _SHOULDERS[0], _HANDS[0], 0.048, "clothing"),
    (_CAPSULE, _SHOULDERS[1], _HANDS[1], 0.048, "clothing"),
    (_DISC, _HANDS[0], _HANDS[0], 0.045, "skin"),
    (_DISC, _HANDS[1], _HANDS[1], 0.045, "skin"),
    (_CAPSULE, _NECK[0], _NECK[1], 0.05, "skin"),
    (_DISC, _HAIR, _HAIR, 0.105, "hair"),
    (_DISC, _HEAD, _HEAD, 0.115, "skin"),
)
_KIND = [p[0] for p in _PARTS]
_FIRST = [int(p[1]) for p in _PARTS]
_LAST = [int(p[2]) for p in _PARTS]
_RADIUS_M = np.array([p[3] for p in _PARTS])
_SLOT = [_SLOTS.index(p[4]) for p in _PARTS]
_TORSO_PART = 4
_HAIR_PART, _HEAD_PART = len(_PARTS) - 2, len(_PARTS) - 1


def person_half_width_m(height_m: FloatArray) -> FloatArray:
    """Horizontal half-extent of the drawn figure (m), for painter's ordering."""
    return 0.33 * height_m / PERSON_HEIGHT_M


def _body_points(people: People) -> FloatArray:
    """(K, M, 3) NED points of every person's joints and torso rings."""
    k = len(people)
    scale = people.height_m / PERSON_HEIGHT_M
    swing = np.sin(people.gait_phase_rad) * people.gait_amplitude
    # Standing still, a person rests with one foot a little ahead and the hands slightly forward.
    rest = 1.0 - people.gait_amplitude
    leg = np.radians(_LEG_SWING_DEG) * swing + np.radians(_REST_STANCE_DEG) * rest  # + : left leg forward
    arm = -np.radians(_ARM_SWING_DEG) * swing
    local = np.zeros((k, 16 + len(_TORSO), 3))  # (forward, right, up)
    local[:, _HIPS, :] = _HIP_M
    local[:, _SHOULDERS, :] = _SHOULDER_M
    for side, sign in enumerate((1.0, -1.0)):
        angle_leg, angle_arm = sign * leg, sign * arm + np.radians(_REST_ARM_DEG) * rest
        foot = local[:, _HIPS[side]] + _LEG_LENGTH_M * np.stack(
            [np.sin(angle_leg), np.zeros(k), -np.cos(angle_leg)], -1
        )
        local[:, _FEET[side]] = foot
        local[:, _HEELS[side]] = foot + np.array([_SHOE_M[0], 0.0, -0.025])
        local[:, _TOES[side]] = foot + np.array([_SHOE_M[1], 0.0, -0.025])
        local[:, _HANDS[side]] = local[:, _SHOULDERS[side]] + _ARM_LENGTH_M * np.stack(
            [np.sin(angle_arm), np.full(k, 0.01 * (1 - 2 * side)), -np.cos(angle_arm)], -1
        )
    local[:, _NECK, :] = _NECK_M
    local[:, [_HEAD, _HAIR], :] = _HEAD_M
    rings = [
        np.column_stack([depth * np.sin(_RING_ANGLES), width * np.cos(_RING_ANGLES), np.full(len(_RING_ANGLES), h)])
        for h, width, depth in _TORSO_RINGS_M
    ]
    local[:, _TORSO, :] = np.concatenate(rings)
    local *= scale[:, None, None]
    heading = np.radians(people.heading_deg)
    forward = np.stack([np.cos(heading), np.sin(heading), np.zeros(k)], -1)
    right = np.stack([-np.sin(heading), np.cos(heading), np.zeros(k)], -1)
    up = np.array([0.0, 0.0, -1.0])
    return (
        people.position_ned_m[:, None, :]
        + local[..., :1] * forward[:, None, :]
        + local[..., 1:2] * right[:, None, :]
        + local[..., 2:3] * up
    )


class ProjectedPeople:
    """Every person's body projected and coloured for one frame, vectorised over people; ``draw`` paints one."""

    def __init__(self, view: View, people: People, lighting: Lighting) -> None:
        points_cam = view.to_camera(_body_points(people))  # (K, M, 3)
        z = points_cam[..., 2]
        in_front = z > NEAR_PLANE_M
        with np.errstate(divide="ignore", invalid="ignore"):
            pixels = view.project(points_cam)
        self._fixed = view.fixed_point(np.nan_to_num(np.clip(pixels, -1e6, 1e6)))  # (K, M, 2)
        depth = (z[:, _FIRST] + z[:, _LAST]) / 2.0  # (K, P)
        depth[:, _TORSO_PART] = z[:, _TORSO].mean(axis=1)
        depth[:, _HAIR_PART] = depth[:, _HEAD_PART]
        self._valid = in_front[:, _FIRST] & in_front[:, _LAST]
        self._valid[:, _TORSO_PART] = in_front[:, _TORSO].all(axis=1)
        scale = people.height_m / PERSON_HEIGHT_M
        with np.errstate(divide="ignore"):
            radius_px = _RADIUS_M * (scale * view.focal_px)[:, None] / np.maximum(depth, NEAR_PLANE_M)
        self._thickness = np.maximum(1, np.round(2.0 * radius_px)).astype(int)
        self._radius_fixed = np.maximum(1, np.round(radius_px * SCALE)).astype(int)
        head = people.position_ned_m + (1.6 * scale)[:, None] * np.array([0.0, 0.0, -1.0])
        to_eye = view.eye_ned_m - head
        distance = np.maximum(np.linalg.norm(to_eye, axis=1), 1e-9)
        heading = np.radians(people.heading_deg)
        facing = (to_eye[:, 0] * np.cos(heading) + to_eye[:, 1] * np.sin(heading)) / distance
        from_above = -to_eye[:, 2] / distance
        # Seen from in front the face covers the hair below the hairline; from behind or above, the hair wins.
        hair_last = ~((facing > 0.2) & (from_above < 0.75))
        order = np.argsort(-depth, axis=1, kind="stable")  # far to near; hair before head when tied
        swap = hair_last[:, None] & ((order == _HAIR_PART) | (order == _HEAD_PART))
        order[swap] = np.where(order[swap] == _HAIR_PART, _HEAD_PART, _HAIR_PART)
        self._order = order
        self._colours = _lit_colours(people, lighting, to_eye, distance)  # (K, slots, 3)

    def draw(self, image: NDArray[np.uint8], index: int) -> None:
        """Paint person ``index``, parts far to near; a part with a point behind the near plane is skipped."""
        fixed = self._fixed[index].tolist()
        valid = self._valid[index].tolist()
        thickness = self._thickness[index].tolist()
        radius = self._radius_fixed[index].tolist()
        colours = [tuple(c) for c in self._colours[index].tolist()]
        for part in self._order[index].tolist():
            if not valid[part]:
                continue
            colour = colours[_SLOT[part]]
            kind = _KIND[part]
            if kind == _CAPSULE:
                start, end = fixed[_FIRST[part]], fixed[_LAST[part]]
                cv2.line(image, start, end, colour, thickness[part], cv2.LINE_AA, SHIFT)
            elif kind == _DISC:
                cv2.circle(image, fixed[_FIRST[part]], radius[part], colour, -1, cv2.LINE_AA, SHIFT)
            else:
                torso = self._fixed[index, _TORSO]
                cv2.fillConvexPoly(image, cv2.convexHull(torso), colour, cv2.LINE_AA, SHIFT)


def _lit_colours(people: People, lighting: Lighting, to_eye: FloatArray, distance: FloatArray) -> NDArray[np.float64]:
    """(K, slots, 3) colours, lit on the side the camera sees (and a little from above), faded by the haze."""
    horizontal = to_eye * np.array([1.0, 1.0, 0.0])
    norm = np.linalg.norm(horizontal, axis=1, keepdims=True)
    facing_camera = np.where(norm > 1e-6, horizontal / np.maximum(norm, 1e-6), 0.0)
    normal = 0.75 * facing_camera + np.array([0.0, 0.0, -0.45])
    gain = lighting.gain(normal / np.linalg.norm(normal, axis=1, keepdims=True))  # (K, 3)
    keep = np.exp(-distance / lighting.haze_scale_m)[:, None, None]
    albedo = np.stack(
        [
            people.clothing_bgr,
            people.trousers_bgr,
            people.skin_bgr,
            people.hair_bgr,
            np.broadcast_to(_SHOES_BGR, people.clothing_bgr.shape),
        ],
        axis=1,
    ).astype(float)
    return np.clip(albedo * gain[:, None, :] * keep + lighting.haze_bgr * (1.0 - keep), 0.0, 255.0)
