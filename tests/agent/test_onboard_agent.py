"""The onboard agent through a whole timeline, on a simple vehicle: take-off, marks, filming, home."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, fly_agent, load

from dronecine.agent import AgentMode
from dronecine.control import BaselineController
from dronecine.flight.failsafe import FailsafeSettings

DT_S = 0.1
TAU_S = 0.3  # the vehicle's velocity lag


class _FullAhead:
    """A policy that always asks for full speed forward and a climb: the worst a policy can do."""

    def predict(self, observation, episode_start=None):
        action = np.zeros((np.atleast_2d(observation).shape[0], 6), dtype=np.float32)
        action[:, 0], action[:, 2] = 1.0, -1.0
        return action

    def reset(self, rows=None) -> None:
        return None


def _fly(policy_factory, failsafe=None):
    mission = load(duet_document())
    plan, timeline, log = fly_agent(mission, "solo", policy_factory(), failsafe, dt_s=DT_S, lag_s=TAU_S)
    return mission, plan, timeline, log


@pytest.fixture(scope="module")
def baseline_flight():
    return _fly(lambda: BaselineController(dt_s=DT_S))


def test_it_follows_the_timeline_from_parked_to_landed(baseline_flight) -> None:
    _, _, timeline, log = baseline_flight
    modes = [mode for _, mode, _, _ in log]
    first = {mode: next(t for t, m, _, _ in log if m == mode) for mode in set(modes)}
    assert modes[0] == AgentMode.TAKEOFF and modes[-1] == AgentMode.LANDED  # the first drone goes at once
    assert first[AgentMode.TAKEOFF] == pytest.approx(timeline.takeoff_s, abs=DT_S)
    assert first[AgentMode.TAKEOFF] < first[AgentMode.TRANSIT] < 0.0 <= first[AgentMode.FILMING]
    assert first[AgentMode.FILMING] < first[AgentMode.RETURN] < first[AgentMode.LAND] < first[AgentMode.LANDED]
    assert first[AgentMode.RETURN] == pytest.approx(timeline.return_s, abs=DT_S)
    _, _, landed_at, _ = log[-1]
    assert np.linalg.norm(landed_at[:2] - timeline.home_ned_m[:2]) < 1.5
    assert landed_at[2] == pytest.approx(0.0, abs=0.2)


def test_it_films_each_scene_and_reports_its_events(baseline_flight) -> None:
    _, _, timeline, log = baseline_flight
    filming = [(t, out.shot.scene) for t, mode, _, out in log if mode == AgentMode.FILMING]
    assert {scene for _, scene in filming} == {s.scene for s in timeline.shots}
    kinds = [e.kind for _, _, _, out in log for e in out.events]
    assert kinds.count("takeoff") == 1 and kinds.count("landed") == 1
    assert kinds.count("shot_start") == len(timeline.shots) and kinds.count("shot_end") == len(timeline.shots)


def test_a_parked_drone_is_told_nothing(baseline_flight) -> None:
    for _, mode, _, out in baseline_flight[3]:
        if mode in (AgentMode.PARKED, AgentMode.LANDED):
            assert not out.velocity_ned_m_s.any() and out.yaw_rate_deg_s == 0.0


def test_a_runaway_policy_stays_inside_the_fence_and_under_the_ceiling() -> None:
    # The perception failsafe would hold the runaway once it loses the subject: off, to test the supervisor.
    mission, _, _, log = _fly(_FullAhead, failsafe=FailsafeSettings(perception_stale_s=60.0))
    fence = shapely.Polygon([p.as_tuple for p in mission.safety.geofence])
    positions = np.array([p for _, _, p, _ in log])
    assert shapely.contains_xy(fence, positions[:, 0], positions[:, 1]).all()
    assert (-positions[:, 2]).max() <= mission.safety.ceiling_m
    interventions = {i.value for _, mode, _, out in log if mode == AgentMode.FILMING for i in out.interventions}
    assert interventions & {"geofence", "ceiling"}, "the supervisor must have limited the policy"
