"""The subject lock on rendered sequences: through a 1 s full occlusion and among look-alikes.

Twice: with a perfect detector (the truth boxes), which tests the tracker and the lock alone, and with
the bundled YOLO detector on the rendered pixels, which is what flies.
"""

from __future__ import annotations

import numpy as np
import pytest
from dronecine_sim.detector.following import follow_subject, kept_through_occlusion
from dronecine_sim.detector.sequences import GROUND_SEED, Sequence, crowd_sequence, occlusion_sequence
from dronecine_sim.render import Renderer
from dronecine_sim.world import World

from dronecine.geometry import PinholeCamera
from dronecine.perception.detector import DetectorSettings, YoloDetector, resolve_weights

CAMERA = PinholeCamera(84.0, 640, 360)
CASES = 20


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(World(seed=GROUND_SEED), CAMERA)


@pytest.fixture(scope="module")
def yolo() -> YoloDetector:
    return YoloDetector(DetectorSettings(resolve_weights(None), imgsz=320))


def kept(sequence: Sequence, detect, renderer: Renderer) -> bool:
    assert len(sequence.hidden_frames()) >= 0.8 * sequence.fps  # the sequence does hide the subject for ~1 s
    return kept_through_occlusion(sequence, follow_subject(sequence, detect, renderer))


def test_with_perfect_detections_the_lock_keeps_the_subject_through_a_1_s_occlusion(renderer):
    count = 0
    for case in range(CASES):
        sequence = occlusion_sequence(np.random.default_rng(case), CAMERA)
        count += kept(sequence, lambda t, frame, s=sequence: s.truth_detections(t), renderer)
    assert count >= 0.95 * CASES


def test_with_perfect_detections_look_alikes_crossing_do_not_steal_the_lock(renderer):
    for case in range(CASES // 4):
        sequence = crowd_sequence(np.random.default_rng(300 + case), CAMERA, lookalikes=6)
        followed = follow_subject(sequence, lambda t, frame, s=sequence: s.truth_detections(t), renderer)
        assert followed.detected_frames >= 0.9 * len(sequence)
        assert not any(followed.wrong), case


@pytest.mark.slow
def test_with_yolo_the_lock_keeps_the_subject_through_a_1_s_occlusion(yolo, renderer):
    """The issue's target: 95 % of cases. Before the look took the ground away and the prediction
    stopped growing while unseen, 80-85 %: a subject walking from grass onto dirt, or whose box had merged
    with the pillar's edge, was refused on coming back."""
    count = 0
    for case in range(CASES):
        sequence = occlusion_sequence(np.random.default_rng(100 + case), CAMERA)
        count += kept(sequence, lambda t, frame: yolo.detect(frame), renderer)
    assert count >= 0.95 * CASES
