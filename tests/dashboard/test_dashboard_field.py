"""The dashboard beside the field station (``dronecine ground --serve``): a real station over
WebSockets with a connected agent, the dashboard served by uvicorn on a free port; the page's data
shows the drone as it reports, and pause and a drone's command reach the agent through the station."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import duet_document, load, make_agent

from dronecine.agent.station_client import StationClient
from dronecine.control import OwnState
from dronecine.ground import plan_shoot
from dronecine.ground.dashboard.field import FieldDashboard
from dronecine.ground.protocol import CommandAction
from dronecine.ground.serving import StationServer
from dronecine.ground.station_state import SimClock
from dronecine.ground.transport_ws import connect_websocket


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):  # a deadline only against hanging
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
async def field(tmp_path):
    mission = load(duet_document(scene_s=16.0))
    plan = plan_shoot(mission)
    server = StationServer(plan, tmp_path, SimClock(-plan.preroll_s - 10.0))  # before the first take-off
    port = await server.start("127.0.0.1", 0)
    dashboard = FieldDashboard(server, asyncio.get_running_loop(), "127.0.0.1", 0)
    url = dashboard.start()
    client = StationClient(
        "solo", await connect_websocket(f"ws://127.0.0.1:{port}"), mission, server.token, server.clock
    )
    client.attach(make_agent(mission, await client.connect()))
    serving = asyncio.create_task(client.serve())
    yield client, url.split("#")[0], server.token
    await client.close()
    serving.cancel()
    await asyncio.gather(serving, return_exceptions=True)
    await dashboard.stop()
    await server.stop()


async def test_the_page_sees_the_field_drone_and_its_commands_reach_the_agent(field, tmp_path) -> None:
    client, base, token = field
    own = OwnState(np.array([[3.0, 4.0, -9.0]]), np.zeros((1, 3)), np.array([45.0]), np.array([-20.0]), np.zeros(1))
    await client.publish(-40.0, own, battery_percent=88.0)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base) as http:
        frame = {}
        for _ in range(100):  # the publisher sends a frame every 0.2 s
            frame = (await http.get("/api/state")).json()
            if frame["drones"]["solo"]["north_m"] is not None:
                break
            await asyncio.sleep(0.05)
        solo, duo = frame["drones"]["solo"], frame["drones"]["duo"]
        assert solo["note"] == "" and (solo["status"], solo["north_m"], solo["down_m"], solo["battery_percent"]) == (
            "online",
            3.0,
            -9.0,
            88.0,
        )
        assert duo["status"] == "waiting" and duo["connected"] is False
        assert frame["subjects"]["ada"] == [0.0, 0.0]  # where the script has her: the station knows no better
        assert frame["phase"] == "running"

        paused = await http.post("/api/command", json={"action": "pause"}, headers=auth)
        assert paused.status_code == 200 and paused.json()["message"] == "paused: every drone holds"
        await _until(lambda: [c.action for c in client.commands] == [CommandAction.HOLD], "solo holds")
        returned = await http.post("/api/command", json={"action": "return", "drone": "duo"}, headers=auth)
        assert returned.status_code == 409 and "duo is not connected" in returned.json()["detail"]
        thumbnail = await http.get("/api/drones/solo/thumbnail.jpg")
        assert thumbnail.status_code == 404  # no video reaches the field station
    logged = (tmp_path / "commands.jsonl").read_text().splitlines()
    assert len(logged) == 3 and all('"requested_by": "dashboard (127.0.0.1)"' in line for line in logged)
