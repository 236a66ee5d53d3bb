"""The simulated detector and tracker: what the agent would perceive of its subject.

``PerceptionModel`` turns the subject's true box into the tracker's report (a
``dronecine.perception.SubjectTrack``), with misses, jitter, latency, wrong locks and loss at a
``PerceptionLevel`` from ``oracle`` to ``harsh``.
"""

from dronecine_sim.perception.errors import PerceptionError
from dronecine_sim.perception.levels import (
    LEVELS,
    PerceptionChoice,
    PerceptionLevel,
    PerceptionParams,
    perception_params,
)
from dronecine_sim.perception.model import PerceptionModel

__all__ = [
    "LEVELS",
    "PerceptionChoice",
    "PerceptionError",
    "PerceptionLevel",
    "PerceptionModel",
    "PerceptionParams",
    "perception_params",
]
