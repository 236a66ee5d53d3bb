"""A subject's look: a hue-saturation histogram of the middle of its box, and how alike two looks are.

Colour histograms are what a re-identification needs on a small onboard computer: a fraction of a
millisecond per box, robust to pose and scale, and the clothes that tell two people apart are colour.
They say nothing about look-alikes in the same clothes: there the lock relies on position.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

HUE_BINS = 12
SATURATION_BINS = 6
# The least crop (px) to take a histogram of: even a few pixels of colour tell a red coat from a blue one.
MIN_CROP_WIDTH_PX, MIN_CROP_HEIGHT_PX = 3, 6
_INNER = 0.6  # the middle of the box: the person, with little of the ground behind


def appearance(frame: NDArray[np.uint8], xyxy_px: NDArray[np.float64]) -> NDArray[np.float32] | None:
    """The normalised histogram of the box's middle, or None when the box is too small or off the frame."""
    height, width = frame.shape[:2]
    x1, y1, x2, y2 = (float(c) for c in xyxy_px)
    cx, cy, half_w, half_h = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) * _INNER / 2, (y2 - y1) * _INNER / 2
    left, right = max(int(cx - half_w), 0), min(int(np.ceil(cx + half_w)), width)
    top, bottom = max(int(cy - half_h), 0), min(int(np.ceil(cy + half_h)), height)
    if right - left < MIN_CROP_WIDTH_PX or bottom - top < MIN_CROP_HEIGHT_PX:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(frame[top:bottom, left:right]), cv2.COLOR_BGR2HSV)
    histogram = cv2.calcHist([hsv], [0, 1], None, [HUE_BINS, SATURATION_BINS], [0, 180, 0, 256])
    total = float(histogram.sum())
    return histogram / total if total > 0 else None


def similarity(a: NDArray[np.float32] | None, b: NDArray[np.float32] | None) -> float | None:
    """1 for the same colours, 0 for none in common (1 - Bhattacharyya distance); None if either is unknown."""
    if a is None or b is None:
        return None
    return 1.0 - float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))


def blend(
    model: NDArray[np.float32] | None, seen: NDArray[np.float32] | None, rate: float
) -> NDArray[np.float32] | None:
    """The model moved towards what was just seen by ``rate`` (0..1): light and pose change slowly."""
    if seen is None:
        return model
    if model is None:
        return seen
    return ((1.0 - rate) * model + rate * seen).astype(np.float32)
