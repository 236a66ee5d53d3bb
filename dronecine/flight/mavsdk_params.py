"""Parameters through MAVSDK's Param plugin, with the link's semantics.

MAVSDK wants the type: ``get_param_float`` on an INT32 parameter answers WRONG_TYPE, so a read tries
float then int and remembers which (MAVSDK does PX4's byte-wise INT32 encoding itself). A write
that PX4 does not take (out of range: PX4 answers with the unchanged value) ends in MAVSDK as a
TIMEOUT after its retries; the error then reads the value back and says what the autopilot kept.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from mavsdk import System
from mavsdk.plugins.param import Param, ParamResult
from mavsdk.plugins.param import ParamError as MavsdkParamError

from dronecine.flight.errors import ParamError

Blocking = Callable[..., Awaitable[Any]]


class MavsdkParams:
    """Reads and writes one autopilot's parameters; ``blocking`` runs a MAVSDK call off the loop."""

    def __init__(self, system: System, blocking: Blocking, attempts: int) -> None:
        self._param = Param(system)
        self._blocking = blocking
        self._attempts = max(1, attempts // 4)  # MAVSDK itself sends each request several times
        self._is_int: dict[str, bool] = {}

    async def get(self, name: str) -> float:
        self._check_name(name)
        known = self._is_int.get(name)
        for is_int in (known,) if known is not None else (False, True):
            try:
                value = await self._read(name, is_int)
            except MavsdkParamError as exc:
                if exc.result is ParamResult.WRONG_TYPE and known is None and not is_int:
                    continue  # an INT32 parameter: ask again as one
                raise ParamError(f"parameter {name}: MAVSDK {exc.result.name}", name) from exc
            self._is_int[name] = is_int
            return float(value)
        raise ParamError(f"parameter {name}: neither a float nor an integer to MAVSDK", name)

    async def set(self, name: str, value: float) -> None:
        self._check_name(name)
        if not (isinstance(value, int | float) and math.isfinite(value)):
            raise ParamError(f"parameter {name} = {value!r} is not a finite number", name)
        if name not in self._is_int:
            await self.get(name)  # learn its type
        is_int = self._is_int[name]
        call = self._param.set_param_int if is_int else self._param.set_param_float
        wire: int | float = round(value) if is_int else float(value)
        try:
            await self._retrying(call, name, wire)
        except MavsdkParamError as exc:
            if exc.result is not ParamResult.TIMEOUT:
                raise ParamError(f"parameter {name}: set to {value!r} refused: MAVSDK {exc.result.name}", name) from exc
            kept = await self.get(name)  # PX4 answered, just not with our value
            raise ParamError(f"parameter {name}: set to {value!r}, the autopilot kept {kept!r}", name) from exc

    async def _read(self, name: str, is_int: bool) -> float:
        call = self._param.get_param_int if is_int else self._param.get_param_float
        return await self._retrying(call, name)

    async def _retrying(self, call: Callable[..., Any], *args: object) -> Any:
        attempt = 1
        while True:
            try:
                return await self._blocking(call, *args)
            except MavsdkParamError as exc:
                if exc.result is not ParamResult.TIMEOUT or attempt >= self._attempts:
                    raise
            attempt += 1

    @staticmethod
    def _check_name(name: str) -> None:
        if not isinstance(name, str) or not 0 < len(name) <= 16 or not name.isascii():
            raise ParamError(f"parameter name {name!r} must be 1..16 ASCII characters", str(name))
