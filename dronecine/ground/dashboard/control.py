"""The dashboard's controls, and who carries them out.

The dashboard serves from its own thread; the shoot runs elsewhere (the simulation's thread, or the
field station's event loop). A ``ShootControl`` takes a command from the dashboard's thread and
returns a ``concurrent.futures.Future`` that the shoot's side resolves with a one-line answer, or
fails with ``ControlRefusedError`` when the shoot cannot take it now.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from enum import StrEnum
from typing import Protocol

from dronecine.ground.dashboard.frames import Phase
from dronecine.ground.errors import GroundError
from dronecine.ground.protocol import CommandAction
from dronecine.ground.station import Station
from dronecine.ground.station_state import CommandRecord
from dronecine.mission.safety import FailsafeAction


class ControlAction(StrEnum):
    START = "start"  # start the shoot, or go on after a pause
    PAUSE = "pause"
    ABORT = "abort"  # every drone to the mission's abort_action
    HOLD = "hold"  # one drone
    RESUME = "resume"  # one drone, back to its timeline after a hold
    RETURN = "return"  # one drone, home and land

    @property
    def per_drone(self) -> bool:
        return self in (ControlAction.HOLD, ControlAction.RESUME, ControlAction.RETURN)


class ControlRefusedError(GroundError):
    """The shoot cannot take this command now (it is over, it is not paused...)."""


class ShootControl(Protocol):
    def submit(self, action: ControlAction, drone_id: str | None, requested_by: str) -> Future[str]:
        """Carry out ``action`` (on ``drone_id`` for a per-drone one); the future holds the answer."""
        ...


def command_answer(record: CommandRecord) -> str:
    """The dashboard's answer to a per-drone command the station sent (or could not)."""
    if not record.delivered:
        what = record.action.value
        raise ControlRefusedError(f"{record.drone_id} is not connected: {what} was logged, not delivered")
    return f"{record.drone_id}: {record.action.value} sent"


def abort_answer(records: list[CommandRecord], abort_action: FailsafeAction) -> str:
    missed = [r.drone_id for r in records if not r.delivered]
    answer = f"abort sent: every drone to {abort_action.value}"
    return answer + (f" (not delivered to {', '.join(missed)}: not connected)" if missed else "")


class StationControl:
    """The field station's controls, run on its event loop. There is no clock to freeze in the field:
    pause holds every drone where it is, start resumes them."""

    def __init__(self, station: Station, loop: asyncio.AbstractEventLoop) -> None:
        self.station = station
        self.loop = loop
        self.paused = False
        self.finished = False

    @property
    def phase(self) -> Phase:
        return Phase.FINISHED if self.finished else Phase.PAUSED if self.paused else Phase.RUNNING

    def submit(self, action: ControlAction, drone_id: str | None, requested_by: str) -> Future[str]:
        return asyncio.run_coroutine_threadsafe(self._apply(action, drone_id, requested_by), self.loop)

    async def _apply(self, action: ControlAction, drone_id: str | None, requested_by: str) -> str:
        if self.finished:
            raise ControlRefusedError("the shoot is over")
        if action.per_drone:
            if drone_id is None:
                raise ControlRefusedError(f"{action.value} needs a drone")
            record = await self.station.command(drone_id, CommandAction(action.value), requested_by)
            return command_answer(record)
        if action == ControlAction.ABORT:
            records = await self.station.abort(requested_by, "from the dashboard")
            return abort_answer(records, self.station.mission.safety.abort_action)
        if self.station.aborted:
            raise ControlRefusedError(f"the shoot was aborted: {action.value} is not possible after an abort")
        if action == ControlAction.PAUSE:
            if self.paused:
                raise ControlRefusedError("already paused")
            for drone in self.station.timelines:
                await self.station.command(drone, CommandAction.HOLD, requested_by, "pause")
            self.paused = True
            return "paused: every drone holds"
        if not self.paused:
            raise ControlRefusedError("the shoot is running already")
        for drone in self.station.timelines:
            await self.station.command(drone, CommandAction.RESUME, requested_by, "start after pause")
        self.paused = False
        return "started: every drone resumes its timeline"
