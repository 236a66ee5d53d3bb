"""Transits go round people: the detour's geometry, and an agent flying home past one."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, fly_agent, load

from dronecine.agent import AgentMode
from dronecine.agent.detour import DETOUR_MARGIN_M, PERSON_CLEARANCE_M, around_people, around_person, detour_clearance_m
from dronecine.control import BaselineController
from dronecine.mission.motion import nominal_paths


def _fly_each(
    start, target, people, clearance_m=PERSON_CLEARANCE_M, speed_m_s: float = 3.0, dt_s: float = 0.1, steps: int = 400
) -> tuple[np.ndarray, bool]:
    """Fly at constant speed towards the detour's aim each period: the closest pass to each person,
    and whether the target was reached."""
    here, goal = np.array(start, dtype=float), np.array(target, dtype=float)
    people = np.array(people, dtype=float)
    closest = np.full(len(people), math.inf)
    for _ in range(steps):
        aim = around_people(here, goal, people, clearance_m)
        step = aim[:2] - here[:2]
        length = float(np.hypot(*step))
        here[:2] += step / max(length, 1e-9) * min(speed_m_s * dt_s, length)
        closest = np.minimum(closest, np.hypot(people[:, 0] - here[0], people[:, 1] - here[1]))
        if np.hypot(*(goal[:2] - here[:2])) < 0.2:
            return closest, True
    return closest, False


def _fly(start, target, people) -> tuple[float, bool]:
    """The closest pass to anyone at the default clearance, and whether the target was reached."""
    closest, arrived = _fly_each(start, target, people)
    return float(closest.min()), arrived


def test_a_clear_line_flies_straight_at_the_target() -> None:
    target = np.array([20.0, 0.0, -5.0])
    aim = around_people(
        np.array([0.0, 0.0, -5.0]), target, np.array([[10.0, 6.0, 0.0], [-5.0, 0.0, 0.0]]), PERSON_CLEARANCE_M
    )
    np.testing.assert_array_equal(aim, target)


def test_the_detour_plans_wider_than_the_supervisors_zone_and_never_narrower_than_its_floor() -> None:
    # The default person (2.5 m) and subject (1.5 m) clearances give the 4 m floor; a mission's 5 m,
    # or a bystander wandering 3 m round a 2.5 m clearance, is passed the margin further out.
    np.testing.assert_allclose(
        detour_clearance_m([2.5, 1.5, 5.0, 5.5]), [4.0, 4.0, 5.0 + DETOUR_MARGIN_M, 5.5 + DETOUR_MARGIN_M]
    )


def test_each_person_is_passed_at_their_own_clearance() -> None:
    # Two people on the line: the first wanders (a 7 m circle), the second stands (4 m).
    closest, arrived = _fly_each([0.0, 0.0, -5.0], [60.0, 0.0, -5.0], [[15.0, 0.5, 0.0], [40.0, -0.5, 0.0]], [7.0, 4.0])
    assert arrived
    assert closest[0] >= 7.0 - 0.3
    assert 4.0 - 0.3 <= closest[1] < 7.0 - 0.3  # the wide circle is the wanderer's, not everyone's


def test_a_person_on_the_line_is_passed_on_the_side_of_the_target_at_the_clearance() -> None:
    aim = around_person(np.array([0.0, 0.0, -5.0]), np.array([20.0, 1.0, -4.0]), np.array([10.0, 0.0, 0.0]))
    assert aim is not None
    assert aim[1] > 0.0  # the target is a little east of the line: round the person's east side
    assert aim[2] == -4.0  # the target's height
    # The aim is on the tangent: the line to it passes the person at exactly the clearance.
    direction = aim[:2] / np.hypot(*aim[:2])
    miss = abs(direction[0] * 0.0 - direction[1] * 10.0)
    assert miss == pytest.approx(PERSON_CLEARANCE_M)


@pytest.mark.parametrize("offset_m", [0.0, 0.5, -1.5, 3.0])
def test_flying_the_detour_keeps_the_clearance_and_arrives(offset_m: float) -> None:
    closest, arrived = _fly([0.0, 0.0, -5.0], [30.0, 0.0, -5.0], [[15.0, offset_m, 0.0]])
    assert arrived
    assert closest >= PERSON_CLEARANCE_M - 0.3  # the arc is flown in straight steps of 0.3 m


def test_two_people_in_the_way_are_both_passed() -> None:
    closest, arrived = _fly([0.0, 0.0, -5.0], [40.0, 0.0, -5.0], [[12.0, 0.5, 0.0], [26.0, -0.5, 0.0]])
    assert arrived and closest >= PERSON_CLEARANCE_M - 0.3


def test_a_target_beside_a_person_is_still_reached_with_a_smaller_circle() -> None:
    # A close shot's start 2 m from its subject: the clearance shrinks to 0.8 of that, 1.6 m.
    closest, arrived = _fly([0.0, 0.0, -5.0], [22.0, 0.0, -5.0], [[20.0, 0.0, 0.0]])
    assert arrived and closest >= 1.6 - 0.3


def test_a_drone_inside_the_clearance_heads_out() -> None:
    here = np.array([0.0, 0.0, -5.0])
    person = np.array([1.0, 0.0, 0.0])
    aim = around_person(here, np.array([20.0, 0.0, -5.0]), person)
    assert aim is not None
    # The first step takes it further from the person than it is.
    step = (aim[:2] - here[:2]) / np.hypot(*(aim[:2] - here[:2])) * 0.3
    assert np.hypot(*(here[:2] + step - person[:2])) > 1.0


def test_people_behind_the_drone_or_beyond_the_target_change_nothing() -> None:
    here, target = np.array([0.0, 0.0, -5.0]), np.array([10.0, 0.0, -5.0])
    assert around_person(here, target, np.array([-2.0, 0.0, 0.0])) is None
    assert around_person(here, target, np.array([15.0, 0.0, 0.0])) is None


@pytest.mark.parametrize("person_clearance_m", [None, 4.0])
def test_an_agent_flying_home_goes_round_the_people_not_over_them(person_clearance_m: float | None) -> None:
    # In the duet, "duo" films bob walking up to ada from 2 m; its way home passes over bob
    # (0.6 m from him, 2.6 m above his head, before transits went round people). A mission that
    # keeps 4 m from people gets its detours 1.5 m wider than that (4 m, the fixed radius, before).
    document = duet_document()
    if person_clearance_m is not None:
        document.setdefault("safety", {})["person_clearance_m"] = person_clearance_m
    mission = load(document)
    planned_m = float(detour_clearance_m(mission.safety.person_clearance_m))
    paths = nominal_paths(mission)
    _, _, log = fly_agent(mission, "duo", BaselineController(dt_s=0.1))
    start_of_return, closest_on_return = None, math.inf
    for t_s, mode, position, _ in log:
        if mode == AgentMode.RETURN:
            people = [p.state_at(t_s).position_ned_m[:2] for p in paths.values()]
            nearest = min(float(np.hypot(*(position[:2] - person))) for person in people)
            start_of_return = nearest if start_of_return is None else start_of_return
            closest_on_return = min(closest_on_return, nearest)
    assert start_of_return is not None, "the drone never flew home"
    assert closest_on_return >= min(start_of_return, planned_m) - 0.3


@pytest.mark.parametrize(
    ("safety", "motion", "planned_m"),
    [
        ({}, [], PERSON_CLEARANCE_M),  # the defaults: 2.5 m + 1.5 m, the 4 m floor
        ({"person_clearance_m": 4.0}, [], 4.0 + DETOUR_MARGIN_M),  # a mission that keeps further away
        ({}, [{"script": "random_walk", "radius_m": 2.0, "speed_m_s": 0.5}], 2.5 + 2.0 + DETOUR_MARGIN_M),
    ],
)
def test_the_way_to_the_first_marks_goes_round_a_bystander_wider_than_the_supervisor_keeps(
    safety: dict, motion: list, planned_m: float
) -> None:
    # The duet's "solo" alone, from a home 45 m south of ada: its orbit's first marks are 12 m south
    # of her, and cy stands (or wanders) on the way, 0.5 m off the line. Before, every detour kept
    # 4 m from anyone: inside a mission's 4 m zone plus the margin, or a wanderer's circle.
    document = duet_document()
    document["drones"] = [{**d, "home": {"north_m": -45, "east_m": 0}} for d in document["drones"] if d["id"] == "solo"]
    document["subjects"] = [s for s in document["subjects"] if s["id"] == "ada"]
    document["subjects"].append({"id": "cy", "start": {"north_m": -28.0, "east_m": 0.5}, "motion": motion})
    document["scenes"] = [
        {**scene, "shots": [s for s in scene["shots"] if s["drone"] == "solo"]} for scene in document["scenes"]
    ]
    document["safety"].update(safety)
    mission = load(document)
    cy = nominal_paths(mission)["cy"].position_ned_m[0]
    _, _, log = fly_agent(mission, "solo", BaselineController(dt_s=0.1))
    preroll = [position for t_s, mode, position, _ in log if mode == AgentMode.TRANSIT and t_s < 0.0]
    assert len(preroll) > 50  # the drone did fly to its marks before the scene
    closest = min(float(np.hypot(*(p[:2] - cy[:2]))) for p in preroll)
    assert closest >= planned_m - 0.3
    assert closest < planned_m + 1.0  # cy was in the way: the detour acted
