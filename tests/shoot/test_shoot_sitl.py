"""``dronecine shoot --sitl --serve`` end to end on loopback: two PX4-like MAVLink vehicles (the
flight issue's test vehicle, standing in for PX4 SITL instances, sped up 2×) flown by the real
onboard agents and ground station over real sockets, the command run in a subprocess as a crew
would, its dashboard watched over HTTP. Every output of the simulated shoot is there and parses;
the drones filmed, kept apart, came home and disarmed; the dashboard showed them live, then the
replay. And the ways it refuses to fly."""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

import opentimelineio as otio
import pytest
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.sitl import autopilot_urls
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agent_runtime"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from agentkit import vehicle_at_home, write_mission
from plankit import ServedCommand, duet_document, load, video_frames

from dronecine.cli.main import app

pytestmark = pytest.mark.slow
SCENE_S = 14.0  # the duet's shortest scenes that its transits fit in
# Sped up 2x, not agentkit's 3x: the vehicles share this process, and on a busy 2-core machine a
# stalled loop at 3x leaves gaps in the offboard stream longer than the vehicle's 0.5 s (simulated).
SPEED = 2.0


def _shoot(folder: Path, doc: dict, *options: str):
    mission = write_mission(doc, folder / "duet.yaml")
    out = folder / "out"
    args = ["shoot", str(mission), "--sitl", "--sitl-speed", str(SPEED), "--sitl-lead-s", "4"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--video-width", "160", *options])
    return out, result


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def _poll_state(shoot: ServedCommand, base: str, frames: list[dict]) -> None:
    """``/api/state`` into ``frames`` every 0.3 s while the command runs."""
    while shoot.process.poll() is None:
        with contextlib.suppress(OSError, ValueError):  # the process is stopping
            frames.append(_get_json(f"{base}/api/state"))
        time.sleep(0.3)


def _wait_for_replay(shoot: ServedCommand, timeout_s: float) -> bool:
    """Until the command says the dashboard replays the shoot; whether it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and shoot.process.poll() is None:
        if "the dashboard replays it" in shoot.output:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def flown(tmp_path_factory):
    """The duet flown with ``--sitl --serve`` in a subprocess, its dashboard polled meanwhile:
    (out folder, output, the vehicles after, the dashboard's frames, its replay)."""
    folder = tmp_path_factory.mktemp("sitl")
    doc = duet_document(SCENE_S)
    mission = load(doc)
    vehicles = [
        vehicle_at_home(mission, d.id, instance=i, port=0, time_scale=SPEED) for i, d in enumerate(mission.drones)
    ]
    shoot, frames, replay = None, [], None
    try:
        for drone, vehicle in zip(doc["drones"], vehicles, strict=True):
            drone["connection"] = f"udpout://127.0.0.1:{vehicle.port}"
        out = folder / "out"
        shoot = ServedCommand([
            "shoot", str(write_mission(doc, folder / "duet.yaml")), "--sitl", "--sitl-speed", str(SPEED),
            "--sitl-lead-s", "4", "--out", str(out), "--video-width", "160", "--serve", "--port", "0",
        ])  # fmt: skip
        base = shoot.url.split("/#")[0]
        threading.Thread(target=_poll_state, args=(shoot, base, frames), daemon=True).start()
        if _wait_for_replay(shoot, timeout_s=600.0):
            replay = _get_json(f"{base}/api/replay")
        after = {d.id: v.snapshot() for d, v in zip(mission.drones, vehicles, strict=True)}
    finally:
        code = shoot.stop(timeout_s=30.0) if shoot is not None else None
        for vehicle in vehicles:
            vehicle.stop()
    assert replay is not None and code == 0, shoot.output
    return out, shoot.output, after, frames, replay


def test_both_drones_flew_their_part_on_their_autopilots_and_came_home(flown) -> None:
    out, output, after, _, _ = flown
    summary = json.loads((out / "summary.json").read_text())
    assert "flown on PX4 SITL" in output
    assert set(summary["sitl"]["autopilots"]) == {"solo", "duo"}
    for drone_id, agent in summary["sitl"]["agents"].items():
        assert agent["took_off"] and agent["landed"] and agent["error"] is None, (drone_id, agent)
        assert agent["stream"]["sent"] > 0 and not agent["stream"]["released"], (drone_id, agent)
        snap = after[drone_id]
        assert not snap.armed
        assert abs(snap.position_ned_m[0]) < 1.5 and abs(snap.position_ned_m[1]) < 1.5  # its home
    for drone_id, figures in summary["drones"].items():
        rows = [json.loads(line) for line in (out / "telemetry" / f"{drone_id}.jsonl").read_text().splitlines()]
        filmed = sum(r["in_frame"] is not None for r in rows)
        assert filmed > 150, drone_id  # two scenes of 14 s at 10 Hz, most of them filmed
        # Samples taken while filming: each fills one line or more (a late one the slots it missed); how
        # many depends on how busy the machine is, so only the relation is asserted, not a count.
        assert 0 < figures["filming_steps"] <= filmed, drone_id
        # (its agent's run in the message: overruns and stream holds tell a starved loop from bad flying)
        assert figures["in_frame"] >= 0.9, (drone_id, figures, summary["sitl"]["agents"][drone_id])
    assert summary["separation_violations"] == 0 and summary["geofence_breaches"] == 0
    assert summary["sim_seconds"] > 2 * SCENE_S


def test_every_output_of_the_shoot_is_there_and_parses(flown) -> None:
    out, *_ = flown
    summary = json.loads((out / "summary.json").read_text())
    for drone in ("solo", "duo"):
        rows = [json.loads(line) for line in (out / "telemetry" / f"{drone}.jsonl").read_text().splitlines()]
        steps = {round(b["t_s"] - a["t_s"], 3) for a, b in itertools.pairwise(rows)}
        assert steps == {0.1}, steps  # one line per control step, as the simulated shoot writes them
        assert rows[0]["mode"] in ("parked", "takeoff") and rows[-1]["mode"] == "landed"
        assert max(-r["down_m"] for r in rows) > 4.0  # PX4's position, in the mission's frame
        assert video_frames(out / "video" / f"{drone}.mp4") == len(rows)
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    for drone in ("solo", "duo"):
        kinds = {e["kind"] for e in events if e["drone"] == drone}
        assert {"takeoff", "shot_start", "shot_end", "landed"} <= kinds, (drone, kinds)
    assert (out / "station" / "station.token").is_file()
    clips = list(otio.adapters.read_from_file(str(out / "edit.otio")).find_clips())
    assert clips and video_frames(out / "rough_cut.mp4") == sum(c.source_range.duration.to_frames() for c in clips)
    assert (out / summary["outputs"]["report"]).is_file()


def test_the_dashboard_showed_the_drones_flying_then_the_replay(flown) -> None:
    _, _, _, frames, replay = flown
    running = [f for f in frames if f["phase"] == "running"]
    assert running, [f["phase"] for f in frames]
    for drone in ("solo", "duo"):
        seen = [f["drones"][drone] for f in running]
        assert {d["status"] for d in seen} >= {"online"}
        assert "filming" in {d["mode"] for d in seen}, drone
        assert max(-d["down_m"] for d in seen if d["down_m"] is not None) > 4.0, drone  # PX4's, in the air
    assert frames[-1]["phase"] == "finished"
    assert set(replay["drones"]) == {"solo", "duo"} and len(replay["t_s"]) > 100
    assert "landed" in replay["drones"]["solo"]["mode"]


def test_an_autopilot_that_does_not_answer_stops_the_shoot_before_take_off(tmp_path) -> None:
    doc = duet_document(SCENE_S)
    mission = load(doc)
    alive = vehicle_at_home(mission, "solo", port=0, time_scale=SPEED)
    try:
        doc["drones"][0]["connection"] = f"udpout://127.0.0.1:{alive.port}"
        doc["drones"][1]["connection"] = "udpout://127.0.0.1:9"  # discard: nothing answers
        out, result = _shoot(tmp_path, doc)
        assert not alive.snapshot().armed
    finally:
        alive.stop()
    assert result.exit_code == 1
    assert "duo: the vehicle at udpout://127.0.0.1:9 is not answering" in result.output
    assert "Traceback" not in result.output
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert events[-1]["kind"] == "error" and "not answering" in events[-1]["message"]


def test_each_drone_needs_an_autopilot_of_its_own() -> None:
    doc = duet_document(SCENE_S)
    doc["drones"][0]["connection"] = doc["drones"][1]["connection"] = "udpin://0.0.0.0:14540"
    with pytest.raises(ShootError, match=r"drones 'solo' and 'duo' have the same connection udpin://0\.0\.0\.0:14540"):
        autopilot_urls(load(doc))
    doc["drones"][1]["connection"] = "sim://"
    with pytest.raises(ShootError, match=r"drone 'duo'.*udpin://0.0.0.0:14541 for instance 1"):
        autopilot_urls(load(doc))
    doc["drones"][1]["connection"] = "udpin://0.0.0.0:14541"
    assert autopilot_urls(load(doc)) == {"solo": "udpin://0.0.0.0:14540", "duo": "udpin://0.0.0.0:14541"}
