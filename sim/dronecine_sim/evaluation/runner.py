"""Fly a controller through evaluation scenarios, all at once in one batched simulation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine.control import Policy
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import ShotSimulation
from dronecine_sim.evaluation.errors import EvaluationError
from dronecine_sim.evaluation.scenarios import EvalScenario, episode_plans
from dronecine_sim.perception.onboard import OnboardPerception

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class EpisodeResults:
    """Per episode (E,): step sums of the capped framing and size errors, in-frame steps and squared
    jerk, the steps flown (an episode ends early on a crash or breach), and whether it ended so;
    ``drone_ned_m`` and ``subject_ned_m`` (T, E, 3) are the paths (NaN after an episode ended)."""

    scenarios: list[EvalScenario]
    framing_sum: FloatArray
    size_sum: FloatArray
    in_frame_steps: FloatArray
    jerk2_sum: FloatArray
    steps: FloatArray
    terminated: NDArray[np.bool_]
    drone_ned_m: FloatArray
    subject_ned_m: FloatArray


def run_episodes(
    controller: Policy,
    scenarios: list[EvalScenario],
    config: ShotEnvConfig,
    seed: int,
    on_step: Callable[[int, int], None] | None = None,
    onboard: Callable[[int], OnboardPerception] | None = None,
) -> EpisodeResults:
    """Fly every scenario once with ``controller`` in the set ``seed`` builds (evaluation sets use
    seeds from ``EVAL_SEED_OFFSET`` up, see ``scenarios``). ``on_step(step, total)`` reports progress;
    ``onboard(n)``, when given, makes the onboard perception the drones see through (rendered frames)."""
    if not 0 <= seed < 2**63:
        raise EvaluationError(f"seed must be within 0..2^63 - 1, got {seed}")
    e = len(scenarios)
    sim = ShotSimulation(e, config, autoreset=False)
    if onboard is not None:
        sim.use_onboard_perception(onboard(e))
    plans = episode_plans(scenarios, np.random.default_rng([seed, 7]))
    obs = sim.reset_planned(seed, plans)
    total = config.max_episode_steps
    sums = {name: np.zeros(e) for name in ("framing", "size", "in_frame", "jerk2", "steps")}
    active = np.ones(e, dtype=bool)
    drone = np.full((total, e, 3), np.nan)
    subject = np.full((total, e, 3), np.nan)
    episode_start = np.ones(e, dtype=bool)
    for step in range(total):
        action = controller.predict(obs, episode_start)
        episode_start[:] = False
        obs, _, terminated, _, info = sim.step(action)
        sums["framing"] += np.where(active, info["framing_error"], 0.0)
        sums["size"] += np.where(active, info["size_error"], 0.0)
        sums["in_frame"] += active & info["in_frame"]
        sums["jerk2"] += np.where(active, info["jerk_m_s3"] ** 2, 0.0)
        sums["steps"] += active
        drone[step, active] = sim.state.position_ned_m[active]
        subject[step, active] = sim.subjects.position_ned_m[:e][active]
        active &= ~terminated
        if on_step is not None:
            on_step(step + 1, total)
        if not active.any():
            break
    return EpisodeResults(
        scenarios=list(scenarios),
        framing_sum=sums["framing"],
        size_sum=sums["size"],
        in_frame_steps=sums["in_frame"],
        jerk2_sum=sums["jerk2"],
        steps=sums["steps"],
        terminated=~active,
        drone_ned_m=drone,
        subject_ned_m=subject,
    )


def summarise(results: EpisodeResults, rows: NDArray[np.bool_] | None = None) -> dict[str, float | int]:
    """Step-weighted metrics over the episodes in ``rows`` (all by default): mean framing and size
    error, fraction of steps in frame, RMS jerk (m/s^3), episodes, and those ended by a crash or breach."""
    pick = np.ones(len(results.steps), dtype=bool) if rows is None else rows
    steps = max(float(results.steps[pick].sum()), 1.0)
    return {
        "framing_error": float(results.framing_sum[pick].sum() / steps),
        "size_error": float(results.size_sum[pick].sum() / steps),
        "in_frame": float(results.in_frame_steps[pick].sum() / steps),
        "jerk_rms": float(np.sqrt(results.jerk2_sum[pick].sum() / steps)),
        "episodes": int(pick.sum()),
        "terminated": int(results.terminated[pick].sum()),
    }


def filming_score(summary: dict[str, float | int]) -> float:
    """One number to rank controllers by (lower is better): the baseline's gain search and the
    training's choice of its best policy both use it."""
    return float(
        summary["framing_error"]
        + 0.5 * summary["size_error"]
        + (1.0 - summary["in_frame"])
        + 0.02 * summary["jerk_rms"]
    )
