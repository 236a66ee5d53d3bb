"""``dronecine detector dataset|train``: a rendered dataset, and a real (tiny) YOLO training run on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import invoke

from dronecine.perception.detector import DetectorSettings, YoloDetector


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("det") / "ds"
    result = invoke(
        "detector", "dataset", "--out", out, "--train", "6", "--val", "2", "--width", "160", "--height", "96"
    )
    assert result.exit_code == 0, result.output
    assert f"dataset: {out / 'data.yaml'}" in result.stdout
    return out / "data.yaml"


def test_the_dataset_command_reports_what_it_rendered(tiny_dataset: Path) -> None:
    manifest = json.loads((tiny_dataset.parent / "dataset.json").read_text())
    assert manifest["frames"] == {"train": 6, "val": 2}
    assert manifest["width_px"] == 160


@pytest.mark.slow
def test_train_makes_weights_the_detector_loads(tiny_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke(
        "detector", "train", "--data", tiny_dataset, "--out", out, "--imgsz", "64", "--minutes", "0.02",
        "--batch", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mAP50" in result.stdout
    weights = out / "detector.pt"
    assert weights.is_file()
    summary = json.loads((out / "training.json").read_text())
    assert summary["epochs"] >= 1
    detector = YoloDetector(DetectorSettings(weights, imgsz=64))
    assert detector.names == {0: "person"}
    again = invoke("detector", "train", "--data", tiny_dataset, "--out", out)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"{weights} already exists: choose a new --out directory"


def test_train_without_a_dataset_is_one_line(tmp_path: Path) -> None:
    result = invoke("detector", "train", "--data", tmp_path / "none.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{tmp_path / 'none.yaml'}: no such dataset file (make one with `dronecine detector dataset`)"
    )


def test_a_second_dataset_into_the_same_directory_is_refused(tiny_dataset: Path) -> None:
    result = invoke("detector", "dataset", "--out", tiny_dataset.parent, "--train", "1", "--val", "1")
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.stderr
