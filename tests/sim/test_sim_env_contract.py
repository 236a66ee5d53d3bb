"""DroneCine/Shot-v0 honours the Gymnasium and stable-baselines3 contracts."""

from __future__ import annotations

import dronecine_sim  # noqa: F401  (registers the ids)
import gymnasium as gym
import numpy as np
import pytest
from dronecine_sim.envs.errors import EnvConfigError
from dronecine_sim.envs.sb3 import ShotSB3VecEnv
from dronecine_sim.envs.vector import ShotVectorEnv
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.vec_env import VecEnv

from dronecine.control import ACTION, OBSERVATION
from dronecine.shots import MoveName

SHOT_IDS = [env_id for env_id in gym.registry if env_id.startswith("DroneCine/")]


def test_the_shot_environment_is_registered() -> None:
    assert "DroneCine/Shot-v0" in SHOT_IDS
    assert gym.spec("DroneCine/Shot-v0").max_episode_steps == 300


@pytest.mark.parametrize("env_id", SHOT_IDS)
def test_gymnasium_env_checker_passes(env_id: str) -> None:
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()


@pytest.mark.parametrize("env_id", SHOT_IDS)
def test_sb3_env_checker_passes(env_id: str) -> None:
    env = gym.make(env_id)
    sb3_check_env(env.unwrapped, warn=False)
    env.close()


def test_spaces_follow_the_control_layouts() -> None:
    env = gym.make("DroneCine/Shot-v0")
    assert env.observation_space.shape == (OBSERVATION.size,)
    assert env.action_space.shape == (ACTION.size,)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)


def test_reset_options_fix_the_shot() -> None:
    env = gym.make("DroneCine/Shot-v0")
    for move in (MoveName.ORBIT, MoveName.DRONIE):
        obs, _ = env.reset(seed=1, options={"move": move.value, "size": "full"})
        one_hot = obs[OBSERVATION.slice_of("move")]
        assert one_hot.sum() == 1.0
        assert list(MoveName)[int(np.argmax(one_hot))] is move
        assert env.unwrapped.sim.shots[0].move.name is move
    with pytest.raises(Exception, match="unknown reset option 'shot'"):
        env.reset(options={"shot": "orbit"})


def test_unknown_settings_are_named() -> None:
    with pytest.raises(EnvConfigError, match="unknown environment setting 'perceptoin'"):
        gym.make("DroneCine/Shot-v0", perceptoin="noisy")


def test_the_vector_env_autoresets_in_the_same_step() -> None:
    env = gym.make_vec("DroneCine/Shot-v0", num_envs=4, vectorization_mode="vector_entry_point")
    assert isinstance(env.unwrapped, ShotVectorEnv)
    obs, _ = env.reset(seed=3)
    assert obs.shape == (4, OBSERVATION.size)
    ended = 0
    for _ in range(320):  # beyond the 300-step time limit: every drone ends at least once
        obs, reward, terminated, truncated, infos = env.step(env.action_space.sample())
        done = terminated | truncated
        if done.any():
            ended += int(done.sum())
            assert infos["_final_obs"][done].all()
            assert infos["final_obs"].shape == obs.shape
            assert np.isfinite(infos["episode"]["framing_error"][done]).all()
    assert ended >= 4
    assert np.isfinite(obs).all() and np.isfinite(reward).all()


def test_the_sb3_vec_env_reports_terminal_observations() -> None:
    env = ShotSB3VecEnv(3, seed=5)
    assert isinstance(env, VecEnv)
    obs = env.reset()
    assert obs.shape == (3, OBSERVATION.size)
    finished = []
    for _ in range(305):
        env.step_async(np.zeros((3, ACTION.size), dtype=np.float32))
        obs, _, done, infos = env.step_wait()
        finished += [info for info, d in zip(infos, done, strict=True) if d]
    assert finished
    assert all(info["terminal_observation"].shape == (OBSERVATION.size,) for info in finished)
    assert any(info["TimeLimit.truncated"] for info in finished)
