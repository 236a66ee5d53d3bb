"""``dronecine shoot --serve``: the dashboard served while the shoot runs (live, with its controls),
then its replay once the shoot's files are written, until the operator stops it.

The simulated shoot's (``ServedShoot``) drives the simulation: Start, pause (its clock freezes),
speed, thumbnails from the rendered views. A shoot flown on PX4 SITL (``ServedSitlShoot``) shows
the field station's dashboard: its controls command the station (pause holds every drone), and
PX4 sets the pace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dronecine_sim.shoot.dashboard_bridge import SimDashboard

from dronecine.ground.auth import new_token
from dronecine.ground.dashboard import LiveFeed, Replay
from dronecine.ground.dashboard.app import Dashboard
from dronecine.ground.dashboard.field import FieldDashboard
from dronecine.ground.dashboard.frames import first_frame
from dronecine.ground.dashboard.serve import DashboardServer
from dronecine.ground.errors import GroundError
from dronecine.ground.serving import StationServer


class ServedShoot:
    """The dashboard of one simulated shoot; ``bridge`` goes to ``run_shoot``."""

    def __init__(self, view: dict[str, Any], host: str, port: int, speed: float | None, autostart: bool) -> None:
        feed = LiveFeed()
        self.bridge = SimDashboard(feed, new_token(), speed, autostart)
        self.dashboard = Dashboard(view, self.bridge.token, feed, self.bridge)
        feed.publish(first_frame(view, self.bridge.phase))  # until the simulation is built and steps
        self.server = DashboardServer(self.dashboard, host, port)

    def start(self) -> str:
        """Serve; the page's address, with the token in its fragment."""
        self.server.start()
        return self.server.url()

    def show_replay(self, out_dir: Path) -> None:
        """The shoot is over and its files written: the page can replay it."""
        self.dashboard.replay = Replay.load(out_dir)

    def stop(self) -> None:
        self.server.stop()


class ServedSitlShoot:
    """The dashboard of a shoot flown on PX4 SITL: the station's, from the moment it is up (``attach``,
    a ``StationWatcher`` of ``run_sitl_shoot``), which calls ``on_url`` with the page's address."""

    def __init__(self, host: str, port: int, on_url: Callable[[str], None]) -> None:
        self.host, self.port, self.on_url = host, port, on_url
        self.field: FieldDashboard | None = None

    def attach(self, server: StationServer) -> None:
        self.field = FieldDashboard(server, asyncio.get_running_loop(), self.host, self.port)
        self.on_url(self.field.start())

    async def detach(self) -> None:
        if self.field is not None:
            await self.field.finish()

    def show_replay(self, out_dir: Path) -> None:
        if self.field is None:
            raise GroundError("the dashboard never started: there is nothing to replay on")
        self.field.show_replay(out_dir)

    def stop(self) -> None:
        """Stop serving (after ``detach``: nothing is left on the station's loop, which has ended)."""
        if self.field is not None:
            self.field.server.stop()
