"""Every script moves people like people: speeds, accelerations and heading turn rates within their limits,
feet on the ground, gait phase in [0, 1)."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.subjects import MAX_TURN_RATE_DEG_S, Script, ScriptParams
from subject_history import DT_S, fly_people

LEADER_SCRIPTS = (Script.WAYPOINTS, Script.RUN, Script.SUDDEN_TURNS, Script.STOP_AND_GO)


def _population(script: Script, rng: np.random.Generator, n: int = 24) -> tuple[ScriptParams, np.ndarray]:
    """n people on ``script`` (noise 2, a restless crowd) and, for partner scripts, n leaders they follow."""
    waypoints = rng.uniform(-30.0, 30.0, (n, 5, 2))
    own = ScriptParams.make(
        script,
        m=n,
        speed_m_s=rng.uniform(1.0, 1.8, n) if script not in (Script.RUN, Script.CHASE) else rng.uniform(3.0, 5.0, n),
        radius_m=rng.uniform(3.0, 15.0, n),
        turn_every_s=rng.uniform(1.0, 4.0, n),
        walk_s=rng.uniform(1.0, 5.0, n),
        stop_s=rng.uniform(0.5, 3.0, n),
        partner=np.arange(n, 2 * n) if script in (Script.WALK_WITH, Script.MEET, Script.CHASE) else -1,
        waypoints_ne_m=waypoints,
        loop=True,
        noise=2.0,
    )
    leaders = ScriptParams.make(
        [LEADER_SCRIPTS[i % len(LEADER_SCRIPTS)] for i in range(n)],
        speed_m_s=rng.uniform(1.0, 3.0, n),
        waypoints_ne_m=waypoints[::-1],
        loop=True,
    )
    start = rng.uniform(-20.0, 20.0, (2 * n, 2))
    return ScriptParams.concat([own, leaders]), start


def _fly(params: ScriptParams, start: np.ndarray, rng: np.random.Generator, steps: int) -> dict[str, np.ndarray]:
    names = ("position_ned_m", "velocity_ned_m_s", "heading_deg", "body_heading_deg", "walk_phase")
    return fly_people(params, start, rng.uniform(-180.0, 180.0, params.m), rng, steps, names)


@pytest.mark.parametrize("script", list(Script))
def test_every_script_keeps_speed_acceleration_and_turn_rate_within_limits(script: Script) -> None:
    rng = np.random.default_rng(int(script) + 100)
    params, start = _population(script, rng)
    run = _fly(params, start, rng, steps=900)
    velocity = run["velocity_ned_m_s"]
    speed = np.hypot(velocity[..., 0], velocity[..., 1])
    assert (speed <= params.max_speed_m_s + 1e-9).all()
    accel = np.hypot(*np.diff(velocity[..., :2], axis=0).transpose(2, 0, 1)) / DT_S
    assert (accel <= params.max_accel_m_s2 + 1e-9).all()
    assert params.max_accel_m_s2.max() <= 3.0 and params.max_speed_m_s.max() <= 6.5
    turn = np.abs((np.diff(run["heading_deg"], axis=0) + 180.0) % 360.0 - 180.0) / DT_S
    assert turn.max() <= MAX_TURN_RATE_DEG_S + 1e-6
    assert (run["position_ned_m"][..., 2] == 0.0).all() and (velocity[..., 2] == 0.0).all()
    assert ((run["walk_phase"] >= 0.0) & (run["walk_phase"] < 1.0)).all()
    assert (np.abs(run["heading_deg"]) <= 180.0).all() and (np.abs(run["body_heading_deg"]) <= 180.0).all()
    if script is not Script.STAND:
        assert speed[:, : params.m // 2].max() > 0.5  # they do move


def test_the_heading_follows_the_direction_of_travel() -> None:
    rng = np.random.default_rng(5)
    params = ScriptParams.make(Script.WAYPOINTS, m=1, waypoints_ne_m=[[30.0, 0.0]], noise=0.0)
    run = _fly(params, np.zeros((1, 2)), rng, steps=150)
    # It starts facing wherever, turns at most 30 deg/s, and ends facing north, where it walks.
    assert abs(run["heading_deg"][120, 0]) < 1.0
    assert abs(run["body_heading_deg"][60, 0]) < 1.0
    assert run["walk_phase"][-1, 0] != run["walk_phase"][0, 0]


def test_walkers_accelerate_like_walkers_and_runners_like_runners() -> None:
    walk = ScriptParams.make(Script.WAYPOINTS, m=1, waypoints_ne_m=[[30.0, 0.0]])
    run = ScriptParams.make(Script.RUN, m=1, waypoints_ne_m=[[30.0, 0.0]])
    assert walk.max_accel_m_s2[0] == pytest.approx(2.0) and run.max_accel_m_s2[0] == pytest.approx(3.0)
    assert walk.max_speed_m_s[0] == pytest.approx(1.4 * 1.3) and run.max_speed_m_s[0] == pytest.approx(4.0 * 1.3)
