"""The supervisor's rules on hand-picked cases, and what holds for any command: speed caps, the
braking budgets towards the fence, ceiling, floor and other drones, returns from beyond them,
NaN and absurd commands, counts and logs.

The fence is the 60 m square (north and east -30..30), ceiling 40 m, floor 3 m, margin 2 m,
separation 8 m, speeds 9 m/s horizontal and 3 m/s vertical, 60 deg/s yaw; braking model: lag 0.6 s,
2.5 m/s^2."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest
import shapely
from flight_safetykit import SQUARE_NE_M, limits
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.flight import Intervention, SafeCommand, SafetyError, SafetySupervisor

LIM = limits(SQUARE_NE_M)
AT_20_M = [0.0, 0.0, -20.0]  # the middle of the square, 20 m up
STILL = [0.0, 0.0, 0.0]


def supervisor() -> SafetySupervisor:
    return SafetySupervisor(LIM)


def allowed(distance_m: float) -> float:
    """The braking model's approach speed for ``distance_m`` before a boundary (beyond the margin)."""
    return LIM.allowed_speed_m_s(distance_m - LIM.margin_m)


# --- unchanged when safe -----------------------------------------------------------------------------


def test_a_small_command_inside_passes_unchanged() -> None:
    s = supervisor()
    asked = np.array([2.0, -1.0, 0.5])
    safe = s.filter(asked, 10.0, AT_20_M, [1.0, 0.0, 0.0])
    assert safe.interventions == ()
    assert not safe.changed
    assert np.array_equal(safe.velocity_ned_m_s, asked)
    assert safe.yaw_rate_deg_s == 10.0
    assert s.calls == 1
    assert all(count == 0 for count in s.counts.values())


def test_full_speed_far_from_every_boundary_passes_unchanged() -> None:
    asked = np.array([9.0 * 0.6, -9.0 * 0.8, 3.0])
    safe = supervisor().filter(asked, -60.0, [0.0, 0.0, -20.0], asked)
    assert safe.interventions == ()
    assert np.array_equal(safe.velocity_ned_m_s, asked)


def test_the_command_is_read_only() -> None:
    safe = supervisor().filter([1.0, 0.0, 0.0], 0.0, AT_20_M, STILL)
    assert isinstance(safe, SafeCommand)
    with pytest.raises(ValueError, match="read-only"):
        safe.velocity_ned_m_s[0] = 5.0


# --- rule 1: speed caps --------------------------------------------------------------------------------


def test_horizontal_speed_is_scaled_keeping_its_direction() -> None:
    safe = supervisor().filter([30.0, 40.0, 0.0], 0.0, AT_20_M, STILL)
    assert safe.velocity_ned_m_s == pytest.approx([5.4, 7.2, 0.0])
    assert safe.interventions == (Intervention.SPEED,)


@pytest.mark.parametrize(("down", "expected"), [(10.0, 3.0), (-10.0, -3.0), (1000.0, 3.0)])
def test_vertical_speed_is_clipped(down: float, expected: float) -> None:
    safe = supervisor().filter([0.0, 0.0, down], 0.0, AT_20_M, STILL)
    assert safe.velocity_ned_m_s[2] == expected
    assert safe.interventions == (Intervention.SPEED,)


@pytest.mark.parametrize(("asked", "expected"), [(500.0, 60.0), (-500.0, -60.0), (60.0, 60.0), (-1e9, -60.0)])
def test_yaw_rate_is_clipped(asked: float, expected: float) -> None:
    safe = supervisor().filter([0.0, 0.0, 0.0], asked, AT_20_M, STILL)
    assert safe.yaw_rate_deg_s == expected
    assert safe.interventions == ((Intervention.YAW_RATE,) if abs(asked) > 60.0 else ())


def test_a_thousand_metres_a_second_is_capped() -> None:
    safe = supervisor().filter([1000.0, 0.0, -1000.0], 1e6, AT_20_M, STILL)
    assert safe.velocity_ned_m_s == pytest.approx([9.0, 0.0, -3.0])
    assert safe.yaw_rate_deg_s == 60.0
    assert safe.interventions == (Intervention.SPEED, Intervention.YAW_RATE)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_commands_become_a_hover_and_are_counted(bad: float) -> None:
    s = supervisor()
    safe = s.filter([5.0, bad, 1.0], bad, AT_20_M, [3.0, 0.0, 0.0])
    assert np.array_equal(safe.velocity_ned_m_s, [0.0, 0.0, 0.0])
    assert safe.yaw_rate_deg_s == 0.0
    assert safe.interventions == (Intervention.SPEED, Intervention.YAW_RATE)
    assert s.counts[Intervention.SPEED] == 1
    assert s.counts[Intervention.YAW_RATE] == 1


@pytest.mark.parametrize(
    ("position", "velocity_now"), [([math.nan, 0.0, -20.0], STILL), (AT_20_M, [0.0, math.inf, 0.0])]
)
def test_bad_telemetry_gives_a_hover(position: list[float], velocity_now: list[float]) -> None:
    s = supervisor()
    safe = s.filter([5.0, 0.0, 0.0], 20.0, position, velocity_now)
    assert np.array_equal(safe.velocity_ned_m_s, [0.0, 0.0, 0.0])
    assert safe.yaw_rate_deg_s == 20.0
    assert safe.interventions == (Intervention.INVALID_STATE,)
    assert s.counts[Intervention.INVALID_STATE] == 1


# --- rule 3: geofence ---------------------------------------------------------------------------------


def test_flying_at_the_fence_at_full_speed_is_slowed_to_the_braking_budget() -> None:
    s = supervisor()
    safe = s.filter([9.0, 0.0, 0.0], 0.0, [10.0, 0.0, -20.0], STILL)  # 20 m from the north edge
    assert safe.velocity_ned_m_s == pytest.approx([allowed(20.0), 0.0, 0.0])
    assert allowed(20.0) < 9.0
    assert safe.interventions == (Intervention.GEOFENCE,)
    assert s.counts[Intervention.GEOFENCE] == 1


def test_a_drone_already_too_fast_is_told_to_brake_harder() -> None:
    budget = allowed(20.0)
    safe = supervisor().filter([9.0, 0.0, 0.0], 0.0, [10.0, 0.0, -20.0], [9.0, 0.0, 0.0])
    assert safe.velocity_ned_m_s[0] == pytest.approx(budget - (9.0 - budget))
    assert safe.interventions == (Intervention.GEOFENCE,)


def test_while_braking_for_the_fence_the_policy_cannot_turn() -> None:
    # 10 m from the north edge at 7 m/s north (allowed: 5 m/s), drifting west; the policy turns east.
    safe = supervisor().filter([0.0, 9.0, 0.5], 0.0, [20.0, 0.0, -20.0], [7.0, -5.0, 0.0])
    budget = allowed(10.0)
    assert safe.velocity_ned_m_s == pytest.approx([budget - (7.0 - budget), -5.0, 0.5])
    assert safe.interventions == (Intervention.GEOFENCE,)


def test_braking_comes_first_gradually() -> None:
    # Only 0.5 m/s faster than allowed: the command is drawn half way to the current velocity.
    budget = allowed(10.0)
    now = [budget + 0.5, -4.0, 0.0]
    safe = supervisor().filter([0.0, 4.0, 0.0], 0.0, [20.0, 0.0, -20.0], now)
    assert safe.velocity_ned_m_s[1] == pytest.approx(0.0)
    assert safe.velocity_ned_m_s[0] <= budget - 0.5 + 1e-9


def test_flying_along_the_fence_close_to_it_is_untouched() -> None:
    asked = np.array([0.0, 9.0, 0.0])
    safe = supervisor().filter(asked, 0.0, [27.0, -10.0, -20.0], asked)  # 3 m from the north edge
    assert safe.interventions == ()
    assert np.array_equal(safe.velocity_ned_m_s, asked)


def test_flying_away_from_the_fence_is_untouched() -> None:
    asked = np.array([-9.0, 0.0, 0.0])
    safe = supervisor().filter(asked, 0.0, [29.5, 0.0, -20.0], asked)  # inside the margin, leaving it
    assert safe.interventions == ()
    assert np.array_equal(safe.velocity_ned_m_s, asked)


def test_into_a_corner_both_edges_hold() -> None:
    safe = supervisor().filter([6.0, 6.0, 0.0], 0.0, [25.0, 25.0, -20.0], STILL)
    v = safe.velocity_ned_m_s
    assert v[0] == pytest.approx(allowed(5.0))
    assert v[1] == pytest.approx(allowed(5.0))
    assert safe.interventions == (Intervention.GEOFENCE,)


def test_inside_the_margin_a_hovering_drone_is_pushed_back_in() -> None:
    safe = supervisor().filter(STILL, 0.0, [29.5, 0.0, -20.0], STILL)
    assert safe.velocity_ned_m_s == pytest.approx([-LIM.return_speed_m_s, 0.0, 0.0])
    assert safe.interventions == (Intervention.GEOFENCE,)


def test_outside_the_fence_the_drone_flies_straight_back_in() -> None:
    # 5 m north of the north edge; the policy wants out and sideways, and to climb.
    safe = supervisor().filter([8.0, 4.0, -1.0], 0.0, [35.0, 10.0, -20.0], STILL)
    assert safe.velocity_ned_m_s == pytest.approx([-LIM.return_speed_m_s, 0.0, -1.0])
    assert safe.interventions == (Intervention.GEOFENCE,)


def test_outside_the_policy_may_return_faster() -> None:
    safe = supervisor().filter([-6.0, 2.0, 0.0], 0.0, [35.0, 10.0, -20.0], [-6.0, 0.0, 0.0])
    assert safe.velocity_ned_m_s == pytest.approx([-6.0, 0.0, 0.0])  # in at 6 m/s, sideways speed removed


def test_outside_a_corner_the_drone_heads_for_the_corner() -> None:
    safe = supervisor().filter(STILL, 0.0, [35.0, 35.0, -20.0], STILL)
    v = safe.velocity_ned_m_s
    assert v[0] == pytest.approx(v[1])
    assert v[0] < 0.0
    assert math.hypot(v[0], v[1]) == pytest.approx(LIM.return_speed_m_s)


# --- rule 2: ceiling and floor -----------------------------------------------------------------------


def test_climbing_far_below_the_ceiling_is_untouched() -> None:
    safe = supervisor().filter([0.0, 0.0, -3.0], 0.0, [0.0, 0.0, -30.0], STILL)
    assert safe.interventions == ()


def test_climbing_near_the_ceiling_is_slowed() -> None:
    safe = supervisor().filter([0.0, 0.0, -3.0], 0.0, [0.0, 0.0, -37.0], STILL)  # 3 m below it
    assert safe.velocity_ned_m_s[2] == pytest.approx(-allowed(3.0))
    assert safe.interventions == (Intervention.CEILING,)


def test_above_the_ceiling_the_drone_descends() -> None:
    safe = supervisor().filter([0.0, 0.0, -3.0], 0.0, [0.0, 0.0, -45.0], STILL)
    assert safe.velocity_ned_m_s[2] == pytest.approx(LIM.return_speed_m_s)
    assert safe.interventions == (Intervention.CEILING,)


def test_near_the_floor_the_drone_is_lifted_unless_taking_off_or_landing() -> None:
    s = supervisor()
    safe = s.filter([0.0, 0.0, 3.0], 0.0, [0.0, 0.0, -4.0], STILL)  # 1 m above the floor: in its margin
    assert safe.velocity_ned_m_s[2] == pytest.approx(-LIM.return_speed_m_s)
    assert safe.interventions == (Intervention.FLOOR,)
    landing = s.filter([0.0, 0.0, 3.0], 0.0, [0.0, 0.0, -4.0], STILL, enforce_floor=False)
    assert landing.interventions == ()
    assert landing.velocity_ned_m_s[2] == 3.0


def test_descending_towards_the_floor_is_slowed() -> None:
    safe = supervisor().filter([0.0, 0.0, 3.0], 0.0, [0.0, 0.0, -8.0], STILL)  # 5 m above it
    assert safe.velocity_ned_m_s[2] == pytest.approx(allowed(5.0))
    assert safe.interventions == (Intervention.FLOOR,)


# --- rule 4: separation -------------------------------------------------------------------------------


def test_flying_at_another_drone_is_slowed_to_half_the_budget() -> None:
    other = [[20.0, 0.0, -20.0]]
    safe = supervisor().filter([9.0, 0.0, 0.0], 0.0, AT_20_M, STILL, other)
    half = 0.5 * (20.0 - LIM.min_separation_m - LIM.margin_m)
    assert safe.velocity_ned_m_s == pytest.approx([LIM.allowed_speed_m_s(half), 0.0, 0.0])
    assert safe.interventions == (Intervention.SEPARATION,)


def test_flying_away_from_or_past_another_drone_is_untouched() -> None:
    other = [[12.0, 0.0, -20.0]]
    for asked in ([-9.0, 0.0, 0.0], [0.0, 9.0, 0.0]):
        safe = supervisor().filter(asked, 0.0, AT_20_M, asked, other)
        assert safe.interventions == ()


def test_too_close_the_drones_separate() -> None:
    safe = supervisor().filter(STILL, 0.0, AT_20_M, STILL, [[6.0, 0.0, -20.0]])
    assert safe.velocity_ned_m_s == pytest.approx([-LIM.return_speed_m_s, 0.0, 0.0])
    below = supervisor().filter([0.0, 0.0, 3.0], 0.0, AT_20_M, STILL, [[0.0, 0.0, -15.0]])  # 5 m below
    assert below.velocity_ned_m_s == pytest.approx([0.0, 0.0, -LIM.return_speed_m_s])
    assert below.interventions == (Intervention.SEPARATION,)


def test_others_may_be_none_or_given_as_lists() -> None:
    s = supervisor()
    for others in ((), [], np.zeros((0, 3)), [[100.0, 0.0, -20.0]]):
        assert s.filter([1.0, 0.0, 0.0], 0.0, AT_20_M, STILL, others).interventions == ()


def test_a_non_finite_other_drone_is_ignored() -> None:
    safe = supervisor().filter([1.0, 0.0, 0.0], 0.0, AT_20_M, STILL, [[math.nan, 0.0, 0.0], [50.0, 0.0, -20.0]])
    assert safe.interventions == ()


def test_outside_the_fence_with_a_drone_in_the_way_it_holds_rather_than_hit_it() -> None:
    # 1 m outside the north edge, another drone 4 m inside it: back in means towards the drone.
    safe = supervisor().filter([-9.0, 3.0, 0.0], 0.0, [31.0, 0.0, -20.0], STILL, [[27.0, 0.0, -20.0]])
    assert safe.velocity_ned_m_s[:2] == pytest.approx([0.0, 0.0])
    assert set(safe.interventions) >= {Intervention.GEOFENCE, Intervention.SEPARATION}


# --- counts, logs, inputs ------------------------------------------------------------------------------


def test_counts_add_up_and_interventions_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    s = supervisor()
    with caplog.at_level(logging.DEBUG, logger="dronecine.flight.safety"):
        s.filter([9.0, 0.0, 0.0], 0.0, [25.0, 0.0, -20.0], STILL)
        s.filter([9.0, 0.0, 0.0], 0.0, [25.0, 0.0, -20.0], STILL)
        s.filter([0.0, 0.0, -3.0], 100.0, [0.0, 0.0, -39.0], STILL)
        s.filter([1.0, 0.0, 0.0], 0.0, AT_20_M, STILL)
    assert s.calls == 4
    assert s.counts[Intervention.GEOFENCE] == 2
    assert s.counts[Intervention.CEILING] == 1
    assert s.counts[Intervention.YAW_RATE] == 1
    assert s.counts[Intervention.SPEED] == 0
    text = caplog.text
    assert "geofence: edge 2:" in text
    assert "allowed" in text
    assert "ceiling: ceiling:" in text
    assert "yaw_rate: 100 deg/s beyond the limit 60 deg/s" in text
    s.reset_counts()
    assert s.calls == 0
    assert sum(s.counts.values()) == 0


def test_counts_are_a_copy() -> None:
    s = supervisor()
    s.counts[Intervention.SPEED] = 99
    assert s.counts[Intervention.SPEED] == 0


def test_margins_give_the_distances_to_the_boundaries() -> None:
    assert supervisor().margins([10.0, -5.0, -20.0]) == pytest.approx(
        {"fence_m": 20.0, "ceiling_m": 20.0, "floor_m": 17.0}
    )
    assert supervisor().margins([40.0, 0.0, -50.0]) == pytest.approx(
        {"fence_m": -10.0, "ceiling_m": -10.0, "floor_m": 47.0}
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (([1.0, 0.0], 0.0, AT_20_M, STILL), "velocity_ned_m_s"),
        (([1.0, 0.0, 0.0], 0.0, [0.0, 0.0], STILL), "position_ned_m"),
        (([1.0, 0.0, 0.0], 0.0, AT_20_M, "fast"), "velocity_now_ned_m_s"),
        (([1.0, 0.0, 0.0], "fast", AT_20_M, STILL), "yaw_rate_deg_s"),
        (([1.0, 0.0, 0.0], 0.0, AT_20_M, STILL, [[1.0, 2.0]]), "others_ned_m"),
    ],
)
def test_malformed_inputs_raise_safety_errors_naming_the_argument(args: tuple, field: str) -> None:
    with pytest.raises(SafetyError, match=field) as raised:
        supervisor().filter(*args)
    assert raised.value.field == field


def test_the_supervisor_needs_safety_limits() -> None:
    with pytest.raises(SafetyError, match="limits must be SafetyLimits"):
        SafetySupervisor({"ceiling_m": 40.0})  # type: ignore[arg-type]


# --- any command ---------------------------------------------------------------------------------------

_SPEED = st.floats(-100.0, 100.0)


@settings(max_examples=300, deadline=None)
@given(
    asked=st.tuples(_SPEED, _SPEED, _SPEED),
    yaw=st.floats(-1e4, 1e4),
    north=st.floats(-28.0, 28.0),
    east=st.floats(-28.0, 28.0),
    height=st.floats(5.0, 38.0),
)
def test_any_command_from_rest_meets_every_budget_and_a_safe_one_is_untouched(
    asked: tuple[float, float, float], yaw: float, north: float, east: float, height: float
) -> None:
    """From rest inside the margins: the result keeps the speed caps and every boundary's braking
    budget (fence edges measured with shapely); a command that already does passes unchanged."""
    position = [north, east, -height]
    safe = supervisor().filter(asked, yaw, position, STILL)
    v = safe.velocity_ned_m_s
    assert np.all(np.isfinite(v))
    assert math.hypot(v[0], v[1]) <= LIM.max_horizontal_speed_m_s + 1e-9
    assert abs(v[2]) <= LIM.max_vertical_speed_m_s + 1e-12
    assert abs(safe.yaw_rate_deg_s) <= LIM.max_yaw_rate_deg_s

    def budgets_met(w: np.ndarray) -> bool:
        ok = -w[2] <= allowed(LIM.ceiling_m - height) + 1e-9 and w[2] <= allowed(height - LIM.floor_m) + 1e-9
        here = shapely.Point(north, east)
        vertices = LIM.geofence_ne_m
        for p, q in zip(vertices, vertices[1:] + vertices[:1], strict=True):
            edge = shapely.LineString([p, q])
            nearest = np.array(edge.interpolate(edge.project(here)).coords[0])
            towards = nearest - [north, east]
            distance = float(np.linalg.norm(towards))
            ok = ok and float(w[:2] @ towards) / distance <= allowed(distance) + 1e-9
        return ok

    assert budgets_met(v)
    capped = np.array(asked, dtype=float)
    horizontal = math.hypot(capped[0], capped[1])
    if horizontal <= LIM.max_horizontal_speed_m_s and abs(capped[2]) <= LIM.max_vertical_speed_m_s:
        if budgets_met(capped):
            assert np.array_equal(v, capped)
            assert Intervention.GEOFENCE not in safe.interventions
        else:
            assert set(safe.interventions) & {Intervention.GEOFENCE, Intervention.CEILING, Intervention.FLOOR}
