"""Gimbal protocol v2 through MAVSDK's Gimbal plugin, with the link's errors.

The plugin lists a gimbal only after the manager's GIMBAL_MANAGER_INFORMATION and the device's
GIMBAL_DEVICE_INFORMATION (it asks for both when it sees a component's heartbeat), so every call
first waits for the autopilot's gimbal manager to be listed. Angles go as
MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW (acknowledged: a refusal is a ``GimbalError`` caused by the
``CommandDenied`` that names the ACK's MAV_RESULT, which MAVSDK's result folds into ERROR); rates
as GIMBAL_MANAGER_SET_ATTITUDE with rates only (streamed, not acknowledged). YAW_FOLLOW: yaw is
relative to the vehicle's nose.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from mavsdk.plugins.gimbal import ControlMode, Gimbal, GimbalMode, GimbalResult, SendMode
from mavsdk.plugins.gimbal import GimbalError as MavsdkGimbalError
from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.errors import CommandDenied, CommandTimeout, GimbalError, SetpointError
from dronecine.flight.mavlink_common import enum_name
from dronecine.flight.mavsdk_direct import AckLog

DISCOVERY_S = 5.0
_SENDS = 4  # MAVSDK's command sender: the first send and 3 retries
_SEND_TIMEOUT_S = 0.5

Blocking = Callable[..., Awaitable[Any]]


class MavsdkGimbal:
    """The autopilot's gimbal manager through ``plugin``; ``blocking`` runs a MAVSDK call off the loop."""

    def __init__(self, plugin: Gimbal, blocking: Blocking, acks: AckLog) -> None:
        self.plugin = plugin
        self._blocking = blocking
        self._acks = acks

    async def take_control(self) -> None:
        gimbal_id = await self.gimbal_id()
        await self._call(
            mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE, lambda g: g.take_control(gimbal_id, ControlMode.PRIMARY)
        )

    async def release_control(self) -> None:
        gimbal_id = await self.gimbal_id()
        await self._call(mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE, lambda g: g.release_control(gimbal_id))

    async def set_angles(self, pitch_deg: float, yaw_deg: float) -> None:
        if not (math.isfinite(pitch_deg) and math.isfinite(yaw_deg)):
            raise SetpointError(f"gimbal angles ({pitch_deg!r}, {yaw_deg!r}) must be finite degrees")
        gimbal_id = await self.gimbal_id()
        pitch, yaw = float(pitch_deg), float(yaw_deg)
        await self._call(
            mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW,
            lambda g: g.set_angles(gimbal_id, 0.0, pitch, yaw, GimbalMode.YAW_FOLLOW, SendMode.ONCE),
        )

    async def set_rates(self, pitch_rate_deg_s: float, yaw_rate_deg_s: float) -> None:
        if not (math.isfinite(pitch_rate_deg_s) and math.isfinite(yaw_rate_deg_s)):
            raise SetpointError(f"gimbal rates ({pitch_rate_deg_s!r}, {yaw_rate_deg_s!r}) must be finite deg/s")
        gimbal_id = await self.gimbal_id()
        try:  # STREAM: queued without waiting for anything, so it runs on the loop
            self.plugin.set_angular_rates(
                gimbal_id, 0.0, float(pitch_rate_deg_s), float(yaw_rate_deg_s), GimbalMode.YAW_FOLLOW, SendMode.STREAM
            )
        except MavsdkGimbalError as exc:
            raise GimbalError(f"gimbal rates not sent: MAVSDK {exc.result.name}") from exc

    async def gimbal_id(self) -> int:
        """MAVSDK's id for the autopilot's gimbal manager, once the plugin lists it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DISCOVERY_S
        while True:
            for item in self.plugin.gimbal_list().gimbals:
                if item.gimbal_manager_component_id == mavlink.MAV_COMP_ID_AUTOPILOT1:
                    return item.gimbal_id
            if loop.time() >= deadline:
                raise GimbalError(
                    f"no gimbal manager found on the autopilot within {DISCOVERY_S:g} s "
                    "(PX4 runs one only with MNT_MODE_IN = 4)"
                )
            await asyncio.sleep(0.05)

    async def _call(self, command: int, call: Callable[[Gimbal], object]) -> None:
        name = enum_name("MAV_CMD", command)
        since = time.monotonic()
        try:
            await self._blocking(call, self.plugin)
        except MavsdkGimbalError as exc:
            if exc.result is GimbalResult.TIMEOUT:
                timeout = CommandTimeout(name, _SENDS, _SEND_TIMEOUT_S)
                raise GimbalError(f"gimbal manager: {timeout}") from timeout
            answered = await self._acks.answer(command, since)
            if answered is None:
                raise GimbalError(f"gimbal manager: MAVSDK {exc.result.name} ({exc.origin})") from exc
            denied = CommandDenied(name, enum_name("MAV_RESULT", answered), f"MAVSDK {exc.result.name}")
            denied.__cause__ = exc
            raise GimbalError(f"gimbal manager: {denied}") from denied
