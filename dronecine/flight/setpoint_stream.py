"""The setpoint streamer both links share: the latest setpoint, sent at a fixed rate from its own
thread, with a watchdog.

The caller only ``set``s the latest setpoint; a daemon thread sends it every ``1 / rate_hz`` on a
monotonic schedule (deadline ``k`` is ``start + k * period``, so one late wake-up does not shift
every later send; after a long stall, missed deadlines are skipped rather than sent in a burst).

Why a thread and not a task on the caller's event loop: the agent's loop does real work (its own
Python step code, the station's messages, rendering in the simulated shoot), and anything that
holds the loop delayed every send on it: 25 ms of work per 50 ms step gave a p99 period jitter of
about 25 ms, and 100 Hz fell to 75 Hz (``benchmarks/bench_flight_link.py``, busy rows). The thread
only needs the GIL for a moment each period, which Python hands over within its switch interval.
``send`` must therefore be safe to call from another thread (both links' are: pymavlink sends
under the io's lock, MAVSDK's C++ core is thread-safe) and must not touch the event loop.

The watchdog, in two stages, both on the thread, so they work even when the caller's whole loop
is stuck:

1. **Hold.** When the caller has not refreshed the setpoint for ``setpoint_timeout_s``, the stream
   carries ``HOLD_SETPOINT`` (zero velocity, zero yaw rate) instead of the stale one, logs a warning
   once per stall and counts it, until the caller sets a setpoint again. PX4's offboard timeout
   (``COM_OF_LOSS_T``) only reacts when the stream itself stops, and a stalled agent with a live
   stream would otherwise keep the drone flying its last velocity.
2. **Release.** When the caller has been silent for ``release_after_s`` (by default six times
   ``setpoint_timeout_s``: 3 s), the agent is not coming back in time: the stream stops, so PX4's
   offboard-loss failsafe (``COM_OF_LOSS_T``, then ``COM_OBL_RC_ACT``) takes the drone, PX4 knows
   it has no companion, and its position hold holds the spot better than our zero velocity does in
   wind. A later ``set`` does not resume a released stream: only ``start`` does (the drone is out
   of offboard by then).

The caller's silence is counted in the thread's own awake time (a gap between two sends counts at
most two periods): when the whole process is frozen, by a cloud host taking the CPUs for seconds
(we measured such freezes here), the caller was not silent by its own fault, and the release must
not fire on the first send after the thaw.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable

from dronecine.flight.errors import LinkConfigError
from dronecine.flight.link_types import HOLD_SETPOINT, Setpoint, StreamStats

logger = logging.getLogger(__name__)

MAX_RATE_HZ = 200.0
DEFAULT_RATE_HZ = 20.0
DEFAULT_SETPOINT_TIMEOUT_S = 0.5
RELEASE_AFTER_TIMEOUTS = 6.0  # by default the stream lets go after six hold timeouts: 3 s at the default 0.5 s
_JOIN_TIMEOUT_S = 2.0

SendFn = Callable[[Setpoint], None]


class SetpointStreamer:
    """Sends the latest setpoint through ``send`` at ``rate_hz`` from a thread while started.

    ``send`` is called on the streamer's thread with each setpoint; an ``OSError`` from it is
    logged and the stream goes on (a dropped datagram must not end offboard); anything else is a
    bug: it is logged with its traceback and ends the stream (PX4's failsafe then takes over).
    """

    def __init__(
        self,
        send: SendFn,
        rate_hz: float = DEFAULT_RATE_HZ,
        setpoint_timeout_s: float = DEFAULT_SETPOINT_TIMEOUT_S,
        release_after_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        name: str = "setpoints",
    ) -> None:
        if not (isinstance(rate_hz, int | float) and math.isfinite(rate_hz) and 0.0 < rate_hz <= MAX_RATE_HZ):
            raise LinkConfigError(
                f"setpoint rate {rate_hz!r} Hz is out of range (expected 0 < rate <= {MAX_RATE_HZ:g})"
            )
        if not (isinstance(setpoint_timeout_s, int | float) and setpoint_timeout_s > 0.0):
            raise LinkConfigError(f"setpoint_timeout_s = {setpoint_timeout_s!r} must be > 0 s")
        if release_after_s is None:
            release_after_s = RELEASE_AFTER_TIMEOUTS * setpoint_timeout_s
        if not (isinstance(release_after_s, int | float) and release_after_s > setpoint_timeout_s):
            raise LinkConfigError(
                f"release_after_s = {release_after_s!r} must be longer than setpoint_timeout_s = "
                f"{setpoint_timeout_s!r} s (the hold comes first, then the release)"
            )
        self._send = send
        self._period_s = 1.0 / float(rate_hz)
        self._rate_hz = float(rate_hz)
        self._timeout_s = float(setpoint_timeout_s)
        self._release_s = float(release_after_s)
        self._clock = clock
        self._name = name
        # The caller's setpoint and when it was set, as one tuple: the thread reads both in one go.
        self._latest: tuple[Setpoint, float] = (HOLD_SETPOINT, -math.inf)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._sent = 0
        self._hold_sent = 0
        self._stalls = 0
        self._stalled = False  # written by the thread only, as are the next three
        self._released = False
        self._last_tick_s = -math.inf
        self._seen_set_at_s = -math.inf
        self._silent_s = 0.0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def setpoint(self) -> Setpoint:
        return self._latest[0]

    def set(self, setpoint: Setpoint) -> None:
        """Make ``setpoint`` the one to stream (and feed the watchdog)."""
        self._latest = (setpoint, self._clock())

    def stats(self) -> StreamStats:
        return StreamStats(self._sent, self._hold_sent, self._stalls, self._rate_hz, self._stalled, self._released)

    def start(self, initial: Setpoint = HOLD_SETPOINT) -> None:
        """Start streaming ``initial`` (idempotent: a running stream only takes the new setpoint)."""
        self.set(initial)
        if self.running:
            return
        self._stop = threading.Event()
        self._stalled = self._released = False
        self._last_tick_s = self._seen_set_at_s = -math.inf
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name=f"{self._name}-streamer", daemon=True
        )
        self._thread.start()

    async def stop(self) -> None:
        """Stop sending; returns once the thread has sent its last setpoint."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, _JOIN_TIMEOUT_S)
            if thread.is_alive():  # ``send`` blocked: the thread is a daemon and ends with it
                logger.error("%s: the streamer thread did not stop within %g s", self._name, _JOIN_TIMEOUT_S)

    def _caller_silence(self, now_s: float) -> tuple[Setpoint, float]:
        """The caller's latest setpoint and how long it has been silent, counting only the time this
        thread was awake: a gap between two ticks counts at most two periods. When the whole process
        froze (a cloud host taking its CPUs for seconds), the caller had no chance to speak either,
        and a release, which cannot be undone, must not blame it for the host."""
        setpoint, set_at_s = self._latest
        awake_s = min(now_s - self._last_tick_s, 2.0 * self._period_s)
        if set_at_s != self._seen_set_at_s:  # a new setpoint since the last tick
            self._seen_set_at_s = set_at_s
            self._silent_s = min(max(now_s - set_at_s, 0.0), awake_s)
        else:
            self._silent_s += awake_s
        self._last_tick_s = now_s
        return setpoint, self._silent_s

    def current(self, now_s: float) -> Setpoint | None:
        """What the stream sends at ``now_s``: the caller's setpoint, the hold once it is stale, or
        None once the caller has been silent for ``release_after_s`` (the stream ends)."""
        setpoint, silent_s = self._caller_silence(now_s)
        if silent_s <= self._timeout_s:
            if self._stalled:
                self._stalled = False
                logger.info("%s: caller resumed, streaming its setpoints again", self._name)
            return setpoint
        if silent_s > self._release_s:
            self._released = True
            logger.error(
                "%s: no new setpoint for %.1f s: stopping the stream, so PX4's offboard-loss failsafe takes the drone",
                self._name,
                silent_s,
            )
            return None
        if not self._stalled:
            self._stalled = True
            self._stalls += 1
            logger.warning(
                "%s: no new setpoint for %.2f s (timeout %.2f s): streaming hold (zero velocity) until the caller "
                "resumes",
                self._name,
                silent_s,
                self._timeout_s,
            )
        return HOLD_SETPOINT

    def _run(self, stop: threading.Event) -> None:
        start = self._clock()
        k = 0
        while not stop.is_set():
            setpoint = self.current(self._clock())
            if setpoint is None:
                return
            try:
                self._send(setpoint)
            except OSError as exc:  # a full socket buffer or an unreachable port: the next send retries
                logger.warning("%s: sending a setpoint failed: %s", self._name, exc)
            except Exception:
                logger.exception("%s: the setpoint stream stopped on an unexpected error", self._name)
                return
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
            stop.wait(max(0.0, deadline - now))
