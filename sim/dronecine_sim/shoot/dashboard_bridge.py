"""The simulated shoot's side of the dashboard (``dronecine shoot --serve``): the controls, carried
out between two steps on the simulation's own thread; the live frames and camera views it publishes;
and its pace, ``speed`` times real time, so the crew watches the shoot as it would fly.

Start and pause act on the simulation itself: paused, nothing moves (drones, people, the clock).
Abort and the per-drone commands go through the ground station, as in the field.
"""

from __future__ import annotations

import math
import queue
import time
from concurrent.futures import Future
from typing import Protocol

import numpy as np
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.ground_link import SimGroundLink

from dronecine.ground.dashboard import ControlAction, ControlRefusedError, LiveFeed, Phase, live_frame
from dronecine.ground.dashboard.control import abort_answer, command_answer
from dronecine.ground.protocol import CommandAction

PUBLISH_PERIOD_S = 0.1  # wall seconds between two frames for the page
WAIT_POLL_S = 0.2  # while waiting for Start or paused: how often the frame is refreshed
BEHIND_S = 1.0  # a simulation this far behind its pace stops catching up (it runs as fast as it can)


class WorldView(Protocol):
    """What the bridge reads of the simulated set between steps."""

    ground: SimGroundLink

    def subjects_ne_m(self) -> dict[str, list[float]]: ...

    def views(self) -> dict[str, np.ndarray]: ...


class SimDashboard:
    """The dashboard's controls (``submit``, from the server's thread) and feed for one simulated shoot."""

    def __init__(self, feed: LiveFeed, token: str, speed: float | None = 1.0, autostart: bool = False) -> None:
        if speed is not None and not (math.isfinite(speed) and 0.05 <= speed <= 1000.0):
            raise ShootError(f"--speed {speed!r} is out of range (expected 0.05..1000 times real time)")
        self.feed = feed
        self.token = token  # the station's: the dashboard's commands and the agents share it
        self.speed = speed
        self.phase = Phase.RUNNING if autostart else Phase.WAITING
        self._pending: queue.Queue[tuple[ControlAction, str | None, str, Future[str]]] = queue.Queue()
        self._published_at = -math.inf
        self._origin: tuple[float, float] | None = None  # (wall, sim) seconds the pace counts from

    # --- the server's thread --------------------------------------------------------------------

    def submit(self, action: ControlAction, drone_id: str | None, requested_by: str) -> Future[str]:
        future: Future[str] = Future()
        if self.phase == Phase.FINISHED:
            future.set_exception(ControlRefusedError("the shoot is over"))
        else:
            self._pending.put((action, drone_id, requested_by, future))
        return future

    # --- the simulation's thread ----------------------------------------------------------------

    def before_step(self, world: WorldView, t_s: float) -> None:
        """Carry out the commands that came in, wait while not started or paused, keep the pace,
        and publish a frame when one is due."""
        self._apply_pending(world)
        while self.phase in (Phase.WAITING, Phase.PAUSED):
            self._publish(world, force=True)
            self._apply_pending(world, wait_s=WAIT_POLL_S)
            self._origin = None  # the pace starts again from here
        self._keep_pace(t_s)
        self._publish(world)

    def finish(self, world: WorldView | None = None) -> None:
        """The shoot is over (or failed): refuse what is still pending, publish the last frame."""
        self.phase = Phase.FINISHED
        while True:
            try:
                *_, future = self._pending.get_nowait()
            except queue.Empty:
                break
            future.set_exception(ControlRefusedError("the shoot is over"))
        if world is not None:
            self._publish(world, force=True)

    def _apply_pending(self, world: WorldView, wait_s: float = 0.0) -> None:
        try:
            item = self._pending.get(timeout=wait_s) if wait_s > 0 else self._pending.get_nowait()
        except queue.Empty:
            return
        while True:
            action, drone_id, requested_by, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self._apply(world, action, drone_id, requested_by))
                except ControlRefusedError as error:
                    future.set_exception(error)
            try:
                item = self._pending.get_nowait()
            except queue.Empty:
                return

    def _apply(self, world: WorldView, action: ControlAction, drone_id: str | None, requested_by: str) -> str:
        ground = world.ground
        if action.per_drone:
            if drone_id is None:
                raise ControlRefusedError(f"{action.value} needs a drone")
            return command_answer(ground.command(drone_id, CommandAction(action.value), requested_by))
        if action == ControlAction.ABORT:
            return abort_answer(ground.abort(requested_by, "from the dashboard"), ground.abort_action)
        if action == ControlAction.PAUSE:
            if self.phase != Phase.RUNNING:
                raise ControlRefusedError(f"cannot pause: the shoot is {self.phase.value}")
            self.phase = Phase.PAUSED
            return "paused: the simulation is frozen"
        if self.phase == Phase.RUNNING:
            raise ControlRefusedError("the shoot is running already")
        started = self.phase == Phase.WAITING
        self.phase = Phase.RUNNING
        return "started" if started else "resumed"

    def _keep_pace(self, t_s: float) -> None:
        if self.speed is None:
            return
        now = time.monotonic()
        if self._origin is None:
            self._origin = (now, t_s)
            return
        due = self._origin[0] + (t_s - self._origin[1]) / self.speed
        if due > now:
            time.sleep(due - now)
        elif now - due > BEHIND_S:
            self._origin = (now, t_s)  # too slow for this speed: no burst to catch up

    def _publish(self, world: WorldView, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._published_at < PUBLISH_PERIOD_S:
            return
        self._published_at = now
        frame = live_frame(world.ground.station, self.phase, world.subjects_ne_m(), self.speed)
        self.feed.publish(frame, world.views())
