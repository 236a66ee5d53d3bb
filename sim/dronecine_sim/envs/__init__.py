"""Gymnasium environments for cinematic drone control (``DroneCine/Shot-v0``).

``ShotEnv`` is one drone; ``ShotVectorEnv`` (Gymnasium) and ``ShotSB3VecEnv`` (stable-baselines3)
step N drones at once in numpy. All three run ``ShotSimulation``.
"""

from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.registration import SHOT_ENV_ID, register_envs
from dronecine_sim.envs.reward import RewardWeights
from dronecine_sim.envs.shot_sampler import ShotChoice, draw_shot

__all__ = ["SHOT_ENV_ID", "RewardWeights", "ShotChoice", "ShotEnvConfig", "draw_shot", "register_envs"]
