"""Train the person detector with ultralytics on a rendered dataset, reproducibly and offline.

A nano YOLO (``yolo11n.yaml``: built from its architecture, no download) learns from scratch, since no
pretrained weights can be fetched here; a user with weights of their own passes a ``.pt`` to fine-tune.
Training is bounded by a wall-clock budget (ultralytics' ``time``: the learning-rate schedule and the
number of epochs fit it), seeded and deterministic. The result is one weights file, stripped of the
optimiser (about 5 MB), and the validation figures it reached.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from dronecine.perception.offline import ultralytics_offline
from dronecine_sim.detector.errors import DetectorToolError

logger = logging.getLogger(__name__)

DEFAULT_ARCHITECTURE = "yolo11n.yaml"
WEIGHTS_NAME = "detector.pt"


@dataclass(frozen=True)
class DetectorTrainSettings:
    """How to train. ``minutes`` bounds the wall time of the training epochs (validation included)."""

    data_yaml: Path
    out_dir: Path
    model: str = DEFAULT_ARCHITECTURE
    imgsz: int = 320
    minutes: float = 60.0
    batch: int = 32
    seed: int = 0
    close_mosaic_epochs: int = 3  # the last epochs see whole frames, as the detector will
    workers: int = 2
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)

    def __post_init__(self) -> None:
        if self.imgsz < 64 or self.imgsz % 32:
            raise DetectorToolError(f"imgsz {self.imgsz} must be a multiple of 32, at least 64")
        if self.minutes <= 0.0 or self.batch < 1:
            raise DetectorToolError(f"minutes ({self.minutes}) must be > 0 and batch ({self.batch}) >= 1")


@dataclass(frozen=True)
class DetectorTrainResult:
    weights: Path
    map50: float
    map50_95: float
    epochs: int
    wall_s: float


def check_dataset(data_yaml: Path) -> dict:
    """The dataset description, after checking it is one ``dronecine detector dataset`` could have written."""
    if not data_yaml.is_file():
        raise DetectorToolError(f"{data_yaml}: no such dataset file (make one with `dronecine detector dataset`)")
    try:
        data = yaml.safe_load(data_yaml.read_text())
    except yaml.YAMLError as error:
        raise DetectorToolError(f"{data_yaml}: not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(data, dict) or not {"train", "val", "names"} <= set(data):
        raise DetectorToolError(f"{data_yaml}: expected the keys train, val and names of a YOLO dataset")
    root = Path(data.get("path") or data_yaml.parent)
    for split in ("train", "val"):
        if not (root / data[split]).is_dir():
            raise DetectorToolError(f"{data_yaml}: {split} images {root / data[split]} do not exist")
    return data


def train_detector(settings: DetectorTrainSettings) -> DetectorTrainResult:
    """Train, then copy the best weights (by ultralytics' validation fitness) to ``out_dir/detector.pt``."""
    check_dataset(settings.data_yaml)
    out = settings.out_dir
    if (out / WEIGHTS_NAME).exists():
        raise DetectorToolError(f"{out / WEIGHTS_NAME} already exists: choose a new --out directory")
    out.mkdir(parents=True, exist_ok=True)
    model_path = Path(settings.model)
    if settings.model.endswith(".pt") and not model_path.is_file():
        raise DetectorToolError(f"{settings.model}: no such weights file (nothing is downloaded here)")
    ultralytics = ultralytics_offline()
    # ultralytics trains on the CPU with one core fewer than the machine has (to keep it responsive); a
    # training run here is the machine's whole job, so it gets every core. Its only knob is this global.
    from ultralytics.utils import torch_utils

    torch_utils.NUM_THREADS = settings.threads
    yolo_class = ultralytics.YOLO
    start = time.perf_counter()
    model = yolo_class(settings.model)
    model.train(
        data=str(settings.data_yaml),
        imgsz=settings.imgsz,
        time=settings.minutes / 60.0,
        epochs=1000,  # an upper bound: the time budget decides
        batch=settings.batch,
        workers=settings.workers,
        seed=settings.seed,
        deterministic=True,
        device="cpu",
        amp=False,  # AMP's check downloads weights, and gains nothing on a CPU
        plots=False,  # plotting fetches a font
        cache="ram",
        close_mosaic=settings.close_mosaic_epochs,
        patience=1000,
        project=str(out.resolve()),
        name="ultralytics",
        exist_ok=True,
        verbose=False,
    )
    trainer = model.trainer
    best = Path(trainer.best)
    if not best.is_file():
        raise DetectorToolError(f"training ended without weights in {best.parent}")
    shutil.copyfile(best, out / WEIGHTS_NAME)
    metrics = trainer.validator.metrics if trainer.validator is not None else None
    map50 = float(metrics.box.map50) if metrics is not None else float("nan")
    map50_95 = float(metrics.box.map) if metrics is not None else float("nan")
    result = DetectorTrainResult(
        out / WEIGHTS_NAME, map50, map50_95, int(trainer.epoch) + 1, time.perf_counter() - start
    )
    summary = {**asdict(settings), **asdict(result)}
    (out / "training.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return result
