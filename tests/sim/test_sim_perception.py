"""The simulated detector and tracker: misses, jitter, latency, wrong locks, loss."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dronecine_sim.perception import (
    PerceptionError,
    PerceptionLevel,
    PerceptionModel,
    PerceptionParams,
    perception_params,
)

from dronecine.perception import TrackStatus

DT = 0.1
CLEAR_BOX = np.array([0.5, 0.5, 0.08, 0.25])


def boxes(n: int, box: np.ndarray = CLEAR_BOX) -> np.ndarray:
    return np.tile(box, (n, 1))


def detection_rate(level: str, box: np.ndarray, occluded: float = 0.0, n: int = 4000) -> float:
    model = PerceptionModel(n, level, DT)
    rng = np.random.default_rng(0)
    # With latency, the first reports are of frames before the first: look past them.
    for _ in range(model.params.latency_frames + 1):
        track = model.observe(boxes(n, box), np.full(n, occluded), None, rng)
    return float(track.detected.mean())


def test_oracle_reports_the_true_box_at_once() -> None:
    model = PerceptionModel(3, "oracle", DT)
    truth = np.array([[0.3, 0.6, 0.05, 0.2], [0.5, 0.5, 0.1, 0.3], [np.nan] * 4])
    track = model.observe(truth, np.array([0.0, 0.8, 0.0]), None, np.random.default_rng(0))
    np.testing.assert_array_equal(track.status, [TrackStatus.DETECTED, TrackStatus.LOST, TrackStatus.LOST])
    np.testing.assert_array_equal(track.box[0], truth[0])
    assert track.age_s[0] == 0.0


def test_oracle_misses_a_subject_mostly_out_of_frame() -> None:
    model = PerceptionModel(2, "oracle", DT)
    truth = np.array([[0.98, 0.98, 0.3, 0.3], [0.9, 0.5, 0.1, 0.3]])  # 32% and 100% inside
    track = model.observe(truth, np.zeros(2), None, np.random.default_rng(0))
    assert list(track.detected) == [False, True]


@pytest.mark.parametrize("level", ["light", "noisy", "harsh"])
def test_small_subjects_are_missed_more(level: str) -> None:
    large = detection_rate(level, CLEAR_BOX)
    small = detection_rate(level, np.array([0.5, 0.5, 0.006, 0.02]))
    assert large > 0.8
    assert small < large - 0.3


def test_harsher_levels_miss_more() -> None:
    box = np.array([0.5, 0.5, 0.015, 0.05])
    rates = [detection_rate(level, box) for level in ("oracle", "light", "noisy", "harsh")]
    assert rates == sorted(rates, reverse=True)
    assert rates[0] == 1.0


def test_occlusion_hides_the_subject() -> None:
    clear, half, hidden = (detection_rate("noisy", CLEAR_BOX, occluded) for occluded in (0.0, 0.4, 0.9))
    assert clear > half > hidden
    assert hidden < 0.01  # only a false lock now and then


def test_jitter_scales_with_the_box_and_the_level() -> None:
    n = 4000
    spread = {}
    for level in ("light", "noisy", "harsh"):
        params = dataclasses.replace(perception_params(level), miss_rate=0.0, false_lock_rate=0.0)
        model = PerceptionModel(n, params, DT)
        rng = np.random.default_rng(0)
        for _ in range(model.params.latency_frames + 1):
            track = model.observe(boxes(n), np.zeros(n), None, rng)
        detected = track.detected
        spread[level] = float(np.std(track.box[detected, 0] - CLEAR_BOX[0]))
    expected = {level: perception_params(level).centre_jitter * CLEAR_BOX[3] for level in spread}
    for level, value in spread.items():
        assert value == pytest.approx(expected[level], rel=0.1)


def test_latency_delays_the_report_by_whole_frames() -> None:
    params = PerceptionParams(latency_frames=2)
    model = PerceptionModel(1, params, DT)
    rng = np.random.default_rng(0)
    reported = []
    for k in range(5):
        truth = np.array([[0.2 + 0.1 * k, 0.5, 0.05, 0.2]])
        reported.append(model.observe(truth, np.zeros(1), None, rng).box[0, 0])
    assert np.isnan(reported[0]) and np.isnan(reported[1])
    np.testing.assert_allclose(reported[2:], [0.2, 0.3, 0.4])


def test_a_vanished_subject_is_predicted_then_lost() -> None:
    params = PerceptionParams(lost_after_s=0.5)
    model = PerceptionModel(1, params, DT)
    rng = np.random.default_rng(0)
    for k in range(4):  # moving right at 0.02 per frame = 0.2 per second
        model.observe(np.array([[0.3 + 0.02 * k, 0.5, 0.05, 0.2]]), np.zeros(1), None, rng)
    statuses, centres = [], []
    for _ in range(8):
        track = model.observe(np.full((1, 4), np.nan), np.zeros(1), None, rng)
        statuses.append(TrackStatus(int(track.status[0])))
        centres.append(track.box[0, 0])
    assert statuses[:5] == [TrackStatus.PREDICTED] * 5
    assert statuses[5:] == [TrackStatus.LOST] * 3
    assert centres[0] == pytest.approx(0.38)  # constant image velocity, one frame on
    assert np.all(np.diff(centres) > 0.0)


def test_a_lookalike_nearby_steals_the_lock_and_one_far_away_cannot() -> None:
    params = PerceptionParams(switch_rate=1.0, switch_gate=0.15, wrong_lock_s=(0.25, 0.25))
    model = PerceptionModel(2, params, DT)
    truth = boxes(2)
    lookalike = np.array([[0.6, 0.5, 0.08, 0.25], [0.9, 0.5, 0.08, 0.25]])
    rng = np.random.default_rng(0)
    track = model.observe(truth, np.zeros(2), lookalike, rng)
    assert track.box[0, 0] == pytest.approx(0.6)  # near: the lock went to the look-alike
    assert track.box[1, 0] == pytest.approx(0.5)  # far: kept
    free = PerceptionModel(1, dataclasses.replace(params, switch_rate=0.0), DT)
    track = free.observe(truth[:1], np.zeros(1), lookalike[:1], rng)
    assert track.box[0, 0] == pytest.approx(0.5)


def test_a_stolen_lock_returns_to_the_subject() -> None:
    params = PerceptionParams(false_lock_rate=1.0, wrong_lock_s=(0.3, 0.3))
    model = PerceptionModel(1, params, DT)
    rng = np.random.default_rng(3)
    first = model.observe(boxes(1), np.zeros(1), None, rng)
    assert not np.allclose(first.box[0], CLEAR_BOX)
    # The false lock lasts 0.3 s; with a rate of 1 a new one starts as soon as it ends, so switch
    # the rate off through a fresh model with the same state: simplest is to check the countdown.
    model.params = dataclasses.replace(params, false_lock_rate=0.0)
    reports = [model.observe(boxes(1), np.zeros(1), None, rng).box[0].copy() for _ in range(4)]
    np.testing.assert_allclose(reports[-1], CLEAR_BOX)


def test_a_false_positive_keeps_its_place_beside_the_subject_as_the_view_moves() -> None:
    # A thing in the scene, not a mark on the lens: as the camera pans (the subject's box slides
    # across the image) and closes in (it grows), the false box slides and grows with it.
    params = PerceptionParams(false_lock_rate=1.0, wrong_lock_s=(1.0, 1.0))
    model = PerceptionModel(1, params, DT)
    rng = np.random.default_rng(2)
    views = [np.array([[0.3 + 0.1 * k, 0.5, 0.05 * (1 + 0.2 * k), 0.2 * (1 + 0.2 * k)]]) for k in range(4)]
    reports = [model.observe(view, np.zeros(1), None, rng) for view in views]
    assert all(r.detected[0] for r in reports)
    first, truth0 = reports[0].box[0], views[0][0]
    assert not np.allclose(first, truth0)  # the lock is on the false positive
    for report, view in zip(reports[1:], views[1:], strict=True):
        scale = view[0, 3] / truth0[3]
        np.testing.assert_allclose(report.box[0, :2] - view[0, :2], (first[:2] - truth0[:2]) * scale)
        np.testing.assert_allclose(report.box[0, 2:], first[2:] * scale)


def test_no_false_positive_is_placed_while_the_subject_has_no_box() -> None:
    model = PerceptionModel(1, PerceptionParams(false_lock_rate=1.0), DT)
    rng = np.random.default_rng(0)
    track = model.observe(np.full((1, 4), np.nan), np.zeros(1), None, rng)
    assert not track.detected[0] and np.isnan(track.box[0]).all()


def test_the_same_seed_gives_the_same_reports() -> None:
    def run(seed: int) -> np.ndarray:
        model = PerceptionModel(16, "harsh", DT)
        rng = np.random.default_rng(seed)
        out = []
        for k in range(30):
            truth = boxes(16, np.array([0.5 + 0.01 * k, 0.5, 0.03, 0.1]))
            out.append(model.observe(truth, np.zeros(16), None, rng).box)
        return np.nan_to_num(np.array(out), nan=-1.0)

    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_reset_forgets_only_the_drones_named() -> None:
    model = PerceptionModel(2, "oracle", DT)
    rng = np.random.default_rng(0)
    model.observe(boxes(2), np.zeros(2), None, rng)
    model.reset([0])
    track = model.observe(np.full((2, 4), np.nan), np.zeros(2), None, rng)
    assert track.status[0] == TrackStatus.LOST and np.isnan(track.box[0]).all()
    assert track.status[1] == TrackStatus.PREDICTED


def test_bad_settings_are_named() -> None:
    with pytest.raises(PerceptionError, match=r"unknown perception level 'fuzzy'.*oracle, light, noisy, harsh"):
        PerceptionModel(1, "fuzzy", DT)
    with pytest.raises(PerceptionError, match=r"miss_rate 1\.5 is out of range"):
        PerceptionParams(miss_rate=1.5)
    with pytest.raises(PerceptionError, match=r"expected boxes \(N, 4\)"):
        model = PerceptionModel(2, PerceptionLevel.NOISY, DT)
        model.observe(np.zeros((3, 4)), np.zeros(3), None, np.random.default_rng())
