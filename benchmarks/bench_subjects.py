"""Time the batched subject step (``dronecine_sim.subjects``) for M = 2, 128 and 2048 people.

A script, not a test: ``python benchmarks/bench_subjects.py [--seconds S] [--buildings B]``. It
prints person-steps per second for ``Subjects.step`` on people from ``random_scenario`` (every
script, M / 2 envs of a subject and its partner), as an environment steps them; the target is
2 million person-steps per second at M = 2048 on one core. ``--buildings`` adds B random
building boxes (people kept out of them) to time the obstacle hook too.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from dronecine_sim.subjects import BoxObstacles, Subjects, random_scenario

DT_S = 0.1


def _obstacles(count: int, rng: np.random.Generator) -> BoxObstacles | None:
    if count == 0:
        return None
    centre = rng.uniform(-60.0, 60.0, (count, 2))
    half = rng.uniform(3.0, 10.0, (count, 2))
    height = rng.uniform(5.0, 30.0, count)
    low = np.column_stack([centre - half, -height])
    high = np.column_stack([centre + half, np.zeros(count)])
    return BoxObstacles(low, high)


def _rate(m: int, seconds: float, buildings: int) -> float:
    rng = np.random.default_rng(m)
    subjects = Subjects(m, _obstacles(buildings, rng))
    random_scenario(rng, m // 2).apply(subjects, rng)
    for _ in range(50):  # warm up, and let the scripts get going
        subjects.step(DT_S, rng)
    steps = 0
    start = time.perf_counter()
    while True:
        for _ in range(50):
            subjects.step(DT_S, rng)
        steps += 50
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps * m / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--buildings", type=int, default=0, help="random building boxes to keep people out of")
    args = parser.parse_args()
    print(f"subjects step, dt = {DT_S} s, {args.buildings} buildings, {args.seconds:g} s per figure")
    print(f"{'M':>6} {'person-steps/s':>18} {'us/step':>9}")
    for m in (2, 128, 2048):
        rate = _rate(m, args.seconds, args.buildings)
        print(f"{m:>6} {rate:>18,.0f} {1e6 * m / rate:>9.1f}")


if __name__ == "__main__":
    main()
