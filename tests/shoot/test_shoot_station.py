"""The simulated shoot with its ground station in the loop: a drone lost in flight is re-planned
around (its high-priority shot flown by the other drone, no separation lost), and an abort brings
every drone to the mission's abort action."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from dronecine_sim.shoot.runner import run_shoot
from dronecine_sim.shoot.settings import ShootSettings
from plankit import duet_document, load

from dronecine.ground import plan_shoot

pytestmark = pytest.mark.slow  # a short shoot each (a few seconds)


def _shoot(tmp_path: Path, doc: dict, **settings):
    mission = load(doc)
    plan = plan_shoot(mission)
    out = tmp_path / "out"
    out.mkdir(parents=True)
    run = run_shoot(mission, plan, out, ShootSettings(seed=3, video_width_px=0, **settings))
    telemetry = {
        d: [json.loads(line) for line in (out / "telemetry" / f"{d}.jsonl").read_text().splitlines()]
        for d in ("solo", "duo")
    }
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    return mission, plan, run, out, telemetry, events


def test_a_lost_drones_high_priority_shot_is_flown_by_the_other(tmp_path) -> None:
    doc = duet_document(scene_s=16.0)
    doc["scenes"][1]["shots"][0]["priority"] = "high"  # solo's spotlight in "together"
    _, _, run, out, telemetry, events = _shoot(tmp_path, doc, fail_drone=("solo", 4.0))
    assert run.measures.separation_violations == 0 and run.measures.geofence_breaches == 0
    assert run.station["lost"].keys() == {"solo"}
    [result] = run.station["replans"]
    assert result["moved"] == [
        {"scene": "together", "subject": "ada", "move": "spotlight", "priority": "high", "from": "solo", "to": "duo"}
    ]
    log = run.measures.shot_log()
    flown = {(r["drone"], r["scene"], r["move"]): r for r in log}
    assert flown["duo", "together", "spotlight"]["steps"] > 50  # the duo filmed it
    assert flown["solo", "together", "spotlight"]["steps"] == 0  # the lost solo never did
    assert ("duo", "together", "profile") not in flown  # the duo's own shot gave way
    # The station said what happened; the lost drone's own failsafe took it home.
    replans = [e for e in events if e["kind"] == "replan" and e["drone"] is None]
    assert "spotlight on ada in together goes from solo to duo" in replans[0]["message"]
    assert any(e["kind"] == "failsafe" and e["drone"] == "solo" for e in events)
    assert telemetry["solo"][-1]["mode"] == "landed" and telemetry["duo"][-1]["mode"] == "landed"
    assert stat.S_IMODE((out / "station.token").stat().st_mode) == 0o600


@pytest.mark.parametrize("abort_action", ["hold", "land"])
def test_abort_brings_every_drone_to_the_missions_abort_action(tmp_path, abort_action) -> None:
    doc = duet_document(scene_s=16.0)
    doc["safety"]["abort_action"] = abort_action
    _, plan, run, out, telemetry, events = _shoot(tmp_path, doc, abort_at_s=6.0)
    commands = [json.loads(line) for line in (out / "commands.jsonl").read_text().splitlines()]
    assert {(c["drone"], c["action"], c["abort_action"]) for c in commands} == {
        ("solo", "abort", abort_action),
        ("duo", "abort", abort_action),
    }
    assert all(c["requested_by"].startswith("operator") for c in commands)
    assert run.station["aborted"] and run.station["replans"] == []
    for drone_id, rows in telemetry.items():
        after = [r for r in rows if r["t_s"] >= 6.5]
        expected = {"hold": {"hold"}, "land": {"land", "landed"}}[abort_action]
        assert {r["mode"] for r in after} <= expected, drone_id
        if abort_action == "land":  # down where it was, not at home
            home = plan.timeline(drone_id).home_ned_m
            assert after[-1]["mode"] == "landed"
            assert abs(after[-1]["north_m"] - home[0]) + abs(after[-1]["east_m"] - home[1]) > 5.0
    assert any(e["kind"] == "abort" for e in events)
    assert run.measures.separation_violations == 0


def test_the_same_seed_gives_the_same_shoot_with_the_station_in_the_loop(tmp_path) -> None:
    doc = duet_document(scene_s=12.0)
    first = _shoot(tmp_path / "a", doc, fail_drone=("duo", 3.0))
    second = _shoot(tmp_path / "b", doc, fail_drone=("duo", 3.0))
    assert first[4] == second[4]  # telemetry, line by line
    assert first[2].station == second[2].station


def test_a_low_battery_sends_the_drones_home_and_the_station_knows(tmp_path) -> None:
    """Packs that start just above the mission's return charge: in flight they drain to it, each
    drone's failsafe flies it home and lands, the station hears the charge and re-plans."""
    doc = duet_document(scene_s=16.0)
    doc["safety"]["battery_return_percent"] = 30
    _, _, run, _, telemetry, events = _shoot(tmp_path, doc, battery_percent=31.0)
    assert run.measures.separation_violations == 0 and run.measures.geofence_breaches == 0
    figures = run.measures.drone_figures()
    for drone_id, rows in telemetry.items():
        assert figures[drone_id]["battery_end_percent"] < 30.0
        assert rows[-1]["mode"] == "landed", drone_id
        failsafes = [e for e in events if e["kind"] == "failsafe" and e["drone"] == drone_id]
        assert failsafes and "battery" in failsafes[0]["message"]
    # Sent home, still heard: out of the shoot, not lost.
    assert run.station["lost"] == {} and set(run.station["out"]) == {"solo", "duo"}
    assert all("battery at" in reason for reason in run.station["out"].values())
    assert run.station["replans"]


def test_a_full_battery_changes_nothing(tmp_path) -> None:
    _, _, run, _, _, events = _shoot(tmp_path, duet_document(scene_s=16.0))
    assert not any(e["kind"] == "failsafe" for e in events)
    assert run.station["lost"] == {} and run.station["out"] == {} and run.station["replans"] == []
    assert all(f["battery_end_percent"] > 90.0 for f in run.measures.drone_figures().values())
