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


@pytest.mark.parametrize("where_ne_m", [(6.0, 6.0), (8.0, 8.0)])
def test_a_bystander_on_a_follow_shots_path_is_kept_clear_of(where_ne_m) -> None:
    """The duet's drone follows bob from 3 m up as he walks to ada; cy stands on his way. Without
    the supervisor's person rule the drone passed 1.25 m from cy's head."""
    doc = duet_document()
    doc["subjects"].append({"id": "cy", "start": {"north_m": where_ne_m[0], "east_m": where_ne_m[1]}, "heading_deg": 0})
    mission = load(doc)
    cy = nominal_paths(mission)["cy"]
    _, _, log = fly_agent(mission, "duo")
    filmed = [(position, out) for _, mode, position, out in log if mode == AgentMode.FILMING]
    assert len(filmed) > 100  # the follow shot was flown
    closest = min(_closest_m(position, cy.position_ned_m[0], cy.height_m) for position, _ in filmed)
    assert closest >= PERSON_CLEARANCE_M - 0.1
    assert closest < PERSON_CLEARANCE_M + 1.0  # the shot did take the drone near cy: the rule acted
    assert any("person" in out.interventions for _, out in filmed)
