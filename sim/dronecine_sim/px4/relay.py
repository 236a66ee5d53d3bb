"""A lossy UDP relay for fault tests: it drops, delays and corrupts datagrams between a link and a vehicle.

``LossyRelay(RelayConfig(loss=0.2, delay_s=0.03), target=("127.0.0.1", vehicle.port))`` binds a
port of its own (``port``) for the client; every datagram from the client goes on to ``target``
from a second socket, and every answer from the target back to the client's last address. Each
datagram is dropped with probability ``loss`` and otherwise delivered after ``delay_s`` plus up to
``jitter_s`` (uniform), both ways; with ``garbage`` > 0 a datagram of random bytes is sent ahead of
that fraction of the datagrams. ``inject_garbage`` sends one such datagram on demand. Randomness
comes from one ``numpy.random.Generator`` seeded with ``seed``.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
import math
import select
import socket
import threading
import time
from dataclasses import dataclass

import numpy as np

from dronecine_sim.px4.errors import Px4SimError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayConfig:
    loss: float = 0.0  # probability a datagram is dropped, each direction
    delay_s: float = 0.0
    jitter_s: float = 0.0
    garbage: float = 0.0  # fraction of datagrams preceded by a datagram of random bytes
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("loss", "garbage"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise Px4SimError(f"relay {name} = {value!r} is out of range (expected 0..1)")
        for name in ("delay_s", "jitter_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 10.0):
                raise Px4SimError(f"relay {name} = {value!r} is out of range (expected 0..10 s)")


@dataclass
class RelayStats:
    forwarded: int = 0
    dropped: int = 0
    garbage_sent: int = 0


class LossyRelay:
    """Relays one client to ``target`` through a faulty network; start/stop, ``port`` for the client."""

    def __init__(self, config: RelayConfig, target: tuple[str, int], host: str = "127.0.0.1") -> None:
        self.config = config
        self.target = target
        self.stats = RelayStats()
        self._rng = np.random.default_rng(config.seed)
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind((host, 0))
        self._back.bind((host, 0))
        self._client: tuple[str, int] | None = None
        self._queue: list[tuple[float, int, bool, bytes]] = []  # (due, order, to_target, data)
        self._order = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Where the client sends (``udpout://127.0.0.1:<port>``)."""
        return self._front.getsockname()[1]

    def set_config(self, config: RelayConfig) -> None:
        """Change the faults while running (keeps the random stream)."""
        with self._lock:
            self.config = config

    def set_loss(self, loss: float) -> None:
        self.set_config(dataclasses.replace(self.config, loss=loss))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lossy-relay", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._front.close()
        self._back.close()

    def __enter__(self) -> LossyRelay:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject_garbage(self, size: int = 64, to_target: bool = True) -> None:
        """Send one datagram of ``size`` random bytes to the target (or to the client) now."""
        with self._lock:
            data = self._rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        self._deliver(to_target, data)
        self.stats.garbage_sent += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                due = self._queue[0][0] if self._queue else math.inf
            timeout = min(0.01, max(0.0, due - time.monotonic()))
            try:
                readable, _, _ = select.select([self._front, self._back], [], [], timeout)
            except (OSError, ValueError):  # closed under us by stop()
                return
            for sock in readable:
                self._take(sock, to_target=sock is self._front)
            self._flush()

    def _take(self, sock: socket.socket, to_target: bool) -> None:
        try:
            data, addr = sock.recvfrom(65535)
        except OSError as exc:  # ICMP errors surface here; the relay keeps going
            logger.debug("relay: recvfrom: %s", exc)
            return
        if to_target:
            self._client = addr
        with self._lock:
            cfg = self.config
            if self._rng.random() < cfg.loss:
                self.stats.dropped += 1
                return
            delay = cfg.delay_s + cfg.jitter_s * float(self._rng.random())
            if cfg.garbage > 0.0 and self._rng.random() < cfg.garbage:
                junk = self._rng.integers(0, 256, int(self._rng.integers(1, 280)), dtype=np.uint8).tobytes()
                self._push(time.monotonic() + delay, to_target, junk)
                self.stats.garbage_sent += 1
            self._push(time.monotonic() + delay, to_target, data)

    def _push(self, due: float, to_target: bool, data: bytes) -> None:
        self._order += 1
        heapq.heappush(self._queue, (due, self._order, to_target, data))

    def _flush(self) -> None:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._queue or self._queue[0][0] > now:
                    return
                _, _, to_target, data = heapq.heappop(self._queue)
            self._deliver(to_target, data)
            self.stats.forwarded += 1

    def _deliver(self, to_target: bool, data: bytes) -> None:
        destination = self.target if to_target else self._client
        if destination is None:
            return
        sock = self._back if to_target else self._front
        try:
            sock.sendto(data, destination)
        except OSError as exc:
            logger.debug("relay: sendto %s: %s", destination, exc)
