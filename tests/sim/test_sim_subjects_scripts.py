"""Each script does what its mission description says: stand stays put, paths are walked (and looped),
stop-and-go stops, wanders stay within their radius, walk_with keeps its side, meet stops at its
distance, a faster chaser closes the gap."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.subjects import Script, ScriptParams
from subject_history import fly_people


def _fly(params: ScriptParams, start: np.ndarray, steps: int, seed: int = 0, heading: float = 0.0) -> dict:
    names = ("position_ned_m", "velocity_ned_m_s", "heading_deg", "done")
    return fly_people(params, start, heading, np.random.default_rng(seed), steps, names)


def _speed(run: dict) -> np.ndarray:
    return np.hypot(run["velocity_ned_m_s"][..., 0], run["velocity_ned_m_s"][..., 1])


def test_stand_stays_put() -> None:
    start = np.array([[3.0, -4.0], [10.0, 2.0]])
    run = _fly(ScriptParams.make(Script.STAND, m=2, noise=3.0), start, steps=300)
    np.testing.assert_array_equal(run["position_ned_m"][-1, :, :2], start)
    np.testing.assert_array_equal(run["heading_deg"][-1], 0.0)


@pytest.mark.parametrize("script", [Script.WAYPOINTS, Script.RUN])
def test_a_path_is_walked_to_its_end_and_then_done(script: Script) -> None:
    points = [[10.0, 0.0], [10.0, 10.0], [0.0, 20.0]]
    run = _fly(ScriptParams.make(script, m=1, waypoints_ne_m=points), np.zeros((1, 2)), steps=600)
    assert np.hypot(*(run["position_ned_m"][-1, 0, :2] - points[-1])) < 0.1
    assert run["done"][-1, 0] and _speed(run)[-1, 0] < 0.05
    # It went through the corners (within a short cut).
    for point in points[:2]:
        assert np.hypot(*(run["position_ned_m"][:, 0, :2] - point).T).min() < 0.8


def test_a_looping_path_goes_round_and_round() -> None:
    square = [[10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    params = ScriptParams.make(Script.WAYPOINTS, m=1, waypoints_ne_m=square, loop=True, speed_m_s=2.0)
    run = _fly(params, np.zeros((1, 2)), steps=1000)  # 100 s at 2 m/s: 5 laps of 40 m
    assert not run["done"].any()
    visits = np.hypot(*(run["position_ned_m"][:, 0, :2] - [10.0, 10.0]).T) < 1.0
    assert np.count_nonzero(np.diff(visits.astype(int)) == 1) >= 4


def test_stop_and_go_alternates_walking_and_stopping() -> None:
    params = ScriptParams.make(Script.STOP_AND_GO, m=8, waypoints_ne_m=[[200.0, 0.0]], walk_s=4.0, stop_s=3.0)
    run = _fly(params, np.zeros((8, 2)), steps=600, seed=3)
    speed = _speed(run)
    stopped = speed < 0.15
    walking = speed > 1.0
    for i in range(8):
        starts = np.count_nonzero(np.diff(walking[:, i].astype(int)) == 1)
        stops = np.count_nonzero(np.diff(stopped[:, i].astype(int)) == 1)
        assert starts >= 6 and stops >= 6  # ~8 cycles of ~7 s in 60 s
    # The durations are random (jittered around 4 s and 3 s), so people fall out of step.
    assert not np.array_equal(stopped[:, 0], stopped[:, 1])


def test_stop_and_go_without_noise_keeps_the_exact_rhythm() -> None:
    params = ScriptParams.make(Script.STOP_AND_GO, m=1, waypoints_ne_m=[[200.0, 0.0]], walk_s=4.0, stop_s=3.0, noise=0)
    run = _fly(params, np.zeros((1, 2)), steps=280)
    carrot_moving = np.diff(run["position_ned_m"][:, 0, 0]) > 1e-3
    # Walking 0-4 s, stopped 4-7 s (give or take the braking), walking again from 7 s.
    assert carrot_moving[10:38].all() and not carrot_moving[48:70].any() and carrot_moving[72:110].all()


@pytest.mark.parametrize("script", [Script.RANDOM_WALK, Script.SUDDEN_TURNS])
def test_wanderers_stay_within_their_radius(script: Script) -> None:
    m = 40
    radius = np.linspace(2.0, 25.0, m)
    params = ScriptParams.make(script, m=m, radius_m=radius, speed_m_s=np.linspace(0.6, 2.5, m), noise=2.0)
    start = np.column_stack([np.arange(m) * 100.0, np.zeros(m)])
    run = _fly(params, start, steps=3000, seed=11)
    distance = np.hypot(*(run["position_ned_m"][..., :2] - start).transpose(2, 0, 1))
    assert (distance.max(axis=0) <= radius + 0.3).all()
    assert (distance.max(axis=0) >= 0.6 * radius).all()  # and they do wander out


def test_sudden_turns_turn_sharply_every_few_seconds() -> None:
    params = ScriptParams.make(Script.SUDDEN_TURNS, m=1, radius_m=200.0, turn_every_s=4.0, max_turn_deg=120.0)
    run = _fly(params, np.zeros((1, 2)), steps=600, seed=2)
    velocity = run["velocity_ned_m_s"][:, 0, :2]
    travel = np.degrees(np.arctan2(velocity[:, 1], velocity[:, 0]))
    # Over one second the direction of travel swings by much more than the smoothed heading's 30 degrees.
    swing = np.abs((travel[10:] - travel[:-10] + 180.0) % 360.0 - 180.0)
    turns = np.count_nonzero(np.diff((swing > 50.0).astype(int)) == 1)
    assert 8 <= turns <= 25  # about one every 4 s over 60 s


def test_walk_with_keeps_to_the_partners_side() -> None:
    leader = ScriptParams.make(Script.WAYPOINTS, m=1, waypoints_ne_m=[[60.0, 0.0], [60.0, 60.0]], noise=1.0)
    for side in (1.5, -1.2):
        follower = ScriptParams.make(Script.WALK_WITH, m=1, partner=1, side_m=side)
        run = _fly(ScriptParams.concat([follower, leader]), np.array([[-3.0, 2.0], [0.0, 0.0]]), steps=900)
        psi = np.radians(run["heading_deg"][:, 1])
        right = np.column_stack([-np.sin(psi), np.cos(psi)])
        target = run["position_ned_m"][:, 1, :2] + side * right
        error = np.hypot(*(run["position_ned_m"][:, 0, :2] - target).T)
        assert np.median(error[100:]) < 0.3 and error[100:].max() < 1.5


def test_meet_stops_at_its_distance_and_faces_the_partner() -> None:
    distance = np.array([1.2, 2.0, 0.8])
    meet = ScriptParams.make(Script.MEET, m=3, partner=[3, 4, 5], stop_distance_m=distance, noise=1.0)
    others = ScriptParams.make(
        [Script.STAND, Script.MEET, Script.WAYPOINTS],  # one stands, one comes to meet too, one walks by
        partner=[-1, 1, -1],
        stop_distance_m=distance,
        waypoints_ne_m=[[0.0, 30.0]],
    )
    start = np.array([[0.0, 0.0], [50.0, 0.0], [100.0, 0.0], [15.0, 5.0], [70.0, 0.0], [110.0, 10.0]])
    run = _fly(ScriptParams.concat([meet, others]), start, steps=900, seed=4)
    gap = run["position_ned_m"][-1, 3:, :2] - run["position_ned_m"][-1, :3, :2]
    assert np.abs(np.hypot(*gap.T) - distance).max() < 0.15
    assert run["done"][-1, :3].all() and _speed(run)[-1, :3].max() < 0.05
    facing = np.degrees(np.arctan2(gap[:, 1], gap[:, 0]))
    assert np.abs((run["heading_deg"][-1, :3] - facing + 180.0) % 360.0 - 180.0).max() < 2.0


def test_a_faster_chaser_closes_the_gap_and_a_slower_one_does_not() -> None:
    runner = ScriptParams.make(Script.RUN, m=1, waypoints_ne_m=[[1000.0, 0.0]], speed_m_s=3.5)
    fast = ScriptParams.make(Script.CHASE, m=1, partner=2, speed_m_s=4.5, stop_distance_m=1.0)
    slow = ScriptParams.make(Script.CHASE, m=1, partner=2, speed_m_s=2.5, stop_distance_m=1.0)
    run = _fly(ScriptParams.concat([fast, slow, runner]), np.array([[-20.0, 3.0], [-20.0, -3.0], [0.0, 0.0]]), 400)
    gap = np.hypot(*(run["position_ned_m"][:, 2:3, :2] - run["position_ned_m"][:, :2, :2]).transpose(2, 0, 1))
    assert gap[-1, 0] < 1.0 + 0.3 and run["done"][-1, 0]
    assert gap[-1, 1] > gap[0, 1] + 20.0
    closing = gap[30 : np.argmax(gap[:, 0] < 2.0), 0]
    assert (np.diff(closing[::10]) < 0.0).all()  # once both are up to speed, the fast one gains every second
