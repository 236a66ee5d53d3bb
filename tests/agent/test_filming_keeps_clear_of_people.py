"""While filming, the drone keeps clear of people who are not its subject: a bystander standing on
the path of a follow shot is flown round (or over, well above the head), not brushed past."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, fly_agent, load

from dronecine.agent import AgentMode
from dronecine.flight import SafetyLimits
from dronecine.mission.motion import nominal_paths

PERSON_CLEARANCE_M = SafetyLimits.__dataclass_fields__["person_clearance_m"].default


def _closest_m(drone_ned_m: np.ndarray, feet_ned_m: np.ndarray, height_m: float) -> float:
    """From the drone to the person's upright segment (feet to head)."""
    above_head = max(0.0, -float(drone_ned_m[2]) - height_m)
    return float(np.hypot(np.hypot(*(drone_ned_m[:2] - feet_ned_m[:2])), above_head))


def _fly_past_cy(cy: dict, **safety) -> tuple[float, list]:
    """The duet's follow shot flown past ``cy`` (a subject entry), with ``safety`` keys set in the mission;
    the closest the filming drone came to cy's planned feet, and what it flew."""
    doc = duet_document()
    doc["subjects"].append(cy)
    doc["safety"].update(safety)
    mission = load(doc)
    planned = nominal_paths(mission)["cy"]
    _, _, log = fly_agent(mission, "duo")
    filmed = [(position, out) for _, mode, position, out in log if mode == AgentMode.FILMING]
    assert len(filmed) > 100  # the follow shot was flown
    closest = min(_closest_m(position, planned.position_ned_m[0], planned.height_m) for position, _ in filmed)
    return closest, filmed


@pytest.mark.parametrize("where_ne_m", [(6.0, 6.0), (8.0, 8.0)])
def test_a_bystander_on_a_follow_shots_path_is_kept_clear_of(where_ne_m) -> None:
    """The duet's drone follows bob from 3 m up as he walks to ada; cy stands on his way. Without
    the supervisor's person rule the drone passed 1.25 m from cy's head."""
    closest, filmed = _fly_past_cy({"id": "cy", "start": {"north_m": where_ne_m[0], "east_m": where_ne_m[1]}})
    assert closest >= PERSON_CLEARANCE_M - 0.1
    assert closest < PERSON_CLEARANCE_M + 1.0  # the shot did take the drone near cy: the rule acted
    assert any("person" in out.interventions for _, out in filmed)


def test_the_missions_person_clearance_is_the_one_kept() -> None:
    """``safety.person_clearance_m`` in the mission YAML reaches the supervisor (2.5 m by default)."""
    closest, filmed = _fly_past_cy({"id": "cy", "start": {"north_m": 6.0, "east_m": 6.0}}, person_clearance_m=4.0)
    assert closest >= 4.0 - 0.1
    assert any("person" in out.interventions for _, out in filmed)


def test_a_wandering_bystander_is_kept_clear_of_wherever_they_may_wander() -> None:
    """A random walk's plan is only its centre: the clearance is kept from the whole circle it may
    wander in (before, from the centre alone, 2.5 m, so 0.5 m from where cy could be)."""
    wander_m = 2.0
    cy = {
        "id": "cy",
        "start": {"north_m": 7.0, "east_m": 7.0},
        "motion": [{"script": "random_walk", "radius_m": wander_m, "speed_m_s": 0.5}],
    }
    closest, _ = _fly_past_cy(cy)
    assert closest >= PERSON_CLEARANCE_M + wander_m - 0.1
