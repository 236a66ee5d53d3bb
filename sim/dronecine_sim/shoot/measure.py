"""The shoot's figures, step by step: how each drone filmed (``dronecine.metrics`` against the shot's
target for the true subject), how close the drones came, whether one left the geofence, and whether
one appeared in another's frame when its shot did not allow it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from dronecine.agent import AgentMode, AgentOutput, OnboardAgent
from dronecine.control import OwnState
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.ground import DroneTimeline, PlannedShot, ShootPlan
from dronecine.ground.deconflict import pairwise_distances_m, sees_drone
from dronecine.metrics import MISSING_BOX_ERROR, framing_error, in_frame, size_error
from dronecine.mission.document import Mission
from dronecine.shots import SubjectState

FloatArray = NDArray[np.float64]
IN_AIR_M = 0.3  # higher than this a drone is flying (and must keep its separation)


@dataclass
class _ShotTally:
    """One (drone, scene)'s running sums over its filming steps."""

    steps: int = 0
    framing: float = 0.0
    size: float = 0.0
    in_frame: int = 0
    jerk2: float = 0.0
    filming_start_s: float | None = None
    shot: PlannedShot | None = None  # what was filmed (a re-plan may hand a drone another drone's shot)


@dataclass(frozen=True)
class StepMeasures:
    framing_error: FloatArray  # (N,), NaN unless filming
    size_error: FloatArray
    in_frame: NDArray[np.bool_]


@dataclass
class ShootMeasures:
    mission: Mission
    plan: ShootPlan
    dt_s: float
    min_separation_m: float = float("inf")
    closest_person_m: float = float("inf")  # any flying drone to any person (an upright segment)
    separation_violations: int = 0
    geofence_breaches: int = 0
    mutual_visibility_violations: int = 0
    tallies: dict[tuple[str, int, float], _ShotTally] = field(default_factory=dict)  # (drone, scene, start_s)
    last_step: StepMeasures | None = None
    timelines: tuple[DroneTimeline, ...] | None = None  # the timelines flown, as re-planned (None: the plan's)

    def __post_init__(self) -> None:
        n = len(self.plan.timelines)
        self._fence = shapely.Polygon([p.as_tuple for p in self.mission.safety.geofence])
        self._previous_velocity = np.zeros((n, 3))
        self._previous_accel = np.zeros((n, 3))
        self.drone_ids = tuple(t.drone_id for t in self.plan.timelines)
        self.interventions = dict.fromkeys(self.drone_ids, 0)
        self.battery_percent: dict[str, float] = {}  # each pack's charge at the last step
        self._subject_index = {s.id: k for k, s in enumerate(self.mission.subjects)}

    def add(
        self,
        t_s: float,
        own: OwnState,
        true_box: FloatArray,
        outputs: list[AgentOutput],
        agents: list[OnboardAgent],
        people: SubjectState,
        cameras: list[PinholeCamera],
        elapsed_s: float | None = None,
    ) -> None:
        """One step at ``t_s``; ``elapsed_s`` since the step before (None: ``dt_s``; a SITL shoot's
        samples are not all one period apart)."""
        n = len(outputs)
        dt_s = self.dt_s if elapsed_s is None else elapsed_s
        accel = (own.velocity_ned_m_s - self._previous_velocity) / dt_s
        jerk = np.linalg.norm(accel - self._previous_accel, axis=1) / dt_s
        self._previous_velocity, self._previous_accel = own.velocity_ned_m_s.copy(), accel
        framing, size, seen = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=bool)
        for i, (out, agent) in enumerate(zip(outputs, agents, strict=True)):
            self.interventions[self.drone_ids[i]] = agent.intervention_count
            if out.shot is None:
                continue
            key = (self.drone_ids[i], out.shot.scene_index, out.shot.start_s)
            # Once a shot is on camera every step of it counts, a search for a lost subject and the
            # flight back to the shot's marks after it too: the footage is missing then.
            started = key in self.tallies and self.tallies[key].filming_start_s is not None
            if not (out.mode.on_shot or (started and out.mode == AgentMode.TRANSIT)):
                continue
            subject = people.select(self._subject_index[out.shot.subject_id])
            shot_t_s = float(agent.observer.t_s[0]) - self.dt_s  # observe() has moved the clock on
            target = out.shot.shot.reference(shot_t_s, subject, agent.observer.anchor().select(0)).target
            box = true_box[i]
            framing[i] = min(float(framing_error(box, target.u, target.v)), MISSING_BOX_ERROR)
            size[i] = min(float(size_error(box[3], target.h)), MISSING_BOX_ERROR) if np.isfinite(box[3]) else 1.0
            seen[i] = bool(in_frame(box))
            tally = self.tallies.setdefault(key, _ShotTally())
            if tally.filming_start_s is None:
                tally.filming_start_s, tally.shot = round(t_s, 2), out.shot
            tally.steps += 1
            tally.framing += framing[i]
            tally.size += size[i]
            tally.in_frame += int(seen[i])
            tally.jerk2 += float(jerk[i]) ** 2
        self.last_step = StepMeasures(framing, size, seen)
        flying = np.array([out.mode.flying for out in outputs]) & (-own.position_ned_m[:, 2] > IN_AIR_M)
        self._safety(own.position_ned_m, flying)
        self._people_clearance(own.position_ned_m[flying], people)
        self._visibility(own, outputs, flying, cameras)

    def _safety(self, position: FloatArray, flying: NDArray[np.bool_]) -> None:
        if flying.sum() >= 2:
            distance = pairwise_distances_m(position[flying])
            closest = float(distance.min())
            self.min_separation_m = min(self.min_separation_m, closest)
            if closest < self.mission.safety.min_separation_m:
                self.separation_violations += 1
        inside = shapely.contains_xy(self._fence, position[flying, 0], position[flying, 1])
        above = -position[flying, 2] > self.mission.safety.ceiling_m
        if (~inside | above).any():
            self.geofence_breaches += 1

    def _people_clearance(self, drones_ned_m: FloatArray, people: SubjectState) -> None:
        closest = closest_to_people_m(drones_ned_m, people.position_ned_m, people.height_m)
        self.closest_person_m = min(self.closest_person_m, closest)

    def _visibility(self, own: OwnState, outputs: list[AgentOutput], flying, cameras: list[PinholeCamera]) -> None:
        pose = own.camera_pose()
        for i, out in enumerate(outputs):
            if not out.mode.on_shot or out.shot is None:
                continue
            allowed = out.shot.spec.allow_drones_in_frame
            one = CameraPose(pose.position_ned_m[i], pose.rotation_ned_from_camera[i])
            for j, drone_id in enumerate(self.drone_ids):
                if (
                    j != i
                    and flying[j]
                    and drone_id not in allowed
                    and sees_drone(cameras[i], one, own.position_ned_m[j])
                ):
                    self.mutual_visibility_violations += 1
                    return  # counted per step, as the separation violations

    # --- results --------------------------------------------------------------------------------

    def shot_log(self) -> list[dict]:
        rows = []
        for timeline in self.timelines or self.plan.timelines:
            flown = [t.shot for (d, *_), t in self.tallies.items() if d == timeline.drone_id and t.shot is not None]
            # The timeline's shots, and those it filmed that a re-plan took off it since.
            planned = {(s.scene_index, s.start_s) for s in timeline.shots}
            shots = [*timeline.shots, *(s for s in flown if (s.scene_index, s.start_s) not in planned)]
            for shot in sorted(shots, key=lambda s: (s.scene_index, s.start_s)):
                tally = self.tallies.get((timeline.drone_id, shot.scene_index, shot.start_s), _ShotTally())
                steps = max(tally.steps, 1)
                rows.append(
                    {
                        "drone": timeline.drone_id,
                        "scene": shot.scene,
                        "scene_index": shot.scene_index,
                        "subject": shot.subject_id,
                        "move": shot.spec.move,
                        "size": shot.shot.size.value,
                        "priority": shot.priority.value,
                        "pace": shot.pace.value,
                        "start_s": shot.start_s,
                        "end_s": shot.end_s,
                        "filming_start_s": tally.filming_start_s,
                        "steps": tally.steps,
                        "framing_error": round(tally.framing / steps, 4) if tally.steps else None,
                        "size_error": round(tally.size / steps, 4) if tally.steps else None,
                        "in_frame": round(tally.in_frame / steps, 4) if tally.steps else None,
                        "jerk_rms": round(float(np.sqrt(tally.jerk2 / steps)), 3) if tally.steps else None,
                    }
                )
        return rows

    def drone_figures(self) -> dict[str, dict[str, float | int | None]]:
        """Per drone, over all its filming steps: the summary's ``drones`` entry."""
        figures = {}
        for drone_id in self.drone_ids:
            tallies = [t for (d, *_), t in self.tallies.items() if d == drone_id]
            steps = sum(t.steps for t in tallies)
            denominator = max(steps, 1)
            figures[drone_id] = {
                "in_frame": round(sum(t.in_frame for t in tallies) / denominator, 4) if steps else None,
                "framing_error": round(sum(t.framing for t in tallies) / denominator, 4) if steps else None,
                "size_error": round(sum(t.size for t in tallies) / denominator, 4) if steps else None,
                "jerk_rms": round(float(np.sqrt(sum(t.jerk2 for t in tallies) / denominator)), 3) if steps else None,
                "filming_steps": steps,
                "safety_interventions": self.interventions[drone_id],
                "battery_end_percent": self.battery_percent.get(drone_id),
            }
        return figures


def closest_to_people_m(drones_ned_m: FloatArray, feet_ned_m: FloatArray, height_m: FloatArray) -> float:
    """The distance (m) from the nearest of the drones (N, 3) to the nearest person, each an upright
    segment from the feet (K, 3) up ``height_m`` (K,); inf when there are no drones or no people."""
    drones, feet = np.asarray(drones_ned_m, dtype=float).reshape(-1, 3), np.asarray(feet_ned_m, dtype=float)
    if len(drones) == 0 or len(feet) == 0:
        return float("inf")
    offset = drones[:, None, :] - feet.reshape(-1, 3)[None, :, :]  # (N, K, 3)
    height = np.asarray(height_m, dtype=float).reshape(1, -1)
    # Beside the body the horizontal distance counts; above the head (or below the feet) the rest too.
    outside_m = np.maximum(-offset[..., 2] - height, 0.0) + np.maximum(offset[..., 2], 0.0)
    return float(np.hypot(np.hypot(offset[..., 0], offset[..., 1]), outside_m).min())
