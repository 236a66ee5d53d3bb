"""``FlightLink`` on pymavlink: one connection, a receive thread, everything else on the asyncio loop.

``PymavlinkLink(LinkOptions(...))`` then ``await link.connect(url)``. The link sends its own
HEARTBEAT at 1 Hz as an onboard computer (PX4 uses it for data-link loss), streams setpoints with
``SetpointStreamer`` while offboard, and watches the autopilot's heartbeat: after
``heartbeat_timeout_s`` without one, ``connection_stream`` yields False and commands time out; when
heartbeats return (a rebooted autopilot too), it yields True again and the link carries on (a
rebooted PX4 comes back disarmed in HOLD: the telemetry streams say so).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from dronecine.flight.errors import (
    CommandDenied,
    CommandTimeout,
    ConnectionTimeout,
    GimbalError,
    LinkClosed,
    LinkError,
    OffboardError,
    SetpointError,
)
from dronecine.flight.link_types import (
    FlightMode,
    LinkOptions,
    Setpoint,
    VehicleInfo,
)
from dronecine.flight.link_url import parse_link_url
from dronecine.flight.mavlink_common import enum_name, setpoint_fields
from dronecine.flight.offboard_control import OffboardControl
from dronecine.flight.pymavlink_commands import CommandClient, ParamClient
from dronecine.flight.pymavlink_io import MavlinkIo, mavlink
from dronecine.flight.pymavlink_telemetry import PX4_MODE_CODES, TelemetryHub
from dronecine.flight.setpoint_stream import SetpointStreamer
from dronecine.flight.telemetry_hub import TelemetryStreams

logger = logging.getLogger(__name__)

# Velocity and yaw rate only: ignore position, acceleration and yaw.
_MODE_CONFIRM_S = 2.0
_READY_POLL_S = 0.1


class PymavlinkLink(TelemetryStreams, OffboardControl):
    """The pymavlink implementation of ``dronecine.flight.link.FlightLink``."""

    def __init__(self, options: LinkOptions | None = None) -> None:
        self.options = options or LinkOptions()
        self.telemetry = TelemetryHub()
        self._io: MavlinkIo | None = None
        self._commands = CommandClient(self._send, self.options.command_timeout_s, self.options.command_attempts)
        self._params = ParamClient(self._send, self.options.command_timeout_s, self.options.command_attempts)
        self._streamer = SetpointStreamer(
            self._send_setpoint,
            self.options.setpoint_rate_hz,
            self.options.setpoint_timeout_s,
            self.options.setpoint_release_s,
            name="offboard",
        )
        self._target: tuple[int, int] | None = None
        self._info: asyncio.Future[VehicleInfo] | None = None
        self._last_heartbeat_s = -math.inf
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    # --- connection ----------------------------------------------------------------------------

    @property
    def local_port(self) -> int | None:
        """The local UDP port (after ``connect``; useful with ``udpin://HOST:0``)."""
        return self._io.local_port if self._io else None

    async def open(self, url: str) -> None:
        """Open ``url`` and start listening, without waiting for the autopilot (``connect`` waits)."""
        if self._io is not None:
            raise LinkError(f"link already open on {self._io.url}")
        if self._closed:
            raise LinkClosed("the link was closed; make a new one")
        parsed = parse_link_url(url)
        loop = asyncio.get_running_loop()
        self._info = loop.create_future()
        self._io = MavlinkIo(parsed, self.options.source_system, self.options.source_component)
        self._io.start(loop, self._on_message)
        self._tasks = [
            loop.create_task(self._heartbeat_loop(), name="link-heartbeat"),
            loop.create_task(self._watch_connection(), name="link-watchdog"),
        ]

    async def connect(self, url: str, timeout_s: float = 10.0) -> VehicleInfo:
        await self.open(url)
        assert self._info is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._info), timeout_s)
        except TimeoutError:
            raise ConnectionTimeout(
                f"no PX4 autopilot HEARTBEAT on {url} within {timeout_s:g} s", timeout_s, ("heartbeat",)
            ) from None

    async def wait_ready(self, timeout_s: float = 30.0) -> None:
        self._require_open()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        asked_home = False
        while True:
            missing = self.telemetry.missing()
            if not missing:
                return
            if "home position" in missing and not asked_home and self._target is not None:
                asked_home = True  # PX4 sends HOME_POSITION on change; ask once rather than wait for it
                self._tasks.append(loop.create_task(self._request_home(), name="link-request-home"))
            if loop.time() >= deadline:
                raise ConnectionTimeout(
                    f"autopilot not ready after {timeout_s:g} s: missing {', '.join(missing)}", timeout_s, missing
                )
            await asyncio.sleep(_READY_POLL_S)

    async def _request_home(self) -> None:
        with contextlib.suppress(LinkError):
            await self._commands.send(mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_HOME_POSITION)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._streamer.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._io is not None:
            await self._io.close()
        for broadcast in self.telemetry.all():
            broadcast.close()

    async def __aenter__(self) -> PymavlinkLink:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- commands ------------------------------------------------------------------------------

    async def arm(self) -> None:
        await self._command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)

    async def disarm(self) -> None:
        await self._command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0)

    async def takeoff(self, height_m: float) -> None:
        if not (isinstance(height_m, int | float) and math.isfinite(height_m) and height_m > 0.0):
            raise SetpointError(f"take-off height {height_m!r} must be a finite number > 0 m")
        home = self.telemetry.home.latest
        if home is None:
            raise LinkError("take-off needs the home position (call wait_ready first)")
        # PX4 reads param7 as an altitude above mean sea level.
        nan = math.nan
        await self._command(mavlink.MAV_CMD_NAV_TAKEOFF, nan, 0, 0, nan, nan, nan, home.altitude_amsl_m + height_m)

    async def hold(self) -> None:
        await self._set_mode(FlightMode.HOLD)
        await self._streamer.stop()

    async def land(self) -> None:
        await self._command(mavlink.MAV_CMD_NAV_LAND, 0, 0, 0, math.nan, math.nan, math.nan, math.nan)
        await self._streamer.stop()

    async def return_to_launch(self) -> None:
        await self._command(mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH)
        await self._streamer.stop()

    async def get_param(self, name: str) -> float:
        self._commands_ready()
        return await self._params.get(name)

    async def set_param(self, name: str, value: float) -> None:
        self._commands_ready()
        await self._params.set(name, value)

    # --- offboard ------------------------------------------------------------------------------

    async def _switch_to_offboard(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.offboard_switch_timeout_s
        while True:
            try:
                await self._set_mode(FlightMode.OFFBOARD)
                return
            except CommandDenied as exc:
                if exc.result != "MAV_RESULT_TEMPORARILY_REJECTED" or loop.time() >= deadline:
                    await self._streamer.stop()
                    raise OffboardError(f"the autopilot refused OFFBOARD: {exc.result}") from exc
            except LinkError as exc:  # CommandTimeout, or the link closed under us
                await self._streamer.stop()
                raise OffboardError(f"could not switch to OFFBOARD: {exc}") from exc
            await asyncio.sleep(0.25)

    def _send_setpoint(self, setpoint: Setpoint) -> None:
        """The streamer's send, on its thread: nothing here may touch the event loop."""
        io, target = self._io, self._target
        if io is None or target is None:
            return
        io.send(mavlink.MAVLink_set_position_target_local_ned_message(**setpoint_fields(setpoint, target)))

    # --- gimbal --------------------------------------------------------------------------------

    async def take_gimbal_control(self) -> None:
        o = self.options
        await self._gimbal_command(
            mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE, o.source_system, o.source_component, -1, -1, 0, 0, 0
        )

    async def release_gimbal_control(self) -> None:
        await self._gimbal_command(mavlink.MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE, -3, -3, -1, -1, 0, 0, 0)

    async def set_gimbal_angles(self, pitch_deg: float, yaw_deg: float) -> None:
        if not (math.isfinite(pitch_deg) and math.isfinite(yaw_deg)):
            raise SetpointError(f"gimbal angles ({pitch_deg!r}, {yaw_deg!r}) must be finite degrees")
        flags = mavlink.GIMBAL_MANAGER_FLAGS_YAW_IN_VEHICLE_FRAME
        await self._gimbal_command(
            mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, pitch_deg, yaw_deg, math.nan, math.nan, flags, 0, 0
        )

    async def set_gimbal_rates(self, pitch_rate_deg_s: float, yaw_rate_deg_s: float) -> None:
        if not (math.isfinite(pitch_rate_deg_s) and math.isfinite(yaw_rate_deg_s)):
            raise SetpointError(f"gimbal rates ({pitch_rate_deg_s!r}, {yaw_rate_deg_s!r}) must be finite deg/s")
        self._commands_ready()
        assert self._target is not None
        self._send(
            mavlink.MAVLink_gimbal_manager_set_pitchyaw_message(
                *self._target,
                mavlink.GIMBAL_MANAGER_FLAGS_YAW_IN_VEHICLE_FRAME,
                0,
                math.nan,
                math.nan,
                math.radians(pitch_rate_deg_s),
                math.radians(yaw_rate_deg_s),
            )
        )

    async def _gimbal_command(self, command: int, *params: float) -> None:
        try:
            await self._command(command, *params)
        except (CommandDenied, CommandTimeout) as exc:
            raise GimbalError(f"gimbal manager: {exc}") from exc

    # --- internals -----------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self._closed or self._io is None:
            raise LinkClosed("the link is not connected (call connect first)" if not self._closed else "link closed")

    def _commands_ready(self) -> None:
        self._require_open()
        if self._target is None:
            raise LinkError("no autopilot heard yet (connect waits for its HEARTBEAT)")

    def _send(self, msg) -> None:
        if self._io is None:
            raise LinkClosed("the link is not connected")
        self._io.send(msg)

    async def _command(self, command: int, *params: float) -> None:
        self._commands_ready()
        await self._commands.send(command, *params)

    async def _set_mode(self, mode: FlightMode) -> None:
        main, sub = PX4_MODE_CODES[mode]
        await self._command(mavlink.MAV_CMD_DO_SET_MODE, mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, main, sub)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _MODE_CONFIRM_S
        while self.telemetry.flight_mode.latest is not mode and loop.time() < deadline:
            await asyncio.sleep(0.02)  # the heartbeat that shows the new mode is at most 1 s away

    def _on_message(self, msg) -> None:
        if self._closed:
            return
        kind = msg.get_type()
        source = (msg.get_srcSystem(), msg.get_srcComponent())
        if kind == "HEARTBEAT":
            self._on_heartbeat(msg, source)
            return
        if self._target is None or source[0] != self._target[0]:
            return
        if kind == "COMMAND_ACK":
            o = self.options
            if msg.target_system in (0, o.source_system) and msg.target_component in (0, o.source_component):
                self._commands.on_ack(msg)
        elif kind == "PARAM_VALUE":
            self._params.on_param_value(msg)
        elif kind == "STATUSTEXT":
            logger.info("autopilot %d: %s", source[0], msg.text)
        else:
            self.telemetry.on_message(msg)

    def _on_heartbeat(self, msg, source: tuple[int, int]) -> None:
        if msg.autopilot == mavlink.MAV_AUTOPILOT_INVALID:
            return  # a GCS or another companion computer
        if self._target is None:
            self._target = source
            self._commands.target = source
            self._params.target = source
            info = VehicleInfo(
                source[0], source[1], enum_name("MAV_AUTOPILOT", msg.autopilot), enum_name("MAV_TYPE", msg.type)
            )
            if self._info is not None and not self._info.done():
                self._info.set_result(info)
        if source != self._target:
            return
        self._last_heartbeat_s = asyncio.get_running_loop().time()
        if self.telemetry.connection.latest is not True:
            if self.telemetry.connection.latest is False:
                logger.warning("autopilot %d: heartbeats are back", source[0])
            self.telemetry.connection.publish(True)
        self.telemetry.on_heartbeat(msg)

    async def _heartbeat_loop(self) -> None:
        msg = mavlink.MAVLink_heartbeat_message(
            mavlink.MAV_TYPE_ONBOARD_CONTROLLER, mavlink.MAV_AUTOPILOT_INVALID, 0, 0, mavlink.MAV_STATE_ACTIVE, 3
        )
        while True:
            try:
                self._send(msg)
            except OSError as exc:
                logger.debug("heartbeat not sent: %s", exc)
            await asyncio.sleep(1.0)

    async def _watch_connection(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0.1)
            silent_s = loop.time() - self._last_heartbeat_s
            if self.telemetry.connection.latest and silent_s > self.options.heartbeat_timeout_s:
                logger.warning("autopilot: no heartbeat for %.1f s, link lost", silent_s)
                self.telemetry.connection.publish(False)
