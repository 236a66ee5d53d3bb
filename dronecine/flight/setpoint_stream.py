"""The setpoint streamer both links share: the latest setpoint, sent at a fixed rate, with a watchdog.

The caller only ``set``s the latest setpoint; an asyncio task sends it every ``1 / rate_hz`` on a
monotonic schedule (deadline ``k`` is ``start + k * period``, so one late wake-up does not shift
every later send; after a long stall, missed deadlines are skipped rather than sent in a burst).

The watchdog: when the caller has not refreshed the setpoint for ``setpoint_timeout_s``, the
streamer sends ``HOLD_SETPOINT`` (zero velocity, zero yaw rate) instead of the stale one, logs a
warning once per stall and counts it, until the caller sets a setpoint again. This is our own
protection against a stalled agent loop: PX4's offboard timeout (``COM_OF_LOSS_T``) would only
react when the stream itself stops, and a stalled agent with a live stream would keep the drone
flying its last velocity.

The task runs on the caller's event loop; whatever blocks that loop delays the sends, so the agent
must keep heavy work off it (an executor) for the rate to hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable

from dronecine.flight.errors import LinkConfigError
from dronecine.flight.link_types import HOLD_SETPOINT, Setpoint, StreamStats

logger = logging.getLogger(__name__)

MAX_RATE_HZ = 200.0
DEFAULT_RATE_HZ = 20.0
DEFAULT_SETPOINT_TIMEOUT_S = 0.5

SendFn = Callable[[Setpoint], Awaitable[None] | None]


class SetpointStreamer:
    """Sends the latest setpoint through ``send`` at ``rate_hz`` while started.

    ``send`` is called on the event loop with each setpoint (a coroutine function is awaited); an
    exception from it is logged and the stream goes on (a dropped datagram must not end offboard).
    """

    def __init__(
        self,
        send: SendFn,
        rate_hz: float = DEFAULT_RATE_HZ,
        setpoint_timeout_s: float = DEFAULT_SETPOINT_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
        name: str = "setpoints",
    ) -> None:
        if not (isinstance(rate_hz, int | float) and math.isfinite(rate_hz) and 0.0 < rate_hz <= MAX_RATE_HZ):
            raise LinkConfigError(
                f"setpoint rate {rate_hz!r} Hz is out of range (expected 0 < rate <= {MAX_RATE_HZ:g})"
            )
        if not (isinstance(setpoint_timeout_s, int | float) and setpoint_timeout_s > 0.0):
            raise LinkConfigError(f"setpoint_timeout_s = {setpoint_timeout_s!r} must be > 0 s")
        self._send = send
        self._period_s = 1.0 / float(rate_hz)
        self._rate_hz = float(rate_hz)
        self._timeout_s = float(setpoint_timeout_s)
        self._clock = clock
        self._name = name
        self._setpoint: Setpoint = HOLD_SETPOINT
        self._set_at_s = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._sent = 0
        self._hold_sent = 0
        self._stalls = 0
        self._stalled = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def setpoint(self) -> Setpoint:
        return self._setpoint

    def set(self, setpoint: Setpoint) -> None:
        """Make ``setpoint`` the one to stream (and feed the watchdog)."""
        self._setpoint = setpoint
        self._set_at_s = self._clock()
        if self._stalled:
            self._stalled = False
            logger.info("%s: caller resumed, streaming its setpoints again", self._name)

    def stats(self) -> StreamStats:
        return StreamStats(self._sent, self._hold_sent, self._stalls, self._rate_hz, self._stalled)

    def start(self, initial: Setpoint = HOLD_SETPOINT) -> None:
        """Start streaming ``initial`` (idempotent: a running stream only takes the new setpoint)."""
        self.set(initial)
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"{self._name}-streamer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def current(self, now_s: float) -> Setpoint:
        """What the stream sends at ``now_s``: the caller's setpoint, or the hold once it is stale."""
        if now_s - self._set_at_s <= self._timeout_s:
            return self._setpoint
        if not self._stalled:
            self._stalled = True
            self._stalls += 1
            logger.warning(
                "%s: no new setpoint for %.2f s (timeout %.2f s): streaming hold (zero velocity) until the caller "
                "resumes",
                self._name,
                now_s - self._set_at_s,
                self._timeout_s,
            )
        return HOLD_SETPOINT

    async def _run(self) -> None:
        start = self._clock()
        k = 0
        while True:
            now = self._clock()
            setpoint = self.current(now)
            try:
                result = self._send(setpoint)
                if result is not None:
                    await result
            except OSError as exc:  # a full socket buffer or an unreachable port: the next send retries
                logger.warning("%s: sending a setpoint failed: %s", self._name, exc)
            else:
                self._sent += 1
                if setpoint is HOLD_SETPOINT and self._stalled:
                    self._hold_sent += 1
            k += 1
            deadline = start + k * self._period_s
            now = self._clock()
            if now > deadline + self._period_s:  # a stall: skip the missed sends instead of bursting them
                k = math.ceil((now - start) / self._period_s)
                deadline = start + k * self._period_s
            # asyncio.sleep wakes up to a clock tick late; aim a little early and spin the rest.
            delay = deadline - now
            if delay > 0.002:
                await asyncio.sleep(delay - 0.001)
            while self._clock() < deadline:
                await asyncio.sleep(0)
