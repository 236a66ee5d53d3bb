"""Domain randomisation: per-drone vehicle parameters drawn uniformly within documented ranges."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from dronecine_sim.vehicle.errors import VehicleParamsError
from dronecine_sim.vehicle.param_arrays import VehicleParamArrays
from dronecine_sim.vehicle.params import FLOAT_FIELDS, VehicleParams, param_specs

# The parameters that say how strong the wind is (zero in ``VehicleParams.without_wind()``).
WIND_STRENGTH_FIELDS = ("wind_mean_north_m_s", "wind_mean_east_m_s", "wind_sigma_m_s", "wind_vertical_sigma_m_s")


@dataclass(frozen=True)
class ParamRanges:
    """Which parameters ``randomise`` draws, and from which (low, high) range, in field order.

    ``ParamRanges.default()`` holds the ranges ``VehicleParams`` declares; ``with_range`` and
    ``without`` derive others. Each range must lie within the parameter's valid range.
    """

    ranges: tuple[tuple[str, float, float], ...]

    def __post_init__(self) -> None:
        specs = {s.name: s for s in param_specs()}
        seen = set()
        for name, low, high in self.ranges:
            if name not in FLOAT_FIELDS:
                raise VehicleParamsError(f"{name!r} is not a randomisable vehicle parameter", name, name)
            if name in seen:
                raise VehicleParamsError(f"vehicle parameter {name} has two randomisation ranges", name, name)
            seen.add(name)
            spec = specs[name]
            if not (math.isfinite(low) and math.isfinite(high) and spec.minimum <= low <= high <= spec.maximum):
                raise VehicleParamsError(
                    f"randomisation range of {name} ({low:g}..{high:g}) is not within "
                    f"{spec.minimum:g}..{spec.maximum:g} {spec.unit}",
                    name,
                    (low, high),
                )
        order = {name: i for i, name in enumerate(FLOAT_FIELDS)}
        object.__setattr__(self, "ranges", tuple(sorted(self.ranges, key=lambda r: order[r[0]])))

    @classmethod
    def default(cls) -> ParamRanges:
        return cls(tuple((s.name, *s.randomise) for s in param_specs() if s.randomise is not None))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.ranges)

    def get(self, name: str) -> tuple[float, float] | None:
        for field_name, low, high in self.ranges:
            if field_name == name:
                return low, high
        return None

    def with_range(self, name: str, low: float, high: float) -> ParamRanges:
        """These ranges with ``name`` drawn from ``low..high`` (added or replaced)."""
        return ParamRanges((*(r for r in self.ranges if r[0] != name), (name, float(low), float(high))))

    def without(self, *names: str) -> ParamRanges:
        """These ranges with ``names`` kept at their nominal values."""
        return ParamRanges(tuple(r for r in self.ranges if r[0] not in names))

    def without_wind(self) -> ParamRanges:
        """These ranges with the wind's mean and gusts not drawn (kept as ``params`` has them)."""
        return self.without(*WIND_STRENGTH_FIELDS)


def randomise(
    params: VehicleParams,
    n: int,
    rng: np.random.Generator,
    scale: float = 1.0,
    ranges: ParamRanges | None = None,
) -> VehicleParamArrays:
    """Per-drone parameters for ``n`` drones, drawn uniformly for domain randomisation.

    Each parameter in ``ranges`` (default: the declared ranges) is drawn as
    ``nominal + scale * (U(low, high) - nominal)``: ``scale`` 0 gives ``params`` for every drone,
    1 draws over the whole range, values between shrink the range towards the nominal (a
    curriculum). The draws are one ``rng.random((n, k))`` array for the ``k`` ranged parameters in
    field order, so a seed reproduces them. Parameters outside ``ranges`` keep their nominal values.
    The default ranges draw wind: for still air pass ``ranges=ParamRanges.default().without_wind()``.
    """
    if not (math.isfinite(scale) and 0.0 <= scale <= 1.0):
        raise VehicleParamsError(f"randomisation scale {scale!r} is out of range (expected 0..1)", "scale", scale)
    ranges = ParamRanges.default() if ranges is None else ranges
    base = VehicleParamArrays.broadcast(params, n)
    uniform = rng.random((n, len(ranges.ranges)))
    values: dict[str, np.ndarray] = {}
    for column, (name, low, high) in enumerate(ranges.ranges):
        nominal = float(getattr(params, name))
        drawn = low + uniform[:, column] * (high - low)
        if scale == 1.0:
            values[name] = drawn
        else:  # clipped so rounding never leaves the hull of the range and the nominal value
            values[name] = np.clip(nominal + scale * (drawn - nominal), min(low, nominal), max(high, nominal))
    return dataclasses.replace(base, **values)
