"""How much CPU time the host took from this virtual machine during a measurement.

Linux counts it as "steal" in ``/proc/stat``: time a virtual CPU was ready to run but the
hypervisor ran someone else. On a shared cloud machine it comes in bursts (we have seen 75% of
both CPUs for minutes) and then freezes the whole process for hundreds of milliseconds at a time,
which no code of ours can smooth: a timing taken under heavy steal measures the host, not us. The
benchmarks that report latencies print the steal share beside their figures so a reader can tell.
"""

from __future__ import annotations

from pathlib import Path

_STAT = Path("/proc/stat")
_STEAL_FIELD = 7  # user nice system idle iowait irq softirq steal ... (after the "cpu" label)


def _cpu_times() -> list[int] | None:
    try:
        first = _STAT.read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None  # not Linux
    if first[0] != "cpu" or len(first) <= _STEAL_FIELD + 1:
        return None
    return [int(v) for v in first[1:]]


class StealMeter:
    """``with StealMeter() as steal: ...``, then ``steal.share`` (0..1), or None where unknown."""

    def __init__(self) -> None:
        self._before: list[int] | None = None
        self.share: float | None = None

    def __enter__(self) -> StealMeter:
        self._before = _cpu_times()
        return self

    def __exit__(self, *_exc: object) -> None:
        after = _cpu_times()
        if self._before is None or after is None:
            return
        # guest times (fields 9, 10) are already counted in user and nice
        spent = [b - a for a, b in zip(self._before[:8], after[:8], strict=True)]
        total = sum(spent)
        self.share = spent[_STEAL_FIELD] / total if total > 0 else None

    def describe(self) -> str:
        return "n/a" if self.share is None else f"{100.0 * self.share:.0f}%"
