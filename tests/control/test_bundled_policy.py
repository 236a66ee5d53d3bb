"""The policy the package ships: it loads offline, matches this code's spec, and acts."""

from __future__ import annotations

import numpy as np

from dronecine.control import BUNDLED, OBSERVATION, SPEC_VERSION, LearnedPolicy
from dronecine.control.policy_file import policy_path

_MAX_BYTES = 3 * 1024 * 1024  # "a few MB at most"


def test_the_bundled_policy_is_small_and_made_for_this_spec() -> None:
    path = policy_path(BUNDLED)
    assert path.stat().st_size < _MAX_BYTES
    policy = LearnedPolicy.load(BUNDLED)
    assert policy.file.spec_version == SPEC_VERSION
    for key in ("steps", "wall_s", "perception", "seed"):
        assert key in policy.file.metadata


def test_the_bundled_policy_acts_on_a_batch_and_on_one_observation() -> None:
    rng = np.random.default_rng(0)
    obs = rng.uniform(-1.0, 1.0, (32, OBSERVATION.size)).astype(np.float32)
    policy = LearnedPolicy.load(BUNDLED)
    action = policy.predict(obs, episode_start=np.ones(32, dtype=bool))
    assert action.shape == (32, 6)
    assert np.isfinite(action).all()
    assert (np.abs(action) <= 1.0).all()
    one = LearnedPolicy.load(BUNDLED).predict(obs[0], episode_start=np.array([True]))
    np.testing.assert_allclose(one, action[0], atol=1e-6)
