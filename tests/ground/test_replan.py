"""Re-planning without a lost drone: its shots go by priority to a drone that can fly there in time
and keep its distance, or are dropped, lowest priority first."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from plankit import ROBOT_SKIES, duet_document, load

from dronecine.ground import plan_shoot
from dronecine.ground.deconflict import closest_approach_m
from dronecine.ground.planner import PlanSettings, homeward_positions, shot_references
from dronecine.ground.replan import LostDrone, replan
from dronecine.mission import load_mission
from dronecine.mission.motion import nominal_paths
from dronecine.mission.safety import FailsafeAction
from dronecine.mission.scenes import Priority

LOST_AT_S = 9.0  # in the first scene of the duet (0..16 s)


def _duet(spotlight_priority: str | None = "high"):
    doc = duet_document(scene_s=16.0)
    if spotlight_priority:
        doc["scenes"][1]["shots"][0]["priority"] = spotlight_priority  # solo's shot in "together"
    mission = load(doc)
    return mission, plan_shoot(mission)


def _where(plan, drone_id: str, t_s: float) -> np.ndarray:
    i = [t.drone_id for t in plan.timelines].index(drone_id)
    return plan.predicted_ned_m[i, int(np.argmin(np.abs(plan.sample_t_s - t_s)))]


def _lose_solo(mission, plan, duo_at=None, action=FailsafeAction.RETURN, solo_at=None):
    timelines = {t.drone_id: t for t in plan.timelines}
    solo = solo_at if solo_at is not None else _where(plan, "solo", LOST_AT_S)
    lost = LostDrone("solo", LOST_AT_S, solo, action, "silent")
    duo = duo_at if duo_at is not None else _where(plan, "duo", LOST_AT_S)
    return replan(mission, timelines, {"duo": duo}, [lost], LOST_AT_S)


def test_the_lost_drones_high_priority_shot_goes_to_the_other_drone() -> None:
    mission, plan = _duet("high")
    result = _lose_solo(mission, plan)
    assert [(m.scene, m.move, m.from_drone, m.to_drone) for m in result.moved] == [
        ("together", "spotlight", "solo", "duo")
    ]
    dropped = {(d.scene, d.drone, d.move): d for d in result.dropped}
    assert set(dropped) == {("arrival", "solo", "orbit"), ("together", "duo", "profile")}
    assert "higher priority" in dropped["together", "duo", "profile"].reason
    duo = result.timelines["duo"]
    assert [(s.scene, s.spec.move, s.spec.drone) for s in duo.shots] == [
        ("arrival", "follow", "duo"),
        ("together", "spotlight", "duo"),
    ]
    assert duo.shots[0] is plan.timeline("duo").shots[0]  # the shot under way carries on untouched
    taken = duo.shots[1]
    assert taken.assigned and taken.priority == Priority.HIGH
    assert taken.shot.camera == mission.drone("duo").camera.pinhole()  # rebuilt for the duo's lens
    assert taken.shot.size == plan.timeline("solo").shots[1].shot.size
    assert result.timelines["solo"].shots == ()  # nothing left for the lost drone
    assert "spotlight on ada in together goes from solo to duo" in result.summary()


def test_at_equal_priority_a_drone_keeps_its_own_shot_and_the_lost_one_is_dropped() -> None:
    mission, plan = _duet(None)
    result = _lose_solo(mission, plan)
    assert result.moved == ()
    assert {(d.scene, d.drone, d.move) for d in result.dropped} == {
        ("arrival", "solo", "orbit"),
        ("together", "solo", "spotlight"),
    }
    assert "duo" not in result.timelines  # its timeline did not change


def test_a_drone_too_far_away_to_arrive_in_time_does_not_take_the_shot() -> None:
    mission, plan = _duet("high")
    far = _where(plan, "duo", LOST_AT_S) + np.array([-90.0, 0.0, 0.0])
    result = _lose_solo(mission, plan, duo_at=far)
    spotlight = next(d for d in result.dropped if d.move == "spotlight")
    assert "cannot reach it in time" in spotlight.reason
    assert not any(m.move == "spotlight" for m in result.moved)


def test_a_shot_that_would_bring_the_drone_too_close_to_the_lost_one_is_dropped() -> None:
    mission, plan = _duet("high")
    # The lost drone hovers right on the spotlight's marks (its failsafe is to hold there).
    at_marks = _where(plan, "solo", plan.timeline("solo").shots[1].start_s + 2.0)
    result = _lose_solo(mission, plan, action=FailsafeAction.HOLD, solo_at=at_marks)
    spotlight = next(d for d in result.dropped if d.move == "spotlight")
    assert f"closer than {mission.safety.min_separation_m:g} m" in spotlight.reason


def test_a_landing_lost_drone_frees_the_sky_and_the_shot_is_taken() -> None:
    mission, plan = _duet("high")
    at_marks = _where(plan, "solo", plan.timeline("solo").shots[1].start_s + 2.0)
    result = _lose_solo(mission, plan, action=FailsafeAction.LAND, solo_at=at_marks)
    assert [m.move for m in result.moved] == ["spotlight"]  # it is on the ground before the scene


@pytest.fixture(scope="module")
def robot_skies():
    mission = load_mission(ROBOT_SKIES).mission
    return mission, plan_shoot(mission)


def _robot_skies_without_the_watcher(robot_skies, t_s: float = 60.0):
    """The watcher falls silent at ``t_s`` (its failsafe flies it home); the others are where the plan
    puts them: (timelines, survivors' positions, the re-plan)."""
    mission, plan = robot_skies
    timelines = {t.drone_id: t for t in plan.timelines}
    positions = {d: _where(plan, d, t_s) for d in ("companion", "confidant")}
    lost = LostDrone("watcher", t_s, _where(plan, "watcher", t_s), FailsafeAction.RETURN, "silent")
    return timelines, positions, replan(mission, timelines, positions, [lost], t_s)


def test_robot_skies_without_the_watcher_keeps_its_high_priority_shot(robot_skies) -> None:
    *_, result = _robot_skies_without_the_watcher(robot_skies)
    moved = {(m.scene, m.move): m.to_drone for m in result.moved}
    assert set(moved) == {("farewell", "dronie")} and moved["farewell", "dronie"] in ("companion", "confidant")
    # The drone that takes it gives up its own normal shot; the other keeps its own (equal priorities
    # do not displace each other).
    assert [(d.scene, d.drone) for d in result.dropped if d.drone != "watcher"] == [
        ("farewell", moved["farewell", "dronie"])
    ]
    assert all(d.priority != Priority.HIGH for d in result.dropped)  # only lower priorities are dropped
    assert {d.scene for d in result.dropped if d.drone == "watcher"} == {"meeting", "walk_together", "the_run"}
    taker = result.timelines[moved["farewell", "dronie"]]
    assert any(s.spec.move == "dronie" and s.spec.drone == taker.drone_id for s in taker.shots)
    assert not any(s.scene == "farewell" and s.spec.move != "dronie" for s in taker.shots)


# --- the flights home after a re-plan ---------------------------------------------------------------


def _homeward_min_distance_m(mission, result, timelines, positions, fine_dt_s=0.1) -> float:
    """The closest two survivors come on their way home, sampled finely (the schedule uses 0.5 s)."""
    settings = PlanSettings()
    cruise = settings.cruise_fraction * mission.safety.max_horizontal_speed_m_s
    climb = settings.climb_fraction * mission.safety.max_vertical_speed_m_s
    final = {d: result.timelines.get(d, t) for d, t in timelines.items() if d in positions}
    times = np.arange(min(t.return_s for t in final.values()), max(t.landed_s for t in final.values()), fine_dt_s)
    paths = [
        homeward_positions(positions[d], t.home_ned_m, t.takeoff_height_m, t.return_s, times, cruise, climb)
        for d, t in final.items()
    ]
    return min(closest_approach_m(a, b) for a, b in itertools.combinations(paths, 2))


def _robot_skies_after_the_action(robot_skies, companion_at, confidant_at):
    """The watcher lost just after the action ends, the other two holding where given before going home."""
    mission, plan = robot_skies
    timelines = {t.drone_id: t for t in plan.timelines}
    lost = LostDrone("watcher", 166.0, np.array([-115.0, -20.0, -35.0]), FailsafeAction.LAND, "silent")
    positions = {"companion": np.asarray(companion_at, float), "confidant": np.asarray(confidant_at, float)}
    return mission, timelines, positions, replan(mission, timelines, positions, [lost], 166.0)


def test_a_flight_home_that_would_pass_over_a_holding_drone_waits_until_that_drone_has_gone(robot_skies) -> None:
    # The companion goes home first (the plan's staggered order) straight down the north axis, right
    # over where the confidant holds until its own return 4 s later.
    mission, timelines, positions, result = _robot_skies_after_the_action(
        robot_skies, companion_at=[-60.0, 0.0, -5.0], confidant_at=[-85.0, 0.0, -5.0]
    )
    limit = mission.safety.min_separation_m
    as_planned = replace(result, timelines={})
    assert _homeward_min_distance_m(mission, as_planned, timelines, positions) < limit  # the plan's returns clash
    [delayed] = result.delayed_returns
    assert delayed.drone == "companion" and delayed.delay_s > 0.0
    companion = result.timelines["companion"]
    assert companion.return_s == timelines["companion"].return_s + delayed.delay_s
    assert companion.landed_s > companion.return_s
    assert "confidant" not in result.timelines  # it goes when planned
    assert result.conflicts == ()
    assert _homeward_min_distance_m(mission, result, timelines, positions) >= limit
    assert "companion flies home 4 s later" in result.summary()
    assert result.to_json()["delayed_returns"][0]["drone"] == "companion"


def test_flights_home_that_keep_apart_are_left_as_planned(robot_skies) -> None:
    *_, result = _robot_skies_after_the_action(
        robot_skies, companion_at=[-100.0, 0.0, -5.0], confidant_at=[-100.0, 20.0, -5.0]
    )
    assert result.delayed_returns == () and result.conflicts == () and result.timelines == {}


def test_a_flight_home_no_wait_can_clear_is_reported(robot_skies) -> None:
    # Each holds right above the other's home: whoever goes first flies onto the other.
    *_, result = _robot_skies_after_the_action(
        robot_skies, companion_at=[-115.0, 20.0, -5.0], confidant_at=[-115.0, 0.0, -5.0]
    )
    assert result.conflicts and "however long it waits" in result.conflicts[0]
    assert "warning:" in result.summary()


def test_after_a_replan_mid_shoot_every_flight_home_keeps_the_separation(robot_skies) -> None:
    mission, _ = robot_skies
    timelines, positions, result = _robot_skies_without_the_watcher(robot_skies)
    assert result.conflicts == ()
    # Where each survivor ends the action: the last sample of its last shot as re-planned.
    ends = {}
    for d in positions:
        last = (result.timelines.get(d) or timelines[d]).shots[-1]
        ends[d] = shot_references(
            last.shot, nominal_paths(mission)[last.subject_id], last.start_s, np.array([last.end_s])
        )[0]
    assert _homeward_min_distance_m(mission, result, timelines, ends) >= mission.safety.min_separation_m
