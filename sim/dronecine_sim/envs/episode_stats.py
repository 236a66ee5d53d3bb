"""Per-episode filming statistics, reported when an episode ends (``infos["episode"]``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine_sim.envs.reward import RewardTerms


class EpisodeStats:
    """Running sums per drone: return, length, framing and size error, in-frame steps, jerk."""

    def __init__(self, n: int) -> None:
        names = ("return", "length", "framing_error", "size_error", "in_frame", "jerk2")
        self._sums = {name: np.zeros(n) for name in names}

    def reset(self, rows: NDArray[np.intp]) -> None:
        for values in self._sums.values():
            values[rows] = 0.0

    def add(self, terms: RewardTerms, jerk_m_s3: NDArray[np.float64]) -> None:
        s = self._sums
        s["return"] += terms.reward
        s["length"] += 1.0
        s["framing_error"] += terms.framing_error
        s["size_error"] += terms.size_error
        s["in_frame"] += terms.in_frame
        s["jerk2"] += jerk_m_s3**2

    def summary(self) -> dict[str, NDArray[np.float64]]:
        """Per drone (N,): the episode's return and length, mean framing and size errors (each step's
        capped at 1, see ``reward``), fraction of steps in frame, RMS jerk (m/s^3)."""
        s = self._sums
        length = np.maximum(s["length"], 1.0)
        return {
            "return": s["return"].copy(),
            "length": s["length"].copy(),
            "framing_error": s["framing_error"] / length,
            "size_error": s["size_error"] / length,
            "in_frame": s["in_frame"] / length,
            "jerk_rms": np.sqrt(s["jerk2"] / length),
        }
