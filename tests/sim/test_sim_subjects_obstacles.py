"""Buildings: people never walk into them, get round one that stands on their path, and are not
blocked by boxes above their heads."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.subjects import BoxObstacles, ObstacleField, Script, ScriptParams, SubjectError, Subjects

DT_S = 0.1


def _walk(subjects: Subjects, obstacles: BoxObstacles, steps: int, rng: np.random.Generator) -> int:
    """Step, counting person-steps found inside a (body-inflated) building."""
    inside = 0
    for _ in range(steps):
        subjects.step(DT_S, rng)
        inside += int(obstacles.contains(subjects.position_ned_m).sum())
    return inside


def test_people_on_every_script_stay_out_of_buildings() -> None:
    rng = np.random.default_rng(0)
    # A small estate: blocks around the square, one in the middle.
    low = [[-30.0, -30.0, -20.0], [10.0, -25.0, -12.0], [-25.0, 12.0, -30.0], [15.0, 15.0, -8.0], [-3.0, -3.0, -5.0]]
    high = [[-12.0, -10.0, 0.0], [28.0, -8.0, 0.0], [-8.0, 30.0, 0.0], [30.0, 28.0, 0.0], [3.0, 3.0, 0.0]]
    obstacles = BoxObstacles(low, high)
    assert isinstance(obstacles, ObstacleField)
    n = 90
    scripts = [list(Script)[i % len(Script)] for i in range(n)]
    partner = [(i + 1) % n if s in (Script.WALK_WITH, Script.MEET, Script.CHASE) else -1 for i, s in enumerate(scripts)]
    params = ScriptParams.make(
        scripts,
        partner=partner,
        radius_m=25.0,
        speed_m_s=[4.0 if s in (Script.RUN, Script.CHASE) else 1.5 for s in scripts],
        waypoints_ne_m=rng.uniform(-35.0, 35.0, (n, 4, 2)),
        loop=True,
        noise=2.0,
    )
    start = rng.uniform(-35.0, 35.0, (n, 2))  # some inside buildings: the reset puts them on the nearest wall
    subjects = Subjects(n, obstacles)
    subjects.reset(np.arange(n), params, start, rng.uniform(-180.0, 180.0, n), rng)
    assert _walk(subjects, obstacles, steps=1500, rng=rng) == 0


def test_a_walker_gets_round_a_building_on_its_path() -> None:
    rng = np.random.default_rng(1)
    obstacles = BoxObstacles([[-5.0, -2.0, -10.0]], [[5.0, 6.0, 0.0]])
    m = 6
    params = ScriptParams.make(Script.WAYPOINTS, m=m, waypoints_ne_m=[[20.0, 0.0]], noise=np.linspace(0.0, 2.0, m))
    subjects = Subjects(m, obstacles)
    subjects.reset(np.arange(m), params, np.tile([-20.0, 0.0], (m, 1)), 0.0, rng)
    assert _walk(subjects, obstacles, steps=600, rng=rng) == 0
    np.testing.assert_allclose(subjects.position_ned_m[:, :2], np.tile([20.0, 0.0], (m, 1)), atol=0.1)
    assert subjects.done.all()


def test_boxes_above_head_height_do_not_block_and_starts_inside_are_pushed_out() -> None:
    rng = np.random.default_rng(2)
    bridge = BoxObstacles([[-2.0, -10.0, -9.0]], [[2.0, 10.0, -6.0]])  # a footbridge 6 m up
    assert bridge.count == 0
    block = BoxObstacles([[-2.0, -2.0, -10.0]], [[2.0, 2.0, 0.0]], clearance_m=0.3)
    subjects = Subjects(1, block)
    subjects.reset([0], ScriptParams.make(Script.STAND, m=1), [[1.0, 0.5]], 0.0, rng)
    assert not block.contains(subjects.position_ned_m).any()
    assert subjects.position_ned_m[0, 0] == pytest.approx(2.3)


def test_bad_boxes_raise_a_typed_error() -> None:
    with pytest.raises(SubjectError, match="min_ned_m < max_ned_m"):
        BoxObstacles([[0.0, 0.0, -5.0]], [[1.0, -1.0, 0.0]])
    with pytest.raises(SubjectError, match=r"\(B, 3\)"):
        BoxObstacles([[0.0, 0.0]], [[1.0, 1.0]])
