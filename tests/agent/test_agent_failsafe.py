"""The onboard agent's failsafes in closed loop, on the agent tests' simple vehicle (plankit.LaggedVehicle):
a battery running low mid-shot, a silent ground link (hold, land), a hidden subject (search)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import LaggedVehicle, duet_document, load, make_agent

from dronecine.agent import AgentMode, EventKind, OnboardAgent
from dronecine.agent.search import SearchPattern, search_look_at
from dronecine.flight.failsafe import FailsafeDecision, FailsafeReason, FailsafeSettings
from dronecine.geometry.person import project_person_boxes
from dronecine.ground import plan_shoot
from dronecine.metrics import in_frame
from dronecine.mission.safety import FailsafeAction
from dronecine.perception import SubjectTrack, TrackStatus

DT_S = 0.1
TAU_S = 0.3  # the vehicle's velocity lag
ADA_NED_M = np.zeros(3)  # ada stands at the origin all along


@dataclass(frozen=True)
class Step:
    t_s: float
    mode: AgentMode
    position_ned_m: np.ndarray
    camera_yaw_deg: float
    visible: bool  # the subject's true box is in frame
    failsafe: FailsafeDecision
    scene: str | None
    events: tuple


def _fly(
    battery: Callable[[float], float | None] = lambda t: None,
    link_age: Callable[[float], float | None] = lambda t: None,
    hidden: Callable[[float], bool] = lambda t: False,
    **failsafe_overrides,
) -> tuple[OnboardAgent, list[Step]]:
    """The duet's solo drone from parked to the end of the plan, fed ``battery(t)`` percent,
    ``link_age(t)`` seconds since the last ground message, and its subject ``hidden(t)`` from the tracker."""
    mission = load(duet_document())
    plan = plan_shoot(mission)
    timeline = plan.timeline("solo")
    camera = mission.drone("solo").camera.pinhole()
    agent = make_agent(
        mission, timeline, failsafe=FailsafeSettings.from_mission(mission.safety, **failsafe_overrides), dt_s=DT_S
    )
    vehicle = LaggedVehicle(timeline.home_ned_m, TAU_S)
    log = []
    for k in range(round((plan.end_s + plan.preroll_s) / DT_S)):
        t_s = round(-plan.preroll_s + k * DT_S, 6)
        own = vehicle.own_state()
        box = project_person_boxes(camera, own.camera_pose(), ADA_NED_M[None], 1.7)
        visible = bool(in_frame(box[0]))
        seen = visible and not hidden(t_s)
        track = SubjectTrack(
            np.where(seen, box, np.nan),
            np.array([TrackStatus.DETECTED if seen else TrackStatus.LOST], np.int8),
            np.zeros(1),
        )
        out = agent.step(t_s, own, track, np.empty((0, 3)), battery(t_s), link_age(t_s))
        scene = out.shot.scene if out.shot is not None else None
        camera_yaw_deg = vehicle.yaw_deg + vehicle.gimbal_yaw_deg
        log.append(
            Step(t_s, out.mode, vehicle.position_ned_m.copy(), camera_yaw_deg, visible, out.failsafe, scene, out.events)
        )
        vehicle.fly(out, DT_S)
    return agent, log


def _first(log: list[Step], mode: AgentMode, after_s: float = -np.inf) -> Step:
    return next(s for s in log if s.mode == mode and s.t_s >= after_s)


def _at(log: list[Step], t_s: float) -> Step:
    return min(log, key=lambda s: abs(s.t_s - t_s))


def _kinds(log: list[Step]) -> list[EventKind]:
    return [e.kind for s in log for e in s.events]


# Late in the first scene's orbit: the return is confirmed as the second scene's shot is due (20 s),
# which must not start.
LOW_AT_S = 19.0


@pytest.fixture(scope="module")
def low_battery():
    return _fly(battery=lambda t: 60.0 if t < LOW_AT_S else 25.0, battery_confirm_s=1.0)


def test_a_battery_low_mid_shot_flies_home_and_lands(low_battery) -> None:
    agent, log = low_battery
    assert _at(log, LOW_AT_S - 0.1).mode == AgentMode.FILMING  # the battery ran low mid-shot
    returned = _first(log, AgentMode.RETURN)
    assert returned.t_s == pytest.approx(LOW_AT_S + 1.0, abs=DT_S + 1e-9)  # once confirmed, not before
    assert returned.failsafe is FailsafeDecision.RETURN
    after = [s for s in log if s.t_s >= returned.t_s]
    assert all(s.mode in (AgentMode.RETURN, AgentMode.LAND, AgentMode.LANDED) for s in after)  # never filming again
    assert after[-1].mode == AgentMode.LANDED
    home = agent.timeline.home_ned_m
    assert np.linalg.norm(after[-1].position_ned_m[:2] - home[:2]) < 1.5
    assert _first(log, AgentMode.LANDED).t_s < agent.timeline.return_s  # well before the plan's own return
    assert agent.failsafe.counts[FailsafeReason.BATTERY] == 1
    assert EventKind.FAILSAFE in _kinds(log)


@pytest.fixture(scope="module")
def link_hold():
    return _fly(link_age=lambda t: t - 5.0 if 5.0 <= t < 15.0 else 0.0, datalink_loss_action=FailsafeAction.HOLD)


def test_a_silent_link_with_hold_stays_put_then_the_shot_resumes(link_hold) -> None:
    agent, log = link_hold
    held = [s for s in log if s.mode == AgentMode.HOLD and 5.0 <= s.t_s < 16.0]
    assert held[0].t_s == pytest.approx(10.0, abs=1e-6) and held[-1].t_s == pytest.approx(14.9, abs=1e-6)
    assert all(s.mode != AgentMode.HOLD for s in log if 5.0 <= s.t_s < 10.0)  # not before the timeout
    settled = np.array([s.position_ned_m for s in held if s.t_s >= 11.5])  # after braking
    assert np.ptp(settled, axis=0).max() < 0.3
    assert _first(log, AgentMode.FILMING, after_s=15.0).t_s < 20.0  # back on the orbit within its scene
    assert agent.failsafe.counts[FailsafeReason.DATALINK] == 1
    assert log[-1].mode == AgentMode.LANDED


@pytest.fixture(scope="module")
def link_land():
    return _fly(link_age=lambda t: max(0.0, t - 5.0), datalink_loss_action=FailsafeAction.LAND)


def test_a_battery_low_before_take_off_keeps_the_drone_on_the_ground() -> None:
    agent, log = _fly(battery=lambda t: 20.0, battery_confirm_s=0.0)
    assert {s.mode for s in log} == {AgentMode.PARKED}
    assert np.allclose(log[-1].position_ned_m, agent.timeline.home_ned_m)
    assert _kinds(log) == [EventKind.FAILSAFE]


def test_a_link_loss_hold_across_a_scene_change_holds_through_it_then_films_the_new_scene() -> None:
    _, log = _fly(link_age=lambda t: t - 12.0 if 12.0 <= t < 25.0 else 0.0, datalink_loss_action=FailsafeAction.HOLD)
    assert all(s.mode == AgentMode.HOLD for s in log if 17.0 <= s.t_s < 25.0)
    assert _at(log, 24.9).scene == "arrival"  # the timeline waited
    resumed = _first(log, AgentMode.FILMING, after_s=25.0)
    assert resumed.scene == "together" and resumed.t_s < 35.0


def test_a_silent_link_with_land_descends_where_it_is(link_land) -> None:
    agent, log = link_land
    landing = _first(log, AgentMode.LAND)
    assert landing.t_s == pytest.approx(10.0, abs=1e-6) and landing.failsafe is FailsafeDecision.LAND
    landed = log[-1]
    assert landed.mode == AgentMode.LANDED and landed.position_ned_m[2] == pytest.approx(0.0, abs=0.2)
    assert np.linalg.norm(landed.position_ned_m[:2] - landing.position_ned_m[:2]) < 2.0  # where it was
    assert np.linalg.norm(landed.position_ned_m[:2] - agent.timeline.home_ned_m[:2]) > 5.0  # not home
    assert all(s.mode in (AgentMode.LAND, AgentMode.LANDED) for s in log if s.t_s >= landing.t_s)


HIDE_S = (8.0, 12.0)
STALE_S = 1.5


@pytest.fixture(scope="module")
def hidden_subject():
    return _fly(hidden=lambda t: HIDE_S[0] <= t < HIDE_S[1], perception_stale_s=STALE_S)


def test_a_hidden_subject_is_searched_for_then_the_shot_resumes(hidden_subject) -> None:
    agent, log = hidden_subject
    assert _at(log, HIDE_S[0] - 0.1).mode == AgentMode.FILMING
    search = [s for s in log if s.mode == AgentMode.SEARCH]
    assert search[0].t_s == pytest.approx(HIDE_S[0] + STALE_S, abs=1e-6)  # lost for the stale time, not before
    assert search[-1].t_s < HIDE_S[1] + 0.5  # found again as soon as the tracker sees it
    held = np.array([s.position_ned_m for s in search if s.t_s >= search[0].t_s + 1.5])
    assert np.ptp(held, axis=0).max() < 0.5  # holding position
    yaws = np.unwrap(np.radians([s.camera_yaw_deg for s in search]))
    assert np.degrees(np.ptp(yaws)) > 15.0  # the camera sweeps
    back = _first(log, AgentMode.FILMING, after_s=HIDE_S[1])  # through a transit if the reference moved on
    assert back.t_s < HIDE_S[1] + 4.0
    resumed = [s for s in log if back.t_s <= s.t_s < 20.0]
    assert all(s.mode == AgentMode.FILMING for s in resumed)
    assert np.mean([s.visible for s in resumed]) > 0.9
    assert agent.failsafe.counts[FailsafeReason.PERCEPTION] == 1
    assert log[-1].mode == AgentMode.LANDED


def test_a_brief_occlusion_starts_no_search() -> None:
    agent, log = _fly(hidden=lambda t: 8.0 <= t < 9.3, perception_stale_s=STALE_S)
    assert AgentMode.SEARCH not in {s.mode for s in log}
    assert agent.failsafe.counts[FailsafeReason.PERCEPTION] == 0


def test_without_battery_or_link_inputs_the_flight_is_unchanged() -> None:
    _, plain = _fly()
    _, fed = _fly(battery=lambda t: 95.0, link_age=lambda t: 0.2)
    assert [s.mode for s in plain] == [s.mode for s in fed]
    assert np.allclose([s.position_ned_m for s in plain], [s.position_ned_m for s in fed])
    assert {s.failsafe for s in plain} == {FailsafeDecision.NONE}


def test_the_search_sweeps_about_each_guess_in_turn_keeping_the_range() -> None:
    pattern = SearchPattern(first_amplitude_deg=20.0, amplitude_growth_deg_s=0.0, period_s=4.0)
    here = np.array([0.0, 0.0, -10.0])
    guesses = [np.array([20.0, 0.0, 0.0]), np.array([0.0, 20.0, 0.0])]
    assert np.allclose(search_look_at(here, guesses, 0.0, pattern), guesses[0])
    quarter = search_look_at(here, guesses, 1.0, pattern) - here  # the sweep's peak: 20 deg right of north
    assert np.degrees(np.arctan2(quarter[1], quarter[0])) == pytest.approx(20.0)
    assert np.linalg.norm(quarter) == pytest.approx(np.linalg.norm(guesses[0] - here))
    assert np.allclose(search_look_at(here, guesses, 4.0, pattern), guesses[1])  # the second period: the plan
    assert np.allclose(search_look_at(here, guesses, 8.0, pattern), guesses[0])
