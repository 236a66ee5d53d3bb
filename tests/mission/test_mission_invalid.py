"""Every kind of invalid mission gives one-line problems naming the key path and what was expected."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from missionkit import assert_one_line, problems_of, with_bob

from dronecine.mission import MissionError, Problem, format_key_path

Doc = dict[str, Any]


def _shot(doc: Doc) -> Doc:
    return doc["scenes"][0]["shots"][0]


def _set(*path: str | int, value: Any) -> Callable[[Doc], None]:
    """A mutation that sets ``doc[path...] = value``."""

    def mutate(doc: Doc) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _rename(*path: str | int, to: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[to] = node.pop(path[-1])

    return mutate


def _delete(*path: str | int) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _motion(*segments: Doc, bob: bool = True) -> Callable[[Doc], None]:
    """ada's motion replaced by ``segments`` (with a standing bob in the mission, unless told)."""

    def mutate(doc: Doc) -> None:
        if bob:
            with_bob(doc)
        doc["subjects"][0]["motion"] = list(segments)

    return mutate


def _fence(*corners: tuple[float, float]) -> list[Doc]:
    return [{"north_m": n, "east_m": e} for n, e in corners]


def _second_drone(north_m: float, east_m: float) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["drones"].append(
            {
                "id": "two",
                "connection": "sim://",
                "home": {"north_m": north_m, "east_m": east_m},
                "character": "circler",
            }
        )

    return mutate


def _both(*mutations: Callable[[Doc], Any]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for m in mutations:
            m(doc)

    return mutate


def _shot_twice(doc: Doc) -> None:
    shots = doc["scenes"][0]["shots"]
    shots.append(dict(shots[0]))


def _second_ada(doc: Doc) -> None:
    doc["subjects"].append({"id": "ada", "start": {"north_m": 5, "east_m": 5}})


def _origin_outside(doc: Doc) -> None:
    doc["safety"]["geofence"] = _fence((10, -60), (10, 60), (100, 60), (100, -60))
    doc["drones"][0]["home"] = {"north_m": 20, "east_m": 0}


def _rocket_with_narrow_gimbal(doc: Doc) -> None:
    # A rocket starts 4 m up and 3 m off the subject: it must look down about 45 deg at once,
    # more than a gimbal that stops at -30 deg.
    doc["drones"][0]["gimbal"]["pitch_min_deg"] = -30
    doc["scenes"][0]["duration_s"] = 10
    _shot(doc).update(move="rocket", params={"climb_m_s": 1.5})


_MOVES_START = "expected one of: follow, lead, profile, orbit, dronie, rocket, helix, boomerang, reveal"

# (mutation, the key path the problem must name, fragments the message must contain), with an id
CASES = [
    # Schema: unknown keys, with the keys that are allowed there.
    pytest.param(
        _set("colour", value="red"),
        "colour",
        ("'colour' is not a known key", "expected one of: version, name, description, origin"),
        id="unknown-key-top",
    ),
    pytest.param(
        _set("safety", "ceilng_m", value=30),
        "safety.ceilng_m",
        ("'ceilng_m' is not a known key", "expected one of: geofence, ceiling_m, floor_m"),
        id="unknown-key-safety",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "zoom", value=2),
        "scenes[0].shots[0].zoom",
        ("'zoom' is not a known key", "expected one of: drone, subject, move, size"),
        id="unknown-key-shot",
    ),
    pytest.param(
        _set("subjects", 0, "motion", 0, "speeed_m_s", value=1.0),
        "subjects[0].motion[0].speeed_m_s",
        ("'speeed_m_s' is not a known key", "expected one of: script, duration_s"),
        id="unknown-key-stand-segment",
    ),
    pytest.param(
        _motion({"script": "waypoints", "waypoints": _fence((5, 5)), "speeed_m_s": 1.0}),
        "subjects[0].motion[0].speeed_m_s",
        ("'speeed_m_s' is not a known key", "expected one of: script, waypoints, speed_m_s, loop, duration_s"),
        id="unknown-key-waypoints-segment",
    ),
    pytest.param(
        _set("drones", 0, "gimbal", "roll_deg", value=0),
        "drones[0].gimbal.roll_deg",
        ("'roll_deg' is not a known key", "pitch_min_deg"),
        id="unknown-key-gimbal",
    ),
    # Schema: keys in units dronecine does not use.
    pytest.param(
        _rename("safety", "ceiling_m", to="ceiling_ft"),
        "safety.ceiling_ft",
        ("'ceiling_ft' has the wrong unit", "expected ceiling_m", "metres"),
        id="wrong-unit-ceiling-ft",
    ),
    pytest.param(
        _motion({"script": "waypoints", "waypoints": _fence((5, 5)), "speed_mph": 3}),
        "subjects[0].motion[0].speed_mph",
        ("wrong unit", "expected speed_m_s", "metres per second"),
        id="wrong-unit-speed-mph",
    ),
    pytest.param(
        _rename("subjects", 0, "height_m", to="height_cm"),
        "subjects[0].height_cm",
        ("wrong unit", "expected height_m", "metres"),
        id="wrong-unit-height-cm",
    ),
    # Schema: strict numbers.
    pytest.param(
        _set("safety", "ceiling_m", value="30 m"),
        "safety.ceiling_m",
        ("'30 m' is not a number", "expected metres", "plain number"),
        id="string-for-number",
    ),
    pytest.param(
        _set("safety", "ceiling_m", value=True),
        "safety.ceiling_m",
        ("True is not a number", "expected metres"),
        id="bool-for-number",
    ),
    pytest.param(
        _set("drones", 0, "camera", "width_px", value=True),
        "drones[0].camera.width_px",
        ("True is not a whole number", "pixels"),
        id="bool-for-whole-number",
    ),
    pytest.param(
        _set("drones", 0, "camera", "width_px", value=1920.5),
        "drones[0].camera.width_px",
        ("1920.5 is not a whole number", "pixels"),
        id="float-for-whole-number",
    ),
    pytest.param(
        _set("characters", "circler", "distance_m", "max", value=math.nan),
        "characters.circler.distance_m.max",
        ("nan is not a finite number",),
        id="nan-for-number",
    ),
    pytest.param(
        _set("characters", "circler", "distance_m", "max", value=math.inf),
        "characters.circler.distance_m.max",
        ("inf is not a finite number",),
        id="inf-for-number",
    ),
    pytest.param(
        _set("subjects", 0, "heading_deg", value=math.nan),
        "subjects[0].heading_deg",
        ("nan is not a finite number", "degrees"),
        id="nan-for-bounded-number",
    ),
    pytest.param(_set("version", value=True), "version", ("True is not allowed", "expected 1"), id="bool-for-version"),
    pytest.param(_set("version", value=1.0), "version", ("1.0 is not allowed", "expected 1"), id="float-for-version"),
    # Schema: ranges.
    pytest.param(
        _set("scenes", 0, "duration_s", value=-3),
        "scenes[0].duration_s",
        ("-3 is out of range", "expected > 0.0 s"),
        id="negative-scene-duration",
    ),
    pytest.param(
        _set("subjects", 0, "motion", 0, "duration_s", value=-1),
        "subjects[0].motion[0].duration_s",
        ("-1 is out of range", "expected > 0.0 s"),
        id="negative-segment-duration",
    ),
    pytest.param(
        _set("origin", "latitude_deg", value=91),
        "origin.latitude_deg",
        ("91 is out of range", "expected <= 90.0 deg"),
        id="latitude-out-of-range",
    ),
    pytest.param(
        _set("safety", "max_horizontal_speed_m_s", value=40),
        "safety.max_horizontal_speed_m_s",
        ("40 is out of range", "expected <= 25.0 m/s"),
        id="speed-limit-out-of-range",
    ),
    pytest.param(
        _set("safety", "person_clearance_m", value=0),
        "safety.person_clearance_m",
        ("0 is out of range", "expected > 0.0 m"),
        id="no-clearance-from-people",
    ),
    pytest.param(
        _set("safety", "subject_clearance_m", value=80),
        "safety.subject_clearance_m",
        ("80 is out of range", "expected <= 50.0 m"),
        id="subject-clearance-out-of-range",
    ),
    pytest.param(
        _delete("safety", "ceiling_m"), "safety.ceiling_m", ("is required but missing",), id="missing-required-key"
    ),
    pytest.param(_set("safety", value=[1]), "safety", ("is not a mapping",), id="list-for-mapping"),
    pytest.param(_set("subjects", value={"ada": 1}), "subjects", ("is not a list",), id="mapping-for-list"),
    # Schema: enums.
    pytest.param(
        _set("scenes", 0, "shots", 0, "size", value="closeup"),
        "scenes[0].shots[0].size",
        ("'closeup' is not allowed", "'medium_wide'", "'wide'"),
        id="unknown-size",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "framing", "composition", value="left"),
        "scenes[0].shots[0].framing.composition",
        ("'left' is not allowed", "'left_third', 'centre' or 'right_third'"),
        id="unknown-composition",
    ),
    pytest.param(
        _set("safety", "datalink_loss_action", value="explode"),
        "safety.datalink_loss_action",
        ("'explode' is not allowed", "'hold', 'return' or 'land'"),
        id="unknown-datalink-action",
    ),
    pytest.param(
        _set("subjects", 0, "motion", 0, "script", value="dance"),
        "subjects[0].motion[0]",
        ("'dance' is not a known 'script'", "'stand', 'waypoints'", "'chase'"),
        id="unknown-motion-script",
    ),
    pytest.param(
        _set("subjects", 0, "motion", 0, value={"duration_s": 3}),
        "subjects[0].motion[0]",
        ("needs 'script'",),
        id="motion-without-script",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "move", value="orbitt"),
        "scenes[0].shots[0].move",
        ("'orbitt' is not a camera move", _MOVES_START, "spotlight)"),
        id="unknown-move",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "radiuss_m", value=5),
        "scenes[0].shots[0].params.radiuss_m",
        ("'radiuss_m' is not a parameter of move 'orbit'", "expected one of: radius_m, height_m, rate_deg_s"),
        id="unknown-move-param",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "radius_m", value=1000),
        "scenes[0].shots[0].params.radius_m",
        ("1000", "out of range", "2..300 m"),
        id="move-param-out-of-range",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "radius_m", value="far"),
        "scenes[0].shots[0].params.radius_m",
        ("'far' is not a number", "metres"),
        id="move-param-not-a-number",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "radius_m", value=True),
        "scenes[0].shots[0].params.radius_m",
        ("True is not a number",),
        id="move-param-bool",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "move", value="dolly"),
        "scenes[0].shots[0].params.rate_deg_s",
        ("not a parameter of move 'dolly'", "expected one of: distance_m"),
        id="move-param-of-another-move",
    ),
    pytest.param(
        _both(
            _set("drones", 0, "gimbal", "pitch_min_deg", value=-10),
            _set("drones", 0, "gimbal", "pitch_max_deg", value=-10),
        ),
        "drones[0].gimbal",
        ("pitch_min_deg -10 must be below pitch_max_deg -10",),
        id="gimbal-pitch-min-not-below-max",
    ),
    pytest.param(
        _set("characters", "circler", "height_m", value={"min": 10, "max": 5}),
        "characters.circler.height_m",
        ("min 10 is above max 5",),
        id="character-band-min-above-max",
    ),
    pytest.param(
        _set("characters", "circler", "height_m", value={"min": 1, "max": 5}),
        "characters.circler.height_m",
        ("min 1 is below the lowest filming height", "at least 1.5 m"),
        id="character-height-below-filming",
    ),
    pytest.param(_set("scenes", value=[]), "scenes", ("has 0 items", "expected at least 1"), id="empty-scenes"),
    pytest.param(
        _set("safety", "geofence", value=_fence((0, 0), (1, 1))),
        "safety.geofence",
        ("has 2 items", "expected at least 3"),
        id="empty-geofence",
    ),
    pytest.param(
        _set("drones", 0, "connection", value="http://drone"),
        "drones[0].connection",
        ("'http://drone' is not a connection URL", "udpin://HOST:PORT", "sim://"),
        id="bad-connection-url",
    ),
    pytest.param(
        _set("scenes", 0, "name", value="the orbit"),
        "scenes[0].name",
        ("'the orbit' is not a valid name", "letters, digits"),
        id="bad-identifier",
    ),
    pytest.param(_set("version", value=2), "version", ("2 is not allowed", "expected 1"), id="version-2"),
    pytest.param(lambda d: [d], "", ("expected a mapping at the top level", "got list"), id="non-mapping-top-level"),
    pytest.param(
        _set("characters", 5, value={"sizes": ["wide"]}), "characters.5", ("5 is not text",), id="int-key-of-a-mapping"
    ),
    pytest.param(_set(7, value=1), "7", ("7 is not a known key",), id="int-key-top-level"),
    # References.
    pytest.param(
        _set("scenes", 0, "shots", 0, "drone", value="ghost"),
        "scenes[0].shots[0].drone",
        ("'ghost' is not a drone of this mission", "expected one of: solo"),
        id="dangling-shot-drone",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "subject", value="ghost"),
        "scenes[0].shots[0].subject",
        ("'ghost' is not a subject of this mission", "expected one of: ada"),
        id="dangling-shot-subject",
    ),
    pytest.param(
        _set("drones", 0, "character", value="ghost"),
        "drones[0].character",
        ("'ghost' is not a character of this mission", "expected one of: circler"),
        id="dangling-character",
    ),
    pytest.param(
        _motion({"script": "meet", "subject": "carol"}),
        "subjects[0].motion[0].subject",
        ("'carol' is not another subject", "expected one of: bob"),
        id="dangling-meet",
    ),
    pytest.param(
        _motion({"script": "chase", "subject": "carol"}),
        "subjects[0].motion[0].subject",
        ("'carol' is not another subject", "expected one of: bob"),
        id="dangling-chase",
    ),
    pytest.param(
        _motion({"script": "walk_with", "subject": "carol"}),
        "subjects[0].motion[0].subject",
        ("'carol' is not another subject", "expected one of: bob"),
        id="dangling-walk-with",
    ),
    pytest.param(
        _motion({"script": "meet", "subject": "ada"}),
        "subjects[0].motion[0].subject",
        ("'ada' is not another subject", "expected one of: bob"),
        id="meet-itself",
    ),
    pytest.param(
        _motion({"script": "walk_with", "subject": "ada"}),
        "subjects[0].motion[0].subject",
        ("'ada' is not another subject", "expected one of: bob"),
        id="walk-with-itself",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "allow_drones_in_frame", value=["solo"]),
        "scenes[0].shots[0].allow_drones_in_frame[0]",
        ("'solo' is not another drone", "none defined"),
        id="allow-own-drone-in-frame",
    ),
    pytest.param(_second_ada, "subjects[1].id", ("'ada' is used twice", "also subjects[0]"), id="duplicate-subject-id"),
    pytest.param(
        _both(_second_drone(-20, 30), _set("drones", 1, "id", value="solo")),
        "drones[1].id",
        ("'solo' is used twice", "also drones[0]"),
        id="duplicate-drone-id",
    ),
    pytest.param(
        _shot_twice,
        "scenes[0].shots[1].drone",
        ("'solo' already films shots[0] in this scene",),
        id="drone-twice-in-a-scene",
    ),
    pytest.param(
        _motion({"script": "random_walk"}, {"script": "stand"}),
        "subjects[0].motion[0].duration_s",
        ("is needed", "'random_walk' segment never ends", "motion[1] would never start"),
        id="endless-segment-then-another",
    ),
    pytest.param(
        _motion({"script": "stand"}, {"script": "waypoints", "waypoints": _fence((5, 5))}),
        "subjects[0].motion[0].duration_s",
        ("is needed", "'stand'"),
        id="endless-stand-then-another",
    ),
    # Geometry.
    pytest.param(
        _set("safety", "geofence", value=_fence((-60, -60), (60, 60), (-60, 60), (60, -60))),
        "safety.geofence",
        ("crosses itself", "vertices in order"),
        id="bow-tie-geofence",
    ),
    pytest.param(
        _origin_outside,
        "origin",
        ("origin (north 0, east 0) is outside safety.geofence",),
        id="origin-outside-geofence",
    ),
    pytest.param(
        _set("drones", 0, "home", value={"north_m": 100, "east_m": 0}),
        "drones[0].home",
        ("north 100 m, east 0 m is outside safety.geofence",),
        id="home-outside-geofence",
    ),
    pytest.param(
        _second_drone(-20, 3),
        "drones[1].home",
        ("is 3.0 m from drones[0] (solo)", "safety.min_separation_m is 6"),
        id="homes-too-close",
    ),
    pytest.param(
        _set("safety", "floor_m", value=40),
        "safety.ceiling_m",
        ("40 is not above floor_m 40",),
        id="ceiling-not-above-floor",
    ),
    # Feasibility of the shots.
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "radius_m", value=80),
        "scenes[0].shots[0]",
        ("orbit starts outside the geofence", "north -80.0 m"),
        id="orbit-starts-outside-geofence",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", value={"radius_m": 70, "start_bearing_deg": 45}),
        "scenes[0].shots[0]",
        ("orbit leaves the geofence at t=",),
        id="orbit-leaves-geofence",
    ),
    pytest.param(
        _motion({"script": "random_walk", "radius_m": 57}, bob=False),
        "scenes[0].shots[0]",
        ("orbit", "geofence", "keeping 57 m for the subject's wandering"),
        id="wanderer-near-the-fence",
    ),
    pytest.param(
        _set("scenes", 0, "shots", 0, "params", "height_m", value=60),
        "scenes[0].shots[0]",
        ("orbit climbs above safety.ceiling_m (40 m)", "camera 60.0 m up"),
        id="shot-above-ceiling",
    ),
    pytest.param(
        _set("safety", "floor_m", value=10),
        "scenes[0].shots[0]",
        ("orbit flies below safety.floor_m (10 m)", "camera 6.0 m up"),
        id="shot-below-floor",
    ),
    pytest.param(
        _both(
            _set("scenes", 0, "shots", 0, "params", "radius_m", value=30),
            _set("scenes", 0, "shots", 0, "params", "rate_deg_s", value=60),
        ),
        "scenes[0].shots[0]",
        ("orbit needs", "m/s horizontally", "safety.max_horizontal_speed_m_s is 6"),
        id="orbit-too-fast",
    ),
    pytest.param(
        _both(
            _set("scenes", 0, "duration_s", value=4),
            _set("scenes", 0, "shots", 0, "move", value="rocket"),
            _set("scenes", 0, "shots", 0, "params", value={"climb_m_s": 8}),
        ),
        "scenes[0].shots[0]",
        ("rocket needs 8.0 m/s vertically", "safety.max_vertical_speed_m_s is 2"),
        id="rocket-climbs-too-fast",
    ),
    pytest.param(
        _rocket_with_narrow_gimbal,
        "scenes[0].shots[0]",
        ("rocket needs the camera pitched -4", "deg at t=0.0 s; the gimbal allows -30..30 deg"),
        id="gimbal-cannot-pitch-down-enough",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "fragments"), CASES)
def test_invalid_document_names_the_key_path_and_what_was_expected(
    mutate: Callable[[Doc], Any], path: str, fragments: tuple[str, ...]
) -> None:
    problems = problems_of(mutate)
    for problem in problems:
        assert_one_line(problem)
    at_path = [p for p in problems if format_key_path(p.path) == path]
    assert at_path, f"no problem at {path!r}; got: {[str(p) for p in problems]}"
    messages = [p.message for p in at_path]
    assert any(all(f in m for f in fragments) for m in messages), f"expected {fragments} in one of {messages}"
    prefix = f"x.yaml: {path}: " if path else "x.yaml: "
    assert any(str(p).startswith(prefix) for p in at_path)


def test_every_case_id_is_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_problem_of_a_stage_is_reported_not_just_the_first() -> None:
    def two_dangling(doc: Doc) -> None:
        _shot(doc)["drone"] = "ghost"
        _shot(doc)["subject"] = "nobody"

    paths = {format_key_path(p.path) for p in problems_of(two_dangling)}
    assert {"scenes[0].shots[0].drone", "scenes[0].shots[0].subject"} <= paths


def test_a_later_stage_does_not_run_when_an_earlier_one_fails() -> None:
    # A dangling drone makes the shot's feasibility meaningless: only the reference is reported.
    def dangling_and_too_big(doc: Doc) -> None:
        _shot(doc)["drone"] = "ghost"
        _shot(doc)["params"]["radius_m"] = 80

    problems = problems_of(dangling_and_too_big)
    assert [format_key_path(p.path) for p in problems] == ["scenes[0].shots[0].drone"]


def test_a_key_with_a_line_break_stays_on_one_line() -> None:
    problems = problems_of(_set("bad\nkey", value=1))
    assert len(problems) == 1
    assert_one_line(problems[0])
    assert "'bad\\nkey'" in str(problems[0])


def test_mission_error_lists_all_problems_one_per_line() -> None:
    def two_unknown(doc: Doc) -> None:
        doc["safety"]["colour"] = 1
        doc["origin"]["colour"] = 1

    problems = problems_of(two_unknown)
    assert sorted(format_key_path(p.path) for p in problems) == ["origin.colour", "safety.colour"]
    assert str(MissionError(problems)).splitlines() == [str(p) for p in problems]


def test_problem_str_format() -> None:
    problem = Problem("m.yaml", ("scenes", 2, "shots", 0, "move"), "'x' is not a camera move", 12)
    assert str(problem) == "m.yaml: scenes[2].shots[0].move: 'x' is not a camera move (line 12)"
    assert str(Problem("m.yaml", (), "is empty")) == "m.yaml: is empty"
