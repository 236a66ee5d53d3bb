"""Training benchmark: train the shipped policy's recipe within a wall-clock budget, then print the
learning curve, the time it took and the held-out evaluation against the baseline with the
issue's targets.

    python benchmarks/bench_training.py --minutes 28 --out runs/bench     # train, then evaluate
    python benchmarks/bench_training.py --run runs/bench                  # evaluate a finished run

Targets (noisy perception, held-out scenarios): policy framing error <= 0.7x the baseline's; in
frame >= 99% of steps; RMS jerk and size error no worse than the baseline's; at most 30 minutes.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.evaluation import evaluate
from dronecine_sim.training.settings import TrainSettings
from dronecine_sim.training.train import train

from dronecine.control import BaselineController, LearnedPolicy


def print_curve(curve: Path) -> None:
    print(f"\nlearning curve ({curve}): validation on unseen episodes")
    print(f"{'steps':>12} {'minutes':>8} {'framing':>8} {'size':>7} {'in frame':>9} {'jerk':>6}")
    with curve.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            print(
                f"{int(row['steps']):>12,} {float(row['wall_s']) / 60:>8.1f} {float(row['framing_error']):>8.4f} "
                f"{float(row['size_error']):>7.4f} {float(row['in_frame']):>9.4f} {float(row['jerk_rms']):>6.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=28.0)
    parser.add_argument("--out", type=Path, default=Path("runs/bench"))
    parser.add_argument("--run", type=Path, help="evaluate this finished run instead of training")
    parser.add_argument("--episodes", type=int, default=252)
    args = parser.parse_args()
    run = args.run
    if run is None:
        start = time.perf_counter()
        result = train(TrainSettings(out_dir=args.out, max_minutes=args.minutes), progress_bar=True)
        print(f"trained {result.steps:,} steps in {(time.perf_counter() - start) / 60:.1f} min")
        run = args.out
    print_curve(run / "curve.csv")
    config = ShotEnvConfig(perception="noisy")
    best = run / "policy_best.npz"
    report = evaluate(
        LearnedPolicy.load(best if best.exists() else run / "policy.npz"),
        BaselineController(dt_s=config.dt_s),
        args.episodes,
        0,
        config,
    )
    mine, base = report.summary["policy"], report.summary["baseline"]
    print(f"\nheld-out evaluation, {args.episodes} episodes, noisy perception, seed 0")
    checks = (
        ("framing_error", mine["framing_error"] <= 0.7 * base["framing_error"], "<= 0.7x baseline"),
        ("size_error", mine["size_error"] <= base["size_error"], "<= baseline"),
        ("in_frame", mine["in_frame"] >= 0.99, ">= 0.99"),
        ("jerk_rms", mine["jerk_rms"] <= base["jerk_rms"], "<= baseline"),
    )
    for key, met, target in checks:
        ratio = mine[key] / base[key] if base[key] else float("nan")
        print(
            f"  {key:14s} policy {mine[key]:.4f}  baseline {base[key]:.4f}  ratio {ratio:.2f}  "
            f"target {target}: {'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
