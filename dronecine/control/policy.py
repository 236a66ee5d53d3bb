"""The policy protocol: what the onboard agent, the evaluation and the simulator fly.

Narrow, as stable-baselines3's ``predict``: observations (N, D) in, actions (N, 6) in [-1, 1] out.
``episode_start`` marks drones starting a new shot, so stateful policies (the baseline's
integrators) restart them. ``BaselineController`` and ``LearnedPolicy`` implement it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike


@runtime_checkable
class Policy(Protocol):
    def predict(self, observation: ArrayLike, episode_start: ArrayLike | None = None) -> np.ndarray: ...

    def reset(self, rows: ArrayLike | None = None) -> None: ...
