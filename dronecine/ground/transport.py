"""How protocol messages travel: one ``Transport`` per connection, text messages in order.

Two implementations, the station's code the same over both: WebSockets (``transport_ws``) in the
field, and an in-memory pair of queues (here) for the simulated shoot, where the station and every
agent share one event loop. The in-memory ``MemoryHub`` can tell when every message sent has been
handled (``settle``), so a simulation steps its clock, lets the messages flow, and steps again:
deterministic, with no wall-clock sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Protocol

from dronecine.ground.errors import TransportClosedError, TransportError

logger = logging.getLogger(__name__)


class Transport(Protocol):
    """One end of a connection carrying text messages in order."""

    @property
    def peer(self) -> str:
        """Who is at the other end (for logs and errors)."""
        ...

    async def send(self, text: str) -> None:
        """Send one message; ``TransportClosedError`` if the connection is gone."""
        ...

    async def recv(self) -> str:
        """The next message; ``TransportClosedError`` when the other end has closed."""
        ...

    async def close(self) -> None:
        """Close this end (the other end's ``recv`` raises ``TransportClosedError``); idempotent."""
        ...


_CLOSED = object()  # put on a queue to wake its reader when the connection closes
_SETTLE_ROUNDS = 100_000  # a bug (a task that never returns to recv) must not hang the simulation


class MemoryHub:
    """In-memory connections on the running event loop, and the bookkeeping behind ``settle``:
    how many messages wait in queues, and how many receivers are still handling the last one."""

    def __init__(self) -> None:
        self.queued = 0
        self.busy = 0

    def pair(self, name: str) -> tuple[MemoryTransport, MemoryTransport]:
        """A connected pair: (the agent's end, the station's end), named ``name`` in logs."""
        to_station: asyncio.Queue[object] = asyncio.Queue()
        to_agent: asyncio.Queue[object] = asyncio.Queue()
        agent = MemoryTransport(self, f"station<->{name}", inbox=to_agent, outbox=to_station)
        station = MemoryTransport(self, f"agent {name}", inbox=to_station, outbox=to_agent)
        agent.other, station.other = station, agent
        return agent, station

    async def settle(self) -> None:
        """Return once every message sent has been received and its receiver is waiting for the next
        (or has closed): what was sent before this call has been handled."""
        for _ in range(_SETTLE_ROUNDS):
            if self.queued == 0 and self.busy == 0:
                return
            await asyncio.sleep(0)
        raise TransportError(
            f"the in-memory messages did not settle ({self.queued} queued, {self.busy} receivers busy): "
            "a handler never returned to recv()"
        )


class MemoryTransport:
    """One end of an in-memory connection (see ``MemoryHub.pair``). ``silence()`` makes the link
    go quiet without closing it: both directions drop their messages, as a radio link out of range."""

    def __init__(self, hub: MemoryHub, peer: str, inbox: asyncio.Queue, outbox: asyncio.Queue) -> None:
        self._hub = hub
        self._peer = peer
        self._inbox = inbox
        self._outbox = outbox
        self.other: MemoryTransport | None = None
        self.closed = False
        self.silent = False
        self._holding = False  # returned a message from recv() and not yet called recv() again
        self._dropped: deque[str] = deque(maxlen=1)  # the last message lost to the silence (tests)

    @property
    def peer(self) -> str:
        return self._peer

    def silence(self) -> None:
        """Cut the link both ways (nothing is delivered any more); neither end is told."""
        self.silent = True
        if self.other is not None:
            self.other.silent = True

    async def send(self, text: str) -> None:
        if self.closed:
            raise TransportClosedError(f"the connection to {self._peer} is closed")
        if self.silent:
            self._dropped.append(text)
            return
        self._hub.queued += 1
        self._outbox.put_nowait(text)

    async def recv(self) -> str:
        self._release()
        if self.closed:
            raise TransportClosedError(f"the connection to {self._peer} is closed")
        item = await self._inbox.get()
        if item is _CLOSED:
            self._close_here()
            raise TransportClosedError(f"{self._peer} closed the connection")
        self._hub.queued -= 1
        self._holding = True
        self._hub.busy += 1
        return str(item)

    async def close(self) -> None:
        if self.closed:
            return
        self._close_here()
        other = self.other
        if other is not None and not other.closed:
            other._inbox.put_nowait(_CLOSED)

    def _close_here(self) -> None:
        self._release()
        self.closed = True
        # Messages nobody will read no longer count as waiting.
        while not self._inbox.empty():
            if self._inbox.get_nowait() is not _CLOSED:
                self._hub.queued -= 1

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._hub.busy -= 1
