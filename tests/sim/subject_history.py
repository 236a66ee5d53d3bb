"""Flying simulated people for the subject tests, recording how their state evolves."""

from __future__ import annotations

import numpy as np
from dronecine_sim.subjects import ScriptParams, Subjects
from numpy.typing import ArrayLike

DT_S = 0.1


def fly_people(
    params: ScriptParams,
    start: np.ndarray,
    heading_deg: ArrayLike,
    rng: np.random.Generator,
    steps: int,
    names: tuple[str, ...],
) -> dict[str, np.ndarray]:
    """Reset ``params.m`` people at ``start`` and step them ``steps`` times by ``DT_S``; returns each
    attribute in ``names`` as an array (steps + 1, ...) from the start on."""
    subjects = Subjects(params.m)
    subjects.reset(np.arange(params.m), params, start, heading_deg, rng)
    history: dict[str, list[np.ndarray]] = {name: [getattr(subjects, name).copy()] for name in names}
    for _ in range(steps):
        subjects.step(DT_S, rng)
        for name in names:
            history[name].append(getattr(subjects, name).copy())
    return {name: np.array(values) for name, values in history.items()}
