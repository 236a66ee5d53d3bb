"""The evaluation's scenarios: every camera move x subject motion script x wind, in a fixed order.

Scenario ``i`` flies move ``i mod 14`` with script ``(i // 14) mod 9`` in wind ``(i // 126) mod 2``,
so the first 14 cover every move, the first 126 every move with every script, and 252 the whole
product; more episodes repeat it with fresh draws. Evaluation seeds live at and above
``EVAL_SEED_OFFSET`` (2^31) and training seeds below it, so no evaluation set (buildings, people,
shot parameters) is one a policy trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from dronecine.shots import MoveName
from dronecine_sim.envs.core import EpisodePlan
from dronecine_sim.envs.shot_sampler import ShotChoice
from dronecine_sim.evaluation.errors import EvaluationError
from dronecine_sim.subjects import Script

EVAL_SEED_OFFSET = 2**31


class Wind(StrEnum):
    """``calm``: still air. ``gusty``: a 4 m/s mean wind from a drawn direction, 1.5 m/s gusts."""

    CALM = "calm"
    GUSTY = "gusty"


_WIND_MEAN_M_S = {Wind.CALM: 0.0, Wind.GUSTY: 4.0}
_WIND_GUST_M_S = {Wind.CALM: 0.0, Wind.GUSTY: 1.5}


@dataclass(frozen=True)
class EvalScenario:
    move: MoveName
    script: Script
    wind: Wind

    @property
    def label(self) -> str:
        return f"{self.move.value}/{self.script.mission_name}/{self.wind.value}"


def held_out_scenarios(episodes: int) -> list[EvalScenario]:
    """The first ``episodes`` scenarios of the fixed order (see the module docstring)."""
    if episodes < 1:
        raise EvaluationError(f"episodes must be at least 1, got {episodes}")
    moves, scripts, winds = tuple(MoveName), tuple(Script), tuple(Wind)
    return [
        EvalScenario(
            moves[i % len(moves)],
            scripts[(i // len(moves)) % len(scripts)],
            winds[(i // (len(moves) * len(scripts))) % len(winds)],
        )
        for i in range(episodes)
    ]


def episode_plans(scenarios: list[EvalScenario], rng: np.random.Generator) -> list[EpisodePlan]:
    """The simulator's plans for ``scenarios``; the wind's direction is drawn from ``rng``."""
    plans = []
    for scenario in scenarios:
        direction = rng.uniform(0.0, 2.0 * np.pi)
        mean = _WIND_MEAN_M_S[scenario.wind]
        wind = (mean * float(np.cos(direction)), mean * float(np.sin(direction)), _WIND_GUST_M_S[scenario.wind])
        plans.append(EpisodePlan(ShotChoice(move=scenario.move), scenario.script, wind))
    return plans
