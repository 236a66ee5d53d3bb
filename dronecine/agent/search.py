"""Where to point the camera while searching for a lost subject: sweeps about where it may be.

Two guesses of where a lost subject is: the estimator's prediction (it dead-reckons from the last
detection, its velocity fading) and the ground station's plan (where the scene's blocking puts the
subject now). The prediction is the better guess just after the loss, the plan once the estimate
has drifted (a wrong lock before the loss can leave it far off). The camera looks at each guess in
turn for one ``period_s``, starting with the prediction, sweeping left and right of it with an
amplitude that grows with the time searched. Each look starts at zero offset, on the guess itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SearchPattern:
    """The sweep: the bearing offset from the current guess is ``amplitude(t) * sin(2 pi t / period_s)``,
    ``amplitude(t) = min(max_amplitude_deg, first_amplitude_deg + amplitude_growth_deg_s * t)``."""

    first_amplitude_deg: float = 15.0
    amplitude_growth_deg_s: float = 6.0
    max_amplitude_deg: float = 60.0  # with the camera's half field of view, most of the circle
    period_s: float = 6.0  # slow enough for the detector to see each bearing (about 40 deg/s at most)

    def offset_deg(self, searching_s: float) -> float:
        """The bearing offset from the current guess after ``searching_s`` of search."""
        t = max(0.0, searching_s)
        amplitude = min(self.max_amplitude_deg, self.first_amplitude_deg + self.amplitude_growth_deg_s * t)
        return amplitude * math.sin(2.0 * math.pi * t / self.period_s)

    def guess_index(self, searching_s: float, guesses: int) -> int:
        """Which of ``guesses`` guesses the camera sweeps about after ``searching_s``."""
        return int(max(0.0, searching_s) // self.period_s) % max(guesses, 1)


def search_look_at(
    position_ned_m: FloatArray, guesses_ned_m: Sequence[FloatArray], searching_s: float, pattern: SearchPattern
) -> FloatArray:
    """The point (3,) to point the camera at: the current guess turned about the drone by the sweep's
    offset (its range and depression angle kept). ``guesses_ned_m``: where the subject may be, the
    likeliest first (at least one)."""
    if not guesses_ned_m:
        raise ValueError("a search needs at least one guess of where the subject is")
    here = np.asarray(position_ned_m, dtype=float)
    guess = np.asarray(guesses_ned_m[pattern.guess_index(searching_s, len(guesses_ned_m))], dtype=float)
    offset = guess - here
    angle = math.radians(pattern.offset_deg(searching_s))
    c, s = math.cos(angle), math.sin(angle)
    return here + np.array([c * offset[0] - s * offset[1], s * offset[0] + c * offset[1], offset[2]])
