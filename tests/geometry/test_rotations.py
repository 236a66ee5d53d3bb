"""Rotations: proper orthonormal matrices, and the camera's optical axis where the angles say."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.geometry import (
    R_FRD_FROM_CAMERA,
    bearing_deg,
    rotation_ned_from_camera,
    rotation_ned_from_frd,
    wrap_deg,
)

angles = st.floats(-360.0, 360.0, allow_nan=False)
pitches = st.floats(-90.0, 90.0, allow_nan=False)


def _assert_proper_rotation(rotation):
    np.testing.assert_allclose(
        rotation @ rotation.swapaxes(-1, -2), np.broadcast_to(np.eye(3), rotation.shape), atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(rotation), 1.0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(roll=angles, pitch=angles, yaw=angles)
def test_body_rotation_is_orthonormal_with_det_one(roll, pitch, yaw):
    _assert_proper_rotation(rotation_ned_from_frd(roll, pitch, yaw))


@settings(max_examples=200, deadline=None)
@given(yaw=angles, pitch=pitches, roll=angles)
def test_camera_rotation_is_orthonormal_with_det_one(yaw, pitch, roll):
    _assert_proper_rotation(rotation_ned_from_camera(yaw, pitch, roll))


def test_camera_axes_in_frd_are_a_proper_rotation():
    _assert_proper_rotation(R_FRD_FROM_CAMERA)


@settings(max_examples=200, deadline=None)
@given(yaw=angles, pitch=pitches)
def test_optical_axis_points_along_yaw_and_pitch(yaw, pitch):
    y, p = np.radians(yaw), np.radians(pitch)
    axis = rotation_ned_from_camera(yaw, pitch)[:, 2]
    np.testing.assert_allclose(axis, [np.cos(p) * np.cos(y), np.cos(p) * np.sin(y), -np.sin(p)], atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(yaw=angles, pitch=pitches)
def test_level_camera_has_image_x_horizontal_and_image_y_down(yaw, pitch):
    rotation = rotation_ned_from_camera(yaw, pitch)
    assert rotation[2, 0] == pytest.approx(0.0, abs=1e-12)  # no roll: image right is level
    assert rotation[2, 1] >= -1e-12  # image down never points up


def test_known_camera_orientations():
    # Looking north, level: image right is east, image down is down.
    np.testing.assert_allclose(rotation_ned_from_camera(0.0, 0.0), [[0, 0, 1], [1, 0, 0], [0, 1, 0]], atol=1e-12)
    # Looking east and 90° down: the optical axis is down, image up (-y) is east.
    rotation = rotation_ned_from_camera(90.0, -90.0)
    np.testing.assert_allclose(rotation[:, 2], [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(-rotation[:, 1], [0, 1, 0], atol=1e-12)


def test_rotations_broadcast():
    yaw = np.array([[0.0, 45.0, 90.0], [180.0, -90.0, 10.0]])
    pitch = np.array([-10.0, -45.0, 0.0])
    batch = rotation_ned_from_camera(yaw, pitch)
    assert batch.shape == (2, 3, 3, 3)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(batch[i, j], rotation_ned_from_camera(yaw[i, j], pitch[j]))


def test_wrap_and_bearing():
    np.testing.assert_allclose(wrap_deg([180.0, -180.0, 190.0, 360.0, -541.0]), [-180.0, -180.0, -170.0, 0.0, 179.0])
    np.testing.assert_allclose(bearing_deg([1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, -1.0]), [0.0, 90.0, 180.0, -90.0])
