"""Smoothness metrics against trajectories whose derivatives are known exactly."""

import numpy as np
import pytest

from dronecine.metrics import MetricsError, angular_accel_rms, jerk_rms


def _line(t_s, velocity_m_s):
    return np.outer(t_s, velocity_m_s) + np.array([10.0, -5.0, -30.0])


def test_constant_velocity_has_no_jerk():
    t_s = np.arange(50) * 0.1
    assert jerk_rms(_line(t_s, [3.0, -1.0, 0.5]), 0.1) == pytest.approx(0.0, abs=1e-6)


def test_cubic_has_jerk_six():
    dt_s = 0.05
    t_s = np.arange(40) * dt_s
    positions = np.zeros((t_s.size, 3))
    positions[:, 0] = t_s**3
    assert jerk_rms(positions, dt_s) == pytest.approx(6.0, rel=1e-6)


def test_jerk_is_the_magnitude_over_axes():
    dt_s = 0.1
    t_s = np.arange(20) * dt_s
    positions = np.stack([t_s**3, t_s**3, np.zeros_like(t_s)], axis=-1)
    assert jerk_rms(positions, dt_s) == pytest.approx(6.0 * np.sqrt(2.0), rel=1e-6)


def test_jerk_is_rms_not_mean():
    # One jolt: a single step in position has third differences (1, -2, 1) among zeros.
    dt_s = 1.0
    positions = np.zeros((10, 3))
    positions[5:, 2] = 1.0
    third = np.diff(positions[:, 2], n=3)
    assert jerk_rms(positions, dt_s) == pytest.approx(np.sqrt(np.mean(third**2)))
    assert jerk_rms(positions, dt_s) == pytest.approx(np.sqrt(6.0 / 7.0))


@pytest.mark.parametrize("samples", [0, 1, 2, 3])
def test_too_few_samples_for_jerk_is_zero(samples):
    assert jerk_rms(np.ones((samples, 3)), 0.1) == 0.0


@pytest.mark.parametrize("dt_s", [0.0, -0.1, float("nan")])
def test_bad_time_step_is_a_typed_error(dt_s):
    with pytest.raises(MetricsError):
        jerk_rms(np.zeros((10, 3)), dt_s)
    with pytest.raises(MetricsError):
        angular_accel_rms(np.zeros(10), np.zeros(10), dt_s)


def test_jerk_rejects_wrong_shape():
    with pytest.raises(MetricsError, match=r"\(T, 3\)"):
        jerk_rms(np.zeros((10, 2)), 0.1)


def test_constant_rate_pan_has_no_angular_acceleration():
    yaw = np.linspace(-60.0, 60.0, 30)
    pitch = np.linspace(-10.0, -30.0, 30)
    assert angular_accel_rms(yaw, pitch, 0.1) == pytest.approx(0.0, abs=1e-6)


def test_constant_angular_acceleration():
    dt_s = 0.1
    t_s = np.arange(30) * dt_s
    yaw = 0.5 * 4.0 * t_s**2  # 4 deg/s²
    pitch = -0.5 * 3.0 * t_s**2  # -3 deg/s²
    assert angular_accel_rms(yaw, pitch, dt_s) == pytest.approx(5.0, rel=1e-6)


def test_yaw_crossing_180_is_a_small_step():
    # A steady 2°-per-step pan across ±180: no angular acceleration at all.
    yaw = np.array([176.0, 178.0, -180.0, -178.0, -176.0])
    assert angular_accel_rms(yaw, np.zeros(5), 1.0) == pytest.approx(0.0, abs=1e-9)
    # 179 → -179 is a 2° step: after a hold, the second difference is 2 then -2.
    yaw = np.array([179.0, 179.0, -179.0, -179.0])
    assert angular_accel_rms(yaw, np.zeros(4), 1.0) == pytest.approx(2.0)


@pytest.mark.parametrize("samples", [0, 1, 2])
def test_too_few_samples_for_angular_is_zero(samples):
    assert angular_accel_rms(np.zeros(samples), np.zeros(samples), 0.1) == 0.0


def test_angular_rejects_mismatched_lengths():
    with pytest.raises(MetricsError, match=r"pitch_deg has shape \(4,\) but yaw_deg has shape \(5,\)"):
        angular_accel_rms(np.zeros(5), np.zeros(4), 0.1)
