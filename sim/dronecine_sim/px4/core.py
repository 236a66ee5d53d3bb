"""The test vehicle's autopilot: arming, flight modes and their controllers, on the simulator's model.

``VehicleCore`` is what PX4's commander, navigator and position controller are to a client, with
no sockets: the endpoint (``vehicle.py``) turns MAVLink into calls here and telemetry out of its
state. It flies one drone of ``dronecine_sim.vehicle.VehicleModel`` (n = 1), which takes a velocity
setpoint and a yaw rate; every mode here is a controller that produces those:

- HOLD (AUTO.LOITER): a P loop to the position and heading where the mode began.
- TAKEOFF: climb at MPC_TKO_SPEED to the take-off height, then switch to HOLD there (as PX4 does).
- LAND: descend (MPC_Z_VEL_MAX_DN, MPC_LAND_SPEED below 5 m) holding position; disarm
  COM_DISARM_LAND after touching down.
- RETURN (AUTO.RTL): climb to max(RTL_RETURN_ALT, current height), fly home at MPC_XY_CRUISE, land.
- OFFBOARD: the latest velocity (or position) setpoint, clamped to MPC_XY_VEL_MAX and the climb and
  descent limits; the stream checks and the loss failsafe live in ``offboard.py``.

Time here is simulated time (``t_s``), advanced in fixed steps by the endpoint.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4.modes import Px4Mode
from dronecine_sim.px4.params import ParamStore
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParamArrays, VehicleParams, VehicleState

logger = logging.getLogger(__name__)

ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
REJECTED = mavlink.MAV_RESULT_TEMPORARILY_REJECTED
DENIED = mavlink.MAV_RESULT_DENIED

_POSITION_GAIN = 1.0  # 1/s: velocity demand per metre of position error
_YAW_GAIN = 2.0  # 1/s
_ON_GROUND_M = 0.15
_LAND_SLOW_BELOW_M = 5.0
_ARRIVED_M = 0.3


class Landed(enum.IntEnum):
    """MAV_LANDED_STATE values."""

    ON_GROUND = mavlink.MAV_LANDED_STATE_ON_GROUND
    IN_AIR = mavlink.MAV_LANDED_STATE_IN_AIR
    TAKEOFF = mavlink.MAV_LANDED_STATE_TAKEOFF
    LANDING = mavlink.MAV_LANDED_STATE_LANDING


class _RtlPhase(enum.Enum):
    CLIMB = "climb"
    RETURN = "return"
    LAND = "land"


@dataclass(frozen=True)
class OffboardTarget:
    """The latest offboard setpoint, in NED (body-frame velocities are turned into NED on arrival)."""

    velocity_ned_m_s: tuple[float, float, float] | None
    position_ned_m: tuple[float, float, float] | None
    yaw_rate_deg_s: float | None
    yaw_deg: float | None


@dataclass(frozen=True)
class Battery:
    """A battery that drains while armed: ``drain_pct_per_s`` of simulated time."""

    cells: int = 4
    drain_pct_per_s: float = 0.05
    current_armed_a: float = 15.0
    current_idle_a: float = 0.5


def wrap_deg(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


class VehicleCore:
    """One simulated PX4 multicopter. ``notify(text)`` receives what PX4 would send as STATUSTEXT."""

    def __init__(
        self,
        params: ParamStore,
        vehicle_params: VehicleParams,
        dt_s: float,
        seed: int = 0,
        start_ned_m: tuple[float, float, float] = (0.0, 0.0, 0.0),
        start_yaw_deg: float = 0.0,
        battery: Battery = Battery(),
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.params = params
        self.vehicle_params = vehicle_params
        self.model = VehicleModel(VehicleParamArrays.broadcast(vehicle_params, 1), dt_s)
        self.state = VehicleState.at_rest([list(start_ned_m)], start_yaw_deg)
        self.command = VehicleCommand.zeros(1)
        self.rng = np.random.default_rng(seed)
        self.battery = battery
        self._notify = notify or (lambda text: None)
        self.t_s = 0.0
        self.armed = False
        self.mode = Px4Mode.AUTO_LOITER
        self.home_ned_m: tuple[float, float, float] | None = None
        self.gps_fix = False
        self.battery_pct = 100.0
        self.landed = Landed.ON_GROUND
        self.offboard_target: OffboardTarget | None = None
        self.gimbal_rates_deg_s = (0.0, 0.0)  # set by the gimbal manager before each step
        self.failsafe_events: list[str] = []
        self._hold_target = (*start_ned_m, start_yaw_deg)
        self._takeoff_down_m = 0.0
        self._rtl_phase = _RtlPhase.CLIMB
        self._rtl_down_m = 0.0
        self._on_ground_since_s: float | None = 0.0
        self._has_flown = False

    # --- what the endpoint reads ----------------------------------------------------------------

    @property
    def position_ned_m(self) -> tuple[float, float, float]:
        p = self.state.position_ned_m[0]
        return float(p[0]), float(p[1]), float(p[2])

    @property
    def velocity_ned_m_s(self) -> tuple[float, float, float]:
        v = self.state.velocity_ned_m_s[0]
        return float(v[0]), float(v[1]), float(v[2])

    @property
    def yaw_deg(self) -> float:
        return float(self.state.yaw_deg[0])

    @property
    def height_above_home_m(self) -> float:
        home_down = self.home_ned_m[2] if self.home_ned_m else 0.0
        return home_down - self.position_ned_m[2]

    @property
    def ready(self) -> bool:
        """PX4's pre-arm condition as far as this vehicle models it: GPS fix, home, battery."""
        return self.gps_fix and self.home_ned_m is not None and self.battery_pct > 10.0

    def set_gps_fix(self) -> None:
        """The GPS has a fix and the estimator converged: home is where the vehicle stands."""
        if not self.gps_fix:
            self.gps_fix = True
            self.home_ned_m = self.position_ned_m
            self._notify("home set")

    # --- commands ----------------------------------------------------------------------------

    def arm(self) -> int:
        if self.armed:
            return ACCEPTED
        if not self.ready:
            self._notify("Arming denied: preflight checks failed (no GPS fix or home)")
            return REJECTED
        if self.mode.needs_rc:
            return REJECTED
        self.armed = True
        self._on_ground_since_s = self.t_s
        self._has_flown = False
        self.home_ned_m = self.position_ned_m  # PX4 resets home on arming
        self._enter(self.mode)
        self._notify("Armed by external command")
        return ACCEPTED

    def disarm(self, forced: bool = False) -> int:
        if not self.armed:
            return ACCEPTED
        if self.landed is not Landed.ON_GROUND and not forced:
            self._notify("Disarming denied: not landed")
            return REJECTED
        self._disarm("Disarmed by external command")
        return ACCEPTED

    def set_mode(self, mode: Px4Mode, offboard_available: bool) -> int:
        if mode.needs_rc:
            self._notify(f"Switching to {mode.name} denied: no manual control input")
            return REJECTED
        if mode is Px4Mode.OFFBOARD and not offboard_available:
            self._notify("Switching to Offboard denied: no offboard signal")
            return REJECTED
        if mode is not Px4Mode.AUTO_LOITER and not self.ready:
            return REJECTED
        if mode is Px4Mode.AUTO_MISSION:
            return REJECTED  # no mission uploaded (this vehicle has no mission protocol)
        self._enter(mode)
        return ACCEPTED

    def takeoff(self, height_above_home_m: float | None) -> int:
        if not self.ready:
            return REJECTED
        height = self.params.get("MIS_TAKEOFF_ALT") if height_above_home_m is None else height_above_home_m
        if not math.isfinite(height) or height <= 0.0:
            return DENIED
        home = self.home_ned_m or self.position_ned_m
        self._takeoff_down_m = home[2] - height
        self._enter(Px4Mode.AUTO_TAKEOFF)
        return ACCEPTED

    def failsafe(self, mode: Px4Mode | None, reason: str) -> None:
        """PX4's failsafe: switch to ``mode`` (``None``: disarm) and say why."""
        text = f"Failsafe activated: {reason}, {'disarming' if mode is None else mode.name}"
        self.failsafe_events.append(text)
        logger.warning("vehicle: %s", text)
        self._notify(text)
        if mode is None:
            self._disarm(text)
        else:
            self._enter(mode)

    # --- the step ----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one model step: controllers, dynamics, landing detection, battery."""
        velocity, yaw_rate = self._demand() if self.armed else ((0.0, 0.0, 0.0), 0.0)
        yaw = math.radians(self.yaw_deg)
        cmd = self.command
        cmd.velocity_frd_m_s[0, 0] = velocity[0] * math.cos(yaw) + velocity[1] * math.sin(yaw)
        cmd.velocity_frd_m_s[0, 1] = -velocity[0] * math.sin(yaw) + velocity[1] * math.cos(yaw)
        cmd.velocity_frd_m_s[0, 2] = velocity[2]
        cmd.yaw_rate_deg_s[0] = yaw_rate
        cmd.gimbal_pitch_rate_deg_s[0], cmd.gimbal_yaw_rate_deg_s[0] = self.gimbal_rates_deg_s
        self.model.step(self.state, cmd, self.rng)
        self.t_s += self.model.dt_s
        self._detect_landing()
        b = self.battery
        if self.armed:
            self.battery_pct = max(0.0, self.battery_pct - b.drain_pct_per_s * self.model.dt_s)

    def battery_voltage_v(self) -> float:
        return self.battery.cells * (3.5 + 0.7 * self.battery_pct / 100.0)

    def battery_current_a(self) -> float:
        return self.battery.current_armed_a if self.armed else self.battery.current_idle_a

    # --- internals -----------------------------------------------------------------------------

    def _enter(self, mode: Px4Mode) -> None:
        north, east, down = self.position_ned_m
        if mode is not self.mode:
            self._notify(f"mode {mode.name}")
        self.mode = mode
        self._hold_target = (north, east, down, self.yaw_deg)
        if mode is Px4Mode.AUTO_RTL:
            home = self.home_ned_m or (north, east, 0.0)
            self._rtl_phase = _RtlPhase.CLIMB
            self._rtl_down_m = min(down, home[2] - self.params.get("RTL_RETURN_ALT"))
        if mode is Px4Mode.AUTO_LOITER and self.landed is Landed.ON_GROUND:
            self._hold_target = (north, east, max(down, 0.0), self.yaw_deg)

    def _disarm(self, text: str) -> None:
        self.armed = False
        self.offboard_target = None
        self._notify(text)

    def _demand(self) -> tuple[tuple[float, float, float], float]:
        """The NED velocity and yaw rate the current mode asks for."""
        north, east, down = self.position_ned_m
        tn, te, td, tyaw = self._hold_target
        mode = self.mode
        if mode is Px4Mode.AUTO_TAKEOFF:
            if down <= self._takeoff_down_m + 0.1:  # reached: PX4 switches to hold there
                self.mode = Px4Mode.AUTO_LOITER
                self._hold_target = (north, east, self._takeoff_down_m, tyaw)
                self._notify("Takeoff complete, holding")
                return self._demand()
            climb = min(self.params.get("MPC_TKO_SPEED"), _POSITION_GAIN * (down - self._takeoff_down_m) + 0.2)
            return (*self._horizontal(tn - north, te - east), -climb), self._yaw_hold(tyaw)
        if mode is Px4Mode.AUTO_LAND:
            return (*self._horizontal(tn - north, te - east), self._descent_m_s()), self._yaw_hold(tyaw)
        if mode is Px4Mode.AUTO_RTL:
            return self._rtl_demand(north, east, down, tyaw)
        if mode is Px4Mode.OFFBOARD and self.offboard_target is not None:
            return self._offboard_demand(north, east, down)
        # HOLD, and anything without its own controller: hold where the mode began.
        if self.landed is Landed.ON_GROUND and not self._has_flown:
            return (0.0, 0.0, 0.0), 0.0
        return (*self._horizontal(tn - north, te - east), self._vertical(td - down)), self._yaw_hold(tyaw)

    def _rtl_demand(self, north: float, east: float, down: float, tyaw: float):
        home = self.home_ned_m or (0.0, 0.0, 0.0)
        tn, te, _, _ = self._hold_target
        if self._rtl_phase is _RtlPhase.CLIMB:
            if down > self._rtl_down_m + 0.2:
                return (*self._horizontal(tn - north, te - east), self._vertical(self._rtl_down_m - down)), (
                    self._yaw_hold(tyaw)
                )
            self._rtl_phase = _RtlPhase.RETURN
        if self._rtl_phase is _RtlPhase.RETURN:
            dn, de = home[0] - north, home[1] - east
            if math.hypot(dn, de) > _ARRIVED_M:
                cruise = self.params.get("MPC_XY_CRUISE")
                return (*self._horizontal(dn, de, cruise), self._vertical(self._rtl_down_m - down)), (
                    self._yaw_hold(tyaw)
                )
            self._rtl_phase = _RtlPhase.LAND
            self._notify("RTL: landing")
        return (*self._horizontal(home[0] - north, home[1] - east), self._descent_m_s()), self._yaw_hold(tyaw)

    def _offboard_demand(self, north: float, east: float, down: float):
        target = self.offboard_target
        if target is not None and target.position_ned_m is not None:
            pn, pe, pd = target.position_ned_m
            vn, ve = self._horizontal(pn - north, pe - east, self.params.get("MPC_XY_VEL_MAX"))
            vd = self._vertical(pd - down)
        else:
            vn, ve, vd = (target.velocity_ned_m_s if target else None) or (0.0, 0.0, 0.0)
        limit = self.params.get("MPC_XY_VEL_MAX")
        speed = math.hypot(vn, ve)
        if speed > limit:
            vn, ve = vn * limit / speed, ve * limit / speed
        vd = min(max(vd, -self.params.get("MPC_Z_VEL_MAX_UP")), self.params.get("MPC_Z_VEL_MAX_DN"))
        if target is not None and target.yaw_rate_deg_s is not None:
            yaw_rate = target.yaw_rate_deg_s
        elif target is not None and target.yaw_deg is not None:
            yaw_rate = self._yaw_hold(target.yaw_deg)
        else:
            yaw_rate = 0.0
        return (vn, ve, vd), yaw_rate

    def _horizontal(self, dn: float, de: float, speed_m_s: float | None = None) -> tuple[float, float]:
        """P-loop horizontal velocity toward an offset, limited to ``speed_m_s`` (default MPC_XY_CRUISE)."""
        limit = self.params.get("MPC_XY_CRUISE") if speed_m_s is None else speed_m_s
        vn, ve = _POSITION_GAIN * dn, _POSITION_GAIN * de
        speed = math.hypot(vn, ve)
        if speed > limit:
            vn, ve = vn * limit / speed, ve * limit / speed
        return vn, ve

    def _vertical(self, dd: float) -> float:
        """P-loop vertical velocity toward a down offset, within the climb and descent limits."""
        return min(max(_POSITION_GAIN * dd, -self.params.get("MPC_Z_VEL_MAX_UP")), self.params.get("MPC_Z_VEL_MAX_DN"))

    def _yaw_hold(self, target_deg: float) -> float:
        return _YAW_GAIN * wrap_deg(target_deg - self.yaw_deg)

    def _descent_m_s(self) -> float:
        fast = self.height_above_home_m > _LAND_SLOW_BELOW_M
        return self.params.get("MPC_Z_VEL_MAX_DN") if fast else self.params.get("MPC_LAND_SPEED")

    def _detect_landing(self) -> None:
        down = self.position_ned_m[2]
        vd = self.velocity_ned_m_s[2]
        on_ground = down > -_ON_GROUND_M and abs(vd) < 0.5
        landing = self.mode is Px4Mode.AUTO_LAND or (
            self.mode is Px4Mode.AUTO_RTL and self._rtl_phase is _RtlPhase.LAND
        )
        if not self.armed:
            self.landed = Landed.ON_GROUND if on_ground else Landed.IN_AIR
            self._on_ground_since_s = self.t_s if on_ground else None
            return
        if not on_ground:
            self._has_flown = True
            self._on_ground_since_s = None
            self.landed = (
                Landed.TAKEOFF if self.mode is Px4Mode.AUTO_TAKEOFF else (Landed.LANDING if landing else Landed.IN_AIR)
            )
            return
        if self.mode is Px4Mode.AUTO_TAKEOFF:
            self.landed = Landed.TAKEOFF
            return
        self.landed = Landed.ON_GROUND
        if self._on_ground_since_s is None:
            self._on_ground_since_s = self.t_s
        on_ground_s = self.t_s - self._on_ground_since_s
        delay = self.params.get("COM_DISARM_LAND") if self._has_flown else self.params.get("COM_DISARM_PRFLT")
        if delay >= 0.0 and on_ground_s >= max(delay, 0.1):
            self._disarm("Landing detected, disarmed" if self._has_flown else "Disarmed: not taken off in time")
