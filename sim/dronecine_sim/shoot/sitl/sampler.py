"""What a ``--sitl`` shoot records: every ``dt_s`` of mission time, each drone as its PX4 reports it
(position, velocity, attitude, gimbal) and what its agent does, measured against the people on the
mission's nominal paths (the truth the agents' ``sim`` and ``model`` frames see), written as the
simulated shoot writes it: telemetry, subjects and a rendered view per drone."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from dronecine_sim.perception.agent_sources import SubjectRenderer
from dronecine_sim.shoot.measure import ShootMeasures
from dronecine_sim.shoot.recorder import ShootRecorder, subjects_row, telemetry_row, track_name
from numpy.typing import NDArray

from dronecine.agent.runtime import AgentRuntime
from dronecine.control import OwnState
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.mission.document import Mission
from dronecine.mission.motion import nominal_paths
from dronecine.shots import SubjectState


class SitlSampler:
    """Samples ``runtimes`` (one per drone, in the plan's order) into ``recorder`` and ``measures``."""

    def __init__(
        self,
        mission: Mission,
        runtimes: list[AgentRuntime],
        recorder: ShootRecorder,
        measures: ShootMeasures,
        video_size: tuple[int, int] | None,
        seed: int,
    ) -> None:
        self.runtimes, self.recorder, self.measures = runtimes, recorder, measures
        self.paths = nominal_paths(mission)
        self.subject_ids = tuple(s.id for s in mission.subjects)
        self.cameras = [mission.drone(r.drone_id).camera.pinhole() for r in runtimes]
        self.renderers = (
            [SubjectRenderer(self.paths, PinholeCamera(c.hfov_deg, *video_size), seed) for c in self.cameras]
            if video_size is not None
            else []
        )
        self._last_frame: list[NDArray[np.uint8] | None] = [None] * len(runtimes)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitl-views")  # one: frames in order
        self.first_t_s: float | None = None
        self.last_t_s: float | None = None
        self.late_slots = 0  # slots filled by a later sample (the machine was too busy to take them)

    def ready(self) -> bool:
        """Every agent has its timeline, its frame and a first step: there is something to record."""
        return all(r.agent is not None and r.frame is not None and r.last_output is not None for r in self.runtimes)

    async def sample(self, slots_t_s: list[float]) -> None:
        """Record the drones now into the recording's slots ``slots_t_s`` (one, or the ones a late
        sample missed, the last being now): the state is read once, between two steps of the agents
        on their event loop, and fills every slot, as a frozen frame would. The views are rendered
        and encoded in a worker thread, so the agents keep stepping meanwhile."""
        t_s = slots_t_s[-1]
        own = _stack([r.telemetry.own_state(r.frame) for r in self.runtimes])
        outputs = [r.last_output for r in self.runtimes]
        agents = [r.agent for r in self.runtimes]
        people = self._people(t_s)
        pose = own.camera_pose()
        boxes = np.full((len(self.runtimes), 4), np.nan)
        for i, out in enumerate(outputs):
            if out.shot is not None:
                k = self.subject_ids.index(out.shot.subject_id)
                one = CameraPose(pose.position_ned_m[i], pose.rotation_ned_from_camera[i])
                boxes[i] = project_person_boxes(self.cameras[i], one, people.position_ned_m[k], people.height_m[k])
        elapsed = None if self.last_t_s is None else t_s - self.last_t_s
        self.measures.add(t_s, own, boxes, outputs, agents, people, self.cameras, elapsed_s=elapsed)
        for runtime in self.runtimes:
            battery = runtime.telemetry.battery_percent
            if battery is not None:
                self.measures.battery_percent[runtime.drone_id] = round(float(battery), 1)
        step = self.measures.last_step
        for slot_t_s in slots_t_s:
            t = round(slot_t_s, 3)
            where = people if slot_t_s == t_s else self._people(slot_t_s)  # the people move on in missed slots
            self.recorder.subjects(subjects_row(t, self.subject_ids, where.position_ned_m))
            for i, runtime in enumerate(self.runtimes):
                out, track = outputs[i], runtime.last_track
                name = track_name(track, 0) if out.shot is not None and track is not None else None
                row = telemetry_row(t, own, i, out, boxes[i], name, step, runtime.telemetry.battery_percent)
                self.recorder.telemetry(runtime.drone_id, row)
        if self.renderers:
            flying = [out.mode.flying for out in outputs]
            await asyncio.get_running_loop().run_in_executor(
                self._worker, self._record_views, t_s, own, flying, len(slots_t_s)
            )
        self.first_t_s = slots_t_s[0] if self.first_t_s is None else self.first_t_s
        self.last_t_s = t_s
        self.late_slots += len(slots_t_s) - 1

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    def _record_views(self, t_s: float, own: OwnState, flying: list[bool], slots: int) -> None:
        for i, runtime in enumerate(self.runtimes):
            last = self._last_frame[i]
            if flying[i] or last is None:  # nothing moves in front of a parked drone's camera
                last = self._last_frame[i] = self.renderers[i].render(t_s, own.take(np.array([i])))
            for _ in range(slots):
                self.recorder.frame(runtime.drone_id, last)

    def _people(self, t_s: float) -> SubjectState:
        states = [self.paths[s].state_at(max(t_s, 0.0)) for s in self.subject_ids]
        return SubjectState(
            np.array([s.position_ned_m for s in states]),
            np.array([s.velocity_ned_m_s for s in states]),
            np.array([s.heading_deg for s in states]),
            np.array([s.height_m for s in states], dtype=float),
        )


def _stack(states: list[OwnState]) -> OwnState:
    return OwnState(
        np.concatenate([s.position_ned_m for s in states]),
        np.concatenate([s.velocity_ned_m_s for s in states]),
        np.concatenate([s.yaw_deg for s in states]),
        np.concatenate([s.gimbal_pitch_deg for s in states]),
        np.concatenate([s.gimbal_yaw_deg for s in states]),
    )
