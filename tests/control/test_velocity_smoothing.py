"""The velocity smoother: a first-order low-pass on the velocity only, restarting per drone."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.control import ACTION, ControlError
from dronecine.control.smoothing import VelocitySmoother

VELOCITY = ACTION.slice_of("velocity")
YAW_RATE = ACTION.slice_of("yaw_rate")


def _step(n: int = 1, velocity: float = 1.0, rates: float = 0.5) -> np.ndarray:
    action = np.full((n, ACTION.size), rates)
    action[:, VELOCITY] = velocity
    return action


def test_a_velocity_step_rises_as_a_first_order_lag_while_the_rates_pass_at_once() -> None:
    smoother = VelocitySmoother(0.3)
    np.testing.assert_allclose(smoother(np.zeros((1, ACTION.size))), 0.0)
    for k in range(1, 6):
        out = smoother(_step())
        np.testing.assert_allclose(out[0, VELOCITY], 1.0 - 0.7**k, rtol=1e-6)
        np.testing.assert_allclose(out[0, 3:], 0.5)  # yaw and gimbal rates: unsmoothed


def test_weight_one_changes_nothing() -> None:
    smoother = VelocitySmoother(1.0)
    rng = np.random.default_rng(0)
    for _ in range(3):
        action = rng.uniform(-1.0, 1.0, (4, ACTION.size))
        np.testing.assert_allclose(smoother(action), action, rtol=1e-6)


def test_a_drone_starting_an_episode_is_not_smoothed_and_the_others_are() -> None:
    smoother = VelocitySmoother(0.5)
    smoother(np.zeros((2, ACTION.size)))
    out = smoother(_step(2), episode_start=[False, True])
    np.testing.assert_allclose(out[:, VELOCITY], [[0.5] * 3, [1.0] * 3])


def test_reset_restarts_only_the_rows_named() -> None:
    smoother = VelocitySmoother(0.5)
    smoother(np.zeros((3, ACTION.size)))
    smoother.reset([2])
    out = smoother(_step(3))
    np.testing.assert_allclose(out[:, VELOCITY][:, 0], [0.5, 0.5, 1.0])
    smoother.reset()
    np.testing.assert_allclose(smoother(_step(3, velocity=-1.0))[:, VELOCITY], -1.0)


def test_a_new_number_of_drones_starts_afresh() -> None:
    smoother = VelocitySmoother(0.5)
    smoother(np.zeros((2, ACTION.size)))
    np.testing.assert_allclose(smoother(_step(3))[:, VELOCITY], 1.0)


def test_smoothing_never_leaves_the_action_range() -> None:
    smoother = VelocitySmoother(0.2)
    rng = np.random.default_rng(1)
    for _ in range(50):
        out = smoother(rng.uniform(-1.0, 1.0, (8, ACTION.size)))
        assert np.all(np.abs(out) <= 1.0)
    assert out.dtype == np.float32
    assert np.abs(out[:, YAW_RATE]).max() > 0.0


@pytest.mark.parametrize("weight", [0.0, -0.1, 1.5, float("nan"), True, "0.3"])
def test_a_weight_outside_zero_to_one_is_refused(weight: object) -> None:
    with pytest.raises(ControlError, match=r"velocity smoothing weight must be within \(0, 1\].*got"):
        VelocitySmoother(weight)  # type: ignore[arg-type]


def test_actions_of_the_wrong_shape_are_refused() -> None:
    with pytest.raises(ControlError, match=rf"actions must have shape \(N, {ACTION.size}\), got \(6,\)"):
        VelocitySmoother(0.5)(np.zeros(ACTION.size))
