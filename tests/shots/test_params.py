"""Move parameters: names with units, ranges, defaults, validation messages; the travel profile."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shotkit import MOVE_NAMES

from dronecine.errors import DronecineError
from dronecine.shots import MOVES, MoveName, ShotError, build_move, param_specs
from dronecine.shots.easing import travel_m

ALL_SPECS = [(name, spec) for name in MoveName for spec in param_specs(MOVES[name])]
SPEC_IDS = [f"{name}.{spec.name}" for name, spec in ALL_SPECS]
UNIT_SUFFIX = {"m": "_m", "s": "_s", "deg": "_deg", "deg/s": "_deg_s", "m/s": "_m_s"}


def test_moves_maps_every_move_name_to_its_class() -> None:
    assert set(MOVES) == set(MoveName)
    for name, move_type in MOVES.items():
        assert move_type.name is name
        assert move_type.summary()  # a one-line description for the CLI
        assert isinstance(build_move(name), move_type)


def test_unknown_move_lists_every_move() -> None:
    with pytest.raises(ShotError) as caught:
        build_move("orbitt")
    message = str(caught.value)
    assert message.startswith("'orbitt' is not a camera move (expected one of: follow, lead, ")
    assert message == f"'orbitt' is not a camera move (expected one of: {', '.join(MoveName)})"
    assert caught.value.key is None
    assert isinstance(caught.value, DronecineError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("name", MOVE_NAMES)
def test_unknown_parameter_is_named_with_the_valid_ones(name: MoveName) -> None:
    with pytest.raises(ShotError) as caught:
        build_move(name, {"radiuss": 5.0})
    valid = [spec.name for spec in param_specs(MOVES[name])]
    assert str(caught.value) == (f"'radiuss' is not a parameter of move '{name}' (expected one of: {', '.join(valid)})")
    assert caught.value.key == "radiuss"


@pytest.mark.parametrize(("name", "spec"), ALL_SPECS, ids=SPEC_IDS)
def test_spec_names_carry_their_unit_and_defaults_lie_in_range(name: MoveName, spec) -> None:
    if spec.unit:
        assert spec.unit in UNIT_SUFFIX
        assert spec.name.endswith(UNIT_SUFFIX[spec.unit])
        if spec.unit in ("m", "s"):  # not the tail of a rate's name
            assert not spec.name.endswith(("_m_s", "_deg_s"))
    else:
        assert spec.name.endswith("ratio")
    assert spec.doc.strip()
    assert spec.minimum < spec.maximum
    if spec.default is None:
        assert spec.unit == "m"  # only distances are 'auto' (from the shot size)
        assert spec.default_text.startswith("auto")
    else:
        assert spec.minimum <= spec.default <= spec.maximum
        assert getattr(build_move(name), spec.name) == spec.default


@pytest.mark.parametrize(("name", "spec"), ALL_SPECS, ids=SPEC_IDS)
def test_range_limits_are_accepted_and_values_outside_rejected(name: MoveName, spec) -> None:
    for value in (spec.minimum, spec.maximum, math.ceil(spec.minimum)):
        move = build_move(name, {spec.name: value})
        assert getattr(move, spec.name) == float(value)
        assert isinstance(getattr(move, spec.name), float)
    unit = f" {spec.unit}" if spec.unit else ""
    span = max(spec.maximum - spec.minimum, 1.0)
    for value in (spec.minimum - 0.01 * span, spec.maximum + 1e-6 * span, float("nan"), math.inf, -math.inf):
        with pytest.raises(ShotError) as caught:
            build_move(name, {spec.name: value})
        assert caught.value.key == spec.name
        assert str(caught.value) == f"{value!r} is out of range (expected {spec.minimum:g}..{spec.maximum:g}{unit})"


@pytest.mark.parametrize(("name", "spec"), ALL_SPECS, ids=SPEC_IDS)
def test_non_numbers_are_rejected_with_range_and_unit(name: MoveName, spec) -> None:
    for value in ("30 m", True, False, None, [1.0], "nan"):
        with pytest.raises(ShotError) as caught:
            build_move(name, {spec.name: value})
        message = str(caught.value)
        assert caught.value.key == spec.name
        assert message.startswith(f"{value!r} is not a number (expected {spec.name}")
        assert f"{spec.minimum:g}..{spec.maximum:g}" in message
        if spec.unit:
            assert f" in {spec.unit}," in message
        else:
            assert "units of" not in message  # a ratio has no unit to name


def test_message_for_a_string_value() -> None:
    with pytest.raises(ShotError, match=r"^'30 m' is not a number \(expected radius_m in m, 2\.\.300\)$"):
        build_move("orbit", {"radius_m": "30 m"})


def test_numpy_numbers_are_numbers() -> None:
    # Parameters drawn from a numpy Generator (the project's one source of randomness).
    move = build_move("orbit", {"radius_m": np.int64(12), "rate_deg_s": np.float32(-20.5), "height_m": np.float64(6)})
    assert (move.radius_m, move.rate_deg_s, move.height_m) == (12.0, -20.5, 6.0)
    assert all(type(v) is float for v in (move.radius_m, move.rate_deg_s, move.height_m))
    with pytest.raises(ShotError, match="out of range"):
        build_move("orbit", {"radius_m": np.int64(1000)})
    with pytest.raises(ShotError, match="not a number"):
        build_move("orbit", {"radius_m": np.bool_(True)})


@settings(max_examples=200, deadline=None)
@given(data=st.data(), index=st.integers(0, len(ALL_SPECS) - 1))
def test_any_value_in_range_is_accepted_and_any_outside_rejected(data: st.DataObject, index: int) -> None:
    name, spec = ALL_SPECS[index]
    inside = data.draw(st.floats(spec.minimum, spec.maximum))
    assert getattr(build_move(name, {spec.name: inside}), spec.name) == inside
    outside = data.draw(
        st.one_of(
            st.floats(max_value=spec.minimum, exclude_max=True, allow_nan=False),
            st.floats(min_value=spec.maximum, exclude_min=True, allow_nan=False),
        )
    )
    with pytest.raises(ShotError, match="out of range"):
        build_move(name, {spec.name: outside})


# --- travel_m: the trapezoidal speed profile every easing move uses ---


def _time_to_finish(speed: float, ease: float, length: float) -> float:
    if ease == 0.0:
        return length / speed
    if length >= speed * ease:  # reaches cruise speed: a trapezoid
        return length / speed + ease
    return 2.0 * math.sqrt(length * ease / speed)  # a triangle


@settings(max_examples=150, deadline=None)
@given(
    speed=st.floats(0.1, 20.0),
    ease=st.one_of(st.just(0.0), st.floats(0.0, 20.0)),
    length=st.one_of(st.none(), st.just(0.0), st.floats(0.0, 500.0)),
)
def test_travel_is_continuous_monotone_and_never_too_fast(speed: float, ease: float, length: float | None) -> None:
    finish = _time_to_finish(speed, ease, length) if length is not None else ease + 10.0
    times = np.linspace(-1.0, 1.2 * finish + 2.0, 4001)
    d = travel_m(times, speed, ease, length)  # broadcasts: one profile at every time
    for t, expected in zip(times[::400], d[::400], strict=True):  # and a float call agrees
        assert travel_m(float(t), speed, ease, length) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    dt = times[1] - times[0]
    steps = np.diff(d)
    assert np.all(steps >= -1e-9 * max(1.0, d.max()))  # monotone
    assert steps.max() <= speed * dt * (1.0 + 1e-9) + 1e-12  # continuous, never above the speed
    assert np.all(d[times <= 0.0] == 0.0)
    if length is None:
        cruise = times >= ease
        np.testing.assert_allclose(d[cruise], speed * (times[cruise] - ease / 2.0), rtol=1e-9, atol=1e-9)
    else:
        assert np.all(d <= length)
        done = times >= finish * (1.0 + 1e-9)
        assert np.all(d[done] == length)  # exactly there, and it stays
        assert travel_m(finish * 10.0 + 1.0, speed, ease, length) == length


def test_travel_eases_in_with_constant_acceleration() -> None:
    # 2 m/s reached in 4 s: 0.5 m/s^2, so 0.25 * t^2 metres during the ease.
    for t in (0.5, 1.0, 2.0, 3.9):
        assert travel_m(t, 2.0, 4.0) == pytest.approx(0.25 * t * t)
    assert travel_m(4.0, 2.0, 4.0) == pytest.approx(4.0)
    assert travel_m(10.0, 2.0, 4.0) == pytest.approx(4.0 + 2.0 * 6.0)
    # With a length, it slows symmetrically to stop on it: halfway in time is halfway in distance.
    finish = _time_to_finish(2.0, 4.0, 30.0)
    assert finish == pytest.approx(19.0)
    assert travel_m(finish / 2.0, 2.0, 4.0, 30.0) == pytest.approx(15.0)
    assert travel_m(finish - 1.0, 2.0, 4.0, 30.0) == pytest.approx(30.0 - 0.25)
    # Too short to reach full speed: a triangle, still stopping exactly on the length.
    assert travel_m(1.0, 2.0, 4.0, 1.0) == pytest.approx(0.25)
    assert travel_m(math.sqrt(2.0), 2.0, 4.0, 1.0) == pytest.approx(0.5)  # peak speed halfway
    assert travel_m(2.0 * math.sqrt(2.0), 2.0, 4.0, 1.0) == 1.0
