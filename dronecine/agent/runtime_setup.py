"""What the onboard runtime is made of: its settings, the policy it flies, the ``OnboardAgent`` built
as the simulated shoot builds it, and the timing probes around the policy and the supervisor."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dronecine.agent.agent import OnboardAgent
from dronecine.agent.errors import AgentError
from dronecine.agent.timing import StageTimer
from dronecine.control import BUNDLED, BaselineController, BaselineGains, LearnedPolicy, Policy, ShotObserver
from dronecine.control.errors import ControlError
from dronecine.flight import SafetyLimits, planning_lag_s
from dronecine.flight.failsafe import FailsafeSettings
from dronecine.geometry import PinholeCamera
from dronecine.ground import PlanSettings
from dronecine.ground.timeline import DroneTimeline
from dronecine.mission.document import Mission
from dronecine.mission.motion import nominal_paths

# A camera drone on PX4 (firmware_configs/px4/dronecine_camera_drone): its velocity loop's time
# constant, MPC_ACC_HOR_MAX and MPC_JERK_MAX, for the supervisor's braking distances; and what the
# telemetry and the link add on top (a position message is up to 1/30 s old, a setpoint 1/20 s late).
PX4_VELOCITY_TAU_S = 0.35
PX4_MAX_ACCEL_M_S2 = 3.0
PX4_MAX_JERK_M_S3 = 4.0
LINK_LATENCY_S = 0.1
SAFETY_MARGIN_M = 0.25


@dataclass(frozen=True)
class RuntimeSettings:
    """rate_hz: the loop's rate; the policies are trained at 10 Hz (``ShotObserver``'s dt), keep it.
    policy: ``bundled``, ``baseline`` or a policy file. connect_timeout_s / ready_timeout_s: the
    vehicle's first heartbeat, then its health, GPS and home. takeoff_timeout_s: from the take-off
    command to the take-off height. landed_timeout_s: after touch-down, how long to wait for PX4 to
    disarm before the runtime disarms. stats_period_s: how often the timing statistics are logged.
    home_tolerance_m: how far from its planned home a drone may stand. takeoff_height_margin_m:
    offboard starts this close to the take-off height. time_scale: mission seconds per wall second,
    1 in the field; a test against a sped-up simulated vehicle (``Px4Vehicle``'s ``time_scale``) runs
    the loop and the mission clock as fast (the link's own timing, PX4's, stays in wall time).
    home_from_gps: place the autopilot's frame in the mission's by its home's GPS position (False:
    trust that the drone stands at its planned home, for simulators whose GPS is not the mission's)."""

    rate_hz: float = 10.0
    policy: str = BUNDLED
    connect_timeout_s: float = 10.0
    ready_timeout_s: float = 60.0
    takeoff_timeout_s: float = 60.0
    landed_timeout_s: float = 10.0
    stats_period_s: float = 10.0
    home_tolerance_m: float = 10.0
    takeoff_height_margin_m: float = 0.5
    time_scale: float = 1.0
    home_from_gps: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_hz) and 2.0 <= self.rate_hz <= 50.0):
            raise AgentError(f"the agent's rate {self.rate_hz!r} Hz is out of range (expected 2..50)")
        if not (math.isfinite(self.time_scale) and 0.1 <= self.time_scale <= 20.0):
            raise AgentError(f"time_scale {self.time_scale!r} is out of range (expected 0.1..20)")
        for name in ("connect_timeout_s", "ready_timeout_s", "takeoff_timeout_s", "landed_timeout_s", "stats_period_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise AgentError(f"{name} = {value!r} must be a number of seconds > 0")

    @property
    def dt_s(self) -> float:
        return 1.0 / self.rate_hz


def make_policy(spec: str, dt_s: float, camera: PinholeCamera) -> Policy:
    """``baseline``, ``bundled`` or a policy file; the baseline's image loops get this drone's lens."""
    lens = {"hfov_deg": camera.hfov_deg, "vfov_deg": camera.vfov_deg}
    if spec == "baseline":
        return BaselineController(replace(BaselineGains(), **lens), dt_s=dt_s)
    if spec != BUNDLED and not Path(spec).is_file():
        raise AgentError(f"--policy {spec!r}: no such policy file (expected bundled, baseline or a .npz file)")
    try:
        policy = LearnedPolicy.load(spec, dt_s=dt_s)
    except ControlError as error:
        raise AgentError(f"--policy {spec!r}: {error}") from error
    if policy.baseline is not None:
        policy.baseline = BaselineController(replace(policy.baseline.gains, **lens), dt_s=dt_s)
    return policy


class TimedPolicy:
    """A ``Policy`` that times each ``predict`` into the ``policy`` stage."""

    def __init__(self, policy: Policy, timer: StageTimer) -> None:
        self.inner = policy
        self._timer = timer

    def predict(self, observation: ArrayLike, episode_start: ArrayLike | None = None) -> np.ndarray:
        with self._timer.stage("policy"):
            return self.inner.predict(observation, episode_start)

    def reset(self, rows: ArrayLike | None = None) -> None:
        self.inner.reset(rows)


class TimedSupervisor:
    """The agent's ``SafetySupervisor`` with each ``filter`` timed into the ``safety`` stage."""

    def __init__(self, supervisor: Any, timer: StageTimer) -> None:
        self.inner = supervisor
        self._timer = timer

    def filter(self, *args: Any, **kwargs: Any) -> Any:
        with self._timer.stage("safety"):
            return self.inner.filter(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # margins, counts, limits: as they are
        return getattr(self.inner, name)


def build_agent(
    mission: Mission, timeline: DroneTimeline, settings: RuntimeSettings, timer: StageTimer | None = None
) -> OnboardAgent:
    """The drone's ``OnboardAgent`` for ``timeline``, as the simulated shoot builds it, with its
    supervisor's braking margins for a PX4 camera drone."""
    camera = mission.drone(timeline.drone_id).camera.pinhole()
    dt_s = settings.dt_s
    lag_s = planning_lag_s(PX4_VELOCITY_TAU_S, dt_s, PX4_MAX_ACCEL_M_S2, PX4_MAX_JERK_M_S3) + LINK_LATENCY_S
    limits = SafetyLimits.from_mission(mission.safety, margin_m=SAFETY_MARGIN_M, response_lag_s=lag_s)
    plan_settings = PlanSettings()
    policy = make_policy(settings.policy, dt_s, camera)
    agent = OnboardAgent(
        timeline,
        TimedPolicy(policy, timer) if timer is not None else policy,
        ShotObserver(1, camera, dt_s),
        limits,
        nominal_paths(mission),
        plan_settings.cruise_fraction * mission.safety.max_horizontal_speed_m_s,
        plan_settings.climb_fraction * mission.safety.max_vertical_speed_m_s,
        failsafe=FailsafeSettings.from_mission(mission.safety),
    )
    if timer is not None:
        agent.supervisor = TimedSupervisor(agent.supervisor, timer)
    return agent
