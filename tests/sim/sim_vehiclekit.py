"""Helpers for the vehicle tests: random command sequences and recorded flights."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParamArrays, VehicleState

DT_S = 0.05


def random_commands(
    rng: np.random.Generator, n: int, steps: int, switch_prob: float = 0.08
) -> Iterator[VehicleCommand]:
    """Piecewise-constant random commands per drone, often far beyond every limit, sometimes zero.

    Each drone switches to a new command with probability ``switch_prob`` per step, so the sequence
    holds steps long enough to reach the limits and changes direction abruptly.
    """
    velocity = np.zeros((n, 3))
    rates = np.zeros((n, 3))
    scale_v = np.array([25.0, 25.0, 8.0])
    for _ in range(steps):
        switch = rng.random(n) < switch_prob
        k = int(switch.sum())
        if k:
            kind = rng.random(k)
            new_v = rng.uniform(-1.0, 1.0, (k, 3)) * scale_v
            new_v[kind < 0.15] = 0.0  # hover
            new_v[kind > 0.9] *= 10.0  # absurd
            velocity[switch] = new_v
            new_r = rng.uniform(-200.0, 200.0, (k, 3))
            new_r[kind < 0.15] = 0.0
            rates[switch] = new_r
        yield VehicleCommand(velocity.copy(), rates[:, 0].copy(), rates[:, 1].copy(), rates[:, 2].copy())


def fly(
    model: VehicleModel, state: VehicleState, commands: Iterator[VehicleCommand], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Step ``state`` through ``commands``; the history of every state field, (steps + 1, N, ...),
    the initial state first, plus ``crashed`` (steps, N)."""
    history: dict[str, list[np.ndarray]] = {f.name: [getattr(state, f.name).copy()] for f in dataclasses.fields(state)}
    crashed = []
    for command in commands:
        crashed.append(model.step(state, command, rng))
        for name, values in history.items():
            values.append(getattr(state, name).copy())
    out = {name: np.stack(values) for name, values in history.items()}
    out["crashed"] = np.stack(crashed)
    return out


def start(n: int, down_m: float = -400.0) -> VehicleState:
    """``n`` drones at rest, in a row, high above the ground."""
    return VehicleState.at_rest(np.column_stack([np.arange(n) * 10.0, np.zeros(n), np.full(n, down_m)]))


def horizontal_norm(vectors: np.ndarray) -> np.ndarray:
    return np.sqrt(vectors[..., 0] ** 2 + vectors[..., 1] ** 2)


def limit(params: VehicleParamArrays, name: str) -> np.ndarray:
    """A parameter array shaped to broadcast against a history (steps, N)."""
    return getattr(params, name)[None, :]
