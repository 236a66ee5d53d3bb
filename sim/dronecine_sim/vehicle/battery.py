"""The camera drone's battery: energy drained by the power the flight takes, as a gauge reads it.

Batched over N drones like the vehicle model. Each step, per drone, the electrical power is

    P = hover_power_w + drag_power_w_per_m3_s3 * |v_h|^3 + climb_power_w_per_m_s * max(0, v_up)   (flying)
    P = idle_power_w                                                                               (on the ground)

with ``v_h`` the horizontal and ``v_up`` the upward component of the drone's own (air-relative)
velocity: hovering costs most of it, parasitic drag grows with the cube of the airspeed, climbing
costs the potential energy gained over the drive's efficiency (descending is charged as hovering).
The translational lift that makes slow forward flight a little cheaper than hovering is left out,
so the model errs on the side of a shorter flight. The energy ``E`` drains as ``E <- max(0, E - P dt)``
and the remaining charge is ``100 E / capacity_wh`` percent.

``BatteryParams`` declares each constant as ``VehicleParams`` does: default, unit, valid range and
the range ``randomise_battery`` draws from (an ageing pack, a heavier payload, a colder day).
Randomness comes only from the ``numpy.random.Generator`` passed in: a seed reproduces the packs
and the gauge's readings exactly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.vehicle.errors import VehicleError, VehicleParamsError
from dronecine_sim.vehicle.params import VehicleParamSpec, param_field, read_specs

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BatteryParams:
    """One drone's battery and power draw. The defaults: a 4 kg camera drone with a gimbal camera on
    a 200 Wh pack, about 26 minutes' hover from full."""

    capacity_wh: float = param_field(
        200.0, "Wh", 1.0, 5000.0, (170.0, 210.0), "usable energy of a full pack (an aged pack holds less)"
    )
    initial_percent: float = param_field(
        100.0, "%", 0.0, 100.0, (92.0, 100.0), "charge at the start (a pack left a while, or not quite full)"
    )
    hover_power_w: float = param_field(
        450.0, "W", 1.0, 20000.0, (400.0, 520.0), "electrical power to hover (mass, payload, air density)"
    )
    drag_power_w_per_m3_s3: float = param_field(
        0.15, "W/(m/s)^3", 0.0, 100.0, (0.1, 0.2), "parasitic-drag power per cubed horizontal airspeed"
    )
    climb_power_w_per_m_s: float = param_field(
        70.0, "W/(m/s)", 0.0, 5000.0, (55.0, 90.0), "extra power per m/s of climb (m g over the drive's efficiency)"
    )
    idle_power_w: float = param_field(8.0, "W", 0.0, 500.0, None, "avionics and camera on the ground, motors off")
    gauge_noise_percent: float = param_field(
        0.0, "%", 0.0, 10.0, None, "standard deviation of the gauge's reading about the true charge"
    )

    def __post_init__(self) -> None:
        for spec in battery_param_specs():
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise VehicleParamsError(f"battery parameter {spec.name} = {value!r} is not a number", spec.name, value)
            if not (math.isfinite(value) and spec.minimum <= value <= spec.maximum):
                raise VehicleParamsError(
                    f"battery parameter {spec.name} = {value!r} is out of range "
                    f"(expected {spec.minimum:g}..{spec.maximum:g} {spec.unit})",
                    spec.name,
                    value,
                )

    @property
    def hover_endurance_s(self) -> float:
        """How long a full pack hovers."""
        return self.capacity_wh * 3600.0 / self.hover_power_w


def battery_param_specs() -> tuple[VehicleParamSpec, ...]:
    """The declarations of ``BatteryParams``' fields, in field order."""
    return _SPECS


_SPECS = read_specs(BatteryParams)


def randomise_battery(n: int, rng: np.random.Generator, base: BatteryParams | None = None) -> tuple[BatteryParams, ...]:
    """``n`` packs, each randomisable parameter drawn uniformly within its declared range (the others
    as ``base``), in one draw from ``rng``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise VehicleError(f"randomise_battery needs n >= 1 drones, got {n!r}")
    base = BatteryParams() if base is None else base
    drawn = [s for s in battery_param_specs() if s.randomise is not None]
    low = np.array([s.randomise[0] for s in drawn])  # type: ignore[index]
    high = np.array([s.randomise[1] for s in drawn])  # type: ignore[index]
    values = rng.uniform(low, high, size=(n, len(drawn)))
    return tuple(
        dataclasses.replace(base, **{s.name: float(v) for s, v in zip(drawn, row, strict=True)}) for row in values
    )


class BatteryModel:
    """N drones' batteries (one ``BatteryParams`` each, or one for all)."""

    def __init__(self, params: BatteryParams | Sequence[BatteryParams], n: int | None = None) -> None:
        packs = _packs(params, n)
        self.n = len(packs)
        self.params = packs
        self._capacity_wh = np.array([p.capacity_wh for p in packs])
        self._hover_w = np.array([p.hover_power_w for p in packs])
        self._drag = np.array([p.drag_power_w_per_m3_s3 for p in packs])
        self._climb = np.array([p.climb_power_w_per_m_s for p in packs])
        self._idle_w = np.array([p.idle_power_w for p in packs])
        self._noise = np.array([p.gauge_noise_percent for p in packs])
        self._energy_wh = self._capacity_wh * np.array([p.initial_percent for p in packs]) / 100.0

    @property
    def energy_wh(self) -> FloatArray:
        """The energy left in each pack (N,), a copy."""
        return self._energy_wh.copy()

    @property
    def percent(self) -> FloatArray:
        """The true remaining charge of each pack (N,), 0..100."""
        return 100.0 * self._energy_wh / self._capacity_wh

    @property
    def empty(self) -> NDArray[np.bool_]:
        return self._energy_wh <= 0.0

    def power_w(self, own_velocity_ned_m_s: ArrayLike, flying: ArrayLike | None = None) -> FloatArray:
        """The electrical power (N,) each drone draws at its own (air-relative) velocity (N, 3);
        ``flying`` (N,) bool, None: all flying. A drone on the ground draws ``idle_power_w``."""
        velocity = self._velocity(own_velocity_ned_m_s)
        airborne = self._flying(flying)
        horizontal = np.hypot(velocity[:, 0], velocity[:, 1])
        climb = np.maximum(0.0, -velocity[:, 2])
        in_air = self._hover_w + self._drag * horizontal**3 + self._climb * climb
        return np.where(airborne, in_air, self._idle_w)

    def step(self, own_velocity_ned_m_s: ArrayLike, dt_s: float, flying: ArrayLike | None = None) -> FloatArray:
        """Drain ``dt_s`` of flight at ``own_velocity_ned_m_s`` (see ``power_w``); the true percent (N,)."""
        if isinstance(dt_s, bool) or not isinstance(dt_s, int | float) or not (math.isfinite(dt_s) and dt_s > 0.0):
            raise VehicleError(f"dt_s must be a finite number > 0 s, got {dt_s!r}")
        drained_wh = self.power_w(own_velocity_ned_m_s, flying) * dt_s / 3600.0
        self._energy_wh = np.maximum(0.0, self._energy_wh - drained_wh)
        return self.percent

    def reading_percent(self, rng: np.random.Generator) -> FloatArray:
        """What each drone's gauge reports (N,): the true percent plus its noise, within 0..100,
        rounded to whole percent as MAVLink's ``battery_remaining``. One ``standard_normal(N)`` draw."""
        noisy = self.percent + self._noise * rng.standard_normal(self.n)
        return np.round(np.clip(noisy, 0.0, 100.0))

    def endurance_s(self, power_w: ArrayLike | None = None) -> FloatArray:
        """How long each pack lasts from now at ``power_w`` (N,) (None: hovering)."""
        power = self._hover_w if power_w is None else np.broadcast_to(np.asarray(power_w, dtype=float), (self.n,))
        with np.errstate(divide="ignore"):
            return np.where(power > 0.0, self._energy_wh * 3600.0 / power, np.inf)

    def _velocity(self, value: ArrayLike) -> FloatArray:
        velocity = np.asarray(value, dtype=float)
        if velocity.shape != (self.n, 3):
            raise VehicleError(f"own_velocity_ned_m_s must have shape ({self.n}, 3), got {velocity.shape}")
        if not np.isfinite(velocity).all():
            raise VehicleError("own_velocity_ned_m_s must be finite")
        return velocity

    def _flying(self, value: ArrayLike | None) -> NDArray[np.bool_]:
        if value is None:
            return np.ones(self.n, dtype=bool)
        flying = np.asarray(value)
        if flying.shape != (self.n,) or flying.dtype != np.bool_:
            raise VehicleError(f"flying must be a bool array of shape ({self.n},), got {flying.dtype} {flying.shape}")
        return flying


def _packs(params: BatteryParams | Sequence[BatteryParams], n: int | None) -> tuple[BatteryParams, ...]:
    if isinstance(params, BatteryParams):
        if n is None or isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise VehicleError(f"one BatteryParams for all drones needs n >= 1, got n = {n!r}")
        return (params,) * n
    packs = tuple(params)
    if not packs or not all(isinstance(p, BatteryParams) for p in packs):
        raise VehicleError("params must be a BatteryParams or a non-empty sequence of them")
    if n is not None and n != len(packs):
        raise VehicleError(f"{len(packs)} battery params for n = {n} drones")
    return packs
