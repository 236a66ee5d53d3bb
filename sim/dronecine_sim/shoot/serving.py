"""``dronecine shoot --serve``: the dashboard served while the simulated shoot runs (live, with its
controls), then its replay once the shoot's files are written, until the operator stops it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dronecine_sim.shoot.dashboard_bridge import SimDashboard

from dronecine.ground.auth import new_token
from dronecine.ground.dashboard import LiveFeed, Replay
from dronecine.ground.dashboard.app import Dashboard
from dronecine.ground.dashboard.frames import first_frame
from dronecine.ground.dashboard.serve import DashboardServer


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
        if self.dashboard.replay is not None:
            self.dashboard.replay.close()
