"""``DroneCine/Shot-v0`` as a Gymnasium vector environment: N drones stepped at once in numpy.

Autoreset is SAME_STEP (the convention stable-baselines3 also uses): a drone whose episode ends
is reset within the same ``step``; its last observation is in ``infos["final_obs"]`` (rows where
``infos["_final_obs"]`` is True) and the returned observation is the new episode's first.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import ShotSimulation
from dronecine_sim.envs.spaces import action_space, observation_space


class ShotVectorEnv(VectorEnv):
    metadata: ClassVar[dict[str, Any]] = {
        "render_modes": ["rgb_array"],
        "autoreset_mode": AutoresetMode.SAME_STEP,
        "render_fps": 10,
    }

    def __init__(
        self, num_envs: int = 64, config: ShotEnvConfig | None = None, render_mode: str | None = None, **kwargs: Any
    ) -> None:
        # gymnasium.make_vec passes the spec's time limit: the batch applies it itself.
        max_episode_steps = kwargs.pop("max_episode_steps", None)
        self.config = ShotEnvConfig.from_kwargs(config, kwargs)
        if max_episode_steps is not None:
            self.config = dataclasses.replace(self.config, episode_s=max_episode_steps * self.config.dt_s)
        self.num_envs = num_envs
        self.render_mode = render_mode
        self.single_observation_space = observation_space()
        self.single_action_space = action_space()
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.sim = ShotSimulation(num_envs, self.config, autoreset=True)

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        if isinstance(seed, list):
            seed = seed[0]
        super().reset(seed=seed)
        return self.sim.reset_all(seed=seed, options=options)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        return self.sim.step(actions)

    def render(self) -> np.ndarray | None:
        return self.sim.render(0) if self.render_mode == "rgb_array" else None
