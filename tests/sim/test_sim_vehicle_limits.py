"""Every physical limit of the vehicle holds over long random command sequences (N = 64, randomised
vehicles): speeds, accelerations, jerk, yaw rate, gimbal angles and rates."""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.vehicle import ParamRanges, VehicleModel, VehicleParamArrays, VehicleParams, VehicleState, randomise
from sim_vehiclekit import DT_S, fly, horizontal_norm, limit, random_commands, start

N = 64
DURATION_S = 60.0
REL = 1e-9  # floating-point slack on the limits


def _flight(seed: int, wind: bool, dt_s: float) -> tuple[dict[str, np.ndarray], VehicleParamArrays]:
    """N randomised drones flown through random commands; in still air or in strong gusts."""
    rng = np.random.default_rng(seed)
    if wind:
        ranges = ParamRanges.default().with_range("wind_sigma_m_s", 1.0, 4.0)
        params = randomise(VehicleParams(), N, rng, ranges=ranges.with_range("wind_vertical_sigma_m_s", 0.5, 1.0))
    else:
        params = randomise(VehicleParams().without_wind(), N, rng, ranges=ParamRanges.default().without_wind())
    model = VehicleModel(params, dt_s)
    return fly(
        model, start(N), random_commands(rng, N, round(DURATION_S / dt_s), switch_prob=0.03 * dt_s / DT_S), rng
    ), params


# (seed, wind, dt_s): still air at 20 Hz, strong gusts at 20 Hz, still air at 100 Hz and at 10 Hz.
STILL, WINDY = (1, False, DT_S), (2, True, DT_S)
CASES = (STILL, WINDY, (3, False, 0.01), (4, False, 0.1))

Flight = tuple[dict[str, np.ndarray], VehicleParamArrays, bool, float]


@pytest.fixture(scope="module")
def flights() -> dict[tuple[int, bool, float], Flight]:
    out = {}
    for seed, wind, dt_s in CASES:
        history, params = _flight(seed, wind, dt_s)
        out[seed, wind, dt_s] = (history, params, wind, dt_s)
    return out


@pytest.fixture(params=CASES, ids=lambda case: f"{'wind' if case[1] else 'still'}-dt{case[2]}")
def flight(request: pytest.FixtureRequest, flights: dict[tuple[int, bool, float], Flight]) -> Flight:
    return flights[request.param]


def test_the_flights_stay_in_the_air(flight) -> None:
    history, _, _, _ = flight
    assert not history["crashed"].any()
    assert (history["position_ned_m"][..., 2] < 0.0).all()


def test_own_horizontal_and_vertical_speeds_never_exceed_their_maxima(flight) -> None:
    history, params, _, _ = flight
    v = history["own_velocity_ned_m_s"]
    max_h = limit(params, "max_horizontal_speed_m_s")
    assert (horizontal_norm(v) <= max_h * (1 + REL)).all()
    assert (v[..., 2] <= limit(params, "max_down_speed_m_s") * (1 + REL)).all()
    assert (-v[..., 2] <= limit(params, "max_up_speed_m_s") * (1 + REL)).all()
    # The commands push hard: most drones do reach their limits.
    assert (horizontal_norm(v).max(axis=0) > 0.95 * params.max_horizontal_speed_m_s).mean() > 0.5


def test_in_still_air_the_ground_velocity_is_the_own_velocity(flights) -> None:
    history, _, _, _ = flights[STILL]
    np.testing.assert_array_equal(history["velocity_ned_m_s"], history["own_velocity_ned_m_s"])


def test_in_wind_the_ground_speed_exceeds_the_limit_by_at_most_the_drift(flights) -> None:
    history, params, _, _ = flights[WINDY]
    ground_h = horizontal_norm(history["velocity_ned_m_s"])
    drift_h = horizontal_norm(history["wind_drift_ned_m_s"])
    wind_h = np.maximum.accumulate(horizontal_norm(history["wind_ned_m_s"]), axis=0)
    max_h = limit(params, "max_horizontal_speed_m_s")
    # The documented bound: ground speed <= own speed limit + drift, drift <= wind_gain * max |wind|.
    assert (drift_h <= limit(params, "wind_gain") * wind_h * (1 + REL) + 1e-12).all()
    assert (ground_h <= max_h * (1 + REL) + drift_h + 1e-12).all()
    assert (ground_h > max_h).any(), "with gusts of several m/s some drone should exceed its own limit downwind"


def test_acceleration_never_exceeds_its_maxima(flight) -> None:
    history, params, _, _ = flight
    a = history["accel_ned_m_s2"]
    assert (horizontal_norm(a) <= limit(params, "max_horizontal_accel_m_s2") * (1 + REL)).all()
    assert (np.abs(a[..., 2]) <= limit(params, "max_vertical_accel_m_s2") * (1 + REL)).all()


def test_jerk_never_exceeds_its_maximum(flight) -> None:
    history, params, _, dt_s = flight
    jerk = np.diff(history["accel_ned_m_s2"], axis=0) / dt_s
    jerk_norm = np.sqrt((jerk**2).sum(axis=-1))
    assert (jerk_norm <= limit(params, "max_jerk_m_s3") * (1 + 1e-6)).all()
    assert (jerk_norm.max(axis=0) > 0.99 * params.max_jerk_m_s3).mean() > 0.5


def test_the_acceleration_is_the_velocitys_rate_of_change(flight) -> None:
    history, _, _, dt_s = flight
    dv = np.diff(history["own_velocity_ned_m_s"], axis=0) / dt_s
    np.testing.assert_allclose(dv, history["accel_ned_m_s2"][1:], atol=1e-9)
    dp = np.diff(history["position_ned_m"], axis=0) / dt_s
    np.testing.assert_allclose(dp, history["velocity_ned_m_s"][1:], atol=1e-7)


def test_yaw_rate_never_exceeds_its_maximum_and_the_yaw_follows_it(flight) -> None:
    history, params, _, dt_s = flight
    rate = history["yaw_rate_deg_s"]
    assert (np.abs(rate) <= limit(params, "max_yaw_rate_deg_s") * (1 + REL)).all()
    yaw = history["yaw_deg"]
    assert ((yaw >= -180.0) & (yaw <= 180.0)).all()
    turned = (np.diff(yaw, axis=0) + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(turned, rate[1:] * dt_s, atol=1e-9)


def test_gimbal_angles_stay_within_their_limits_and_rates_within_the_maximum(flight) -> None:
    history, params, _, dt_s = flight
    for axis in ("pitch", "yaw"):
        angle = history[f"gimbal_{axis}_deg"]
        rate = history[f"gimbal_{axis}_rate_deg_s"]
        assert (angle >= limit(params, f"gimbal_{axis}_min_deg")).all()
        assert (angle <= limit(params, f"gimbal_{axis}_max_deg")).all()
        max_rate = limit(params, "gimbal_max_rate_deg_s")
        assert (np.abs(rate) <= max_rate * (1 + REL)).all()
        assert (np.abs(np.diff(angle, axis=0)) <= max_rate * dt_s * (1 + REL)).all()
        # The commands drive the gimbals into their hard stops.
        assert (angle.min(axis=0) == getattr(params, f"gimbal_{axis}_min_deg")).mean() > 0.5
        assert (angle.max(axis=0) == getattr(params, f"gimbal_{axis}_max_deg")).mean() > 0.5


def test_the_camera_looks_along_body_yaw_plus_gimbal_yaw() -> None:
    state = VehicleState.at_rest(np.zeros((3, 3)), yaw_deg=[170.0, -170.0, 0.0], gimbal_pitch_deg=[-30.0, 0.0, 10.0])
    state.gimbal_yaw_deg[:] = [30.0, -30.0, 45.0]
    np.testing.assert_allclose(state.camera_yaw_deg, [-160.0, 160.0, 45.0])
    np.testing.assert_allclose(state.camera_pitch_deg, [-30.0, 0.0, 10.0])
