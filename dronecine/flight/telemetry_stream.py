"""Telemetry as async iterators: one ``Broadcast`` per quantity, any number of subscribers.

``Broadcast.publish`` (called on the link's event loop) hands each value to every subscriber's
bounded queue; a subscriber that falls behind loses its oldest values, never blocks the link.
``subscribe()`` is an async iterator that first yields the latest value already known (if any), then
every new one; breaking out of the ``async for`` (or closing the generator) unsubscribes. After the
link closes, iterators end.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

T = TypeVar("T")

_QUEUE_LENGTH = 32


class _Subscriber(Generic[T]):
    def __init__(self) -> None:
        self.values: collections.deque[T] = collections.deque(maxlen=_QUEUE_LENGTH)
        self.event = asyncio.Event()


class Broadcast(Generic[T]):
    """The latest value of one telemetry quantity and the subscribers waiting for the next ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._latest: T | None = None
        self._subscribers: set[_Subscriber[T]] = set()
        self._closed = False

    @property
    def latest(self) -> T | None:
        return self._latest

    def publish(self, value: T) -> None:
        self._latest = value
        for subscriber in self._subscribers:
            subscriber.values.append(value)
            subscriber.event.set()

    def close(self) -> None:
        """End every subscription (after the values already queued)."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.event.set()

    def reopen(self) -> None:
        self._closed = False

    async def subscribe(self) -> AsyncIterator[T]:
        subscriber: _Subscriber[T] = _Subscriber()
        if self._latest is not None:
            subscriber.values.append(self._latest)
        self._subscribers.add(subscriber)
        try:
            while True:
                while subscriber.values:
                    yield subscriber.values.popleft()
                if self._closed:
                    return
                subscriber.event.clear()
                await subscriber.event.wait()
        finally:
            self._subscribers.discard(subscriber)
