"""The rendered detector dataset: YOLO layout, labels that match the people, reproducible, safe to re-run."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import yaml
from dronecine_sim.detector import DatasetSettings, DetectorToolError, make_dataset
from dronecine_sim.detector.scenes import random_ground, random_scene
from dronecine_sim.detector.train import check_dataset

from dronecine.geometry import PinholeCamera


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds") / "people"
    return make_dataset(DatasetSettings(out, train_frames=12, val_frames=4, width_px=320, height_px=180, seed=3))


def test_the_dataset_has_the_yolo_layout_and_a_manifest(dataset):
    root = dataset.data_yaml.parent
    data = yaml.safe_load(dataset.data_yaml.read_text())
    assert data["names"] == {0: "person"}
    assert sorted(p.name for p in (root / "images" / "train").iterdir())[0] == "train_000000.jpg"
    assert len(list((root / "images" / "train").glob("*.jpg"))) == 12
    assert len(list((root / "labels" / "val").glob("*.txt"))) == 4
    manifest = json.loads((root / "dataset.json").read_text())
    assert manifest["frames"] == {"train": 12, "val": 4}
    assert manifest["boxes"] == dataset.boxes
    assert check_dataset(dataset.data_yaml)["train"] == "images/train"


def test_labels_are_normalised_person_boxes_inside_the_frame(dataset):
    root = dataset.data_yaml.parent
    lines = [line.split() for path in (root / "labels").rglob("*.txt") for line in path.read_text().splitlines()]
    assert len(lines) == sum(dataset.boxes.values()) > 0
    values = np.array([[float(x) for x in line] for line in lines])
    assert (values[:, 0] == 0).all()
    left, right = values[:, 1] - values[:, 3] / 2, values[:, 1] + values[:, 3] / 2
    assert (left >= -1e-6).all() and (right <= 1 + 1e-6).all()
    assert (values[:, 4] * 180 >= 10.0 - 1e-6).all()


def test_a_labelled_box_covers_a_person_not_the_ground():
    """Where a label says a person is, the pixels differ from the same frame rendered without people."""
    from dronecine_sim.render import People, Renderer

    camera = PinholeCamera(84.0, 320, 180)
    rng = np.random.default_rng(5)
    ground = random_ground(rng)
    renderer = None
    checked = 0
    for _ in range(16):
        scene = random_scene(rng, camera, ground, 1)
        if not len(scene.boxes):
            continue
        renderer = renderer or Renderer(scene.world, camera)
        renderer.set_world(scene.world)  # the same ground: the texture is kept
        with_people = renderer.render(scene.pose, scene.people, lighting=scene.lighting).astype(int)
        without = renderer.render(scene.pose, People.none(), lighting=scene.lighting).astype(int)
        changed = np.abs(with_people - without).sum(axis=2) > 0
        for u, v, w, h in scene.boxes:
            x0, x1 = int(max((u - w / 2) * 320, 0)), int(np.ceil(min((u + w / 2) * 320, 320)))
            y0, y1 = int(max((v - h / 2) * 180, 0)), int(np.ceil(min((v + h / 2) * 180, 180)))
            assert changed[y0:y1, x0:x1].mean() > 0.2
            checked += 1
    assert checked >= 6


def test_one_seed_makes_the_same_frames(tmp_path):
    first = make_dataset(DatasetSettings(tmp_path / "a", train_frames=3, val_frames=1, width_px=160, height_px=96))
    second = make_dataset(DatasetSettings(tmp_path / "b", train_frames=3, val_frames=1, width_px=160, height_px=96))
    for name in ("images/train/train_000002.jpg", "labels/train/train_000002.txt", "images/val/val_000000.jpg"):
        a, b = first.data_yaml.parent / name, second.data_yaml.parent / name
        assert a.read_bytes() == b.read_bytes()
    image = cv2.imread(str(first.data_yaml.parent / "images/train/train_000000.jpg"))
    assert image.shape == (96, 160, 3)


def test_an_existing_dataset_is_never_overwritten(dataset):
    with pytest.raises(DetectorToolError, match=r"already exists and is not empty"):
        make_dataset(DatasetSettings(dataset.data_yaml.parent, train_frames=1, val_frames=1))


def test_bad_settings_and_foreign_datasets_are_clear_errors(tmp_path):
    with pytest.raises(DetectorToolError, match=r"at least one train and one val frame"):
        DatasetSettings(tmp_path / "x", train_frames=0)
    with pytest.raises(DetectorToolError, match=r"no such dataset file"):
        check_dataset(tmp_path / "missing.yaml")
    bad = tmp_path / "data.yaml"
    bad.write_text("train: images/train\n")
    with pytest.raises(DetectorToolError, match=r"expected the keys train, val and names"):
        check_dataset(bad)
    bad.write_text("train: images/train\nval: images/val\nnames: {0: person}\n")
    with pytest.raises(DetectorToolError, match=r"train images .* do not exist"):
        check_dataset(bad)


def test_a_rendered_sequence_reads_like_a_camera():
    from dronecine_sim.detector.sequences import occlusion_sequence

    from dronecine.perception.frames import FrameSource

    camera = PinholeCamera(84.0, 160, 96)
    sequence = occlusion_sequence(np.random.default_rng(0), camera)
    with sequence.source() as source:
        assert isinstance(source, FrameSource)
        assert (source.width_px, source.height_px, source.fps) == (160, 96, 10.0)
        frames = list(source)
    assert len(frames) == len(sequence)
    assert [f.index for f in frames[:3]] == [0, 1, 2]
    assert frames[5].t_s == pytest.approx(0.5)
    assert frames[0].image.shape == (96, 160, 3)
    assert source.read() is None
