"""The policy file: a save/load round trip, one clear error per way a file can be wrong, atomic saves."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from dronecine.control import (
    ACTION,
    BUNDLED,
    OBSERVATION,
    SPEC_VERSION,
    ControlError,
    LearnedPolicy,
    PolicyFile,
    PolicyFileError,
    load_policy_file,
)
from dronecine.control import policy_file as policy_file_module
from dronecine.control.policy_file import policy_path


def _policy(**changes: object) -> PolicyFile:
    rng = np.random.default_rng(0)
    sizes = [OBSERVATION.size, 16, 8, ACTION.size]
    layers = tuple(
        (rng.normal(size=(n_out, n_in)).astype(np.float32), rng.normal(size=n_out).astype(np.float32))
        for n_in, n_out in itertools.pairwise(sizes)
    )
    values: dict[str, object] = {
        "spec_version": SPEC_VERSION,
        "layers": layers,
        "activation": "tanh",
        "obs_mean": rng.normal(size=OBSERVATION.size),
        "obs_var": rng.uniform(0.1, 2.0, size=OBSERVATION.size),
        "obs_clip": 5.0,
        "obs_epsilon": 1e-8,
        "residual": None,
        "residual_scale": 1.0,
        "baseline_gains": {},
        "metadata": {"steps": 1000, "command": "dronecine train"},
    }
    values.update(changes)
    return PolicyFile(**values)  # type: ignore[arg-type]


def _rewrite(path: Path, target: Path, *, header: dict | None = None, **arrays: np.ndarray) -> None:
    """Copy a saved policy with some header entries or arrays replaced (to forge bad files)."""
    with np.load(path) as archive:
        contents = {key: archive[key] for key in archive.files}
    if header is not None:
        contents["header"] = np.array(json.dumps({**json.loads(str(contents["header"])), **header}))
    contents.update(arrays)
    with target.open("wb") as handle:
        np.savez_compressed(handle, **contents)


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    policy = _policy(residual="baseline", residual_scale=0.3, baseline_gains={"pan_p_per_s": 1.5})
    path = policy.save(tmp_path / "policy.npz")
    loaded = load_policy_file(path)
    assert loaded.spec_version == SPEC_VERSION
    assert loaded.activation == "tanh"
    assert loaded.residual == "baseline"
    assert loaded.residual_scale == 0.3
    assert loaded.baseline_gains == {"pan_p_per_s": 1.5}
    assert loaded.metadata == policy.metadata
    assert loaded.obs_clip == 5.0
    assert loaded.obs_epsilon == 1e-8
    assert loaded.source == str(path)
    np.testing.assert_array_equal(loaded.obs_mean, policy.obs_mean)
    np.testing.assert_array_equal(loaded.obs_var, policy.obs_var)
    for (w0, b0), (w1, b1) in zip(policy.layers, loaded.layers, strict=True):
        np.testing.assert_array_equal(w0, w1)
        np.testing.assert_array_equal(b0, b1)
    obs = np.random.default_rng(1).normal(size=(5, OBSERVATION.size))
    np.testing.assert_array_equal(LearnedPolicy(policy).predict(obs), LearnedPolicy.load(path).predict(obs))


def test_a_policy_without_normalisation_round_trips(tmp_path: Path) -> None:
    loaded = load_policy_file(_policy(obs_mean=None, obs_var=None, activation="relu").save(tmp_path / "p.npz"))
    assert loaded.obs_mean is None
    assert loaded.obs_var is None
    assert loaded.activation == "relu"


def test_the_arrays_are_read_only() -> None:
    policy = _policy()
    with pytest.raises(ValueError, match=r"read-only"):
        policy.layers[0][0][0, 0] = 1.0


def test_save_is_atomic_and_replaces_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.npz"
    _policy(metadata={"run": 1}).save(path)
    _policy(metadata={"run": 2}).save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["policy.npz"]
    assert load_policy_file(path).metadata["run"] == 2


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "policy.npz"
    _policy(metadata={"run": 1}).save(path)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(policy_file_module.np, "savez_compressed", crash)
    with pytest.raises(PolicyFileError, match=r"policy\.npz: cannot write there \(No space left on device\)"):
        _policy(metadata={"run": 2}).save(path)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["policy.npz"]
    assert load_policy_file(path).metadata["run"] == 1


def test_save_into_a_missing_directory_is_a_policy_file_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"nowhere.*cannot write there"):
        _policy().save(tmp_path / "nowhere" / "policy.npz")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"absent\.npz: no such file"):
        load_policy_file(tmp_path / "absent.npz")


def test_a_directory_is_not_a_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"not a file"):
        load_policy_file(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "text", "truncated-zip"],
)
def test_corrupt_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "policy.npz"
    path.write_bytes(content)
    with pytest.raises(PolicyFileError, match=r"policy\.npz: not a readable \.npz archive"):
        load_policy_file(path)


def test_a_truncated_policy_file(tmp_path: Path) -> None:
    path = _policy().save(tmp_path / "policy.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(PolicyFileError, match=r"policy\.npz: not a readable \.npz archive"):
        load_policy_file(path)


def test_an_npy_array_is_not_a_policy(tmp_path: Path) -> None:
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(PolicyFileError, match=r"weights\.npy: not a dronecine policy file"):
        load_policy_file(path)


def test_an_unrelated_npz_is_not_a_policy(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(PolicyFileError, match=r"other\.npz: not a dronecine policy file \(no header\)"):
        load_policy_file(path)


def test_wrong_spec_version_says_what_to_do(tmp_path: Path) -> None:
    saved = _policy().save(tmp_path / "saved.npz")
    path = tmp_path / "policy.npz"
    _rewrite(saved, path, header={"spec_version": SPEC_VERSION - 1})
    expected = (
        rf"policy\.npz: made for observation/action spec {SPEC_VERSION - 1}, this dronecine uses spec "
        rf"{SPEC_VERSION}: retrain it with `dronecine train` or use the dronecine version that made it"
    )
    with pytest.raises(PolicyFileError, match=expected):
        load_policy_file(path)


def test_missing_header_keys_and_arrays(tmp_path: Path) -> None:
    saved = _policy().save(tmp_path / "saved.npz")
    with np.load(saved) as archive:
        contents = {key: archive[key] for key in archive.files if key != "layer1_bias"}
    header = json.loads(str(contents["header"]))
    del header["activation"]
    no_key = tmp_path / "no_key.npz"
    np.savez(no_key, **{**contents, "header": np.array(json.dumps(header))})
    with pytest.raises(PolicyFileError, match=r"no_key\.npz: the header misses activation"):
        load_policy_file(no_key)
    no_array = tmp_path / "no_array.npz"
    _rewrite(saved, no_array)
    with np.load(no_array) as archive:
        contents = {key: archive[key] for key in archive.files if key != "layer1_bias"}
    np.savez(no_array, **contents)
    with pytest.raises(PolicyFileError, match=r"no_array\.npz: missing array\(s\) layer1_bias"):
        load_policy_file(no_array)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"layer0_weight": np.zeros((16, OBSERVATION.size - 1), np.float32)}, r"the network takes 44 inputs"),
        ({"layer2_weight": np.zeros((ACTION.size, 9), np.float32)}, r"layer 2 takes 9 inputs but layer 1 gives 8"),
        ({"layer2_bias": np.zeros(ACTION.size + 1, np.float32)}, r"layer 2: weight must be \(out, in\) and bias"),
        ({"layer1_bias": np.full(8, np.nan, np.float32)}, r"layer 1 has non-finite weights"),
        ({"obs_var": np.full(OBSERVATION.size, np.inf)}, r"obs_mean and obs_var must be finite"),
        ({"obs_mean": np.zeros(OBSERVATION.size + 2)}, r"obs_mean and obs_var must have shape \(45,\)"),
    ],
    ids=["input-chain", "hidden-chain", "bias", "nan", "inf-var", "mean-size"],
)
def test_bad_arrays(tmp_path: Path, arrays: dict[str, np.ndarray], message: str) -> None:
    path = tmp_path / "policy.npz"
    _rewrite(_policy().save(tmp_path / "saved.npz"), path, **arrays)
    with pytest.raises(PolicyFileError, match=rf"^{re.escape(str(path))}: {message}"):
        load_policy_file(path)


def test_wrong_input_and_output_sizes_name_the_spec() -> None:
    policy = _policy()
    (w0, b0), *hidden, (wn, bn) = policy.layers
    narrow = (np.zeros((16, OBSERVATION.size - 3), np.float32), b0)
    with pytest.raises(PolicyFileError, match=rf"takes {OBSERVATION.size - 3} inputs but the observation has 45"):
        _policy(layers=(narrow, *hidden, (wn, bn)))
    wide = (np.zeros((ACTION.size + 1, 8), np.float32), np.zeros(ACTION.size + 1, np.float32))
    with pytest.raises(PolicyFileError, match=rf"gives {ACTION.size + 1} outputs but the action has {ACTION.size}"):
        _policy(layers=((w0, b0), *hidden, wide))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"activation": "gelu"}, r"unknown activation 'gelu' \(known: tanh, relu\)"),
        ({"residual": "pid"}, r"unknown residual 'pid' \(known: None, baseline\)"),
        ({"baseline_gains": {"kp": 1.0}}, r"unknown baseline gain\(s\) kp \(known: "),
        ({"obs_clip": -1.0}, r"obs_clip must be a finite number > 0"),
        ({"residual_scale": "big"}, r"residual_scale must be a finite number"),
        ({"format": "something.else"}, r"not a dronecine policy file \(header format"),
        ({"format_version": 99}, r"policy file format 99, this dronecine reads up to 2: upgrade dronecine"),
        ({"velocity_smoothing": 0.0}, r"velocity_smoothing must be a number within \(0, 1\], got 0.0"),
    ],
    ids=["activation", "residual", "gain", "clip", "scale", "format", "format-version", "smoothing"],
)
def test_bad_header_values(tmp_path: Path, header: dict[str, object], message: str) -> None:
    path = tmp_path / "policy.npz"
    _rewrite(_policy().save(tmp_path / "saved.npz"), path, header=header)
    with pytest.raises(PolicyFileError, match=rf"^{re.escape(str(path))}: {message}"):
        load_policy_file(path)


def test_an_invalid_policy_is_never_built() -> None:
    with pytest.raises(PolicyFileError, match=r"^policy: made for observation/action spec 0"):
        _policy(spec_version=0)
    with pytest.raises(PolicyFileError, match=r"metadata must be plain JSON"):
        _policy(metadata={"when": object()})
    with pytest.raises(PolicyFileError, match=r"obs_mean and obs_var must both be given"):
        _policy(obs_var=None)
    with pytest.raises(PolicyFileError, match=r"^policy: no layers"):
        _policy(layers=())


def test_policy_file_error_is_a_control_error() -> None:
    assert issubclass(PolicyFileError, ControlError)


def test_bundled_resolves_inside_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_file_module, "resources", SimpleNamespace(files=lambda package: tmp_path))
    no_bundle = r"^bundled: this dronecine install has no bundled policy.*`dronecine train`"
    with pytest.raises(PolicyFileError, match=no_bundle):
        policy_path(BUNDLED)
    (tmp_path / "data").mkdir()
    _policy().save(tmp_path / "data" / "policy.npz")
    assert policy_path(BUNDLED) == tmp_path / "data" / "policy.npz"
    assert LearnedPolicy.load(BUNDLED).file.spec_version == SPEC_VERSION
    assert policy_path("runs/policy.npz") == Path("runs/policy.npz")


def test_learned_policy_matches_a_hand_computed_forward_pass() -> None:
    policy = _policy(activation="relu")
    obs = np.random.default_rng(2).normal(size=(4, OBSERVATION.size)) * 3.0
    x = np.clip((obs - policy.obs_mean) / np.sqrt(policy.obs_var + policy.obs_epsilon), -5.0, 5.0)
    for i, (weight, bias) in enumerate(policy.layers):
        x = x @ weight.T.astype(np.float64) + bias
        x = np.maximum(x, 0.0) if i < len(policy.layers) - 1 else x
    actions = LearnedPolicy(policy).predict(obs)
    assert actions.dtype == np.float32
    assert actions.shape == (4, ACTION.size)
    np.testing.assert_allclose(actions, np.clip(x, -1.0, 1.0), atol=1e-5)
    np.testing.assert_array_equal(LearnedPolicy(policy).predict(obs[0]), actions[0])


def test_learned_policy_rejects_a_wrong_observation_shape() -> None:
    learned = LearnedPolicy(_policy())
    with pytest.raises(ControlError, match=rf"expects observations of shape \(N, {OBSERVATION.size}\).*got \(3, 44\)"):
        learned.predict(np.zeros((3, OBSERVATION.size - 1)))
    with pytest.raises(ControlError, match=r"got \(2, 3, 45\)"):
        learned.predict(np.zeros((2, 3, OBSERVATION.size)))
    with pytest.raises(ControlError, match=r"must be finite"):
        learned.predict(np.full(OBSERVATION.size, np.nan))


def test_a_residual_policy_resets_its_baseline() -> None:
    learned = LearnedPolicy(_policy(residual="baseline", residual_scale=0.1))
    assert learned.baseline is not None
    obs = np.zeros((2, OBSERVATION.size))
    learned.predict(obs)
    learned.reset()
    learned.reset([1])
    assert dataclasses.asdict(learned.baseline.gains) == dataclasses.asdict(type(learned.baseline.gains)())


def test_velocity_smoothing_round_trips_and_a_format_1_file_has_none(tmp_path: Path) -> None:
    smoothed = load_policy_file(_policy(velocity_smoothing=0.3).save(tmp_path / "smoothed.npz"))
    assert smoothed.velocity_smoothing == 0.3
    # A file from before smoothing existed: format 1, no such key. It flies as it was trained, unsmoothed.
    saved = _policy().save(tmp_path / "saved.npz")
    with np.load(saved) as archive:
        contents = {key: archive[key] for key in archive.files}
    header = json.loads(str(contents["header"]))
    del header["velocity_smoothing"]
    header["format_version"] = 1
    contents["header"] = np.array(json.dumps(header))
    with (tmp_path / "old.npz").open("wb") as handle:
        np.savez_compressed(handle, **contents)
    assert load_policy_file(tmp_path / "old.npz").velocity_smoothing == 1.0


def test_a_smoothed_policy_lags_its_velocity_and_restarts_on_episode_start() -> None:
    policy = _policy(velocity_smoothing=0.5)
    obs = np.random.default_rng(3).normal(size=(2, OBSERVATION.size))
    raw = LearnedPolicy(_policy()).predict(obs)
    learned = LearnedPolicy(policy)
    first = learned.predict(obs, episode_start=[True, True])
    np.testing.assert_allclose(first, raw, atol=1e-6)  # nothing to smooth from yet
    learned.predict(np.zeros((2, OBSERVATION.size)))
    zero = LearnedPolicy(_policy()).predict(np.zeros((2, OBSERVATION.size)))
    second = learned.predict(obs, episode_start=[False, True])
    velocity = ACTION.slice_of("velocity")
    np.testing.assert_allclose(
        second[0, velocity], 0.5 * raw[0, velocity] + 0.25 * raw[0, velocity] + 0.25 * zero[0, velocity], atol=1e-6
    )
    np.testing.assert_allclose(second[1], raw[1], atol=1e-6)  # drone 1 started a new episode
    np.testing.assert_allclose(second[0, 3:], raw[0, 3:], atol=1e-6)  # rates unsmoothed
