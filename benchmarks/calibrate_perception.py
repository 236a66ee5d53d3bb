"""Measure the real detector and tracker on rendered frames, and print the perception model's constants.

A script, not a test: ``python benchmarks/calibrate_perception.py [--weights W] [--frames N] [--cases C]``.
The simulator's ``noisy`` level (``sim/dronecine_sim/perception/levels.py``) is set from its output.

1. Detection, on held-out random scenes (seed 2; every person labelled, however small): the share of
   people found against their box height, fitted to the model's logistic (``half_detect_height``,
   ``detect_height_spread``) times ``1 - miss_rate``; the box noise (``centre_jitter`` in box heights,
   ``size_jitter`` as the std of the log size ratio); false positives per frame.
2. Tracking, on rendered sequences through ByteTrack and the subject lock: occlusion sequences (the
   subject hidden for 1 s by a pillar) give how often the lock keeps the subject, and crowd sequences
   (look-alikes crossing) give the per-frame rate at which someone else is reported as the subject
   (``switch_rate``).
"""

from __future__ import annotations

import argparse

import numpy as np
from dronecine_sim.detector.calibration import fit_perception, measure_detections
from dronecine_sim.detector.scenes import random_ground, random_scene
from dronecine_sim.detector.sequences import GROUND_SEED, crowd_sequence, occlusion_sequence
from dronecine_sim.perception import LEVELS, PerceptionLevel
from dronecine_sim.render import Renderer
from dronecine_sim.world import World

from dronecine.geometry import PinholeCamera
from dronecine.mission.subjects import AcquireRule
from dronecine.perception import TrackStatus
from dronecine.perception.detector import DetectorSettings, YoloDetector, resolve_weights
from dronecine.perception.subject_lock import LockSettings, SubjectLock
from dronecine.perception.tracker import MultiObjectTracker

CAMERA = PinholeCamera(84.0, 640, 360)


def scenes(count: int, seed: int):
    """(frame, every visible person's box) for ``count`` random scenes, ten per ground."""
    rng = np.random.default_rng(seed)
    renderer = None
    for index in range(count):
        if index % 10 == 0:
            ground, ground_seed = random_ground(rng), int(rng.integers(0, 2**31 - 1))
        scene = random_scene(rng, CAMERA, ground, ground_seed, min_box_height_px=1.0)
        if renderer is None or renderer.world.seed != ground_seed:
            renderer = Renderer(scene.world, CAMERA)
        renderer.set_world(scene.world)
        yield renderer.render(scene.pose, scene.people, lighting=scene.lighting), scene.boxes


def follow(sequence, detector, renderer: Renderer) -> tuple[list[int], list[bool]]:
    """Run a sequence through detector, tracker and lock: per frame the lock's status and whether its
    box is on the subject (``Sequence.on_subject``) when it says DETECTED."""
    tracker = MultiObjectTracker()
    lock = SubjectLock(LockSettings(rule=AcquireRule.NEAREST_EXPECTED), frame_rate_hz=sequence.fps)
    statuses, on_subject = [], []
    for t, frame in enumerate(sequence.frames(renderer)):
        report = lock.update(tracker.update(detector.detect(frame), frame), frame, sequence.start_cue(t))
        statuses.append(int(report.status[0]))
        on_subject.append(sequence.on_subject(t, report.box[0]) if report.detected[0] else True)
    return statuses, on_subject


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None)
    parser.add_argument("--frames", type=int, default=400, help="random scenes for the detection figures")
    parser.add_argument("--cases", type=int, default=20, help="occlusion and crowd sequences each")
    args = parser.parse_args()
    weights = resolve_weights(args.weights)
    detector = YoloDetector(DetectorSettings(weights, imgsz=320))
    print(f"weights {weights}, imgsz 320, {args.frames} held-out scenes, {args.cases} sequences of each kind")

    figures = fit_perception(measure_detections(scenes(args.frames, seed=2), detector.detect), CAMERA.height_px)
    print("\nfound rate by true box height (fraction of the frame):")
    for low, high, people, rate in figures.bins:
        print(f"  {low:5.3f}..{high:5.3f}  {people:5d} people  found {rate:6.1%}")
    noisy = LEVELS[PerceptionLevel.NOISY]
    print("\n  constant               measured    noisy level now")
    for name in (
        "miss_rate",
        "half_detect_height",
        "detect_height_spread",
        "centre_jitter",
        "size_jitter",
        "jitter_floor",
    ):
        print(f"  {name:22s} {getattr(figures, name):9.4f}    {getattr(noisy, name):9.4f}")
    print(f"  false positives / frame {figures.false_positives_per_frame:.3f}")

    renderer = Renderer(World(seed=GROUND_SEED), CAMERA)
    kept = 0
    for case in range(args.cases):
        sequence = occlusion_sequence(np.random.default_rng(1000 + case), CAMERA)
        statuses, on_subject = follow(sequence, detector, renderer)
        hidden = [t for t in range(len(sequence)) if sequence.subject_occluded(t) >= 1.0]
        after = [t for t in range(hidden[-1] + 1, len(sequence)) if statuses[t] == TrackStatus.DETECTED]
        honest = all(statuses[t] != TrackStatus.DETECTED for t in hidden)  # nothing else passed off as them
        kept += honest and bool(after) and all(on_subject)
    print(f"\n1 s full occlusion: the lock keeps the subject in {kept}/{args.cases} sequences (target 95%)")

    wrong = frames = stolen = 0
    for case in range(args.cases):
        sequence = crowd_sequence(np.random.default_rng(2000 + case), CAMERA)
        statuses, on_subject = follow(sequence, detector, renderer)
        wrong += sum(not ok for ok in on_subject)
        frames += len(on_subject)
        stolen += not all(on_subject)
    print(
        f"crowd of look-alikes: {stolen}/{args.cases} sequences with a wrong lock, {wrong}/{frames} frames "
        f"(switch_rate ~ {wrong / max(frames, 1):.4f} per frame; noisy level now {noisy.switch_rate})"
    )


if __name__ == "__main__":
    main()
