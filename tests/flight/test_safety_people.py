"""The supervisor's person rule: a drone flown at a person, or a person walking at a drone, keeps
the clearance; a subject running ahead can be followed; bad input is a clear error.

Closed loops fly ``flight_safetykit.PointMass`` (a pessimistic first-order lag with acceleration
limits) at 50 Hz under the supervisor at 10 Hz; distances are judged with plain arithmetic."""

import math

import numpy as np
import pytest
from flight_safetykit import CONTROL_EVERY, PHYSICS_DT_S, PointMass, limits
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.flight import Intervention, PersonZone, SafetyError, SafetySupervisor, stopping_distance_m

HEIGHT_M = 1.75
TOLERANCE_M = 0.1
OPEN_FIELD = ((-200.0, -200.0), (-200.0, 200.0), (200.0, 200.0), (200.0, -200.0))


def _open_field() -> SafetySupervisor:
    """No floor, a far fence and ceiling: only the person rule can act."""
    return SafetySupervisor(limits(OPEN_FIELD, floor_m=0.0, ceiling_m=60.0))


def _distance_m(drone: np.ndarray, feet: np.ndarray) -> float:
    """Drone to the segment from the feet up to the head (NED: the head is at feet down - height)."""
    down = min(max(drone[2], feet[2] - HEIGHT_M), feet[2])
    return float(np.linalg.norm(drone - np.array([feet[0], feet[1], down])))


def _fly(
    start: np.ndarray,
    velocity: np.ndarray,
    asked: np.ndarray,
    feet: np.ndarray,
    person_velocity: np.ndarray,
    clearance_m: float,
    seconds: float,
) -> float:
    """Fly one drone asking ``asked`` (NED m/s) throughout while the person walks at ``person_velocity``;
    the closest the drone came to the person."""
    supervisor = _open_field()
    vehicle = PointMass(start[None].copy(), velocity[None].copy())
    feet = feet.copy()
    command = np.zeros((1, 3))
    closest = math.inf
    for step in range(round(seconds / PHYSICS_DT_S)):
        if step % CONTROL_EVERY == 0:
            zone = PersonZone(feet, clearance_m, HEIGHT_M, person_velocity)
            safe = supervisor.filter(asked, 0.0, vehicle.position_ned_m[0], vehicle.velocity_ned_m_s[0], people=[zone])
            command[0] = safe.velocity_ned_m_s
        vehicle.step(command)
        feet += person_velocity * PHYSICS_DT_S
        closest = min(closest, _distance_m(vehicle.position_ned_m[0], feet))
    return closest


@settings(max_examples=60, deadline=None)
@given(
    bearing_deg=st.floats(-180.0, 180.0),
    elevation_deg=st.floats(-10.0, 80.0),
    speed_m_s=st.floats(0.5, 8.0),
    clearance_m=st.sampled_from([1.5, 2.5]),
)
def test_a_drone_flown_at_a_standing_person_stops_outside_the_clearance(
    bearing_deg: float, elevation_deg: float, speed_m_s: float, clearance_m: float
) -> None:
    """From any side and from above (down onto the head), at any speed the drone can stop from."""
    lim = limits()
    head = np.array([0.0, 0.0, -HEIGHT_M])
    b, e = math.radians(bearing_deg), math.radians(elevation_deg)
    outward = np.array([math.cos(e) * math.cos(b), math.cos(e) * math.sin(b), -math.sin(e)])
    gap = clearance_m + stopping_distance_m(speed_m_s, lim.response_lag_s, lim.braking_accel_m_s2) + 1.0
    start = head + gap * outward
    start[2] = min(start[2], -0.5)  # above the ground
    towards = -outward * speed_m_s
    closest = _fly(start, towards, towards, np.zeros(3), np.zeros(3), clearance_m, seconds=12.0)
    assert closest >= clearance_m - TOLERANCE_M, f"came within {closest:.3f} m"


@pytest.mark.parametrize("walking_m_s", [0.8, 1.5, 2.5])
def test_a_person_walking_at_a_hovering_drone_makes_it_back_away(walking_m_s: float) -> None:
    start = np.array([0.0, 0.0, -3.0])
    feet = np.array([8.0, 0.0, 0.0])
    closest = _fly(start, np.zeros(3), np.zeros(3), feet, np.array([-walking_m_s, 0.0, 0.0]), 2.5, seconds=10.0)
    assert closest >= 2.5 - TOLERANCE_M


def test_a_subject_running_ahead_is_followed_at_its_speed_untouched() -> None:
    supervisor = _open_field()
    runner = PersonZone(np.array([4.0, 0.0, 0.0]), 1.5, HEIGHT_M, np.array([5.0, 0.0, 0.0]))
    safe = supervisor.filter([5.0, 0.0, 0.0], 0.0, [0.0, 0.0, -3.0], [5.0, 0.0, 0.0], people=[runner])
    assert not safe.changed
    np.testing.assert_allclose(safe.velocity_ned_m_s, [5.0, 0.0, 0.0])
    # The same closing on someone standing there is slowed down.
    standing = PersonZone(np.array([4.0, 0.0, 0.0]), 1.5, HEIGHT_M)
    slowed = supervisor.filter([5.0, 0.0, 0.0], 0.0, [0.0, 0.0, -3.0], [5.0, 0.0, 0.0], people=[standing])
    assert Intervention.PERSON in slowed.interventions
    assert slowed.velocity_ned_m_s[0] < 2.0


def test_passing_at_a_distance_or_flying_away_is_untouched() -> None:
    supervisor = _open_field()
    person = PersonZone(np.array([0.0, 0.0, 0.0]), 2.5, HEIGHT_M)
    for position, asked in (([-20.0, 0.0, -3.0], [4.0, 0.0, 0.0]), ([-3.0, 0.0, -3.0], [-4.0, 0.0, 0.0])):
        safe = supervisor.filter(asked, 0.0, position, [0.0, 0.0, 0.0], people=[person])
        assert not safe.changed, position


def test_a_drone_inside_the_clearance_is_moved_out() -> None:
    supervisor = _open_field()
    person = PersonZone(np.array([0.0, 0.0, 0.0]), 2.5, HEIGHT_M)
    beside = supervisor.filter([0.0, 0.0, 0.0], 0.0, [1.0, 0.0, -1.0], [0.0, 0.0, 0.0], people=[person])
    assert Intervention.PERSON in beside.interventions
    assert beside.velocity_ned_m_s[0] > 0.5  # away, to the north
    above = supervisor.filter([0.0, 0.0, 0.0], 0.0, [0.0, 0.0, -2.5], [0.0, 0.0, 0.0], people=[person])
    assert above.velocity_ned_m_s[2] < -0.5  # 0.75 m above the head: up


def test_a_person_with_no_known_position_is_skipped() -> None:
    supervisor = _open_field()
    lost = PersonZone(np.array([np.nan, 0.0, 0.0]), 2.5)
    safe = supervisor.filter([3.0, 0.0, 0.0], 0.0, [0.0, 0.0, -3.0], [0.0, 0.0, 0.0], people=[lost])
    assert not safe.changed


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (lambda: PersonZone(np.zeros(2), 2.5), "feet_ned_m"),
        (lambda: PersonZone(np.zeros(3), -1.0), "clearance_m"),
        (lambda: PersonZone(np.zeros(3), 2.5, float("nan")), "height_m"),
        (lambda: PersonZone(np.zeros(3), 2.5, 1.7, "fast"), "velocity_ned_m_s"),
    ],
)
def test_a_bad_person_is_a_clear_error(make, names: str) -> None:
    with pytest.raises(SafetyError, match=names):
        make()


def test_people_must_be_person_zones() -> None:
    with pytest.raises(SafetyError, match="PersonZone"):
        _open_field().filter([0.0, 0.0, 0.0], 0.0, [0.0, 0.0, -3.0], [0.0, 0.0, 0.0], people=[(0, 0, 0)])
