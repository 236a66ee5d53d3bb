"""A finished shoot replayed from its run folder: a real short shoot (``dronecine shoot``) leaves
``set.json``; the replay samples every drone and subject on one clock, finds each drone's camera in
its video at any time, serves it all read-only, and a folder it cannot replay is a one-line error."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import shoot_duet

from dronecine.cli.main import app
from dronecine.ground.dashboard import SET_FILE, Replay
from dronecine.ground.dashboard.app import Dashboard, create_app
from dronecine.ground.dashboard.replay import REPLAY_DT_S


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out, _ = shoot_duet(tmp_path_factory.mktemp("replay"), 12.0, "--seed", "4")
    return out


@pytest.fixture(scope="module")
def replay(run_dir):
    loaded = Replay.load(run_dir)
    yield loaded
    loaded.close()


def test_the_shoot_leaves_the_set_for_its_replay(run_dir) -> None:
    view = json.loads((run_dir / SET_FILE).read_text())
    assert view["mission"] == "Duet" and [d["drone"] for d in view["drones"]] == ["solo", "duo"]
    assert view["geofence_ne_m"][0] == [-60.0, -60.0]


def test_every_track_is_sampled_on_one_clock_from_take_off_to_landed(replay, run_dir) -> None:
    data = replay.data
    t_s = np.array(data["t_s"])
    summary = json.loads((run_dir / "summary.json").read_text())
    assert np.allclose(np.diff(t_s), REPLAY_DT_S)
    assert len(t_s) == pytest.approx(summary["sim_seconds"] / REPLAY_DT_S, abs=2)
    for drone in ("solo", "duo"):
        track = data["drones"][drone]
        assert {len(v) for v in track.values()} == {len(t_s)}
        assert track["mode"][0] in ("parked", "takeoff") and track["mode"][-1] == "landed"
        assert "filming" in track["mode"]
        assert max(-d for d in track["down_m"]) > 2.0  # it flew
        battery = np.array(track["battery_percent"], dtype=float)
        assert 50.0 < battery[-1] < battery[0] <= 100.0  # the pack drained while it flew
        filming = [k for k, mode in enumerate(track["mode"]) if mode == "filming"]
        assert all(track["shot"][k] is not None and track["framing_error"][k] is not None for k in filming)
    assert {s: len(v["north_m"]) for s, v in data["subjects"].items()} == {"ada": len(t_s), "bob": len(t_s)}
    assert any(e["kind"] == "landed" for e in data["events"])


def test_a_thumbnail_is_the_video_frame_at_that_time(replay, run_dir) -> None:
    early, late = replay.thumbnail("duo", -10.0), replay.thumbnail("duo", 20.0)
    assert early.shape == late.shape == (90, 160, 3)
    assert np.abs(early.astype(int) - late.astype(int)).mean() > 3.0  # the camera moved on
    capture = cv2.VideoCapture(str(run_dir / "video" / "duo.mp4"))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    assert replay.thumbnail("duo", 10_000.0) is None  # past the end of the video
    assert count > 0


def test_the_api_serves_the_replay_read_only(replay) -> None:
    with TestClient(create_app(Dashboard(replay.set_view, token="", replay=replay))) as client:
        view = client.get("/api/set").json()
        assert view["mode"] == "replay" and view["replay_ready"] is True
        assert client.get("/api/replay").json()["t_s"] == replay.data["t_s"]
        assert client.get("/api/state").status_code == 404
        picture = client.get("/api/drones/solo/thumbnail.jpg", params={"t_s": 5.0})
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        refused = client.post("/api/command", json={"action": "abort"}, headers={"Authorization": "Bearer x"})
        assert refused.status_code == 409 and "replays a finished shoot" in refused.json()["detail"]


def test_a_folder_that_cannot_be_replayed_is_a_one_line_error(run_dir, tmp_path) -> None:
    result = CliRunner().invoke(app, ["dashboard", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert f"{tmp_path}: no set.json" in result.output and "Traceback" not in result.output
    unfinished = tmp_path / "unfinished"
    shutil.copytree(run_dir, unfinished)
    (unfinished / "summary.json").unlink()  # a shoot stopped before its end
    result = CliRunner().invoke(app, ["dashboard", str(unfinished), "--port", "0"])
    assert result.exit_code == 1 and "summary.json: missing" in result.output
