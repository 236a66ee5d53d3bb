"""The flight link: what the onboard agent needs from a PX4 autopilot, one protocol for both links.

Implementations: ``dronecine.flight.pymavlink_link.PymavlinkLink`` (pymavlink) and
``dronecine.flight.mavsdk_link.MavsdkLink`` (MAVSDK-Python 4.x). Both pass the same tests
(``tests/flight_link``).

The flow::

    link = PymavlinkLink()
    await link.connect("udpin://0.0.0.0:14540")       # URL forms: dronecine.flight.link_url
    await link.wait_ready(timeout_s=30)                # heartbeat, sensors, GPS fix, home, local position
    await link.arm()
    await link.takeoff(height_m=5.0)                   # accepted: PX4 climbs, then holds
    await link.start_offboard()                        # streams hold >= 1 s, then switches to OFFBOARD
    await link.set_velocity_body(VelocityBodySetpoint(forward_m_s=2.0, yaw_rate_deg_s=10.0))
    ...                                                # set a new setpoint every agent step
    await link.take_gimbal_control()
    await link.set_gimbal_angles(pitch_deg=-30.0, yaw_deg=0.0)
    await link.land()                                  # or hold(), return_to_launch()
    await link.close()

Setpoints are streamed by the link itself at ``rate_hz``, from its own thread (``SetpointStreamer``);
the caller only sets the latest. If the caller stops setting them for ``setpoint_timeout_s`` the
stream carries a hold (zero velocity) instead, so a stalled agent never leaves the drone flying its
last command; after ``setpoint_release_s`` of silence the stream stops and PX4's offboard-loss
failsafe takes over.

Telemetry: each ``*_stream()`` method returns an async iterator that yields the latest known value
first, then every update (a slow consumer loses old values, never blocks the link)::

    async for position in link.position_stream():
        ...

Errors are ``dronecine.flight.errors.LinkError`` subclasses: ``LinkUrlError``, ``ConnectionTimeout``
(with ``missing``), ``CommandDenied`` (with ``command`` and the MAV_RESULT name), ``CommandTimeout``,
``OffboardError``, ``GimbalError``, ``ParamError``, ``LinkClosed``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from dronecine.flight.link_types import (
    Attitude,
    Battery,
    FlightMode,
    GimbalAttitude,
    GpsInfo,
    HomePosition,
    LandedState,
    PositionNed,
    Setpoint,
    StreamStats,
    VehicleInfo,
    VelocityBodySetpoint,
    VelocityNed,
    VelocityNedSetpoint,
)


@runtime_checkable
class FlightLink(Protocol):
    """One autopilot over MAVLink. All methods run on the caller's asyncio event loop."""

    async def connect(self, url: str, timeout_s: float = 10.0) -> VehicleInfo:
        """Open ``url`` and wait for the autopilot's first HEARTBEAT (``ConnectionTimeout`` if none)."""
        ...

    async def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Wait until the autopilot is healthy (sensors, 3-D GPS fix, local position) and home is set.

        ``ConnectionTimeout`` names what was still missing at the timeout.
        """
        ...

    async def arm(self) -> None: ...

    async def disarm(self) -> None: ...

    async def takeoff(self, height_m: float) -> None:
        """Command a take-off to ``height_m`` above home; returns when the autopilot accepted it."""
        ...

    async def start_offboard(self, initial: Setpoint | None = None) -> None:
        """Stream ``initial`` (default: hold) for the prestream time, switch to OFFBOARD, keep streaming.

        ``OffboardError`` (its cause the autopilot's answer) if the autopilot does not switch.
        """
        ...

    async def stop_offboard(self) -> None:
        """Switch to hold and stop streaming setpoints."""
        ...

    async def set_velocity_body(self, setpoint: VelocityBodySetpoint) -> None:
        """The setpoint the stream sends from now on (body frame: forward, right, down)."""
        ...

    async def set_velocity_ned(self, setpoint: VelocityNedSetpoint) -> None:
        """The setpoint the stream sends from now on (local NED)."""
        ...

    def stream_stats(self) -> StreamStats:
        """What the setpoint streamer has done so far."""
        ...

    async def take_gimbal_control(self) -> None:
        """Become the gimbal manager's primary controller (MAV_CMD_DO_GIMBAL_MANAGER_CONFIGURE)."""
        ...

    async def release_gimbal_control(self) -> None: ...

    async def set_gimbal_angles(self, pitch_deg: float, yaw_deg: float) -> None:
        """Point the gimbal (pitch to the horizon, yaw to the nose); acknowledged, ``GimbalError`` if refused."""
        ...

    async def set_gimbal_rates(self, pitch_rate_deg_s: float, yaw_rate_deg_s: float) -> None:
        """Turn the gimbal at these rates (streamed, not acknowledged: send it every step)."""
        ...

    async def hold(self) -> None: ...

    async def land(self) -> None: ...

    async def return_to_launch(self) -> None: ...

    async def get_param(self, name: str) -> float:
        """A parameter's value (integers come back as whole floats)."""
        ...

    async def set_param(self, name: str, value: float) -> None:
        """Set a parameter (its type as the autopilot declares it); ``ParamError`` if refused."""
        ...

    def position_stream(self) -> AsyncIterator[PositionNed]: ...

    def velocity_stream(self) -> AsyncIterator[VelocityNed]: ...

    def attitude_stream(self) -> AsyncIterator[Attitude]: ...

    def battery_stream(self) -> AsyncIterator[Battery]: ...

    def flight_mode_stream(self) -> AsyncIterator[FlightMode]: ...

    def armed_stream(self) -> AsyncIterator[bool]: ...

    def landed_state_stream(self) -> AsyncIterator[LandedState]: ...

    def gimbal_attitude_stream(self) -> AsyncIterator[GimbalAttitude]: ...

    def gps_stream(self) -> AsyncIterator[GpsInfo]: ...

    def home_stream(self) -> AsyncIterator[HomePosition]: ...

    def connection_stream(self) -> AsyncIterator[bool]:
        """True while the autopilot's heartbeats arrive, False once they stop (the link keeps listening)."""
        ...

    async def close(self) -> None:
        """Stop streaming, close the connection; telemetry iterators end. Idempotent."""
        ...
