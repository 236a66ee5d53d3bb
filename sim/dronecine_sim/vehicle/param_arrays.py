"""Per-drone vehicle parameters: one read-only float64 array of shape (N,) per ``VehicleParams`` field.

The batched dynamics read these, so each of the N drones can fly with its own (randomised)
vehicle. The two integer camera fields stay scalars: a batch renders at one resolution.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.vehicle.errors import VehicleParamsError
from dronecine_sim.vehicle.params import FLOAT_FIELDS, LIMIT_PAIRS, VehicleParams, param_specs

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class VehicleParamArrays:
    """``VehicleParams`` for N drones: each float field an (N,) array (units and ranges as there)."""

    velocity_tau_s: FloatArray
    max_horizontal_speed_m_s: FloatArray
    max_up_speed_m_s: FloatArray
    max_down_speed_m_s: FloatArray
    max_horizontal_accel_m_s2: FloatArray
    max_vertical_accel_m_s2: FloatArray
    max_jerk_m_s3: FloatArray
    max_yaw_rate_deg_s: FloatArray
    yaw_tau_s: FloatArray
    wind_mean_north_m_s: FloatArray
    wind_mean_east_m_s: FloatArray
    wind_sigma_m_s: FloatArray
    wind_vertical_sigma_m_s: FloatArray
    wind_tau_s: FloatArray
    wind_gain: FloatArray
    wind_response_tau_s: FloatArray
    gimbal_pitch_min_deg: FloatArray
    gimbal_pitch_max_deg: FloatArray
    gimbal_yaw_min_deg: FloatArray
    gimbal_yaw_max_deg: FloatArray
    gimbal_max_rate_deg_s: FloatArray
    gimbal_tau_s: FloatArray
    camera_hfov_deg: FloatArray
    camera_width_px: int
    camera_height_px: int
    crash_speed_m_s: FloatArray

    def __post_init__(self) -> None:
        n: int | None = None
        for name in FLOAT_FIELDS:
            array = np.array(getattr(self, name), dtype=np.float64)  # a private copy
            if array.ndim != 1 or (n is not None and array.shape[0] != n):
                expected = f"({n},)" if n is not None else "(N,)"
                raise VehicleParamsError(
                    f"vehicle parameter array {name} has shape {array.shape} (expected {expected})",
                    name,
                    array.shape,
                )
            n = array.shape[0]
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if n == 0:
            raise VehicleParamsError(
                "vehicle parameter arrays are empty (expected at least one drone)", FLOAT_FIELDS[0], n
            )
        self._validate()

    def _validate(self) -> None:
        for spec in param_specs():
            value = getattr(self, spec.name)
            if spec.name not in FLOAT_FIELDS:
                VehicleParams(**{spec.name: value})  # the scalar check, with its error
                continue
            bad = ~(np.isfinite(value) & (value >= spec.minimum) & (value <= spec.maximum))
            if bad.any():
                index = int(np.flatnonzero(bad)[0])
                raise VehicleParamsError(
                    f"vehicle parameter {spec.name}[{index}] = {float(value[index])!r} is out of range "
                    f"(expected {spec.minimum:g}..{spec.maximum:g} {spec.unit})",
                    spec.name,
                    float(value[index]),
                )
        for lower, upper in LIMIT_PAIRS:
            low, high = getattr(self, lower), getattr(self, upper)
            bad = ~(low < high)
            if bad.any():
                index = int(np.flatnonzero(bad)[0])
                raise VehicleParamsError(
                    f"vehicle parameter {lower}[{index}] = {float(low[index])!r} must be below "
                    f"{upper} = {float(high[index])!r}",
                    lower,
                    float(low[index]),
                )

    @property
    def n(self) -> int:
        """The number of drones."""
        return int(self.velocity_tau_s.shape[0])

    @classmethod
    def broadcast(cls, params: VehicleParams, n: int) -> VehicleParamArrays:
        """The same vehicle for all ``n`` drones."""
        if n < 1:
            raise VehicleParamsError(f"number of drones {n} must be at least 1", "n", n)
        values: dict[str, object] = {}
        for f in dataclasses.fields(VehicleParams):
            value = getattr(params, f.name)
            values[f.name] = np.full(n, float(value)) if f.name in FLOAT_FIELDS else value
        return cls(**values)  # type: ignore[arg-type]

    def take(self, indices: ArrayLike) -> VehicleParamArrays:
        """The parameters of the drones at ``indices`` (in that order)."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        return dataclasses.replace(self, **{name: getattr(self, name)[index] for name in FLOAT_FIELDS})

    def replace_rows(self, indices: ArrayLike, other: VehicleParamArrays) -> VehicleParamArrays:
        """A copy with the drones at ``indices`` given ``other``'s rows (for re-randomising on reset)."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        if other.n != index.shape[0]:
            raise VehicleParamsError(
                f"replacement parameters are for {other.n} drones but {index.shape[0]} indices were given", "n", other.n
            )
        values = {}
        for name in FLOAT_FIELDS:
            array = getattr(self, name).copy()
            array[index] = getattr(other, name)
            values[name] = array
        return dataclasses.replace(self, **values)

    def row(self, index: int) -> VehicleParams:
        """Drone ``index``'s parameters as a ``VehicleParams``."""
        values = {name: float(getattr(self, name)[index]) for name in FLOAT_FIELDS}
        return VehicleParams(
            **values,  # type: ignore[arg-type]
            camera_width_px=self.camera_width_px,
            camera_height_px=self.camera_height_px,
        )
