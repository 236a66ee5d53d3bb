"""The learned camera policy, run from its file with numpy alone.

The forward pass is written by hand rather than through stable-baselines3's ``predict``: that needs
the whole algorithm object and torch, which the onboard agent does not carry, while one forward pass
of a small MLP in numpy takes a few microseconds. ``tests/sim/test_policy_export.py`` holds it to
SB3's own deterministic action.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.control.baseline import BaselineController, BaselineGains
from dronecine.control.errors import ControlError
from dronecine.control.policy_file import Activation, PolicyFile, Residual, load_policy_file, policy_path
from dronecine.control.smoothing import VelocitySmoother
from dronecine.control.spaces import OBSERVATION


class LearnedPolicy:
    """A trained policy for N drones; ``predict`` mirrors stable-baselines3's (and the baseline's).

    Deterministic: the action is the policy Gaussian's mean. With a residual policy the baseline it
    was trained on top of runs here too (its integrals are state), and the action is
    ``clip(baseline + residual_scale * clip(mlp, -1, 1), -1, 1)``. Its velocity then passes through
    the file's ``VelocitySmoother`` (state too), as in training.
    """

    def __init__(self, file: PolicyFile, *, dt_s: float = 0.1) -> None:
        """``dt_s`` is the control period, used only by a residual policy's baseline."""
        self.file = file
        # float64 for the arithmetic: exact to float32 rounding against torch's float32 pass.
        self._layers = [(weight.astype(np.float64), bias.astype(np.float64)) for weight, bias in file.layers]
        self._activation = np.tanh if file.activation == Activation.TANH else _relu
        self._std: NDArray[np.float64] | None = None
        if file.obs_var is not None:
            self._std = np.sqrt(file.obs_var + file.obs_epsilon)
        self.baseline: BaselineController | None = None
        if file.residual == Residual.BASELINE:
            self.baseline = BaselineController(BaselineGains(**file.baseline_gains), dt_s=dt_s)
        self.smoother = VelocitySmoother(file.velocity_smoothing)

    @classmethod
    def load(cls, path_or_bundled: str | os.PathLike[str], *, dt_s: float = 0.1) -> LearnedPolicy:
        """From a policy file, or ``"bundled"`` for the one shipped with dronecine."""
        return cls(load_policy_file(policy_path(path_or_bundled)), dt_s=dt_s)

    def reset(self, rows: ArrayLike | None = None) -> None:
        """Restart ``rows`` (all drones by default): the smoother's and a residual policy's baseline's state."""
        self.smoother.reset(rows)
        if self.baseline is not None:
            self.baseline.reset(rows)

    def predict(self, observation: ArrayLike, episode_start: ArrayLike | None = None) -> NDArray[np.float32]:
        """Actions (N, 6) in [-1, 1] for observations (N, 45); one observation (45,) gives one action (6,)."""
        obs = np.asarray(observation, dtype=np.float64)
        if obs.ndim not in (1, 2) or obs.shape[-1] != OBSERVATION.size:
            raise ControlError(
                f"the learned policy expects observations of shape (N, {OBSERVATION.size}) or "
                f"({OBSERVATION.size},), got {obs.shape}: pass the raw vector from dronecine.control.ShotObserver "
                "(the policy normalises it itself), not an image or an already normalised one"
            )
        if not np.isfinite(obs).all():
            raise ControlError("observations must be finite (NaN or inf in the observation)")
        single = obs.ndim == 1
        obs = np.atleast_2d(obs)
        # Clipped first, as SB3 clips the Gaussian's sample to the action space before the env (and a
        # residual wrapper) sees it: a residual policy was trained on clipped outputs.
        action = np.clip(self._mlp(obs), -1.0, 1.0)
        if self.baseline is not None:
            base = self.baseline.predict(obs, episode_start)
            action = np.clip(base + self.file.residual_scale * action, -1.0, 1.0)
        action = self.smoother(action, episode_start)
        return action[0] if single else action

    def _mlp(self, obs: NDArray[np.float64]) -> NDArray[np.float64]:
        x = obs
        if self._std is not None and self.file.obs_mean is not None:
            clip = self.file.obs_clip
            # Rounded to float32 as VecNormalize handed it to the network in training.
            x = np.clip((x - self.file.obs_mean) / self._std, -clip, clip).astype(np.float32).astype(np.float64)
        last = len(self._layers) - 1
        for i, (weight, bias) in enumerate(self._layers):
            x = x @ weight.T + bias
            if i < last:
                x = self._activation(x)
        return x


def _relu(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.maximum(x, 0.0)
