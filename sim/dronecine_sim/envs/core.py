"""The shot simulation behind every ``DroneCine/`` environment: N drones, batched in numpy.

Each drone films its own subject (person ``i``; person ``N + i`` is that subject's partner: a
companion, someone to meet, a chaser or a look-alike passer-by) in a set of buildings shared by
all envs. A step:

1. the normalised actions become setpoints (``dronecine.control``) and the vehicles fly ``dt_s``;
2. the people walk ``dt_s``;
3. the subject's and the partner's true boxes are projected, the subject's occlusion measured;
4. the perception model turns them into the tracker's report;
5. ``dronecine.control.ShotObserver`` builds the observation from that report and the telemetry;
6. the reward compares the true box with the shot's target, computed from the true subject.

With ``autoreset``, drones whose episode ended restart in the same step (SAME_STEP), their last
observation in ``infos["final_obs"]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dronecine.control import ACTION, OwnState, ShotObserver, setpoints_from_action
from dronecine.geometry import PERSON_RADIUS_M, CameraPose
from dronecine.geometry.person import project_person_boxes, silhouette_points
from dronecine.perception import SubjectTrack
from dronecine.shots import Shot, SubjectState
from dronecine.shots.batch import ShotBatch
from dronecine.shots.reference import ImageTargets
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.episode_stats import EpisodeStats
from dronecine_sim.envs.errors import EnvConfigError
from dronecine_sim.envs.nearby import NearbyBuildings, occluded_fraction
from dronecine_sim.envs.reward import StepFilming, shot_reward
from dronecine_sim.envs.shot_sampler import ShotChoice, draw_shot
from dronecine_sim.perception import PerceptionModel
from dronecine_sim.subjects import BoxObstacles, Script, Subjects, random_scenario
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParams, VehicleState, randomise
from dronecine_sim.world import World
from dronecine_sim.world.buildings import boxes_clearance_m

if TYPE_CHECKING:  # the onboard perception brings ultralytics: only its users import it
    from dronecine_sim.perception.onboard import OnboardPerception

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_SUBJECT_AREA_M = 40.0  # people start within this of the set's centre
_MIN_START_HEIGHT_M = 1.5
_START_CLEARANCE_M = 2.0
_EXPECTED_POSITION_STD_M = 1.0
# A plan's gusts keep the default drone's ratio of vertical to horizontal gusts.
_VERTICAL_GUST_RATIO = VehicleParams().wind_vertical_sigma_m_s / VehicleParams().wind_sigma_m_s


@dataclass(frozen=True)
class EpisodePlan:
    """One drone's episode fixed in advance: the shot (parts left None are drawn), the subject's
    motion script, and the wind as (mean north, mean east, gust sigma) in m/s."""

    shot: ShotChoice
    script: Script
    wind: tuple[float, float, float] = (0.0, 0.0, 0.0)


class ShotSimulation:
    """N camera drones each filming a shot; see the module docstring for one step."""

    def __init__(self, n: int, config: ShotEnvConfig, autoreset: bool) -> None:
        self.n = n
        self.config = config
        self.autoreset = autoreset
        self.camera = config.camera
        self.dt_s = config.dt_s
        self.rng = np.random.default_rng()
        self.onboard: OnboardPerception | None = None
        self._build(np.random.default_rng(0))

    def use_onboard_perception(self, onboard: OnboardPerception) -> None:
        """See through the agent's own detector, tracker and lock on rendered frames instead of the
        perception model (slower by the detector's time per frame and drone)."""
        if onboard.n != self.n:
            raise EnvConfigError(f"onboard perception for {onboard.n} drones given to a simulation of {self.n}")
        self.onboard = onboard

    # --- setting up ----------------------------------------------------------------------------

    def _build(self, rng: np.random.Generator) -> None:
        """Everything a seed decides: the set, the vehicles' parameters, fresh models."""
        c, n = self.config, self.n
        self.world = World.random(
            rng, building_count=c.buildings, extent_m=c.set_extent_m, keep_clear=[(0.0, 0.0, _SUBJECT_AREA_M + 10.0)]
        )
        buildings = self.world.buildings
        if hasattr(self, "_renderer"):
            self._renderer.set_world(self.world)
        self.nearby = NearbyBuildings(buildings)
        obstacles = BoxObstacles(buildings.min_ned_m, buildings.max_ned_m) if len(buildings) else None
        self.subjects = Subjects(2 * n, obstacles)
        params = randomise(VehicleParams(), n, rng, scale=c.randomise)
        self.vehicle = VehicleModel(params, c.dt_s / c.substeps)
        self.state = VehicleState.at_rest(np.tile([0.0, 0.0, -5.0], (n, 1)))
        self.perception = PerceptionModel(n, c.perception_params, c.dt_s)
        self.observer = ShotObserver(n, self.camera, c.dt_s)  # its shots come with the first reset
        self.shots: list[Shot | None] = [None] * n
        self.fence_centre = np.zeros((n, 2))
        self.fence_half_size_m = np.full(n, c.fence_half_size_m[1])
        self.anchor_position = np.zeros((n, 3))
        self.anchor_heading = np.zeros(n)
        self.steps = np.zeros(n, dtype=np.int64)
        self.previous_action = np.zeros((n, ACTION.size))
        self.previous_accel = np.zeros((n, 3))
        self.stats = EpisodeStats(n)

    def reset_all(self, seed: int | None, options: dict[str, Any] | None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start every drone's episode; a seed rebuilds the set and the vehicles from scratch."""
        if seed is not None:
            self._reseed(seed)
        choice = ShotChoice.from_options(options)
        everyone = np.arange(self.n)
        self._reset(everyone, [choice] * self.n)
        obs = self._observe_rows(everyone)
        return obs, {}

    def reset_planned(self, seed: int, plans: Sequence[EpisodePlan]) -> np.ndarray:
        """Start every drone's episode as ``plans`` say (one per drone: the evaluation's scenarios)."""
        if len(plans) != self.n:
            raise EnvConfigError(f"{len(plans)} episode plans for {self.n} drones")
        self._reseed(seed)
        wind = np.array([p.wind for p in plans], dtype=float)  # (N, 3): mean north, mean east, gust sigma
        self.vehicle.set_params(
            dataclasses.replace(
                self.vehicle.params,
                wind_mean_north_m_s=wind[:, 0],
                wind_mean_east_m_s=wind[:, 1],
                wind_sigma_m_s=wind[:, 2],
                wind_vertical_sigma_m_s=wind[:, 2] * _VERTICAL_GUST_RATIO,
            )
        )
        everyone = np.arange(self.n)
        self._reset(everyone, [p.shot for p in plans], np.array([int(p.script) for p in plans]))
        return self._observe_rows(everyone)

    def _reseed(self, seed: int) -> None:
        """The episodes' random stream and everything a seed decides (``_build``) from ``seed``."""
        self.rng = np.random.default_rng(seed)
        self._build(np.random.default_rng([seed, 1]))

    def _reset(
        self, index: NDArray[np.intp], choices: Sequence[ShotChoice] | None = None, scripts: np.ndarray | None = None
    ) -> None:
        rng, c, k = self.rng, self.config, len(index)
        scenario = random_scenario(rng, k, extent_m=_SUBJECT_AREA_M, subject_scripts=scripts)
        scenario.apply(self.subjects, rng, index)
        shots = [draw_shot(rng, self.camera, choice) for choice in (choices or [ShotChoice()] * k)]
        for i, shot in zip(index, shots, strict=True):
            self.shots[int(i)] = shot
        subject = self._subject_state(index)
        self.anchor_position[index] = subject.position_ned_m
        self.anchor_heading[index] = subject.heading_deg
        # The ground station's expectation of where the subject is: close, not exact.
        expected = subject.position_ned_m + rng.normal(0.0, _EXPECTED_POSITION_STD_M, (k, 3)) * [1.0, 1.0, 0.0]
        self.observer.start_shots(index, shots, expected, subject.heading_deg)
        start = ShotBatch(shots).reference(np.zeros(k), subject, subject)
        offset = rng.uniform(-1.0, 1.0, (k, 3)) * c.start_offset_m
        position = start.position_ned_m + offset
        position[:, 2] = np.minimum(position[:, 2], -_MIN_START_HEIGHT_M)
        position = self._out_of_buildings(position, subject.position_ned_m)
        yaw = start.yaw_deg + rng.uniform(-1.0, 1.0, k) * c.start_yaw_deg
        pitch = start.pitch_deg + rng.uniform(-1.0, 1.0, k) * c.start_pitch_deg
        self.vehicle.reset(self.state, index, position, yaw, rng, gimbal_pitch_deg=pitch)
        self.perception.reset(index)
        if self.onboard is not None:
            self.onboard.reset(index)
        self.fence_centre[index] = subject.position_ned_m[:, :2]
        self.fence_half_size_m[index] = rng.uniform(*c.fence_half_size_m, k)
        self.steps[index] = 0
        self.previous_action[index] = 0.0
        self.previous_accel[index] = self.state.accel_ned_m_s2[index]
        self.stats.reset(index)

    def _out_of_buildings(self, position: FloatArray, subject: FloatArray) -> FloatArray:
        """A start inside or against a building moves up above it (the drone would have flown over)."""
        low, high = self.nearby.select(position)
        inside = boxes_clearance_m(position, low, high) < _START_CLEARANCE_M
        if inside.any():
            roof = np.where(
                (
                    (position[:, None, :2] > low[..., :2] - _START_CLEARANCE_M)
                    & (position[:, None, :2] < high[..., :2] + _START_CLEARANCE_M)
                ).all(axis=-1),
                low[..., 2],
                0.0,
            ).min(axis=1)
            position[inside, 2] = roof[inside] - _START_CLEARANCE_M - 1.0
        return position

    # --- stepping ------------------------------------------------------------------------------

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, FloatArray, BoolArray, BoolArray, dict[str, Any]]:
        c, n = self.config, self.n
        action = np.asarray(actions, dtype=np.float64).reshape(n, ACTION.size)
        setpoints = setpoints_from_action(action, c.action_scale)
        action = np.clip(action, -1.0, 1.0)  # what the vehicle was told (setpoints clip the same way)
        command = VehicleCommand(
            setpoints.velocity_frd_m_s,
            setpoints.yaw_rate_deg_s,
            setpoints.gimbal_pitch_rate_deg_s,
            setpoints.gimbal_yaw_rate_deg_s,
        )
        crashed = np.zeros(n, dtype=bool)
        for _ in range(c.substeps):
            crashed |= self.vehicle.step(self.state, command, self.rng)
        self.subjects.step(c.dt_s, self.rng)
        truth = self._true_targets()
        position = self.state.position_ned_m
        low, high = self.nearby.select(position)
        clearance = boxes_clearance_m(position, low, high)
        fence = self._fence_margin_m()
        obs, seen = self._sense_and_observe(action, fence, clearance)

        crashed |= clearance < 0.0
        breached = fence < 0.0
        terminated = crashed | breached
        self.steps += 1
        truncated = ~terminated & (self.steps >= c.max_episode_steps) if self.autoreset else np.zeros(n, dtype=bool)

        accel = self.state.accel_ned_m_s2
        jerk = np.linalg.norm(accel - self.previous_accel, axis=1) / c.dt_s
        self.previous_accel = accel.copy()
        change = np.mean((action - self.previous_action) ** 2, axis=1)
        self.previous_action = action
        filming = StepFilming(
            true_box=seen.true_box,
            occluded_fraction=seen.occluded,
            target_u=truth.target_u,
            target_v=truth.target_v,
            target_h=truth.target_h,
            position_error_m=np.linalg.norm(truth.position_ned_m - position, axis=1),
            jerk_m_s3=jerk,
            action_change=change,
            height_m=-position[:, 2],
            obstacle_clearance_m=clearance,
            fence_margin_m=fence,
        )
        terms = shot_reward(filming, terminated, c.reward)
        self.stats.add(terms, jerk)
        infos: dict[str, Any] = {
            "framing_error": terms.framing_error,
            "size_error": terms.size_error,
            "in_frame": terms.in_frame,
            "jerk_m_s3": jerk,
            "crashed": crashed,
            "geofence_breach": breached,
        }
        done = terminated | truncated
        if self.autoreset and done.any():
            index = np.flatnonzero(done)
            infos["final_obs"] = obs.copy()
            infos["_final_obs"] = done
            infos["episode"] = self.stats.summary()
            self._reset(index)
            obs[index] = self._observe_rows(index)
        return obs, terms.reward, terminated, truncated, infos

    # --- sensing -------------------------------------------------------------------------------

    def _subject_state(self, index: NDArray[np.intp] | slice = slice(None)) -> SubjectState:
        s = self.subjects
        return SubjectState(s.position_ned_m[index], s.velocity_ned_m_s[index], s.heading_deg[index], s.height_m[index])

    def _true_targets(self) -> ImageTargets:
        """Where the shots want the cameras and the boxes for the true subject, at the time the observer
        is at (the reward's; it needs no pointing, which is two thirds of a reference's cost)."""
        n = self.n
        anchor = SubjectState(self.anchor_position, np.zeros((n, 3)), self.anchor_heading, self.subjects.height_m[:n])
        return self.observer.shots.image_targets(self.observer.t_s, self._subject_state(slice(0, n)), anchor)

    def own_state(self) -> OwnState:
        s = self.state
        return OwnState(s.position_ned_m, s.velocity_ned_m_s, s.yaw_deg, s.gimbal_pitch_deg, s.gimbal_yaw_deg)

    def camera_pose(self) -> CameraPose:
        return self.own_state().camera_pose()

    def _fence_margin_m(self, rows: NDArray[np.intp] | slice = slice(None)) -> FloatArray:
        """Distance inside the square geofence and under its ceiling (negative outside)."""
        position = self.state.position_ned_m[rows]
        horizontal = self.fence_half_size_m[rows] - np.abs(position[:, :2] - self.fence_centre[rows]).max(axis=1)
        return np.minimum(horizontal, self.config.ceiling_m + position[:, 2])

    def _see(self) -> _Seen:
        """The subjects' and partners' true boxes from every camera, and how hidden the subjects are."""
        n, s = self.n, self.subjects
        pose = self.camera_pose()
        feet = np.stack([s.position_ned_m[:n], s.position_ned_m[n:]])  # (2, N, 3)
        boxes = project_person_boxes(self.camera, pose, feet, np.stack([s.height_m[:n], s.height_m[n:]]))
        points = silhouette_points(pose.position_ned_m, s.position_ned_m[:n], s.height_m[:n], PERSON_RADIUS_M)
        midpoint = (pose.position_ned_m + s.position_ned_m[:n]) / 2.0
        low, high = self.nearby.select(midpoint)
        return _Seen(boxes[0], boxes[1], occluded_fraction(pose.position_ned_m, points, low, high), pose)

    def _sense_and_observe(
        self, action: FloatArray, fence_margin_m: FloatArray, clearance: FloatArray
    ) -> tuple[np.ndarray, _Seen]:
        seen = self._see()
        if self.onboard is not None:
            frames = [self._render_view(i, seen.pose) for i in range(self.n)]
            track = self.onboard.observe(frames, seen.pose, self.observer.estimator.position_ned_m)
        else:
            track = self.perception.observe(seen.true_box, seen.occluded, seen.partner_box, self.rng)
        obs, _ = self.observer.observe(track, self.own_state(), action, fence_margin_m, clearance)
        return obs, seen

    def _observe_rows(self, index: NDArray[np.intp]) -> np.ndarray:
        """The first observation of freshly started drones: the tracker has not reported yet."""
        position = self.state.position_ned_m[index]
        low, high = self.nearby.select(position)
        obs, _ = self.observer.observe(
            SubjectTrack.unseen(len(index)),
            self.own_state().take(index),
            np.zeros((len(index), ACTION.size)),
            self._fence_margin_m(index),
            boxes_clearance_m(position, low, high),
            rows=index,
        )
        return obs

    def render(self, index: int = 0) -> np.ndarray:
        """What drone ``index``'s camera sees: the set, its subject and the partner."""
        return self._render_view(index, self.camera_pose())

    def _render_view(self, index: int, pose: CameraPose) -> np.ndarray:
        """Drone ``index``'s view, given every drone's camera ``pose`` (batched)."""
        from dronecine_sim.render import People, Renderer

        if not hasattr(self, "_renderer"):
            self._renderer = Renderer(self.world, self.camera)
        n, s = self.n, self.subjects
        rows = [index, n + index]
        people = People(
            position_ned_m=s.position_ned_m[rows],
            heading_deg=s.body_heading_deg[rows],
            height_m=s.height_m[rows],
            clothing_bgr=np.array([[40, 40, 200], [200, 120, 40]], dtype=np.uint8),
        )
        one = CameraPose(pose.position_ned_m[index], pose.rotation_ned_from_camera[index])
        return self._renderer.render(one, people)


class _Seen:
    """The truth about one step's view: boxes (N, 4), the subject's occluded fraction (N,), the cameras."""

    def __init__(self, true_box: FloatArray, partner_box: FloatArray, occluded: FloatArray, pose: CameraPose) -> None:
        self.true_box = true_box
        self.partner_box = partner_box
        self.occluded = occluded
        self.pose = pose
