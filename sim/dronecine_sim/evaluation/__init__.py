"""Held-out evaluation of camera controllers: a fixed, seeded set of scenarios (every move x subject
motion x wind) flown by a policy and the baseline side by side, scored by ``dronecine.metrics``."""

from dronecine_sim.evaluation.compare import EvaluationReport, evaluate
from dronecine_sim.evaluation.runner import EpisodeResults, filming_score, run_episodes
from dronecine_sim.evaluation.scenarios import EVAL_SEED_OFFSET, EvalScenario, Wind, held_out_scenarios

__all__ = [
    "EVAL_SEED_OFFSET",
    "EpisodeResults",
    "EvalScenario",
    "EvaluationReport",
    "Wind",
    "evaluate",
    "filming_score",
    "held_out_scenarios",
    "run_episodes",
]
