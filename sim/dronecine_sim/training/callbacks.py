"""What happens while PPO trains: validation on unseen scenarios, the learning curve, the policy
file kept current (a stopped run still leaves a usable policy), and the wall-clock budget."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from dronecine.control import LearnedPolicy, PolicyFile
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.evaluation.runner import filming_score, run_episodes, summarise
from dronecine_sim.evaluation.scenarios import EVAL_SEED_OFFSET, held_out_scenarios

# Validation flies evaluation-space scenarios (never trained on) under a seed of its own, so the
# held-out evaluation (``dronecine eval``, seed 0 by default) is not the set the run watched.
VALIDATION_SEED = EVAL_SEED_OFFSET + 1_000_000
CURVE_FIELDS = ("steps", "wall_s", "framing_error", "size_error", "in_frame", "jerk_rms", "score", "train_return")


class TrainingMonitor(BaseCallback):
    """Every ``every_steps``: validate, log to TensorBoard, append to ``curve.csv``, save the policy
    file (and, when it validates best so far, ``policy_best.npz``); stop when ``deadline_s`` (a
    ``time.monotonic`` instant) passes."""

    def __init__(
        self,
        export: Callable[[], PolicyFile],
        out_dir: Path,
        config: ShotEnvConfig,
        every_steps: int,
        episodes: int,
        deadline_s: float | None,
        wall_offset_s: float = 0.0,
    ) -> None:
        super().__init__()
        self.export = export
        self.out_dir = out_dir
        self.config = config
        self.every_steps = every_steps
        self.scenarios = held_out_scenarios(episodes)
        self.deadline_s = deadline_s
        self.wall_offset_s = wall_offset_s
        self._start_s = time.monotonic()
        self._next_validation = 0
        self._returns: list[float] = []
        self.curve_path = out_dir / "curve.csv"
        self.best_score = _best_score_so_far(self.curve_path)  # a resumed run keeps its best

    def _on_training_start(self) -> None:
        if not self.curve_path.exists():
            with self.curve_path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerow(CURVE_FIELDS)
        self.validate()  # the starting point (the baseline, for a new residual policy)
        self._next_validation = self.num_timesteps + self.every_steps

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            metrics = info.get("episode_metrics")
            if metrics:
                self._returns.append(metrics["return"])
                for name in ("framing_error", "size_error", "in_frame", "jerk_rms"):
                    self.logger.record_mean(f"episode/{name}", metrics[name])
        if self.num_timesteps >= self._next_validation:
            self.validate()
            self._next_validation = self.num_timesteps + self.every_steps
        return self.deadline_s is None or time.monotonic() < self.deadline_s

    def _on_training_end(self) -> None:
        self.validate()

    def wall_s(self) -> float:
        return self.wall_offset_s + time.monotonic() - self._start_s

    def validate(self) -> dict[str, float | int]:
        policy_file = self.export()
        policy_file.save(self.out_dir / "policy.npz")
        results = run_episodes(
            LearnedPolicy(policy_file, dt_s=self.config.dt_s), self.scenarios, self.config, VALIDATION_SEED
        )
        summary = summarise(results)
        score = filming_score(summary)
        if score < self.best_score:
            self.best_score = score
            policy_file.save(self.out_dir / "policy_best.npz")
        self.logger.record("validation/score", score)
        for name in ("framing_error", "size_error", "in_frame", "jerk_rms"):
            self.logger.record(f"validation/{name}", summary[name])
        train_return = float(np.mean(self._returns)) if self._returns else float("nan")
        self._returns.clear()
        row = [self.num_timesteps, round(self.wall_s(), 1)]
        row += [round(float(summary[name]), 5) for name in CURVE_FIELDS[2:6]]
        row += [round(score, 5), round(train_return, 3)]
        with self.curve_path.open("a", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(row)
        return summary


def _best_score_so_far(curve: Path) -> float:
    if not curve.exists():
        return float("inf")
    with curve.open(newline="", encoding="utf-8") as handle:
        scores = [float(row["score"]) for row in csv.DictReader(handle) if row.get("score")]
    return min(scores, default=float("inf"))
