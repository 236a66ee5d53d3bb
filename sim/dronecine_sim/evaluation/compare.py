"""A policy and the baseline on the same held-out scenarios, side by side."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dronecine.control import Policy
from dronecine.shots import MoveName
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.evaluation.errors import EvaluationError
from dronecine_sim.evaluation.runner import EpisodeResults, run_episodes, summarise
from dronecine_sim.evaluation.scenarios import EVAL_SEED_OFFSET, held_out_scenarios
from dronecine_sim.perception.onboard import OnboardPerception


@dataclass(frozen=True, eq=False)
class EvaluationReport:
    """``summary`` is the JSON document: ``{"policy": {...}, "baseline": {...}, "per_move": {MOVE:
    {"policy": {...}, "baseline": {...}}}, "settings": {...}}``."""

    summary: dict[str, Any]
    policy: EpisodeResults
    baseline: EpisodeResults

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.summary, indent=2) + "\n", encoding="utf-8")


def evaluate(
    policy: Policy,
    baseline: Policy,
    episodes: int,
    seed: int,
    config: ShotEnvConfig,
    settings: dict[str, Any] | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
    onboard: Callable[[int], OnboardPerception] | None = None,
) -> EvaluationReport:
    """Fly ``episodes`` held-out scenarios with each controller (the same scenarios, the same seed);
    ``seed`` (0..2^31 - 1) picks the evaluation set."""
    if not 0 <= seed < EVAL_SEED_OFFSET:
        raise EvaluationError(f"evaluation seed must be within 0..{EVAL_SEED_OFFSET - 1}, got {seed}")
    scenarios = held_out_scenarios(episodes)
    flown = {}
    for name, controller in (("policy", policy), ("baseline", baseline)):
        report = None if on_step is None else (lambda step, total, name=name: on_step(name, step, total))
        flown[name] = run_episodes(controller, scenarios, config, EVAL_SEED_OFFSET + seed, report, onboard)
    moves = np.array([s.move for s in scenarios])
    summary: dict[str, Any] = {name: summarise(results) for name, results in flown.items()}
    summary["per_move"] = {
        move.value: {name: summarise(results, moves == move) for name, results in flown.items()}
        for move in MoveName
        if (moves == move).any()
    }
    summary["settings"] = {"episodes": episodes, "seed": seed, **(settings or {})}
    return EvaluationReport(summary, flown["policy"], flown["baseline"])
