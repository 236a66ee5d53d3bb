"""Reading a shoot's output folder: typed arrays in, one clear line out for anything malformed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from shoot_fixture import DRONES, DT_S, SAFETY_STEPS, SCENES, SUBJECTS, step_times, write_shoot

from dronecine.edit import DroneMode, EventKind, RecordingError, SafetyReason, ShootRecording
from dronecine.errors import DronecineError
from dronecine.mission.scenes import Pace
from dronecine.shots import MoveName, ShotSize


@pytest.fixture(scope="module")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shoot(tmp_path_factory.mktemp("shoot"))


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A shoot a test may damage."""
    return write_shoot(tmp_path / "shoot")


def test_a_shoot_reads_into_typed_frozen_objects(shoot: Path) -> None:
    recording = ShootRecording.load(shoot)
    assert recording.drones == DRONES
    assert recording.dt_s == DT_S
    assert recording.frame_rate_hz == pytest.approx(10.0)
    steps = len(step_times(SCENES))
    watcher = recording.telemetry("watcher")
    assert watcher.steps == steps
    assert watcher.t_s[0] == pytest.approx(-2.0)
    assert watcher.mode[0] is DroneMode.TAKEOFF
    assert watcher.filming.sum() == 220
    assert np.isnan(watcher.framing_error[0]) and watcher.framing_error[watcher.filming].max() == pytest.approx(0.3)
    assert watcher.scene_index[0] == -1 and set(watcher.scene_index[watcher.filming]) == {0, 1}
    assert watcher.box.shape == (steps, 4)
    assert watcher.safety[20 + 50] == (SafetyReason.SPEED,)
    assert not watcher.t_s.flags.writeable
    with pytest.raises(AttributeError):
        watcher.drone = "other"  # type: ignore[misc]
    assert watcher.frame_at(0.0) == 20 and watcher.frame_at(-2.0) == 0
    assert recording.subjects.subjects == SUBJECTS
    assert len(recording.subjects.track("lin").north_m) == steps


def test_the_logs_read_into_enums(shoot: Path) -> None:
    recording = ShootRecording.load(shoot)
    assert len(recording.shots) == 2 * len(DRONES)
    shot = recording.shot(1, "companion")
    assert shot is not None
    assert (shot.move, shot.size, shot.pace) == (MoveName.TRUCK, ShotSize.MEDIUM_WIDE, Pace.FAST)
    assert [(s.name, s.pace, s.start_s, s.end_s) for s in recording.scenes] == [
        ("meeting", Pace.SLOW, 0.0, 14.0),
        ("the_run", Pace.FAST, 14.0, 24.0),
    ]
    safety = [e for e in recording.events if e.kind is EventKind.SAFETY]
    assert len(safety) == len(SAFETY_STEPS)
    assert recording.events[0].drone is None
    assert recording.summary.speed_up == pytest.approx(27.0 / 2.5)
    assert recording.video_path("watcher") == shoot / "video" / "watcher.mp4"
    assert recording.plan == {"scenes": ["meeting", "the_run"]}


def _rewrite_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _error(folder: Path) -> str:
    with pytest.raises(RecordingError) as caught:
        ShootRecording.load(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, DronecineError)
    return message


def test_a_missing_telemetry_file_is_named(fresh: Path) -> None:
    (fresh / "telemetry" / "companion.jsonl").unlink()
    assert _error(fresh).startswith("telemetry/companion.jsonl: missing")


def test_a_line_that_is_not_json_is_named(fresh: Path) -> None:
    _rewrite_line(fresh / "telemetry" / "watcher.jsonl", 12, '{"t_s": -0.9, "north_m": ')
    assert _error(fresh) == "telemetry/watcher.jsonl line 12: not JSON"


def test_a_shot_log_entry_missing_a_key_is_named(fresh: Path) -> None:
    path = fresh / "shot_log.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    del entries[3]["pace"]
    path.write_text(json.dumps(entries), encoding="utf-8")
    assert _error(fresh) == "shot_log.json entry 3: missing key 'pace'"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"mode": "flying"}, "'mode' must be one of parked, takeoff, transit, filming"),
        ({"t_s": "soon"}, "'t_s' must be a number, got 'soon'"),
        ({"box": [0.5, 0.5]}, "'box' must be [u, v, w, h]"),
        ({"safety": ["wind"]}, "'safety' must be one of speed, yaw_rate, geofence"),
        ({"t_s": 7.0}, "t_s 7 is not one step (dt_s 0.1) after the line before"),
    ],
)
def test_a_malformed_telemetry_value_is_named(fresh: Path, change: dict, expected: str) -> None:
    path = fresh / "telemetry" / "confidant.jsonl"
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[29])
    _rewrite_line(path, 30, json.dumps({**row, **change}))
    message = _error(fresh)
    assert message.startswith("telemetry/confidant.jsonl line 30: ")
    assert expected in message


def test_other_files_name_their_problems(fresh: Path) -> None:
    summary = json.loads((fresh / "summary.json").read_text(encoding="utf-8"))
    del summary["drones"]["watcher"]["jerk_rms"]
    (fresh / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert _error(fresh) == "summary.json drones.watcher: missing key 'jerk_rms'"
    (fresh / "summary.json").unlink()
    assert _error(fresh).startswith("summary.json: missing")


def test_an_event_of_an_unknown_kind_is_named(fresh: Path) -> None:
    _rewrite_line(fresh / "events.jsonl", 2, json.dumps({"t_s": 0, "drone": None, "kind": "party", "message": ""}))
    assert _error(fresh).startswith("events.jsonl line 2: 'kind' must be one of takeoff")


def test_a_shot_of_a_drone_that_did_not_fly_is_named(fresh: Path) -> None:
    path = fresh / "shot_log.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    entries[0]["drone"] = "ghost"
    path.write_text(json.dumps(entries), encoding="utf-8")
    assert _error(fresh).startswith("shot_log.json entry 0: drone 'ghost' is not in summary.json")


def test_a_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    assert "not a folder" in _error(tmp_path / "nowhere")


def test_a_summary_from_before_the_closest_person_figure_still_reads(fresh: Path) -> None:
    assert ShootRecording.load(fresh).summary.closest_person_m == pytest.approx(3.2)
    summary = json.loads((fresh / "summary.json").read_text(encoding="utf-8"))
    del summary["closest_person_m"]
    (fresh / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert ShootRecording.load(fresh).summary.closest_person_m is None
