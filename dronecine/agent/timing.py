"""Per-stage timing of the onboard loop: how long telemetry, perception, policy, safety and the
link take each step, as p50 / p99 / max, and how often a step overran its period."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

STAGES = ("telemetry", "perception", "observe", "policy", "safety", "link", "station", "step")
_KEPT = 20_000  # the latest samples per stage (an hour at 10 Hz would be 36 000: percentiles of the recent past)


@dataclass(frozen=True)
class StageStats:
    """One stage's durations in milliseconds over ``count`` samples."""

    stage: str
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def to_json(self) -> dict[str, float | int | str]:
        return {
            "stage": self.stage,
            "count": self.count,
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "max_ms": round(self.max_ms, 3),
        }


class StageTimer:
    """Collects durations per stage (``with timer.stage("policy"): ...`` or ``add``)."""

    def __init__(self, stages: tuple[str, ...] = STAGES) -> None:
        self._samples: dict[str, deque[float]] = {s: deque(maxlen=_KEPT) for s in stages}
        self._totals: dict[str, float] = dict.fromkeys(stages, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self._samples.setdefault(name, deque(maxlen=_KEPT)).append(seconds)
        self._totals[name] = self._totals.get(name, 0.0) + seconds

    def total_s(self, name: str) -> float:
        """All the time spent in ``name`` so far."""
        return self._totals.get(name, 0.0)

    def stats(self) -> tuple[StageStats, ...]:
        rows = []
        for name, samples in self._samples.items():
            if not samples:
                rows.append(StageStats(name, 0, float("nan"), float("nan"), float("nan")))
                continue
            ms = np.asarray(samples) * 1000.0
            rows.append(
                StageStats(name, len(ms), float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), float(ms.max()))
            )
        return tuple(rows)


def format_stats(stats: tuple[StageStats, ...]) -> str:
    """One line: ``stage p50/p99/max ms`` for every stage that has samples."""
    return (
        ", ".join(f"{s.stage} {s.p50_ms:.2f}/{s.p99_ms:.2f}/{s.max_ms:.2f}" for s in stats if s.count)
        + " (p50/p99/max ms)"
    )
