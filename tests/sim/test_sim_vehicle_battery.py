"""The simulated battery: its power draw, its drain, its gauge and its randomised packs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParamArrays, VehicleParams, VehicleState
from dronecine_sim.vehicle.battery import BatteryModel, BatteryParams, battery_param_specs, randomise_battery
from dronecine_sim.vehicle.errors import VehicleError, VehicleParamsError
from hypothesis import given, settings
from hypothesis import strategies as st

HOVER = np.zeros((1, 3))


def test_every_parameter_is_declared_with_a_unit_a_range_and_a_default_within_it() -> None:
    specs = battery_param_specs()
    assert [s.name for s in specs] == [f.name for f in dataclasses.fields(BatteryParams)]
    for spec in specs:
        assert spec.unit and spec.doc
        assert spec.minimum <= spec.default <= spec.maximum
        if spec.randomise is not None:
            assert spec.minimum <= spec.randomise[0] <= spec.randomise[1] <= spec.maximum


@pytest.mark.parametrize(
    ("name", "value"), [("capacity_wh", 0.0), ("initial_percent", 101.0), ("hover_power_w", float("inf"))]
)
def test_a_parameter_out_of_range_is_refused_and_named(name: str, value: float) -> None:
    with pytest.raises(VehicleParamsError) as raised:
        BatteryParams(**{name: value})
    assert raised.value.field == name and raised.value.value == value


def test_a_full_pack_hovers_for_its_energy_over_its_hover_power() -> None:
    params = BatteryParams(capacity_wh=100.0, hover_power_w=400.0)
    battery = BatteryModel(params, 1)
    dt_s = 1.0
    steps = 0
    while not battery.empty[0]:
        battery.step(HOVER, dt_s)
        steps += 1
    assert steps == pytest.approx(params.hover_endurance_s, abs=1.0) and params.hover_endurance_s == 900.0
    assert battery.percent[0] == 0.0
    battery.step(HOVER, dt_s)  # an empty pack stays at zero
    assert battery.energy_wh[0] == 0.0


def test_the_drain_is_hover_power_plus_the_speed_and_climb_terms() -> None:
    params = BatteryParams(hover_power_w=450.0, drag_power_w_per_m3_s3=0.2, climb_power_w_per_m_s=60.0)
    battery = BatteryModel(params, 4)
    velocity = np.array([[0.0, 0.0, 0.0], [6.0, 8.0, 0.0], [0.0, 0.0, -2.0], [0.0, 0.0, 1.5]])
    power = battery.power_w(velocity)
    assert power == pytest.approx([450.0, 450.0 + 0.2 * 1000.0, 450.0 + 120.0, 450.0])
    before = battery.energy_wh
    battery.step(velocity, 36.0)  # 1/100 h
    assert before - battery.energy_wh == pytest.approx(power / 100.0)


def test_faster_flight_drains_faster_and_a_parked_drone_barely_at_all() -> None:
    battery = BatteryModel(BatteryParams(), 3)
    velocity = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    for _ in range(600):
        battery.step(velocity, 0.1, flying=np.array([True, True, False]))
    hover, fast, parked = 100.0 - battery.percent
    assert fast > hover > 10.0 * parked > 0.0


def test_each_drone_flies_its_own_pack() -> None:
    packs = (BatteryParams(initial_percent=80.0), BatteryParams(capacity_wh=100.0))
    battery = BatteryModel(packs)
    assert battery.percent == pytest.approx([80.0, 100.0])
    battery.step(np.zeros((2, 3)), 60.0)
    drained = np.array([80.0, 100.0]) - battery.percent
    assert drained[1] == pytest.approx(2.0 * drained[0])  # half the capacity, twice the percent


def test_the_gauge_reads_whole_percent_with_seeded_noise() -> None:
    battery = BatteryModel(BatteryParams(initial_percent=50.0, gauge_noise_percent=2.0), 200)
    first = battery.reading_percent(np.random.default_rng(3))
    again = battery.reading_percent(np.random.default_rng(3))
    assert np.array_equal(first, again) and np.array_equal(first, np.round(first))
    assert 1.0 < first.std() < 3.0 and abs(first.mean() - 50.0) < 1.0
    exact = BatteryModel(BatteryParams(initial_percent=42.4), 1).reading_percent(np.random.default_rng(0))
    assert exact[0] == 42.0


def test_randomised_packs_lie_within_their_ranges_and_a_seed_reproduces_them() -> None:
    packs = randomise_battery(50, np.random.default_rng(7))
    assert packs == randomise_battery(50, np.random.default_rng(7))
    assert packs != randomise_battery(50, np.random.default_rng(8))
    for spec in battery_param_specs():
        values = [getattr(p, spec.name) for p in packs]
        if spec.randomise is None:
            assert set(values) == {spec.default}
        else:
            assert spec.randomise[0] <= min(values) < max(values) <= spec.randomise[1]


def test_bad_inputs_are_refused() -> None:
    battery = BatteryModel(BatteryParams(), 2)
    with pytest.raises(VehicleError, match="shape"):
        battery.step(np.zeros((3, 3)), 0.1)
    with pytest.raises(VehicleError, match="dt_s"):
        battery.step(np.zeros((2, 3)), 0.0)
    with pytest.raises(VehicleError, match="flying"):
        battery.step(np.zeros((2, 3)), 0.1, flying=np.array([1, 0]))
    with pytest.raises(VehicleError):
        BatteryModel(BatteryParams())
    with pytest.raises(VehicleError):
        BatteryModel([BatteryParams()], n=2)


@settings(max_examples=40, deadline=None)
@given(
    speeds=st.lists(st.floats(min_value=0.0, max_value=15.0), min_size=1, max_size=40),
    climbs=st.lists(st.floats(min_value=-3.0, max_value=3.0), min_size=1, max_size=40),
)
def test_the_charge_never_rises_and_never_leaves_0_to_100(speeds: list[float], climbs: list[float]) -> None:
    battery = BatteryModel(BatteryParams(capacity_wh=2.0), 1)
    previous = battery.percent[0]
    for speed, climb in zip(speeds, climbs, strict=False):
        percent = battery.step(np.array([[speed, 0.0, -climb]]), 5.0)[0]
        assert 0.0 <= percent <= previous
        previous = percent


def test_a_flight_on_the_vehicle_model_drains_with_its_own_velocity() -> None:
    """The battery fed from the simulated vehicle: a 60 s dash at 10 m/s costs more than a 60 s hover."""
    dt_s = 0.05
    vehicle = VehicleModel(VehicleParamArrays.broadcast(VehicleParams().without_wind(), 2), dt_s)
    state = VehicleState.at_rest(np.array([[0.0, 0.0, -10.0], [0.0, 20.0, -10.0]]))
    command = VehicleCommand(np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]]), np.zeros(2), np.zeros(2), np.zeros(2))
    battery = BatteryModel(BatteryParams(), 2)
    rng = np.random.default_rng(0)
    for _ in range(round(60.0 / dt_s)):
        vehicle.step(state, command, rng)
        battery.step(state.own_velocity_ned_m_s, dt_s)
    hover, dash = 100.0 - battery.percent
    assert hover == pytest.approx(450.0 * 60.0 / 3600.0 / 200.0 * 100.0, rel=1e-6)
    assert dash > hover * 1.2  # 0.15 W/(m/s)^3 at 10 m/s: +150 W once at speed
