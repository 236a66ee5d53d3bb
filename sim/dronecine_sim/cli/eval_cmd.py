"""``dronecine eval``: a policy and the baseline on the same held-out scenarios, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from dronecine.cli.errors import report_user_errors
from dronecine.control import BUNDLED, BaselineController, LearnedPolicy
from dronecine.control.policy_file import policy_path
from dronecine.perception.detector import WEIGHTS_ENV, DetectorSettings, YoloDetector, resolve_weights
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.evaluation import evaluate
from dronecine_sim.evaluation.plot import plot_report
from dronecine_sim.perception import PerceptionChoice
from dronecine_sim.perception.onboard import OnboardPerception

_ROWS = (
    ("framing_error", "framing error", "lower"),
    ("size_error", "size error", "lower"),
    ("in_frame", "in frame", "higher"),
    ("jerk_rms", "RMS jerk (m/s³)", "lower"),
)


@report_user_errors
def evaluate_command(
    policy: Annotated[str, typer.Option("--policy", help="A policy file, or 'bundled' for the shipped one.")] = BUNDLED,
    episodes: Annotated[
        int, typer.Option("--episodes", min=1, help="Held-out episodes (252: every move x script x wind).")
    ] = 252,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**31 - 1, help="Picks the held-out set.")] = 0,
    json_out: Annotated[Path, typer.Option("--json", help="Where the JSON results go.")] = Path("eval.json"),
    png_out: Annotated[Path | None, typer.Option("--png", help="The picture (default: beside the JSON).")] = None,
    perception: Annotated[PerceptionChoice, typer.Option("--perception", help="The tracker the drones fly with.")] = (
        PerceptionChoice.NOISY
    ),
    weights: Annotated[
        str | None, typer.Option("--weights", help=f"YOLO weights (default: ${WEIGHTS_ENV}, then bundled).")
    ] = None,
) -> None:
    """Fly a fixed, seeded set of held-out scenarios with the policy and the baseline; write JSON and a PNG."""
    path = policy_path(policy)
    learned = LearnedPolicy.load(path)
    onboard = None
    if perception is PerceptionChoice.YOLO:
        # The drones see through the real detector, tracker and lock on rendered frames; the
        # perception model is built but unused.
        config = ShotEnvConfig(perception="noisy")
        detector = YoloDetector(DetectorSettings(resolve_weights(weights)))
        frame_rate_hz = 1.0 / config.dt_s

        def onboard(n: int) -> OnboardPerception:
            return OnboardPerception(n, detector, config.camera, frame_rate_hz)
    else:
        config = ShotEnvConfig(perception=perception.value)
    with Progress(transient=True) as progress:
        tasks = {
            name: progress.add_task(f"{name:8s}", total=config.max_episode_steps) for name in ("policy", "baseline")
        }
        report = evaluate(
            learned,
            BaselineController(dt_s=config.dt_s),
            episodes,
            seed,
            config,
            settings={"policy": str(path), "perception": perception.value},
            on_step=lambda name, step, total: progress.update(tasks[name], completed=step),
            onboard=onboard,
        )
    report.write_json(json_out)
    picture = plot_report(report, png_out or json_out.with_suffix(".png"))
    _print_table(report.summary)
    typer.echo(f"results: {json_out}   picture: {picture}")


def _print_table(summary: dict) -> None:
    table = Table(title="held-out evaluation", title_justify="left")
    for column in ("metric", "policy", "baseline", "policy / baseline"):
        table.add_column(column, justify="right" if column != "metric" else "left")
    for key, label, better in _ROWS:
        mine, theirs = summary["policy"][key], summary["baseline"][key]
        ratio = f"{mine / theirs:.2f}" if theirs else "-"
        table.add_row(f"{label} ({better} is better)", f"{mine:.4f}", f"{theirs:.4f}", ratio)
    Console(highlight=False).print(table)
