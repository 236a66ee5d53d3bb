"""Time the safety supervisor's ``filter`` with the robot_skies fence (6 vertices) and 2 other drones.

A script, not a test: ``python benchmarks/bench_safety.py [--seconds S]``. One supervisor per drone
runs at 10..50 Hz, up to 20 drones in one process, so a call must cost well under 100 µs. Three
cases, each over a set of prepared random states:
- ``free``: commands the supervisor passes unchanged (mid-air, inside the fence, drones far apart);
- ``mixed``: random positions (over the whole estate, some outside), velocities and commands within
  the speed caps, other drones about 15 m away: many near a boundary;
- ``limited``: every command changed (full speed at the fence, a neighbour or the ceiling).
It prints the mean µs per call of each (the best of several timed runs, so that other load on the
machine shows less) and how many calls were changed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from dronecine.flight import SafetyLimits, SafetySupervisor
from dronecine.mission import load_mission

MISSION = Path(__file__).resolve().parents[1] / "missions" / "robot_skies.yaml"
STATES = 2000


def _cases(lim: SafetyLimits, rng: np.random.Generator) -> dict[str, list[tuple]]:
    n = STATES
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    unit = np.column_stack([np.cos(heading), np.sin(heading), np.zeros(n)])

    free_positions = np.column_stack([rng.uniform(-60, 60, n), rng.uniform(-60, 60, n), -rng.uniform(15, 45, n)])
    free_others = free_positions[:, None, :] + rng.choice([-1.0, 1.0], (n, 2, 3)) * [40.0, 40.0, 0.0]
    free_commands = unit * rng.uniform(0.0, 4.0, (n, 1))

    mixed_positions = np.column_stack([rng.uniform(-125, 125, n), rng.uniform(-125, 125, n), -rng.uniform(2, 60, n)])
    mixed_others = mixed_positions[:, None, :] + rng.normal(0.0, 15.0, (n, 2, 3))
    mixed_commands = np.column_stack([unit[:, :2] * rng.uniform(0.0, 9.0, (n, 1)), rng.uniform(-3.0, 3.0, n)])

    limited_positions = np.column_stack([np.full(n, 120.0), rng.uniform(-80, 80, n), -rng.uniform(50, 57, n)])
    limited_others = limited_positions[:, None, :] + [[[0.0, 15.0, 0.0], [-15.0, 0.0, 0.0]]]
    limited_commands = np.tile([9.0, 0.0, -3.0], (n, 1))

    def rows(positions: np.ndarray, others: np.ndarray, commands: np.ndarray, moving: float) -> list[tuple]:
        return [(commands[i], 20.0, positions[i], commands[i] * moving, others[i]) for i in range(n)]

    return {
        "free": rows(free_positions, free_others, free_commands, 1.0),
        "mixed": rows(mixed_positions, mixed_others, mixed_commands, 0.5),
        "limited": rows(limited_positions, limited_others, limited_commands, 1.0),
    }


def _mean_us(supervisor: SafetySupervisor, cases: list[tuple], seconds: float) -> tuple[float, int]:
    changed = sum(bool(supervisor.filter(*case).interventions) for case in cases)  # warm up, and count
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for case in cases:
            supervisor.filter(*case)
        best = min(best, (time.perf_counter() - start) / len(cases))
    return best * 1e6, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per case")
    args = parser.parse_args()
    lim = SafetyLimits.from_mission(load_mission(MISSION).mission.safety)
    supervisor = SafetySupervisor(lim)
    print(f"SafetySupervisor.filter: robot_skies fence ({len(lim.geofence_ne_m)} vertices), 2 other drones")
    for name, cases in _cases(lim, np.random.default_rng(0)).items():
        us, changed = _mean_us(supervisor, cases, args.seconds)
        print(f"  {name:8s} {us:7.1f} µs per call   ({changed}/{len(cases)} calls changed)")


if __name__ == "__main__":
    main()
