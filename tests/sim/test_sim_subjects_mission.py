"""The mission bridge: a mission's subjects play their motion segments like ``nominal_paths`` does,
with the simulator's noise on top."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from dronecine_sim.subjects import MissionSubjects, Script, SubjectError, from_mission

from dronecine.mission import Mission, load_mission, nominal_paths

ROBOT_SKIES = Path(__file__).resolve().parents[2] / "missions" / "robot_skies.yaml"
DT_S = 0.1
FIRST_SCENES_S = 110.0  # two_towers, meeting, walk_together


def _play(mission: Mission, noise: float, seconds: float, seed: int = 0) -> tuple[MissionSubjects, dict]:
    people = from_mission(mission, np.random.default_rng(seed), noise=noise)
    rng = np.random.default_rng(seed + 1)
    steps = round(seconds / DT_S)
    history: dict[str, list[np.ndarray]] = {"position": [], "heading": [], "segment": []}
    for _ in range(steps + 1):
        history["position"].append(people.subjects.position_ned_m.copy())
        history["heading"].append(people.subjects.heading_deg.copy())
        history["segment"].append(people.segment.copy())
        people.step(DT_S, rng)
    return people, {name: np.array(values) for name, values in history.items()}


def _errors(people: MissionSubjects, history: dict, mission: Mission) -> tuple[np.ndarray, np.ndarray]:
    nominal = nominal_paths(mission, DT_S)
    steps = history["position"].shape[0]
    position = np.stack([nominal[sid].position_ned_m[:steps] for sid in people.ids], axis=1)
    heading = np.stack([nominal[sid].heading_deg[:steps] for sid in people.ids], axis=1)
    distance = np.linalg.norm(history["position"] - position, axis=2)
    turn = np.abs((history["heading"] - heading + 180.0) % 360.0 - 180.0)
    return distance, turn


@pytest.fixture(scope="module")
def robot_skies() -> Mission:
    return load_mission(ROBOT_SKIES).mission


def test_without_noise_the_first_scenes_follow_the_nominal_paths(robot_skies: Mission) -> None:
    people, history = _play(robot_skies, noise=0.0, seconds=FIRST_SCENES_S)
    distance, turn = _errors(people, history, robot_skies)
    # Walking out, meeting, walking together: the people lag the nominal walkers only while they
    # accelerate (the nominal ones change speed at once), and cut corners by a few centimetres.
    assert np.median(distance) < 0.1
    assert np.percentile(distance, 95) < 0.3
    assert distance.max() < 1.0
    assert np.median(turn) < 1.0


def test_segments_end_after_their_durations(robot_skies: Mission) -> None:
    people, history = _play(robot_skies, noise=1.0, seconds=150.0)
    t = np.arange(history["segment"].shape[0]) * DT_S
    for i in range(len(people.ids)):
        changes = t[1:][np.diff(history["segment"][:, i]) > 0]
        np.testing.assert_allclose(changes, [40.1, 70.1, 110.1, 140.1], atol=1e-6)  # seen after the switching step
    lin, sam = people.index("lin"), people.index("sam")
    assert people.subjects.script[lin] == Script.STAND and people.subjects.script[sam] == Script.STAND


def test_with_noise_the_people_wander_off_the_nominal_paths_a_little(robot_skies: Mission) -> None:
    people, history = _play(robot_skies, noise=1.0, seconds=FIRST_SCENES_S, seed=3)
    distance, _ = _errors(people, history, robot_skies)
    assert 0.1 < np.median(distance) < 1.5 and distance.max() < 3.0
    _, other = _play(robot_skies, noise=1.0, seconds=FIRST_SCENES_S, seed=4)
    assert not np.allclose(history["position"][-1], other["position"][-1])


def test_a_segment_without_a_duration_ends_when_its_script_is_done(robot_skies: Mission) -> None:
    document = yaml.safe_load(ROBOT_SKIES.read_text(encoding="utf-8"))
    del document["subjects"][0]["motion"][0]["duration_s"]  # Lin walks her whole path (57 m at 1.4 m/s) ...
    mission = Mission.model_validate(document)
    people, history = _play(mission, noise=0.0, seconds=70.0)
    lin = people.index("lin")
    first_switch = np.argmax(history["segment"][:, lin] > 0) * DT_S
    assert 40.6 <= first_switch <= 41.2  # ... then goes to meet Sam, as the nominal Lin does
    distance, _ = _errors(people, history, mission)
    assert np.median(distance) < 0.1 and distance.max() < 1.0


def test_the_bridge_takes_only_a_mission() -> None:
    with pytest.raises(SubjectError, match="validated Mission"):
        from_mission({"subjects": []}, np.random.default_rng(0))  # type: ignore[arg-type]
    people = from_mission(load_mission(ROBOT_SKIES), np.random.default_rng(0))  # a loaded mission will do
    assert people.ids == ("lin", "sam") and people.t_s == 0.0
    with pytest.raises(SubjectError, match="no subject"):
        people.index("nobody")
