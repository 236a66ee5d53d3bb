"""A trained stable-baselines3 PPO policy as dronecine's policy file (numpy weights, no torch).

Only what the deterministic action needs is kept: the actor's MLP (``mlp_extractor.policy_net``), the
Gaussian's mean layer (``action_net``) and VecNormalize's observation statistics. The critic, the log
std and the reward normalisation stay behind with the training run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import stable_baselines3
from stable_baselines3.common.distributions import DiagGaussianDistribution
from stable_baselines3.common.torch_layers import FlattenExtractor
from stable_baselines3.common.vec_env import VecNormalize
from torch import nn

from dronecine.control import SPEC_VERSION, PolicyFile, PolicyFileError

_ACTIVATIONS: dict[type[nn.Module], str] = {nn.Tanh: "tanh", nn.ReLU: "relu"}


def policy_file_from_sb3(
    model: Any,
    normalize: VecNormalize | None,
    *,
    residual: str | None,
    residual_scale: float,
    velocity_smoothing: float = 1.0,
    baseline_gains: dict[str, float],
    metadata: dict[str, object],
) -> PolicyFile:
    """The policy file of an SB3 ``PPO("MlpPolicy", ...)`` trained on ``normalize`` (or on a bare env)."""
    policy = model.policy
    _check_supported(policy)
    layers, activation = _actor_layers(policy)
    mean = var = None
    clip, epsilon = 10.0, 1e-8
    if normalize is not None and normalize.norm_obs:
        if isinstance(normalize.obs_rms, dict):
            raise PolicyFileError("export: dict observations are not supported; the camera policy sees one Box")
        mean, var = np.asarray(normalize.obs_rms.mean), np.asarray(normalize.obs_rms.var)
        clip, epsilon = float(normalize.clip_obs), float(normalize.epsilon)
    provenance = {"algorithm": type(model).__name__, "stable_baselines3": stable_baselines3.__version__}
    return PolicyFile(
        spec_version=SPEC_VERSION,
        layers=layers,
        activation=activation,
        obs_mean=mean,
        obs_var=var,
        obs_clip=clip,
        obs_epsilon=epsilon,
        residual=residual,
        residual_scale=float(residual_scale),
        velocity_smoothing=float(velocity_smoothing),
        baseline_gains={name: float(value) for name, value in baseline_gains.items()},
        metadata={**provenance, **metadata},
        source="export",
    )


def _check_supported(policy: Any) -> None:
    # The numpy forward pass is exactly: flatten (identity on a 1-D Box), MLP, mean layer. Anything
    # else in the SB3 policy would make it silently different from what was trained.
    for name in ("mlp_extractor", "action_net", "action_dist"):
        if not hasattr(policy, name):
            raise PolicyFileError(f"export: {type(policy).__name__} is not an SB3 actor-critic MLP policy (no {name})")
    extractor = getattr(policy, "pi_features_extractor", policy.features_extractor)
    if not isinstance(extractor, FlattenExtractor):
        raise PolicyFileError(
            f"export: the policy's features extractor is {type(extractor).__name__}; only FlattenExtractor "
            "(MlpPolicy's default) can be exported"
        )
    if not isinstance(policy.action_dist, DiagGaussianDistribution):
        raise PolicyFileError(
            f"export: the action distribution is {type(policy.action_dist).__name__}; only the diagonal Gaussian "
            "of a Box action without gSDE can be exported"
        )


def _actor_layers(policy: Any) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    layers: list[tuple[np.ndarray, np.ndarray]] = []
    kinds: set[str] = set()
    expect_activation = False
    for module in policy.mlp_extractor.policy_net:
        if isinstance(module, nn.Linear) and not expect_activation:
            layers.append(_linear(module))
            expect_activation = True
        elif type(module) in _ACTIVATIONS and expect_activation:
            kinds.add(_ACTIVATIONS[type(module)])
            expect_activation = False
        else:
            raise PolicyFileError(
                f"export: unexpected {type(module).__name__} in the actor network; only Linear layers each "
                f"followed by {' or '.join(c.__name__ for c in _ACTIVATIONS)} can be exported"
            )
    if expect_activation:
        raise PolicyFileError("export: the actor network ends with a Linear layer and no activation")
    if len(kinds) > 1:
        raise PolicyFileError(f"export: the actor network mixes activations ({', '.join(sorted(kinds))})")
    if not kinds:  # no hidden layers: the activation is never applied, name SB3's setting anyway
        kinds.add(_ACTIVATIONS.get(policy.activation_fn, "tanh"))
    layers.append(_linear(policy.action_net))
    return layers, kinds.pop()


def _linear(module: nn.Module) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(module, nn.Linear) or module.bias is None:
        raise PolicyFileError(f"export: expected a Linear layer with a bias, got {module}")
    weight = module.weight.detach().cpu().numpy().astype(np.float32)
    bias = module.bias.detach().cpu().numpy().astype(np.float32)
    return weight, bias
