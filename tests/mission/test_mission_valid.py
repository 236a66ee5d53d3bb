"""Valid missions: the shipped examples load, missions are frozen, nominal subject paths, the JSON Schema."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from missionkit import MISSIONS, ORBIT_SINGLE, base, validate
from pydantic import ValidationError

from dronecine.mission import Mission, SubjectPath, load_mission, mission_json_schema, nominal_paths
from dronecine.mission.subjects import MOTION_SCRIPTS
from dronecine.shots import MoveName

MISSION_FILES = sorted(MISSIONS.glob("*.yaml"))


def test_the_example_missions_are_there() -> None:
    assert ORBIT_SINGLE in MISSION_FILES


@pytest.mark.parametrize("path", MISSION_FILES, ids=[p.name for p in MISSION_FILES])
def test_every_example_mission_validates(path) -> None:
    loaded = load_mission(path)
    assert loaded.file == str(path)
    assert loaded.mission.scenes
    assert loaded.mission.duration_s > 0


def test_orbit_single_content() -> None:
    loaded = load_mission(ORBIT_SINGLE)
    mission = loaded.mission
    assert loaded.warnings == ()
    assert mission.name == "Single orbit"
    assert mission.duration_s == 40
    assert mission.drone("solo").character == "circler"
    assert mission.subject("ada").motion[0].script == "stand"
    assert mission.scenes[0].shots[0].camera_move().name == MoveName.ORBIT


def test_missions_are_frozen() -> None:
    mission = load_mission(ORBIT_SINGLE).mission
    with pytest.raises(ValidationError):
        mission.name = "another"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        mission.safety.ceiling_m = 100  # type: ignore[misc]
    with pytest.raises(ValidationError):
        mission.scenes[0].shots[0].move = "dolly"  # type: ignore[misc]
    assert isinstance(mission.scenes, tuple)
    assert isinstance(mission.safety.geofence, tuple)
    with pytest.raises(AttributeError):
        mission.scenes.append(mission.scenes[0])  # type: ignore[attr-defined]
    assert mission.name == "Single orbit"


def test_a_mission_survives_a_round_trip_through_its_own_dump() -> None:
    mission = load_mission(ORBIT_SINGLE).mission
    again = validate(mission.model_dump(mode="json", by_alias=True)).mission
    assert again == mission


# Nominal subject paths.


def _mission(*subjects: dict[str, Any], duration_s: float = 40) -> Mission:
    """orbit_single with its subjects replaced (the shot films the first); schema-checked only."""
    doc = base()
    doc["subjects"] = list(subjects)
    doc["scenes"][0]["duration_s"] = duration_s
    doc["scenes"][0]["shots"][0]["subject"] = subjects[0]["id"]
    return Mission.model_validate(doc)


def _subject(sid: str, north_m: float, east_m: float, *motion: dict[str, Any], heading_deg: float = 0) -> dict:
    return {"id": sid, "start": {"north_m": north_m, "east_m": east_m}, "heading_deg": heading_deg, "motion": motion}


def _ne(north_m: float, east_m: float) -> dict[str, float]:
    return {"north_m": north_m, "east_m": east_m}


def _at(path: SubjectPath, t_s: float) -> np.ndarray:
    return path.state_at(t_s).position_ned_m


def test_a_path_starts_where_the_subject_starts() -> None:
    mission = _mission(_subject("ada", 3, -4, {"script": "waypoints", "waypoints": [_ne(13, -4)], "speed_m_s": 2}))
    path = nominal_paths(mission)["ada"]
    np.testing.assert_allclose(_at(path, 0.0), [3, -4, 0], atol=1e-9)
    assert path.state_at(0.0).heading_deg == pytest.approx(0.0)
    assert path.position_ned_m.shape == (len(path.heading_deg), 3)
    assert len(path.heading_deg) == math.ceil(mission.duration_s / path.dt_s) + 1


def test_waypoints_are_reached_when_distance_over_speed_says() -> None:
    speed = 2.0
    waypoints = [_ne(10, 0), _ne(10, 10), _ne(4, 2)]  # legs of 10, 10 and 10 m
    mission = _mission(_subject("ada", 0, 0, {"script": "waypoints", "waypoints": waypoints, "speed_m_s": speed}))
    path = nominal_paths(mission)["ada"]
    step = speed * path.dt_s
    arrivals = np.cumsum([10.0, 10.0, 10.0]) / speed  # 5, 10, 15 s
    for t, wp in zip(arrivals, waypoints, strict=True):
        np.testing.assert_allclose(_at(path, t)[:2], [wp["north_m"], wp["east_m"]], atol=step + 1e-9)
    # Half-way along the first leg at half the time.
    np.testing.assert_allclose(_at(path, 2.5)[:2], [5.0, 0.0], atol=step + 1e-9)
    # Walking at the given speed in between.
    moving = path.velocity_ned_m_s[path.index_at(1.0) : path.index_at(4.0)]
    np.testing.assert_allclose(np.linalg.norm(moving, axis=1), speed, rtol=1e-6)
    # Then standing at the last waypoint until the end.
    after = np.arange(arrivals[-1] + 2 * path.dt_s, mission.duration_s, 1.0)
    for t in after:
        np.testing.assert_allclose(_at(path, t)[:2], [4.0, 2.0], atol=1e-9)
        np.testing.assert_allclose(path.state_at(t).velocity_ned_m_s, 0.0, atol=1e-9)


def test_a_walker_faces_where_it_walks_turning_smoothly() -> None:
    mission = _mission(
        _subject("ada", 0, 0, {"script": "waypoints", "waypoints": [_ne(0, 30)], "speed_m_s": 1.4}, heading_deg=0)
    )
    path = nominal_paths(mission)["ada"]
    assert path.state_at(10.0).heading_deg == pytest.approx(90.0)  # facing east, the way it walks
    turn_rates = np.abs(np.diff(path.heading_deg)) / path.dt_s
    assert turn_rates.max() <= 30.0 + 1e-6  # the heading swings no faster than 30 deg/s


def test_a_looping_walk_keeps_going() -> None:
    square = [_ne(0, 0), _ne(10, 0), _ne(10, 10), _ne(0, 10)]
    mission = _mission(
        _subject("ada", 0, 0, {"script": "waypoints", "waypoints": square, "speed_m_s": 2, "loop": True}),
        duration_s=60,
    )
    path = nominal_paths(mission)["ada"]
    speeds = np.linalg.norm(path.velocity_ned_m_s[:-1], axis=1)
    np.testing.assert_allclose(speeds, 2.0, rtol=1e-6)  # never stops
    np.testing.assert_allclose(_at(path, 20.0)[:2], [0.0, 0.0], atol=0.2 + 1e-9)  # one 40 m lap in 20 s


def test_walk_with_keeps_the_side_offset_once_caught_up() -> None:
    side = 2.0
    leader = _subject("bob", 0, 0, {"script": "waypoints", "waypoints": [_ne(60, 0)], "speed_m_s": 1.4})
    follower = _subject("ada", -3, 4, {"script": "walk_with", "subject": "bob", "side_m": side})
    mission = _mission(follower, leader, duration_s=30)
    paths = nominal_paths(mission)
    bob, ada = paths["bob"], paths["ada"]
    step = 1.4 * bob.dt_s
    for t in np.arange(10.0, 30.0, 0.5):
        offset = _at(ada, t) - _at(bob, t)
        heading = math.radians(bob.state_at(t).heading_deg)
        right = np.array([-math.sin(heading), math.cos(heading), 0.0])
        assert float(offset @ right) == pytest.approx(side, abs=step + 1e-6)
        assert float(np.linalg.norm(offset - side * right)) <= step + 1e-6


def test_walk_with_to_the_left() -> None:
    leader = _subject("bob", 0, 0, {"script": "waypoints", "waypoints": [_ne(60, 0)], "speed_m_s": 1.0})
    follower = _subject("ada", 0, -1, {"script": "walk_with", "subject": "bob", "side_m": -1.5})
    paths = nominal_paths(_mission(follower, leader, duration_s=20))
    offset = _at(paths["ada"], 15.0) - _at(paths["bob"], 15.0)
    assert offset[1] == pytest.approx(-1.5, abs=0.15)  # bob walks north: his left is west


def test_meet_stops_at_the_stop_distance_and_faces_the_other() -> None:
    target = _subject("bob", 0, 0, {"script": "stand"})
    walker = _subject("ada", 20, 5, {"script": "meet", "subject": "bob", "speed_m_s": 1.5, "stop_distance_m": 3})
    paths = nominal_paths(_mission(walker, target, duration_s=40))
    ada, bob = paths["ada"], paths["bob"]
    gaps = np.linalg.norm(ada.position_ned_m - bob.position_ned_m, axis=1)
    assert gaps.min() >= 3.0 - 1e-9  # never closer than the stop distance
    arrival = (math.hypot(20, 5) - 3.0) / 1.5
    for t in (arrival + 1.0, 30.0, 40.0):
        assert float(np.linalg.norm(_at(ada, t) - _at(bob, t))) == pytest.approx(3.0, abs=0.06)
        np.testing.assert_allclose(ada.state_at(t).velocity_ned_m_s, 0.0, atol=1e-9)
    facing = math.degrees(math.atan2(-5, -20))  # from ada towards bob
    assert (ada.state_at(40.0).heading_deg - facing + 180) % 360 - 180 == pytest.approx(0.0, abs=1.0)


def test_chase_closes_in_on_a_walker() -> None:
    runner = _subject("bob", 0, 0, {"script": "waypoints", "waypoints": [_ne(200, 0)], "speed_m_s": 1.4})
    chaser = _subject("ada", -20, 0, {"script": "chase", "subject": "bob", "speed_m_s": 4, "catch_distance_m": 1})
    paths = nominal_paths(_mission(chaser, runner, duration_s=30))
    gap = np.linalg.norm(paths["ada"].position_ned_m - paths["bob"].position_ned_m, axis=1)
    assert gap[0] == pytest.approx(20.0, abs=0.5)
    assert gap[paths["ada"].index_at(20.0)] == pytest.approx(1.0, abs=0.2)


def test_random_walk_has_its_radius_as_uncertainty_during_the_segment() -> None:
    mission = _mission(
        _subject(
            "ada",
            5,
            5,
            {"script": "random_walk", "radius_m": 7, "duration_s": 10},
            {"script": "waypoints", "waypoints": [_ne(5, 15)], "speed_m_s": 1},
        ),
        duration_s=30,
    )
    path = nominal_paths(mission)["ada"]
    during = path.uncertainty_m[path.index_at(0.0) : path.index_at(10.0)]
    after = path.uncertainty_m[path.index_at(10.0) + 1 :]
    assert np.all(during == 7.0)
    assert np.all(after == 0.0)
    np.testing.assert_allclose(_at(path, 9.9)[:2], [5, 5], atol=1e-9)  # the nominal wanderer stays at its centre
    np.testing.assert_allclose(_at(path, 20.0)[:2], [5, 15], atol=0.1 + 1e-9)  # then walks on: 10 m in 10 s


def test_stand_with_a_duration_then_walk() -> None:
    mission = _mission(
        _subject(
            "ada",
            0,
            0,
            {"script": "stand", "duration_s": 5},
            {"script": "waypoints", "waypoints": [_ne(10, 0)], "speed_m_s": 2},
        ),
        duration_s=20,
    )
    path = nominal_paths(mission)["ada"]
    np.testing.assert_allclose(_at(path, 4.9), [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(_at(path, 7.5)[:2], [5, 0], atol=0.2 + 1e-9)  # 2.5 s at 2 m/s
    np.testing.assert_allclose(_at(path, 15.0)[:2], [10, 0], atol=1e-9)


def test_state_at_is_continuous_and_interpolates() -> None:
    mission = _mission(
        _subject(
            "ada",
            0,
            0,
            {"script": "waypoints", "waypoints": [_ne(10, 0), _ne(10, 10), _ne(0, 0)], "speed_m_s": 3},
        ),
        duration_s=20,
    )
    path = nominal_paths(mission)["ada"]
    fine = np.linspace(-1.0, 21.0, 2201)  # also before the start and after the end: clamped
    positions = np.array([_at(path, float(t)) for t in fine])
    headings = np.array([path.state_at(float(t)).heading_deg for t in fine])
    dt = fine[1] - fine[0]
    assert np.linalg.norm(np.diff(positions, axis=0), axis=1).max() <= 3.0 * dt + 1e-9
    heading_steps = (np.diff(headings) + 180.0) % 360.0 - 180.0
    assert np.abs(heading_steps).max() <= 30.0 * dt + 1e-6
    # Between two samples the state is the straight-line mix of the two.
    k = 17
    mid = path.state_at((k + 0.5) * path.dt_s).position_ned_m
    np.testing.assert_allclose(mid, 0.5 * (path.position_ned_m[k] + path.position_ned_m[k + 1]), atol=1e-12)
    np.testing.assert_allclose(_at(path, -5.0), path.position_ned_m[0])
    np.testing.assert_allclose(_at(path, 99.0), path.position_ned_m[-1])


def test_heading_interpolates_across_the_wrap() -> None:
    path = SubjectPath(
        "x",
        1.0,
        1.7,
        np.zeros((2, 3)),
        np.zeros((2, 3)),
        np.array([170.0, -170.0]),
        np.zeros(2),
    )
    assert path.state_at(0.5).heading_deg % 360.0 == pytest.approx(180.0)


def test_paths_of_the_flagship_stay_finite() -> None:
    for path_file in MISSION_FILES:
        mission = load_mission(path_file).mission
        for path in nominal_paths(mission).values():
            assert np.isfinite(path.position_ned_m).all()
            assert np.isfinite(path.heading_deg).all()


# The JSON Schema.


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    return node


def _branches(schema: dict, node: dict) -> list[dict]:
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return [b for sub in node[key] for b in _branches(schema, sub)]
    return [node]


def _uncovered_keys(schema: dict, node: dict, data: Any, path: str = "") -> list[str]:
    """Keys of ``data`` that the schema ``node`` does not describe (a tiny structural check)."""
    missing: list[str] = []
    branches = _branches(schema, node)
    if isinstance(data, dict):
        objects = [b for b in branches if b.get("type") == "object" or "properties" in b]
        if not objects:
            return [path or "<root>"]
        best: list[str] | None = None
        for branch in objects:
            found: list[str] = []
            for key, value in data.items():
                patterns = [sub for rx, sub in branch.get("patternProperties", {}).items() if re.search(rx, str(key))]
                if key in branch.get("properties", {}):
                    found += _uncovered_keys(schema, branch["properties"][key], value, f"{path}.{key}")
                elif patterns:
                    found += _uncovered_keys(schema, patterns[0], value, f"{path}.{key}")
                elif isinstance(branch.get("additionalProperties"), dict):
                    found += _uncovered_keys(schema, branch["additionalProperties"], value, f"{path}.{key}")
                else:
                    found.append(f"{path}.{key}")
            if best is None or len(found) < len(best):
                best = found
        missing += best or []
    elif isinstance(data, list):
        arrays = [b for b in branches if b.get("type") == "array"]
        if not arrays:
            return [path]
        for i, item in enumerate(data):
            missing += _uncovered_keys(schema, arrays[0].get("items", {}), item, f"{path}[{i}]")
    return missing


def test_json_schema_is_json_and_structurally_sound() -> None:
    schema = mission_json_schema()
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert {"name", "safety", "scenes", "subjects", "drones", "characters", "origin"} <= set(schema["properties"])
    assert {"name", "origin", "safety", "subjects", "characters", "drones", "scenes"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    models = {name: d for name, d in defs.items() if "properties" in d}
    assert {"Safety", "Subject", "Drone", "Character", "Scene", "ShotSpec", "Gimbal", "Camera"} <= set(models)
    for name, model in models.items():
        assert model.get("additionalProperties") is False, name
    # Every $ref points at a definition.
    refs = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schema)
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in defs


def test_json_schema_details_match_the_models() -> None:
    schema = mission_json_schema()
    defs = schema["$defs"]
    assert "class" in defs["Subject"]["properties"]  # the YAML key, not the Python name
    assert "kind" not in defs["Subject"]["properties"]
    assert set(defs["ShotSpec"]["properties"]["move"]["enum"]) == {m.value for m in MoveName}
    ceiling = defs["Safety"]["properties"]["ceiling_m"]
    assert ceiling["type"] == "number"
    assert ceiling["exclusiveMinimum"] == 0
    assert ceiling["maximum"] == 500
    scripts = {
        _resolve(schema, b)["properties"]["script"]["const"]
        for b in _branches(schema, defs["Subject"]["properties"]["motion"]["items"])
    }
    assert scripts == {
        "stand",
        "waypoints",
        "run",
        "stop_and_go",
        "random_walk",
        "sudden_turns",
        "walk_with",
        "meet",
        "chase",
    }
    assert set(MOTION_SCRIPTS) == scripts


@pytest.mark.parametrize("path", MISSION_FILES, ids=[p.name for p in MISSION_FILES])
def test_json_schema_describes_every_key_of_the_examples(path) -> None:
    import yaml

    schema = mission_json_schema()
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(doc) <= set(schema["properties"])
    assert _uncovered_keys(schema, schema, doc) == []


def test_the_schema_check_can_fail() -> None:
    schema = mission_json_schema()
    doc = base()
    doc["safety"]["ceiling_ft"] = 3
    doc["subjects"][0]["motion"][0]["speeed_m_s"] = 1
    doc["characters"]["circler"]["height_m"]["mid"] = 4
    doc["characters"]["no good"] = {}
    assert _uncovered_keys(schema, schema, doc) == [
        ".safety.ceiling_ft",
        ".subjects[0].motion[0].speeed_m_s",
        ".characters.circler.height_m.mid",
        ".characters.no good",
    ]


def test_examples_validate_against_the_json_schema() -> None:
    """What editors check with the schema agrees with the missions we ship."""
    import jsonschema
    import yaml

    schema = mission_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in MISSION_FILES:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_the_json_schema_rejects_what_the_loader_rejects() -> None:
    import jsonschema

    doc = base()
    doc["safety"]["ceiling_ft"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, mission_json_schema())
