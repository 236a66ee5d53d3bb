"""The ``DroneCine/`` Gymnasium ids, registered when ``dronecine_sim`` is imported."""

from __future__ import annotations

import gymnasium

from dronecine_sim.envs.config import ShotEnvConfig

SHOT_ENV_ID = "DroneCine/Shot-v0"


def register_envs() -> None:
    if SHOT_ENV_ID in gymnasium.registry:
        return
    gymnasium.register(
        id=SHOT_ENV_ID,
        entry_point="dronecine_sim.envs.single:ShotEnv",
        vector_entry_point="dronecine_sim.envs.vector:ShotVectorEnv",
        max_episode_steps=ShotEnvConfig().max_episode_steps,
    )
