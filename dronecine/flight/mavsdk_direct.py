"""What the MAVSDK link does through MAVSDK's ``mavlink_direct`` plugin, and why there.

- **Setpoints.** MAVSDK's offboard plugin resends the last setpoint at its own 20 Hz from its own
  thread until ``stop()`` (``OffboardImpl::add_call_every``, ``SEND_INTERVAL_S`` 0.05; measured: one
  ``set_velocity_body`` gave the vehicle 22 setpoints in the next second). That breaks two of our
  contracts: the stream rate is ours (``SetpointStreamer``: 20..200 Hz on a monotonic schedule, and
  MAVSDK's extra sends in between would double the vehicle's count and wreck the period jitter),
  and a silent agent must get a hold, then lose the stream so that PX4's offboard-loss failsafe
  fires (our watchdog) — MAVSDK's thread would keep flying the stale velocity instead. Its API
  also has no NED velocity with a yaw *rate* (``VelocityNedYaw`` takes a yaw angle). So the link sends
  SET_POSITION_TARGET_LOCAL_NED itself, exactly as the pymavlink link does, and never creates the
  offboard plugin.
- **The switch to OFFBOARD** goes as MAV_CMD_DO_SET_MODE through ``send_command`` (MAVSDK's own
  command sender: retries, IN_PROGRESS) because ``Offboard.start()`` refuses without a setpoint set
  through the offboard plugin (which would start its resender).
- **What the autopilot answered.** MAVSDK's Action and Gimbal results fold MAV_RESULT_DENIED and
  MAV_RESULT_TEMPORARILY_REJECTED into one COMMAND_DENIED (or ERROR); ``AckLog`` keeps every
  COMMAND_ACK addressed to us, so an error can name the MAV_RESULT PX4 actually sent.
- **Heartbeats**, for ``connection_stream`` with our own ``heartbeat_timeout_s`` (MAVSDK's is a
  fixed 3 s) and the vehicle's MAV_TYPE (MAVSDK only says "multicopter").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from mavsdk.plugins.mavlink_direct import MavlinkMessage
from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.link_types import Setpoint
from dronecine.flight.mavlink_common import setpoint_fields

logger = logging.getLogger(__name__)

_ACK_KEEP_S = 10.0


def setpoint_message(setpoint: Setpoint, target: tuple[int, int]) -> MavlinkMessage:
    """SET_POSITION_TARGET_LOCAL_NED for a velocity setpoint with a yaw rate, as mavlink_direct sends it."""
    fields = setpoint_fields(setpoint, target)
    return MavlinkMessage("SET_POSITION_TARGET_LOCAL_NED", 0, 0, target[0], target[1], json.dumps(fields))


def command_long(command: int, target: tuple[int, int], *params: float) -> MavlinkMessage:
    """COMMAND_LONG for ``send_command`` (unused params 0, as PX4 reads them)."""
    values = [float(p) for p in params] + [0.0] * (7 - len(params))
    fields = {"target_system": target[0], "target_component": target[1], "command": command, "confirmation": 0}
    fields.update({f"param{i + 1}": value for i, value in enumerate(values)})
    return MavlinkMessage("COMMAND_LONG", 0, 0, target[0], target[1], json.dumps(fields))


def ack_result(fields_json: str) -> int:
    """The MAV_RESULT of a COMMAND_ACK given as mavlink_direct's JSON."""
    return int(json.loads(fields_json)["result"])


@dataclass(frozen=True)
class Heartbeat:
    system_id: int
    component_id: int
    autopilot: int  # MAV_AUTOPILOT
    vehicle_type: int  # MAV_TYPE
    t_s: float


def heartbeat_of(message: MavlinkMessage, t_s: float) -> Heartbeat | None:
    """The HEARTBEAT ``message`` (arrived at ``t_s``) if it comes from an autopilot, not a GCS or companion."""
    fields = json.loads(message.fields_json)
    if fields.get("autopilot", mavlink.MAV_AUTOPILOT_INVALID) == mavlink.MAV_AUTOPILOT_INVALID:
        return None
    return Heartbeat(message.system_id, message.component_id, fields["autopilot"], fields["type"], t_s)


class AckLog:
    """The COMMAND_ACKs addressed to us, by command, to name what the autopilot answered."""

    def __init__(self, own: tuple[int, int]) -> None:
        self._own = own
        self._acks: dict[int, list[tuple[float, int]]] = {}
        self._arrived = asyncio.Event()

    def on_ack(self, message: MavlinkMessage) -> None:
        """Called on the event loop with each COMMAND_ACK the system sent."""
        fields = json.loads(message.fields_json)
        if fields.get("target_system", 0) not in (0, self._own[0]):
            return
        now = time.monotonic()
        kept = [(t, r) for t, r in self._acks.get(fields["command"], []) if now - t < _ACK_KEEP_S]
        kept.append((now, fields["result"]))
        self._acks[fields["command"]] = kept
        self._arrived.set()
        self._arrived = asyncio.Event()

    def latest(self, command: int, since_s: float) -> int | None:
        final = [r for t, r in self._acks.get(command, []) if t >= since_s and r != mavlink.MAV_RESULT_IN_PROGRESS]
        return final[-1] if final else None

    async def answer(self, command: int, since_s: float, wait_s: float = 0.3) -> int | None:
        """The last final MAV_RESULT for ``command`` since ``since_s``; waits ``wait_s`` for one in flight.

        MAVSDK hands its result and the raw ACK to us on different threads, so the ACK may trail.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while (result := self.latest(command, since_s)) is None and loop.time() < deadline:
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return result


def on_loop(
    loop: asyncio.AbstractEventLoop, handler: Callable[..., None], stamped: bool = False
) -> Callable[..., None]:
    """A MAVSDK callback (run on MAVSDK's thread) that hands its value to ``handler`` on ``loop``.

    ``stamped``: also pass the arrival time, taken on MAVSDK's thread (the loop may run late).
    """

    def callback(value: object, _user_data: object = None) -> None:
        args = (value, time.monotonic()) if stamped else (value,)
        try:
            loop.call_soon_threadsafe(handler, *args)
        except RuntimeError:  # the loop closed while MAVSDK was still delivering: nobody is listening
            logger.debug("MAVSDK callback after the event loop closed: dropped")

    return callback
