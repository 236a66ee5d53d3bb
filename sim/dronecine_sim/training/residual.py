"""The policy's action as a correction on top of the classical baseline.

The agent's action ``r`` becomes ``clip(baseline(obs) + scale * r, -1, 1)`` before the simulator
flies it. Learning a residual starts from a controller that already films (a zero residual is the
baseline), so PPO spends its samples on what the baseline gets wrong (anticipating the subject's
motion, the perception's latency and dropouts) rather than on rediscovering pointing a camera.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvStepReturn

from dronecine.control import BaselineController
from dronecine_sim.training.errors import TrainingError


class ResidualVecEnv(VecEnvWrapper):
    """Wraps a VecEnv of shot environments so its actions are residuals on ``baseline``."""

    def __init__(self, venv: VecEnv, baseline: BaselineController, scale: float) -> None:
        if not 0.0 < scale <= 2.0:
            raise TrainingError(f"residual scale must be within (0, 2], got {scale}")
        super().__init__(venv)
        self.baseline = baseline
        self.scale = float(scale)
        self._obs: np.ndarray | None = None
        self._episode_start = np.ones(venv.num_envs, dtype=bool)

    def reset(self) -> np.ndarray:
        self._obs = self.venv.reset()
        self._episode_start[:] = True
        return self._obs

    def step_async(self, actions: np.ndarray) -> None:
        if self._obs is None:
            raise RuntimeError("step before reset: call reset() first")
        base = self.baseline.predict(self._obs, self._episode_start)
        self._episode_start[:] = False
        self.venv.step_async(np.clip(base + self.scale * np.asarray(actions), -1.0, 1.0))

    def step_wait(self) -> VecEnvStepReturn:
        obs, reward, done, infos = self.venv.step_wait()
        self._obs = obs
        self._episode_start = done.copy()
        return obs, reward, done, infos
