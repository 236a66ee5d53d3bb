"""Vehicle parameters: declared once with units and ranges, validated with typed errors that name the
field, randomised reproducibly within the declared ranges."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dronecine_sim.vehicle import (
    ParamRanges,
    VehicleCommand,
    VehicleError,
    VehicleModel,
    VehicleParamArrays,
    VehicleParams,
    VehicleParamsError,
    VehicleState,
    param_specs,
    randomise,
)

from dronecine.errors import DronecineError


def test_every_parameter_is_declared_with_a_unit_a_range_and_a_doc() -> None:
    specs = param_specs()
    assert [s.name for s in specs] == [f.name for f in dataclasses.fields(VehicleParams)]
    for spec in specs:
        assert spec.unit and spec.doc
        assert spec.minimum <= spec.default <= spec.maximum
        if spec.randomise is not None:
            low, high = spec.randomise
            assert spec.minimum <= low <= high <= spec.maximum, spec.name
        suffix = {"s": "_s", "m/s": "_m_s", "m/s^2": "_m_s2", "m/s^3": "_m_s3", "deg": "_deg", "deg/s": "_deg_s"}
        if spec.unit in suffix:
            assert spec.name.endswith(suffix[spec.unit]), spec.name
    # The arrays carry exactly the same fields.
    assert [f.name for f in dataclasses.fields(VehicleParamArrays)] == [s.name for s in specs]


def test_the_defaults_are_valid_and_the_camera_is_a_pinhole() -> None:
    params = VehicleParams()
    assert params.camera.hfov_deg == params.camera_hfov_deg
    assert (params.camera.width_px, params.camera.height_px) == (1280, 720)
    assert params.gimbal_pitch_min_deg == -90.0 and params.gimbal_pitch_max_deg == 30.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("velocity_tau_s", 0.0),
        ("velocity_tau_s", -1.0),
        ("yaw_tau_s", float("nan")),
        ("gimbal_tau_s", 0.0),
        ("wind_tau_s", 0.0),
        ("max_horizontal_speed_m_s", -3.0),
        ("max_jerk_m_s3", float("inf")),
        ("wind_sigma_m_s", -0.1),
        ("gimbal_pitch_min_deg", -120.0),
        ("gimbal_yaw_max_deg", 270.0),
        ("camera_hfov_deg", 180.0),
        ("camera_width_px", 1.5),
        ("max_up_speed_m_s", "fast"),
    ],
)
def test_invalid_parameters_raise_a_typed_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(VehicleParamsError, match=field) as caught:
        VehicleParams(**{field: value})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert isinstance(caught.value, DronecineError)


def test_limit_pairs_must_be_ordered() -> None:
    with pytest.raises(VehicleParamsError, match="gimbal_yaw_min_deg") as caught:
        VehicleParams(gimbal_yaw_min_deg=0.0, gimbal_yaw_max_deg=0.0)
    assert caught.value.field == "gimbal_yaw_min_deg"


def test_invalid_parameter_arrays_name_the_field_and_the_drone() -> None:
    good = VehicleParamArrays.broadcast(VehicleParams(), 4)
    tau = good.velocity_tau_s.copy()
    tau[2] = -1.0
    with pytest.raises(VehicleParamsError, match=r"velocity_tau_s\[2\] = -1.0") as caught:
        dataclasses.replace(good, velocity_tau_s=tau)
    assert caught.value.field == "velocity_tau_s"
    with pytest.raises(VehicleParamsError, match="wind_gain"):
        dataclasses.replace(good, wind_gain=np.ones(3))  # wrong N
    with pytest.raises(VehicleParamsError, match="n"):
        VehicleParamArrays.broadcast(VehicleParams(), 0)


def test_parameter_arrays_are_read_only_copies() -> None:
    tau = np.full(3, 0.3)
    arrays = dataclasses.replace(VehicleParamArrays.broadcast(VehicleParams(), 3), velocity_tau_s=tau)
    tau[0] = -5.0
    assert arrays.velocity_tau_s[0] == 0.3
    with pytest.raises(ValueError, match="read-only"):
        arrays.velocity_tau_s[0] = 1.0
    assert arrays.row(1) == VehicleParams(velocity_tau_s=0.3)


def test_randomise_draws_within_the_declared_ranges_and_covers_them() -> None:
    n = 4000
    arrays = randomise(VehicleParams(), n, np.random.default_rng(1))
    assert arrays.n == n
    ranges = ParamRanges.default()
    for spec in param_specs():
        values = getattr(arrays, spec.name)
        if spec.randomise is None:
            assert np.all(values == spec.default), spec.name
            assert ranges.get(spec.name) is None
            continue
        low, high = spec.randomise
        assert ranges.get(spec.name) == (low, high)
        assert values.min() >= low and values.max() <= high, spec.name
        # Uniform: it reaches near both ends and its mean is the middle.
        width = high - low
        assert values.min() < low + 0.01 * width and values.max() > high - 0.01 * width, spec.name
        assert abs(values.mean() - (low + high) / 2) < 0.03 * width, spec.name
    # Different drones differ, independently per parameter.
    assert abs(np.corrcoef(arrays.velocity_tau_s, arrays.max_jerk_m_s3)[0, 1]) < 0.1


def test_randomise_is_reproducible_by_seed() -> None:
    a = randomise(VehicleParams(), 50, np.random.default_rng(42))
    b = randomise(VehicleParams(), 50, np.random.default_rng(42))
    c = randomise(VehicleParams(), 50, np.random.default_rng(43))
    for spec in param_specs():
        np.testing.assert_array_equal(getattr(a, spec.name), getattr(b, spec.name))
    assert not np.array_equal(a.velocity_tau_s, c.velocity_tau_s)


def test_randomise_scale_shrinks_the_ranges_towards_the_nominal_vehicle() -> None:
    nominal = VehicleParams()
    assert randomise(nominal, 10, np.random.default_rng(0), scale=0.0).row(3) == nominal
    half = randomise(nominal, 2000, np.random.default_rng(0), scale=0.5)
    low, high = ParamRanges.default().get("max_jerk_m_s3")  # type: ignore[misc]
    expected_low = nominal.max_jerk_m_s3 + 0.5 * (low - nominal.max_jerk_m_s3)
    expected_high = nominal.max_jerk_m_s3 + 0.5 * (high - nominal.max_jerk_m_s3)
    assert half.max_jerk_m_s3.min() >= expected_low and half.max_jerk_m_s3.max() <= expected_high
    with pytest.raises(VehicleParamsError, match="scale"):
        randomise(nominal, 10, np.random.default_rng(0), scale=1.5)


def test_param_ranges_can_be_narrowed_and_are_validated() -> None:
    ranges = ParamRanges.default().with_range("velocity_tau_s", 0.5, 0.5).without("max_jerk_m_s3")
    arrays = randomise(VehicleParams(), 20, np.random.default_rng(0), ranges=ranges)
    assert (arrays.velocity_tau_s == 0.5).all()
    assert (arrays.max_jerk_m_s3 == VehicleParams().max_jerk_m_s3).all()
    still = randomise(VehicleParams().without_wind(), 20, np.random.default_rng(0), ranges=ranges.without_wind())
    assert (still.wind_sigma_m_s == 0.0).all() and (still.wind_mean_north_m_s == 0.0).all()
    with pytest.raises(VehicleParamsError, match="velocity_tau_s") as caught:
        ParamRanges.default().with_range("velocity_tau_s", -1.0, 0.5)
    assert caught.value.field == "velocity_tau_s"
    with pytest.raises(VehicleParamsError, match="camera_width_px"):
        ParamRanges.default().with_range("camera_width_px", 100, 200)
    with pytest.raises(VehicleParamsError, match="no_such_param"):
        ParamRanges((("no_such_param", 0.0, 1.0),))


def test_replacing_rows_rerandomises_some_drones() -> None:
    base = VehicleParamArrays.broadcast(VehicleParams(), 5)
    fresh = randomise(VehicleParams(), 2, np.random.default_rng(0))
    mixed = base.replace_rows([1, 3], fresh)
    np.testing.assert_array_equal(mixed.velocity_tau_s[[1, 3]], fresh.velocity_tau_s)
    np.testing.assert_array_equal(mixed.velocity_tau_s[[0, 2, 4]], base.velocity_tau_s[[0, 2, 4]])
    np.testing.assert_array_equal(mixed.take([3]).velocity_tau_s, fresh.velocity_tau_s[[1]])


def test_the_model_rejects_bad_time_steps_and_mismatched_arrays() -> None:
    params = VehicleParamArrays.broadcast(VehicleParams(), 3)
    for dt_s in (0.0, -0.1, float("nan"), 5.0):
        with pytest.raises(VehicleError, match="dt_s"):
            VehicleModel(params, dt_s)
    model = VehicleModel(params, 0.05)
    rng = np.random.default_rng(0)
    with pytest.raises(VehicleError, match="drones"):
        model.step(VehicleState.at_rest(np.zeros((2, 3))), VehicleCommand.zeros(3), rng)
    with pytest.raises(VehicleError, match="command"):
        model.step(VehicleState.at_rest(np.zeros((3, 3))), VehicleCommand.zeros(2), rng)
    with pytest.raises(VehicleError, match="positions"):
        VehicleState.at_rest(np.zeros(3))
    with pytest.raises(VehicleError, match="drones"):
        model.set_params(VehicleParamArrays.broadcast(VehicleParams(), 4))
