"""The ultralytics tracker behind ``MultiObjectTracker``: identities kept, per-instance IDs, clean settings."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.perception.detector import Detections
from dronecine.perception.errors import PerceptionError
from dronecine.perception.tracker import MultiObjectTracker, TrackerMethod, TrackerSettings

W, H = 640, 360


def detections(*centres: tuple[float, float], height: float = 60.0, score: float = 0.9) -> Detections:
    xyxy = np.array([[x - 0.2 * height, y - height / 2, x + 0.2 * height, y + height / 2] for x, y in centres])
    return Detections(xyxy.reshape(-1, 4), np.full(len(centres), score), np.zeros(len(centres), dtype=np.int64), W, H)


@pytest.mark.parametrize("method", list(TrackerMethod))
def test_two_walkers_keep_their_ids(method):
    tracker = MultiObjectTracker(TrackerSettings(method=method))
    frame = np.full((H, W, 3), 100, dtype=np.uint8)
    seen: dict[int, list[float]] = {}
    for step in range(20):
        out = tracker.update(detections((100 + 4 * step, 180), (500 - 4 * step, 100)), frame)
        for track_id, box in zip(out.track_id, out.boxes, strict=True):
            seen.setdefault(int(track_id), []).append(float(box[1]))
    assert len(seen) == 2
    rows = sorted(seen.values(), key=lambda v: v[0])
    assert all(abs(v - 100 / H) < 0.01 for v in rows[0])
    assert all(abs(v - 180 / H) < 0.01 for v in rows[1])


def test_each_tracker_numbers_its_own_tracks():
    first, second = MultiObjectTracker(), MultiObjectTracker()
    for _ in range(3):
        a = first.update(detections((100, 100), (300, 100)))
        b = second.update(detections((200, 200)))
    assert sorted(a.track_id.tolist()) == [1, 2]
    assert b.track_id.tolist() == [1]


def test_a_short_gap_keeps_the_id_and_reset_starts_again():
    tracker = MultiObjectTracker()
    for step in range(5):
        first = tracker.update(detections((200 + 3 * step, 180)))
    for _ in range(5):
        assert len(tracker.update(detections())) == 0
    back = tracker.update(detections((230, 180)))
    assert back.track_id.tolist() == first.track_id.tolist()
    assert back.detection.tolist() == [0]
    tracker.reset()
    for _ in range(2):
        again = tracker.update(detections((400, 100)))
    assert again.track_id.tolist() == [1]


def test_bad_tracker_settings_are_refused():
    with pytest.raises(PerceptionError, match=r"low_thresh <= high_thresh"):
        TrackerSettings(high_thresh=0.1, low_thresh=0.3)
    with pytest.raises(PerceptionError, match=r"buffer_frames"):
        TrackerSettings(buffer_frames=0)
