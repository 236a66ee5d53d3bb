"""A whole shoot in simulation: the mission's people, one simulated drone and one onboard agent per
mission drone, stepped together faster than real time.

Each control step (``dt_s``):

1. the people play their scripts (from action, t = 0: before it they wait on their marks);
2. every drone's camera sees its subject: the true box, turned into the tracker's report by the
   perception model (or, with ``yolo``, the rendered view through the detector, tracker and lock);
3. each agent steps (``dronecine.agent``) with its telemetry, its report and where the other drones
   are, and its safe command flies its vehicle. The agents got their timelines from the ground
   station (``dronecine.ground.station``), which runs in the same process over in-memory transports
   (``ground_link``): before the agents step it hears every drone's state, tells each where the
   others are, and re-plans or commands when a drone is lost or the shoot is aborted;
4. the step is measured (framing against the shot's target for the true subject, separation,
   geofence, drones in each other's frames) and recorded (telemetry, events, the views).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from dronecine_sim.perception import PerceptionChoice, PerceptionModel
from dronecine_sim.render import People, Renderer
from dronecine_sim.shoot.dashboard_bridge import SimDashboard
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.ground_link import SimGroundLink
from dronecine_sim.shoot.measure import ShootMeasures
from dronecine_sim.shoot.recorder import ShootRecorder, subjects_row, telemetry_row, track_name
from dronecine_sim.shoot.settings import ShootSettings
from dronecine_sim.subjects import from_mission
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParams, VehicleState, randomise
from dronecine_sim.vehicle.battery import BatteryModel, randomise_battery
from dronecine_sim.world import World

from dronecine.agent import AgentMode, EventKind, OnboardAgent
from dronecine.agent.station_client import onboard_framing_error
from dronecine.control import BaselineController, BaselineGains, LearnedPolicy, OwnState, Policy, ShotObserver
from dronecine.flight import SafetyLimits, planning_lag_s
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.ground import PlanSettings, ShootPlan
from dronecine.mission.document import Mission
from dronecine.mission.motion import nominal_paths
from dronecine.perception import SubjectTrack
from dronecine.shots import SubjectState

logger = logging.getLogger(__name__)

# People's shirts, one per subject in mission order, so the views tell them apart.
_CLOTHING_BGR = np.array([[40, 40, 200], [200, 120, 40], [40, 160, 60], [30, 150, 220], [150, 60, 150]], np.uint8)
ProgressCallback = Callable[[float, float], None]
SAFETY_MARGIN_M = 0.25
OVERRUN_S = 120.0  # at most this long after the plan's end for drones still coming home
_COMING_DOWN = (AgentMode.RETURN, AgentMode.LAND)


@dataclass(frozen=True)
class ShootRun:
    """What ``run_shoot`` leaves behind besides its files: the figures, and how long it took."""

    measures: ShootMeasures
    sim_seconds: float
    wall_seconds: float
    station: dict[str, Any] = field(default_factory=dict)  # the ground station's figures (lost drones, re-plans)
    sitl: dict[str, Any] | None = None  # --sitl: the autopilots flown and each agent's figures (None: simulated)


def run_shoot(
    mission: Mission,
    plan: ShootPlan,
    out_dir: Path,
    settings: ShootSettings,
    progress: ProgressCallback | None = None,
    plan_settings: PlanSettings | None = None,
    dashboard: SimDashboard | None = None,
) -> ShootRun:
    """Fly ``plan`` in simulation, recording into ``out_dir``; ``progress(sim_s, total_s)`` each step;
    ``dashboard`` (``--serve``) commands, paces and watches it between steps."""
    started = time.perf_counter()
    drone_ids = tuple(t.drone_id for t in plan.timelines)
    recorder = ShootRecorder(out_dir, drone_ids, 1.0 / settings.dt_s, settings.video_size)
    try:
        token = dashboard.token if dashboard is not None else None
        world = _ShootWorld(mission, plan, settings, plan_settings or PlanSettings(), out_dir, recorder, token)
    except BaseException:
        recorder.close()
        raise
    steps = round((plan.end_s + plan.preroll_s) / settings.dt_s) + 1
    # A drone may land later than planned (a re-plan, a detour round people, a head wind): the shoot
    # runs on while one is coming home.
    most = steps + round(OVERRUN_S / settings.dt_s)
    k = 0
    try:
        while k < steps or (k < most and world.coming_down(-plan.preroll_s + k * settings.dt_s)):
            t_s = -plan.preroll_s + k * settings.dt_s
            if dashboard is not None:
                dashboard.before_step(world, t_s)
            world.step(t_s, recorder)
            k += 1
            if progress is not None:
                progress(k * settings.dt_s, max(steps, k) * settings.dt_s)
    except BaseException as error:
        recorder.event(t_s, None, EventKind.ERROR, f"the shoot stopped: {type(error).__name__}: {error}")
        raise
    finally:
        if dashboard is not None:
            dashboard.finish(world)
        world.ground.close()
        recorder.close()
    world.measures.timelines = tuple(agent.timeline for agent in world.agents)  # as re-planned
    station = world.ground.summary()
    return ShootRun(world.measures, k * settings.dt_s, time.perf_counter() - started, station)


class _ShootWorld:
    """The simulated set: people, vehicles, cameras, and the agents flying them."""

    def __init__(
        self,
        mission: Mission,
        plan: ShootPlan,
        settings: ShootSettings,
        plan_settings: PlanSettings,
        out_dir: Path,
        recorder: ShootRecorder,
        token: str | None = None,
    ):
        self.mission, self.plan, self.settings = mission, plan, settings
        self.dt_s = settings.dt_s
        self.drone_ids = tuple(t.drone_id for t in plan.timelines)
        self.subject_ids = tuple(s.id for s in mission.subjects)
        self.rng = np.random.default_rng([settings.seed, 0])
        # The packs and their gauges draw from their own stream: the flight's draws stay as they were.
        self.battery_rng = np.random.default_rng([settings.seed, 3])
        packs = randomise_battery(len(plan.timelines), self.battery_rng)  # aged packs, heavier cameras
        self.battery = BatteryModel([replace(p, initial_percent=settings.battery_percent) for p in packs])
        self.people = from_mission(mission, np.random.default_rng([settings.seed, 1]), noise=settings.subject_noise)
        n = len(self.drone_ids)
        self.cameras = [mission.drone(d).camera.pinhole() for d in self.drone_ids]
        self.vehicle = VehicleModel(_vehicle_params(mission, self.drone_ids, settings), self.dt_s / settings.substeps)
        homes = np.array([t.home_ned_m for t in plan.timelines])
        self.state = VehicleState.at_rest(homes, yaw_deg=[_bearing_to_set(h) for h in homes])
        self.perception = PerceptionModel(
            n, settings.perception if settings.perception != PerceptionChoice.YOLO else "oracle", self.dt_s
        )
        self.onboard = (
            _onboard(settings, self.cameras, self.dt_s) if settings.perception == PerceptionChoice.YOLO else None
        )
        # A quarter-metre cushion (the mission's floor is the lowest filming height and its shots fly
        # just above it), with the braking lag of the simulated airframe: its velocity loop, one control
        # period and the jerk-limited swing of its acceleration.
        nominal = VehicleParams()
        lag_s = planning_lag_s(
            nominal.velocity_tau_s, self.dt_s, nominal.max_horizontal_accel_m_s2, nominal.max_jerk_m_s3
        )
        limits = SafetyLimits.from_mission(mission.safety, margin_m=SAFETY_MARGIN_M, response_lag_s=lag_s)
        paths = nominal_paths(mission)
        if settings.fail_drone is not None and settings.fail_drone[0] not in self.drone_ids:
            known = ", ".join(self.drone_ids)
            raise ShootError(f"cannot fail drone {settings.fail_drone[0]!r}: the mission's drones are {known}")
        self.ground = SimGroundLink(
            plan,
            self.dt_s,
            plan_settings,
            out_dir,
            on_event=lambda e: None if e.from_agent else recorder.event(e.t_s, None, e.kind, e.message),
            fail_drone=settings.fail_drone,
            abort_at_s=settings.abort_at_s,
            token=token,
        )
        cruise = plan_settings.cruise_fraction * mission.safety.max_horizontal_speed_m_s
        climb = plan_settings.climb_fraction * mission.safety.max_vertical_speed_m_s
        self.agents = [
            OnboardAgent(
                self.ground.timelines[timeline.drone_id],  # the station's, over the agent protocol
                _policy(settings, self.dt_s, camera),
                ShotObserver(1, camera, self.dt_s),
                limits,
                paths,
                cruise,
                climb,
            )
            for timeline, camera in zip(plan.timelines, self.cameras, strict=True)
        ]
        self.ground.attach(self.agents)
        self.measures = ShootMeasures(mission, plan, self.dt_s)
        # The views are rendered for the videos and for the detector (at the video's size, or its default).
        size = settings.video_size or ((480, 270) if self.onboard else None)
        world = World.empty(seed=settings.seed % 1000)
        self.renderers = [Renderer(world, PinholeCamera(c.hfov_deg, *size)) for c in self.cameras] if size else []
        self._subject_of = [None] * n
        self._last_frame: list[np.ndarray | None] = [None] * n

    def coming_down(self, t_s: float) -> bool:
        """Whether a drone is still on its way down: flying home or landing, or holding for a return
        that a re-plan put later."""
        return any(
            agent.mode in _COMING_DOWN or (agent.mode.flying and t_s < agent.timeline.return_s) for agent in self.agents
        )

    # --- what the dashboard reads between steps -------------------------------------------------

    def subjects_ne_m(self) -> dict[str, list[float]]:
        north_east = self.people.subjects.position_ned_m[:, :2].round(2).tolist()
        return dict(zip(self.subject_ids, north_east, strict=True))

    def views(self) -> dict[str, np.ndarray]:
        """Each drone's latest rendered view (none without video)."""
        return {d: frame for d, frame in zip(self.drone_ids, self._last_frame, strict=True) if frame is not None}

    # --- one step -------------------------------------------------------------------------------

    def step(self, t_s: float, recorder: ShootRecorder) -> None:
        n, s = len(self.agents), self.state
        if t_s >= 0.0:
            self.people.step(self.dt_s, self.rng)
        own = OwnState(s.position_ned_m, s.velocity_ned_m_s, s.yaw_deg, s.gimbal_pitch_deg, s.gimbal_yaw_deg)
        battery = self.battery.reading_percent(self.battery_rng)
        self.ground.exchange(t_s, own, self.drone_ids, battery)  # states in; the others, timelines, commands out
        pose = own.camera_pose()
        true_box = self._true_boxes(pose)
        frames = self._render(pose) if self.renderers else [None] * n
        track = self._track(true_box, pose, frames)
        velocity_frd = np.zeros((n, 3))
        yaw_rate, pitch_rate, gimbal_yaw_rate = np.zeros(n), np.zeros(n), np.zeros(n)
        outputs = []
        for i, agent in enumerate(self.agents):
            client = self.ground.clients[self.drone_ids[i]]
            others = client.others_ned_m(t_s)  # the drones in the air, as the station reports them
            out = agent.step(
                t_s,
                own.take(np.array([i])),
                track.take(np.array([i])),
                others,
                ground_link_age_s=client.link_age_s(t_s),
                battery_percent=float(battery[i]),
            )
            self.ground.after_step(self.drone_ids[i], t_s, out.events, onboard_framing_error(agent, track.box[i]))
            outputs.append(out)
            yaw = np.radians(s.yaw_deg[i])
            north, east, down = out.velocity_ned_m_s
            velocity_frd[i] = [
                north * np.cos(yaw) + east * np.sin(yaw),
                -north * np.sin(yaw) + east * np.cos(yaw),
                down,
            ]
            yaw_rate[i], pitch_rate[i], gimbal_yaw_rate[i] = (
                out.yaw_rate_deg_s,
                out.gimbal_pitch_rate_deg_s,
                out.gimbal_yaw_rate_deg_s,
            )
            for event in out.events:
                recorder.event(t_s, self.drone_ids[i], event.kind, event.message)
            subject = out.shot.subject_id if out.shot is not None else None
            if subject != self._subject_of[i]:  # a new subject: the tracker starts afresh
                self._subject_of[i] = subject
                self.perception.reset([i])
                if self.onboard is not None:
                    self.onboard[i].reset()
        self.measures.add(t_s, own, true_box, outputs, self.agents, self._subject_states(), self.cameras)
        self._record(t_s, recorder, own, true_box, track, outputs, frames, battery)
        command = VehicleCommand(velocity_frd, yaw_rate, pitch_rate, gimbal_yaw_rate)
        parked = np.array([not out.mode.flying for out in outputs])
        for _ in range(self.settings.substeps):
            self.vehicle.step(self.state, command, self.rng)
        charge = self.battery.step(self.state.own_velocity_ned_m_s, self.dt_s, flying=~parked)
        self.measures.battery_percent = {d: round(float(c), 1) for d, c in zip(self.drone_ids, charge, strict=True)}
        if parked.any():  # motors off: a parked drone does not drift in the wind
            self.state.position_ned_m[parked, 2] = 0.0
            for array in (self.state.velocity_ned_m_s, self.state.own_velocity_ned_m_s, self.state.wind_drift_ned_m_s):
                array[parked] = 0.0
            for i in np.flatnonzero(parked):
                self.state.position_ned_m[i, :2] = self._parked_at(i)

    # --- sensing --------------------------------------------------------------------------------

    def _subject_states(self) -> SubjectState:
        p = self.people.subjects
        return SubjectState(p.position_ned_m, p.velocity_ned_m_s, p.heading_deg, p.height_m)

    def _subject_index(self, i: int) -> int | None:
        shot = self.agents[i].shot
        return None if shot is None else self.people.index(shot.subject_id)

    def _true_boxes(self, pose: CameraPose) -> np.ndarray:
        """Each drone's subject's true box (N, 4), NaN for a drone with no subject or not seeing it."""
        return self._boxes_of(pose, [self._subject_index(i) for i in range(len(self.agents))])

    def _lookalike_boxes(self, pose: CameraPose) -> np.ndarray:
        """The other subject nearest each drone's own, as its camera sees it (a look-alike for the
        perception model's identity switches)."""
        positions = self.people.subjects.position_ned_m
        nearest: list[int | None] = []
        for i in range(len(self.agents)):
            k = self._subject_index(i)
            if k is None or len(self.subject_ids) < 2:
                nearest.append(None)
                continue
            distance = np.linalg.norm(positions - positions[k], axis=1)
            distance[k] = np.inf
            nearest.append(int(np.argmin(distance)))
        return self._boxes_of(pose, nearest)

    def _boxes_of(self, pose: CameraPose, person_of_drone: list[int | None]) -> np.ndarray:
        """The true box (N, 4) of person ``person_of_drone[i]`` in drone i's camera (NaN for None)."""
        boxes = np.full((len(self.agents), 4), np.nan)
        people = self.people.subjects
        for i, k in enumerate(person_of_drone):
            if k is not None:
                one = CameraPose(pose.position_ned_m[i], pose.rotation_ned_from_camera[i])
                boxes[i] = project_person_boxes(self.cameras[i], one, people.position_ned_m[k], people.height_m[k])
        return boxes

    def _track(self, true_box: np.ndarray, pose: CameraPose, frames: list) -> SubjectTrack:
        if self.onboard is None:
            occluded = np.zeros(len(self.agents))  # the mission's set has no buildings
            return self.perception.observe(true_box, occluded, self._lookalike_boxes(pose), self.rng)
        rows = [self._observe_onboard(i, pose, frames[i]) for i in range(len(self.agents))]
        return SubjectTrack(
            np.array([r.box[0] for r in rows]),
            np.array([r.status[0] for r in rows], dtype=np.int8),
            np.array([r.age_s[0] for r in rows]),
        )

    def _observe_onboard(self, i: int, pose: CameraPose, frame: np.ndarray) -> SubjectTrack:
        if self.agents[i].shot is None:  # no subject to look for (take-off, pre-roll, home): no detector
            return SubjectTrack.unseen(1)
        one = CameraPose(pose.position_ned_m[i : i + 1], pose.rotation_ned_from_camera[i : i + 1])
        expected = self.agents[i].observer.estimator.position_ned_m[:1]
        return self.onboard[i].observe([frame], one, expected)

    def _render(self, pose: CameraPose) -> list[np.ndarray]:
        p = self.people.subjects
        count = len(self.subject_ids)
        people = People(
            position_ned_m=p.position_ned_m,
            heading_deg=p.body_heading_deg,
            height_m=p.height_m,
            clothing_bgr=_CLOTHING_BGR[np.arange(count) % len(_CLOTHING_BGR)],
            gait_phase_rad=p.walk_phase,
            gait_amplitude=np.clip(np.linalg.norm(p.velocity_ned_m_s, axis=1) / 1.4, 0.0, 1.0),
        )
        frames = []
        for i, renderer in enumerate(self.renderers):
            parked = not self.agents[i].mode.flying
            if parked and self._last_frame[i] is not None:
                frames.append(self._last_frame[i])  # nothing moves in front of a parked drone's camera
                continue
            one = CameraPose(pose.position_ned_m[i], pose.rotation_ned_from_camera[i])
            frame = renderer.render(one, people)
            self._last_frame[i] = frame
            frames.append(frame)
        return frames

    # --- recording ------------------------------------------------------------------------------

    def _record(self, t_s, recorder, own, true_box, track, outputs, frames, battery) -> None:
        t = round(t_s, 3)
        recorder.subjects(subjects_row(t, self.subject_ids, self.people.subjects.position_ned_m))
        step = self.measures.last_step
        for i, drone_id in enumerate(self.drone_ids):
            out = outputs[i]
            tracking = track_name(track, i) if out.shot is not None else None
            row = telemetry_row(t, own, i, out, true_box[i], tracking, step, float(battery[i]))
            recorder.telemetry(drone_id, row)
            if recorder.records_video:
                recorder.frame(drone_id, frames[i])

    def _parked_at(self, i: int) -> np.ndarray:
        timeline = self.plan.timelines[i]
        if self.agents[i].mode == AgentMode.LANDED:
            return self.state.position_ned_m[i, :2].copy()
        return timeline.home_ned_m[:2]


def _bearing_to_set(home: np.ndarray) -> float:
    """Parked drones face the set's origin (the crew lines them up that way)."""
    return float(np.degrees(np.arctan2(-home[1], -home[0])))


def _vehicle_params(mission: Mission, drone_ids: tuple[str, ...], settings: ShootSettings):
    """The nominal camera drone, its gimbal as the mission declares, in the shoot's wind."""
    gimbals = [mission.drone(d).gimbal for d in drone_ids]
    nominal = replace(
        VehicleParams(),
        wind_sigma_m_s=settings.wind_sigma_m_s,
        wind_vertical_sigma_m_s=settings.wind_sigma_m_s * 0.4,
        gimbal_pitch_min_deg=max(min(g.pitch_min_deg for g in gimbals), -90.0),
        gimbal_pitch_max_deg=min(max(g.pitch_max_deg for g in gimbals), 90.0),
        gimbal_yaw_min_deg=max(min(g.yaw_min_deg for g in gimbals), -180.0),
        gimbal_yaw_max_deg=min(max(g.yaw_max_deg for g in gimbals), 180.0),
    )
    return randomise(nominal, len(drone_ids), np.random.default_rng([settings.seed, 2]), scale=0.0)


def _policy(settings: ShootSettings, dt_s: float, camera: PinholeCamera) -> Policy:
    """One policy per agent. The baseline's image loops convert image error to degrees through the
    field of view: they get this drone's lens (a telephoto with a wide lens's gains oscillates)."""
    lens = {"hfov_deg": camera.hfov_deg, "vfov_deg": camera.vfov_deg}
    if settings.policy == "baseline":
        return BaselineController(replace(BaselineGains(), **lens), dt_s=dt_s)
    policy = LearnedPolicy.load(settings.policy, dt_s=dt_s)
    if policy.baseline is not None:
        policy.baseline = BaselineController(replace(policy.baseline.gains, **lens), dt_s=dt_s)
    return policy


def _onboard(settings: ShootSettings, cameras: list[PinholeCamera], dt_s: float):
    from dronecine_sim.perception.onboard import OnboardPerception

    from dronecine.perception.detector import DetectorSettings, YoloDetector, resolve_weights

    detector = YoloDetector(DetectorSettings(weights=resolve_weights(settings.weights)))
    size = settings.video_size or (480, 270)
    return [OnboardPerception(1, detector, PinholeCamera(c.hfov_deg, *size), 1.0 / dt_s) for c in cameras]
