"""What the ground station may tell an onboard agent between two steps: hold, resume, return, land,
and a new timeline. A mixin of ``OnboardAgent``: the calls only queue the order (the station's
messages arrive between control steps, without telemetry); the next ``step`` carries it out, where
the drone's position is known.

A commanded hold, return or landing takes the drone off its timeline until ``resume`` (only a hold
resumes: a drone on its way home or down finishes, as with the failsafes). A new timeline replaces
the old from the next step on: the shot under way carries on if the new timeline still has it,
otherwise it ends and the drone holds until its next shot starts (at once, for a shot handed over in
the middle of its scene).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.events import AgentEvent, EventKind
from dronecine.agent.modes import AgentMode
from dronecine.ground.timeline import DroneTimeline, PlannedShot
from dronecine.mission.safety import FailsafeAction

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _Order:
    action: FailsafeAction | None  # None: resume
    reason: str


class StationOrders:
    """The station's orders for ``OnboardAgent`` (which sets up ``_init_orders`` and calls
    ``_carry_out_orders`` at the start of every step)."""

    # Provided by OnboardAgent.
    mode: AgentMode
    shot: PlannedShot | None
    timeline: DroneTimeline
    _hold_at: FloatArray | None
    _land_at: FloatArray | None
    _shot_index: int

    def _init_orders(self) -> None:
        self.commanded: FailsafeAction | None = None  # the station's hold/return/land in force
        self._orders: list[_Order] = []
        self._new_timeline: tuple[DroneTimeline, str] | None = None

    def order(self, action: FailsafeAction, reason: str = "") -> None:
        """The station commands ``action`` (hold, return or land) from the next step on."""
        self._orders.append(_Order(action, reason))

    def order_resume(self, reason: str = "") -> bool:
        """Back to the timeline after a commanded hold (from the next step); False, and nothing
        queued, when the drone is returning or landing on a command (those finish)."""
        pending = [o.action for o in self._orders if o.action is not None]
        latest = pending[-1] if pending else self.commanded
        if latest in (FailsafeAction.RETURN, FailsafeAction.LAND):
            return False
        self._orders.append(_Order(None, reason))
        return True

    def replace_timeline(self, timeline: DroneTimeline, reason: str = "") -> None:
        """Fly ``timeline`` from the next step on (the station re-planned)."""
        if timeline.drone_id != self.timeline.drone_id:
            raise ValueError(f"a timeline for {timeline.drone_id!r} given to {self.timeline.drone_id!r}'s agent")
        self._new_timeline = (timeline, reason)

    # --- carried out in step() ------------------------------------------------------------------

    def _carry_out_orders(self, t_s: float, position: FloatArray, events: list[AgentEvent]) -> None:
        if self._new_timeline is not None:
            timeline, reason = self._new_timeline
            self._new_timeline = None
            self._switch_timeline(timeline, t_s, position, reason, events)
        orders, self._orders = self._orders, []
        for order in orders:
            if order.action is None:
                self._resume_timeline(t_s, order.reason, events)
            else:
                self._obey(order, position, events)

    def _obey(self, order: _Order, position: FloatArray, events: list[AgentEvent]) -> None:
        action, airborne = order.action, self.mode.flying
        if self.commanded in (FailsafeAction.RETURN, FailsafeAction.LAND) and action == FailsafeAction.HOLD:
            return  # a drone on its way home or down finishes
        self.commanded = action
        message = f"the station commands {action.value}" + (f": {order.reason}" if order.reason else "")
        events.append(AgentEvent(EventKind.COMMAND, message))
        if not airborne:
            return  # on the ground it stays there (the timeline waits)
        if action == FailsafeAction.LAND:
            if self.mode != AgentMode.LAND:
                self._end_shot(events)
                self._land_at = position[:2].copy()
                self.mode = AgentMode.LAND
        elif action == FailsafeAction.RETURN:
            if self.mode not in (AgentMode.RETURN, AgentMode.LAND):
                self._end_shot(events)
                self.mode = AgentMode.RETURN
        elif self.mode not in (AgentMode.RETURN, AgentMode.LAND):
            self._end_shot(events)
            self._hold_at = position.copy()
            self.mode = AgentMode.HOLD

    def _resume_timeline(self, t_s: float, reason: str, events: list[AgentEvent]) -> None:
        if self.commanded != FailsafeAction.HOLD:
            return
        self.commanded = None
        # The shot the hold interrupted starts again (with a transit back to its marks).
        self._shot_index = _next_shot(self.timeline.shots, t_s, None)
        message = "the station resumes the timeline" + (f": {reason}" if reason else "")
        events.append(AgentEvent(EventKind.COMMAND, message))

    def _switch_timeline(
        self, timeline: DroneTimeline, t_s: float, position: FloatArray, reason: str, events: list[AgentEvent]
    ) -> None:
        current = self.shot
        kept = next((s for s in timeline.shots if current is not None and _same(s, current)), None)
        if current is not None and kept is None:
            self._end_shot(events)
            if self.mode in (AgentMode.FILMING, AgentMode.TRANSIT, AgentMode.SEARCH):
                self._hold_at = position.copy()
                self.mode = AgentMode.HOLD
        self.timeline = timeline
        if kept is not None:
            self.shot = kept
        self._shot_index = _next_shot(timeline.shots, t_s, kept)
        moves = ", ".join(f"{s.scene}: {s.spec.move} on {s.subject_id}" for s in timeline.shots if s.end_s > t_s)
        why = reason or "re-plan"
        events.append(AgentEvent(EventKind.REPLAN, f"new timeline from the station ({why}): {moves or 'no shots'}"))


def _same(a: PlannedShot, b: PlannedShot) -> bool:
    return a.scene_index == b.scene_index and a.start_s == b.start_s and a.spec == b.spec


def _next_shot(shots: tuple[PlannedShot, ...], t_s: float, under_way: PlannedShot | None) -> int:
    """The index of the next shot to start: the first not over yet, after the one under way."""
    for i, shot in enumerate(shots):
        if shot.end_s > t_s and (under_way is None or shot.scene_index > under_way.scene_index):
            return i
    return len(shots)
