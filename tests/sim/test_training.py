"""Training: a tiny PPO run leaves a policy that acts, resumes where it stopped, and refuses what it
cannot do; the residual wrapper flies the baseline plus the policy's correction."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import ShotSimulation
from dronecine_sim.envs.sb3 import ShotSB3VecEnv
from dronecine_sim.perception import PerceptionLevel
from dronecine_sim.training.callbacks import CURVE_FIELDS
from dronecine_sim.training.errors import TrainingError
from dronecine_sim.training.residual import ResidualVecEnv
from dronecine_sim.training.settings import TrainSettings
from dronecine_sim.training.smoothing import SmoothedVecEnv
from dronecine_sim.training.train import TrainingResult, controlled_env, train

from dronecine.control import ACTION, BaselineController, BaselineGains, LearnedPolicy
from dronecine.control.policy_file import load_policy_file
from dronecine.control.smoothing import VelocitySmoother

TINY = {
    "total_steps": 512,
    "n_envs": 8,
    "n_steps": 32,
    "batch_size": 64,
    "n_epochs": 1,
    "eval_every_steps": 256,
    "checkpoint_every_steps": 256,
    "eval_episodes": 2,
    "max_minutes": None,
}


def tiny(out_dir: Path, **changes: object) -> TrainSettings:
    return TrainSettings(out_dir=out_dir, **{**TINY, **changes})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainingResult:
    """One tiny run (512 steps, a few seconds), shared by the tests that only read it."""
    return train(tiny(tmp_path_factory.mktemp("training") / "run"), progress_bar=False)


def _curve(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_freshly_trained_policy_loads_and_acts(trained: TrainingResult) -> None:
    assert trained.steps == 512
    assert trained.wall_s > 0.0
    assert trained.policy_path.is_file()
    policy = LearnedPolicy.load(trained.policy_path)
    # The shipped file is the best-validated checkpoint, which may be any evaluation point; the last
    # one is policy.npz beside it.
    assert policy.file.metadata["steps"] in range(0, trained.steps + 1, TINY["eval_every_steps"])
    assert LearnedPolicy.load(trained.policy_path.parent / "policy.npz").file.metadata["steps"] == trained.steps
    assert policy.file.metadata["algorithm"] == "PPO"
    assert policy.file.residual == "baseline"  # the default residual scale is 0.5
    assert policy.file.residual_scale == 0.5
    assert policy.file.velocity_smoothing == 1.0  # as trained: no smoothing by default
    assert policy.file.normalizes

    sim = ShotSimulation(16, ShotEnvConfig(episode_s=3.0), autoreset=False)
    obs, _ = sim.reset_all(seed=5, options=None)
    for _ in range(5):
        actions = policy.predict(obs, np.zeros(len(obs), dtype=bool))
        assert actions.shape == (16, ACTION.size)
        assert np.isfinite(actions).all()
        assert (np.abs(actions) <= 1.0).all()
        obs, *_ = sim.step(actions)


def test_a_run_writes_its_curve_and_settings(trained: TrainingResult) -> None:
    out = trained.policy_path.parent
    rows = _curve(trained.curve_path)
    assert tuple(rows[0]) == CURVE_FIELDS
    assert len(rows) >= 3  # the start, every 256 steps, the end
    steps = [int(row[0]) for row in rows[1:]]
    assert steps == sorted(steps)
    assert steps[-1] == trained.steps
    for row in rows[1:]:
        values = [float(v) for v in row[2:6]]
        assert np.isfinite(values).all()
        assert 0.0 <= values[2] <= 1.0  # in frame is a fraction

    settings = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    assert settings["total_steps"] == 512
    assert settings["perception"] == "noisy"
    assert settings["resumed_from_steps"] == 0
    assert settings["out_dir"] == str(out)
    assert "stable_baselines3" in settings["versions"]
    assert (out / "checkpoints" / "ppo_512_steps.zip").is_file()
    assert (out / "checkpoints" / "ppo_vecnormalize_512_steps.pkl").is_file()
    assert any((out / "tensorboard").rglob("events.out.tfevents.*"))


def test_a_second_run_in_the_same_directory_needs_resume(trained: TrainingResult) -> None:
    out = trained.policy_path.parent
    with pytest.raises(TrainingError, match=r"already holds a training run .*pass --resume"):
        train(tiny(out), progress_bar=False)


def test_resume_continues_from_the_last_checkpoint(trained: TrainingResult, tmp_path: Path) -> None:
    out = tmp_path / "run"
    shutil.copytree(trained.policy_path.parent, out)
    before = len(_curve(out / "curve.csv"))
    result = train(tiny(out, total_steps=1024, resume=True), progress_bar=False)
    assert result.steps == 1024 > trained.steps
    assert result.wall_s > trained.wall_s  # the wall clock carries on from the first run
    assert (out / "checkpoints" / "ppo_1024_steps.zip").is_file()
    assert (out / "checkpoints" / "ppo_vecnormalize_1024_steps.pkl").is_file()
    assert len(_curve(out / "curve.csv")) > before  # appended to, not restarted
    assert int(_curve(out / "curve.csv")[-1][0]) == 1024
    assert load_policy_file(out / "policy.npz").metadata["steps"] == 1024
    assert result.policy_path == out / "policy_best.npz"  # the best validated, to ship
    settings = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    assert settings["resumed_from_steps"] == 512


def test_resume_without_a_checkpoint_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match=r"--resume: .* has no checkpoint to continue from"):
        train(tiny(tmp_path / "empty", resume=True), progress_bar=False)


def test_resume_without_normalisation_statistics_is_an_error(tmp_path: Path) -> None:
    checkpoints = tmp_path / "run" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "ppo_256_steps.zip").write_bytes(b"not a model")
    with pytest.raises(TrainingError, match=r"ppo_256_steps\.zip has no normalisation statistics"):
        train(tiny(tmp_path / "run", resume=True), progress_bar=False)


# --- the residual wrapper --------------------------------------------------------------------------


class _Spy(ShotSB3VecEnv):
    """Records every action batch it is asked to fly."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.received: list[np.ndarray] = []

    def step_async(self, actions: np.ndarray) -> None:
        self.received.append(np.array(actions))
        super().step_async(actions)


def test_a_zero_residual_flies_exactly_the_baseline() -> None:
    config = ShotEnvConfig(episode_s=1.0)  # 10 steps: the episodes restart within the test
    wrapped_env = _Spy(6, config, seed=3)
    residual = ResidualVecEnv(wrapped_env, BaselineController(dt_s=config.dt_s), scale=0.5)
    reference = ShotSB3VecEnv(6, config, seed=3)
    baseline = BaselineController(dt_s=config.dt_s)

    obs = residual.reset()
    expected_obs = reference.reset()
    np.testing.assert_array_equal(obs, expected_obs)
    episode_start = np.ones(6, dtype=bool)
    restarts = 0
    for step in range(25):
        action = baseline.predict(expected_obs, episode_start)
        obs, reward, done, _ = residual.step(np.zeros((6, ACTION.size), dtype=np.float32))
        expected_obs, expected_reward, expected_done, _ = reference.step(action)
        np.testing.assert_array_equal(wrapped_env.received[step], action)
        np.testing.assert_array_equal(obs, expected_obs)
        np.testing.assert_array_equal(reward, expected_reward)
        np.testing.assert_array_equal(done, expected_done)
        episode_start = expected_done
        restarts += int(expected_done.sum())
    assert restarts >= 12  # the baseline's state restarted with the episodes too


def test_the_residual_moves_the_baseline_by_its_scale_and_clips() -> None:
    env = _Spy(4, ShotEnvConfig(episode_s=1.0), seed=1)
    residual = ResidualVecEnv(env, BaselineController(), scale=0.25)
    obs = residual.reset()
    base = BaselineController().predict(obs, np.ones(4, dtype=bool))
    correction = np.tile(np.array([1.0, -1.0, 0.5, -0.5, 0.0, 1.0], dtype=np.float32), (4, 1))
    residual.step(correction)
    np.testing.assert_allclose(env.received[0], np.clip(base + 0.25 * correction, -1.0, 1.0), atol=1e-6)
    residual.step(np.full((4, ACTION.size), 100.0, dtype=np.float32))
    np.testing.assert_array_equal(env.received[1], 1.0)


def test_a_run_trained_with_smoothing_writes_it_into_its_policy(tmp_path: Path) -> None:
    result = train(tiny(tmp_path / "run", total_steps=256, velocity_smoothing=0.3), progress_bar=False)
    assert LearnedPolicy.load(result.policy_path).file.velocity_smoothing == 0.3


def test_the_simulator_gets_smoothed_velocities_and_a_restarted_drone_gets_its_own() -> None:
    config = ShotEnvConfig(episode_s=0.5)  # 5 steps: every drone restarts within the test
    env = _Spy(3, config, seed=2)
    smoothed = SmoothedVecEnv(env, weight=0.5)
    smoothed.reset()
    velocity = ACTION.slice_of("velocity")
    up = np.full((3, ACTION.size), 0.8, dtype=np.float32)
    smoothed.step(np.zeros((3, ACTION.size), dtype=np.float32))
    for step in range(1, 5):
        _, _, done, _ = smoothed.step(up)
        np.testing.assert_allclose(env.received[step][:, velocity], 0.8 * (1.0 - 0.5**step), rtol=1e-6)
        np.testing.assert_allclose(env.received[step][:, 3:], 0.8)  # rates pass at once
    assert done.all()  # the 5-step episodes ended: the next action is the new episode's first
    smoothed.step(-up)
    np.testing.assert_allclose(env.received[5], -0.8)


def test_a_residual_policy_trained_with_smoothing_flies_the_smoothed_baseline_plus_residual(tmp_path: Path) -> None:
    config = ShotEnvConfig(episode_s=1.0)
    env = _Spy(4, config, seed=4)
    chained = controlled_env(env, tiny(tmp_path, residual_scale=0.5, velocity_smoothing=0.5), BaselineGains(), 0.1)
    obs = chained.reset()
    baseline = BaselineController(dt_s=config.dt_s)
    reference = VelocitySmoother(0.5)
    episode_start = np.ones(4, dtype=bool)
    smoothing_mattered = False
    for step in range(4):
        raw = baseline.predict(obs, episode_start)
        expected = reference(raw, episode_start)
        episode_start[:] = False
        obs, *_ = chained.step(np.zeros((4, ACTION.size), dtype=np.float32))
        np.testing.assert_allclose(env.received[step], expected, atol=1e-6)
        smoothing_mattered |= not np.allclose(expected, raw, atol=1e-3)
    assert smoothing_mattered  # the baseline's velocity changed, so the simulator got it smoothed


@pytest.mark.parametrize("scale", [0.0, -0.1, 2.5])
def test_a_residual_scale_out_of_range_is_an_error(scale: float) -> None:
    with pytest.raises(TrainingError, match=r"residual scale must be within \(0, 2\]"):
        ResidualVecEnv(ShotSB3VecEnv(2), BaselineController(), scale=scale)


def test_a_residual_step_before_reset_is_an_error() -> None:
    residual = ResidualVecEnv(ShotSB3VecEnv(2), BaselineController(), scale=0.5)
    with pytest.raises(RuntimeError, match=r"step before reset"):
        residual.step_async(np.zeros((2, ACTION.size), dtype=np.float32))


# --- the settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("total_steps", 100),  # less than one rollout (8 x 32)
        ("max_minutes", 0.0),
        ("n_envs", 0),
        ("n_steps", 0),
        ("seed", -1),
        ("seed", 2**31),
        ("residual_scale", -0.5),
        ("residual_scale", 2.5),
        ("velocity_smoothing", 0.0),
        ("velocity_smoothing", 1.5),
        ("batch_size", 1),
        ("batch_size", 8 * 32 + 1),
        ("n_epochs", 0),
        ("learning_rate", 0.0),
        ("gamma", 1.5),
        ("gae_lambda", -0.1),
        ("clip_range", 0.0),
        ("net_arch", (64, 0)),
        ("checkpoint_every_steps", 0),
        ("eval_every_steps", 0),
        ("eval_episodes", 0),
    ],
)
def test_a_setting_out_of_range_is_an_error(tmp_path: Path, name: str, value: object) -> None:
    with pytest.raises(TrainingError, match=rf"training setting {name} = .* is out of range"):
        tiny(tmp_path, **{name: value})


def test_the_perception_may_be_named(tmp_path: Path) -> None:
    assert tiny(tmp_path, perception="oracle").perception is PerceptionLevel.ORACLE
    with pytest.raises(TrainingError, match=r"perception = 'yolo' is not one of oracle, light, noisy, harsh"):
        tiny(tmp_path, perception="yolo")


def test_the_defaults_are_in_range(tmp_path: Path) -> None:
    settings = TrainSettings(out_dir=tmp_path)
    assert dataclasses.replace(settings, resume=True).resume
