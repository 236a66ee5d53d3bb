"""Every constant of the simulated camera drone, with its unit, valid range and randomisation range.

Each field of ``VehicleParams`` is declared with ``param_field(default, unit, minimum, maximum,
randomise, doc)``, as a PX4 parameter file would list it: the default, the unit, the range a
value must lie in, and the range ``randomise`` draws from for domain randomisation (``None``:
never randomised). ``param_specs()`` reads the declarations back, so each constant is described in
exactly one place. Where PX4 has a matching parameter its doc names it; the defaults are for a
camera drone and need not equal PX4's.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from dronecine.geometry import PinholeCamera
from dronecine_sim.vehicle.errors import VehicleParamsError

_SPEC_KEY = "dronecine_sim.vehicle.param"


@dataclass(frozen=True)
class VehicleParamSpec:
    """One parameter: its name (unit as suffix), unit, default, valid range and randomisation range."""

    name: str
    unit: str
    default: float
    minimum: float
    maximum: float
    randomise: tuple[float, float] | None
    doc: str


def param_field(
    default: float, unit: str, minimum: float, maximum: float, randomise: tuple[float, float] | None, doc: str
) -> Any:
    """A dataclass field declared as a parameter (its spec readable with ``read_specs``)."""
    return dataclasses.field(
        default=default,
        metadata={
            _SPEC_KEY: {"unit": unit, "minimum": minimum, "maximum": maximum, "randomise": randomise, "doc": doc}
        },
    )


# Pairs (lower, upper) of limits that must satisfy lower < upper.
LIMIT_PAIRS: tuple[tuple[str, str], ...] = (
    ("gimbal_pitch_min_deg", "gimbal_pitch_max_deg"),
    ("gimbal_yaw_min_deg", "gimbal_yaw_max_deg"),
)

# Integer parameters: they are never randomised and stay scalars in ``VehicleParamArrays``.
INTEGER_FIELDS: tuple[str, ...] = ("camera_width_px", "camera_height_px")


@dataclass(frozen=True)
class VehicleParams:
    """The camera drone: velocity loop, yaw, wind, gimbal, camera and ground contact.

    The vehicle tracks a velocity setpoint as a first-order lag limited in speed, acceleration and
    jerk; the limits bound the vehicle's *own* velocity (relative to the drift the wind imparts), so
    with wind the ground speed can exceed them by the drift (see ``dronecine_sim.vehicle``).
    The gimbal stabilises roll and pitch: its pitch is relative to the horizon, its yaw relative to
    the body and held by hard stops (it never wraps). Zero must lie within both gimbal ranges so a
    drone can start looking at the horizon, straight ahead.
    """

    # --- velocity loop -------------------------------------------------------------------------
    velocity_tau_s: float = param_field(
        0.35, "s", 0.01, 10.0, (0.2, 0.6), "time constant of the velocity loop's first-order response"
    )
    max_horizontal_speed_m_s: float = param_field(
        12.0,
        "m/s",
        0.1,
        50.0,
        (8.0, 16.0),
        "largest horizontal speed of the vehicle's own velocity (cf. PX4 MPC_XY_VEL_MAX)",
    )
    max_up_speed_m_s: float = param_field(
        3.0, "m/s", 0.1, 20.0, (2.0, 5.0), "largest climb rate (cf. PX4 MPC_Z_VEL_MAX_UP)"
    )
    max_down_speed_m_s: float = param_field(
        1.5, "m/s", 0.1, 20.0, (1.0, 2.5), "largest descent rate (cf. PX4 MPC_Z_VEL_MAX_DN)"
    )
    max_horizontal_accel_m_s2: float = param_field(
        5.0, "m/s^2", 0.1, 30.0, (3.0, 7.0), "largest norm of the horizontal acceleration (cf. PX4 MPC_ACC_HOR_MAX)"
    )
    max_vertical_accel_m_s2: float = param_field(
        4.0, "m/s^2", 0.1, 30.0, (2.5, 5.0), "largest vertical acceleration, up or down (cf. PX4 MPC_ACC_UP_MAX)"
    )
    max_jerk_m_s3: float = param_field(
        8.0, "m/s^3", 0.5, 200.0, (4.0, 12.0), "largest norm of the 3-D jerk of the own velocity (cf. PX4 MPC_JERK_MAX)"
    )
    # --- yaw -------------------------------------------------------------------------------------
    max_yaw_rate_deg_s: float = param_field(
        60.0, "deg/s", 1.0, 1000.0, (40.0, 90.0), "largest body yaw rate (cf. PX4 MPC_YAWRAUTO_MAX)"
    )
    yaw_tau_s: float = param_field(0.2, "s", 0.01, 5.0, (0.1, 0.35), "time constant of the yaw rate's response")
    # --- wind ------------------------------------------------------------------------------------
    wind_mean_north_m_s: float = param_field(0.0, "m/s", -30.0, 30.0, (-4.0, 4.0), "mean wind, north component")
    wind_mean_east_m_s: float = param_field(0.0, "m/s", -30.0, 30.0, (-4.0, 4.0), "mean wind, east component")
    wind_sigma_m_s: float = param_field(
        0.5, "m/s", 0.0, 15.0, (0.0, 1.5), "gust standard deviation per horizontal axis (OU stationary std)"
    )
    wind_vertical_sigma_m_s: float = param_field(
        0.2, "m/s", 0.0, 10.0, (0.0, 0.5), "gust standard deviation, vertical (OU stationary std)"
    )
    wind_tau_s: float = param_field(
        3.0, "s", 0.1, 100.0, (1.0, 6.0), "correlation time of the gusts (OU time constant)"
    )
    wind_gain: float = param_field(
        1.0, "1", 0.0, 2.0, (0.6, 1.0), "fraction of the wind the vehicle drifts with once settled (1: with the air)"
    )
    wind_response_tau_s: float = param_field(
        1.0, "s", 0.05, 20.0, (0.5, 2.0), "time constant with which the drift follows the wind (mass over drag)"
    )
    # --- gimbal ----------------------------------------------------------------------------------
    gimbal_pitch_min_deg: float = param_field(
        -90.0, "deg", -90.0, 0.0, None, "lowest gimbal pitch (-90: straight down)"
    )
    gimbal_pitch_max_deg: float = param_field(30.0, "deg", 0.0, 90.0, None, "highest gimbal pitch, looking up")
    gimbal_yaw_min_deg: float = param_field(-90.0, "deg", -180.0, 0.0, None, "gimbal yaw hard stop, left of the nose")
    gimbal_yaw_max_deg: float = param_field(90.0, "deg", 0.0, 180.0, None, "gimbal yaw hard stop, right of the nose")
    gimbal_max_rate_deg_s: float = param_field(
        90.0, "deg/s", 1.0, 1000.0, (60.0, 120.0), "largest gimbal rate, pitch and yaw alike"
    )
    gimbal_tau_s: float = param_field(
        0.08, "s", 0.005, 2.0, (0.04, 0.15), "time constant of the gimbal rates' response"
    )
    # --- camera ----------------------------------------------------------------------------------
    camera_hfov_deg: float = param_field(84.0, "deg", 1.0, 170.0, (75.0, 90.0), "horizontal field of view")
    camera_width_px: int = param_field(1280, "px", 2, 16384, None, "image width")
    camera_height_px: int = param_field(720, "px", 2, 16384, None, "image height")
    # --- ground ----------------------------------------------------------------------------------
    crash_speed_m_s: float = param_field(
        1.0, "m/s", 0.1, 20.0, None, "downward ground speed above which touching the ground is a crash"
    )

    def __post_init__(self) -> None:
        for spec in param_specs():
            value = getattr(self, spec.name)
            if spec.name in INTEGER_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise VehicleParamsError(
                        f"vehicle parameter {spec.name} = {value!r} is not an integer", spec.name, value
                    )
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise VehicleParamsError(f"vehicle parameter {spec.name} = {value!r} is not a number", spec.name, value)
            if not (math.isfinite(value) and spec.minimum <= value <= spec.maximum):
                raise VehicleParamsError(
                    f"vehicle parameter {spec.name} = {value!r} is out of range "
                    f"(expected {spec.minimum:g}..{spec.maximum:g} {spec.unit})",
                    spec.name,
                    value,
                )
        for lower, upper in LIMIT_PAIRS:
            if not getattr(self, lower) < getattr(self, upper):
                raise VehicleParamsError(
                    f"vehicle parameter {lower} = {getattr(self, lower)!r} must be below {upper} = "
                    f"{getattr(self, upper)!r}",
                    lower,
                    getattr(self, lower),
                )

    @property
    def camera(self) -> PinholeCamera:
        """The camera the gimbal carries."""
        return PinholeCamera(self.camera_hfov_deg, self.camera_width_px, self.camera_height_px)

    def without_wind(self) -> VehicleParams:
        """The same vehicle in still air."""
        return dataclasses.replace(
            self, wind_mean_north_m_s=0.0, wind_mean_east_m_s=0.0, wind_sigma_m_s=0.0, wind_vertical_sigma_m_s=0.0
        )


def param_specs() -> tuple[VehicleParamSpec, ...]:
    """The declarations of ``VehicleParams``' fields, in field order."""
    return _SPECS


def read_specs(params_class: type) -> tuple[VehicleParamSpec, ...]:
    """The specs of a dataclass whose fields are all ``param_field``s, in field order."""
    specs = []
    for f in dataclasses.fields(params_class):
        meta = f.metadata[_SPEC_KEY]
        specs.append(
            VehicleParamSpec(
                name=f.name,
                unit=meta["unit"],
                default=f.default,  # type: ignore[arg-type]
                minimum=meta["minimum"],
                maximum=meta["maximum"],
                randomise=meta["randomise"],
                doc=meta["doc"],
            )
        )
    return tuple(specs)


_SPECS = read_specs(VehicleParams)
FLOAT_FIELDS: tuple[str, ...] = tuple(s.name for s in _SPECS if s.name not in INTEGER_FIELDS)
