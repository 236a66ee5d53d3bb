"""PX4 parameter files: the airframe-style fragment, PX4's metadata, QGroundControl .params.

The airframe-style files (``firmware_configs/px4/*``) are the single source: the QGroundControl
file is generated from them and the SITL launcher turns them into ``param set`` lines. Every
value is checked against ``firmware_configs/px4_param_meta.yaml``, copied from PX4's metadata.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from sitl_launch.errors import ParamFileError

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "firmware_configs"
META_PATH = CONFIG_DIR / "px4_param_meta.yaml"
CAMERA_DRONE_FILE = CONFIG_DIR / "px4" / "dronecine_camera_drone"
COMPANION_LINK_FILE = CONFIG_DIR / "px4" / "dronecine_companion_link"
QGC_FILE = CONFIG_DIR / "qgc" / "dronecine_camera_drone.params"

_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")  # PX4 names are at most 16 characters
_SET_DEFAULT = re.compile(r"^param\s+set-default\s+(?P<name>\S+)\s+(?P<value>\S+)\s*(?:#.*)?$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class ParamType(StrEnum):
    INT32 = "INT32"
    FLOAT = "FLOAT"


# MAV_PARAM_TYPE codes (MAVLink common.xml) that QGroundControl writes in .params files.
MAV_PARAM_TYPE = {ParamType.INT32: 6, ParamType.FLOAT: 9}


@dataclass(frozen=True)
class ParamMeta:
    """PX4's metadata for one parameter (a subset: what the checks need)."""

    name: str
    type: ParamType
    min: float | None
    max: float | None
    values: Mapping[int, str] | None  # an enumeration: only these values are valid
    unit: str
    description: str
    required: bool  # False: exists only in some PX4 versions, set only where known

    def problem(self, value: float) -> str | None:
        """Why ``value`` does not fit this parameter, or None."""
        if self.type is ParamType.INT32 and not float(value).is_integer():
            return f"{value!r} is not an integer (PX4 type INT32)"
        if not math.isfinite(value):
            return f"{value!r} is not a finite number"
        if self.min is not None and value < self.min:
            return f"{value:g} is below PX4's minimum {self.min:g}{_unit(self.unit)}"
        if self.max is not None and value > self.max:
            return f"{value:g} is above PX4's maximum {self.max:g}{_unit(self.unit)}"
        if self.values is not None and int(value) not in self.values:
            allowed = ", ".join(f"{k} ({v})" for k, v in self.values.items())
            return f"{value:g} is not one of PX4's values: {allowed}"
        return None


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


@dataclass(frozen=True)
class ParamSetting:
    """One parameter value, with where it was written and the comment that says why."""

    name: str
    value: int | float
    file: str
    line: int
    comment: str

    def value_text(self) -> str:
        return format_value(self.value)


def format_value(value: int | float) -> str:
    """The shortest text PX4's ``param set`` and QGroundControl read back as the same value."""
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def load_meta(path: Path = META_PATH) -> dict[str, ParamMeta]:
    """Read the metadata file; a malformed entry is a ``ParamFileError`` naming it."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ParamFileError([f"{path}: cannot read PX4 parameter metadata ({error})"]) from error
    entries = document.get("parameters") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise ParamFileError([f"{path}: expected a 'parameters' mapping"])
    meta: dict[str, ParamMeta] = {}
    for name, entry in entries.items():
        try:
            values = entry.get("values")
            meta[name] = ParamMeta(
                name=name,
                type=ParamType(entry["type"]),
                min=entry.get("min"),
                max=entry.get("max"),
                values={int(k): str(v) for k, v in values.items()} if values is not None else None,
                unit=str(entry.get("unit", "")),
                description=str(entry["description"]),
                required=bool(entry.get("required", True)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ParamFileError([f"{path}: parameters.{name}: malformed entry ({error!r})"]) from error
    return meta


def parse_value(text: str, param_type: ParamType) -> int | float | None:
    """The value of ``text`` for a parameter of ``param_type``; None if it is not a number of that type."""
    if param_type is ParamType.INT32:
        return int(text) if _INT.match(text) else None
    return float(text) if _FLOAT.match(text) else None


def parse_airframe_file(path: Path, meta: Mapping[str, ParamMeta]) -> tuple[ParamSetting, ...]:
    """Read a ``param set-default NAME VALUE`` file and check every line against PX4's metadata.

    Accepts only comments, blank lines and ``param set-default`` lines (optionally with a trailing
    comment). Each setting keeps the comment block right above it. Every problem becomes one line
    ``FILE:LINE: NAME: what is wrong`` of one ``ParamFileError``.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ParamFileError([f"{path}: cannot read ({error.strerror or error})"]) from error
    settings: list[ParamSetting] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    comment: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line:
            comment = []
            continue
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
            continue
        match = _SET_DEFAULT.match(line)
        if match is None:
            problems.append(f"{where}: expected 'param set-default NAME VALUE' or a comment, got {line!r}")
            comment = []
            continue
        name, text = match["name"], match["value"]
        trailing = line.split("#", 1)[1].strip() if "#" in line else ""
        why = " ".join([*comment, trailing]).strip()
        value, problem = _checked_value(name, text, meta)
        if value is None:
            problems.append(f"{where}: {name}: {problem}")
        elif name in first_line:
            problems.append(f"{where}: {name}: set twice (first on line {first_line[name]})")
        else:
            first_line[name] = number
            settings.append(ParamSetting(name, value, str(path), number, why))
    if problems:
        raise ParamFileError(problems)
    return tuple(settings)


def _checked_value(name: str, text: str, meta: Mapping[str, ParamMeta]) -> tuple[int | float | None, str]:
    """The value of ``NAME VALUE`` if it fits PX4's metadata, else None and why not."""
    if not _NAME.match(name):
        return None, "not a PX4 parameter name (upper case, digits and _, at most 16 characters)"
    if name not in meta:
        return None, f"unknown parameter (not in {META_PATH.name}; add PX4's metadata for it first)"
    value = parse_value(text, meta[name].type)
    if value is None:
        return None, f"{text!r} is not a valid {meta[name].type.value} value"
    problem = meta[name].problem(value)
    return (None, problem) if problem is not None else (value, "")


def merge_settings(groups: Iterable[Sequence[ParamSetting]]) -> tuple[ParamSetting, ...]:
    """Concatenate settings from several files; a name set in two files is an error."""
    merged: dict[str, ParamSetting] = {}
    problems: list[str] = []
    for group in groups:
        for setting in group:
            first = merged.get(setting.name)
            if first is not None:
                problems.append(f"{setting.file}:{setting.line}: {setting.name}: also set in {first.file}:{first.line}")
            else:
                merged[setting.name] = setting
    if problems:
        raise ParamFileError(problems)
    return tuple(merged.values())


def with_overrides(
    settings: Sequence[ParamSetting], overrides: Mapping[str, int | float], meta: Mapping[str, ParamMeta], origin: str
) -> tuple[ParamSetting, ...]:
    """``settings`` with some values replaced (or added), each checked against the metadata."""
    problems = []
    for name, value in overrides.items():
        if name not in meta:
            problems.append(f"{origin}: {name}: unknown parameter (not in {META_PATH.name})")
        elif (problem := meta[name].problem(value)) is not None:
            problems.append(f"{origin}: {name}: {problem}")
    if problems:
        raise ParamFileError(problems)
    replaced = {s.name: s for s in settings}
    for name, value in overrides.items():
        typed = int(value) if meta[name].type is ParamType.INT32 else float(value)
        replaced[name] = ParamSetting(name, typed, origin, 0, f"override from {origin}")
    return tuple(replaced.values())


def camera_drone_settings(
    meta: Mapping[str, ParamMeta], *, with_companion_link: bool = False
) -> tuple[ParamSetting, ...]:
    """The camera-drone parameters (and, for real vehicles, the companion link's)."""
    groups = [parse_airframe_file(CAMERA_DRONE_FILE, meta)]
    if with_companion_link:
        groups.append(parse_airframe_file(COMPANION_LINK_FILE, meta))
    return merge_settings(groups)
