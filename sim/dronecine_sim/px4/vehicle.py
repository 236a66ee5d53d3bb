"""The PX4-like test vehicle as a MAVLink 2 endpoint on UDP: a background thread, start/stop/restart.

``Px4Vehicle(Px4VehicleConfig(...))`` binds a UDP socket (port 0 picks a free one; ``port``
reports it) and, once started, runs one thread that receives datagrams, steps the flight in
(scaled) real time and sends telemetry. It answers every address that sends to it (like PX4 SITL's
link once a client has spoken) and, with ``remote``, also sends to that address from boot (PX4
SITL sends its offboard-API link to 127.0.0.1:14540 + instance). ``stop()`` closes the socket;
``start()`` again boots a fresh autopilot on the same port, as a rebooted PX4 would.

``snapshot()`` gives tests the truth (position, mode, counts) without going through MAVLink.
"""

from __future__ import annotations

import logging
import math
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from pymavlink.dialects.v20 import common as mavlink

from dronecine.flight.mavlink_common import drop_partial_frame
from dronecine_sim.px4.core import Battery, Landed
from dronecine_sim.px4.errors import Px4SimError
from dronecine_sim.px4.modes import Px4Mode
from dronecine_sim.px4.session import AUTOPILOT_COMPID, Session, SessionConfig
from dronecine_sim.px4.telemetry import Origin
from dronecine_sim.vehicle import VehicleParams

logger = logging.getLogger(__name__)

_MAX_STEPS_PER_LOOP = 200  # after a long pause, catch up this much at most per loop (no spiral)
_PEER_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Px4VehicleConfig:
    """How to run the vehicle. ``instance`` gives MAV_SYS_ID = instance + 1 as in PX4 SITL."""

    instance: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    remote: tuple[str, int] | None = None
    time_scale: float = 1.0  # simulated seconds per wall-clock second
    dt_s: float = 0.02  # simulation step (simulated time)
    ready_delay_s: float = 1.0  # wall-clock time from boot to GPS fix and home
    vehicle_params: VehicleParams = field(default_factory=lambda: VehicleParams().without_wind())
    params: tuple[tuple[str, float], ...] = ()  # PX4 parameter overrides, e.g. (("COM_OBL_RC_ACT", 5),)
    origin: Origin = field(default_factory=Origin)
    seed: int = 0
    offboard_required_s: float = 1.0
    battery: Battery = field(default_factory=Battery)

    def __post_init__(self) -> None:
        if not isinstance(self.instance, int) or not 0 <= self.instance <= 249:
            raise Px4SimError(
                f"instance {self.instance!r} is out of range (expected 0..249: MAV_SYS_ID = instance + 1)"
            )
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise Px4SimError(f"port {self.port!r} is out of range (expected 0..65535, 0 for a free port)")
        if not (math.isfinite(self.time_scale) and 0.01 <= self.time_scale <= 100.0):
            raise Px4SimError(f"time_scale {self.time_scale!r} is out of range (expected 0.01..100)")
        if not (math.isfinite(self.ready_delay_s) and self.ready_delay_s >= 0.0):
            raise Px4SimError(f"ready_delay_s {self.ready_delay_s!r} must be >= 0")


@dataclass(frozen=True)
class VehicleSnapshot:
    """The vehicle's truth at one moment (simulated time ``t_s``)."""

    t_s: float
    position_ned_m: tuple[float, float, float]
    velocity_ned_m_s: tuple[float, float, float]
    yaw_deg: float
    armed: bool
    mode: Px4Mode
    landed: Landed
    home_ned_m: tuple[float, float, float] | None
    gimbal_pitch_deg: float
    gimbal_yaw_deg: float
    gimbal_primary: tuple[int, int]
    battery_pct: float
    setpoints_received: int
    failsafe_events: tuple[str, ...]
    received: dict[str, int]
    boots: int


class Px4Vehicle:
    """One PX4-like vehicle on UDP. Thread-safe: every public method may be called from any thread."""

    def __init__(self, config: Px4VehicleConfig | None = None) -> None:
        self.config = config or Px4VehicleConfig()
        self._port = self.config.port
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._session: Session | None = None
        self._peers: dict[tuple[str, int], float] = {}
        self._mav = mavlink.MAVLink(None, srcSystem=self.sysid, srcComponent=AUTOPILOT_COMPID)
        self._mav.robust_parsing = True
        self._boots = 0
        self._sent = 0
        self._pending_texts: list[str] = []

    @property
    def sysid(self) -> int:
        return self.config.instance + 1

    @property
    def port(self) -> int:
        """The bound UDP port (known after the first ``start``)."""
        return self._port

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Px4Vehicle:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Bind the port and boot a fresh autopilot (a no-op while running)."""
        if self.running:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.config.host, self._port))
        except OSError as exc:
            sock.close()
            raise Px4SimError(f"cannot bind UDP {self.config.host}:{self._port}: {exc.strerror or exc}") from exc
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        self._sock = sock
        self._stop.clear()
        self._boots += 1
        self._mav = mavlink.MAVLink(None, srcSystem=self.sysid, srcComponent=AUTOPILOT_COMPID)
        self._mav.robust_parsing = True
        cfg = self.config
        session_config = SessionConfig(
            self.sysid, cfg.dt_s, cfg.ready_delay_s, cfg.vehicle_params, cfg.params, cfg.origin, cfg.seed,
            cfg.offboard_required_s, battery=cfg.battery,
        )  # fmt: skip
        with self._lock:
            self._peers = {}
            self._session = Session(session_config, time.monotonic(), self._queue_statustext)
        self._pending_texts.clear()
        self._thread = threading.Thread(target=self._run, name=f"px4-vehicle-{self.sysid}", daemon=True)
        self._thread.start()
        logger.info("vehicle %d listening on udp %s:%d", self.sysid, cfg.host, self._port)

    def stop(self) -> None:
        """Stop the thread and close the socket (the port can be bound again at once)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def restart(self, downtime_s: float = 0.0) -> None:
        """Stop, stay silent for ``downtime_s``, boot again on the same port."""
        self.stop()
        if downtime_s > 0.0:
            time.sleep(downtime_s)
        self.start()

    # --- for tests ---------------------------------------------------------------------------------

    def snapshot(self) -> VehicleSnapshot:
        with self._lock:
            s = self._session
            if s is None:
                raise Px4SimError("the vehicle has not been started")
            core = s.core
            st = core.state
            return VehicleSnapshot(
                core.t_s, core.position_ned_m, core.velocity_ned_m_s, core.yaw_deg, core.armed, core.mode,
                core.landed, core.home_ned_m, float(st.gimbal_pitch_deg[0]), float(st.gimbal_yaw_deg[0]),
                s.gimbal.primary, core.battery_pct, s.offboard.count, tuple(core.failsafe_events),
                dict(s.received), self._boots,
            )  # fmt: skip

    def setpoint_arrivals_s(self) -> tuple[float, ...]:
        """Wall-clock (monotonic) arrival times of every offboard setpoint since boot."""
        with self._lock:
            return tuple(self._session.offboard.arrivals_s) if self._session else ()

    def set_param(self, name: str, value: float) -> None:
        with self._lock:
            if self._session is None:
                raise Px4SimError("the vehicle has not been started")
            self._session.params.set(name, value)

    # --- the thread --------------------------------------------------------------------------------

    def _queue_statustext(self, text: str) -> None:
        self._pending_texts.append(text)

    def _run(self) -> None:
        sock = self._sock
        session = self._session
        if sock is None or session is None:
            return
        scale = self.config.time_scale
        step_wall_s = self.config.dt_s / scale
        while not self._stop.is_set():
            now = time.monotonic()
            out: list = []
            for data, addr in self._receive(sock):
                with self._lock:
                    self._peers[addr] = now
                    for msg in self._parse(data):
                        if msg.get_type() == "BAD_DATA":
                            session.received["BAD_DATA"] += 1
                        else:
                            out.extend(session.handle(msg, now))
            with self._lock:
                sim_now = (now - session.boot_s) * scale
                target = min(sim_now, session.core.t_s + _MAX_STEPS_PER_LOOP * self.config.dt_s)
                session.advance(target)
                out.extend(session.tick(now))
                out.extend(
                    mavlink.MAVLink_statustext_message(mavlink.MAV_SEVERITY_INFO, t.encode()[:50], 0, 0)
                    for t in self._pending_texts
                )
                self._pending_texts.clear()
                peers = self._live_peers(now)
            self._send(sock, out, peers)
            wait = min(step_wall_s, max(0.0, session.telemetry.next_due_s() - time.monotonic()), 0.005)
            if wait > 0.0:
                select.select([sock], [], [], wait)

    def _parse(self, data: bytes) -> list:
        drop_partial_frame(self._mav)  # a frame never spans datagrams: one left unfinished was garbage
        try:
            return self._mav.parse_buffer(data) or []
        except mavlink.MAVError as exc:  # robust parsing reports most garbage as BAD_DATA; this is the rest
            logger.debug("vehicle %d: undecodable datagram: %s", self.sysid, exc)
            return [mavlink.MAVLink_bad_data(data, str(exc))]

    def _receive(self, sock: socket.socket) -> list[tuple[bytes, tuple[str, int]]]:
        datagrams = []
        for _ in range(256):
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:  # e.g. an ICMP port-unreachable surfacing on Windows: keep serving
                logger.debug("vehicle %d: recvfrom: %s", self.sysid, exc)
                break
            datagrams.append((data, addr))
        return datagrams

    def _live_peers(self, now: float) -> list[tuple[str, int]]:
        self._peers = {a: t for a, t in self._peers.items() if now - t <= _PEER_TIMEOUT_S}
        peers = list(self._peers)
        if self.config.remote is not None and self.config.remote not in self._peers:
            peers.append(self.config.remote)
        return peers

    def _send(self, sock: socket.socket, messages: list, peers: list[tuple[str, int]]) -> None:
        if not peers:
            return
        for msg in messages:
            data = msg.pack(self._mav)
            self._mav.seq = (self._mav.seq + 1) % 256
            for peer in peers:
                try:
                    sock.sendto(data, peer)
                except OSError as exc:  # a full buffer or a vanished peer: telemetry is best effort
                    logger.debug("vehicle %d: sendto %s: %s", self.sysid, peer, exc)
            self._sent += 1
