"""Environment speed: DroneCine/Shot-v0 steps per second, one env and batched, beside PyFlyt.

    python benchmarks/bench_env.py [--seconds 5] [--pyflyt-python PATH]

Prints env-steps per second and simulated seconds per wall second for the single env (random
actions, resets included, as a training loop sees it) and for the batched env at N = 64 and 1024,
then PyFlyt's ``PyFlyt/QuadX-Hover-v4`` measured the same way in the same run, and the ratio.
PyFlyt is an optional benchmark dependency (``pip install -e ".[bench]"``); ``--pyflyt-python``
runs it with another interpreter that has it. Pin one core with ``OMP_NUM_THREADS=1``.
Targets (issue 3): single env >= 20x PyFlyt's steps/s; batched >= 250,000 env-steps/s at N = 1024.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import dronecine_sim  # noqa: F401  (registers DroneCine/Shot-v0)
import gymnasium as gym
import numpy as np
from dronecine_sim.envs import ShotEnvConfig
from dronecine_sim.envs.sb3 import ShotSB3VecEnv

_PYFLYT_SNIPPET = """
import json, sys, time, gymnasium as gym, PyFlyt.gym_envs  # noqa
env = gym.make("PyFlyt/QuadX-Hover-v4")
env.reset(seed=0); env.action_space.seed(0)
steps, start = 0, time.perf_counter()
while time.perf_counter() - start < float(sys.argv[1]):
    _, _, terminated, truncated, _ = env.step(env.action_space.sample()); steps += 1
    if terminated or truncated:
        env.reset()
elapsed = time.perf_counter() - start
print(json.dumps({"steps_per_s": steps / elapsed, "dt_s": 1.0 / 30.0}))
"""


def single_env(seconds: float) -> float:
    env = gym.make("DroneCine/Shot-v0")
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(1000)]
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, terminated, truncated, _ = env.step(actions[steps % 1000])
        steps += 1
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def batched_env(n: int, seconds: float) -> float:
    env = ShotSB3VecEnv(n, seed=0)
    env.reset()
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1.0, 1.0, (16, n, 6)).astype(np.float32)
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        env.step_async(actions[calls % 16])
        env.step_wait()
        calls += 1
    return calls * n / (time.perf_counter() - start)


def pyflyt(seconds: float, python: str) -> dict[str, float] | None:
    try:
        result = subprocess.run(
            [python, "-c", _PYFLYT_SNIPPET, str(seconds)], capture_output=True, text=True, check=True, timeout=600
        )
    except (subprocess.CalledProcessError, FileNotFoundError, subprocess.TimeoutExpired) as error:
        print(f"PyFlyt not measured ({type(error).__name__}); install it with: pip install -e '.[bench]'")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="DroneCine/Shot-v0 speed beside PyFlyt")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to time each case")
    parser.add_argument("--pyflyt-python", default=sys.executable, help="interpreter with PyFlyt installed")
    args = parser.parse_args()
    dt_s = ShotEnvConfig().dt_s

    single = single_env(args.seconds)
    print(f"DroneCine/Shot-v0 single env    {single:12,.0f} env-steps/s {single * dt_s:10,.0f} sim-s/s")
    for n in (64, 1024):
        rate = batched_env(n, args.seconds)
        print(f"DroneCine/Shot-v0 batched N={n:<4d} {rate:12,.0f} env-steps/s {rate * dt_s:10,.0f} sim-s/s")
    reference = pyflyt(args.seconds, args.pyflyt_python)
    if reference is not None:
        rate = reference["steps_per_s"]
        print(f"PyFlyt/QuadX-Hover-v4 single    {rate:12,.0f} env-steps/s {rate * reference['dt_s']:10,.0f} sim-s/s")
        sim_ratio = single * dt_s / (rate * reference["dt_s"])
        print(f"single env / PyFlyt: {single / rate:.1f}x steps/s, {sim_ratio:.1f}x sim-s/s (target >= 20x steps/s)")
    print("batched N=1024 target: >= 250,000 env-steps/s")


if __name__ == "__main__":
    main()
