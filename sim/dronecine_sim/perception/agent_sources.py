"""The simulator's frame sources for ``dronecine agent --frames``, plugged in through the
``dronecine.perception`` entry point (``dronecine`` never imports the simulator).

- ``sim[:WIDTH]``: the sim renderer draws the mission's people, posed by the drone's own telemetry
  (SITL: PX4's position, attitude and gimbal), and the frame goes through the real detector, tracker
  and lock (``dronecine.agent.perception.DetectorPerception``). WIDTH: the frame's width (480).
- ``model[:LEVEL]``: no frames; the perception noise model (``PerceptionModel``, LEVEL ``oracle``,
  ``light``, ``noisy`` (the default) or ``harsh``) on the subject's true box in the drone's camera.

Both put the people on the mission's nominal paths (no wobble): the truth a SITL test measures against.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.errors import AgentError
from dronecine.agent.perception import DetectorPerception, PerceptionContext, make_detector
from dronecine.control import OwnState
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.mission.motion import SubjectPath, nominal_paths
from dronecine.perception import SubjectTrack
from dronecine_sim.perception.levels import PerceptionLevel
from dronecine_sim.perception.model import PerceptionModel
from dronecine_sim.render import People, Renderer
from dronecine_sim.world import World

FloatArray = NDArray[np.float64]
DEFAULT_WIDTH_PX = 480
_CLOTHING_BGR = np.array([[40, 40, 200], [200, 120, 40], [40, 160, 60], [30, 150, 220], [150, 60, 150]], np.uint8)


def _drone_index(context: PerceptionContext) -> int:
    return [d.id for d in context.mission.drones].index(context.drone_id)


class ModelPerception:
    """The perception model on the true box of the drone's subject (nominal path) in its camera."""

    in_thread = False

    def __init__(self, context: PerceptionContext, level: str) -> None:
        self.name = f"model:{level}"
        self.camera = context.camera
        self.paths = nominal_paths(context.mission)
        self.model = PerceptionModel(1, level, context.dt_s)
        self.rng = np.random.default_rng([context.seed, _drone_index(context)])

    def warm_up(self) -> None:
        """Nothing slow to prepare."""

    def reset(self) -> None:
        self.model.reset()

    def observe(self, t_s: float, own: OwnState, subject_id: str, expected_feet_ned_m: FloatArray) -> SubjectTrack:
        path = self.paths[subject_id]
        feet = path.state_at(max(t_s, 0.0)).position_ned_m
        pose = own.camera_pose()
        one = CameraPose(pose.position_ned_m[0], pose.rotation_ned_from_camera[0])
        box = project_person_boxes(self.camera, one, feet, path.height_m)
        return self.model.observe(box[None], np.zeros(1), None, self.rng)

    def close(self) -> None:
        """Nothing to release."""


class SubjectRenderer:
    """Renders the mission's people (on their nominal paths) from the drone's camera."""

    def __init__(self, paths: dict[str, SubjectPath], camera: PinholeCamera, seed: int) -> None:
        self.paths = paths
        self.renderer = Renderer(World.empty(seed=seed % 1000), camera)
        self._ids = tuple(paths)

    def people_at(self, t_s: float) -> People:
        states = [self.paths[s].state_at(max(t_s, 0.0)) for s in self._ids]
        speed = np.array([np.linalg.norm(s.velocity_ned_m_s) for s in states])
        return People(
            position_ned_m=np.array([s.position_ned_m for s in states]),
            heading_deg=np.array([s.heading_deg for s in states]),
            height_m=np.array([s.height_m for s in states]),
            clothing_bgr=_CLOTHING_BGR[np.arange(len(states)) % len(_CLOTHING_BGR)],
            gait_phase_rad=np.full(len(states), max(t_s, 0.0) * 2.0 * np.pi),  # about a stride a second
            gait_amplitude=np.clip(speed / 1.4, 0.0, 1.0),
        )

    def render(self, t_s: float, own: OwnState) -> NDArray[np.uint8]:
        pose = own.camera_pose()
        one = CameraPose(pose.position_ned_m[0], pose.rotation_ned_from_camera[0])
        return self.renderer.render(one, self.people_at(t_s))


class RenderedPerception(DetectorPerception):
    """Rendered frames through the detector, tracker and lock; the frame is drawn at the step's time."""

    def __init__(self, context: PerceptionContext, width_px: int) -> None:
        hfov = context.camera.hfov_deg
        camera = PinholeCamera(hfov, width_px, round(width_px * 9 / 16) // 2 * 2)
        self.scene = SubjectRenderer(nominal_paths(context.mission), camera, context.seed)
        self._t_s = 0.0
        acquire = context.mission.subjects[0].acquire
        super().__init__(
            f"sim:{width_px}",
            lambda own: self.scene.render(self._t_s, own),
            make_detector(context),
            camera,
            1.0 / context.dt_s,
            acquire.within_m,
            acquire.rule,
        )

    def observe(self, t_s: float, own: OwnState, subject_id: str, expected_feet_ned_m: FloatArray) -> SubjectTrack:
        self._t_s = t_s
        return super().observe(t_s, own, subject_id, expected_feet_ned_m)


def model_perception(context: PerceptionContext, argument: str) -> ModelPerception:
    level = argument or PerceptionLevel.NOISY.value
    levels = [x.value for x in PerceptionLevel]
    if level not in levels:
        raise AgentError(f"--frames model:{level}: not a perception level (expected one of: {', '.join(levels)})")
    return ModelPerception(context, level)


def sim_perception(context: PerceptionContext, argument: str) -> RenderedPerception:
    if argument and not (argument.isdigit() and 160 <= int(argument) <= 1920):
        raise AgentError(f"--frames sim:{argument}: expected sim:WIDTH with WIDTH 160..1920 pixels")
    return RenderedPerception(context, int(argument) if argument else DEFAULT_WIDTH_PX)
