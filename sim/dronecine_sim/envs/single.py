"""``DroneCine/Shot-v0``: one camera drone filming one shot of a moving person.

## Description

A multirotor with a 2-axis gimbal films a person who walks, runs, stops, turns, meets or is chased
by another, in a set of box buildings. Each episode draws a shot (a camera move, a size, a
composition, the move's parameters) or takes it from ``reset(options=...)``; the drone starts near
the shot's first camera position and must fly the move while keeping the subject framed.

## Action space

``Box(-1, 1, (6,), float32)``, normalised setpoints (``dronecine.control.spaces.ACTION``):

| index | field | unit at 1.0 |
| --- | --- | --- |
| 0..2 | velocity forward, right, down (body frame) | 6, 6, 3 m/s |
| 3 | yaw rate | 60 deg/s |
| 4 | gimbal pitch rate | 60 deg/s |
| 5 | gimbal yaw rate (relative to the body) | 60 deg/s |

## Observation space

``Box(-10, 10, (45,), float32)``, built by ``dronecine.control.ShotObserver`` from the tracker's
report and the drone's telemetry only (the same function the onboard agent calls); the table is
``dronecine.control.OBSERVATION.table()`` and is in the README.

## Rewards

``dronecine_sim.envs.reward``: framing and size errors from ``dronecine.metrics`` on the subject's
true box, the distance to the move's camera position, jerk and setpoint changes, and penalties for
losing the subject and for nearing the ground, buildings or the geofence.

## Episode end

Terminated on a crash (ground contact too fast, entering a building) or a geofence breach;
truncated by ``max_episode_steps`` (300 steps of 0.1 s).

## Arguments

``gymnasium.make("DroneCine/Shot-v0", perception="noisy", buildings=True, randomise=1.0, ...)``:
see ``ShotEnvConfig``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import ShotSimulation
from dronecine_sim.envs.spaces import action_space, observation_space


class ShotEnv(gym.Env[np.ndarray, np.ndarray]):
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(self, config: ShotEnvConfig | None = None, render_mode: str | None = None, **kwargs: Any) -> None:
        self.config = ShotEnvConfig.from_kwargs(config, kwargs)
        self.render_mode = render_mode
        self.observation_space = observation_space()
        self.action_space = action_space()
        self.sim = ShotSimulation(1, self.config, autoreset=False)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        obs, infos = self.sim.reset_all(seed=seed, options=options)
        return obs[0], _row(infos)

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, infos = self.sim.step(np.asarray(action, dtype=np.float32)[None, :])
        return obs[0], float(reward[0]), bool(terminated[0]), bool(truncated[0]), _row(infos)

    def render(self) -> np.ndarray | None:
        return self.sim.render(0) if self.render_mode == "rgb_array" else None


def _row(infos: dict[str, Any]) -> dict[str, Any]:
    """The first drone's entries of batched infos, as Python scalars where they are scalars."""
    row: dict[str, Any] = {}
    for key, value in infos.items():
        item = value[0] if isinstance(value, np.ndarray) else value
        row[key] = item.item() if isinstance(item, np.generic) else item
    return row
