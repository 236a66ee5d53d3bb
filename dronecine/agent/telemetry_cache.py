"""The link's telemetry kept as its latest values: one task per stream, read without waiting.

The onboard loop steps at its own rate; the autopilot's messages arrive at theirs (position 30 Hz,
battery 1 Hz). Each stream is consumed by a task that keeps only the newest value, so a step reads
the state as it is now and never waits on a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np

from dronecine.agent.errors import AgentError
from dronecine.agent.local_frame import MissionFrame
from dronecine.control import OwnState
from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import (
    Attitude,
    Battery,
    FlightMode,
    GimbalAttitude,
    HomePosition,
    LandedState,
    PositionNed,
    VelocityNed,
)

logger = logging.getLogger(__name__)


class LatestTelemetry:
    """The newest value of each of ``link``'s telemetry streams (None until the first arrives)."""

    def __init__(self, link: FlightLink) -> None:
        self.link = link
        self.position: PositionNed | None = None
        self.velocity: VelocityNed | None = None
        self.attitude: Attitude | None = None
        self.gimbal: GimbalAttitude | None = None
        self.battery: Battery | None = None
        self.flight_mode: FlightMode | None = None
        self.armed: bool | None = None
        self.landed_state: LandedState | None = None
        self.home: HomePosition | None = None
        self.connected: bool = True
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()

    def start(self) -> None:
        """Start consuming every stream (on the running loop)."""
        streams: dict[str, Callable[[], AsyncIterator[Any]]] = {
            "position": self.link.position_stream,
            "velocity": self.link.velocity_stream,
            "attitude": self.link.attitude_stream,
            "gimbal": self.link.gimbal_attitude_stream,
            "battery": self.link.battery_stream,
            "flight_mode": self.link.flight_mode_stream,
            "armed": self.link.armed_stream,
            "landed_state": self.link.landed_state_stream,
            "home": self.link.home_stream,
            "connected": self.link.connection_stream,
        }
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._keep(name, make()), name=f"telemetry-{name}") for name, make in streams.items()
        ]

    async def _keep(self, name: str, stream: AsyncIterator[Any]) -> None:
        async for value in stream:
            setattr(self, name, value)
            self._changed.set()

    async def wait_for(self, predicate: Callable[[LatestTelemetry], bool], timeout_s: float) -> bool:
        """Wait until ``predicate(self)`` holds (True) or ``timeout_s`` passes (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not predicate(self):
            left = deadline - loop.time()
            if left <= 0.0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True

    def missing(self) -> tuple[str, ...]:
        """The values the onboard loop needs that have not arrived yet."""
        needed = ("position", "velocity", "attitude", "home")
        return tuple(name for name in needed if getattr(self, name) is None)

    @property
    def height_m(self) -> float:
        """Height above home (0 before the first position)."""
        if self.position is None:
            return 0.0
        home_down = self.home.down_m if self.home is not None else 0.0
        return home_down - self.position.down_m

    @property
    def battery_percent(self) -> float | None:
        if self.battery is None or not math.isfinite(self.battery.remaining_pct):
            return None
        return float(self.battery.remaining_pct)

    def own_state(self, frame: MissionFrame) -> OwnState:
        """The drone's state in the mission's frame (one drone); the gimbal level and forward until
        the autopilot reports one."""
        p, v, a, g = self.position, self.velocity, self.attitude, self.gimbal
        if p is None or v is None or a is None:
            raise AgentError(f"own_state() before the telemetry arrived (missing {', '.join(self.missing())})")
        position = frame.to_mission(np.array([p.north_m, p.east_m, p.down_m]))
        return OwnState(
            position[None],
            np.array([[v.north_m_s, v.east_m_s, v.down_m_s]]),
            np.array([a.yaw_deg]),
            np.array([g.pitch_deg if g is not None else 0.0]),
            np.array([g.yaw_deg if g is not None else 0.0]),
        )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        for task, result in zip(self._tasks, results, strict=True):
            if isinstance(result, Exception):
                logger.warning("%s ended with %s: %s", task.get_name(), type(result).__name__, result)
        self._tasks = []
