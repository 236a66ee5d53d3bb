"""Time the batched vehicle step (``dronecine_sim.vehicle``) for N = 1, 64 and 1024 drones.

A script, not a test: ``python benchmarks/bench_vehicle.py [--seconds S]``. It prints drone-steps
per second for ``VehicleModel.step`` (what an environment calls) and, for comparison, the
one-call ``step`` function that builds a model each time. Random commands and randomised
parameters, wind on, so every branch of the model runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParams, VehicleState, randomise, step

DT_S = 0.05


def _setup(n: int, seed: int) -> tuple[VehicleModel, VehicleState, list[VehicleCommand], np.random.Generator]:
    rng = np.random.default_rng(seed)
    params = randomise(VehicleParams(), n, rng)
    model = VehicleModel(params, DT_S)
    state = VehicleState.at_rest(np.column_stack([np.zeros(n), np.zeros(n), np.full(n, -100.0)]))
    commands = [
        VehicleCommand.of(
            rng.uniform(-15.0, 15.0, (n, 3)),
            rng.uniform(-90.0, 90.0, n),
            rng.uniform(-120.0, 120.0, n),
            rng.uniform(-120.0, 120.0, n),
        )
        for _ in range(16)
    ]
    return model, state, commands, rng


def _rate(n: int, seconds: float, one_call: bool) -> float:
    model, state, commands, rng = _setup(n, seed=n)
    for i in range(50):  # warm up
        model.step(state, commands[i % 16], rng)
    steps = 0
    start = time.perf_counter()
    while True:
        for _ in range(100):
            command = commands[steps % 16]
            if one_call:
                step(state, command, model.params, DT_S, rng)
            else:
                model.step(state, command, rng)
            steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps * n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    print(f"vehicle step, dt = {DT_S} s, {args.seconds:g} s per figure")
    print(f"{'N':>6} {'VehicleModel.step':>22} {'us/step':>9} {'step() (builds a model)':>26}")
    for n in (1, 64, 1024):
        model_rate = _rate(n, args.seconds, one_call=False)
        call_rate = _rate(n, args.seconds, one_call=True)
        print(f"{n:>6} {model_rate:>16,.0f} /s {1e6 * n / model_rate:>9.1f} {call_rate:>20,.0f} /s")


if __name__ == "__main__":
    main()
