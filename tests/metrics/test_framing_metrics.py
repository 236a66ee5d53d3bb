"""Framing metrics against hand-computed cases (file named apart from tests/shots' framing tests)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.errors import DronecineError
from dronecine.geometry.person import ImageBox
from dronecine.metrics import (
    MISSING_BOX_ERROR,
    MetricsError,
    framing_error,
    in_frame,
    size_error,
    visible_fraction,
)

NAN_BOX = np.full(4, np.nan)


def test_centred_box_against_left_third_is_one_sixth_off():
    assert framing_error([0.5, 0.5, 0.1, 0.3], 1 / 3, 0.5) == pytest.approx(1 / 6)


def test_framing_error_is_euclidean():
    assert framing_error([0.8, 0.9, 0.1, 0.1], 0.5, 0.5) == pytest.approx(0.5)


def test_framing_error_accepts_image_box():
    assert framing_error(ImageBox(0.5, 0.5, 0.1, 0.3), 1 / 3, 0.5) == pytest.approx(1 / 6)


def test_size_error_is_relative():
    assert size_error(0.3, 0.4) == pytest.approx(0.25)
    assert size_error(0.5, 0.4) == pytest.approx(0.25)
    assert size_error(ImageBox(0.5, 0.5, 0.1, 0.2), 0.4) == pytest.approx(0.5)


@pytest.mark.parametrize("target_h", [0.0, -0.2, math.nan])
def test_size_error_rejects_non_positive_target(target_h):
    with pytest.raises(MetricsError) as raised:
        size_error(0.3, target_h)
    assert isinstance(raised.value, DronecineError)
    assert isinstance(raised.value, ValueError)


def test_box_inside_is_fully_visible_and_in_frame():
    box = [0.5, 0.5, 0.2, 0.4]
    assert visible_fraction(box) == pytest.approx(1.0)
    assert in_frame(box) is True


def test_box_half_outside_right_edge_is_still_in_frame():
    box = [1.0, 0.5, 0.2, 0.4]
    assert visible_fraction(box) == pytest.approx(0.5)
    assert in_frame(box) is True


def test_box_in_a_corner_mostly_outside_is_not_in_frame_though_its_centre_is():
    box = [0.95, 0.95, 0.4, 0.4]  # 0.25 of 0.4 inside along each axis
    assert visible_fraction(box) == pytest.approx(0.625**2)
    assert in_frame(box) is False


def test_box_with_centre_outside_is_not_in_frame():
    box = [1.05, 0.5, 0.4, 0.4]  # 0.15 of its 0.4 width inside
    assert visible_fraction(box) == pytest.approx(0.375)
    assert in_frame(box) is False
    # A centre just above the top edge.
    assert in_frame([0.5, -0.01, 0.1, 0.1]) is False


def test_box_in_a_corner_multiplies_fractions():
    # Half out to the right and half out at the bottom: a quarter visible.
    assert visible_fraction([1.0, 1.0, 0.2, 0.2]) == pytest.approx(0.25)
    assert in_frame([1.0, 1.0, 0.2, 0.2]) is False


def test_box_entirely_outside_is_invisible():
    assert visible_fraction([2.0, 0.5, 0.2, 0.2]) == 0.0
    assert in_frame([2.0, 0.5, 0.2, 0.2]) is False


def test_box_larger_than_the_frame():
    # A close-up that overflows the frame: only the part inside counts.
    assert visible_fraction([0.5, 0.5, 2.0, 2.0]) == pytest.approx(0.25)
    assert in_frame([0.5, 0.5, 2.0, 2.0]) is False


def test_nan_box_rules():
    assert framing_error(NAN_BOX, 0.5, 0.5) == MISSING_BOX_ERROR == 1.0
    assert size_error(math.nan, 0.4) == 1.0
    assert visible_fraction(NAN_BOX) == 0.0
    assert in_frame(NAN_BOX) is False


def test_none_is_a_missing_box():
    assert framing_error(None, 0.5, 0.5) == 1.0
    assert size_error(None, 0.4) == 1.0
    assert in_frame(None) is False


@pytest.mark.parametrize("target", [(1 / 3, 1 / 3), (2 / 3, 1 / 3), (1 / 3, 2 / 3), (2 / 3, 2 / 3), (0.5, 0.5)])
def test_missing_box_is_worse_than_any_corner_box_for_a_target_between_thirds(target):
    for corner in ([0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
        box = [*corner, 0.01, 0.01]
        assert framing_error(box, *target) < framing_error(NAN_BOX, *target)


def test_functions_broadcast_over_leading_dimensions():
    boxes = np.array(
        [
            [[0.5, 0.5, 0.1, 0.2], [1.0, 0.5, 0.2, 0.2]],
            [[1.05, 0.5, 0.4, 0.4], [np.nan] * 4],
        ]
    )
    errors = framing_error(boxes, 0.5, 0.5)
    assert errors.shape == (2, 2)
    np.testing.assert_allclose(errors, [[0.0, 0.5], [0.55, 1.0]])
    np.testing.assert_array_equal(in_frame(boxes), [[True, True], [False, False]])
    np.testing.assert_allclose(visible_fraction(boxes), [[1.0, 0.5], [0.375, 0.0]])
    np.testing.assert_allclose(size_error(boxes[..., 3], np.array([0.2, 0.4])), [[0.0, 0.5], [1.0, 1.0]])
    # Per-box targets broadcast too.
    np.testing.assert_allclose(framing_error(boxes[0], [0.5, 1.0], [0.5, 0.5]), [0.0, 0.0])


def test_bad_box_shape_is_a_typed_error():
    with pytest.raises(MetricsError, match=r"\(\.\.\., 4\)"):
        framing_error([0.5, 0.5, 0.1], 0.5, 0.5)


def test_negative_box_size_is_a_typed_error():
    with pytest.raises(MetricsError):
        visible_fraction([0.5, 0.5, -0.1, 0.2])


boxes_strategy = st.tuples(st.floats(-1.0, 2.0), st.floats(-1.0, 2.0), st.floats(0.0, 3.0), st.floats(0.0, 3.0)).map(
    np.array
)


@settings(max_examples=200, deadline=None)
@given(boxes_strategy)
def test_visible_fraction_is_a_fraction_and_in_frame_agrees(box):
    fraction = visible_fraction(box)
    assert 0.0 <= fraction <= 1.0
    centre_inside = 0.0 <= box[0] <= 1.0 and 0.0 <= box[1] <= 1.0
    if in_frame(box):
        assert centre_inside
        assert fraction >= 0.5 - 1e-9
    else:
        assert not centre_inside or fraction < 0.5 + 1e-9
