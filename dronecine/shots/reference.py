"""From a move's offset to the camera reference: image target and pointing, for one drone or many.

Everything here runs on arrays with a leading batch dimension (N drones) and on single
drones alike (no batch dimension); ``Shot.reference`` and ``ShotBatch.reference`` both call
``camera_references``, so the framing and pointing rules exist once. ``image_targets`` is its
first half, for callers that need no pointing (the simulator's reward).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera, pointing_to_place
from dronecine.geometry.person import project_person_boxes
from dronecine.shots.framing import headroom_target_v, lead_target_u
from dronecine.shots.subject import SubjectState

# A level camera (no roll) looking steeply down can put the subject off-centre horizontally
# only by turning away from it, and not at all beyond its reach (see ``_reachable_u``). Below
# this reach, horizontal offsets (thirds, lead room) shrink in proportion, so that near a
# top-down view the camera does not swing round as the lead room changes side...
_STEEP_REACH = 0.25
# ... and an offset never uses more than this fraction of the reach (the camera turns at
# most about asin(0.8) = 53 degrees away from the subject's bearing to place it).
_MAX_REACH_FRACTION = 0.8
# Pointing puts the body's centre where the box centre should be, then corrects for the
# perspective that shifts the box off the body's centre (large when close and steep). Always
# the same number of corrections: stopping early once "close enough" would make the pointing
# jump whenever the error crosses the threshold (by a degree of yaw in a steep view).
_BOX_CENTRE_CORRECTIONS = 2

Numbers = float | NDArray[np.float64]


@dataclass(frozen=True)
class ShotSettings:
    """A shot's size and framing as numbers: floats for one shot, (N,) arrays for a batch.

    ``keeps_range`` is the move's: when true the size sets h*, else the geometry does.
    ``headroom`` is NaN where the shot size picks it.
    """

    target_height: Numbers
    keeps_range: bool | NDArray[np.bool_]
    composition_u: Numbers
    lead_room: Numbers
    lead_speed_m_s: Numbers
    headroom: Numbers


@dataclass(frozen=True)
class CameraReferences:
    """What the shots ask of N cameras at one instant (see ``CameraReference`` for one).

    Positions and offsets are (N, 3), the rest (N,); ``target_u``, ``target_v`` and
    ``target_h`` are where each subject's box should be and how tall.
    """

    position_ned_m: NDArray[np.float64] = field(repr=False)
    offset_ned_m: NDArray[np.float64] = field(repr=False)
    yaw_deg: NDArray[np.float64]
    pitch_deg: NDArray[np.float64]
    target_u: NDArray[np.float64]
    target_v: NDArray[np.float64]
    target_h: NDArray[np.float64]


@dataclass(frozen=True)
class ImageTargets:
    """Where N cameras should be and where each subject's box should sit in their images: a
    ``CameraReferences`` without the pointing (what a reward needs; pointing is the costly part)."""

    position_ned_m: NDArray[np.float64] = field(repr=False)
    target_u: NDArray[np.float64]
    target_v: NDArray[np.float64]
    target_h: NDArray[np.float64]


def camera_references(
    camera: PinholeCamera, offset_ned_m: NDArray[np.float64], subject: SubjectState, settings: ShotSettings
) -> CameraReferences:
    """The references of cameras at ``subject``'s position plus ``offset_ned_m`` (what a move gives)."""
    targets = image_targets(camera, offset_ned_m, subject, settings)
    position, target_u, target_v = targets.position_ned_m, targets.target_u, targets.target_v
    yaw, pitch = _pointing(camera, position, subject.aim_point_ned_m, subject, target_u, target_v)
    return CameraReferences(position, offset_ned_m, yaw, pitch, target_u, target_v, targets.target_h)


def image_targets(
    camera: PinholeCamera, offset_ned_m: NDArray[np.float64], subject: SubjectState, settings: ShotSettings
) -> ImageTargets:
    """The positions and image targets of ``camera_references``, without its pointing."""
    position = subject.position_ned_m + offset_ned_m
    aim = subject.aim_point_ned_m
    sight = aim - position
    horizontal = np.hypot(sight[..., 0], sight[..., 1])
    # The subject's box height seen from here, for moves that change the range by design.
    slant = np.hypot(horizontal, sight[..., 2])
    seen_h = camera.focal_px * subject.height_m / (np.maximum(slant, 1e-3) * camera.height_px)
    target_h = np.where(settings.keeps_range, settings.target_height, seen_h)
    # Lead room follows the subject's speed across the image: along the camera's right, level.
    bearing = np.arctan2(sight[..., 1], sight[..., 0])
    velocity = subject.velocity_ned_m_s
    lateral_speed = velocity[..., 1] * np.cos(bearing) - velocity[..., 0] * np.sin(bearing)
    target_v = headroom_target_v(settings.headroom, target_h)
    lead_u = lead_target_u(settings.composition_u, settings.lead_room, settings.lead_speed_m_s, lateral_speed)
    target_u = _reachable_u(camera, lead_u, target_v, horizontal, sight[..., 2])
    return ImageTargets(position, target_u, target_v, target_h)


def _reachable_u(
    camera: PinholeCamera, u: Numbers, v: Numbers, horizontal_m: Numbers, down_m: Numbers
) -> NDArray[np.float64]:
    """u* limited to what a level camera can do for a subject seen steeply from above or below.

    With no roll, the camera's x axis stays horizontal, so a ray through (u, v) dips at most
    acos(|x| / |ray|) below the horizon: a subject at depression delta (``down_m`` below,
    ``horizontal_m`` away) can sit at most ``reach = (f / W) |cot delta| sqrt(1 + y^2)`` from the
    centre column, and getting close to that turns the camera far away from the subject.
    """
    cot = horizontal_m / np.maximum(np.abs(down_m), 1e-9)
    y = (v - 0.5) * camera.height_px / camera.focal_px
    reach = camera.focal_px / camera.width_px * cot * np.sqrt(1.0 + y * y)
    limit = _MAX_REACH_FRACTION * reach
    shift = u - 0.5
    untouched = (reach >= _STEEP_REACH) & (np.abs(shift) <= limit)  # the usual case
    shrunk = shift * np.minimum(1.0, reach / _STEEP_REACH)
    return np.where(untouched, u, 0.5 + np.minimum(np.maximum(shrunk, -limit), limit))


def _pointing(
    camera: PinholeCamera,
    position: NDArray[np.float64],
    aim: NDArray[np.float64],
    subject: SubjectState,
    target_u: Numbers,
    target_v: Numbers,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(yaw, pitch) that put the subject's box centre (not its body's centre) on the target."""
    aim_u, aim_v = target_u, target_v
    yaw, pitch = pointing_to_place(camera, position, aim, aim_u, aim_v)
    placing = True
    for _ in range(_BOX_CENTRE_CORRECTIONS):
        pose = CameraPose.from_angles(position, yaw, pitch)
        box = project_person_boxes(camera, pose, subject.position_ned_m, subject.height_m)
        # A NaN box: part of the subject is behind the camera, there is no box to place, and
        # that camera keeps its pointing from here on.
        placing = placing & ~np.isnan(box[..., 0] + box[..., 1])
        aim_u = np.where(placing, aim_u + target_u - box[..., 0], aim_u)
        aim_v = np.where(placing, aim_v + target_v - box[..., 1], aim_v)
        placed_yaw, placed_pitch = pointing_to_place(camera, position, aim, aim_u, aim_v)
        yaw = np.where(placing, placed_yaw, yaw)
        pitch = np.where(placing, placed_pitch, pitch)
    return yaw, pitch
