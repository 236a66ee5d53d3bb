"""Time the batched shot reference (``ShotBatch.reference``) for N = 1, 64 and 1024 drones.

A script, not a test: ``python benchmarks/bench_shots.py [--seconds S]``. Mixed moves (all 14,
cycled), random valid parameters, sizes and framings, each drone's subject walking its own arc.
It prints microseconds per call and per drone, the scalar ``Shot.reference`` per call for
comparison, and the part of a batch call spent projecting boxes (``project_person_boxes``,
called twice per reference by the pointing corrections). Figures are the best of several
timed runs, so that other load on the machine shows less.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.person import project_person_boxes
from dronecine.shots import MOVES, Composition, Framing, MoveName, Shot, ShotBatch, ShotSize, SubjectState, build_move
from dronecine.shots import param_specs as specs_of

CAMERA = PinholeCamera(84.0, 1920, 1080)


def _shots(n: int, rng: np.random.Generator) -> list[Shot]:
    shots = []
    for i in range(n):
        name = list(MoveName)[i % len(MoveName)]
        specs = [spec for spec in specs_of(MOVES[name]) if spec.default is not None]  # 'auto' ones stay auto
        params = {spec.name: float(rng.uniform(spec.minimum, spec.maximum)) for spec in specs}
        framing = Framing(Composition(rng.choice(list(Composition))), lead_room=float(rng.uniform(0.0, 1.0)))
        shots.append(Shot(build_move(name, params), ShotSize(rng.choice(list(ShotSize))), framing, CAMERA))
    return shots


def _subjects(n: int, rng: np.random.Generator) -> tuple[SubjectState, SubjectState]:
    heading = rng.uniform(-180.0, 180.0, n)
    speed = rng.uniform(0.0, 3.0, n)
    velocity = np.column_stack([speed * np.cos(np.radians(heading)), speed * np.sin(np.radians(heading)), np.zeros(n)])
    start = SubjectState(rng.uniform(-50.0, 50.0, (n, 3)) * [1.0, 1.0, 0.0], velocity, heading)
    now = SubjectState(start.position_ned_m + 10.0 * velocity, velocity, heading + rng.uniform(-30.0, 30.0, n))
    return now, start


def _best_s(call: Callable[[], object], seconds: float) -> float:
    """Best time of one call over repeated timed runs lasting about ``seconds`` in all."""
    call()  # warm up (and build the batch's groups)
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(10):
            call()
        best = min(best, (time.perf_counter() - start) / 10)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"shot references, mixed moves, best of {args.seconds:g} s of runs per figure")
    print(f"{'N':>6} {'ShotBatch.reference':>20} {'us/drone':>9} {'of which boxes':>15}")
    for n in (1, 64, 1024):
        shots = _shots(n, rng)
        now, start = _subjects(n, rng)
        times = rng.uniform(0.0, 60.0, n)
        batch = ShotBatch(shots)
        call_s = _best_s(partial(batch.reference, times, now, start), args.seconds)
        refs = batch.reference(times, now, start)
        pose = CameraPose.from_angles(refs.position_ned_m, refs.yaw_deg, refs.pitch_deg)
        boxes_s = _best_s(partial(project_person_boxes, CAMERA, pose, now.position_ned_m, now.height_m), args.seconds)
        print(f"{n:>6} {1e6 * call_s:>17.0f} us {1e6 * call_s / n:>9.2f} {100 * 2 * boxes_s / call_s:>14.0f}%")
    shot, (now, start) = _shots(1, rng)[0], _subjects(1, rng)
    one_s = _best_s(partial(shot.reference, 3.0, now.select(0), start.select(0)), args.seconds)
    print(f"scalar Shot.reference: {1e6 * one_s:.0f} us per call")


if __name__ == "__main__":
    main()
