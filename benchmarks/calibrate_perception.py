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
from dronecine_sim.detector.following import follow_subject, kept_through_occlusion
from dronecine_sim.detector.scenes import rendered_scenes
from dronecine_sim.detector.sequences import GROUND_SEED, crowd_sequence, occlusion_sequence
from dronecine_sim.perception import LEVELS, PerceptionLevel
from dronecine_sim.render import Renderer
from dronecine_sim.world import World

from dronecine.geometry import PinholeCamera
from dronecine.perception.detector import Detections, DetectorSettings, YoloDetector, resolve_weights

CAMERA = PinholeCamera(84.0, 640, 360)


def scenes(count: int, seed: int):
    """(frame, every visible person's box, however small) for ``count`` random scenes, ten per ground."""
    rng = np.random.default_rng(seed)
    for frame, scene in rendered_scenes(rng, CAMERA, count, frames_per_ground=10, min_box_height_px=1.0):
        yield frame, scene.boxes


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

    def detect(t: int, frame: np.ndarray) -> Detections:
        return detector.detect(frame)

    kept = 0
    for case in range(args.cases):
        sequence = occlusion_sequence(np.random.default_rng(1000 + case), CAMERA)
        kept += kept_through_occlusion(sequence, follow_subject(sequence, detect, renderer))
    print(f"\n1 s full occlusion: the lock keeps the subject in {kept}/{args.cases} sequences (target 95%)")

    wrong = frames = stolen = detected = 0
    for case in range(args.cases):
        sequence = crowd_sequence(np.random.default_rng(2000 + case), CAMERA)
        followed = follow_subject(sequence, detect, renderer)
        wrong += sum(followed.wrong)
        frames += len(followed.wrong)
        stolen += any(followed.wrong)
        detected += followed.detected_frames
    print(
        f"crowd of look-alikes: {stolen}/{args.cases} sequences with a wrong lock, {wrong}/{frames} frames "
        f"(switch_rate ~ {wrong / max(frames, 1):.4f} per frame; noisy level now {noisy.switch_rate}); "
        f"the subject reported detected in {detected}/{frames} frames, predicted or lost in the others"
    )


if __name__ == "__main__":
    main()
