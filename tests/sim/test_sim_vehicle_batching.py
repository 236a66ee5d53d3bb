"""Determinism and batching: a seed reproduces a run exactly, and stepping N drones at once is
stepping each alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dronecine_sim.vehicle import ParamRanges, VehicleModel, VehicleParams, VehicleState, randomise
from sim_vehiclekit import DT_S, fly, random_commands, start

N = 16
STEPS = 300


def _run(seed: int, params: VehicleParams, n: int = N) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    model = VehicleModel(randomise(params, n, rng), DT_S)
    state = start(n)
    model.reset(state, np.arange(n), state.position_ned_m.copy(), rng.uniform(-180, 180, n), rng)
    return fly(model, state, random_commands(rng, n, STEPS), rng)


def test_the_same_seed_gives_identical_runs() -> None:
    first, second = _run(7, VehicleParams()), _run(7, VehicleParams())
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_different_seeds_give_different_wind() -> None:
    params = VehicleParams(wind_sigma_m_s=1.0)
    first, second = _run(7, params), _run(8, params)
    assert not np.allclose(first["wind_ned_m_s"][-1], second["wind_ned_m_s"][-1])


def test_in_still_air_the_wind_draws_change_nothing() -> None:
    # Same vehicles and commands (same seed for them), different wind noise: identical flights.
    still = VehicleParams().without_wind()
    rng = np.random.default_rng(3)
    params = randomise(still, N, rng, ranges=ParamRanges.default().without_wind())
    commands = list(random_commands(rng, N, STEPS))
    a = fly(VehicleModel(params, DT_S), start(N), iter(commands), np.random.default_rng(100))
    b = fly(VehicleModel(params, DT_S), start(N), iter(commands), np.random.default_rng(200))
    np.testing.assert_array_equal(a["position_ned_m"], b["position_ned_m"])
    assert (a["wind_ned_m_s"] == 0.0).all()


class _Replay:
    """A stand-in generator that replays recorded standard normal draws, axis-major (3, N) per step,
    giving a single drone ``column`` exactly the draws it got in the batch."""

    def __init__(self, draws: list[np.ndarray], column: int | None = None) -> None:
        self._draws = iter(draws)
        self._column = column

    def standard_normal(self, size: object = None, out: np.ndarray | None = None) -> np.ndarray:
        draw = next(self._draws)
        if self._column is not None:
            draw = draw[:, self._column : self._column + 1]
        if out is None:
            return draw.copy()
        out[...] = draw
        return out


@pytest.mark.parametrize("wind", [False, True])
def test_stepping_n_drones_at_once_equals_stepping_each_alone(wind: bool) -> None:
    """Every drone has its own randomised vehicle and its own commands. In still air the random
    stream is irrelevant; with wind, each lone drone replays exactly its column of the batch's
    (3, N) draws, which is how the model consumes randomness (one axis-major draw per step)."""
    rng = np.random.default_rng(11)
    if wind:
        params = randomise(VehicleParams(), N, rng, ranges=ParamRanges.default().with_range("wind_sigma_m_s", 1.0, 3.0))
    else:
        params = randomise(VehicleParams().without_wind(), N, rng, ranges=ParamRanges.default().without_wind())
    commands = list(random_commands(rng, N, STEPS))
    draws = [rng.standard_normal((3, N)) for _ in range(STEPS)]
    state = start(N)
    state.yaw_deg[:] = rng.uniform(-180.0, 180.0, N)
    batch = fly(VehicleModel(params, DT_S), state.copy(), iter(commands), _Replay(draws))  # type: ignore[arg-type]
    for i in range(N):
        alone = fly(
            VehicleModel(params.take([i]), DT_S),
            state.take([i]),
            (c.take([i]) for c in commands),
            _Replay(draws, column=i),  # type: ignore[arg-type]
        )
        for name, values in alone.items():
            # Elementwise maths on other array lengths may round differently in the last bit
            # (SIMD vs scalar loops); nothing else may differ.
            np.testing.assert_allclose(values[:, 0], batch[name][:, i], rtol=1e-9, atol=1e-9, err_msg=f"{name}[{i}]")


def test_take_and_put_move_drones_between_states() -> None:
    state = start(4)
    state.yaw_deg[:] = [1.0, 2.0, 3.0, 4.0]
    part = state.take([3, 1])
    np.testing.assert_array_equal(part.yaw_deg, [4.0, 2.0])
    part.yaw_deg[:] = [40.0, 20.0]
    assert state.yaw_deg[3] == 4.0  # a copy
    state.put([3, 1], part)
    np.testing.assert_array_equal(state.yaw_deg, [1.0, 20.0, 3.0, 40.0])
    copy = state.copy()
    for f in dataclasses.fields(VehicleState):
        assert not np.shares_memory(getattr(copy, f.name), getattr(state, f.name))


def test_reset_starts_in_settled_wind_holding_position() -> None:
    n = 2000
    rng = np.random.default_rng(5)
    params = VehicleParams(wind_mean_north_m_s=3.0, wind_sigma_m_s=1.0, wind_vertical_sigma_m_s=0.3, wind_gain=0.8)
    model = VehicleModel(randomise(params, n, rng, scale=0.0), DT_S)
    state = start(n)
    state.accel_ned_m_s2[:] = 1.0
    model.reset(state, np.arange(n), [0.0, 0.0, -30.0], 45.0, rng, gimbal_pitch_deg=-200.0)
    np.testing.assert_allclose(state.wind_ned_m_s.mean(axis=0), [3.0, 0.0, 0.0], atol=0.1)
    np.testing.assert_allclose(state.wind_ned_m_s.std(axis=0), [1.0, 1.0, 0.3], rtol=0.1)
    np.testing.assert_allclose(state.wind_drift_ned_m_s, 0.8 * state.wind_ned_m_s)
    np.testing.assert_allclose(state.velocity_ned_m_s, 0.0, atol=1e-12)  # the own velocity cancels the drift
    assert (state.accel_ned_m_s2 == 0.0).all()
    assert (state.yaw_deg == 45.0).all()
    assert (state.gimbal_pitch_deg == params.gimbal_pitch_min_deg).all()  # clamped to the stop
    assert (state.position_ned_m == [0.0, 0.0, -30.0]).all()
