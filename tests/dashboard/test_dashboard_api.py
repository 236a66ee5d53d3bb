"""The dashboard's HTTP API and WebSocket over a real station (its event loop in a thread, as in the
field): the set, live frames, camera thumbnails, and commands that need the mission's token, reach
the station's command log and are refused with a clear answer when they cannot be carried out."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, load

from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token
from dronecine.ground.dashboard import LiveFeed, Phase, StationControl, live_frame, set_view, subjects_at
from dronecine.ground.dashboard.app import Dashboard, create_app
from dronecine.ground.dashboard.frames import first_frame
from dronecine.ground.protocol import CommandAction
from dronecine.ground.station import Station
from dronecine.ground.station_state import SimClock
from dronecine.mission.motion import nominal_paths


@pytest.fixture(scope="module")
def plan():
    return plan_shoot(load(duet_document(scene_s=16.0)))


@pytest.fixture
def field(plan):
    """A station on its own event loop (a thread), its controls, a feed and the dashboard's client."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    token = new_token()
    station = Station(plan, token, SimClock(5.0))
    control = StationControl(station, loop)
    feed = LiveFeed()
    dashboard = Dashboard(set_view(plan), token, feed, control)
    with TestClient(create_app(dashboard)) as client:
        yield client, station, feed, token
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def _post(client, token, body):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/api/command", json=body, headers=headers)


def test_the_page_and_its_scripts_are_served(field) -> None:
    client, *_ = field
    page = client.get("/")
    assert page.status_code == 200 and "dashboard.js" in page.text
    for name in ("dashboard.js", "dashboard.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_the_set_has_the_geofence_the_drones_timelines_and_the_subjects_paths(field, plan) -> None:
    client, *_ = field
    view = client.get("/api/set").json()
    assert view["mode"] == "live" and view["replay_ready"] is False
    assert view["geofence_ne_m"] == [[-60.0, -60.0], [-60.0, 60.0], [60.0, 60.0], [60.0, -60.0]]
    assert [d["drone"] for d in view["drones"]] == [t.drone_id for t in plan.timelines]
    for drone, timeline in zip(view["drones"], plan.timelines, strict=True):
        shots = drone["timeline"]["shots"]
        assert [s["scene"] for s in shots] == [s.scene for s in timeline.shots]
        assert all(s["end_s"] > s["start_s"] for s in shots)
        assert drone["home_ne_m"] == pytest.approx(list(timeline.home_ned_m[:2]), abs=0.01)
    assert [s["scene"] for s in view["scenes"]] == ["arrival", "together"]
    assert view["scenes"][1]["start_s"] == pytest.approx(16.0)
    paths = {s["subject"]: s["path_ne_m"] for s in view["subjects"]}
    assert paths["bob"][0] == [12.0, 12.0]  # bob walks from his mark to ada
    assert np.hypot(*np.subtract(paths["bob"][-1], paths["ada"][-1])) < 3.0


def test_the_state_is_the_latest_frame_and_the_websocket_pushes_each_new_one(field, plan) -> None:
    client, station, feed, _ = field
    assert client.get("/api/state").status_code == 503  # nothing published yet
    paths = nominal_paths(plan.mission)
    feed.publish(live_frame(station, Phase.RUNNING, subjects_at(paths, 5.0)))
    frame = client.get("/api/state").json()
    assert frame["phase"] == "running" and frame["t_s"] == 5.0
    assert set(frame["drones"]) == {"solo", "duo"}
    assert frame["drones"]["solo"]["status"] == "waiting" and frame["drones"]["solo"]["mode"] is None
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_json()["t_s"] == 5.0
        station.clock.t_s = 6.5
        feed.publish(live_frame(station, Phase.PAUSED, subjects_at(paths, 6.5)))
        pushed = ws.receive_json()
        assert pushed["t_s"] == 6.5 and pushed["phase"] == "paused"


def test_commands_need_the_missions_token(field) -> None:
    client, station, *_ = field
    missing = _post(client, None, {"action": "pause"})
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    wrong = _post(client, "not-the-token", {"action": "pause"})
    assert wrong.status_code == 401 and "wrong token" in wrong.json()["detail"]
    assert station.command_log == []  # nothing reached the station


def test_pause_holds_every_drone_and_start_resumes_them_logged_with_who_asked(field) -> None:
    client, station, _, token = field
    paused = _post(client, token, {"action": "pause"})
    assert paused.status_code == 200, paused.text
    assert [(c.drone_id, c.action) for c in station.command_log] == [
        ("solo", CommandAction.HOLD),
        ("duo", CommandAction.HOLD),
    ]
    assert all(c.requested_by == "dashboard (testclient)" for c in station.command_log)
    again = _post(client, token, {"action": "pause"})
    assert again.status_code == 409 and "already paused" in again.json()["detail"]
    assert _post(client, token, {"action": "start"}).status_code == 200
    assert [c.action for c in station.command_log[2:]] == [CommandAction.RESUME, CommandAction.RESUME]
    running = _post(client, token, {"action": "start"})
    assert running.status_code == 409 and "running already" in running.json()["detail"]


def test_a_command_to_a_drone_not_connected_is_logged_and_refused(field) -> None:
    client, station, _, token = field
    answer = _post(client, token, {"action": "return", "drone": "duo"})
    assert answer.status_code == 409 and "duo is not connected" in answer.json()["detail"]
    (record,) = station.command_log
    assert record.action == CommandAction.RETURN and not record.delivered


def test_abort_all_sends_the_missions_abort_to_every_drone(field) -> None:
    client, station, _, token = field
    answer = _post(client, token, {"action": "abort"})
    assert answer.status_code == 200 and "every drone to hold" in answer.json()["message"]
    assert station.aborted
    assert [(c.drone_id, c.action) for c in station.command_log] == [
        ("solo", CommandAction.ABORT),
        ("duo", CommandAction.ABORT),
    ]
    after = _post(client, token, {"action": "start"})
    assert after.status_code == 409 and "aborted" in after.json()["detail"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"action": "jump"}, "action: Input should be"),
        ({"action": "hold"}, "hold needs a 'drone' (one of: solo, duo)"),
        ({"action": "hold", "drone": "trio"}, "no drone 'trio' in this shoot (its drones: solo, duo)"),
        ({"action": "abort", "drone": "solo"}, "abort is for every drone"),
        ({"action": "pause", "speed": 2}, "speed: Extra inputs are not permitted"),
    ],
)
def test_a_bad_command_is_a_one_line_400(field, body, expected) -> None:
    client, station, _, token = field
    answer = _post(client, token, body)
    assert answer.status_code == 400
    assert expected in answer.json()["detail"] and "\n" not in answer.json()["detail"]
    assert station.command_log == []


def test_a_thumbnail_is_the_drones_latest_view_as_a_small_jpeg(field, plan) -> None:
    client, station, feed, _ = field
    view = np.zeros((360, 640, 3), np.uint8)
    view[:, 320:] = (0, 0, 255)  # right half red
    feed.publish(live_frame(station, Phase.RUNNING, {}), {"solo": view})
    answer = client.get("/api/drones/solo/thumbnail.jpg")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(answer.content, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (180, 320, 3)
    assert image[90, 300, 2] > 200 and image[90, 20, 2] < 50
    missing = client.get("/api/drones/duo/thumbnail.jpg")
    assert missing.status_code == 404 and "no camera picture of duo" in missing.json()["detail"]
    assert client.get("/api/drones/trio/thumbnail.jpg").status_code == 404
    assert client.get("/api/drones/solo/thumbnail.jpg?t_s=3").status_code == 404  # no replay while live


def test_there_is_no_replay_while_the_shoot_is_live(field) -> None:
    client, *_ = field
    answer = client.get("/api/replay")
    assert answer.status_code == 404 and "not over" in answer.json()["detail"]


def test_the_first_frame_has_the_live_frames_shape_before_the_station_exists(field, plan) -> None:
    _, station, *_ = field
    first = first_frame(set_view(plan), Phase.WAITING)
    live = live_frame(station, Phase.WAITING, {})
    assert first.keys() == live.keys() and first["drones"].keys() == live["drones"].keys()
    for drone in ("solo", "duo"):
        assert first["drones"][drone] == live["drones"][drone]  # neither has heard of the drone yet
    assert first["t_s"] == -plan.preroll_s and first["phase"] == "waiting"
