"""Safety limits: read from the real mission, refused with a clear message when they cannot protect a
drone; the braking model's stopping distance and allowed speed are each other's inverse."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from flight_safetykit import ROBOT_SKIES_NE_M, SQUARE_NE_M, limits
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.flight import SafetyError, SafetyLimits, allowed_speed_m_s, planning_lag_s, stopping_distance_m
from dronecine.mission import load_mission

ROBOT_SKIES = Path(__file__).resolve().parents[2] / "missions" / "robot_skies.yaml"


def test_from_mission_reads_the_robot_skies_safety_block() -> None:
    safety = load_mission(ROBOT_SKIES).mission.safety
    lim = SafetyLimits.from_mission(safety)
    assert lim.geofence_ne_m == ROBOT_SKIES_NE_M
    assert (lim.ceiling_m, lim.floor_m, lim.min_separation_m) == (60.0, 1.5, 8.0)
    assert (lim.max_horizontal_speed_m_s, lim.max_vertical_speed_m_s, lim.max_yaw_rate_deg_s) == (9.0, 3.0, 60.0)
    assert (lim.braking_accel_m_s2, lim.response_lag_s, lim.margin_m) == (2.5, 0.6, 2.0)
    assert all(isinstance(v, float) for pair in lim.geofence_ne_m for v in pair)


def test_from_mission_takes_planning_overrides_and_refuses_unknown_ones() -> None:
    safety = load_mission(ROBOT_SKIES).mission.safety
    lim = SafetyLimits.from_mission(safety, response_lag_s=1.1, margin_m=3.0)
    assert (lim.response_lag_s, lim.margin_m) == (1.1, 3.0)
    with pytest.raises(SafetyError, match="unknown safety limit"):
        SafetyLimits.from_mission(safety, braking_m_s2=3.0)


def test_limits_are_frozen_and_numbers_become_floats() -> None:
    lim = limits(ceiling_m=40, floor_m=3)
    assert isinstance(lim.ceiling_m, float)
    assert isinstance(lim.floor_m, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lim.ceiling_m = 100.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("ceiling_m", 0.0, "expected a finite number > 0"),
        ("floor_m", -1.0, "expected a finite number >= 0"),
        ("min_separation_m", 0.0, "> 0 m"),
        ("max_horizontal_speed_m_s", -9.0, "> 0 m/s"),
        ("max_vertical_speed_m_s", math.nan, "> 0 m/s"),
        ("max_yaw_rate_deg_s", math.inf, "> 0 deg/s"),
        ("braking_accel_m_s2", 0.0, "> 0 m/s^2"),
        ("response_lag_s", 0.0, "> 0 s"),
        ("margin_m", -0.5, ">= 0 m"),
        ("return_speed_m_s", 0.0, "> 0 m/s"),
        ("max_horizontal_speed_m_s", True, "> 0 m/s"),
        ("ceiling_m", "60", "> 0 m"),
    ],
)
def test_bad_numbers_name_the_field_and_the_range(field: str, value: object, expected: str) -> None:
    with pytest.raises(SafetyError) as raised:
        limits(**{field: value})  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith(f"safety limit {field} = {value!r} is out of range")
    assert expected in message
    assert raised.value.field == field


def test_floor_must_be_below_the_ceiling() -> None:
    with pytest.raises(SafetyError, match=r"floor_m = 50 m must be below ceiling_m = 40 m"):
        limits(floor_m=50.0)
    with pytest.raises(SafetyError, match="floor_m"):
        limits(floor_m=40.0)


def test_the_margins_must_leave_a_height_band_and_an_area() -> None:
    with pytest.raises(SafetyError, match=r"no height to fly in.*ceiling_m - floor_m > 2 margin_m"):
        limits(floor_m=36.5, margin_m=2.0)
    with pytest.raises(SafetyError, match=r"geofence_ne_m leaves no area once margin_m = 30 m"):
        limits(SQUARE_NE_M, margin_m=30.0, ceiling_m=100.0)


def test_a_bad_fence_is_refused_by_the_limits() -> None:
    with pytest.raises(SafetyError, match=r"geofence_ne_m has 2 vertices"):
        limits(((0.0, 0.0), (10.0, 10.0)))
    with pytest.raises(SafetyError, match="crosses or touches itself"):
        limits(((0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)))


@settings(max_examples=200, deadline=None)
@given(
    distance_m=st.floats(0.0, 500.0),
    lag_s=st.floats(0.01, 3.0),
    accel=st.floats(0.5, 10.0),
)
def test_allowed_speed_stops_exactly_within_the_distance(distance_m: float, lag_s: float, accel: float) -> None:
    speed = allowed_speed_m_s(distance_m, lag_s, accel)
    assert speed >= 0.0
    assert stopping_distance_m(speed, lag_s, accel) == pytest.approx(distance_m, rel=1e-9, abs=1e-9)
    # Any faster and it would not stop in time.
    assert stopping_distance_m(speed + 0.01, lag_s, accel) > distance_m


def test_braking_model_by_hand() -> None:
    # 9 m/s, 0.6 s lag, 2.5 m/s^2: 5.4 m while reacting, 16.2 m braking.
    assert stopping_distance_m(9.0, 0.6, 2.5) == pytest.approx(21.6)
    assert allowed_speed_m_s(21.6, 0.6, 2.5) == pytest.approx(9.0)
    assert stopping_distance_m(-3.0, 0.6, 2.5) == 0.0  # moving away
    assert allowed_speed_m_s(-1.0, 0.6, 2.5) == 0.0
    lim = limits()
    assert lim.stopping_distance_m(9.0) == pytest.approx(21.6)
    assert lim.allowed_speed_m_s(21.6) == pytest.approx(9.0)


def test_planning_lag_covers_the_velocity_loop_the_period_and_the_jerk_ramp() -> None:
    assert planning_lag_s(0.35, 0.1) == pytest.approx(0.45)
    assert planning_lag_s(0.35, 0.1, 5.0, 8.0) == pytest.approx(0.35 + 0.1 + 0.625)
    with pytest.raises(SafetyError, match="max_jerk_m_s3 > 0"):
        planning_lag_s(0.35, 0.1, 5.0, 0.0)
