"""The batched person box projection agrees with projecting its silhouette points one by one."""

from __future__ import annotations

import numpy as np

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.camera import NEAR_PLANE_M
from dronecine.geometry.person import project_person_boxes, silhouette_points


def test_batched_boxes_bound_the_projected_silhouette_points() -> None:
    rng = np.random.default_rng(7)
    camera = PinholeCamera(84.0, 640, 360)
    checked = 0
    for _ in range(200):
        position = rng.uniform(-20.0, 20.0, 3) - [0.0, 0.0, 10.0]
        pose = CameraPose.from_angles(position, rng.uniform(-180, 180), rng.uniform(-80, 10))
        feet = np.array([*rng.uniform(-20.0, 20.0, 2), 0.0])
        height = rng.uniform(1.5, 2.0)
        box = project_person_boxes(camera, pose, feet, height)
        cam = pose.camera_from_world(silhouette_points(position, feet, height, 0.25))
        if (cam[:, 2] <= NEAR_PLANE_M).any():
            assert np.isnan(box).all()
            continue
        uv = camera.normalised_from_camera(cam)
        lo, hi = uv.min(axis=0), uv.max(axis=0)
        np.testing.assert_allclose(box, [*(lo + hi) / 2, *(hi - lo)], atol=1e-12)
        checked += 1
    assert checked > 50
