"""Shot scores: aggregation over steps and over shots, shape validation."""

import json
import math

import numpy as np
import pytest

from dronecine.metrics import MetricsError, ShotScore, score_shot


def _shot(steps, dt_s=0.1):
    t_s = np.arange(steps) * dt_s
    boxes = np.tile([0.5, 0.5, 0.1, 0.3], (steps, 1))
    targets = np.tile([1 / 3, 0.5, 0.3], (steps, 1))
    positions = np.stack([2.0 * t_s, np.zeros(steps), np.full(steps, -10.0)], axis=-1)
    yaw = np.full(steps, 90.0)
    pitch = np.full(steps, -20.0)
    return boxes, targets, positions, yaw, pitch


def test_score_of_a_steady_shot():
    score = score_shot(*_shot(20), dt_s=0.1)
    assert score.framing_error == pytest.approx(1 / 6)
    assert score.size_error == pytest.approx(0.0)
    assert score.in_frame == 1.0
    assert score.jerk_rms_m_s3 == pytest.approx(0.0, abs=1e-6)
    assert score.angular_accel_rms_deg_s2 == pytest.approx(0.0, abs=1e-6)
    assert score.steps == 20


def test_lost_steps_count_as_full_errors_and_out_of_frame():
    boxes, targets, positions, yaw, pitch = _shot(4)
    boxes[1] = np.nan
    boxes[2] = [1.5, 0.5, 0.1, 0.3]  # centre out of frame
    score = score_shot(boxes, targets, positions, yaw, pitch, 0.1)
    assert score.in_frame == pytest.approx(0.5)
    assert score.framing_error == pytest.approx((1 / 6 + 1.0 + (1.5 - 1 / 3) + 1 / 6) / 4)
    assert score.size_error == pytest.approx(0.25)


def test_smoothness_enters_the_score():
    dt_s = 0.1
    boxes, targets, positions, yaw, pitch = _shot(30, dt_s)
    t_s = np.arange(30) * dt_s
    positions[:, 0] = t_s**3
    yaw = 90.0 + 2.0 * t_s**2  # 4 deg/s²
    score = score_shot(boxes, targets, positions, yaw, pitch, dt_s)
    assert score.jerk_rms_m_s3 == pytest.approx(6.0, rel=1e-6)
    assert score.angular_accel_rms_deg_s2 == pytest.approx(4.0, rel=1e-6)


@pytest.mark.parametrize(
    ("index", "name", "bad"),
    [
        (1, "targets", np.zeros((9, 3))),
        (1, "targets", np.zeros((10, 2))),
        (2, "camera_positions_ned_m", np.zeros((11, 3))),
        (3, "camera_yaw_deg", np.zeros(9)),
        (4, "camera_pitch_deg", np.zeros((10, 1))),
    ],
)
def test_mismatched_shapes_name_the_argument_and_both_shapes(index, name, bad):
    arrays = list(_shot(10))
    arrays[index] = bad
    with pytest.raises(MetricsError) as raised:
        score_shot(*arrays, 0.1)
    message = str(raised.value)
    assert name in message
    assert str(bad.shape) in message
    assert "(10, 4)" in message


def test_bad_boxes_shape_is_a_typed_error():
    arrays = list(_shot(10))
    arrays[0] = np.zeros((10, 3))
    with pytest.raises(MetricsError, match="boxes"):
        score_shot(*arrays, 0.1)


def test_empty_shot_is_a_typed_error():
    with pytest.raises(MetricsError):
        score_shot(*_shot(0), 0.1)


def test_bad_dt_is_a_typed_error():
    with pytest.raises(MetricsError):
        score_shot(*_shot(10), 0.0)


def test_combine_weights_by_steps():
    a = ShotScore(0.1, 0.2, 1.0, 3.0, 4.0, steps=10)
    b = ShotScore(0.4, 0.5, 0.5, 6.0, 8.0, steps=30)
    combined = ShotScore.combine([a, b])
    assert combined.steps == 40
    assert combined.framing_error == pytest.approx((0.1 * 10 + 0.4 * 30) / 40)
    assert combined.size_error == pytest.approx((0.2 * 10 + 0.5 * 30) / 40)
    assert combined.in_frame == pytest.approx((1.0 * 10 + 0.5 * 30) / 40)
    assert combined.jerk_rms_m_s3 == pytest.approx(math.sqrt((9.0 * 10 + 36.0 * 30) / 40))
    assert combined.angular_accel_rms_deg_s2 == pytest.approx(math.sqrt((16.0 * 10 + 64.0 * 30) / 40))


def test_combining_one_score_is_the_same_score():
    a = ShotScore(0.1, 0.2, 0.9, 3.0, 4.0, steps=10)
    combined = ShotScore.combine([a])
    for name, value in a.as_dict().items():
        assert getattr(combined, name) == pytest.approx(value)


def test_combine_rms_matches_scoring_the_concatenated_errors():
    # Combining two shots' framing errors equals the mean over all their steps.
    first = score_shot(*_shot(10), 0.1)
    boxes, targets, positions, yaw, pitch = _shot(30)
    boxes[:, 0] = 0.9
    second = score_shot(boxes, targets, positions, yaw, pitch, 0.1)
    combined = ShotScore.combine([first, second])
    assert combined.framing_error == pytest.approx((10 * (1 / 6) + 30 * (0.9 - 1 / 3)) / 40)


def test_combine_nothing_is_a_typed_error():
    with pytest.raises(MetricsError):
        ShotScore.combine([])


def test_score_is_frozen_and_serialises_to_json():
    score = score_shot(*_shot(5), 0.1)
    with pytest.raises(AttributeError):
        score.steps = 3  # type: ignore[misc]
    data = json.loads(json.dumps(score.as_dict()))
    assert data == {
        "framing_error": pytest.approx(1 / 6),
        "size_error": pytest.approx(0.0),
        "in_frame": 1.0,
        "jerk_rms_m_s3": pytest.approx(0.0, abs=1e-6),
        "angular_accel_rms_deg_s2": pytest.approx(0.0, abs=1e-6),
        "steps": 5,
    }
    assert isinstance(data["steps"], int)
