"""Transits go round people, not through them (and so do the pre-roll to the first marks and the
flight home).

A transit flies straight at its shot's start, which moves with a walking or running subject; the
straight line can pass over a person's head (seen in robot_skies: 0.5 m from one at 1.8 m up, and
1.5 m from the drone's own subject, the camera swinging 50 deg/s and losing her). When the line to
the target passes within a person's clearance, the drone heads for the tangent of the clearance
circle on the target's side instead; re-aimed every period, that flies an arc round the person
until the line is clear. Horizontal only: heights are the planner's business (floor, ceiling,
separation).

The detour plans wider than the supervisor keeps (``DETOUR_MARGIN_M`` beyond each person's zone,
at least ``PERSON_CLEARANCE_M``): a transit that aims at the edge of a zone is one the supervisor
keeps stopping, and a mission's wider clearance or a bystander who wanders is the zone's business,
so the detour follows the zones rather than a number of its own.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

PERSON_CLEARANCE_M = 4.0  # a transit keeps at least this far from a person...
DETOUR_MARGIN_M = 1.5  # ...and this much beyond the supervisor's clearance of them...
_TARGET_SHARE = 0.8  # ...or this share of the target's own distance from them, if closer


def detour_clearance_m(zone_clearance_m: ArrayLike) -> FloatArray:
    """How far a transit plans to keep from people the supervisor keeps ``zone_clearance_m`` from."""
    return np.maximum(PERSON_CLEARANCE_M, np.asarray(zone_clearance_m, dtype=float) + DETOUR_MARGIN_M)


def around_people(
    position_ned_m: FloatArray, target_ned_m: FloatArray, people_ned_m: FloatArray, clearance_m: ArrayLike
) -> FloatArray:
    """Where to head for (3,): ``target_ned_m`` itself when the straight line to it keeps clear of
    everyone in ``people_ned_m`` (K, 3), person k by ``clearance_m[k]`` (or one clearance for all),
    else the detour round the nearest person in the way."""
    here = np.asarray(position_ned_m, dtype=float)
    people = np.asarray(people_ned_m, dtype=float).reshape(-1, 3)
    clearance = np.broadcast_to(np.asarray(clearance_m, dtype=float), (len(people),))
    for k in np.argsort(np.hypot(people[:, 0] - here[0], people[:, 1] - here[1])):
        aim = around_person(here, target_ned_m, people[k], float(clearance[k]))
        if aim is not None:
            return aim
    return np.asarray(target_ned_m, dtype=float)


def around_person(
    position_ned_m: FloatArray,
    target_ned_m: FloatArray,
    person_ned_m: FloatArray,
    clearance_m: float = PERSON_CLEARANCE_M,
) -> FloatArray | None:
    """A point (3,) on the tangent from the drone to the person's clearance circle, on the target's
    side (the target's height kept); None when the straight line to the target keeps clear."""
    here, goal, person = (np.asarray(v, dtype=float) for v in (position_ned_m, target_ned_m, person_ned_m))
    to_person, to_goal = person[:2] - here[:2], goal[:2] - here[:2]
    radius = min(clearance_m, _TARGET_SHARE * float(np.hypot(*(goal[:2] - person[:2]))))
    distance = float(np.hypot(*to_person))
    goal_distance = float(np.hypot(*to_goal))
    if radius <= 0.0 or goal_distance < 1e-9:
        return None
    along = float(np.dot(to_person, to_goal)) / goal_distance  # the person's place along the line
    if along <= 0.0 or along >= goal_distance:
        return None  # the person is behind the drone or beyond the target: the line cannot cross them
    miss = abs(float(to_goal[0] * to_person[1] - to_goal[1] * to_person[0])) / goal_distance
    if miss >= radius:
        return None
    side = 1.0 if float(to_person[0] * to_goal[1] - to_person[1] * to_goal[0]) >= 0.0 else -1.0
    # Along the tangent; inside the circle already, further round, out and away (continuous at the edge).
    outside = distance > radius
    turn = math.asin(radius / distance) if outside else math.pi / 2.0 + 0.5 * math.acos(distance / radius)
    c, s = math.cos(side * turn), math.sin(side * turn)
    direction = np.array([c * to_person[0] - s * to_person[1], s * to_person[0] + c * to_person[1]]) / max(
        distance, 1e-9
    )
    reach = max(math.sqrt(max(distance**2 - radius**2, 0.0)), radius)
    return np.array([here[0] + direction[0] * reach, here[1] + direction[1] * reach, goal[2]])
