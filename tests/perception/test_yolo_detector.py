"""The YOLO detector: where its weights come from, every way they can be wrong, and that it finds people."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronecine.perception.detector import (
    BUNDLED_WEIGHTS,
    WEIGHTS_ENV,
    DetectorSettings,
    YoloDetector,
    resolve_weights,
)
from dronecine.perception.errors import DetectorError


@pytest.fixture(scope="module")
def detector() -> YoloDetector:
    return YoloDetector(DetectorSettings(BUNDLED_WEIGHTS, imgsz=320))


def test_the_bundled_weights_ship_small(detector):
    assert BUNDLED_WEIGHTS.is_file()
    assert BUNDLED_WEIGHTS.stat().st_size < 10e6
    assert detector.names[detector.class_ids[0]] == "person"


def test_weights_come_from_the_command_line_then_the_environment_then_the_bundle(tmp_path, monkeypatch):
    mine, theirs = tmp_path / "mine.pt", tmp_path / "theirs.onnx"
    mine.write_bytes(b"x")
    theirs.write_bytes(b"x")
    monkeypatch.setenv(WEIGHTS_ENV, str(theirs))
    assert resolve_weights(mine) == mine
    assert resolve_weights(None) == theirs
    monkeypatch.delenv(WEIGHTS_ENV)
    assert resolve_weights(None) == BUNDLED_WEIGHTS


def test_a_missing_hub_name_says_nothing_is_downloaded(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DetectorError, match=r"^--weights: weights file yolo11n.pt does not exist; dronecine never "):
        resolve_weights("yolo11n.pt")


def test_the_environment_variable_is_named_when_its_file_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "gone.pt"))
    with pytest.raises(DetectorError, match=rf"^{WEIGHTS_ENV}: weights file .*gone.pt does not exist$"):
        resolve_weights(None)


def test_a_file_that_is_not_weights_is_refused_by_its_suffix(tmp_path):
    with pytest.raises(DetectorError, match=r"is not YOLO weights \(expected a .pt or .onnx file\)"):
        resolve_weights(tmp_path / "model.txt")


def test_corrupt_weights_are_a_clear_error(tmp_path):
    corrupt = tmp_path / "broken.pt"
    corrupt.write_bytes(BUNDLED_WEIGHTS.read_bytes()[:2000])
    with pytest.raises(DetectorError, match=r"broken.pt: not a readable YOLO weights file \(") as caught:
        YoloDetector(DetectorSettings(corrupt))
    assert "\n" not in str(caught.value)


def test_a_class_the_weights_do_not_know_is_named():
    with pytest.raises(DetectorError, match=r"the weights have no class bicycle \(they know: person\)"):
        YoloDetector(DetectorSettings(BUNDLED_WEIGHTS, classes=("person", "bicycle")))


@pytest.mark.parametrize(
    "frame",
    [np.zeros((360, 640), dtype=np.uint8), np.zeros((360, 640, 3), dtype=np.float32), "frame.jpg"],
)
def test_a_frame_that_is_not_a_bgr_image_is_refused(detector, frame):
    with pytest.raises(DetectorError, match=r"detect needs a BGR frame, a \(H, W, 3\) uint8 array"):
        detector.detect(frame)


@pytest.mark.parametrize("settings", [{"imgsz": 300}, {"conf": 0.0}, {"iou": 1.5}, {"classes": ()}])
def test_bad_detector_settings_are_refused(settings):
    with pytest.raises(DetectorError, match=r"detector"):
        DetectorSettings(Path("w.pt"), **settings)


def test_it_finds_a_rendered_person_where_the_truth_is(detector):
    from dronecine_sim.detector.calibration import box_iou
    from dronecine_sim.render import People, Renderer
    from dronecine_sim.world import World

    from dronecine.geometry import CameraPose, PinholeCamera
    from dronecine.geometry.person import project_person_boxes
    from dronecine.geometry.pointing import pointing_towards

    camera = PinholeCamera(84.0, 640, 360)
    feet = np.array([10.0, 2.0, 0.0])
    eye = np.array([0.0, 0.0, -4.0])
    yaw, pitch = pointing_towards(eye, feet - [0.0, 0.0, 0.9])
    pose = CameraPose.from_angles(eye, float(yaw), float(pitch))
    frame = Renderer(World(seed=3), camera).render(pose, People.of(feet, 30.0, gait_amplitude=0.5))
    found = detector.detect(frame)
    truth = project_person_boxes(camera, pose, feet)
    assert len(found) >= 1
    assert box_iou(truth[None, :], found.boxes).max() > 0.6
    assert found.score.max() > 0.5
    empty = detector.detect(Renderer(World(seed=3), camera).render(pose))
    assert (empty.score < 0.5).all()
