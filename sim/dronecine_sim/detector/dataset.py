"""A labelled person-detection dataset rendered by the simulator, in the layout ultralytics trains on.

``make_dataset(settings)`` writes ``images/{train,val}/*.jpg``, ``labels/{train,val}/*.txt`` (one
``0 cx cy w h`` line per person, normalised) and ``data.yaml``; ``dataset.json`` records the settings
and counts. Train and validation frames come from separate seeded streams, so validation scenes are
never trained on, and one seed makes the same dataset byte for byte.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml

from dronecine.geometry import PinholeCamera
from dronecine_sim.detector.errors import DetectorToolError
from dronecine_sim.detector.scenes import MIN_BOX_HEIGHT_PX, rendered_scenes

CLASS_NAMES = {0: "person"}
SPLITS = ("train", "val")


@dataclass(frozen=True)
class DatasetSettings:
    """What to render. The camera defaults to the simulator's drone camera (84 degrees, 640x360)."""

    out_dir: Path
    train_frames: int = 3000
    val_frames: int = 400
    width_px: int = 640
    height_px: int = 360
    hfov_deg: float = 84.0
    seed: int = 0
    frames_per_ground: int = 100  # a new ground texture costs half a second: change it every so often
    jpeg_quality: int = 92
    min_box_height_px: float = MIN_BOX_HEIGHT_PX  # people smaller on the frame are left unlabelled

    def __post_init__(self) -> None:
        if self.train_frames < 1 or self.val_frames < 1:
            raise DetectorToolError(
                f"a dataset needs at least one train and one val frame, got {self.train_frames} and {self.val_frames}"
            )
        if self.frames_per_ground < 1 or not 1 <= self.jpeg_quality <= 100 or self.min_box_height_px < 1:
            raise DetectorToolError("frames_per_ground and min_box_height_px must be >= 1, jpeg_quality in 1..100")

    @property
    def camera(self) -> PinholeCamera:
        return PinholeCamera(self.hfov_deg, self.width_px, self.height_px)


@dataclass(frozen=True)
class DatasetSummary:
    data_yaml: Path
    frames: dict[str, int]
    boxes: dict[str, int]
    wall_s: float


def make_dataset(settings: DatasetSettings, on_frame: Callable[[], None] | None = None) -> DatasetSummary:
    """Render and write the dataset; ``on_frame`` is called after each frame (a progress bar)."""
    out = settings.out_dir
    if out.exists() and any(out.iterdir()):
        raise DetectorToolError(f"{out} already exists and is not empty: choose a new --out directory")
    start = time.perf_counter()
    frames = {"train": settings.train_frames, "val": settings.val_frames}
    boxes: dict[str, int] = {}
    # One stream per split, so a bigger training set never changes the validation frames.
    streams = dict(zip(SPLITS, np.random.SeedSequence(settings.seed).spawn(len(SPLITS)), strict=True))
    for split in SPLITS:
        boxes[split] = _write_split(settings, split, frames[split], np.random.default_rng(streams[split]), on_frame)
    data_yaml = out / "data.yaml"
    data_yaml.write_text(
        yaml.safe_dump({"path": str(out.resolve()), "train": "images/train", "val": "images/val", "names": CLASS_NAMES})
    )
    manifest = {**asdict(settings), "out_dir": str(out), "frames": frames, "boxes": boxes}
    (out / "dataset.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return DatasetSummary(data_yaml, frames, boxes, time.perf_counter() - start)


def _write_split(
    settings: DatasetSettings,
    split: str,
    count: int,
    rng: np.random.Generator,
    on_frame: Callable[[], None] | None,
) -> int:
    images, labels = settings.out_dir / "images" / split, settings.out_dir / "labels" / split
    images.mkdir(parents=True, exist_ok=True)
    labels.mkdir(parents=True, exist_ok=True)
    encode = [cv2.IMWRITE_JPEG_QUALITY, settings.jpeg_quality]
    total = 0
    scenes = rendered_scenes(rng, settings.camera, count, settings.frames_per_ground, settings.min_box_height_px)
    for index, (frame, scene) in enumerate(scenes):
        name = f"{split}_{index:06d}"
        if not cv2.imwrite(str(images / f"{name}.jpg"), frame, encode):
            raise DetectorToolError(f"could not write {images / name}.jpg (disk full or read-only?)")
        lines = [f"0 {u:.6f} {v:.6f} {w:.6f} {h:.6f}" for u, v, w, h in scene.boxes]
        (labels / f"{name}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
        total += len(lines)
        if on_frame is not None:
            on_frame()
    return total
