"""The command and parameter protocols on the client side: send, wait for the answer, retry.

``CommandClient.send`` sends COMMAND_LONG and waits ``timeout_s`` for the COMMAND_ACK of that
command, resending (``confirmation`` counting up, as MAVLink asks) up to ``attempts`` times; an
answer other than ACCEPTED raises ``CommandDenied`` with the MAV_RESULT's name, no answer
``CommandTimeout``. IN_PROGRESS answers extend the wait. One command of each id is in flight at a
time (the ACK carries only the command id).

``ParamClient`` reads and writes parameters with PARAM_REQUEST_READ / PARAM_SET and the PARAM_VALUE
answer, decoding PX4's byte-wise INT32 encoding.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import struct
from collections.abc import Callable

from dronecine.flight.errors import CommandDenied, CommandTimeout, ParamError
from dronecine.flight.mavlink_common import enum_name
from dronecine.flight.pymavlink_io import mavlink

logger = logging.getLogger(__name__)

_INT_TYPES = {
    mavlink.MAV_PARAM_TYPE_INT8,
    mavlink.MAV_PARAM_TYPE_UINT8,
    mavlink.MAV_PARAM_TYPE_INT16,
    mavlink.MAV_PARAM_TYPE_UINT16,
    mavlink.MAV_PARAM_TYPE_INT32,
    mavlink.MAV_PARAM_TYPE_UINT32,
}


class CommandClient:
    """Sends commands to one target (system, component) through ``send``."""

    def __init__(self, send: Callable[[object], None], timeout_s: float, attempts: int) -> None:
        self._send = send
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.target = (0, 0)
        self._waiting: dict[int, asyncio.Queue[int]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def on_ack(self, msg) -> None:
        queue = self._waiting.get(msg.command)
        if queue is not None:
            queue.put_nowait(msg.result)

    async def send(self, command: int, *params: float, attempts: int | None = None) -> None:
        """Send ``command`` with up to 7 params (NaN-free where the autopilot needs numbers)."""
        values = [float(p) for p in params] + [0.0] * (7 - len(params))
        lock = self._locks.setdefault(command, asyncio.Lock())
        attempts = self.attempts if attempts is None else attempts
        async with lock:
            queue: asyncio.Queue[int] = asyncio.Queue()
            self._waiting[command] = queue
            try:
                for attempt in range(attempts):
                    msg = mavlink.MAVLink_command_long_message(
                        self.target[0], self.target[1], command, min(attempt, 255), *values
                    )
                    self._send(msg)
                    result = await self._wait(queue)
                    if result is None:
                        logger.debug(
                            "%s: no ACK (attempt %d of %d)", enum_name("MAV_CMD", command), attempt + 1, attempts
                        )
                        continue
                    if result != mavlink.MAV_RESULT_ACCEPTED:
                        raise CommandDenied(enum_name("MAV_CMD", command), enum_name("MAV_RESULT", result))
                    return
                raise CommandTimeout(enum_name("MAV_CMD", command), attempts, self.timeout_s)
            finally:
                self._waiting.pop(command, None)

    async def _wait(self, queue: asyncio.Queue[int]) -> int | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0.0:
                return None
            try:
                result = await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                return None
            if result == mavlink.MAV_RESULT_IN_PROGRESS:
                deadline = loop.time() + self.timeout_s
                continue
            return result


class ParamClient:
    """Reads and writes the target's parameters; remembers each parameter's type."""

    def __init__(self, send: Callable[[object], None], timeout_s: float, attempts: int) -> None:
        self._send = send
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.target = (0, 0)
        self._types: dict[str, int] = {}
        self._waiting: dict[str, list[asyncio.Future[float]]] = {}

    def on_param_value(self, msg) -> None:
        name = msg.param_id
        self._types[name] = msg.param_type
        value = self._decode(msg.param_type, msg.param_value)
        for future in self._waiting.pop(name, []):
            if not future.done():
                future.set_result(value)

    @staticmethod
    def _decode(param_type: int, wire: float) -> float:
        if param_type in _INT_TYPES:  # PX4 sends integers byte-wise in the float
            return float(struct.unpack("<i", struct.pack("<f", wire))[0])
        return float(wire)

    @staticmethod
    def _encode(param_type: int, value: float) -> float:
        if param_type in _INT_TYPES:
            return struct.unpack("<f", struct.pack("<i", round(value)))[0]
        return float(value)

    async def _exchange(self, name: str, make: Callable[[], object]) -> float:
        loop = asyncio.get_running_loop()
        for _ in range(self.attempts):
            future: asyncio.Future[float] = loop.create_future()
            self._waiting.setdefault(name, []).append(future)
            self._send(make())
            try:
                return await asyncio.wait_for(future, self.timeout_s)
            except TimeoutError:
                continue
            finally:
                with contextlib.suppress(ValueError):
                    self._waiting.get(name, []).remove(future)
        raise ParamError(f"parameter {name}: no PARAM_VALUE after {self.attempts} attempts", name)

    async def get(self, name: str) -> float:
        self._check_name(name)
        return await self._exchange(
            name, lambda: mavlink.MAVLink_param_request_read_message(*self.target, name.encode(), -1)
        )

    async def set(self, name: str, value: float) -> float:
        self._check_name(name)
        if not math.isfinite(value):
            raise ParamError(f"parameter {name} = {value!r} is not a finite number", name)
        if name not in self._types:
            await self.get(name)  # learn its type: PX4 wants INT32 byte-wise
        param_type = self._types[name]
        wire = self._encode(param_type, value)
        expected = float(round(value)) if param_type in _INT_TYPES else float(value)
        got = math.nan
        for _ in range(self.attempts):  # a late answer to an earlier read can carry the old value: ask again
            got = await self._exchange(
                name, lambda: mavlink.MAVLink_param_set_message(*self.target, name.encode(), wire, param_type)
            )
            if math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-6):
                return got
        raise ParamError(f"parameter {name}: set to {value!r}, the autopilot kept {got!r}", name)

    @staticmethod
    def _check_name(name: str) -> None:
        if not isinstance(name, str) or not 0 < len(name) <= 16 or not name.isascii():
            raise ParamError(f"parameter name {name!r} must be 1..16 ASCII characters", str(name))
