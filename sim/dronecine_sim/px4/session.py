"""One boot of the test vehicle: the autopilot's state and how it answers each MAVLink message.

``Session.handle(msg, now_s)`` and ``Session.tick(now_s)`` return the messages to send; the
endpoint (``vehicle.py``) owns the socket, the thread and the clock. ``now_s`` is wall-clock
(monotonic) time; the flight itself advances in simulated time via ``advance``.
"""

from __future__ import annotations

import collections
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pymavlink.dialects.v20 import common as mavlink

from dronecine_sim.px4 import commands
from dronecine_sim.px4.core import Battery, VehicleCore
from dronecine_sim.px4.gimbal import GimbalManager
from dronecine_sim.px4.modes import Px4Mode
from dronecine_sim.px4.offboard import OffboardStream, link_loss_action, loss_action, target_from_message
from dronecine_sim.px4.params import INT32, REAL32, ParamStore, decode, encode
from dronecine_sim.px4.telemetry import Origin, Telemetry
from dronecine_sim.vehicle import VehicleParams

logger = logging.getLogger(__name__)

AUTOPILOT_COMPID = mavlink.MAV_COMP_ID_AUTOPILOT1


@dataclass(frozen=True)
class SessionConfig:
    sysid: int
    dt_s: float = 0.02
    ready_delay_s: float = 1.0
    vehicle_params: VehicleParams = field(default_factory=lambda: VehicleParams().without_wind())
    param_overrides: tuple[tuple[str, float], ...] = ()
    origin: Origin = field(default_factory=Origin)
    seed: int = 0
    offboard_required_s: float = 1.0
    offboard_max_gap_s: float = 0.5
    battery: Battery = field(default_factory=Battery)


class Session:
    """The autopilot from boot (``boot_s``, wall clock) until the vehicle stops or restarts."""

    def __init__(self, config: SessionConfig, boot_s: float, statustext: Callable[[str], None]) -> None:
        self.config = config
        self.boot_s = boot_s
        self.params = ParamStore(dict(config.param_overrides))
        self.params.set("MAV_SYS_ID", config.sysid)
        self._texts: collections.deque[str] = collections.deque(maxlen=64)
        self._statustext = statustext
        self.core = VehicleCore(
            self.params, config.vehicle_params, config.dt_s, config.seed, battery=config.battery, notify=self._notify
        )
        self.gimbal = GimbalManager(config.sysid, AUTOPILOT_COMPID)
        self.telemetry = Telemetry(self.core, self.gimbal, config.origin, self.boot_ms, self.gimbal_enabled)
        self.offboard = OffboardStream(config.offboard_required_s, config.offboard_max_gap_s)
        self.received: collections.Counter[str] = collections.Counter()
        self.last_gcs_heartbeat_s = -math.inf
        self._dll_triggered = False

    @property
    def sysid(self) -> int:
        return self.config.sysid

    def boot_ms(self) -> int:
        return int((time.monotonic() - self.boot_s) * 1000) & 0xFFFFFFFF

    def gimbal_enabled(self) -> bool:
        return round(self.params.get("MNT_MODE_IN")) == 4

    def _notify(self, text: str) -> None:
        self._texts.append(text)
        self._statustext(text)

    # --- time ------------------------------------------------------------------------------------

    def advance(self, sim_until_s: float) -> None:
        """Step the flight (and the gimbal manager) until simulated time ``sim_until_s``."""
        core = self.core
        p = core.vehicle_params
        half = self.params.get("MNT_RANGE_PITCH") / 2.0
        limits = (max(p.gimbal_pitch_min_deg, -half), min(p.gimbal_pitch_max_deg, half))
        while core.t_s + core.model.dt_s <= sim_until_s:
            state = core.state
            core.gimbal_rates_deg_s = self.gimbal.rates_deg_s(
                float(state.gimbal_pitch_deg[0]), float(state.gimbal_yaw_deg[0]), core.yaw_deg, limits
            )
            core.step()

    def tick(self, now_s: float) -> list:
        """Readiness, failsafes, then the telemetry that is due."""
        core = self.core
        if not core.gps_fix and now_s - self.boot_s >= self.config.ready_delay_s:
            core.set_gps_fix()
        if core.armed and core.mode is Px4Mode.OFFBOARD:
            silent_s = self.offboard.silent_for_s(now_s)
            if silent_s > self.params.get("COM_OF_LOSS_T"):
                core.offboard_target = None
                core.failsafe(loss_action(round(self.params.get("COM_OBL_RC_ACT"))), "offboard signal lost")
        self._check_link_loss(now_s)
        return self.telemetry.due(now_s)

    def _check_link_loss(self, now_s: float) -> None:
        action = link_loss_action(round(self.params.get("NAV_DLL_ACT")))
        lost = now_s - self.last_gcs_heartbeat_s > self.params.get("COM_DL_LOSS_T")
        if not lost:
            self._dll_triggered = False
        elif action is not False and self.core.armed and not self._dll_triggered and self.last_gcs_heartbeat_s > 0:
            self._dll_triggered = True
            self.core.failsafe(action, "no connection to the ground station")

    # --- messages --------------------------------------------------------------------------------

    def handle(self, msg, now_s: float) -> list:
        """Answer one decoded message (``BAD_DATA`` counts as garbage and is otherwise ignored)."""
        kind = msg.get_type()
        self.received[kind] += 1
        source = (msg.get_srcSystem(), msg.get_srcComponent())
        if kind == "HEARTBEAT":
            if msg.type in (mavlink.MAV_TYPE_GCS, mavlink.MAV_TYPE_ONBOARD_CONTROLLER):
                self.last_gcs_heartbeat_s = now_s
            return []
        if kind in ("COMMAND_LONG", "COMMAND_INT"):
            return self._command(msg, kind, source, now_s)
        if not self._for_us(msg):
            return []
        if kind == "SET_POSITION_TARGET_LOCAL_NED":
            target = target_from_message(msg, self.core.yaw_deg)
            if target is not None:
                self.offboard.on_setpoint(now_s)
                self.core.offboard_target = target
        elif kind == "GIMBAL_MANAGER_SET_PITCHYAW" and self.gimbal_enabled():
            self.gimbal.set_pitchyaw(msg, source)
        elif kind == "GIMBAL_MANAGER_SET_ATTITUDE" and self.gimbal_enabled():
            self.gimbal.set_attitude(msg, source)
        elif kind == "SET_MODE":
            result = commands.set_mode(
                self, msg.base_mode, (msg.custom_mode >> 16) & 0xFF, (msg.custom_mode >> 24) & 0xFF, now_s
            )
            return [self._ack(mavlink.MAV_CMD_DO_SET_MODE, result, source)]
        elif kind.startswith("PARAM_"):
            return self._param(msg, kind)
        elif kind == "TIMESYNC" and msg.tc1 == 0:
            return [mavlink.MAVLink_timesync_message(time.monotonic_ns(), msg.ts1)]
        return []

    def _for_us(self, msg) -> bool:
        target = getattr(msg, "target_system", 0)
        return target in (0, self.sysid)

    def _command(self, msg, kind: str, source: tuple[int, int], now_s: float) -> list:
        if msg.target_system not in (0, self.sysid) or msg.target_component not in (0, AUTOPILOT_COMPID):
            return []
        if kind == "COMMAND_LONG":
            params = (msg.param1, msg.param2, msg.param3, msg.param4, msg.param5, msg.param6, msg.param7)
        else:
            params = (msg.param1, msg.param2, msg.param3, msg.param4, float(msg.x), float(msg.y), msg.z)
        result, follow = commands.handle(self, msg.command, params, source, now_s)
        if result != commands.ACCEPTED:
            logger.info("vehicle %d: command %d from %s answered %d", self.sysid, msg.command, source, result)
        return [self._ack(msg.command, result, source), *follow]

    @staticmethod
    def _ack(command: int, result: int, source: tuple[int, int]):
        return mavlink.MAVLink_command_ack_message(command, result, 0, 0, source[0], source[1])

    def _param(self, msg, kind: str) -> list:
        store = self.params
        if kind == "PARAM_REQUEST_LIST":
            return [self._param_value(store.name_at(i)) for i in range(len(store))]
        if kind == "PARAM_REQUEST_READ":
            name = msg.param_id if msg.param_index < 0 else None
            if name is None and msg.param_index < len(store):
                name = store.name_at(msg.param_index)
            return [self._param_value(name)] if name and self._known(name) else []
        if kind == "PARAM_SET" and self._known(msg.param_id):
            spec = store.spec(msg.param_id)
            # A client that says the parameter's own type (or none we know) gets it decoded as PX4's type.
            own_type = msg.param_type == spec.param_type or msg.param_type not in (INT32, REAL32)
            value = decode(spec.param_type if own_type else msg.param_type, msg.param_value)
            try:
                store.set(msg.param_id, value)
            except ValueError as exc:  # PX4 answers with the unchanged value: the client sees it did not take
                logger.info("vehicle %d: %s", self.sysid, exc)
            return [self._param_value(msg.param_id)]
        return []

    def _known(self, name: str) -> bool:
        try:
            self.params.spec(name)
        except ValueError:
            return False
        return True

    def _param_value(self, name: str):
        spec = self.params.spec(name)
        return mavlink.MAVLink_param_value_message(
            name.encode(), encode(spec.param_type, self.params.get(name)), spec.param_type,
            len(self.params), self.params.index_of(name),
        )  # fmt: skip
