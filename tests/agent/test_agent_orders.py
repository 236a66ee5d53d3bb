"""The station's orders to an onboard agent, flown on a simple vehicle: hold and resume, return,
land where it is, and a new timeline in the middle of a shot."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import LaggedVehicle, duet_document, load, make_agent

from dronecine.agent import AgentMode, EventKind
from dronecine.geometry.person import project_person_boxes
from dronecine.ground import plan_shoot
from dronecine.mission.safety import FailsafeAction
from dronecine.perception import SubjectTrack, TrackStatus

DT_S = 0.1
TAU_S = 0.3


class _Flight:
    """The duet's solo on a first-order vehicle, its subject (ada) standing at the origin."""

    def __init__(self) -> None:
        self.mission = load(duet_document(scene_s=16.0))
        self.plan = plan_shoot(self.mission)
        timeline = self.plan.timeline("solo")
        self.camera = self.mission.drone("solo").camera.pinhole()
        self.agent = make_agent(self.mission, timeline, dt_s=DT_S)
        self.vehicle = LaggedVehicle(timeline.home_ned_m, TAU_S)
        self.t_s = -self.plan.preroll_s
        self.events: list = []

    def fly_until(self, t_s: float) -> AgentMode:
        while self.t_s < t_s - 1e-9:
            own = self.vehicle.own_state()
            box = project_person_boxes(self.camera, own.camera_pose(), np.zeros((1, 3)), 1.7)
            seen = bool(np.isfinite(box).all())
            track = SubjectTrack(
                np.where(seen, box, np.nan),
                np.array([TrackStatus.DETECTED if seen else TrackStatus.LOST], np.int8),
                np.zeros(1),
            )
            out = self.agent.step(self.t_s, own, track, np.empty((0, 3)))
            self.events += [(self.t_s, e) for e in out.events]
            self.vehicle.fly(out, DT_S)
            self.t_s += DT_S
        return self.agent.mode

    @property
    def position(self) -> np.ndarray:
        return self.vehicle.position_ned_m


@pytest.fixture
def flight() -> _Flight:
    return _Flight()


def test_hold_hovers_off_the_timeline_until_resume(flight) -> None:
    assert flight.fly_until(4.0) == AgentMode.FILMING
    flight.agent.order(FailsafeAction.HOLD, "operator")
    assert flight.fly_until(4.2) == AgentMode.HOLD
    held_at = flight.position.copy()
    assert flight.fly_until(10.0) == AgentMode.HOLD  # the orbit would have moved it on
    assert np.linalg.norm(flight.position - held_at) < 1.5
    assert flight.agent.order_resume("operator")
    assert flight.fly_until(14.0) == AgentMode.FILMING  # back on the orbit
    kinds = [e.kind for _, e in flight.events]
    assert kinds.count(EventKind.COMMAND) == 2


def test_return_flies_home_and_lands_and_cannot_be_resumed(flight) -> None:
    flight.fly_until(4.0)
    flight.agent.order(FailsafeAction.RETURN, "battery")
    assert flight.fly_until(4.2) == AgentMode.RETURN
    assert not flight.agent.order_resume("operator")
    assert flight.fly_until(60.0) == AgentMode.LANDED
    home = flight.agent.timeline.home_ned_m
    assert np.linalg.norm(flight.position[:2] - home[:2]) < 1.5


def test_land_comes_down_where_the_drone_is(flight) -> None:
    flight.fly_until(4.0)
    above = flight.position.copy()
    flight.agent.order(FailsafeAction.LAND, "abort")
    assert flight.fly_until(4.2) == AgentMode.LAND
    assert flight.fly_until(30.0) == AgentMode.LANDED
    assert np.linalg.norm(flight.position[:2] - above[:2]) < 2.0
    assert np.linalg.norm(flight.position[:2] - flight.agent.timeline.home_ned_m[:2]) > 5.0  # not home


def test_a_new_timeline_without_the_shot_under_way_stops_it(flight) -> None:
    flight.fly_until(4.0)
    timeline = flight.agent.timeline
    flight.agent.replace_timeline(replace(timeline, shots=timeline.shots[1:]), "re-plan")
    assert flight.fly_until(4.2) == AgentMode.HOLD
    assert flight.agent.shot is None
    assert flight.fly_until(22.0) in (AgentMode.TRANSIT, AgentMode.FILMING)  # the next scene's shot
    assert flight.agent.shot.scene == "together"
    assert any(e.kind == EventKind.REPLAN for _, e in flight.events)


def test_a_new_timeline_keeping_the_shot_under_way_does_not_interrupt_it(flight) -> None:
    flight.fly_until(4.0)
    under_way = flight.agent.shot
    flight.agent.replace_timeline(replace(flight.agent.timeline, shots=flight.agent.timeline.shots[:1]), "re-plan")
    assert flight.fly_until(6.0) == AgentMode.FILMING
    assert flight.agent.shot.spec == under_way.spec
    assert flight.fly_until(20.0) == AgentMode.HOLD  # the second scene's shot was taken off it


def test_a_timeline_for_another_drone_is_refused(flight) -> None:
    with pytest.raises(ValueError, match="'duo'"):
        flight.agent.replace_timeline(flight.plan.timeline("duo"))
