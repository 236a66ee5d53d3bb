"""``dronecine shoot`` end to end on a short two-drone mission: every output exists and parses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, shoot_duet, video_frames, write

from dronecine.cli.main import app

SUMMARY_KEYS = {
    "drones",
    "min_separation_m",
    "closest_person_m",
    "separation_violations",
    "geofence_breaches",
    "mutual_visibility_violations",
    "sim_seconds",
    "wall_seconds",
    "outputs",
}
DRONE_KEYS = {"in_frame", "framing_error", "size_error", "jerk_rms", "safety_interventions"}


@pytest.fixture(scope="module")
def shoot(tmp_path_factory):
    return shoot_duet(tmp_path_factory.mktemp("shoot"), 16.0, "--seed", "3")


def test_the_summary_has_every_key_and_a_safe_shoot(shoot) -> None:
    out, _ = shoot
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert set(summary["drones"]) == {"solo", "duo"}
    for figures in summary["drones"].values():
        assert set(figures) >= DRONE_KEYS
        assert 0.0 <= figures["in_frame"] <= 1.0
    assert summary["separation_violations"] == 0 and summary["geofence_breaches"] == 0
    assert summary["closest_person_m"] > 1.0  # the duet films from a few metres; nothing flies into anyone
    assert summary["sim_seconds"] > 32.0  # two scenes of 16 s, the take-offs and landings besides
    for relative in [*summary["outputs"]["video"].values(), summary["outputs"]["edit"], summary["outputs"]["report"]]:
        assert (out / relative).is_file(), relative


def test_each_video_has_a_frame_per_telemetry_line(shoot) -> None:
    out, _ = shoot
    for drone in ("solo", "duo"):
        lines = (out / "telemetry" / f"{drone}.jsonl").read_text().splitlines()
        rows = [json.loads(line) for line in lines]
        assert rows[0]["mode"] in ("parked", "takeoff") and rows[-1]["mode"] == "landed"
        assert any(r["mode"] == "filming" for r in rows)
        assert video_frames(out / "video" / f"{drone}.mp4") == len(rows)


def test_the_edit_loads_with_opentimelineio_and_the_rough_cut_has_its_frames(shoot) -> None:
    out, _ = shoot
    timeline = otio.adapters.read_from_file(str(out / "edit.otio"))
    clips = list(timeline.find_clips())
    assert clips
    assert {Path(c.media_reference.target_url).name for c in clips} <= {"solo.mp4", "duo.mp4"}
    frames = sum(c.source_range.duration.to_frames() for c in clips)
    assert video_frames(out / "rough_cut.mp4") == frames


def test_events_shot_log_and_report_are_written(shoot) -> None:
    out, output = shoot
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    kinds = {e["kind"] for e in events}
    assert {"takeoff", "shot_start", "shot_end", "landed"} <= kinds
    log = json.loads((out / "shot_log.json").read_text())
    assert {(row["drone"], row["scene"]) for row in log} == {
        ("solo", "arrival"),
        ("duo", "arrival"),
        ("solo", "together"),
        ("duo", "together"),
    }
    html = (out / "report.html").read_text()
    assert "solo" in html and "duo" in html
    plan = json.loads((out / "plan.json").read_text())
    assert [d["drone"] for d in plan["drones"]] == ["solo", "duo"]
    assert "simulated" in output


def test_a_folder_with_an_earlier_shoot_is_not_overwritten(shoot, tmp_path) -> None:
    out, _ = shoot
    before = (out / "summary.json").read_bytes()
    mission = write(duet_document(), tmp_path / "duet.yaml")
    result = CliRunner().invoke(app, ["shoot", str(mission), "--out", str(out)])
    assert result.exit_code == 1
    assert "already holds files" in result.output and "--overwrite" in result.output
    assert (out / "summary.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sitl"], "drone 'duo': its connection in the mission is sim://; --sitl flies PX4"),
        (["--sitl", "--abort-at", "5"], "--abort-at: simulator only, not with --sitl"),
        (["--sitl", "--serve", "--autostart"], "with --sitl, PX4 sets the pace (--sitl-speed)"),
        (["--sitl-speed", "3"], "use them with --sitl"),
        (["--sitl", "--sitl-speed", "50"], "--sitl-speed 50.0 is out of range"),
        (["--perception", "psychic"], "'psychic' is not one of"),
        (["--video-width", "99"], "video width 99 px is out of range"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, args, message) -> None:
    mission = write(duet_document(), tmp_path / "duet.yaml")
    result = CliRunner().invoke(app, ["shoot", str(mission), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_infeasible_mission_stops_before_anything_flies(tmp_path) -> None:
    doc = duet_document()
    doc["scenes"][0]["shots"][1] = dict(doc["scenes"][0]["shots"][0], drone="duo")
    result = CliRunner().invoke(app, ["shoot", str(write(doc, tmp_path / "m.yaml")), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "would come 0.0 m apart" in result.output
    assert not (tmp_path / "o" / "telemetry").exists()


def test_a_shoot_aborted_before_action_still_leaves_its_footage_and_report(tmp_path) -> None:
    out, _ = shoot_duet(tmp_path, 12.0, "--abort-at", "-5")
    summary = json.loads((out / "summary.json").read_text())
    assert "rough_cut" not in summary["outputs"] and not (out / "rough_cut.mp4").exists()
    assert (out / summary["outputs"]["report"]).is_file() and (out / "video" / "solo.mp4").is_file()
    assert len(otio.adapters.read_from_file(str(out / "edit.otio")).tracks[0]) == 0
