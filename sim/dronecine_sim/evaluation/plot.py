"""The evaluation's picture: per-move bars (policy beside baseline) and example trajectories."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
import numpy as np

from dronecine_sim.evaluation.compare import EvaluationReport

_METRICS = (("framing_error", "framing error (lower is better)"), ("in_frame", "in frame (higher is better)"))
_COLOURS = {"policy": "#1f77b4", "baseline": "#ff7f0e"}
_EXAMPLES = 4
# Example episodes with moving subjects and different moves: (follow, waypoints), (orbit, run),
# (flyby, sudden_turns), (helix, walk_with) in the scenarios' fixed order (move i % 14, script i // 14).
_EXAMPLE_INDICES = (14, 31, 79, 90)


def plot_report(report: EvaluationReport, path: Path) -> Path:
    """Write the PNG: two bar charts over the moves, then the first few episodes seen from above."""
    moves = list(report.summary["per_move"])
    fig = plt.figure(figsize=(14, 10), layout="constrained")
    grid = fig.add_gridspec(3, _EXAMPLES)
    x = np.arange(len(moves))
    for row, (metric, title) in enumerate(_METRICS):
        ax = fig.add_subplot(grid[row, :])
        for offset, name in ((-0.2, "policy"), (0.2, "baseline")):
            values = [report.summary["per_move"][m][name][metric] for m in moves]
            overall = report.summary[name][metric]
            ax.bar(x + offset, values, 0.4, color=_COLOURS[name], label=f"{name} (all moves: {overall:.3f})")
        ax.set_xticks(x, moves)
        ax.set_title(title)
        ax.set_ylim(top=ax.get_ylim()[1] * 1.3)  # headroom: the legend never sits on a bar
        ax.legend(loc="upper right")
        ax.grid(axis="y", alpha=0.3)
    count = len(report.policy.scenarios)
    examples = _EXAMPLE_INDICES if count > max(_EXAMPLE_INDICES) else range(min(_EXAMPLES, count))
    for column, k in enumerate(examples):
        ax = fig.add_subplot(grid[2, column])
        subject = report.policy.subject_ned_m[:, k]
        ax.plot(subject[:, 1], subject[:, 0], "k--", lw=1, label="subject")
        for name, results in (("policy", report.policy), ("baseline", report.baseline)):
            path_ned = results.drone_ned_m[:, k]
            ax.plot(path_ned[:, 1], path_ned[:, 0], color=_COLOURS[name], lw=1.2, label=name)
        ax.plot(subject[0, 1], subject[0, 0], "ko", ms=4)
        ax.set_title(report.policy.scenarios[k].label, fontsize=9)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("east (m)")
        if column == 0:
            ax.set_ylabel("north (m)")
            ax.legend(fontsize=7)
    settings = report.summary["settings"]
    fig.suptitle(
        f"{Path(settings.get('policy', 'policy')).name} vs baseline: {settings['episodes']} held-out episodes, "
        f"perception {settings.get('perception', '?')}, seed {settings['seed']}"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
