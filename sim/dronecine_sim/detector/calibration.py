"""Measure a detector on rendered frames the way the simulator's perception model describes one.

``measure_detections`` matches the detector's boxes to the true boxes of held-out scenes (greedy by
IoU) and records, per true person, its box height and whether it was found, and per match the
centre error (in box heights) and the log size ratio. ``fit_perception`` turns that into the
perception model's constants: the miss rate of large, clear people, the logistic in box height
(``half_detect_height``, ``detect_height_spread``), and the box noise (``centre_jitter``,
``size_jitter``, ``jitter_floor``). The measurement script is ``benchmarks/calibrate_perception.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dronecine.perception.detector import Detections

FloatArray = NDArray[np.float64]

MATCH_IOU = 0.3  # a detection this close to a true box found that person (small boxes overlap loosely)
LARGE_BOX_HEIGHT = 0.12  # people this tall (fraction of the frame) are what the plain miss rate is about


def box_iou(a: FloatArray, b: FloatArray) -> FloatArray:
    """(K, J) IoU of normalised (u, v, w, h) boxes ``a`` (K, 4) and ``b`` (J, 4)."""
    a_lo, a_hi = a[:, None, :2] - a[:, None, 2:] / 2, a[:, None, :2] + a[:, None, 2:] / 2
    b_lo, b_hi = b[None, :, :2] - b[None, :, 2:] / 2, b[None, :, :2] + b[None, :, 2:] / 2
    overlap = np.clip(np.minimum(a_hi, b_hi) - np.maximum(a_lo, b_lo), 0.0, None).prod(axis=-1)
    union = a[:, None, 2] * a[:, None, 3] + b[None, :, 2] * b[None, :, 3] - overlap
    return overlap / np.maximum(union, 1e-12)


def match_boxes(truth: FloatArray, found: FloatArray, min_iou: float = MATCH_IOU) -> list[tuple[int, int]]:
    """Pairs (true index, found index), greedy from the best IoU, each box used once."""
    if not len(truth) or not len(found):
        return []
    iou = box_iou(truth, found)
    pairs = []
    while True:
        k, j = np.unravel_index(int(np.argmax(iou)), iou.shape)
        if iou[k, j] < min_iou:
            return pairs
        pairs.append((int(k), int(j)))
        iou[k, :] = -1.0
        iou[:, j] = -1.0


@dataclass
class DetectionMeasurement:
    """What ``measure_detections`` gathered; lists grow frame by frame."""

    height: list[float] = field(default_factory=list)  # every true person's box height
    found: list[bool] = field(default_factory=list)
    centre_error: list[tuple[float, float]] = field(default_factory=list)  # (du, dv) / true height
    log_size_ratio: list[tuple[float, float]] = field(default_factory=list)  # log(found / true) of w, h
    false_positives: int = 0
    frames: int = 0

    def add(self, truth: FloatArray, found: Detections, aspect: float) -> None:
        """One frame: the true boxes (K, 4) and the detections; ``aspect`` is width / height of the frame."""
        boxes = found.boxes
        pairs = match_boxes(truth, boxes)
        matched = {k: j for k, j in pairs}
        for k, box in enumerate(truth):
            self.height.append(float(box[3]))
            self.found.append(k in matched)
            if k in matched:
                other = boxes[matched[k]]
                # The centre error in heights, with u in the same units as v (normalised by frame height).
                self.centre_error.append(((other[0] - box[0]) * aspect / box[3], (other[1] - box[1]) / box[3]))
                self.log_size_ratio.append((float(np.log(other[2] / box[2])), float(np.log(other[3] / box[3]))))
        self.false_positives += len(boxes) - len(pairs)
        self.frames += 1


def measure_detections(frames: Iterable[tuple[NDArray[np.uint8], FloatArray]], detect) -> DetectionMeasurement:
    """Run ``detect`` (frame -> Detections) on ``(frame, true boxes)`` pairs and gather the figures."""
    measurement = DetectionMeasurement()
    for frame, truth in frames:
        measurement.add(truth, detect(frame), frame.shape[1] / frame.shape[0])
    return measurement


@dataclass(frozen=True)
class DetectorFigures:
    """The fitted constants (the perception model's names and units) and the data behind the fit."""

    miss_rate: float
    half_detect_height: float
    detect_height_spread: float
    centre_jitter: float
    size_jitter: float
    jitter_floor: float
    false_positives_per_frame: float
    bins: list[tuple[float, float, int, float]]  # (height low, high, people, found rate)


def fit_perception(m: DetectionMeasurement, frame_height_px: int) -> DetectorFigures:
    """The perception model's constants that best describe the measurement."""
    height, found = np.array(m.height), np.array(m.found, dtype=float)
    large = height >= LARGE_BOX_HEIGHT
    miss_rate = float(1.0 - found[large].mean()) if large.any() else 0.0
    edges = np.array([0.0, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.25, 0.5, 2.0])
    bins = []
    for low, high in itertools.pairwise(edges):
        inside = (height >= low) & (height < high)
        if inside.any():
            bins.append((float(low), float(high), int(inside.sum()), float(found[inside].mean())))
    half, spread = _fit_logistic(height, found, 1.0 - miss_rate)
    centre = np.array(m.centre_error).reshape(-1, 2)
    sizes = np.array(m.log_size_ratio).reshape(-1, 2)
    # Robust spreads (1.4826 MAD): a few bad matches must not set the noise of every box.
    centre_jitter = _robust_std(centre) if len(centre) else 0.0
    size_jitter = _robust_std(sizes) if len(sizes) else 0.0
    return DetectorFigures(
        miss_rate=miss_rate,
        half_detect_height=half,
        detect_height_spread=spread,
        centre_jitter=centre_jitter,
        size_jitter=size_jitter,
        jitter_floor=0.5 / frame_height_px,  # half a pixel: the detector's quantisation
        false_positives_per_frame=m.false_positives / max(m.frames, 1),
        bins=bins,
    )


def _robust_std(values: FloatArray) -> float:
    deviation = np.abs(values - np.median(values, axis=0))
    return float(1.4826 * np.median(deviation))


def _fit_logistic(height: FloatArray, found: FloatArray, ceiling: float) -> tuple[float, float]:
    """Maximum-likelihood (half height, spread) of ``ceiling / (1 + exp(-(h - half) / spread))``, on a grid:
    two parameters, a few thousand points, and no optimiser to fail silently."""
    best, best_ll = (0.02, 0.005), -np.inf
    for half in np.linspace(0.002, 0.1, 99):
        for spread in np.linspace(0.0005, 0.02, 40):
            with np.errstate(over="ignore"):
                p = ceiling / (1.0 + np.exp(-(height - half) / spread))
            p = np.clip(p, 1e-6, 1.0 - 1e-6)
            ll = float((found * np.log(p) + (1.0 - found) * np.log(1.0 - p)).sum())
            if ll > best_ll:
                best, best_ll = (float(half), float(spread)), ll
    return best
