"""Choosing the edit: the best-framed drone wins, the pace sets take lengths and sizes, transit never shows."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from shoot_fixture import DRONES, DT_S, EXPECTED_TAKES, SCENES, SceneSpec, write_shoot

from dronecine.edit import DEFAULT_CUTTING, ShootRecording, Take, choose_takes
from dronecine.shots import MoveName, ShotSize


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> ShootRecording:
    return ShootRecording.load(write_shoot(tmp_path_factory.mktemp("shoot")))


def _equal_footage(tmp_path: Path, errors: dict[str, float], pace: str = "slow", length_s: float = 20.0) -> list[Take]:
    """Takes of a one-scene shoot where each drone frames equally well all along (no transit)."""
    scene = SceneSpec(pace, pace, 0.0, length_s, dict.fromkeys(DRONES, 0.0), (), errors)
    return choose_takes(ShootRecording.load(write_shoot(tmp_path, (scene,))))


def _screen_time(takes: list[Take]) -> dict[str, float]:
    return {drone: sum(t.duration_s for t in takes if t.drone == drone) for drone in DRONES}


def test_the_cut_takes_the_best_framed_drone_of_each_window(recording: ShootRecording) -> None:
    takes = choose_takes(recording)
    assert [(t.drone, t.scene, t.start_s, t.end_s) for t in takes] == list(EXPECTED_TAKES)
    assert all(0.0 < t.score <= 1.0 for t in takes)
    first = takes[0]
    assert (first.move, first.size, first.scene_index) == (MoveName.TRUCK, ShotSize.MEDIUM_WIDE, 0)
    assert first.label == "meeting · companion · truck"


def test_the_cut_is_deterministic(recording: ShootRecording) -> None:
    assert choose_takes(recording) == choose_takes(recording)


def test_a_fast_scene_cuts_shorter_takes_than_a_slow_one(recording: ShootRecording) -> None:
    takes = choose_takes(recording)
    slow = [t.duration_s for t in takes if t.scene == "meeting"]
    fast = [t.duration_s for t in takes if t.scene == "the_run"]
    assert max(fast) < min(slow)


@pytest.mark.parametrize(
    ("pace", "shortest_s", "longest_s"), [("slow", 6.0, 9.0), ("medium", 4.0, 6.0), ("fast", 2.0, 3.5)]
)
def test_take_lengths_follow_the_pace(tmp_path: Path, pace: str, shortest_s: float, longest_s: float) -> None:
    takes = _equal_footage(tmp_path, {"watcher": 0.05, "companion": 0.05, "confidant": 0.05}, pace, 24.0)
    assert sum(t.duration_s for t in takes) == pytest.approx(24.0)
    for take in takes:
        assert shortest_s - 1e-9 <= take.duration_s <= longest_s + 1e-9


def test_no_take_shows_a_drone_that_is_not_filming_its_scene(recording: ShootRecording) -> None:
    for take in choose_takes(recording):
        telemetry = recording.telemetry(take.drone)
        inside = (telemetry.t_s >= take.start_s - 1e-9) & (telemetry.t_s < take.end_s - 1e-9)
        assert inside.sum() == round(take.duration_s / DT_S)
        assert telemetry.filming[inside].all(), take
        assert (telemetry.scene_index[inside] == take.scene_index).all(), take


def test_every_step_with_usable_footage_is_covered_once(recording: ShootRecording) -> None:
    takes = choose_takes(recording)
    for index, scene in enumerate(SCENES):
        steps = np.arange(round(scene.start_s / DT_S), round(scene.end_s / DT_S))
        covered = np.zeros(steps.size, dtype=int)
        for take in (t for t in takes if t.scene_index == index):
            covered[round(take.start_s / DT_S) - steps[0] : round(take.end_s / DT_S) - steps[0]] += 1
        usable = np.zeros(steps.size, dtype=bool)
        for drone in DRONES:
            telemetry = recording.telemetry(drone)
            filming = telemetry.filming & (telemetry.scene_index == index)
            usable[np.rint(telemetry.t_s[filming] / DT_S).astype(int) - steps[0]] = True
        assert (covered == usable.astype(int)).all()


def test_cutting_back_to_the_same_drone_is_penalised(tmp_path: Path) -> None:
    errors = {"watcher": 0.03, "companion": 0.05, "confidant": 0.06}
    takes = _equal_footage(tmp_path / "a", errors)
    assert all(a.drone != b.drone for a, b in itertools.pairwise(takes))
    time = _screen_time(takes)
    assert time["watcher"] == max(time.values())
    no_variety = choose_takes(ShootRecording.load(tmp_path / "a"), replace(DEFAULT_CUTTING, variety_penalty=0.0))
    assert {t.drone for t in no_variety} == {"watcher"}


def test_a_faster_pace_prefers_closer_shot_sizes(tmp_path: Path) -> None:
    errors = dict.fromkeys(DRONES, 0.05)  # sizes: watcher wide, companion medium_wide, confidant full
    fast = _screen_time(_equal_footage(tmp_path / "fast", errors, "fast"))
    slow = _screen_time(_equal_footage(tmp_path / "slow", errors, "slow"))
    assert fast["confidant"] == max(fast.values()) and fast["watcher"] == min(fast.values())
    assert slow["watcher"] == max(slow.values()) and slow["confidant"] == min(slow.values())


def test_a_scene_nobody_filmed_has_no_takes(tmp_path: Path) -> None:
    late = {d: 99.0 for d in DRONES}  # transit past the scene's end
    scenes = (SCENES[0], replace(SCENES[1], transit_end_s=late))
    takes = choose_takes(ShootRecording.load(write_shoot(tmp_path, scenes)))
    assert {t.scene for t in takes} == {"meeting"}


def test_a_far_better_drone_holds_the_shot_rather_than_cut_to_bad_footage(tmp_path: Path) -> None:
    takes = _equal_footage(tmp_path, {"watcher": 0.02, "companion": 0.3, "confidant": 0.3}, "slow", 20.0)
    assert [(t.drone, t.start_s, t.end_s) for t in takes] == [("watcher", 0.0, 20.0)]
