"""Checks on the predicted paths: drones keep apart, and shots do not see other drones unasked.

Separation is a hard rule: a plan whose predicted paths bring two flying drones closer than the
mission's ``min_separation_m`` is refused (the onboard safety supervisor enforces it again in
flight). Seeing another drone is a matter of taste the mission decides (``allow_drones_in_frame``):
the planner lists the shots that will likely see one, so the crew can allow it or change the shot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.camera import project_point
from dronecine.geometry.pointing import pointing_towards
from dronecine.ground.errors import PlanError
from dronecine.ground.timeline import DroneTimeline
from dronecine.mission.document import Mission
from dronecine.mission.motion import SubjectPath

FloatArray = NDArray[np.float64]

ON_GROUND_M = 0.5  # a drone lower than this is parked or landed: it keeps no separation
DRONE_SPAN_M = 0.5  # how wide a camera drone looks
MIN_VISIBLE_PX = 4.0  # smaller than this in the frame, another drone is a speck nobody sees
VISIBILITY_REPORT_FRACTION = 0.05  # a shot seeing another drone this often is listed


def pairwise_distances_m(positions_ned_m: FloatArray) -> FloatArray:
    """(..., D, D) distances between D drones at positions (..., D, 3); the diagonal is inf."""
    offset = positions_ned_m[..., :, None, :] - positions_ned_m[..., None, :, :]
    distance = np.linalg.norm(offset, axis=-1)
    count = positions_ned_m.shape[-2]
    distance[..., np.arange(count), np.arange(count)] = np.inf
    return distance


def closest_approach_m(a: FloatArray, b: FloatArray) -> float:
    """The smallest distance between two predicted paths (T, 3) at the same times, counting only the
    samples where both drones fly (inf if they never do together)."""
    both = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1) & (-a[:, 2] > ON_GROUND_M) & (-b[:, 2] > ON_GROUND_M)
    return float(np.linalg.norm(a[both] - b[both], axis=1).min()) if both.any() else float("inf")


def sees_drone(camera: PinholeCamera, pose: CameraPose, other_ned_m: FloatArray) -> bool:
    """Whether a drone at ``other_ned_m`` is in the frame of ``camera`` at ``pose``, near enough to be
    more than a speck (``MIN_VISIBLE_PX``)."""
    if np.linalg.norm(other_ned_m - pose.position_ned_m) > camera.focal_px * DRONE_SPAN_M / MIN_VISIBLE_PX:
        return False
    uv = project_point(camera, pose, other_ned_m)
    return bool(np.isfinite(uv).all() and 0.0 <= uv[0] <= 1.0 and 0.0 <= uv[1] <= 1.0)


def check_separation(
    mission: Mission, timelines: Sequence[DroneTimeline], times_s: FloatArray, predicted_ned_m: FloatArray
) -> float:
    """The smallest predicted distance between two flying drones; ``PlanError`` if below the minimum."""
    if len(timelines) < 2:
        return float("inf")
    positions = np.transpose(predicted_ned_m, (1, 0, 2))  # (T, D, 3)
    distance = pairwise_distances_m(positions)
    grounded = -positions[..., 2] < ON_GROUND_M
    distance[grounded[:, :, None] | grounded[:, None, :]] = np.inf
    closest = float(distance.min())
    limit = mission.safety.min_separation_m
    if closest < limit:
        k, i, j = np.unravel_index(int(np.argmin(distance)), distance.shape)
        t = float(times_s[k])
        raise PlanError(
            f"drones {timelines[i].drone_id!r} and {timelines[j].drone_id!r} would come {closest:.1f} m apart "
            f"at t={t:.1f} s ({_when(mission, t)}); safety.min_separation_m is {limit:g}: move one of their shots "
            "(bearing, distance or height) apart"
        )
    return closest


def predicted_visibility(
    mission: Mission,
    timelines: Sequence[DroneTimeline],
    times_s: FloatArray,
    predicted_ned_m: FloatArray,
    paths: dict[str, SubjectPath],
) -> tuple[str, ...]:
    """One line per shot that would see another drone the shot does not allow, in more than
    ``VISIBILITY_REPORT_FRACTION`` of its predicted frames."""
    lines = []
    for i, timeline in enumerate(timelines):
        camera = mission.drone(timeline.drone_id).camera.pinhole()
        for shot in timeline.shots:
            during = (times_s >= shot.start_s + shot.transit_s) & (times_s < shot.end_s)
            if not during.any():
                continue
            path = paths[shot.subject_id]
            eye = predicted_ned_m[i, during]
            subject = np.array([path.state_at(float(t)).position_ned_m for t in times_s[during]])
            subject[:, 2] -= path.height_m / 2.0
            yaw, pitch = pointing_towards(eye, subject)
            for j, other in enumerate(timelines):
                if j == i or other.drone_id in shot.spec.allow_drones_in_frame:
                    continue
                seen = _in_view(camera, eye, yaw, pitch, predicted_ned_m[j, during])
                if seen.mean() > VISIBILITY_REPORT_FRACTION:
                    lines.append(
                        f"scene {shot.scene!r}: {timeline.drone_id}'s {shot.spec.move} would see {other.drone_id} "
                        f"in {seen.mean():.0%} of its frames (allow it with allow_drones_in_frame, or move a shot)"
                    )
    return tuple(lines)


def _in_view(camera, eye: FloatArray, yaw: FloatArray, pitch: FloatArray, other: FloatArray) -> NDArray[np.bool_]:
    return np.array(
        [
            -other[k, 2] >= ON_GROUND_M
            and sees_drone(camera, CameraPose.from_angles(eye[k], float(yaw[k]), float(pitch[k])), other[k])
            for k in range(len(eye))
        ],
        dtype=bool,
    )


def _when(mission: Mission, t_s: float) -> str:
    if t_s < 0.0:
        return "during take-off, before action"
    for k, scene in enumerate(mission.scenes):
        if t_s < mission.scene_start_s(k) + scene.duration_s:
            return f"scene {scene.name!r}"
    return "on the way home"
