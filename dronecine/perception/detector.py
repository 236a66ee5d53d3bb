"""The YOLO detector (ultralytics): any ``.pt`` or ``.onnx`` weights, a class filter, offline.

Weights resolve from the command line, then ``DRONECINE_DETECTOR_WEIGHTS``, then the bundled person
detector (trained on the simulator's frames by ``dronecine detector train``). Nothing is downloaded:
a name such as ``yolo11n.pt`` that is not a file here is an error that says how to get it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from dronecine.perception.errors import DetectorError
from dronecine.perception.offline import ultralytics_offline

FloatArray = NDArray[np.float64]

WEIGHTS_ENV = "DRONECINE_DETECTOR_WEIGHTS"
BUNDLED_WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "detector.pt"
WEIGHT_SUFFIXES = (".pt", ".onnx")


def resolve_weights(weights: str | Path | None = None) -> Path:
    """The weights file to load: ``weights`` if given, else ``$DRONECINE_DETECTOR_WEIGHTS``, else the bundled one."""
    if weights is not None and str(weights):
        origin, chosen = "--weights", Path(weights)
    elif os.environ.get(WEIGHTS_ENV):
        origin, chosen = WEIGHTS_ENV, Path(os.environ[WEIGHTS_ENV])
    else:
        origin, chosen = "the bundled detector", BUNDLED_WEIGHTS
    if chosen.suffix.lower() not in WEIGHT_SUFFIXES:
        raise DetectorError(f"{origin}: {chosen} is not YOLO weights (expected a .pt or .onnx file)")
    if not chosen.is_file():
        hint = (
            "; dronecine never downloads at run time: fetch it once online (e.g. `yolo predict model=yolo11n.pt`) "
            "and give its path"
            if chosen.parent == Path(".")
            else ""
        )
        raise DetectorError(f"{origin}: weights file {chosen} does not exist{hint}")
    return chosen


@dataclass(frozen=True)
class DetectorSettings:
    """``classes``: the class names to keep (as the weights name them); ``imgsz``: inference size (px);
    ``conf``: the lowest score kept (low, so that ByteTrack's second association sees weak boxes too)."""

    weights: Path
    classes: tuple[str, ...] = ("person",)
    imgsz: int = 320
    conf: float = 0.1
    iou: float = 0.7
    max_det: int = 100

    def __post_init__(self) -> None:
        if self.imgsz < 32 or self.imgsz % 32:
            raise DetectorError(f"detector imgsz {self.imgsz} must be a multiple of 32, at least 32")
        if not 0.0 < self.conf < 1.0 or not 0.0 < self.iou <= 1.0:
            raise DetectorError(f"detector conf {self.conf} must lie in (0, 1) and iou {self.iou} in (0, 1]")
        if not self.classes:
            raise DetectorError("detector classes must name at least one class (e.g. person)")


def centre_size(xyxy: FloatArray) -> FloatArray:
    """Corner boxes (K, 4) as (centre x, centre y, width, height), in the same units."""
    return np.column_stack([(xyxy[:, :2] + xyxy[:, 2:]) / 2.0, xyxy[:, 2:] - xyxy[:, :2]])


def normalised_boxes(xyxy_px: FloatArray, width_px: int, height_px: int) -> FloatArray:
    """Pixel corner boxes (K, 4) as normalised (u, v, w, h), as ``dronecine.geometry`` and the metrics use."""
    return centre_size(xyxy_px) / np.array([width_px, height_px, width_px, height_px], dtype=float)


def pixel_corners(boxes: FloatArray, width_px: int, height_px: int) -> FloatArray:
    """Normalised (u, v, w, h) boxes (K, 4) as pixel corners (x1, y1, x2, y2): ``normalised_boxes`` undone."""
    scale = np.array([width_px, height_px], dtype=float)
    centre, half = boxes[:, :2] * scale, boxes[:, 2:] * scale / 2.0
    return np.column_stack([centre - half, centre + half])


@dataclass(frozen=True, eq=False)
class Detections:
    """One frame's detections: ``xyxy_px`` (K, 4) corners in pixels, ``score`` (K,), ``class_id`` (K,)."""

    xyxy_px: FloatArray
    score: FloatArray
    class_id: NDArray[np.int64]
    width_px: int
    height_px: int

    @classmethod
    def empty(cls, width_px: int, height_px: int) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64), width_px, height_px)

    def __len__(self) -> int:
        return int(self.score.shape[0])

    @property
    def boxes(self) -> FloatArray:
        """(K, 4) normalised (u, v, w, h), as ``dronecine.geometry`` and the metrics use."""
        return normalised_boxes(self.xyxy_px, self.width_px, self.height_px)


class Detector(Protocol):
    """Finds objects in a BGR frame."""

    def detect(self, frame: NDArray[np.uint8]) -> Detections: ...


class YoloDetector:
    """An ultralytics YOLO model on the CPU (or ``device``), keeping only ``settings.classes``.

    ``threads``: torch's CPU threads (default: every core). Importing ultralytics sets
    ``OMP_NUM_THREADS=1`` unless the user did, which would leave a 2-core companion computer half idle.
    """

    def __init__(self, settings: DetectorSettings, device: str = "cpu", threads: int | None = None) -> None:
        self.settings = settings
        self.device = device
        path = settings.weights
        if not path.is_file():
            raise DetectorError(f"weights file {path} does not exist")
        yolo_class = ultralytics_offline().YOLO
        import torch

        torch.set_num_threads(threads or os.cpu_count() or 1)
        try:
            self._model = yolo_class(str(path), task="detect")
            names: dict[int, str] = dict(self._model.names)
        except Exception as error:  # ultralytics and torch raise many kinds on a bad file: name the file
            raise DetectorError(
                f"{path}: not a readable YOLO weights file ({error.__class__.__name__}: {_first_line(error)})"
            ) from error
        self.class_ids = _class_ids(names, settings.classes, path)
        self.names = names

    def detect(self, frame: NDArray[np.uint8]) -> Detections:
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            shape = getattr(frame, "shape", None)
            kind = type(frame).__name__
            raise DetectorError(f"detect needs a BGR frame, a (H, W, 3) uint8 array; got {kind} {shape}")
        s = self.settings
        result = self._model.predict(
            frame, imgsz=s.imgsz, conf=s.conf, iou=s.iou, classes=list(self.class_ids), max_det=s.max_det,
            device=self.device, verbose=False,
        )[0]  # fmt: skip
        boxes = result.boxes
        height, width = frame.shape[:2]
        if boxes is None or len(boxes) == 0:
            return Detections.empty(width, height)
        return Detections(
            boxes.xyxy.cpu().numpy().astype(float),
            boxes.conf.cpu().numpy().astype(float),
            boxes.cls.cpu().numpy().astype(np.int64),
            width,
            height,
        )


def _class_ids(names: dict[int, str], wanted: Sequence[str], path: Path) -> tuple[int, ...]:
    by_name = {name: index for index, name in names.items()}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)[:12]) + (", ..." if len(by_name) > 12 else "")
        raise DetectorError(f"{path}: the weights have no class {', '.join(missing)} (they know: {known})")
    return tuple(by_name[name] for name in wanted)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no message"
