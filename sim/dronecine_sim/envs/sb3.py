"""The batched shot environment as a stable-baselines3 ``VecEnv``, without a process per env."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvStepReturn

from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import ShotSimulation
from dronecine_sim.envs.spaces import action_space, observation_space


class ShotSB3VecEnv(VecEnv):
    """N shot environments for SB3: ``PPO("MlpPolicy", ShotSB3VecEnv(1024))`` trains on all at once.

    Finished episodes restart within ``step_wait``, with the last observation in
    ``infos[i]["terminal_observation"]`` and ``infos[i]["TimeLimit.truncated"]`` set on a time limit.
    """

    def __init__(self, num_envs: int, config: ShotEnvConfig | None = None, seed: int | None = None) -> None:
        self.render_mode = None  # read by VecEnv.__init__ through get_attr
        super().__init__(num_envs, observation_space(), action_space())
        self.sim = ShotSimulation(num_envs, config or ShotEnvConfig(), autoreset=True)
        self._seed = seed
        self._actions = np.zeros((num_envs, self.action_space.shape[0]), dtype=np.float32)

    def reset(self) -> np.ndarray:
        obs, _ = self.sim.reset_all(seed=self._seed, options=None)
        self._seed = None  # a later reset continues the random stream
        return obs

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        self._seed = seed
        return [seed] * self.num_envs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions, dtype=np.float32).reshape(self.num_envs, -1)

    def step_wait(self) -> VecEnvStepReturn:
        obs, reward, terminated, truncated, infos = self.sim.step(self._actions)
        done = terminated | truncated
        episode = [{} for _ in range(self.num_envs)]
        for i in np.flatnonzero(done):
            episode[i] = {
                "terminal_observation": infos["final_obs"][i],
                "TimeLimit.truncated": bool(truncated[i] and not terminated[i]),
                "episode_metrics": {k: float(v[i]) for k, v in infos["episode"].items()},
            }
        return obs, reward.astype(np.float32), done, episode

    def close(self) -> None:
        return None

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [getattr(self, attr_name)] * len(self._indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *args: Any, indices: VecEnvIndices = None, **kwargs: Any) -> list[Any]:
        return [getattr(self, method_name)(*args, **kwargs) for _ in self._indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False] * len(self._indices(indices))

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [self.sim.render(i) for i in range(self.num_envs)]

    def _indices(self, indices: VecEnvIndices) -> Iterable[int]:
        if indices is None:
            return range(self.num_envs)
        if isinstance(indices, int):
            return [indices]
        return indices
