"""Determinism and batching: a seed reproduces a batch exactly, seeds differ, a step draws the same
random numbers whatever the scripts, and resetting some people leaves the others untouched."""

from __future__ import annotations

import numpy as np
from dronecine_sim.subjects import Script, ScriptParams, Subjects, random_scenario

DT_S = 0.1
STATE = ("position_ned_m", "velocity_ned_m_s", "heading_deg", "body_heading_deg", "height_m", "walk_phase", "done")


def _snapshot(subjects: Subjects) -> dict[str, np.ndarray]:
    return {name: getattr(subjects, name).copy() for name in STATE}


def _episode(seed: int, n_envs: int = 32, steps: int = 300) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    subjects = Subjects(2 * n_envs)
    random_scenario(rng, n_envs).apply(subjects, rng)
    history = [_snapshot(subjects)]
    for _ in range(steps):
        subjects.step(DT_S, rng)
        history.append(_snapshot(subjects))
    return history


def test_the_same_seed_gives_identical_trajectories() -> None:
    first, second = _episode(7), _episode(7)
    for a, b in zip(first, second, strict=True):
        for name in STATE:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_different_seeds_give_different_trajectories() -> None:
    first, second = _episode(7)[-1], _episode(8)[-1]
    assert not np.allclose(first["position_ned_m"], second["position_ned_m"])


def test_the_noise_alone_makes_runs_differ() -> None:
    # Same people, same paths; only the generator feeding the wobble differs.
    params = ScriptParams.make(Script.WAYPOINTS, m=4, waypoints_ne_m=[[40.0, 0.0], [40.0, 40.0]])
    ends = []
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        subjects = Subjects(4)
        subjects.reset(np.arange(4), params, np.zeros((4, 2)), 0.0, rng)
        for _ in range(200):
            subjects.step(DT_S, rng)
        ends.append(subjects.position_ned_m.copy())
    assert not np.allclose(ends[0], ends[1])
    assert not np.allclose(ends[0][0], ends[0][1])  # and people on the same path differ from each other


def test_a_step_draws_the_same_random_numbers_whatever_the_scripts() -> None:
    states = []
    for script in Script:
        rng = np.random.default_rng(3)
        subjects = Subjects(6)
        partner = [1, 0, 3, 2, 5, 4] if script in (Script.WALK_WITH, Script.MEET, Script.CHASE) else -1
        params = ScriptParams.make(script, m=6, partner=partner, waypoints_ne_m=[[5.0, 5.0]])
        subjects.reset(np.arange(6), params, np.arange(12.0).reshape(6, 2), 0.0, rng)
        subjects.assign([2, 4], params.take([2, 4]), rng)
        for _ in range(50):
            subjects.step(DT_S, rng)
        states.append(rng.bit_generator.state["state"]["state"])
    assert len(set(states)) == 1


def test_resetting_some_people_leaves_the_others_untouched() -> None:
    n_envs = 16
    rng = np.random.default_rng(5)
    subjects = Subjects(2 * n_envs)
    random_scenario(rng, n_envs).apply(subjects, rng)
    for _ in range(100):
        subjects.step(DT_S, rng)
    before, params_before = _snapshot(subjects), subjects.params
    envs = np.array([2, 9])
    random_scenario(rng, len(envs)).apply(subjects, rng, envs)
    after, params_after = _snapshot(subjects), subjects.params
    touched = np.concatenate([envs, n_envs + envs])
    others = np.setdiff1d(np.arange(2 * n_envs), touched)
    for name in STATE:
        np.testing.assert_array_equal(before[name][others], after[name][others], err_msg=name)
    assert not np.array_equal(before["position_ned_m"][touched], after["position_ned_m"][touched])
    np.testing.assert_array_equal(params_before.partner[others], params_after.partner[others])
    np.testing.assert_array_equal(params_before.script[others], params_after.script[others])
    # The reset envs' partners point at each other, in the whole batch's numbering.
    for env in envs:
        for person, other in ((env, n_envs + env), (n_envs + env, env)):
            assert params_after.partner[person] in (-1, other)
    assert (after["velocity_ned_m_s"][touched] == 0.0).all() and not after["done"][touched].any()


def test_people_in_a_batch_move_as_they_would_alone_when_noise_is_off() -> None:
    # Without noise, the only randomness left is the wanderers'; paths and partners do not depend on the batch.
    rng = np.random.default_rng(0)
    params = ScriptParams.make(
        [Script.WAYPOINTS, Script.WALK_WITH, Script.STOP_AND_GO],
        partner=[-1, 0, -1],
        waypoints_ne_m=[[20.0, 5.0], [0.0, 30.0]],
        noise=0.0,
    )
    start = np.array([[0.0, 0.0], [1.0, -2.0], [-5.0, 3.0]])
    alone = Subjects(3)
    alone.reset(np.arange(3), params, start, 0.0, rng)
    crowd = Subjects(64)
    crowd.reset(np.arange(3) + 10, params.with_partner([-1, 10, -1]), start, 0.0, rng)
    for _ in range(300):
        alone.step(DT_S, rng)
        crowd.step(DT_S, rng)
    np.testing.assert_allclose(crowd.position_ned_m[10:13], alone.position_ned_m, atol=1e-9)
