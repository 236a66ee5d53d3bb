"""How the vehicle answers its commands: the velocity step response, the body-to-NED rotation, yaw,
the gimbal's hard stops and the ground."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dronecine_sim.vehicle import (
    VehicleCommand,
    VehicleModel,
    VehicleParamArrays,
    VehicleParams,
    VehicleState,
    step,
)

DT_S = 0.02
STILL = VehicleParams().without_wind()


def _step_response(params: VehicleParams, command_frd: list[float], seconds: float) -> np.ndarray:
    """The ground velocity, (steps + 1, 3), of one drone given a constant command from hover."""
    model = VehicleModel(VehicleParamArrays.broadcast(params, 1), DT_S)
    state = VehicleState.at_rest([[0.0, 0.0, -100.0]])
    command = VehicleCommand.of([command_frd])
    rng = np.random.default_rng(0)
    velocities = [state.velocity_ned_m_s[0].copy()]
    for _ in range(round(seconds / DT_S)):
        model.step(state, command, rng)
        velocities.append(state.velocity_ned_m_s[0].copy())
    return np.array(velocities)


def _t63_bound_s(tau_s: float, step_m_s: float, accel_m_s2: float, jerk_m_s3: float) -> float:
    """An upper bound on the time to 63 % of a velocity step: the lag's own time constant, plus the
    jerk limit's ramp to full acceleration, plus 63 % of the step at the acceleration limit, plus a
    step of discretisation. Each limit can only add time to the pure lag's tau."""
    return tau_s + accel_m_s2 / jerk_m_s3 + 0.63 * step_m_s / accel_m_s2 + DT_S


@pytest.mark.parametrize(
    ("params", "axis", "step_m_s"),
    [
        (STILL, 0, 0.5),  # small: the limits barely act
        (STILL, 0, 4.0),
        (STILL, 0, 12.0),  # to the speed limit: accel-limited
        (dataclasses.replace(STILL, velocity_tau_s=1.5), 0, 3.0),  # slow lag: tau dominates
        (dataclasses.replace(STILL, max_jerk_m_s3=2.0), 0, 6.0),  # soft jerk limit dominates
        (STILL, 2, 1.5),  # descend at the limit
        (STILL, 2, -3.0),  # climb at the limit
    ],
)
def test_velocity_step_response_is_first_order_like_within_the_limits(
    params: VehicleParams, axis: int, step_m_s: float
) -> None:
    command = [0.0, 0.0, 0.0]
    command[axis] = step_m_s
    v = _step_response(params, command, seconds=30.0)[:, axis] / step_m_s  # normalised: 0 -> 1
    t_s = np.arange(v.shape[0]) * DT_S
    accel = params.max_horizontal_accel_m_s2 if axis < 2 else params.max_vertical_accel_m_s2
    t63 = t_s[np.argmax(v >= 0.63)]
    assert t63 <= _t63_bound_s(params.velocity_tau_s, abs(step_m_s), accel, params.max_jerk_m_s3)
    # Not faster than the pure lag would allow, nor than the acceleration limit allows.
    assert t63 >= min(params.velocity_tau_s, 0.63 * abs(step_m_s) / accel) - DT_S
    # Converges without overshoot (beyond a small tolerance) and without ringing.
    assert v.max() <= 1.0 + 1e-3
    assert abs(v[-1] - 1.0) < 1e-6
    settled = np.argmax(v >= 0.999)
    assert (np.diff(v[settled:]) > -1e-9).all() or np.abs(v[settled:] - 1.0).max() < 1e-3


def test_an_unlimited_vehicle_follows_the_first_order_lag_exactly() -> None:
    loose = dataclasses.replace(STILL, max_horizontal_accel_m_s2=30.0, max_jerk_m_s3=200.0)
    v = _step_response(loose, [1.0, 0.0, 0.0], seconds=3.0)[:, 0]
    t_s = np.arange(v.shape[0]) * DT_S
    expected = 1.0 - np.exp(-t_s / loose.velocity_tau_s)
    # The jerk ramp (a few steps) delays it a little; after that it is the exact lag, one step late at most.
    assert np.abs(v - expected).max() < 0.05
    assert v[-1] == pytest.approx(expected[-1], abs=1e-3)


def test_commands_beyond_the_speed_limits_are_clamped() -> None:
    v = _step_response(STILL, [100.0, 100.0, 50.0], seconds=30.0)
    np.testing.assert_allclose(np.hypot(v[-1, 0], v[-1, 1]), STILL.max_horizontal_speed_m_s, rtol=1e-9)
    np.testing.assert_allclose(v[-1, 0], v[-1, 1], rtol=1e-9)  # the direction is kept
    np.testing.assert_allclose(v[-1, 2], STILL.max_down_speed_m_s, rtol=1e-9)


@pytest.mark.parametrize(
    ("yaw_deg", "command_frd", "direction_ned"),
    [
        (90.0, [5.0, 0.0, 0.0], [0.0, 1.0, 0.0]),  # facing east, forward is east
        (0.0, [5.0, 0.0, 0.0], [1.0, 0.0, 0.0]),
        (0.0, [0.0, 5.0, 0.0], [0.0, 1.0, 0.0]),  # right of north is east
        (90.0, [0.0, 5.0, 0.0], [-1.0, 0.0, 0.0]),  # right of east is south
        (180.0, [5.0, 0.0, 0.0], [-1.0, 0.0, 0.0]),
        (-90.0, [5.0, 0.0, 0.0], [0.0, -1.0, 0.0]),
        (45.0, [0.0, 0.0, -1.0], [0.0, 0.0, -1.0]),  # up stays up
    ],
)
def test_body_velocity_commands_turn_by_the_yaw_into_ned(
    yaw_deg: float, command_frd: list[float], direction_ned: list[float]
) -> None:
    state = VehicleState.at_rest([[0.0, 0.0, -50.0]], yaw_deg=yaw_deg)
    params = VehicleParamArrays.broadcast(STILL, 1)
    rng = np.random.default_rng(0)
    for _ in range(250):
        step(state, VehicleCommand.of([command_frd]), params, DT_S, rng)
    moved = state.position_ned_m[0] - [0.0, 0.0, -50.0]
    moved /= np.linalg.norm(moved)
    np.testing.assert_allclose(moved, direction_ned, atol=1e-9)
    assert state.yaw_deg[0] == pytest.approx((yaw_deg + 180.0) % 360.0 - 180.0)


def test_yaw_rate_follows_its_command_with_lag_and_saturates() -> None:
    model = VehicleModel(VehicleParamArrays.broadcast(STILL, 2), DT_S)
    state = VehicleState.at_rest(np.zeros((2, 3)) - [0.0, 0.0, 50.0], yaw_deg=[170.0, 0.0])
    command = VehicleCommand.of(np.zeros((2, 3)), yaw_rate_deg_s=[20.0, -1000.0])
    rng = np.random.default_rng(0)
    model.step(state, command, rng)
    alpha = -np.expm1(-DT_S / STILL.yaw_tau_s)
    np.testing.assert_allclose(state.yaw_rate_deg_s, [20.0 * alpha, -STILL.max_yaw_rate_deg_s * alpha])
    for _ in range(200):
        model.step(state, command, rng)
    np.testing.assert_allclose(state.yaw_rate_deg_s, [20.0, -STILL.max_yaw_rate_deg_s])
    assert state.yaw_deg.min() >= -180.0 and state.yaw_deg.max() <= 180.0  # wrapped past 180


def test_the_gimbal_stops_at_its_hard_stops_and_its_rate_is_zeroed_there() -> None:
    model = VehicleModel(VehicleParamArrays.broadcast(STILL, 2), DT_S)
    state = VehicleState.at_rest(np.zeros((2, 3)) - [0.0, 0.0, 50.0])
    command = VehicleCommand.of(
        np.zeros((2, 3)), gimbal_pitch_rate_deg_s=[-500.0, 500.0], gimbal_yaw_rate_deg_s=[500, -500]
    )
    rng = np.random.default_rng(0)
    for _ in range(200):
        model.step(state, command, rng)
    np.testing.assert_array_equal(state.gimbal_pitch_deg, [STILL.gimbal_pitch_min_deg, STILL.gimbal_pitch_max_deg])
    np.testing.assert_array_equal(state.gimbal_yaw_deg, [STILL.gimbal_yaw_max_deg, STILL.gimbal_yaw_min_deg])
    np.testing.assert_array_equal(state.gimbal_pitch_rate_deg_s, [0.0, 0.0])
    np.testing.assert_array_equal(state.gimbal_yaw_rate_deg_s, [0.0, 0.0])
    # Commanding away from the stop moves the gimbal off it at once.
    model.step(state, VehicleCommand.of(np.zeros((2, 3)), gimbal_pitch_rate_deg_s=[50.0, -50.0]), rng)
    assert state.gimbal_pitch_deg[0] > STILL.gimbal_pitch_min_deg
    assert state.gimbal_pitch_deg[1] < STILL.gimbal_pitch_max_deg


@pytest.mark.parametrize(("down_speed_m_s", "crash"), [(2.5, True), (0.8, False)])
def test_the_ground_stops_the_drone_and_reports_a_crash_when_hit_fast(down_speed_m_s: float, crash: bool) -> None:
    params = dataclasses.replace(STILL, max_down_speed_m_s=down_speed_m_s)
    model = VehicleModel(VehicleParamArrays.broadcast(params, 1), DT_S)
    state = VehicleState.at_rest([[0.0, 0.0, -10.0]])
    rng = np.random.default_rng(0)
    crashes, downs = [], []
    for _ in range(1000):
        crashes.append(bool(model.step(state, VehicleCommand.of([[0.0, 0.0, 10.0]]), rng)[0]))
        downs.append(state.position_ned_m[0, 2])
    assert max(downs) == 0.0  # never below the ground
    assert state.velocity_ned_m_s[0, 2] <= 0.0
    touchdown = downs.index(0.0)
    assert crashes[touchdown] == crash  # reported on the step it hits
    assert not any(crashes[touchdown + 1 :])  # resting on the ground is no crash
    # It can take off again.
    for _ in range(100):
        model.step(state, VehicleCommand.of([[0.0, 0.0, -2.0]]), rng)
    assert state.position_ned_m[0, 2] < -1.0
