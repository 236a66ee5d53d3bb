"""The onboard agent: one drone's loop from its tracker's report and telemetry to safe setpoints.

Each control step it follows its timeline (``dronecine.ground.DroneTimeline``): parked, take-off,
the flight to its first marks, a hold until action, then per scene either the flight to the new
shot (waiting or detouring as planned) and the policy filming it, or a hold; after the last scene
it flies home and lands. Whatever flies the drone (the policy or the steering), its command goes
through the safety supervisor, which can only make it safer. Before the timeline, the onboard
failsafes (``dronecine.flight.failsafe``: battery, ground link, perception) may take the drone off
it: hold, search for a lost subject, fly home, or land where it is (docs/failsafes.md). The agent is
synchronous and pure: the simulator, or a flight link in the field, feeds it and carries its output.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.detour import around_people, detour_clearance_m
from dronecine.agent.events import AgentEvent, EventKind
from dronecine.agent.modes import AgentMode
from dronecine.agent.orders import StationOrders
from dronecine.agent.search import SearchPattern, search_look_at
from dronecine.agent.steering import SteeringCommand, steer
from dronecine.control import OwnState, Policy, ShotObserver, setpoints_from_action
from dronecine.control.spaces import ACTION
from dronecine.flight.failsafe import FailsafeDecision, FailsafeMonitor, FailsafeSettings, FailsafeStatus
from dronecine.flight.safety import Intervention, PersonZone, SafetyLimits, SafetySupervisor
from dronecine.ground.timeline import DroneTimeline, PlannedShot
from dronecine.mission.motion import SubjectPath
from dronecine.perception import SubjectTrack
from dronecine.shots.batch import CameraReferences

logger = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]

HANDOVER_M = 3.0  # the policy takes over within this distance of the shot's reference
ARRIVED_M = 1.0  # a take-off, a waypoint or home is reached within this
LANDED_HEIGHT_M = 0.15
_OPEN_SKY_CLEARANCE_M = 100.0  # the mission declares no obstacles: the observation's clearance is "far"
# The failsafe decisions that take the drone off its timeline (a search stays within its shot).
_FAILSAFE_FLIES = (FailsafeDecision.HOLD, FailsafeDecision.RETURN, FailsafeDecision.LAND)


@dataclass(frozen=True)
class AgentOutput:
    """One step's command (NED velocity, rates) and what the agent did."""

    velocity_ned_m_s: FloatArray
    yaw_rate_deg_s: float
    gimbal_pitch_rate_deg_s: float
    gimbal_yaw_rate_deg_s: float
    mode: AgentMode
    shot: PlannedShot | None
    interventions: tuple[Intervention, ...]
    events: tuple[AgentEvent, ...] = field(default_factory=tuple)
    failsafe: FailsafeDecision = FailsafeDecision.NONE


class OnboardAgent(StationOrders):
    """One drone's agent. ``paths`` are the ground station's expected subject paths (where to look
    for the subject when a shot starts); ``policy`` flies the shots (one instance per agent);
    ``failsafe`` the onboard failsafes' thresholds (``FailsafeSettings.from_mission``; None: defaults)."""

    def __init__(
        self,
        timeline: DroneTimeline,
        policy: Policy,
        observer: ShotObserver,
        limits: SafetyLimits,
        paths: dict[str, SubjectPath],
        cruise_m_s: float,
        climb_m_s: float,
        failsafe: FailsafeSettings | None = None,
        search: SearchPattern | None = None,
    ) -> None:
        if observer.n != 1:
            raise ValueError(f"an onboard agent flies one drone; its observer has {observer.n}")
        self.timeline = timeline
        self.policy = policy
        self.observer = observer
        self.supervisor = SafetySupervisor(limits)
        self.failsafe = FailsafeMonitor(failsafe)
        self.search = SearchPattern() if search is None else search
        self.paths = paths
        self.cruise_m_s = cruise_m_s
        self.climb_m_s = climb_m_s
        self.dt_s = observer.dt_s
        self.mode = AgentMode.PARKED
        self.shot: PlannedShot | None = None
        self.reference: CameraReferences | None = None
        self.intervention_count = 0
        self._previous_action = np.zeros((1, ACTION.size))
        self._previous_interventions: tuple[Intervention, ...] = ()
        self._via: list[FloatArray] = []
        self._hold_at: FloatArray | None = None
        self._shot_index = 0
        self._last_reference: FloatArray | None = None
        self._depart_s = 0.0
        self._obs: np.ndarray | None = None
        self._resume: tuple[AgentMode, FloatArray | None] | None = None  # the mode a failsafe hold paused
        self._land_at: FloatArray | None = None  # (north, east) of a failsafe landing; None: home
        self._search_since_s = 0.0
        self._init_orders()  # the station's hold/return/land/resume and new timelines

    # --- the step -------------------------------------------------------------------------------

    def step(
        self,
        t_s: float,
        own: OwnState,
        track: SubjectTrack,
        others_ned_m: FloatArray,
        battery_percent: float | None = None,
        ground_link_age_s: float | None = None,
    ) -> AgentOutput:
        """One control step at mission time ``t_s``: telemetry ``own`` and tracker report ``track``
        (one drone each), ``others_ned_m`` (M, 3) the other drones as the station last reported them,
        ``battery_percent`` the battery's remaining charge and ``ground_link_age_s`` the time since
        the last ground-station message (None: unknown, their failsafes stay off)."""
        events: list[AgentEvent] = []
        status = self.failsafe.update(
            t_s,
            battery_percent=battery_percent,
            ground_link_age_s=ground_link_age_s,
            subject_detected=bool(track.detected[0]),
            filming=self.mode.on_shot,
        )
        if status.changed:
            self._apply_failsafe(t_s, status, own, events)
        self._carry_out_orders(t_s, own.position_ned_m[0], events)
        self._advance_timeline(t_s, own, events)
        if self.shot is not None:
            self.reference = self._observe(track, own)
        command = self._command(t_s, own, events)
        safe = self.supervisor.filter(
            command.velocity_ned_m_s,
            command.yaw_rate_deg_s,
            own.position_ned_m[0],
            own.velocity_ned_m_s[0],
            others_ned_m,
            enforce_floor=self.mode.keeps_floor,
            people=self._person_zones(t_s) if self.mode.keeps_floor else (),
        )
        if safe.interventions and safe.interventions != self._previous_interventions:
            self.intervention_count += 1
            reasons = ", ".join(i.value for i in safe.interventions)
            events.append(
                AgentEvent(EventKind.SAFETY, f"the supervisor limited the {self.mode.value} command: {reasons}")
            )
        self._previous_interventions = safe.interventions
        flying = self.mode.flying
        return AgentOutput(
            velocity_ned_m_s=safe.velocity_ned_m_s if flying else np.zeros(3),
            yaw_rate_deg_s=safe.yaw_rate_deg_s if flying else 0.0,
            gimbal_pitch_rate_deg_s=command.gimbal_pitch_rate_deg_s,
            gimbal_yaw_rate_deg_s=command.gimbal_yaw_rate_deg_s,
            mode=self.mode,
            shot=self.shot,
            interventions=safe.interventions,
            events=tuple(events),
            failsafe=status.decision,
        )

    # --- the timeline ---------------------------------------------------------------------------

    def _advance_timeline(self, t_s: float, own: OwnState, events: list[AgentEvent]) -> None:
        timeline = self.timeline
        height = -float(own.position_ned_m[0, 2])
        if self.failsafe.status.decision in _FAILSAFE_FLIES or self.commanded is not None:  # the timeline waits
            self._advance_landing(own, events)
            return
        if self.mode == AgentMode.PARKED and t_s >= timeline.takeoff_s and t_s < timeline.return_s:
            self.mode = AgentMode.TAKEOFF
            events.append(AgentEvent(EventKind.TAKEOFF, f"taking off to {timeline.takeoff_height_m:g} m"))
        if self.mode == AgentMode.TAKEOFF and height >= timeline.takeoff_height_m - ARRIVED_M:
            self.mode = AgentMode.TRANSIT
            events.append(AgentEvent(EventKind.TRANSIT, "flying to the first marks"))
        if t_s >= timeline.return_s and self.mode not in (AgentMode.RETURN, AgentMode.LAND, AgentMode.LANDED):
            self._end_shot(events)
            if self.mode.flying:
                self.mode = AgentMode.RETURN
                events.append(AgentEvent(EventKind.TRANSIT, "the shoot is over: flying home"))
            return
        shots = timeline.shots
        if self._shot_index < len(shots) and t_s >= shots[self._shot_index].start_s - 1e-9 and self.mode.flying:
            self._start_shot(shots[self._shot_index], own, events)
            self._shot_index += 1
        if self.shot is not None and t_s >= self.shot.end_s - 1e-9:
            self._end_shot(events)
            self._hold_at = own.position_ned_m[0].copy()
            self.mode = AgentMode.HOLD
        self._advance_landing(own, events)

    def _advance_landing(self, own: OwnState, events: list[AgentEvent]) -> None:
        if self.mode == AgentMode.RETURN:
            home_up = self._home_up()
            if np.linalg.norm(own.position_ned_m[0, :2] - home_up[:2]) < ARRIVED_M:
                self.mode = AgentMode.LAND
                events.append(AgentEvent(EventKind.LANDING, "over home: descending"))
        if self.mode == AgentMode.LAND and -float(own.position_ned_m[0, 2]) < LANDED_HEIGHT_M:
            self.mode = AgentMode.LANDED
            where = "at home" if self._land_at is None else "where the failsafe landed it"
            events.append(AgentEvent(EventKind.LANDED, f"on the ground {where}"))

    def _start_shot(self, shot: PlannedShot, own: OwnState, events: list[AgentEvent]) -> None:
        self._end_shot(events)
        path = self.paths[shot.subject_id]
        expected = path.state_at(shot.start_s)
        self.observer.start_shots([0], [shot.shot], expected.position_ned_m[None], [expected.heading_deg])
        self.policy.reset([0])
        self._previous_action[:] = 0.0
        self.shot = shot
        self._via = [np.asarray(p, dtype=float) for p in shot.via_ned_m]
        self._last_reference = None
        self._depart_s = shot.start_s + shot.depart_delay_s
        self._hold_at = own.position_ned_m[0].copy()
        self.mode = AgentMode.TRANSIT
        events.append(
            AgentEvent(EventKind.TRANSIT, f"scene {shot.scene}: flying to the {shot.spec.move} on {shot.subject_id}")
        )

    def _end_shot(self, events: list[AgentEvent]) -> None:
        if self.shot is not None:
            events.append(AgentEvent(EventKind.SHOT_END, f"scene {self.shot.scene}: {self.shot.spec.move} ends"))
        self.shot = None
        self.reference = None

    # --- commands -------------------------------------------------------------------------------

    def _observe(self, track: SubjectTrack, own: OwnState) -> CameraReferences:
        fence_margin = self._fence_margin_m(own.position_ned_m[0])
        obs, reference = self.observer.observe(
            track, own, self._previous_action, [fence_margin], [_OPEN_SKY_CLEARANCE_M]
        )
        self._obs = obs
        return reference

    def _command(self, t_s: float, own: OwnState, events: list[AgentEvent]) -> SteeringCommand:
        mode = self.mode
        position = own.position_ned_m[0]
        subject = self._subject_estimate(t_s)
        if mode in (AgentMode.PARKED, AgentMode.LANDED):
            return SteeringCommand(np.zeros(3), 0.0, 0.0, 0.0)
        if mode == AgentMode.TAKEOFF:
            above = self.timeline.home_ned_m + np.array([0.0, 0.0, -self.timeline.takeoff_height_m])
            return steer(own, np.array([position[0], position[1], above[2]]), subject, 0.0, self.climb_m_s)
        if mode == AgentMode.RETURN:
            home = self._around_people(position, self._home_up(), t_s)
            return steer(own, home, None, self.cruise_m_s, self.climb_m_s)
        if mode == AgentMode.LAND:
            home = self.timeline.home_ned_m if self._land_at is None else self._land_at
            return steer(own, np.array([home[0], home[1], 0.5]), None, self.cruise_m_s, self.climb_m_s)
        if mode == AgentMode.SEARCH:
            guesses = [subject, self._planned_subject(t_s)]  # the estimate, then the plan
            look_at = search_look_at(position, guesses, t_s - self._search_since_s, self.search)
            return steer(own, self._hold_at, look_at, self.cruise_m_s, self.climb_m_s)
        if mode == AgentMode.HOLD:
            return steer(own, self._hold_at, subject, self.cruise_m_s, self.climb_m_s)
        if mode == AgentMode.TRANSIT and self.shot is None:  # the pre-roll: to the first shot's marks
            return self._to_first_marks(t_s, own, subject)
        if mode == AgentMode.TRANSIT:
            return self._transit(t_s, own, subject, events)
        return self._film(own)

    def _to_first_marks(self, t_s: float, own: OwnState, subject: FloatArray) -> SteeringCommand:
        first = self.timeline.shots[0] if self.timeline.shots else None
        if first is None:
            return steer(own, own.position_ned_m[0], subject, self.cruise_m_s, self.climb_m_s)
        path = self.paths[first.subject_id]
        expected = path.state_at(first.start_s)
        mark = first.shot.reference(0.0, expected, expected).position_ned_m
        aim = self._around_people(own.position_ned_m[0], mark, t_s)
        return steer(own, aim, subject, self.cruise_m_s, self.climb_m_s)

    def _transit(self, t_s: float, own: OwnState, subject: FloatArray, events: list[AgentEvent]) -> SteeringCommand:
        position = own.position_ned_m[0]
        if t_s < self._depart_s:
            return steer(own, self._hold_at, subject, self.cruise_m_s, self.climb_m_s)
        if self._via:
            if np.linalg.norm(self._via[0] - position) < HANDOVER_M:
                self._via.pop(0)
            else:
                aim = self._around_people(position, self._via[0], t_s)
                return steer(own, aim, subject, self.cruise_m_s, self.climb_m_s)
        target = self.reference.position_ned_m[0]
        # Chasing a moving shot start: fly its velocity plus the correction, or a running subject's
        # shot is never caught (the correction alone lags by speed / gain).
        velocity = self._reference_velocity()
        if np.linalg.norm(target - position) < HANDOVER_M:
            self.mode = AgentMode.FILMING
            self.policy.reset([0])
            events.append(
                AgentEvent(EventKind.SHOT_START, f"scene {self.shot.scene}: filming the {self.shot.spec.move}")
            )
            return self._film(own)
        aim = self._around_people(position, target, t_s)
        return steer(own, aim, subject, self.cruise_m_s, self.climb_m_s, feed_forward_ned_m_s=velocity)

    def _film(self, own: OwnState) -> SteeringCommand:
        action = np.asarray(self.policy.predict(self._obs), dtype=np.float64).reshape(1, ACTION.size)
        self._previous_action = np.clip(action, -1.0, 1.0)
        setpoints = setpoints_from_action(action)
        yaw = np.radians(own.yaw_deg[0])
        forward, right, down = setpoints.velocity_frd_m_s[0]
        velocity = np.array(
            [forward * np.cos(yaw) - right * np.sin(yaw), forward * np.sin(yaw) + right * np.cos(yaw), down]
        )
        return SteeringCommand(
            velocity,
            float(setpoints.yaw_rate_deg_s[0]),
            float(setpoints.gimbal_pitch_rate_deg_s[0]),
            float(setpoints.gimbal_yaw_rate_deg_s[0]),
        )

    # --- failsafes ------------------------------------------------------------------------------

    def _apply_failsafe(self, t_s: float, status: FailsafeStatus, own: OwnState, events: list[AgentEvent]) -> None:
        """Carry out a new failsafe decision: the mode it asks for, or, as it ends, the mode it paused.
        A drone on the ground stays there; one already returning or landing carries on (a landing
        failsafe makes it land where it is)."""
        decision, position = status.decision, own.position_ned_m[0]
        if status.active:
            events.append(AgentEvent(EventKind.FAILSAFE, f"{decision.value} ({status.reason}): {status.message}"))
        airborne = self.mode.flying
        if decision is FailsafeDecision.LAND:
            if airborne and self.mode != AgentMode.LAND:
                self._end_shot(events)
                self._resume, self._land_at = None, position[:2].copy()
                self.mode = AgentMode.LAND
            return
        if decision is FailsafeDecision.RETURN:
            if airborne and self.mode not in (AgentMode.RETURN, AgentMode.LAND):
                self._end_shot(events)
                self._resume = None
                self.mode = AgentMode.RETURN
            return
        if decision is FailsafeDecision.HOLD:
            if airborne and self.mode not in (AgentMode.RETURN, AgentMode.LAND):
                paused = AgentMode.FILMING if self.mode == AgentMode.SEARCH else self.mode
                self._resume = (paused, self._hold_at)
                self._hold_at = position.copy()
                self.mode = AgentMode.HOLD
            return
        if self._resume is not None:  # a failsafe hold has ended
            self._resume_after_hold(position, events)
        if decision is FailsafeDecision.HOLD_AND_SEARCH and self.mode == AgentMode.FILMING:
            self._hold_at, self._search_since_s = position.copy(), t_s
            self.mode = AgentMode.SEARCH
        elif decision is FailsafeDecision.NONE and self.mode == AgentMode.SEARCH:
            self._rejoin_shot(position)
            events.append(AgentEvent(EventKind.FAILSAFE, f"the subject is detected again: {self.mode.value}"))

    def _resume_after_hold(self, position: FloatArray, events: list[AgentEvent]) -> None:
        mode, self._hold_at = self._resume
        self._resume = None
        self._last_reference = None  # the reference moved on while holding: no velocity from the jump
        if mode == AgentMode.FILMING and self.shot is not None:
            self._rejoin_shot(position)
        else:
            self.mode = mode
        events.append(AgentEvent(EventKind.FAILSAFE, f"the failsafe hold ends: {self.mode.value} resumes"))

    def _rejoin_shot(self, position: FloatArray) -> None:
        """Back to the shot after a search: the policy if the shot's reference is near, else a
        transit that chases it (a subject that walked on while the drone held is far ahead)."""
        near = self.reference is not None and np.linalg.norm(self.reference.position_ned_m[0] - position) < HANDOVER_M
        self._last_reference = None
        if near:
            self.mode = AgentMode.FILMING
            self.policy.reset([0])
            self._previous_action[:] = 0.0  # the search's commands were not the policy's
        else:
            self._via = []
            self.mode = AgentMode.TRANSIT

    # --- helpers --------------------------------------------------------------------------------

    def _subject_estimate(self, t_s: float) -> FloatArray | None:
        """Where to point the camera: the tracked estimate during a shot, else the expected path."""
        if self.shot is not None:
            state = self.observer.estimator
            return state.position_ned_m[0] - [0.0, 0.0, state.height_m[0] / 2.0]
        upcoming = next((s for s in self.timeline.shots if s.end_s > t_s), None)
        if upcoming is None:
            return None
        path = self.paths[upcoming.subject_id]
        return path.state_at(max(t_s, 0.0)).position_ned_m - [0.0, 0.0, path.height_m / 2.0]

    def _around_people(self, position_ned_m: FloatArray, target_ned_m: FloatArray, t_s: float) -> FloatArray:
        """Where to head for on the way to ``target_ned_m``: round the people the supervisor keeps clear
        of (``_person_zones``: the subject as tracked, the others as planned), wider than it does."""
        zones = self._person_zones(t_s)
        feet = np.array([zone.feet_ned_m for zone in zones]).reshape(-1, 3)
        clearance = detour_clearance_m([zone.clearance_m for zone in zones])
        return around_people(position_ned_m, target_ned_m, feet, clearance)

    def _person_zones(self, t_s: float) -> list[PersonZone]:
        """Everyone the supervisor keeps the drone clear of: the shot's subject as tracked (at the
        subject clearance: the shot may be a close one), the others as planned, their clearance widened
        by the radius their script lets them wander. ``step`` leaves them
        out during take-off and landing, straight up and down at home or where a failsafe lands it."""
        limits = self.supervisor.limits
        subject = self.shot.subject_id if self.shot is not None else None
        t_s = max(t_s, 0.0)  # the plan starts at 0: during the pre-roll everyone is where they start
        zones = []
        for name, path in self.paths.items():
            if name == subject:
                estimate = self.observer.estimator
                zones.append(
                    PersonZone(
                        estimate.position_ned_m[0],
                        limits.subject_clearance_m,
                        float(estimate.height_m[0]),
                        estimate.velocity_ned_m_s[0],
                    )
                )
            else:
                planned = path.state_at(t_s)
                # A wandering script's plan is the centre of where they wander: keep clear of all of it.
                clearance = limits.person_clearance_m + float(path.uncertainty_m[path.index_at(t_s)])
                zones.append(PersonZone(planned.position_ned_m, clearance, path.height_m, planned.velocity_ned_m_s))
        return zones

    def _planned_subject(self, t_s: float) -> FloatArray:
        """Where the ground station's plan puts the current shot's subject now (its middle)."""
        path = self.paths[self.shot.subject_id]
        return path.state_at(t_s).position_ned_m - [0.0, 0.0, path.height_m / 2.0]

    def _reference_velocity(self) -> FloatArray:
        """The shot reference's velocity, from its last two positions (zero at first)."""
        now = self.reference.position_ned_m[0]
        before = self._last_reference if self._last_reference is not None else now
        self._last_reference = now.copy()
        return (now - before) / self.dt_s

    def _home_up(self) -> FloatArray:
        return self.timeline.home_ned_m + np.array([0.0, 0.0, -self.timeline.takeoff_height_m])

    def _fence_margin_m(self, position: FloatArray) -> float:
        """The observation's fence margin: inside the geofence and under the ceiling (the supervisor's own)."""
        margins = self.supervisor.margins(position)
        return min(margins["fence_m"], margins["ceiling_m"])
