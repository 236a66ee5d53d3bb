"""Safety limits and the braking model the supervisor plans with.

The braking model: told to stop, a drone moving at ``v`` towards a boundary first keeps going for
about ``response_lag_s`` (its velocity loop's lag plus one control period), then decelerates at
``braking_accel_m_s2`` (below what the vehicle can do), so it covers

    stopping_distance(v) = lag * v + v^2 / (2 a)

and the fastest approach that still stops within a distance ``d`` solves that for ``v``:

    allowed_speed(d) = a (sqrt(lag^2 + 2 d / a) - lag) = 2 d / (lag + sqrt(lag^2 + 2 d / a))

(the second form is the numerically stable one for small ``d``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

from dronecine.flight.errors import SafetyError
from dronecine.flight.geofence import VerticesNE, check_polygon, interior_after_margin_m2

if TYPE_CHECKING:
    from dronecine.mission.safety import Safety


def stopping_distance_m(speed_m_s: float, response_lag_s: float, braking_accel_m_s2: float) -> float:
    """How far a drone at ``speed_m_s`` towards a boundary travels before it stops (0 if moving away)."""
    v = max(0.0, speed_m_s)
    return response_lag_s * v + v * v / (2.0 * braking_accel_m_s2)


def allowed_speed_m_s(distance_m: float, response_lag_s: float, braking_accel_m_s2: float) -> float:
    """The largest speed towards a boundary ``distance_m`` away from which the drone stops before it."""
    if distance_m <= 0.0:
        return 0.0
    lag = response_lag_s
    return 2.0 * distance_m / (lag + math.sqrt(lag * lag + 2.0 * distance_m / braking_accel_m_s2))


def planning_lag_s(
    velocity_tau_s: float, control_period_s: float, max_accel_m_s2: float = 0.0, max_jerk_m_s3: float = math.inf
) -> float:
    """A ``response_lag_s`` that covers a vehicle: the time constant of its velocity loop, one
    control period of the supervisor, and for a jerk-limited vehicle the time its acceleration takes
    to swing from full towards the boundary to zero (``max_accel / max_jerk``)."""
    values = (velocity_tau_s, control_period_s, max_accel_m_s2, max_jerk_m_s3)
    if not all(isinstance(v, Real) and not isinstance(v, bool) for v in values) or not (
        velocity_tau_s >= 0.0 and control_period_s >= 0.0 and max_accel_m_s2 >= 0.0 and max_jerk_m_s3 > 0.0
    ):
        raise SafetyError(
            f"planning_lag_s needs velocity_tau_s, control_period_s, max_accel_m_s2 >= 0 and max_jerk_m_s3 > 0, "
            f"got {values}"
        )
    return float(velocity_tau_s + control_period_s + max_accel_m_s2 / max_jerk_m_s3)


# (field, unit, whether zero is allowed): every number must be finite and > 0 (>= 0 where allowed).
_NUMBER_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("ceiling_m", "m above the ground", False),
    ("floor_m", "m above the ground", True),
    ("min_separation_m", "m", False),
    ("max_horizontal_speed_m_s", "m/s", False),
    ("max_vertical_speed_m_s", "m/s", False),
    ("max_yaw_rate_deg_s", "deg/s", False),
    ("braking_accel_m_s2", "m/s^2", False),
    ("response_lag_s", "s", False),
    ("margin_m", "m", True),
    ("return_speed_m_s", "m/s", False),
    ("subject_clearance_m", "m", True),
    ("person_clearance_m", "m", True),
)


@dataclass(frozen=True)
class SafetyLimits:
    """Where one drone may fly and how fast, and how the supervisor plans its braking.

    Heights are above the ground at the origin (height = -down_m). ``floor_m`` holds while filming,
    not during take-off and landing. ``margin_m`` is kept inside every boundary (fence, ceiling,
    floor, separation); people have their own clearances instead (``subject_clearance_m`` from the
    shot's subject, ``person_clearance_m`` from anyone else). A drone found beyond a boundary (or
    inside its margin) is brought back at up to ``return_speed_m_s`` (and never faster than the
    speed limits).
    """

    geofence_ne_m: VerticesNE  # polygon vertices (north_m, east_m) in order, either orientation
    ceiling_m: float
    floor_m: float
    min_separation_m: float  # 3-D distance two drones must keep
    max_horizontal_speed_m_s: float
    max_vertical_speed_m_s: float
    max_yaw_rate_deg_s: float
    braking_accel_m_s2: float = 2.5  # below the vehicle's 3..7 horizontal, 2.5..5 vertical
    response_lag_s: float = 0.6  # velocity-loop lag (0.2..0.6 s) plus one control period
    margin_m: float = 2.0
    return_speed_m_s: float = 1.0
    subject_clearance_m: float = 1.5  # from the shot's own subject (close shots film from 2 m)
    person_clearance_m: float = 2.5  # from anyone else

    def __post_init__(self) -> None:
        for name, unit, zero_ok in _NUMBER_FIELDS:
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or (value < 0.0 if zero_ok else value <= 0.0):
                expected = ">= 0" if zero_ok else "> 0"
                raise SafetyError(
                    f"safety limit {name} = {value!r} is out of range (expected a finite number {expected} {unit})",
                    name,
                )
            object.__setattr__(self, name, float(value))
        if not self.floor_m < self.ceiling_m:
            raise SafetyError(
                f"safety limit floor_m = {self.floor_m:g} m must be below ceiling_m = {self.ceiling_m:g} m", "floor_m"
            )
        if not self.ceiling_m - self.floor_m > 2.0 * self.margin_m:
            raise SafetyError(
                f"safety limits leave no height to fly in: floor_m + margin_m = {self.floor_m + self.margin_m:g} m "
                f"is not below ceiling_m - margin_m = {self.ceiling_m - self.margin_m:g} m "
                "(expected ceiling_m - floor_m > 2 margin_m)",
                "margin_m",
            )
        fence = check_polygon(self.geofence_ne_m, "geofence_ne_m")
        object.__setattr__(self, "geofence_ne_m", fence)
        if not interior_after_margin_m2(fence, self.margin_m) > 0.0:
            raise SafetyError(
                f"geofence_ne_m leaves no area once margin_m = {self.margin_m:g} m is kept from its edges "
                "(expected a fence wider than 2 margin_m)",
                "geofence_ne_m",
            )

    @classmethod
    def from_mission(cls, safety: Safety, **overrides: Any) -> SafetyLimits:
        """The limits of a mission's ``safety`` block; ``overrides`` set the planning fields
        (``braking_accel_m_s2``, ``response_lag_s``, ``margin_m``, ``return_speed_m_s``) or replace any other."""
        values: dict[str, Any] = {
            "geofence_ne_m": tuple((float(p.north_m), float(p.east_m)) for p in safety.geofence),
            "ceiling_m": safety.ceiling_m,
            "floor_m": safety.floor_m,
            "min_separation_m": safety.min_separation_m,
            "max_horizontal_speed_m_s": safety.max_horizontal_speed_m_s,
            "max_vertical_speed_m_s": safety.max_vertical_speed_m_s,
            "max_yaw_rate_deg_s": safety.max_yaw_rate_deg_s,
            "subject_clearance_m": safety.subject_clearance_m,
            "person_clearance_m": safety.person_clearance_m,
        }
        unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise SafetyError(f"unknown safety limit(s) {', '.join(unknown)}", unknown[0])
        values.update(overrides)
        return cls(**values)

    def stopping_distance_m(self, speed_m_s: float) -> float:
        """The braking model's stopping distance at ``speed_m_s`` towards a boundary."""
        return stopping_distance_m(speed_m_s, self.response_lag_s, self.braking_accel_m_s2)

    def allowed_speed_m_s(self, distance_m: float) -> float:
        """The braking model's largest approach speed that stops within ``distance_m``."""
        return allowed_speed_m_s(distance_m, self.response_lag_s, self.braking_accel_m_s2)
