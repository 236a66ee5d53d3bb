"""``FlightLink`` on MAVSDK-Python 4.x (the native binding: ``mavsdk.Mavsdk``, plugins over ctypes).

``MavsdkLink(LinkOptions(...))`` then ``await link.connect(url)``. One ``Mavsdk`` instance per link,
configured with the link's own MAVLink ids (``source_system`` / ``source_component``; MAVSDK sends
its HEARTBEAT at 1 Hz). What goes through which plugin:

- Action: arm, disarm, take-off (MIS_TAKEOFF_ALT written through Param, then
  MAV_CMD_NAV_TAKEOFF), land, return, hold. Param: parameters. Telemetry and Gimbal (attitude): the
  telemetry streams (``mavsdk_telemetry.py``). Gimbal: take and release control, angles
  (MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, acknowledged), rates (GIMBAL_MANAGER_SET_ATTITUDE, streamed).
- mavlink_direct: the setpoint stream, the switch to OFFBOARD, the raw COMMAND_ACKs and heartbeats;
  ``mavsdk_direct.py`` says why MAVSDK's offboard plugin is not used.

MAVSDK's blocking calls run on a small thread pool of the link's own, never on the event loop; the
setpoint and gimbal-rate sends are non-blocking and run on the loop. MAVSDK retries a command itself
(4 sends, 0.5 s apart); a timed-out MAVSDK call is repeated ``ceil(command_attempts / 2)`` times
(``_calls`` says why twice the sends). ``command_timeout_s`` does not apply (MAVSDK-Python does not
expose its timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from mavsdk import Configuration, Mavsdk, System
from mavsdk.exceptions import MavsdkError
from mavsdk.plugins.action import Action, ActionError, ActionResult
from mavsdk.plugins.gimbal import Gimbal
from mavsdk.plugins.mavlink_direct import MavlinkDirect, MavlinkDirectError
from mavsdk.plugins.telemetry import Telemetry
from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.errors import (
    CommandDenied,
    CommandTimeout,
    ConnectionTimeout,
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
from dronecine.flight.link_url import LinkScheme, LinkUrl, parse_link_url
from dronecine.flight.mavlink_common import enum_name
from dronecine.flight.mavsdk_direct import (
    AckLog,
    ack_result,
    command_long,
    heartbeat_of,
    on_loop,
    setpoint_message,
)
from dronecine.flight.mavsdk_gimbal import MavsdkGimbal
from dronecine.flight.mavsdk_params import MavsdkParams
from dronecine.flight.mavsdk_telemetry import MavsdkTelemetry
from dronecine.flight.offboard_control import OffboardControl
from dronecine.flight.setpoint_stream import SetpointStreamer
from dronecine.flight.telemetry_hub import TelemetryStreams

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAVSDK_SENDS_PER_CALL = 4  # MavlinkCommandSender: the first send and 3 retries, 0.5 s apart
_MAVSDK_COMMAND_TIMEOUT_S = 0.5
_MODE_CONFIRM_S = 2.0
_READY_POLL_S = 0.1
_PX4_OFFBOARD = (mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 6, 0)  # base mode, PX4 main mode, sub mode
# What MAVSDK's result means in MAV_RESULT terms when no COMMAND_ACK was seen to say it exactly.
_FALLBACK_RESULTS = {
    ActionResult.COMMAND_DENIED: "MAV_RESULT_DENIED",
    ActionResult.COMMAND_DENIED_NOT_LANDED: "MAV_RESULT_DENIED",
    ActionResult.COMMAND_DENIED_LANDED_STATE_UNKNOWN: "MAV_RESULT_DENIED",
    ActionResult.UNSUPPORTED: "MAV_RESULT_UNSUPPORTED",
    ActionResult.FAILED: "MAV_RESULT_FAILED",
    ActionResult.BUSY: "MAV_RESULT_TEMPORARILY_REJECTED",
}


def mavsdk_url(url: LinkUrl) -> str:
    """Our URL in MAVSDK's connection-URL form (MAVSDK 2+ spells UDP ``udpin://`` / ``udpout://``)."""
    if url.scheme is LinkScheme.SERIAL:
        return f"serial://{url.device}:{url.baud}"
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{url.scheme.value}://{host}:{url.port}"


class MavsdkLink(TelemetryStreams, OffboardControl):
    """The MAVSDK-Python implementation of ``dronecine.flight.link.FlightLink``."""

    def __init__(self, options: LinkOptions | None = None) -> None:
        self.options = options or LinkOptions()
        self.telemetry = MavsdkTelemetry()
        self._own = (self.options.source_system, self.options.source_component)
        self._acks = AckLog(self._own)
        self._streamer = SetpointStreamer(
            self._send_setpoint,
            self.options.setpoint_rate_hz,
            self.options.setpoint_timeout_s,
            self.options.setpoint_release_s,
            name="offboard",
        )
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mavsdk-link")
        self._config: Configuration | None = None
        self._mavsdk: Mavsdk | None = None
        self._system: System | None = None
        self._action: Action | None = None
        self._gimbal: MavsdkGimbal | None = None
        self._direct: MavlinkDirect | None = None
        self._telemetry_plugin: Telemetry | None = None
        self._params: MavsdkParams | None = None
        self._target: tuple[int, int] | None = None
        self._heartbeat: asyncio.Future | None = None
        self._last_heartbeat_s = -math.inf
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    # --- connection ----------------------------------------------------------------------------

    async def connect(self, url: str, timeout_s: float = 10.0) -> VehicleInfo:
        if self._mavsdk is not None:
            raise LinkError("link already connected")
        if self._closed:
            raise LinkClosed("the link was closed; make a new one")
        parsed = parse_link_url(url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        self._config = Configuration.create_manual(*self._own, True)  # always send our HEARTBEAT
        self._mavsdk = Mavsdk(self._config)
        try:
            await self._blocking(self._mavsdk.add_any_connection_with_handle, mavsdk_url(parsed))
        except MavsdkError as exc:
            raise LinkError(f"cannot open {parsed} (MAVSDK {mavsdk_url(parsed)}): {exc}") from exc
        system = await self._first_autopilot(max(0.0, deadline - loop.time()))
        if system is None:
            raise ConnectionTimeout(
                f"no PX4 autopilot HEARTBEAT on {url} within {timeout_s:g} s", timeout_s, ("heartbeat",)
            )
        self._attach(loop, system)
        try:  # the heartbeat we asked for, to learn the autopilot's MAV_TYPE
            beat = await asyncio.wait_for(asyncio.shield(self._heartbeat), max(0.1, deadline - loop.time()))
        except TimeoutError:
            raise ConnectionTimeout(
                f"autopilot on {url} went silent right after its first HEARTBEAT", timeout_s, ("heartbeat",)
            ) from None
        return VehicleInfo(
            beat.system_id, beat.component_id, enum_name("MAV_AUTOPILOT", beat.autopilot),
            enum_name("MAV_TYPE", beat.vehicle_type),
        )  # fmt: skip

    async def _first_autopilot(self, timeout_s: float) -> System | None:
        assert self._mavsdk is not None
        loop = asyncio.get_running_loop()
        found: asyncio.Future[System | None] = loop.create_future()

        def on_result(system: System | None) -> None:
            loop.call_soon_threadsafe(lambda: found.done() or found.set_result(system))

        handle = self._mavsdk.first_autopilot_async(timeout_s, on_result)
        try:
            return await found
        finally:
            self._mavsdk.cancel_first_autopilot(handle)

    def _attach(self, loop: asyncio.AbstractEventLoop, system: System) -> None:
        self._system = system
        self._target = (system.get_system_id(), mavlink.MAV_COMP_ID_AUTOPILOT1)
        self._action = Action(system)
        # Created now: the plugin discovers the gimbal manager while wait_ready waits.
        self._gimbal = MavsdkGimbal(Gimbal(system), self._blocking, self._acks)
        self._direct = MavlinkDirect(system)
        self._params = MavsdkParams(system, self._blocking, self.options.command_attempts)
        self._heartbeat = loop.create_future()
        self._direct.subscribe_message("HEARTBEAT", on_loop(loop, self._on_heartbeat, stamped=True))
        self._direct.subscribe_message("COMMAND_ACK", on_loop(loop, self._acks.on_ack))
        # Plugins must outlive their subscriptions: a collected plugin unsubscribes (keep a reference).
        self._telemetry_plugin = Telemetry(system)
        self.telemetry.attach(loop, self._telemetry_plugin, self._gimbal.plugin)
        self._tasks = [loop.create_task(self._watch_connection(), name="mavsdk-link-watchdog")]
        # MAVSDK saw the autopilot's first HEARTBEAT before we subscribed, and health comes with
        # SYS_STATUS at 1 Hz: ask for both now rather than wait up to a second for each.
        self._request(mavlink.MAVLINK_MSG_ID_SYS_STATUS)  # first: MAVSDK publishes health on heartbeats
        self._request(mavlink.MAVLINK_MSG_ID_HEARTBEAT)

    def _request(self, msg_id: int) -> None:
        """MAV_CMD_REQUEST_MESSAGE, in the background (the message itself is what we wait for)."""
        assert self._direct is not None and self._target is not None
        message = command_long(mavlink.MAV_CMD_REQUEST_MESSAGE, self._target, msg_id)
        self._direct.send_command_async(message, lambda *_: None)

    async def wait_ready(self, timeout_s: float = 30.0) -> None:
        self._commands_ready()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        asked_home = False
        while missing := self.telemetry.missing():
            logger.debug("waiting for %s", missing)
            if "home position" in missing and not asked_home:
                asked_home = True  # PX4 sends HOME_POSITION on change; ask once rather than wait for it
                self._request(mavlink.MAVLINK_MSG_ID_HOME_POSITION)
            if loop.time() >= deadline:
                raise ConnectionTimeout(
                    f"autopilot not ready after {timeout_s:g} s: missing {', '.join(missing)}", timeout_s, missing
                )
            await asyncio.sleep(_READY_POLL_S)

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
        if self._mavsdk is not None:
            # destroy() joins MAVSDK's threads (and stops its heartbeat): not on the loop.
            await asyncio.get_running_loop().run_in_executor(self._pool, self._mavsdk.destroy)
        self._pool.shutdown(wait=False, cancel_futures=True)
        for broadcast in self.telemetry.all():
            broadcast.close()

    async def __aenter__(self) -> MavsdkLink:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- commands ------------------------------------------------------------------------------

    async def arm(self) -> None:
        await self._action_call(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, lambda a: a.arm())

    async def disarm(self) -> None:
        await self._action_call(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, lambda a: a.disarm())

    async def takeoff(self, height_m: float) -> None:
        if not (isinstance(height_m, int | float) and math.isfinite(height_m) and height_m > 0.0):
            raise SetpointError(f"take-off height {height_m!r} must be a finite number > 0 m")
        # MAVSDK's take-off sends no altitude: PX4 climbs to MIS_TAKEOFF_ALT (above home), set first,
        # through our Param wrapper rather than Action.set_takeoff_altitude: it retries a lost
        # exchange (``command_attempts``), where MAVSDK's one try failed a lossy link 1 time in 20.
        await self._params_ready().set("MIS_TAKEOFF_ALT", float(height_m))
        await self._action_call(mavlink.MAV_CMD_NAV_TAKEOFF, lambda a: a.takeoff())

    async def hold(self) -> None:
        await self._action_call(mavlink.MAV_CMD_DO_SET_MODE, lambda a: a.hold())
        await self._confirm_mode(FlightMode.HOLD)
        await self._streamer.stop()

    async def land(self) -> None:
        await self._action_call(mavlink.MAV_CMD_NAV_LAND, lambda a: a.land())
        await self._streamer.stop()

    async def return_to_launch(self) -> None:
        await self._action_call(mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH, lambda a: a.return_to_launch())
        await self._streamer.stop()

    async def get_param(self, name: str) -> float:
        return await self._params_ready().get(name)

    async def set_param(self, name: str, value: float) -> None:
        await self._params_ready().set(name, value)

    def _params_ready(self) -> MavsdkParams:
        self._commands_ready()
        assert self._params is not None
        return self._params

    # --- offboard ------------------------------------------------------------------------------

    async def _switch_to_offboard(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.offboard_switch_timeout_s
        while True:
            try:
                await self._direct_command(mavlink.MAV_CMD_DO_SET_MODE, *_PX4_OFFBOARD)
                await self._confirm_mode(FlightMode.OFFBOARD)
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
        """The streamer's send, on its thread: MAVSDK's core is thread-safe; the event loop is not touched."""
        direct, target = self._direct, self._target
        if direct is None or target is None or self._closed:
            return
        try:
            direct.send_message(setpoint_message(setpoint, target))
        except MavlinkDirectError as exc:  # the streamer logs a failed send as an OSError and carries on
            raise OSError(f"MAVSDK did not send the setpoint: {exc}") from exc

    # --- gimbal --------------------------------------------------------------------------------

    async def take_gimbal_control(self) -> None:
        await self._gimbal_ready().take_control()

    async def release_gimbal_control(self) -> None:
        await self._gimbal_ready().release_control()

    async def set_gimbal_angles(self, pitch_deg: float, yaw_deg: float) -> None:
        await self._gimbal_ready().set_angles(pitch_deg, yaw_deg)

    async def set_gimbal_rates(self, pitch_rate_deg_s: float, yaw_rate_deg_s: float) -> None:
        await self._gimbal_ready().set_rates(pitch_rate_deg_s, yaw_rate_deg_s)

    def _gimbal_ready(self) -> MavsdkGimbal:
        self._commands_ready()
        assert self._gimbal is not None
        return self._gimbal

    # --- internals -----------------------------------------------------------------------------

    def _commands_ready(self) -> None:
        if self._closed:
            raise LinkClosed("link closed")
        if self._system is None:
            raise LinkClosed("the link is not connected (call connect first)")

    def _calls(self) -> int:
        """How often to repeat a MAVSDK command call that timed out.

        Each call is MAVSDK_SENDS_PER_CALL sends; the link makes twice the sends ``command_attempts``
        asks of the pymavlink link because MAVSDK's stream parser loses more: corrupted bytes that look
        like a frame start swallow the datagrams after them (measured with the garbage relay: about
        half the ACKs lost where pymavlink's robust parser loses few).
        """
        return max(1, math.ceil(2 * self.options.command_attempts / MAVSDK_SENDS_PER_CALL))

    async def _blocking(self, call: Callable[..., T], *args: object) -> T:
        """A blocking MAVSDK call on the link's thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, call, *args)

    async def _action_call(self, command: int, call: Callable[[Action], object]) -> None:
        """An Action call; its failure as our error, naming the MAV_RESULT from the autopilot's ACK."""
        self._commands_ready()
        assert self._action is not None
        action = self._action
        name = enum_name("MAV_CMD", command)
        calls = self._calls()
        for attempt in range(calls):
            since = time.monotonic()
            try:
                await self._blocking(call, action)
                return
            except ActionError as exc:
                result = exc.result
                if result is ActionResult.TIMEOUT:
                    if attempt + 1 < calls:
                        continue
                    raise CommandTimeout(name, calls * MAVSDK_SENDS_PER_CALL, _MAVSDK_COMMAND_TIMEOUT_S) from exc
                if result in (ActionResult.NO_SYSTEM, ActionResult.CONNECTION_ERROR):
                    raise LinkError(f"{name}: MAVSDK {result.name} (autopilot not connected)") from exc
                answered = await self._acks.answer(command, since)
                if answered is None and result not in _FALLBACK_RESULTS:
                    raise LinkError(f"{name}: MAVSDK {result.name} ({exc.origin})") from exc
                answer = enum_name("MAV_RESULT", answered) if answered is not None else _FALLBACK_RESULTS[result]
                raise CommandDenied(name, answer, f"MAVSDK {result.name}") from exc

    async def _direct_command(self, command: int, *params: float) -> None:
        """COMMAND_LONG through mavlink_direct (MAVSDK's sender retries; the ACK comes back whole)."""
        self._commands_ready()
        assert self._direct is not None and self._target is not None
        direct, message = self._direct, command_long(command, self._target, *params)
        name = enum_name("MAV_CMD", command)
        calls = self._calls()
        for attempt in range(calls):
            try:
                ack = await self._blocking(direct.send_command, message)
            except MavlinkDirectError as exc:
                if attempt + 1 < calls:
                    continue
                raise CommandTimeout(name, calls * MAVSDK_SENDS_PER_CALL, _MAVSDK_COMMAND_TIMEOUT_S) from exc
            result = ack_result(ack.fields_json)
            if result != mavlink.MAV_RESULT_ACCEPTED:
                raise CommandDenied(name, enum_name("MAV_RESULT", result))
            return

    async def _confirm_mode(self, mode: FlightMode) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _MODE_CONFIRM_S
        while self.telemetry.flight_mode.latest is not mode and loop.time() < deadline:
            await asyncio.sleep(0.02)  # the heartbeat that shows the new mode is at most 1 s away

    def _on_heartbeat(self, message, arrived_s: float) -> None:
        if self._closed or self._target is None:
            return
        beat = heartbeat_of(message, arrived_s)
        if beat is None or (beat.system_id, beat.component_id) != self._target:
            return
        if self._heartbeat is not None and not self._heartbeat.done():
            self._heartbeat.set_result(beat)
        silent_s = beat.t_s - self._last_heartbeat_s
        self._last_heartbeat_s = beat.t_s
        if self.telemetry.connection.latest and silent_s > self.options.heartbeat_timeout_s:
            # A gap the watch did not see (the loop was blocked through it): report it all the same.
            logger.warning("autopilot: no heartbeat for %.1f s, link lost", silent_s)
            self.telemetry.connection.publish(False)
        if self.telemetry.connection.latest is False:
            logger.warning("autopilot %d: heartbeats are back", beat.system_id)
        self.telemetry.on_heartbeat()

    async def _watch_connection(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            silent_s = time.monotonic() - self._last_heartbeat_s
            if self.telemetry.connection.latest and silent_s > self.options.heartbeat_timeout_s:
                logger.warning("autopilot: no heartbeat for %.1f s, link lost", silent_s)
                self.telemetry.connection.publish(False)
