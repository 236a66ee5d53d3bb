"""``dronecine ground --serve`` and ``dronecine shoot --sitl --serve``: the dashboard beside a field
station. The station's event loop publishes a frame every ``PUBLISH_PERIOD_S`` and carries out the
page's commands (``StationControl``); the subjects are where the mission's scripts put them (the
station has no better knowledge of them), and there are no camera thumbnails: the agents do not
stream video to the station. Once the shoot is over, a shoot that wrote its folder can be replayed
on the same page (``show_replay``)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from dronecine.ground.dashboard.app import Dashboard
from dronecine.ground.dashboard.control import StationControl
from dronecine.ground.dashboard.frames import LiveFeed, live_frame
from dronecine.ground.dashboard.replay import Replay
from dronecine.ground.dashboard.serve import DashboardServer
from dronecine.ground.dashboard.set_view import set_view, subjects_at
from dronecine.ground.serving import StationServer
from dronecine.mission.motion import nominal_paths

PUBLISH_PERIOD_S = 0.2


class FieldDashboard:
    """The dashboard of ``server``'s station, its commands carried out on ``loop``."""

    def __init__(self, server: StationServer, loop: asyncio.AbstractEventLoop, host: str, port: int) -> None:
        self.station = server.station
        self.station_server = server
        self.paths = nominal_paths(server.plan.mission)
        self.control = StationControl(self.station, loop)
        self.feed = LiveFeed()
        view = set_view(server.plan, self.paths)
        self.dashboard = Dashboard(view, server.token, self.feed, self.control)
        self.server = DashboardServer(self.dashboard, host, port)
        self._publisher: asyncio.Task[None] | None = None

    def start(self) -> str:
        """Serve and start publishing; the page's address with the token in its fragment."""
        self.server.start()
        self._publisher = asyncio.get_running_loop().create_task(self._publish(), name="dashboard-publisher")
        return self.server.url()

    async def _publish(self) -> None:
        while True:
            self.control.finished = self.control.finished or self.station_server.finished()
            self._publish_frame()
            await asyncio.sleep(PUBLISH_PERIOD_S)

    def _publish_frame(self) -> None:
        now = self.station.clock.now_s()
        self.feed.publish(live_frame(self.station, self.control.phase, subjects_at(self.paths, now)))

    async def finish(self) -> None:
        """The shoot is over: no more commands, a last frame; the page stays served."""
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
            self._publisher = None
        self.control.finished = True
        self._publish_frame()

    def show_replay(self, out_dir: Path) -> None:
        """The shoot's files are written: the page can replay it."""
        self.dashboard.replay = Replay.load(out_dir)

    async def stop(self) -> None:
        await self.finish()
        self.server.stop()
