"""What both flight links do the same way around the setpoint stream: start offboard (stream first,
keep the caller's first setpoint fresh, then switch), leave it, take setpoints, report the stream.

A link inherits ``OffboardControl`` and provides ``_streamer`` (its ``SetpointStreamer``), ``options``
(``LinkOptions``), ``_commands_ready()``, ``_switch_to_offboard()`` and ``hold()``: what differs is
how each talks to the autopilot, not this sequence.
"""

from __future__ import annotations

import asyncio
import contextlib

from dronecine.flight.link_types import (
    HOLD_SETPOINT,
    LinkOptions,
    Setpoint,
    StreamStats,
    VelocityBodySetpoint,
    VelocityNedSetpoint,
)
from dronecine.flight.setpoint_stream import SetpointStreamer


class OffboardControl:
    _streamer: SetpointStreamer
    options: LinkOptions

    def _commands_ready(self) -> None:
        raise NotImplementedError

    async def _switch_to_offboard(self) -> None:
        raise NotImplementedError

    async def hold(self) -> None:
        raise NotImplementedError

    async def start_offboard(self, initial: Setpoint | None = None) -> None:
        self._commands_ready()
        initial = initial or HOLD_SETPOINT
        self._streamer.start(initial)
        # Until the switch, ``initial`` is the caller's intent: keep it fresh so the watchdog stays quiet.
        keep_fresh = asyncio.get_running_loop().create_task(self._refresh(initial))
        try:
            await asyncio.sleep(self.options.offboard_prestream_s)  # PX4 wants a live stream before switching
            await self._switch_to_offboard()
        finally:
            keep_fresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keep_fresh

    async def _refresh(self, setpoint: Setpoint) -> None:
        while True:
            self._streamer.set(setpoint)
            await asyncio.sleep(self.options.setpoint_timeout_s / 4.0)

    async def stop_offboard(self) -> None:
        await self.hold()

    async def set_velocity_body(self, setpoint: VelocityBodySetpoint) -> None:
        self._streamer.set(setpoint)

    async def set_velocity_ned(self, setpoint: VelocityNedSetpoint) -> None:
        self._streamer.set(setpoint)

    def stream_stats(self) -> StreamStats:
        return self._streamer.stats()
