"""``dronecine agent`` and ``dronecine ground`` on bad input: one clear line and a non-zero exit.
A drone not in the mission, a bad autopilot URL, no station, no vehicle, a wrong token; and the
station served: its token file is the owner's alone, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from agentkit import served_station, short_orbit, short_orbit_document, vehicle_at_home, write_mission
from typer.testing import CliRunner

from dronecine.cli.main import app

DRONECINE = [str(Path(sys.executable).parent / "dronecine")]


@pytest.fixture
def mission_file(tmp_path: Path) -> Path:
    return write_mission(short_orbit_document(), tmp_path / "short.yaml")


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "station.token"
    path.write_text("not-the-token\n", encoding="utf-8")
    return path


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _agent(mission_file: Path, token_file: Path, *extra: str):
    args = ["agent", str(mission_file), "--token-file", str(token_file), "--frames", "model:oracle", *extra]
    return CliRunner().invoke(app, args)


def _one_line(result) -> str:
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return lines[-1]


def test_a_drone_not_in_the_mission_is_named(mission_file: Path, token_file: Path) -> None:
    line = _one_line(_agent(mission_file, token_file, "--drone", "nope", "--url", "udpin://0.0.0.0:0"))
    assert "drone 'nope' is not in mission 'Short orbit' (its drones: solo)" in line


def test_a_bad_autopilot_url_is_named(mission_file: Path, token_file: Path) -> None:
    line = _one_line(_agent(mission_file, token_file, "--drone", "solo", "--url", "tcp://127.0.0.1:5760"))
    assert "tcp://127.0.0.1:5760" in line


def test_an_unreachable_station_is_named(mission_file: Path, token_file: Path) -> None:
    station = f"ws://127.0.0.1:{_free_port()}"
    line = _one_line(
        _agent(mission_file, token_file, "--drone", "solo", "--url", "udpin://127.0.0.1:0", "--station", station)
    )
    assert f"cannot connect to the station at {station}" in line


async def test_a_silent_vehicle_and_a_wrong_token_are_named(mission_file: Path, token_file: Path) -> None:
    mission = short_orbit()
    async with served_station(mission) as served:
        silent = f"udpout://127.0.0.1:{_free_port(socket.SOCK_DGRAM)}"
        line = await _run_agent(mission_file, token_file, served.url, silent, "--connect-timeout-s", "1")
        assert f"solo: the vehicle at {silent} is not answering" in line
        vehicle = vehicle_at_home(mission, "solo")
        try:
            line = await _run_agent(mission_file, token_file, served.url, f"udpout://127.0.0.1:{vehicle.port}")
        finally:
            vehicle.stop()
    assert "the station refused solo: wrong token for mission 'Short orbit' (auth_failed)" in line


async def _run_agent(mission_file: Path, token_file: Path, station: str, url: str, *extra: str) -> str:
    """The agent in its own process (the station runs on this test's event loop); its last line."""
    process = await asyncio.create_subprocess_exec(
        *DRONECINE, "agent", str(mission_file), "--drone", "solo", "--token-file", str(token_file),
        "--station", station, "--url", url, "--frames", "model:oracle", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 60.0)
    text = output.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text, text
    return [line for line in text.strip().splitlines() if line.strip()][-1]


def test_the_station_serves_writes_its_token_for_the_owner_only_and_stops_on_ctrl_c(
    mission_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    process = subprocess.Popen(
        [*DRONECINE, "ground", str(mission_file), "--port", "0", "--out", str(out), "--lead-s", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        seen = ""
        while "token in" not in seen:
            line = process.stdout.readline()
            assert line, f"the station ended early: {seen}"
            seen += line
        assert re.search(r"on ws://127\.0\.0\.1:\d+", seen), seen
        token = out / "station.token"
        assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
        assert len(token.read_text().strip()) >= 32
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, rest
    assert "Traceback" not in rest


def test_a_busy_port_is_one_line(mission_file: Path, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["ground", str(mission_file), "--port", str(port), "--out", str(tmp_path)])
    line = _one_line(result)
    assert f"cannot serve on 127.0.0.1:{port}" in line
