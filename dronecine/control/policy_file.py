"""The learned policy's file: the actor's weights, the observation normalisation and the spec they fit.

One ``.npz`` holds each layer's weight and bias and the normalisation statistics as arrays, and
everything else as one JSON header, so that the onboard agent runs a trained policy with numpy alone
(no torch, no stable-baselines3). ``load_policy_file`` refuses anything it could not run exactly as
trained, with one line that names the file and the problem.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import metadata as package_metadata
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dronecine.control.baseline import BaselineGains
from dronecine.control.errors import PolicyFileError
from dronecine.control.spaces import ACTION, OBSERVATION, SPEC_VERSION

BUNDLED = "bundled"
FORMAT = "dronecine.policy"
# 2: ``velocity_smoothing`` (a version-1 file has none: weight 1). A reader of version 1 would ignore
# the key and fly the policy unsmoothed, unlike its training, so it must refuse the file instead.
FORMAT_VERSION = 2
_HEADER = "header"
_RETRAIN = "retrain it with `dronecine train` or use the dronecine version that made it"

Layer = tuple[NDArray[np.float32], NDArray[np.float32]]


class Activation(StrEnum):
    """The hidden layers' activation (SB3's ``activation_fn``)."""

    TANH = "tanh"
    RELU = "relu"


class Residual(StrEnum):
    """What the network's output is added to; ``None`` in a file means the network acts alone."""

    BASELINE = "baseline"


@dataclass(frozen=True, eq=False)
class PolicyFile:
    """A deterministic MLP policy: ``layers`` are (weight (out, in), bias (out,)) per Linear, hidden
    layers followed by ``activation``, the last one linear (the Gaussian's mean).

    Observations are normalised as VecNormalize did in training,
    ``clip((obs - obs_mean) / sqrt(obs_var + obs_epsilon), -obs_clip, obs_clip)``, unless ``obs_mean``
    is None. With ``residual == "baseline"`` the action is
    ``clip(baseline(obs) + residual_scale * clip(mlp(obs), -1, 1), -1, 1)`` (SB3 clips the network's action
    before the env's residual wrapper sees it), the baseline built from ``baseline_gains``.
    ``velocity_smoothing`` is the weight of the ``VelocitySmoother`` the action then passes through
    (1: none), as it did in training. ``source`` names where the policy came from, for error messages only.
    """

    spec_version: int
    layers: tuple[Layer, ...]
    activation: str
    obs_mean: NDArray[np.float64] | None = None
    obs_var: NDArray[np.float64] | None = None
    obs_clip: float = 10.0
    obs_epsilon: float = 1e-8
    residual: str | None = None
    residual_scale: float = 1.0
    velocity_smoothing: float = 1.0
    baseline_gains: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, object] = field(default_factory=dict)
    source: str = field(default="policy", compare=False)

    def __post_init__(self) -> None:
        problem = _coerce(self) or _problem(self)
        if problem:
            raise PolicyFileError(f"{self.source}: {problem}")

    @property
    def normalizes(self) -> bool:
        return self.obs_mean is not None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write one ``.npz`` atomically: a temporary file beside ``path``, then a rename, so that a
        crash leaves the old policy or the new one, never half of one."""
        target = Path(path)
        arrays: dict[str, np.ndarray] = {}
        for i, (weight, bias) in enumerate(self.layers):
            arrays[f"layer{i}_weight"] = weight
            arrays[f"layer{i}_bias"] = bias
        if self.obs_mean is not None and self.obs_var is not None:
            arrays["obs_mean"] = self.obs_mean
            arrays["obs_var"] = self.obs_var
        arrays[_HEADER] = np.array(json.dumps(self._header(), allow_nan=False))
        try:
            fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as err:
            raise PolicyFileError(f"{target}: cannot write there ({err.strerror})") from err
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez_compressed(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o644)  # mkstemp makes it private; a policy is meant to be shared
            os.replace(temp_name, target)
        except BaseException as err:
            Path(temp_name).unlink(missing_ok=True)
            if isinstance(err, OSError):
                raise PolicyFileError(f"{target}: cannot write there ({err.strerror or err})") from err
            raise
        return target

    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "spec_version": self.spec_version,
            "dronecine_version": _dronecine_version(),
            "n_layers": len(self.layers),
            "activation": str(self.activation),
            "normalize": self.normalizes,
            "obs_clip": self.obs_clip,
            "obs_epsilon": self.obs_epsilon,
            "residual": None if self.residual is None else str(self.residual),
            "residual_scale": self.residual_scale,
            "velocity_smoothing": self.velocity_smoothing,
            "baseline_gains": self.baseline_gains,
            "metadata": self.metadata,
        }


def load_policy_file(path: str | os.PathLike[str]) -> PolicyFile:
    """Read and check a policy file; any problem is one ``PolicyFileError`` naming the file."""
    file = Path(path)
    name = str(path)
    if not file.exists():
        raise PolicyFileError(f"{name}: no such file")
    if not file.is_file():
        raise PolicyFileError(f"{name}: not a file")
    arrays = _read_arrays(file, name)
    header = _read_header(arrays, name)
    made_by = header.get("dronecine_version")
    spec_version = header["spec_version"]
    if spec_version != SPEC_VERSION:  # checked first: another spec usually means other sizes too
        hint = f" ({made_by})" if isinstance(made_by, str) else ""
        raise PolicyFileError(
            f"{name}: made for observation/action spec {spec_version}, this dronecine uses spec {SPEC_VERSION}: "
            f"{_RETRAIN}{hint}"
        )
    n_layers = header["n_layers"]
    if not isinstance(n_layers, int) or isinstance(n_layers, bool) or n_layers < 1:
        raise PolicyFileError(f"{name}: the header's n_layers must be a positive integer, got {n_layers!r}")
    wanted = [f"layer{i}_{part}" for i in range(n_layers) for part in ("weight", "bias")]
    if header["normalize"]:
        wanted += ["obs_mean", "obs_var"]
    missing = [key for key in wanted if key not in arrays]
    if missing:
        raise PolicyFileError(f"{name}: missing array(s) {', '.join(missing)}")
    return PolicyFile(
        spec_version=spec_version,
        layers=tuple((arrays[f"layer{i}_weight"], arrays[f"layer{i}_bias"]) for i in range(n_layers)),
        activation=header["activation"],
        obs_mean=arrays["obs_mean"] if header["normalize"] else None,
        obs_var=arrays["obs_var"] if header["normalize"] else None,
        obs_clip=header["obs_clip"],
        obs_epsilon=header["obs_epsilon"],
        residual=header["residual"],
        residual_scale=header["residual_scale"],
        velocity_smoothing=header.get("velocity_smoothing", 1.0),  # not in format 1: no smoothing
        baseline_gains=header["baseline_gains"],
        metadata=header["metadata"],
        source=name,
    )


def policy_path(name_or_path: str | os.PathLike[str]) -> Path:
    """``"bundled"`` is the policy shipped in the package (``dronecine/data/policy.npz``); anything
    else is a path, returned as it is (``load_policy_file`` says if it is missing)."""
    if not (isinstance(name_or_path, str) and name_or_path == BUNDLED):
        return Path(name_or_path)
    resource = resources.files("dronecine") / "data" / "policy.npz"
    if not resource.is_file():
        raise PolicyFileError(
            "bundled: this dronecine install has no bundled policy (dronecine/data/policy.npz): "
            "train one with `dronecine train` and give its path instead, or reinstall dronecine"
        )
    return Path(str(resource))


def _read_arrays(file: Path, name: str) -> dict[str, np.ndarray]:
    # allow_pickle=False: a policy file is data, and loading it must never run code.
    try:
        loaded = np.load(file, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                return {key: loaded[key] for key in loaded.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise PolicyFileError(f"{name}: not a readable .npz archive (corrupt or not a policy file: {err})") from err
    raise PolicyFileError(f"{name}: not a dronecine policy file (a single .npy array, not an .npz archive)")


def _read_header(arrays: dict[str, np.ndarray], name: str) -> dict[str, Any]:
    raw = arrays.get(_HEADER)
    if raw is None or raw.shape != () or raw.dtype.kind != "U":
        raise PolicyFileError(f"{name}: not a dronecine policy file (no header)")
    try:
        header = json.loads(str(raw))
    except json.JSONDecodeError as err:
        raise PolicyFileError(f"{name}: the header is not valid JSON ({err})") from err
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise PolicyFileError(f"{name}: not a dronecine policy file (header format is not {FORMAT!r})")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise PolicyFileError(
            f"{name}: policy file format {version!r}, this dronecine reads up to {FORMAT_VERSION}: upgrade dronecine"
        )
    keys = ("spec_version", "n_layers", "activation", "normalize", "obs_clip", "obs_epsilon", "residual")
    keys += ("residual_scale", "baseline_gains", "metadata")
    missing = [key for key in keys if key not in header]
    if missing:
        raise PolicyFileError(f"{name}: the header misses {', '.join(missing)}")
    return header


def _coerce(policy: PolicyFile) -> str | None:
    """Arrays as read-only float copies (weights float32 like torch's, statistics float64 like SB3's)."""
    try:
        layers = tuple(
            (_frozen(np.array(weight, dtype=np.float32)), _frozen(np.array(bias, dtype=np.float32)))
            for weight, bias in policy.layers
        )
        stats = [
            None if stat is None else _frozen(np.array(stat, dtype=np.float64))
            for stat in (policy.obs_mean, policy.obs_var)
        ]
    except (TypeError, ValueError) as err:
        return f"layers must be (weight, bias) pairs and the statistics arrays, all of numbers ({err})"
    object.__setattr__(policy, "layers", layers)
    object.__setattr__(policy, "obs_mean", stats[0])
    object.__setattr__(policy, "obs_var", stats[1])
    if isinstance(policy.activation, str) and policy.activation in set(Activation):
        object.__setattr__(policy, "activation", Activation(policy.activation))
    if isinstance(policy.residual, str) and policy.residual in set(Residual):
        object.__setattr__(policy, "residual", Residual(policy.residual))
    return None


def _problem(policy: PolicyFile) -> str | None:
    """The first thing that keeps the policy from running as trained, or None."""
    if not isinstance(policy.spec_version, int) or isinstance(policy.spec_version, bool):
        return f"spec_version must be an integer, got {policy.spec_version!r}"
    if policy.spec_version != SPEC_VERSION:
        return (
            f"made for observation/action spec {policy.spec_version}, "
            f"this dronecine uses spec {SPEC_VERSION}: {_RETRAIN}"
        )
    if not isinstance(policy.activation, Activation):
        return f"unknown activation {policy.activation!r} (known: {', '.join(Activation)})"
    if policy.residual is not None and not isinstance(policy.residual, Residual):
        return f"unknown residual {policy.residual!r} (known: None, {', '.join(Residual)})"
    return (
        _layer_problem(policy.layers)
        or _normalisation_problem(policy)
        or _residual_problem(policy)
        or _metadata_problem(policy)
    )


def _layer_problem(layers: tuple[Layer, ...]) -> str | None:
    if not layers:
        return "no layers"
    for i, (weight, bias) in enumerate(layers):
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            return f"layer {i}: weight must be (out, in) and bias (out,), got {weight.shape} and {bias.shape}"
        if i > 0 and weight.shape[1] != layers[i - 1][0].shape[0]:
            return f"layer {i} takes {weight.shape[1]} inputs but layer {i - 1} gives {layers[i - 1][0].shape[0]}"
        if not (np.isfinite(weight).all() and np.isfinite(bias).all()):
            return f"layer {i} has non-finite weights (NaN or inf: the training diverged)"
    n_in, n_out = layers[0][0].shape[1], layers[-1][0].shape[0]
    if n_in != OBSERVATION.size:
        return f"the network takes {n_in} inputs but the observation has {OBSERVATION.size} (spec {SPEC_VERSION})"
    if n_out != ACTION.size:
        return f"the network gives {n_out} outputs but the action has {ACTION.size} (spec {SPEC_VERSION})"
    return None


def _normalisation_problem(policy: PolicyFile) -> str | None:
    if not (_is_number(policy.obs_clip) and policy.obs_clip > 0.0):
        return f"obs_clip must be a finite number > 0, got {policy.obs_clip!r}"
    if not (_is_number(policy.obs_epsilon) and policy.obs_epsilon >= 0.0):
        return f"obs_epsilon must be a finite number >= 0, got {policy.obs_epsilon!r}"
    mean, var = policy.obs_mean, policy.obs_var
    if (mean is None) != (var is None):
        return "obs_mean and obs_var must both be given or both be None"
    if mean is None or var is None:
        return None
    if mean.shape != (OBSERVATION.size,) or var.shape != (OBSERVATION.size,):
        return f"obs_mean and obs_var must have shape ({OBSERVATION.size},), got {mean.shape} and {var.shape}"
    if not (np.isfinite(mean).all() and np.isfinite(var).all()) or (var < 0.0).any():
        return "obs_mean and obs_var must be finite and obs_var >= 0"
    return None


def _residual_problem(policy: PolicyFile) -> str | None:
    if not _is_number(policy.residual_scale):
        return f"residual_scale must be a finite number, got {policy.residual_scale!r}"
    if not (_is_number(policy.velocity_smoothing) and 0.0 < policy.velocity_smoothing <= 1.0):
        return f"velocity_smoothing must be a number within (0, 1], got {policy.velocity_smoothing!r}"
    gains = policy.baseline_gains
    if not isinstance(gains, dict):
        return f"baseline_gains must be a mapping of names to numbers, got {type(gains).__name__}"
    known = {f.name for f in dataclasses.fields(BaselineGains)}
    unknown = sorted(str(key) for key in gains if key not in known)
    if unknown:
        return f"unknown baseline gain(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
    bad = sorted(key for key, value in gains.items() if not _is_number(value))
    if bad:
        return f"baseline gain(s) {', '.join(bad)} must be finite numbers"
    return None


def _metadata_problem(policy: PolicyFile) -> str | None:
    if not isinstance(policy.metadata, dict):
        return f"metadata must be a JSON object, got {type(policy.metadata).__name__}"
    try:
        json.dumps(policy.metadata, allow_nan=False)
    except (TypeError, ValueError) as err:
        return f"metadata must be plain JSON ({err})"
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _dronecine_version() -> str:
    try:
        return package_metadata.version("dronecine")
    except package_metadata.PackageNotFoundError:
        return "unknown"
