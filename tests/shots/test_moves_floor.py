"""No move, whatever its valid parameters, takes the camera below the minimum height (1.5 m)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shotkit import MOVE_NAMES, Walk, make_shot, move_params, offsets, sample

from dronecine.shots import MOVES, MoveName, ShotSize, build_move, param_specs

MIN_HEIGHT_M = 1.5
TIMES = np.arange(0.0, 120.0 + 1e-9, 0.1)
WALK = Walk(speed_m_s=1.4, turn_rate_deg_s=3.0, start_heading_deg=-40.0)


def test_every_height_parameter_has_the_floor_as_its_minimum() -> None:
    heights = [(name, spec) for name in MoveName for spec in param_specs(MOVES[name]) if "height" in spec.name]
    assert {name for name, _ in heights} == set(MoveName)  # every move sets a height
    for name, spec in heights:
        assert spec.unit == "m", (name, spec.name)
        assert spec.minimum == MIN_HEIGHT_M, (name, spec.name)


@pytest.mark.parametrize("name", MOVE_NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.data(), size=st.sampled_from(list(ShotSize)))
def test_camera_never_goes_below_the_floor(name: MoveName, data: st.DataObject, size: ShotSize) -> None:
    params = data.draw(move_params(name), label="params")
    shot = make_shot(build_move(name, params), size)
    # The reference's height is -(subject's down + offset's down), the subject standing on the ground.
    height = -offsets(shot, WALK, TIMES)[:, 2]
    low = int(height.argmin())
    assert height[low] >= MIN_HEIGHT_M - 1e-9, f"{height[low]:.3f} m at t={TIMES[low]:.2f} s"


@pytest.mark.parametrize("name", MOVE_NAMES)
def test_reference_height_is_the_move_height(name: MoveName) -> None:
    # Ties the cheap check above to the reference itself, at the floor for the lowest moves.
    params = {spec.name: MIN_HEIGHT_M for spec in param_specs(MOVES[name]) if "height" in spec.name}
    shot = make_shot(build_move(name, params), ShotSize.WIDE)
    times = TIMES[::100]
    track = sample(shot, WALK, times)
    np.testing.assert_allclose(track.height, -offsets(shot, WALK, times)[:, 2], atol=1e-9)
    assert track.height.min() >= MIN_HEIGHT_M - 1e-9
