"""The single definition of the shot metrics. The sim reward, the evaluation and the shoot
report all call it, so a number means the same thing everywhere.

For each control step of a shot, with the subject's bounding box ``(u, v, w, h)`` as seen by
the camera (true projection in evaluation, not the detector's estimate):

- framing error ``e = ‖(u, v) − (u*, v*)‖`` in normalised image units, where ``(u*, v*)`` is
  the shot's target point for the box centre (thirds, lead room and headroom decide it);
- size error ``|h − h*| / h*``, with ``h*`` the shot size's target box height as a fraction
  of frame height;
- in frame: the box centre is inside the frame and at least half the box is visible;
- smoothness: RMS jerk of the camera position (m/s³) and RMS angular acceleration of the
  camera's pointing (deg/s²).

A shot's score aggregates these; the report shows them per shot and per drone.

A subject the camera cannot see (a NaN box, behind the camera) is not in frame and has
framing error 1.0 and size error 1.0 by definition: a full frame width away (see
``dronecine.metrics.framing``).
"""

from dronecine.metrics.framing import (
    MISSING_BOX_ERROR,
    MetricsError,
    framing_error,
    in_frame,
    size_error,
    visible_fraction,
)
from dronecine.metrics.score import ShotScore, score_shot
from dronecine.metrics.smoothness import angular_accel_rms, jerk_rms

__all__ = [
    "MISSING_BOX_ERROR",
    "MetricsError",
    "ShotScore",
    "angular_accel_rms",
    "framing_error",
    "in_frame",
    "jerk_rms",
    "score_shot",
    "size_error",
    "visible_fraction",
]
