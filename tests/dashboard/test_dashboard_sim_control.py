"""The simulated shoot under the dashboard's controls (``dronecine shoot --serve``), without the web
layer: it waits for Start, a pause freezes its clock, a drone's return and the abort reach the
agents through the station, and once it is over every command is refused."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from dronecine_sim.shoot.dashboard_bridge import SimDashboard
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.runner import run_shoot
from dronecine_sim.shoot.settings import ShootSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, load

from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token
from dronecine.ground.dashboard import ControlAction, ControlRefusedError, LiveFeed

TIMEOUT_S = 60.0


def _frame_when(feed: LiveFeed, condition, what: str) -> dict:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        _, frame = feed.latest()
        if frame is not None and condition(frame):
            return frame
        time.sleep(0.02)
    raise AssertionError(f"no frame where {what} within {TIMEOUT_S:g} s (last: {feed.latest()[1]})")


@pytest.mark.slow
def test_start_pause_a_drones_return_and_abort_from_the_dashboard(tmp_path) -> None:
    mission = load(duet_document(scene_s=16.0))
    plan = plan_shoot(mission)
    feed = LiveFeed()
    bridge = SimDashboard(feed, new_token(), speed=None, autostart=False)
    runs = []
    settings = ShootSettings(video_width_px=0)
    fly = lambda: runs.append(run_shoot(mission, plan, tmp_path, settings, dashboard=bridge))  # noqa: E731
    thread = threading.Thread(target=fly)
    thread.start()
    try:
        waiting = _frame_when(feed, lambda f: f["phase"] == "waiting", "the shoot waits for Start")
        time.sleep(0.5)
        assert feed.latest()[1]["t_s"] == waiting["t_s"] == -plan.preroll_s  # nothing moves before Start
        assert bridge.submit(ControlAction.START, None, "test").result(10) == "started"
        _frame_when(feed, lambda f: f["t_s"] > 2.0, "the shoot reached action")

        assert bridge.submit(ControlAction.PAUSE, None, "test").result(10).startswith("paused")
        paused = _frame_when(feed, lambda f: f["phase"] == "paused", "the shoot is paused")
        time.sleep(0.6)
        assert feed.latest()[1]["t_s"] == paused["t_s"]  # the clock is frozen
        with pytest.raises(ControlRefusedError, match="cannot pause: the shoot is paused"):
            bridge.submit(ControlAction.PAUSE, None, "test").result(10)

        assert bridge.submit(ControlAction.RETURN, "duo", "test").result(10) == "duo: return sent"
        assert bridge.submit(ControlAction.START, None, "test").result(10) == "resumed"
        _frame_when(feed, lambda f: f["drones"]["duo"]["mode"] in ("return", "land"), "duo returns")
        assert feed.latest()[1]["drones"]["solo"]["mode"] == "filming"  # the other drone goes on

        answer = bridge.submit(ControlAction.ABORT, None, "test").result(10)
        assert answer == "abort sent: every drone to hold"
        _frame_when(feed, lambda f: f["aborted"] and f["drones"]["solo"]["mode"] == "hold", "solo holds")
    finally:
        bridge.finish()  # whatever happened above, the shoot thread must not wait for Start forever
        thread.join(TIMEOUT_S)
    (run,) = runs
    assert run.station["aborted"] is True
    assert run.station["lost"] == run.station["out"] == {}  # a return the station commanded is neither
    with pytest.raises(ControlRefusedError, match="the shoot is over"):
        bridge.submit(ControlAction.START, None, "test").result(1)


def test_a_speed_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(ShootError, match=r"--speed 0\.0 is out of range \(expected 0\.05\.\.1000"):
        SimDashboard(LiveFeed(), "token", speed=0.0)
