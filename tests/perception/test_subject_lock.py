"""The subject lock on hand-made tracks: acquisition rules, following, prediction, honest loss, re-acquisition."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.mission.subjects import AcquireRule
from dronecine.perception import TrackStatus
from dronecine.perception.errors import PerceptionError
from dronecine.perception.subject_lock import AcquireCue, LockSettings, SubjectLock
from dronecine.perception.tracker import Tracks

W, H = 640, 360
RED, BLUE = (30, 30, 220), (220, 60, 30)


def tracks(*rows: tuple[int, float, float, float]) -> Tracks:
    """Tracks from (id, centre x px, centre y px, height px), each 0.4 as wide as tall."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Tracks(empty, np.zeros((0, 4)), np.zeros(0), empty, W, H)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    xyxy = np.array([[x - 0.2 * h, y - h / 2, x + 0.2 * h, y + h / 2] for _, x, y, h in rows])
    return Tracks(ids, xyxy, np.full(len(rows), 0.8), np.arange(len(rows)), W, H)


def frame_with(*people: tuple[float, float, float, tuple[int, int, int]]) -> np.ndarray:
    """A grey frame with a coloured box per (x, y, height, colour)."""
    image = np.full((H, W, 3), 110, dtype=np.uint8)
    for x, y, h, colour in people:
        image[int(y - h / 2) : int(y + h / 2), int(x - 0.2 * h) : int(x + 0.2 * h)] = colour
    return image


def central_lock(**settings) -> SubjectLock:
    return SubjectLock(LockSettings(rule=AcquireRule.MOST_CENTRAL, **settings), frame_rate_hz=10.0)


def test_nothing_seen_is_lost_with_no_box():
    report = central_lock().update(tracks())
    assert report.status[0] == TrackStatus.LOST
    assert np.isnan(report.box).all()


@pytest.mark.parametrize(
    ("rule", "expected_id"),
    [(AcquireRule.MOST_CENTRAL, 2), (AcquireRule.LARGEST, 3)],
)
def test_acquisition_rules_pick_their_subject(rule, expected_id):
    lock = SubjectLock(LockSettings(rule=rule), frame_rate_hz=10.0)
    lock.update(tracks((1, 100, 100, 40), (2, 330, 185, 40), (3, 560, 300, 90)))
    assert lock.track_id == expected_id


def test_nearest_expected_takes_the_one_inside_the_cue_gate_and_waits_otherwise():
    lock = SubjectLock(LockSettings(rule=AcquireRule.NEAREST_EXPECTED), frame_rate_hz=10.0)
    far_cue = AcquireCue((0.9, 0.1), gate=0.05)
    report = lock.update(tracks((1, 100, 100, 40), (2, 330, 185, 40)), cue=far_cue)
    assert lock.track_id is None
    assert report.status[0] == TrackStatus.LOST
    lock.update(tracks((1, 100, 100, 40), (2, 330, 185, 40)), cue=AcquireCue((100 / W, 100 / H), gate=0.05))
    assert lock.track_id == 1


def test_nearest_expected_waits_while_the_nearest_to_the_cue_is_a_weak_detection():
    """The subject is detected weakly at the cue and a confident look-alike stands a step away: taking the
    look-alike would film the wrong person for the whole shot, so the lock waits for a better frame."""
    lock = SubjectLock(LockSettings(rule=AcquireRule.NEAREST_EXPECTED), frame_rate_hz=10.0)
    cue = AcquireCue((320 / W, 180 / H), gate=0.1)
    pair = tracks((1, 321, 180, 40), (2, 345, 180, 40))
    weak_subject = Tracks(pair.track_id, pair.xyxy_px, np.array([0.3, 0.9]), pair.detection, W, H)
    report = lock.update(weak_subject, cue=cue)
    assert report.status[0] == TrackStatus.LOST and lock.track_id is None
    lock.update(Tracks(pair.track_id, pair.xyxy_px, np.array([0.6, 0.9]), pair.detection, W, H), cue=cue)
    assert lock.track_id == 1


def test_the_lock_follows_its_track_and_reports_its_box():
    lock = central_lock()
    for step in range(5):
        report = lock.update(tracks((7, 320 + 4 * step, 180, 60), (8, 100, 100, 60)))
    assert lock.track_id == 7
    assert report.status[0] == TrackStatus.DETECTED
    assert report.box[0, 0] == pytest.approx((320 + 16) / W)
    assert report.box[0, 3] == pytest.approx(60 / H)
    assert report.age_s[0] == 0.0


def test_a_vanished_subject_is_predicted_moving_then_reported_lost_after_hold():
    lock = central_lock(hold_s=1.0)
    for step in range(10):
        lock.update(tracks((7, 300 + 5 * step, 180, 60)))
    statuses, centres = [], []
    for _ in range(15):
        report = lock.update(tracks())
        statuses.append(int(report.status[0]))
        centres.append(report.box[0, 0] * W)
    assert statuses[:10] == [TrackStatus.PREDICTED] * 10
    assert statuses[11:] == [TrackStatus.LOST] * 4
    assert centres[5] > 345 + 5 * 4  # still moving at about 5 px a frame while predicted
    assert centres[-1] == pytest.approx(centres[-2])  # a lost subject's box stops


def test_a_new_track_near_the_prediction_with_the_same_look_is_re_acquired():
    lock = central_lock()
    for step in range(6):
        lock.update(tracks((7, 300 + 5 * step, 180, 60)), frame_with((300 + 5 * step, 180, 60, RED)))
    for _ in range(4):  # hidden for 0.4 s
        lock.update(tracks(), frame_with())
    # Back, with a new tracker ID, beside a blue stranger just as near.
    report = lock.update(
        tracks((11, 352, 180, 60), (12, 345, 200, 60)), frame_with((345, 200, 60, BLUE), (352, 180, 60, RED))
    )
    assert lock.track_id == 11
    assert report.status[0] == TrackStatus.DETECTED
    assert lock.reacquisitions == 1


def test_a_box_that_grew_into_an_occluder_does_not_keep_the_subject_from_coming_back():
    """The last boxes before an occlusion are often the subject merged with the occluder's edge, growing
    fast; extrapolated through a 2.5 s occlusion that growth made the prediction three times the subject's
    height, and the subject coming back at their own height was refused as the wrong size."""
    lock = central_lock()
    for _ in range(10):
        lock.update(tracks((7, 320, 180, 60)), frame_with((320, 180, 60, RED)))
    for height in (80, 100, 120):
        lock.update(tracks((7, 320, 180, height)), frame_with((320, 180, height, RED)))
    for _ in range(25):
        lock.update(tracks(), frame_with())
    report = lock.update(tracks((12, 325, 180, 60)), frame_with((325, 180, 60, RED)))
    assert report.status[0] == TrackStatus.DETECTED
    assert lock.track_id == 12


def test_someone_who_looks_different_is_not_taken_for_the_subject():
    lock = central_lock()
    for _step in range(6):
        lock.update(tracks((7, 320, 180, 60)), frame_with((320, 180, 60, RED)))
    report = lock.update(tracks((12, 325, 182, 60)), frame_with((325, 182, 60, BLUE)))
    assert lock.track_id == 7
    assert report.status[0] == TrackStatus.PREDICTED


def test_a_far_jump_of_the_locked_id_is_an_id_switch_and_is_not_followed():
    lock = central_lock()
    for _ in range(5):
        lock.update(tracks((7, 320, 180, 40)))
    report = lock.update(tracks((7, 600, 40, 40)))
    assert report.status[0] == TrackStatus.PREDICTED
    assert report.box[0, 0] == pytest.approx(320 / W, abs=0.01)


def test_once_lost_the_subject_is_taken_back_near_the_mission_cue():
    lock = central_lock(hold_s=0.5)
    for _ in range(5):
        lock.update(tracks((7, 100, 180, 40)), frame_with((100, 180, 40, RED)))
    for _ in range(20):
        lock.update(tracks(), frame_with())
    cue = AcquireCue((500 / W, 180 / H), gate=0.05)
    report = lock.update(tracks((30, 505, 180, 40)), frame_with((505, 180, 40, RED)), cue=cue)
    assert report.status[0] == TrackStatus.DETECTED
    assert lock.track_id == 30


def test_reset_forgets_the_subject():
    lock = central_lock()
    lock.update(tracks((7, 320, 180, 40)))
    lock.reset()
    assert not lock.locked and lock.track_id is None


@pytest.mark.parametrize(
    "settings",
    [{"hold_s": 0.0}, {"gate_heights": -1.0}, {"max_size_ratio": 0.5}, {"min_similarity": 1.5}],
)
def test_bad_lock_settings_are_refused(settings):
    with pytest.raises(PerceptionError, match=r"lock"):
        LockSettings(**settings)


def test_a_weak_detection_is_never_taken_for_the_subject():
    lock = central_lock()
    weak = tracks((1, 320, 180, 40), (2, 500, 100, 40))
    weak = Tracks(weak.track_id, weak.xyxy_px, np.array([0.2, 0.9]), weak.detection, W, H)
    lock.update(weak)
    assert lock.track_id == 2


def test_a_shrinking_subjects_predicted_box_never_loses_its_height():
    """A subject walking away fast shrinks in frame; once it vanishes the prediction must not shrink
    the box through zero (a negative height is no box to frame)."""
    lock = central_lock(hold_s=3.0)
    for step in range(10):
        lock.update(tracks((7, 320, 180, 60 - 5 * step)))
    heights = [lock.update(tracks()).box[0, 3] for _ in range(25)]
    assert min(heights) > 0.0
    assert heights[0] < 15 / H  # it was still shrinking as predicted
