"""Per-step framing metrics: framing error, size error, visible fraction, in frame.

Boxes are ``(u, v, w, h)`` in normalised image units (centre, width, height), as
``dronecine.geometry.person.project_person_boxes`` returns them: arrays ``(..., 4)`` with
NaN rows for a subject that is not visible (behind the camera). Every function also takes
an ``ImageBox``, or ``None`` (what ``project_person`` returns for an invisible subject),
and broadcasts over leading dimensions. A single box gives a Python scalar, an array of
boxes an array.

A NaN box is a subject the camera cannot see at all. By our definition it is not in frame
and has framing error 1.0 and size error 1.0: a full frame width away, and off by the whole
target height. For targets between the thirds lines (where shots put them) every box
centre in frame is closer than that (at most 2*sqrt(2)/3 ≈ 0.94), so losing the subject does
not score better than keeping it, however badly framed. It is not a bound for every target:
a box in a far corner from a target near the opposite edge, or a box more than twice too
big, can score worse, which is one reason in-frame is a metric of its own.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.errors import DronecineError
from dronecine.geometry.person import ImageBox


class MetricsError(DronecineError, ValueError):
    """Inputs no metric can be computed from: a non-positive target height, a bad time step,
    arrays whose shapes do not match."""


# The framing and size error of a subject the camera cannot see (a NaN box).
MISSING_BOX_ERROR = 1.0

# Visible fractions are compared with this slack so that a box exactly half out of the
# frame counts as half visible despite rounding (1.1 - 1.0 is not exactly 0.1).
_FRACTION_TOLERANCE = 1e-9

BoxLike = ArrayLike | ImageBox | None


def _boxes(box: BoxLike) -> NDArray[np.float64]:
    """Boxes as a float array (..., 4); ``None`` becomes a NaN box."""
    if box is None:
        return np.full(4, np.nan)
    if isinstance(box, ImageBox):
        return box.as_array()
    values = np.asarray(box, dtype=float)
    if values.ndim == 0 or values.shape[-1] != 4:
        raise MetricsError(f"boxes must have shape (..., 4) as (u, v, w, h), got shape {values.shape}")
    valid = ~np.isnan(values).any(axis=-1)
    if (values[valid][:, 2:] < 0.0).any():
        raise MetricsError("box width and height must not be negative")
    return values


def _heights(box_h: ArrayLike | ImageBox | None) -> NDArray[np.float64]:
    if box_h is None:
        return np.array(np.nan)
    if isinstance(box_h, ImageBox):
        return np.array(box_h.h)
    return np.asarray(box_h, dtype=float)


def _scalar_or_array(values: NDArray) -> NDArray | float | bool:
    """A 0-d result as a Python scalar, anything else as the array itself."""
    if values.ndim == 0:
        return values.item()
    return values


def _finite(name: str, value: ArrayLike) -> NDArray[np.float64]:
    values = np.asarray(value, dtype=float)
    if not np.isfinite(values).all():
        shown = f"{values.item()!r}" if values.ndim == 0 else f"an array with NaN or inf, shape {values.shape}"
        raise MetricsError(f"{name} must be finite, got {shown}")
    return values


def framing_error(box: BoxLike, target_u: ArrayLike, target_v: ArrayLike) -> NDArray[np.float64] | float:
    """Distance ``‖(u, v) − (u*, v*)‖`` between the box centre and the target point.

    In normalised image units (a full frame width is 1). A NaN box (subject not visible)
    scores ``MISSING_BOX_ERROR`` = 1.0 by definition, a full frame width away (see the
    module docstring for why that value).
    """
    boxes = _boxes(box)
    target = np.stack(np.broadcast_arrays(_finite("target_u", target_u), _finite("target_v", target_v)), axis=-1)
    error = np.linalg.norm(boxes[..., :2] - target, axis=-1)
    return _scalar_or_array(np.where(np.isnan(error), MISSING_BOX_ERROR, error))


def size_error(box_h: ArrayLike | ImageBox | None, target_h: ArrayLike) -> NDArray[np.float64] | float:
    """Relative height error ``|h − h*| / h*``, both as fractions of the frame height.

    ``box_h`` is the box height (or an ``ImageBox``, whose ``h`` is used). A NaN height
    (subject not visible) scores ``MISSING_BOX_ERROR`` = 1.0 by definition. Raises ``MetricsError`` when
    ``target_h`` is not a positive finite number: no size can be judged against it.
    """
    target = _finite("target_h", target_h)
    if (target <= 0.0).any():
        raise MetricsError(f"target_h must be positive (a fraction of the frame height), got {target_h!r}")
    error = np.abs(_heights(box_h) - target) / target
    return _scalar_or_array(np.where(np.isnan(error), MISSING_BOX_ERROR, error))


def _visible_along(centre: NDArray, extent: NDArray) -> NDArray[np.float64]:
    """Fraction of the interval ``centre ± extent/2`` inside [0, 1]; a zero-length interval
    counts as fully visible when its point is inside, as not visible otherwise."""
    low = centre - extent / 2.0
    high = centre + extent / 2.0
    overlap = np.clip(np.minimum(high, 1.0) - np.maximum(low, 0.0), 0.0, None)
    point_inside = (centre >= 0.0) & (centre <= 1.0)
    fraction = np.clip(overlap / np.where(extent > 0.0, extent, 1.0), 0.0, 1.0)  # clip: rounding
    return np.where(extent > 0.0, fraction, point_inside.astype(float))


def visible_fraction(box: BoxLike) -> NDArray[np.float64] | float:
    """Fraction of the box's area inside the unit frame [0, 1] x [0, 1]; 0 for a NaN box.

    The box is axis-aligned, so the area fraction is the product of the fractions along u
    and along v. A degenerate box (zero width or height) counts along that axis as fully
    visible when its centre is inside the frame.
    """
    boxes = _boxes(box)
    fraction = _visible_along(boxes[..., 0], boxes[..., 2]) * _visible_along(boxes[..., 1], boxes[..., 3])
    return _scalar_or_array(np.where(np.isnan(boxes).any(axis=-1), 0.0, fraction))


def in_frame(box: BoxLike) -> NDArray[np.bool_] | bool:
    """The box centre is inside the frame (0 <= u, v <= 1) and at least half the box is visible.

    A NaN box (subject not visible) is not in frame.
    """
    boxes = _boxes(box)
    u, v = boxes[..., 0], boxes[..., 1]
    centre_inside = (u >= 0.0) & (u <= 1.0) & (v >= 0.0) & (v <= 1.0)
    half_visible = np.asarray(visible_fraction(boxes)) >= 0.5 - _FRACTION_TOLERANCE
    return _scalar_or_array(centre_inside & half_visible)
