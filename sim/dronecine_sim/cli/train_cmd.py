"""``dronecine train``: train a camera policy with PPO in the simulator."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from dronecine.cli.errors import report_user_errors
from dronecine_sim.perception import PerceptionLevel
from dronecine_sim.training.settings import TrainSettings
from dronecine_sim.training.train import train


@report_user_errors
def train_command(
    out: Annotated[
        Path, typer.Option("--out", help="Run directory: checkpoints, TensorBoard logs, policy.npz.")
    ] = Path("runs/policy"),
    steps: Annotated[int, typer.Option("--steps", min=1, help="Environment steps (all drones together).")] = 30_000_000,
    minutes: Annotated[float, typer.Option("--minutes", min=0.0, help="Wall-clock budget; 0 stops at --steps.")] = 28.0,
    envs: Annotated[int, typer.Option("--envs", min=1, help="Drones simulated together.")] = 256,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**31 - 1, help="Seeds the simulator and PPO.")] = 0,
    perception: Annotated[
        PerceptionLevel, typer.Option("--perception", help="The simulated tracker's quality.")
    ] = PerceptionLevel.NOISY,
    residual_scale: Annotated[
        float, typer.Option("--residual-scale", min=0.0, max=2.0, help="Residual on the baseline; 0: from scratch.")
    ] = 0.5,
    velocity_smoothing: Annotated[
        float,
        typer.Option(
            "--velocity-smoothing",
            min=0.01,
            max=1.0,
            help="New velocity setpoint's share each step (a low-pass, in training and in flight); 1: none.",
        ),
    ] = TrainSettings.velocity_smoothing,
    eval_every: Annotated[int, typer.Option("--eval-every", min=1, help="Validate every this many steps.")] = 2_000_000,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out from its last checkpoint.")
    ] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Train a policy for every camera move (PPO on the batched simulator); writes OUT/policy_best.npz.

    Watch it with `tensorboard --logdir OUT/tensorboard`; compare it with the baseline with
    `dronecine eval --policy OUT/policy_best.npz`.
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = TrainSettings(
        batch_size=min(TrainSettings.batch_size, envs * TrainSettings.n_steps),  # few drones: one minibatch a rollout
        out_dir=out,
        total_steps=steps,
        max_minutes=minutes or None,
        n_envs=envs,
        seed=seed,
        perception=perception,
        residual_scale=residual_scale,
        velocity_smoothing=velocity_smoothing,
        eval_every_steps=eval_every,
        checkpoint_every_steps=eval_every,
        resume=resume,
    )
    result = train(settings, progress_bar=progress)
    typer.echo(f"trained {result.steps:,} steps in {result.wall_s / 60.0:.1f} min")
    typer.echo(f"policy: {result.policy_path}   learning curve: {result.curve_path}")
    typer.echo(f"compare it with the baseline: dronecine eval --policy {result.policy_path}")
