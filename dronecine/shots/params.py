"""Named move parameters with units, ranges and defaults, and their validation.

Each camera move is a frozen dataclass whose fields are its parameters, declared with
``param(...)``; ``param_specs`` reads them back for the CLI, the JSON Schema and the mission
validator, so a parameter is described in exactly one place.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from dronecine.errors import DronecineError

_METADATA_KEY = "dronecine.param"

T = TypeVar("T")


class ShotError(DronecineError, ValueError):
    """A bad shot: an unknown move, a bad parameter. ``key`` names the parameter, if one."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class ParamSpec:
    """One move parameter: its name (with its unit as a suffix), range and default.

    ``default`` None means "auto": the shot derives the value from the shot size.
    """

    name: str
    unit: str
    default: float | None
    minimum: float
    maximum: float
    doc: str

    @property
    def default_text(self) -> str:
        return "auto" if self.default is None else f"{self.default:g}"


def param(default: float | None, unit: str, minimum: float, maximum: float, doc: str) -> Any:
    """Declare a move parameter (a dataclass field carrying its spec)."""
    return dataclasses.field(
        default=default, metadata={_METADATA_KEY: {"unit": unit, "minimum": minimum, "maximum": maximum, "doc": doc}}
    )


@functools.cache  # a move's specs never change; resolving 'auto' distances asks for them per shot
def param_specs(move_type: type) -> tuple[ParamSpec, ...]:
    specs = []
    for f in dataclasses.fields(move_type):
        meta = f.metadata.get(_METADATA_KEY)
        if meta is None:
            continue
        specs.append(ParamSpec(name=f.name, default=f.default, **meta))
    return tuple(specs)


def build_params(move_type: type[T], move_name: str, values: Mapping[str, object]) -> T:
    """Make a move from user-given parameter values, checking names, types and ranges."""
    specs = {spec.name: spec for spec in param_specs(move_type)}
    for key, value in values.items():
        spec = specs.get(key)
        if spec is None:
            expected = ", ".join(specs) or "no parameters"
            raise ShotError(f"{key!r} is not a parameter of move '{move_name}' (expected one of: {expected})", key)
        _check_value(spec, value)
    return move_type(**{k: float(v) for k, v in values.items()})  # type: ignore[arg-type]


def _check_value(spec: ParamSpec, value: object) -> None:
    unit = f" {spec.unit}" if spec.unit else ""
    # numbers.Real: Python's and numpy's ints and floats (a bool is one too, but not a value here).
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        in_unit = f" in{unit}" if unit else ""  # a ratio has no unit to name
        raise ShotError(
            f"{value!r} is not a number (expected {spec.name}{in_unit}, {spec.minimum:g}..{spec.maximum:g})", spec.name
        )
    if not math.isfinite(value) or not spec.minimum <= value <= spec.maximum:
        raise ShotError(f"{value!r} is out of range (expected {spec.minimum:g}..{spec.maximum:g}{unit})", spec.name)
