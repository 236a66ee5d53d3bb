"""An exported SB3 PPO policy acts in numpy exactly as SB3 itself does (deterministic action)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dronecine_sim.envs.sb3 import ShotSB3VecEnv
from dronecine_sim.training.export import policy_file_from_sb3
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecNormalize
from torch import nn

from dronecine.control import OBSERVATION, BaselineController, BaselineGains, LearnedPolicy, PolicyFileError


@pytest.fixture(scope="module")
def normalize() -> VecNormalize:
    """A VecNormalize whose statistics have seen some real observations (so they are not 0 and 1)."""
    env = VecNormalize(ShotSB3VecEnv(4, seed=0), norm_obs=True, norm_reward=True, clip_obs=5.0)
    env.reset()
    rng = np.random.default_rng(0)
    for _ in range(20):
        env.step(rng.uniform(-1.0, 1.0, size=(4, 6)).astype(np.float32))
    return env


@pytest.fixture(scope="module")
def observations(normalize: VecNormalize) -> np.ndarray:
    """Raw observations: real ones, and some far out so that the normalisation's clip acts."""
    real = normalize.get_original_obs()
    wild = np.random.default_rng(1).uniform(-10.0, 10.0, size=(8, OBSERVATION.size))
    return np.concatenate([real, wild]).astype(np.float32)


def _ppo(normalize: VecNormalize, activation: type[nn.Module], **kwargs: object) -> PPO:
    net_arch = {"pi": [16, 16], "vf": [16, 16]}
    model = PPO(
        "MlpPolicy",
        normalize,
        n_steps=8,
        batch_size=32,
        seed=0,
        device="cpu",
        policy_kwargs={"net_arch": net_arch, "activation_fn": activation},
        **kwargs,
    )
    # An untrained actor's mean layer is nearly zero (orthogonal init, gain 0.01): spread the weights
    # so that the comparison sees actions across [-1, 1], some of them clipped.
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in model.policy.parameters():
            parameter.add_(0.2 * torch.randn(parameter.shape, generator=generator))
    return model


def _export(model: PPO, normalize: VecNormalize | None, **kwargs: object) -> LearnedPolicy:
    settings: dict[str, object] = {"residual": None, "residual_scale": 1.0, "baseline_gains": {}, "metadata": {}}
    settings.update(kwargs)
    return LearnedPolicy(policy_file_from_sb3(model, normalize, **settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(("activation", "name"), [(nn.Tanh, "tanh"), (nn.ReLU, "relu")])
def test_the_exported_policy_acts_as_sb3(
    normalize: VecNormalize, observations: np.ndarray, activation: type[nn.Module], name: str
) -> None:
    model = _ppo(normalize, activation)
    learned = _export(model, normalize, metadata={"steps": 0})
    assert learned.file.activation == name
    assert len(learned.file.layers) == 3
    assert learned.file.obs_clip == 5.0
    assert learned.file.metadata["algorithm"] == "PPO"
    assert learned.file.metadata["steps"] == 0
    expected, _ = model.predict(normalize.normalize_obs(observations), deterministic=True)
    actions = learned.predict(observations)
    assert actions.dtype == np.float32
    assert 0.2 < np.mean(np.abs(actions) < 1.0) < 0.98  # both inside and at the clip: a real test
    np.testing.assert_allclose(actions, expected, atol=1e-5)
    np.testing.assert_allclose(learned.predict(observations[0]), expected[0], atol=1e-5)


def test_the_exported_file_round_trips(normalize: VecNormalize, observations: np.ndarray, tmp_path) -> None:
    model = _ppo(normalize, nn.Tanh)
    path = _export(model, normalize).file.save(tmp_path / "policy.npz")
    expected, _ = model.predict(normalize.normalize_obs(observations), deterministic=True)
    np.testing.assert_allclose(LearnedPolicy.load(path).predict(observations), expected, atol=1e-5)


def test_without_vec_normalize_the_observation_goes_in_raw(normalize: VecNormalize, observations: np.ndarray) -> None:
    model = _ppo(normalize, nn.ReLU)
    learned = _export(model, None)
    assert learned.file.obs_mean is None
    expected, _ = model.predict(observations, deterministic=True)
    np.testing.assert_allclose(learned.predict(observations), expected, atol=1e-5)


def test_the_residual_policy_adds_to_the_baseline(normalize: VecNormalize, observations: np.ndarray) -> None:
    model = _ppo(normalize, nn.Tanh)
    gains = {"pan_p_per_s": 1.0, "size_p_m_s": 0.5}
    learned = _export(model, normalize, residual="baseline", residual_scale=0.3, baseline_gains=gains)
    baseline = BaselineController(BaselineGains(**gains))
    # SB3 clips its action to [-1, 1] before the residual wrapper adds it to the baseline in training.
    residual, _ = model.predict(normalize.normalize_obs(observations), deterministic=True)
    assert (np.abs(residual) == 1.0).any()  # the inner clip matters here
    starts = np.zeros(len(observations), dtype=bool)
    for step in range(3):  # the baseline's integrals evolve the same way in both
        starts[:] = step == 2
        expected = np.clip(baseline.predict(observations, starts) + 0.3 * residual, -1.0, 1.0)
        np.testing.assert_allclose(learned.predict(observations, starts), expected, atol=1e-5)


def test_a_gsde_policy_is_refused(normalize: VecNormalize) -> None:
    model = _ppo(normalize, nn.Tanh, use_sde=True)
    with pytest.raises(PolicyFileError, match=r"^export: the action distribution is StateDependentNoiseDistribution"):
        _export(model, normalize)
