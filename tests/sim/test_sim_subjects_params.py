"""Script parameters: the script list and defaults are the mission's, bad input raises typed one-line
errors, and random scenarios draw every script with sensible partners."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.subjects import (
    MAX_TURN_RATE_DEG_S,
    Script,
    ScriptParams,
    ScriptParamsError,
    SubjectError,
    Subjects,
    random_scenario,
)

from dronecine.errors import DronecineError
from dronecine.mission import motion
from dronecine.mission.subjects import MOTION_SCRIPTS, Chase, RandomWalk, StopAndGo


def test_the_scripts_are_the_missions() -> None:
    assert tuple(s.mission_name for s in Script) == MOTION_SCRIPTS
    assert Script.from_mission_name("walk_with") is Script.WALK_WITH


def test_defaults_come_from_the_mission_models() -> None:
    params = ScriptParams.make(
        [Script.STOP_AND_GO, Script.RANDOM_WALK, Script.CHASE], partner=[-1, -1, 0], waypoints_ne_m=[[1.0, 1.0]]
    )
    assert params.walk_s[0] == StopAndGo.model_fields["walk_s"].default
    assert params.radius_m[1] == RandomWalk.model_fields["radius_m"].default
    assert params.speed_m_s[2] == Chase.model_fields["speed_m_s"].default
    assert params.stop_distance_m[2] == Chase.model_fields["catch_distance_m"].default


def test_ragged_waypoints_are_padded() -> None:
    params = ScriptParams.make(
        ["waypoints", "run"], waypoints_ne_m=[[[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]]
    )
    assert params.waypoints_ne_m.shape == (2, 3, 2)
    np.testing.assert_array_equal(params.waypoint_count, [1, 3])
    assert not params.waypoints_ne_m.flags.writeable


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"script": "waypoints", "m": 2, "speed_m_s": -1.0, "waypoints_ne_m": [[1.0, 1.0]]}, "speed_m_s"),
        ({"script": "random_walk", "m": 1, "radius_m": np.nan}, "radius_m"),
        ({"script": "waypoints", "m": 1}, "waypoint_count"),
        ({"script": "meet", "m": 1}, "partner"),
        ({"script": "stand", "m": 3, "noise": [1.0, 2.0]}, "noise"),
        ({"script": "stand", "m": 1, "max_accel_m_s2": 50.0}, "max_accel_m_s2"),
    ],
)
def test_bad_parameters_raise_a_typed_error_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ScriptParamsError) as caught:
        ScriptParams.make(**kwargs)
    assert caught.value.field == field
    assert isinstance(caught.value, DronecineError) and "\n" not in str(caught.value)


def test_bad_uses_of_subjects_raise_typed_errors() -> None:
    rng = np.random.default_rng(0)
    subjects = Subjects(4)
    stand = ScriptParams.make(Script.STAND, m=2)
    with pytest.raises(SubjectError, match="indices"):
        subjects.reset([0, 0], stand, np.zeros((2, 2)), 0.0, rng)
    with pytest.raises(SubjectError, match="indices"):
        subjects.reset([3, 4], stand, np.zeros((2, 2)), 0.0, rng)
    with pytest.raises(SubjectError, match="shape"):
        subjects.reset([0, 1], stand, np.zeros((3, 2)), 0.0, rng)
    with pytest.raises(SubjectError, match="partner"):
        subjects.reset([0, 1], ScriptParams.make(Script.MEET, m=2, partner=[1, 7]), np.zeros((2, 2)), 0.0, rng)
    with pytest.raises(SubjectError, match="partner"):
        subjects.reset([0, 1], ScriptParams.make(Script.MEET, m=2, partner=[1, 1]), np.zeros((2, 2)), 0.0, rng)
    with pytest.raises(SubjectError, match="time step"):
        subjects.step(0.0, rng)
    with pytest.raises(SubjectError, match="unknown motion script"):
        Script.from_mission_name("moonwalk")
    with pytest.raises(SubjectError):
        Subjects(0)


def test_a_random_scenario_draws_every_script_and_pairs_partners() -> None:
    rng = np.random.default_rng(1)
    n = 400
    scenario = random_scenario(rng, n, extent_m=30.0)
    params = scenario.params
    assert set(params.script[:n].tolist()) == set(range(len(Script)))
    assert set(params.script.tolist()) == set(range(len(Script)))
    own = np.arange(2 * n)
    followers = params.partner >= 0
    np.testing.assert_array_equal(params.partner[followers], (own[followers] + n) % (2 * n))
    # Nobody walks with someone who walks with them (they would stand still together).
    walk_with = params.script == Script.WALK_WITH
    assert not (walk_with & walk_with[(own + n) % (2 * n)]).any()
    assert (
        np.abs(scenario.position_ne_m[~np.isin(params.script, (Script.WALK_WITH, Script.MEET, Script.CHASE))]) <= 30.0
    ).all()
    # A chaser is faster than whom it chases, so it can catch them.
    chasers = np.flatnonzero(params.script == Script.CHASE)
    assert (params.speed_m_s[chasers] > params.speed_m_s[(chasers + n) % (2 * n)]).all()


def test_a_scenario_placed_into_other_envs_reindexes_partners() -> None:
    rng = np.random.default_rng(2)
    scenario = random_scenario(rng, 3)
    subjects = Subjects(20)  # 10 envs
    scenario.apply(subjects, rng, [7, 1, 4])
    partner = subjects.params.partner
    for local, env in enumerate([7, 1, 4]):
        if scenario.params.partner[local] >= 0:
            assert partner[env] == 10 + env
        if scenario.params.partner[3 + local] >= 0:
            assert partner[10 + env] == env
    with pytest.raises(SubjectError):
        scenario.apply(subjects, rng, [7, 1, 10])


def test_the_turn_rate_cap_is_the_nominal_paths() -> None:
    assert MAX_TURN_RATE_DEG_S == motion._MAX_TURN_RATE_DEG_S


def test_a_bad_script_code_is_a_typed_error() -> None:
    with pytest.raises(ScriptParamsError, match="scripts must be"):
        ScriptParams.make([0, 42])


def test_a_rejected_reset_changes_nothing() -> None:
    rng = np.random.default_rng(0)
    subjects = Subjects(3)
    subjects.reset([0, 1, 2], ScriptParams.make(Script.STAND, m=3), [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], 10.0, rng)
    before = subjects.position_ned_m.copy(), subjects.params.script.copy()
    with pytest.raises(SubjectError, match="partner"):
        subjects.reset([0, 1], ScriptParams.make(Script.CHASE, m=2, partner=[2, 5]), np.zeros((2, 2)), 0.0, rng)
    np.testing.assert_array_equal(subjects.position_ned_m, before[0])
    np.testing.assert_array_equal(subjects.params.script, before[1])


def test_an_unknown_script_name_says_which_there_are() -> None:
    with pytest.raises(ScriptParamsError, match=r"unknown motion script 'moonwalk'.*walk_with"):
        ScriptParams.make("moonwalk", m=2)
