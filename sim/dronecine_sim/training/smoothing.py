"""The velocity smoothing of ``dronecine.control.VelocitySmoother`` inside the training loop.

A policy whose setpoints the agent smooths must learn with that smoothing between it and the
vehicle: the lag it adds is part of the dynamics the policy has to anticipate. The wrapper sits
between the residual wrapper (or the policy) and the simulator, as the smoother sits between the
policy and the flight link onboard.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvStepReturn

from dronecine.control.smoothing import VelocitySmoother


class SmoothedVecEnv(VecEnvWrapper):
    """Passes each step's actions through a ``VelocitySmoother``; a drone whose episode ended restarts it."""

    def __init__(self, venv: VecEnv, weight: float) -> None:
        super().__init__(venv)
        self.smoother = VelocitySmoother(weight)
        self._episode_start = np.ones(venv.num_envs, dtype=bool)

    def reset(self) -> np.ndarray:
        self._episode_start[:] = True
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        smoothed = self.smoother(np.clip(np.asarray(actions, dtype=np.float64), -1.0, 1.0), self._episode_start)
        self._episode_start[:] = False
        self.venv.step_async(smoothed)

    def step_wait(self) -> VecEnvStepReturn:
        obs, reward, done, infos = self.venv.step_wait()
        self._episode_start = done.copy()
        return obs, reward, done, infos
