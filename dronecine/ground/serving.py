"""The station served in the field (``dronecine ground``): the plan's ``Station`` over WebSockets,
its watchdog, its token and logs in the run folder, and when the shoot is over.

``StationServer(plan, out_dir, clock)``; ``await server.start(host, port)`` writes ``station.token``
(0600), opens ``events.jsonl`` and ``commands.jsonl`` (one JSON object a line, flushed as they
happen: a crash loses nothing) and serves; ``server.finished()`` says when every drone is down after
its part (or lost); ``await server.stop()`` closes it all. A dashboard (issue 8) can serve the same
``server.station`` beside it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import IO, Any

from dronecine.agent.modes import AgentMode
from dronecine.ground.auth import new_token, write_token
from dronecine.ground.errors import GroundError
from dronecine.ground.protocol import CommandAction
from dronecine.ground.station import Station
from dronecine.ground.station_state import Clock, CommandRecord, DroneStatus, StationEvent, StationSettings
from dronecine.ground.timeline import ShootPlan
from dronecine.ground.transport_ws import serve_websocket
from dronecine.mission.safety import FailsafeAction

logger = logging.getLogger(__name__)
OVERRUN_S = 120.0  # after the plan's end, the station gives up waiting for drones still out


class StationServer:
    """The station of ``plan`` served over WebSockets, its files in ``out_dir``."""

    def __init__(self, plan: ShootPlan, out_dir: Path, clock: Clock, settings: StationSettings | None = None) -> None:
        self.plan = plan
        self.out_dir = out_dir
        self.clock = clock
        self.token = new_token()
        self.station = Station(plan, self.token, clock, settings)
        self.port: int | None = None
        self.token_path: Path | None = None
        self._server: Any = None
        self._watchdog: asyncio.Task[None] | None = None
        self._files: list[IO[str]] = []
        self._events: IO[str] | None = None
        self._commands: IO[str] | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Write the token, open the logs and serve on ``host``:``port`` (0: a free one); the port."""
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self._events = (self.out_dir / "events.jsonl").open("a", encoding="utf-8")
            self._commands = (self.out_dir / "commands.jsonl").open("a", encoding="utf-8")
        except OSError as error:
            raise GroundError(f"{self.out_dir}: cannot write the station's logs ({error.strerror or error})") from error
        self._files = [self._events, self._commands]
        self.token_path = write_token(self.out_dir, self.token)
        self.station.add_listener(on_event=self._log_event, on_command=self._log_command)
        self._server, self.port = await serve_websocket(self.station.handle, host, port)
        self._watchdog = asyncio.get_running_loop().create_task(self.station.run_watchdog(), name="station-watchdog")
        return self.port

    def _log_event(self, event: StationEvent) -> None:
        self._write(
            self._events,
            {
                "t_s": round(event.t_s, 3),
                "drone": event.drone_id,
                "kind": event.kind.value,
                "message": event.message,
                "from_agent": event.from_agent,
            },
        )

    def _log_command(self, record: CommandRecord) -> None:
        self._write(self._commands, record.to_json())

    def _write(self, handle: IO[str] | None, row: dict[str, Any]) -> None:
        if handle is None or handle.closed:
            return
        handle.write(json.dumps(row) + "\n")
        handle.flush()

    def finished(self) -> bool:
        """Every drone is lost (no longer heard), or landed: after its return time, after a return or
        landing it was commanded, or out of the shoot; or the plan's end is ``OVERRUN_S`` past."""
        now = self.clock.now_s()
        if now > self.plan.end_s + OVERRUN_S:
            return True
        for drone_id, live in self.station.live.items():
            if live.status == DroneStatus.LOST:
                continue
            state = live.state
            timeline = self.station.timelines[drone_id]
            if state is None or state.mode != AgentMode.LANDED:
                return False
            if live.status == DroneStatus.OUT:
                continue
            if now < timeline.return_s and not self._sent_down(drone_id):
                return False
        return True

    def _sent_down(self, drone_id: str) -> bool:
        """Whether the station commanded ``drone_id`` home or down (a return, a landing, such an abort)."""
        down = (FailsafeAction.RETURN, FailsafeAction.LAND)
        for record in self.station.command_log:
            if record.drone_id != drone_id or not record.delivered:
                continue
            if record.action in (CommandAction.RETURN, CommandAction.LAND) or record.abort_action in down:
                return True
        return False

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
            self._watchdog = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for handle in self._files:
            handle.close()
