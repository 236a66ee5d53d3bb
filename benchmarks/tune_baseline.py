"""Tune the baseline controller's gains honestly: a random search on *training* scenarios.

The evaluation's sets (seeds from 2^31 up) are never flown here, so the baseline that ``dronecine
eval`` compares a policy with was not fitted to the evaluation. Each candidate scales the current
defaults by log-uniform factors within ``SPREAD``; it flies every move x script (126 episodes) with
the ``noisy`` perception and scores

    framing_error + 0.5 * size_error + (1 - in_frame) + 0.02 * jerk_rms

(the evaluation's metrics, jerk in m/s^3). The best few are flown again on a second training seed
and the best mean wins. Paste the printed gains into ``dronecine/control/baseline.py``.

    python benchmarks/tune_baseline.py --candidates 48
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.evaluation.runner import filming_score, run_episodes, summarise
from dronecine_sim.evaluation.scenarios import held_out_scenarios

from dronecine.control import BaselineController, BaselineGains

TUNED = (
    "pan_p_per_s",
    "pan_i_per_s2",
    "tilt_p_per_s",
    "tilt_i_per_s2",
    "point_p_per_s",
    "gimbal_centre_per_s",
    "position_p_per_s",
    "feed_forward",
    "size_p_m_s",
)
SPREAD = 3.0  # factors drawn within 1/3 .. 3 of the defaults (feed_forward within 0..1.2)
TRAINING_SEEDS = (11, 12)


def score(gains: BaselineGains, seed: int, config: ShotEnvConfig) -> tuple[float, dict[str, float | int]]:
    results = run_episodes(BaselineController(gains, dt_s=config.dt_s), held_out_scenarios(126), config, seed)
    m = summarise(results)
    return filming_score(m), m


def candidate(rng: np.random.Generator, base: BaselineGains) -> BaselineGains:
    changes = {}
    for name in TUNED:
        if name == "feed_forward":
            changes[name] = float(rng.uniform(0.0, 1.2))
        else:
            changes[name] = float(getattr(base, name) * np.exp(rng.uniform(-np.log(SPREAD), np.log(SPREAD))))
    return dataclasses.replace(base, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=48)
    parser.add_argument("--finalists", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = ShotEnvConfig(perception="noisy")
    rng = np.random.default_rng(args.seed)
    base = BaselineGains()
    start = time.perf_counter()
    default_first = score(base, TRAINING_SEEDS[0], config)[0]
    tried = [(default_first, base)]
    print(f"defaults: score {default_first:.4f}")
    for i in range(args.candidates):
        gains = candidate(rng, base)
        value, m = score(gains, TRAINING_SEEDS[0], config)
        tried.append((value, gains))
        print(
            f"{i + 1:3d}/{args.candidates} score {value:.4f}  framing {m['framing_error']:.3f} "
            f"in_frame {m['in_frame']:.3f} jerk {m['jerk_rms']:.2f}"
        )
    tried.sort(key=lambda item: item[0])
    finalists = []
    for value, gains in tried[: args.finalists]:
        second, m = score(gains, TRAINING_SEEDS[1], config)
        finalists.append(((value + second) / 2.0, gains, m))
    finalists.sort(key=lambda item: item[0])
    best_value, best, m = finalists[0]
    default_value = (default_first + score(base, TRAINING_SEEDS[1], config)[0]) / 2.0
    print(f"\nsearched {args.candidates} candidates in {time.perf_counter() - start:.0f} s")
    print(
        f"defaults' mean score {default_value:.4f}; best {best_value:.4f} "
        f"(framing {m['framing_error']:.3f}, size {m['size_error']:.3f}, in_frame {m['in_frame']:.3f}, "
        f"jerk {m['jerk_rms']:.2f} on seed {TRAINING_SEEDS[1]})"
    )
    for name in TUNED:
        print(f"    {name}: float = {getattr(best, name):.3g}")


if __name__ == "__main__":
    main()
