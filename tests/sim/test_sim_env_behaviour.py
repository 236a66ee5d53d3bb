"""DroneCine/Shot-v0 behaves: reproducible, within the vehicle's limits, rewarding good framing."""

from __future__ import annotations

import dronecine_sim  # noqa: F401  (registers the ids)
import gymnasium as gym
import numpy as np
from dronecine_sim.envs.sb3 import ShotSB3VecEnv

from dronecine.control import ACTION


def rollout(seed: int, steps: int = 60) -> tuple[np.ndarray, np.ndarray]:
    env = gym.make("DroneCine/Shot-v0")
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    observations, rewards = [obs], []
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        observations.append(obs)
        rewards.append(reward)
        if terminated or truncated:
            obs, _ = env.reset()
    return np.array(observations), np.array(rewards)


def test_one_seed_gives_one_rollout() -> None:
    first, second = rollout(11), rollout(11)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    other = rollout(12)
    assert not np.array_equal(first[0], other[0])


def test_the_vehicle_keeps_its_limits_under_any_action() -> None:
    env = ShotSB3VecEnv(64, seed=2)
    env.reset()
    sim = env.sim
    params = sim.vehicle.params
    rng = np.random.default_rng(0)
    for _ in range(100):
        action = rng.choice([-1.0, 1.0], size=(64, ACTION.size)) * rng.uniform(1.0, 3.0, (64, ACTION.size))
        env.step_async(action.astype(np.float32))
        env.step_wait()
        s = sim.state
        own = s.own_velocity_ned_m_s
        assert (np.hypot(own[:, 0], own[:, 1]) <= params.max_horizontal_speed_m_s + 1e-9).all()
        assert (own[:, 2] <= params.max_down_speed_m_s + 1e-9).all()
        assert (-own[:, 2] <= params.max_up_speed_m_s + 1e-9).all()
        accel = s.accel_ned_m_s2
        assert (np.hypot(accel[:, 0], accel[:, 1]) <= params.max_horizontal_accel_m_s2 + 1e-9).all()
        assert (s.gimbal_pitch_deg >= params.gimbal_pitch_min_deg - 1e-9).all()
        assert (s.gimbal_pitch_deg <= params.gimbal_pitch_max_deg + 1e-9).all()
        assert (np.abs(s.yaw_rate_deg_s) <= params.max_yaw_rate_deg_s + 1e-9).all()


def test_holding_the_start_frames_better_than_flying_away() -> None:
    """Hovering at the shot's first reference keeps the subject closer to its target than
    flying off at full speed, and the reward says so."""
    hold, away = ShotSB3VecEnv(32, seed=4), ShotSB3VecEnv(32, seed=4)
    hold.reset()
    away.reset()
    rewards = {"hold": 0.0, "away": 0.0}
    framing = {"hold": [], "away": []}
    fly_away = np.zeros((32, ACTION.size), dtype=np.float32)
    fly_away[:, 0] = -1.0  # full speed backwards
    fly_away[:, 3] = 1.0  # spinning
    for _ in range(30):
        for name, env, action in (("hold", hold, np.zeros_like(fly_away)), ("away", away, fly_away)):
            env.step_async(action)
            _, reward, _, _ = env.step_wait()
            rewards[name] += float(reward.mean())
    for name, env in (("hold", hold), ("away", away)):
        framing[name] = float(np.mean(env.sim.stats.summary()["framing_error"]))
    assert rewards["hold"] > rewards["away"]
    assert framing["hold"] < framing["away"]
