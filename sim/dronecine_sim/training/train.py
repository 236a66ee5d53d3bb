"""``dronecine train``: PPO on the batched shot simulator, seeded, logged, checkpointed, resumable.

The run directory holds everything: ``checkpoints/`` (SB3 models with their VecNormalize
statistics), ``tensorboard/``, ``curve.csv`` (validation metrics against steps and wall time),
``settings.json``, ``policy.npz`` (the onboard policy file, rewritten at every validation) and
``policy_best.npz`` (the one that validated best so far: the one to ship).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import stable_baselines3
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import CallbackList, CheckpointCallback
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from dronecine.control import BaselineController, BaselineGains, PolicyFile
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.sb3 import ShotSB3VecEnv
from dronecine_sim.training.callbacks import TrainingMonitor
from dronecine_sim.training.errors import TrainingError
from dronecine_sim.training.export import policy_file_from_sb3
from dronecine_sim.training.residual import ResidualVecEnv
from dronecine_sim.training.settings import TrainSettings
from dronecine_sim.training.smoothing import SmoothedVecEnv

logger = logging.getLogger(__name__)

# SB3's CheckpointCallback names its files from this prefix; resuming and the final save follow it.
_PREFIX = "ppo"
_CHECKPOINT = re.compile(rf"{_PREFIX}_(\d+)_steps\.zip")


def _model_path(checkpoints: Path, steps: int) -> Path:
    return checkpoints / f"{_PREFIX}_{steps}_steps.zip"


def _stats_path(checkpoints: Path, steps: int) -> Path:
    return checkpoints / f"{_PREFIX}_vecnormalize_{steps}_steps.pkl"


@dataclass(frozen=True)
class TrainingResult:
    steps: int
    wall_s: float
    policy_path: Path
    curve_path: Path


def train(settings: TrainSettings, progress_bar: bool = True) -> TrainingResult:
    """Train (or continue training) a policy as ``settings`` say; returns where it went."""
    out = settings.out_dir
    checkpoints = out / "checkpoints"
    latest = _latest_checkpoint(checkpoints)
    if latest is not None and not settings.resume:
        raise TrainingError(
            f"{out} already holds a training run (latest {latest.name}): pass --resume to continue it, "
            "or choose another --out"
        )
    if settings.resume and latest is None:
        raise TrainingError(f"--resume: {checkpoints} has no checkpoint to continue from")
    out.mkdir(parents=True, exist_ok=True)
    checkpoints.mkdir(exist_ok=True)

    config = ShotEnvConfig(perception=settings.perception)
    start_steps = 0 if latest is None else int(_CHECKPOINT.fullmatch(latest.name).group(1))  # type: ignore[union-attr]
    # A resumed run continues with fresh episodes, not a replay of the first ones.
    venv = ShotSB3VecEnv(settings.n_envs, config, seed=settings.seed + start_steps)
    gains = BaselineGains()
    env = controlled_env(venv, settings, gains, config.dt_s)
    if latest is None:
        normalize = VecNormalize(env, norm_obs=True, norm_reward=True, gamma=settings.gamma)
        model = _new_model(normalize, settings, out)
        wall_offset = 0.0
    else:
        stats = _stats_path(checkpoints, start_steps)
        if not stats.exists():
            raise TrainingError(f"--resume: {latest.name} has no normalisation statistics beside it ({stats.name})")
        normalize = VecNormalize.load(str(stats), env)
        model = PPO.load(latest, env=normalize, device="cpu", tensorboard_log=str(out / "tensorboard"))
        wall_offset = _wall_so_far(out / "curve.csv")
        logger.info("resuming from %s (%d steps)", latest.name, start_steps)
    _write_settings(out, settings, start_steps)

    def export() -> PolicyFile:
        return policy_file_from_sb3(
            model,
            normalize,
            residual="baseline" if settings.residual_scale > 0.0 else None,
            residual_scale=settings.residual_scale,
            velocity_smoothing=settings.velocity_smoothing,
            baseline_gains=dataclasses.asdict(gains),
            metadata={
                "steps": int(model.num_timesteps),
                "wall_s": round(monitor.wall_s(), 1),
                "perception": settings.perception.value,
                "seed": settings.seed,
                "n_envs": settings.n_envs,
                "command": " ".join(sys.argv),
                "date": time.strftime("%Y-%m-%d"),
            },
        )

    deadline = None if settings.max_minutes is None else time.monotonic() + 60.0 * settings.max_minutes
    monitor = TrainingMonitor(
        export, out, config, settings.eval_every_steps, settings.eval_episodes, deadline, wall_offset
    )
    checkpoint = CheckpointCallback(
        max(settings.checkpoint_every_steps // settings.n_envs, 1),
        str(checkpoints),
        name_prefix=_PREFIX,
        save_vecnormalize=True,
    )
    remaining = max(settings.total_steps - start_steps, 0)
    try:
        model.learn(
            remaining,
            callback=CallbackList([checkpoint, monitor]),
            progress_bar=progress_bar,
            reset_num_timesteps=latest is None,
            tb_log_name="ppo",
        )
    finally:
        # Whatever stopped the run (the budget, Ctrl-C, an error), its state is kept.
        steps = int(model.num_timesteps)
        model.save(_model_path(checkpoints, steps))
        normalize.save(str(_stats_path(checkpoints, steps)))
    best = out / "policy_best.npz"
    return TrainingResult(steps, monitor.wall_s(), best if best.exists() else out / "policy.npz", monitor.curve_path)


def controlled_env(venv: VecEnv, settings: TrainSettings, gains: BaselineGains, dt_s: float) -> VecEnv:
    """``venv`` as the policy acts on it: through the velocity smoother (nearest the simulator, as
    onboard it sits between the controller and the flight link), then the residual on the baseline."""
    env = venv
    if settings.velocity_smoothing < 1.0:
        env = SmoothedVecEnv(env, settings.velocity_smoothing)
    if settings.residual_scale > 0.0:
        env = ResidualVecEnv(env, BaselineController(gains, dt_s=dt_s), settings.residual_scale)
    return env


def _new_model(env: VecEnv, settings: TrainSettings, out: Path) -> PPO:
    torch.manual_seed(settings.seed)
    return PPO(
        "MlpPolicy",
        env,
        learning_rate=_linear_decay(settings.learning_rate),
        n_steps=settings.n_steps,
        batch_size=settings.batch_size,
        n_epochs=settings.n_epochs,
        gamma=settings.gamma,
        gae_lambda=settings.gae_lambda,
        clip_range=settings.clip_range,
        policy_kwargs={
            "net_arch": {"pi": list(settings.net_arch), "vf": [2 * w for w in settings.net_arch]},
            "log_std_init": settings.log_std_init,
        },
        tensorboard_log=str(out / "tensorboard"),
        seed=settings.seed,
        device="cpu",
        verbose=0,
    )


def _linear_decay(initial: float) -> Callable[[float], float]:
    def rate(progress_remaining: float) -> float:
        return initial * progress_remaining

    return rate


def _latest_checkpoint(directory: Path) -> Path | None:
    found = [
        (int(m.group(1)), p) for p in directory.glob(f"{_PREFIX}_*_steps.zip") if (m := _CHECKPOINT.fullmatch(p.name))
    ]
    return max(found)[1] if found else None


def _wall_so_far(curve: Path) -> float:
    if not curve.exists():
        return 0.0
    rows = curve.read_text(encoding="utf-8").strip().splitlines()[1:]
    return float(rows[-1].split(",")[1]) if rows else 0.0


def _write_settings(out: Path, settings: TrainSettings, start_steps: int) -> None:
    values = {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(settings).items()}
    values["perception"] = settings.perception.value
    values["resumed_from_steps"] = start_steps
    values["versions"] = {"stable_baselines3": stable_baselines3.__version__, "torch": torch.__version__}
    (out / "settings.json").write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
