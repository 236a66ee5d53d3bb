"""Frames, rotations, the pinhole camera, projection and back-projection. Pure numpy.

Conventions (see DESIGN.md): world frame is local NED in metres from the mission origin
(ground at ``down_m = 0``), the body frame is FRD, the camera frame is OpenCV's (x right,
y down, z forward). Angles in degrees at the API, pitch positive nose-up (so a gimbal
pitch below zero looks down, as in MAVLink). Normalised image coordinates: ``u`` 0..1 left
to right, ``v`` 0..1 top to bottom.

Functions broadcast over leading dimensions so the simulator can run many cameras at once.
"""

from dronecine.geometry.camera import CameraPose, PinholeCamera
from dronecine.geometry.ground import ground_point_under_pixel
from dronecine.geometry.person import PERSON_HEIGHT_M, PERSON_RADIUS_M, ImageBox, project_person
from dronecine.geometry.pointing import pointing_to_place, pointing_towards
from dronecine.geometry.rotations import (
    R_FRD_FROM_CAMERA,
    bearing_deg,
    rotation_ned_from_camera,
    rotation_ned_from_frd,
    wrap_deg,
)

__all__ = [
    "PERSON_HEIGHT_M",
    "PERSON_RADIUS_M",
    "R_FRD_FROM_CAMERA",
    "CameraPose",
    "ImageBox",
    "PinholeCamera",
    "bearing_deg",
    "ground_point_under_pixel",
    "pointing_to_place",
    "pointing_towards",
    "project_person",
    "rotation_ned_from_camera",
    "rotation_ned_from_frd",
    "wrap_deg",
]
