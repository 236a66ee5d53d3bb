"""The wind: Ornstein-Uhlenbeck gusts with the declared statistics, a drift the velocity loop
rejects, and speed limits that bound the vehicle's own velocity, not its ground speed."""

from __future__ import annotations

import numpy as np
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParamArrays, VehicleParams, VehicleState

DT_S = 0.05


def _hover(params: VehicleParams, n: int, seconds: float, seed: int = 0) -> tuple[VehicleState, list[np.ndarray]]:
    """``n`` drones told to hover, starting in still air; the wind history (steps, n, 3)."""
    model = VehicleModel(VehicleParamArrays.broadcast(params, n), DT_S)
    state = VehicleState.at_rest(np.tile([0.0, 0.0, -200.0], (n, 1)))
    command = VehicleCommand.zeros(n)
    rng = np.random.default_rng(seed)
    winds = []
    for _ in range(round(seconds / DT_S)):
        model.step(state, command, rng)
        winds.append(state.wind_ned_m_s.copy())
    return state, winds


def test_a_steady_wind_is_rejected_by_the_velocity_loop() -> None:
    params = VehicleParams(
        wind_mean_north_m_s=4.0, wind_mean_east_m_s=-2.0, wind_sigma_m_s=0.0, wind_vertical_sigma_m_s=0
    )
    state, _ = _hover(params, 1, seconds=80.0)  # the wind rises from calm to its mean in tau_w = 3 s
    np.testing.assert_allclose(state.wind_ned_m_s[0], [4.0, -2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(state.wind_drift_ned_m_s[0], [4.0, -2.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(state.own_velocity_ned_m_s[0], [-4.0, 2.0, 0.0], atol=1e-5)  # flying into it
    np.testing.assert_allclose(state.velocity_ned_m_s[0], 0.0, atol=1e-5)
    # The wind pushed it while the loop caught up: a bounded offset downwind, then it holds.
    assert 0.0 < state.position_ned_m[0, 0] < 10.0


def test_a_wind_stronger_than_the_vehicle_carries_it_at_the_difference() -> None:
    params = VehicleParams(wind_mean_north_m_s=15.0, wind_sigma_m_s=0.0, wind_vertical_sigma_m_s=0.0)
    state, _ = _hover(params, 1, seconds=60.0)
    np.testing.assert_allclose(state.own_velocity_ned_m_s[0], [-params.max_horizontal_speed_m_s, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(state.velocity_ned_m_s[0], [15.0 - params.max_horizontal_speed_m_s, 0.0, 0.0], atol=1e-6)


def test_wind_gain_scales_the_drift() -> None:
    params = VehicleParams(wind_mean_east_m_s=5.0, wind_sigma_m_s=0.0, wind_vertical_sigma_m_s=0.0, wind_gain=0.4)
    state, _ = _hover(params, 1, seconds=80.0)
    np.testing.assert_allclose(state.wind_drift_ned_m_s[0], [0.0, 2.0, 0.0], atol=1e-6)


def test_gusts_have_the_declared_mean_spread_and_correlation_time() -> None:
    params = VehicleParams(wind_mean_north_m_s=2.0, wind_sigma_m_s=1.5, wind_vertical_sigma_m_s=0.4, wind_tau_s=2.0)
    n = 1000
    _, winds = _hover(params, n, seconds=25.0)  # starts at zero: 12 correlation times to settle
    wind = np.array(winds)
    final = wind[-1]
    np.testing.assert_allclose(final.mean(axis=0), [2.0, 0.0, 0.0], atol=0.15)
    np.testing.assert_allclose(final.std(axis=0), [1.5, 1.5, 0.4], rtol=0.08)
    # Correlation across drones between t and t + tau is e^-1 (OU), per axis.
    lag = round(params.wind_tau_s / DT_S)
    a, b = wind[-1 - lag], wind[-1]
    for axis in range(3):
        r = np.corrcoef(a[:, axis], b[:, axis])[0, 1]
        assert abs(r - np.exp(-1.0)) < 0.08, (axis, r)
    # Different drones get independent gusts.
    assert abs(np.corrcoef(final[:500, 0], final[500:, 0])[0, 1]) < 0.15


def test_gusts_make_a_hovering_drone_wander_smoothly() -> None:
    params = VehicleParams(wind_sigma_m_s=1.0, wind_tau_s=3.0, wind_response_tau_s=1.0)
    n = 64
    model = VehicleModel(VehicleParamArrays.broadcast(params, n), DT_S)
    state = VehicleState.at_rest(np.tile([0.0, 0.0, -200.0], (n, 1)))
    rng = np.random.default_rng(3)
    model.reset(state, np.arange(n), [0.0, 0.0, -200.0], 0.0, rng)
    velocities = []
    for _ in range(400):
        model.step(state, VehicleCommand.zeros(n), rng)
        velocities.append(state.velocity_ned_m_s.copy())
    v = np.array(velocities)
    speed = np.sqrt((v**2).sum(axis=-1))
    assert 0.05 < np.median(speed) < 1.5  # it moves, a little
    # The drift lags the wind, so the ground acceleration stays moderate: no velocity jumps.
    ground_accel = np.abs(np.diff(v, axis=0)) / DT_S
    assert np.percentile(ground_accel, 99) < 3.0
