"""The planner: timelines, take-off stagger, transits, free drones, and refusing what cannot be flown."""

from __future__ import annotations

import numpy as np
import pytest
from plankit import ROBOT_SKIES, duet_document, load

from dronecine.ground import PlanError, PlanSettings, plan_shoot
from dronecine.ground.deconflict import pairwise_distances_m
from dronecine.mission import load_mission


@pytest.fixture(scope="module")
def robot_skies_plan():
    mission = load_mission(ROBOT_SKIES).mission
    return mission, plan_shoot(mission)


def test_every_drone_gets_every_scene_in_order(robot_skies_plan) -> None:
    mission, plan = robot_skies_plan
    assert [t.drone_id for t in plan.timelines] == [d.id for d in mission.drones]
    for timeline in plan.timelines:
        assert [s.scene for s in timeline.shots] == [scene.name for scene in mission.scenes]
        for k, shot in enumerate(timeline.shots):
            assert shot.start_s == pytest.approx(mission.scene_start_s(k))
            assert shot.end_s == pytest.approx(mission.scene_start_s(k) + mission.scenes[k].duration_s)
            assert 0.0 <= shot.transit_s <= 0.5 * mission.scenes[k].duration_s


def test_take_offs_are_staggered_before_action_and_landings_after(robot_skies_plan) -> None:
    mission, plan = robot_skies_plan
    takeoffs = [t.takeoff_s for t in plan.timelines]
    assert takeoffs[0] == -plan.preroll_s
    assert np.all(np.diff(takeoffs) == PlanSettings().stagger_s)
    assert all(t.return_s >= mission.duration_s for t in plan.timelines)
    assert all(t.landed_s <= plan.end_s for t in plan.timelines)


def test_predicted_paths_start_and_end_at_home_and_keep_apart(robot_skies_plan) -> None:
    mission, plan = robot_skies_plan
    for i, timeline in enumerate(plan.timelines):
        np.testing.assert_allclose(plan.predicted_ned_m[i, 0], timeline.home_ned_m)
        np.testing.assert_allclose(plan.predicted_ned_m[i, -1], timeline.home_ned_m, atol=1e-6)
    positions = np.transpose(plan.predicted_ned_m, (1, 0, 2))
    distance = pairwise_distances_m(positions)
    flying = -positions[..., 2] > 0.5
    distance[~(flying[:, :, None] & flying[:, None, :])] = np.inf
    assert distance.min() >= mission.safety.min_separation_m
    assert plan.min_predicted_separation_m == pytest.approx(distance.min())


def test_the_plan_is_plain_json(robot_skies_plan) -> None:
    import json

    _, plan = robot_skies_plan
    data = json.loads(json.dumps(plan.to_json()))
    assert [d["drone"] for d in data["drones"]] == ["watcher", "companion", "confidant"]
    assert data["drones"][0]["shots"][1]["move"] == "orbit"


def test_a_free_drone_gets_a_shot_from_its_character() -> None:
    plan = plan_shoot(load(duet_document()))
    duo = plan.timeline("duo")
    assert [s.assigned for s in duo.shots] == [False, True]
    free = duo.shots[1]
    assert free.spec.move in ("profile", "orbit")  # the character's moves
    assert free.spec.subject == "bob"  # the subject nobody else films in that scene
    assert free.shot.size.value == "full"  # the character's first size


def test_two_shots_in_one_place_are_refused_naming_both_drones() -> None:
    doc = duet_document()
    doc["scenes"][0]["shots"][1] = {
        "drone": "duo",
        "subject": "ada",
        "move": "orbit",
        "size": "wide",
        "params": {"height_m": 8, "rate_deg_s": 6},
    }
    with pytest.raises(PlanError, match=r"'solo' and 'duo' would come 0\.0 m apart at t=0\.0 s \(scene 'arrival'\)"):
        plan_shoot(load(doc))


def test_a_scene_too_short_for_the_flight_to_its_shot_is_refused() -> None:
    doc = duet_document(scene_s=20.0)
    doc["scenes"][1]["duration_s"] = 6
    doc["scenes"][1]["shots"][0]["params"]["bearing_deg"] = 90  # across the set from where the orbit ends
    with pytest.raises(PlanError, match=r"drone 'solo' cannot reach its spotlight in scene 'together' in time"):
        plan_shoot(load(doc))


def test_a_transit_that_would_cross_another_drone_waits_or_detours() -> None:
    mission = load_mission(ROBOT_SKIES).mission
    plan = plan_shoot(mission)
    adjusted = [s for t in plan.timelines for s in t.shots if s.depart_delay_s > 0 or s.via_ned_m]
    assert adjusted, "robot_skies has crossing transits the planner must resolve"
    for shot in adjusted:
        assert shot.transit_s > shot.depart_delay_s


def test_validate_reports_a_plan_that_cannot_be_flown(tmp_path) -> None:
    from plankit import write
    from typer.testing import CliRunner

    from dronecine.cli.main import app

    doc = duet_document()
    doc["scenes"][0]["shots"][1] = dict(doc["scenes"][0]["shots"][0], drone="duo")
    path = write(doc, tmp_path / "clash.yaml")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: plan: drones 'solo' and 'duo' would come 0.0 m apart" in result.output
