"""The pinhole camera: intrinsics from the field of view, validation, projection by hand."""

import math

import numpy as np
import pytest

from dronecine.errors import DronecineError
from dronecine.geometry import CameraPose, PinholeCamera, ground_point_under_pixel
from dronecine.geometry.camera import GeometryError, project_point


def test_intrinsics_of_a_90_degree_camera():
    camera = PinholeCamera(hfov_deg=90.0, width_px=640, height_px=360)
    assert camera.focal_px == pytest.approx(320.0)
    assert camera.vfov_deg == pytest.approx(math.degrees(2.0 * math.atan(180.0 / 320.0)))
    assert camera.aspect == pytest.approx(16 / 9)
    np.testing.assert_allclose(camera.intrinsics, [[320.0, 0.0, 320.0], [0.0, 320.0, 180.0], [0.0, 0.0, 1.0]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hfov_deg": 0.0, "width_px": 640, "height_px": 360},
        {"hfov_deg": 200.0, "width_px": 640, "height_px": 360},
        {"hfov_deg": 90.0, "width_px": 1, "height_px": 1},
    ],
)
def test_impossible_cameras_are_rejected(kwargs):
    with pytest.raises(GeometryError) as raised:
        PinholeCamera(**kwargs)
    assert isinstance(raised.value, DronecineError)


def test_camera_at_ten_metres_looking_45_down_sees_the_point_ten_ahead_at_the_centre():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -10.0], yaw_deg=0.0, pitch_deg=-45.0)
    np.testing.assert_allclose(ground_point_under_pixel(camera, pose, 0.5, 0.5), [10.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(project_point(camera, pose, [10.0, 0.0, 0.0]), [0.5, 0.5], atol=1e-12)
    # The same looking east.
    pose = CameraPose.from_angles([0.0, 0.0, -10.0], yaw_deg=90.0, pitch_deg=-45.0)
    np.testing.assert_allclose(ground_point_under_pixel(camera, pose, 0.5, 0.5), [0.0, 10.0, 0.0], atol=1e-9)


def test_points_to_the_right_and_below_land_right_and_low():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -5.0], yaw_deg=0.0, pitch_deg=0.0)
    # 10 m ahead, 2 m east, 1 m below the camera: u = 0.5 + 320*0.2/640, v = 0.5 + 320*0.1/360.
    np.testing.assert_allclose(project_point(camera, pose, [10.0, 2.0, -4.0]), [0.6, 0.5 + 32.0 / 360.0])


def test_points_behind_the_camera_are_nan():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -5.0], yaw_deg=0.0, pitch_deg=0.0)
    assert np.isnan(project_point(camera, pose, [-10.0, 0.0, -5.0])).all()


def test_pixels_above_the_horizon_miss_the_ground():
    camera = PinholeCamera(90.0, 640, 360)
    pose = CameraPose.from_angles([0.0, 0.0, -5.0], yaw_deg=0.0, pitch_deg=0.0)
    assert np.isnan(ground_point_under_pixel(camera, pose, 0.5, 0.2)).all()
    assert np.isnan(ground_point_under_pixel(camera, pose, 0.5, 0.5)).all()  # the horizon itself


def test_world_and_camera_frames_round_trip():
    pose = CameraPose.from_angles([3.0, -2.0, -8.0], yaw_deg=33.0, pitch_deg=-21.0, roll_deg=4.0)
    points = np.array([[1.0, 2.0, 3.0], [-4.0, 5.0, -6.0]])
    np.testing.assert_allclose(pose.world_from_camera(pose.camera_from_world(points)), points, atol=1e-12)
    np.testing.assert_allclose(
        pose.camera_from_world(pose.position_ned_m + pose.optical_axis_ned), [0, 0, 1], atol=1e-12
    )
