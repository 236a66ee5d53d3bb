"""Projection and back-projection round trips, pointing, and person boxes."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dronecine.geometry import (
    PERSON_HEIGHT_M,
    CameraPose,
    PinholeCamera,
    ground_point_under_pixel,
    pointing_to_place,
    pointing_towards,
    project_person,
)
from dronecine.geometry.camera import project_point
from dronecine.geometry.person import project_person_boxes

cameras = st.builds(
    PinholeCamera,
    hfov_deg=st.floats(30.0, 120.0),
    width_px=st.sampled_from([640, 1280, 1920]),
    height_px=st.sampled_from([360, 720, 1080]),
)
yaws = st.floats(-180.0, 180.0)
heights_m = st.floats(2.0, 120.0)
offsets_m = st.floats(-200.0, 200.0)


@settings(max_examples=200, deadline=None)
@given(
    camera=cameras,
    north_m=offsets_m,
    east_m=offsets_m,
    height_m=heights_m,
    ground_north_m=offsets_m,
    ground_east_m=offsets_m,
    yaw_off_deg=st.floats(-20.0, 20.0),
    pitch_off_deg=st.floats(-10.0, 10.0),
)
def test_ground_point_in_view_projects_and_back_projects_to_itself(
    *, camera, north_m, east_m, height_m, ground_north_m, ground_east_m, yaw_off_deg, pitch_off_deg
):
    position = np.array([north_m, east_m, -height_m])
    ground = np.array([ground_north_m, ground_east_m, 0.0])
    assume(np.hypot(*(ground - position)[:2]) > 1.0)
    yaw, pitch = pointing_towards(position, ground)
    pose = CameraPose.from_angles(position, float(yaw) + yaw_off_deg, max(float(pitch) + pitch_off_deg, -90.0))
    u, v = project_point(camera, pose, ground)
    assume(0.0 <= u <= 1.0 and 0.0 <= v <= 1.0)
    back = ground_point_under_pixel(camera, pose, u, v)
    distance_m = np.linalg.norm(ground - position)
    np.testing.assert_allclose(back, ground, atol=1e-6 * distance_m)


@settings(max_examples=200, deadline=None)
@given(
    camera=cameras,
    height_m=heights_m,
    yaw=yaws,
    pitch=st.floats(-89.0, -1.0),
    u=st.floats(0.0, 1.0),
    v=st.floats(0.55, 1.0),
)
def test_pixel_below_the_centre_of_a_camera_looking_down_hits_ground_that_projects_back(
    *, camera, height_m, yaw, pitch, u, v
):
    pose = CameraPose.from_angles([5.0, -7.0, -height_m], yaw, pitch)
    ground = ground_point_under_pixel(camera, pose, u, v)
    assert np.isfinite(ground).all()
    assert ground[2] == pytest.approx(0.0, abs=1e-9 * max(1.0, np.linalg.norm(ground)))
    np.testing.assert_allclose(project_point(camera, pose, ground), [u, v], atol=1e-6)


def test_ground_points_broadcast_over_pixels():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -10.0], 30.0, -40.0)
    u = np.array([0.2, 0.5, 0.8])
    v = np.array([[0.6], [0.9]])
    grid = ground_point_under_pixel(camera, pose, u, v)
    assert grid.shape == (2, 3, 3)
    np.testing.assert_allclose(grid[1, 2], ground_point_under_pixel(camera, pose, 0.8, 0.9))


@settings(max_examples=200, deadline=None)
@given(
    camera=cameras,
    target_north_m=offsets_m,
    target_east_m=offsets_m,
    elevation_deg=st.floats(-40.0, 40.0),
    u=st.floats(0.1, 0.9),
    v=st.floats(0.1, 0.9),
)
def test_pointing_to_place_puts_the_target_at_the_requested_pixel(
    *, camera, target_north_m, target_east_m, elevation_deg, u, v
):
    position = np.array([1.0, 2.0, -30.0])
    horizontal_m = math.hypot(target_north_m, target_east_m)
    assume(horizontal_m > 1.0)
    up_m = horizontal_m * math.tan(math.radians(elevation_deg))
    target = position + np.array([target_north_m, target_east_m, -up_m])
    # Achievable: some pitch can bring the pixel's ray as far up or down as the target.
    ray = camera.ray_from_normalised(u, v)
    direction = (target - position) / np.linalg.norm(target - position)
    assume(abs(direction[2]) < math.hypot(ray[1], ray[2]) - 1e-3)
    yaw, pitch = pointing_to_place(camera, position, target, u, v)
    pose = CameraPose.from_angles(position, float(yaw), float(pitch))
    np.testing.assert_allclose(project_point(camera, pose, target), [u, v], atol=1e-6)


def test_pointing_to_the_centre_is_pointing_towards():
    camera = PinholeCamera(90.0, 640, 360)
    position, target = np.array([0.0, 0.0, -20.0]), np.array([30.0, -40.0, 0.0])
    np.testing.assert_allclose(
        pointing_to_place(camera, position, target, 0.5, 0.5), pointing_towards(position, target)
    )


def test_person_ten_metres_ahead_at_eye_level_has_the_expected_height():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -1.6], yaw_deg=0.0, pitch_deg=0.0)
    box = project_person(camera, pose, [10.0, 0.0, 0.0])
    assert box is not None
    expected_h = camera.focal_px * PERSON_HEIGHT_M / (10.0 * camera.height_px)
    assert box.h == pytest.approx(expected_h, rel=0.05)
    assert box.u == pytest.approx(0.5, abs=1e-9)
    assert 0.0 < box.corners[1] < 0.5 < box.corners[3] < 1.0  # head above, feet below the centre


def test_person_behind_the_camera_is_none():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -1.6], yaw_deg=0.0, pitch_deg=0.0)
    assert project_person(camera, pose, [-10.0, 0.0, 0.0]) is None
    assert np.isnan(project_person_boxes(camera, pose, [-10.0, 0.0, 0.0])).all()


def test_person_boxes_broadcast_over_people():
    camera = PinholeCamera(70.0, 1280, 720)
    pose = CameraPose.from_angles([0.0, 0.0, -6.0], yaw_deg=20.0, pitch_deg=-15.0)
    feet = np.array([[15.0, 5.0, 0.0], [20.0, 2.0, 0.0], [-5.0, 0.0, 0.0], [30.0, 12.0, 0.0]])
    boxes = project_person_boxes(camera, pose, feet)
    assert boxes.shape == (4, 4)
    for row, foot in zip(boxes, feet, strict=True):
        np.testing.assert_array_equal(row, project_person_boxes(camera, pose, foot))
    assert np.isnan(boxes[2]).all()
    assert np.isfinite(boxes[[0, 1, 3]]).all()


def test_person_boxes_broadcast_over_poses():
    camera = PinholeCamera(70.0, 1280, 720)
    positions = np.array([[0.0, 0.0, -6.0], [5.0, -3.0, -20.0]])
    yaws, pitches = np.array([20.0, 10.0]), np.array([-15.0, -35.0])
    poses = CameraPose.from_angles(positions, yaws, pitches)
    feet = np.array([15.0, 5.0, 0.0])
    boxes = project_person_boxes(camera, poses, feet)
    assert boxes.shape == (2, 4)
    for i in range(2):
        single = CameraPose.from_angles(positions[i], yaws[i], pitches[i])
        np.testing.assert_allclose(boxes[i], project_person_boxes(camera, single, feet))
